//! Explore: run a PromQL query against a Prometheus datasource. The query lives in the URL
//! (`/explore?query=…`), so the server renders the answer in the first HTML and a link
//! reproduces the view.

use crate::api::prometheus::query_instant;
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::layout::RefreshTick;
use crate::components::series_table::SeriesTable;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// Explore: metrics (PromQL) by default, logs (LogQL) with `mode=logs`, traces with `mode=traces`.
#[component]
pub fn ExplorePage() -> impl IntoView {
    let query = use_query_map();
    let mode = Memo::new(move |_| query.with(|q| q.get("mode")).unwrap_or_default());
    move || match mode.get().as_str() {
        "logs" => view! { <crate::pages::logs::LogsExplore/> }.into_any(),
        "traces" => view! { <crate::pages::traces::TracesExplore/> }.into_any(),
        _ => view! { <MetricsExplore/> }.into_any(),
    }
}

#[component]
fn MetricsExplore() -> impl IntoView {
    let query = use_query_map();
    let expr = Memo::new(move |_| query.with(|q| q.get("query")).unwrap_or_default());
    let datasource = Memo::new(move |_| query.with(|q| q.get("datasource")));
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    // Running the same query again does not change the URL, so the button bumps this instead.
    let reruns = RwSignal::new(0u64);
    let input = NodeRef::<leptos::html::Input>::new();
    let rerun_if_unchanged = move |_| {
        if input
            .get_untracked()
            .is_some_and(|i| i.value() == expr.get_untracked())
        {
            reruns.update(|n| *n += 1);
        }
    };
    let result = Resource::new(
        move || (expr.get(), datasource.get(), tick.get(), reruns.get()),
        |(expr, datasource, _, _)| async move {
            if expr.trim().is_empty() {
                None
            } else {
                Some(query_instant(expr, datasource).await)
            }
        },
    );

    view! {
        <Title text="Explore"/>
        <h1>"Explore"</h1>
        <p class="tabs"><strong>"Metrics"</strong>" · "<a href="/explore?mode=logs" data-testid="mode-logs">"Logs"</a>" · "<a href="/explore?mode=traces" data-testid="mode-traces">"Traces"</a></p>
        <Form action="/explore" attr:class="query-form" attr:data-testid="query-form">
            {move || datasource.get().map(|d| view! { <input type="hidden" name="datasource" value=d/> })}
            <label for="promql">"PromQL"</label>
            <input
                id="promql"
                type="text"
                name="query"
                class="promql"
                autocomplete="off"
                spellcheck="false"
                placeholder="e.g. sum by (job) (up)"
                value=expr.get_untracked()
                node_ref=input
                data-testid="query-input"
            />
            <button type="submit" data-testid="run-query" on:click=rerun_if_unchanged>
                "Run query"
            </button>
        </Form>
        <section class="query-result" data-testid="query-result">
            <Transition fallback=|| view! { <p class="muted">"Querying…"</p> }>
                {move || Suspend::new(async move {
                    match result.await {
                        None => view! {
                            <p class="muted" data-testid="query-hint">
                                "Type a PromQL expression and press Run query."
                            </p>
                        }
                        .into_any(),
                        Some(Ok(answer)) => view! {
                            <p class="muted">"From " <strong>{answer.datasource_name.clone()}</strong></p>
                            <Warnings warnings=answer.answer.warnings.clone()/>
                            <SeriesTable data=answer.answer.data/>
                        }
                        .into_any(),
                        Some(Err(e)) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
