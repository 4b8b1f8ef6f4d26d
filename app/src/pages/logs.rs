//! Explore in logs mode (`/explore?mode=logs&query=<LogQL>&from=…&to=…`): the lines of a LogQL
//! query from Loki, newest first, rendered on the server. Alerts link here with their labels and
//! active window.

use crate::api::logs::query_logs;
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::layout::RefreshTick;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// `2026-11-22 03:04:05.678` from nanoseconds since the epoch.
fn ns_time(ns: &str) -> String {
    let ms = ns
        .parse::<i128>()
        .map(|n| (n / 1_000_000) as i64)
        .unwrap_or(0);
    crate::model::timestamp::rfc3339(ms)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string()
}

#[component]
pub fn LogsExplore() -> impl IntoView {
    let query = use_query_map();
    let expr = Memo::new(move |_| query.with(|q| q.get("query")).unwrap_or_default());
    let from = Memo::new(move |_| {
        query
            .with(|q| q.get("from"))
            .unwrap_or_else(|| "now-1h".into())
    });
    let to = Memo::new(move |_| query.with(|q| q.get("to")).unwrap_or_else(|| "now".into()));
    let datasource = Memo::new(move |_| query.with(|q| q.get("datasource")));
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let result = Resource::new(
        move || {
            (
                expr.get(),
                from.get(),
                to.get(),
                datasource.get(),
                tick.get(),
            )
        },
        |(expr, from, to, ds, _)| async move {
            if expr.trim().is_empty() {
                None
            } else {
                Some(query_logs(expr, from, to, ds).await)
            }
        },
    );
    view! {
        <Title text="Explore logs"/>
        <h1>"Explore " <span class="muted">"logs"</span></h1>
        <p class="tabs"><a href="/explore">"Metrics"</a>" · "<strong>"Logs"</strong>" · "<a href="/explore?mode=traces" data-testid="mode-traces">"Traces"</a></p>
        <Form action="/explore" attr:class="query-form" attr:data-testid="logs-form">
            <input type="hidden" name="mode" value="logs"/>
            <input type="hidden" name="from" value=from.get_untracked()/>
            <input type="hidden" name="to" value=to.get_untracked()/>
            {move || datasource.get().map(|d| view! { <input type="hidden" name="datasource" value=d/> })}
            <label for="logql">"LogQL"</label>
            <input id="logql" type="text" name="query" class="promql" autocomplete="off" spellcheck="false"
                placeholder="{service=\"orchestrator\"} |= \"error\"" value=expr.get_untracked() data-testid="logs-input"/>
            <button type="submit" data-testid="run-logs">"Show lines"</button>
        </Form>
        <section class="query-result" data-testid="logs-result">
            <Transition fallback=|| view! { <p class="muted">"Querying…"</p> }>
                {move || Suspend::new(async move {
                    match result.await {
                        None => view! { <p class="muted">"Type a LogQL selector, e.g. {service=\"orchestrator\"}, and press Show lines."</p> }.into_any(),
                        Some(Err(e)) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                        Some(Ok(a)) if a.lines.is_empty() => view! {
                            <p class="muted" data-testid="no-logs">{format!("No lines from {} in this time range.", a.datasource_name)}</p>
                        }.into_any(),
                        Some(Ok(a)) => view! {
                            <p class="muted">
                                {format!("{} lines from {}, newest first", a.lines.len(), a.datasource_name)}
                                {a.truncated.then_some(" (more in the range: narrow the query or the time range)")}
                            </p>
                            <Warnings warnings=a.warnings.clone()/>
                            <table class="data-table logs" data-testid="log-lines">
                                <thead><tr><th>"Time (UTC)"</th><th>"Labels"</th><th>"Line"</th><th>"Trace"</th></tr></thead>
                                <tbody>
                                    {a.lines.into_iter().map(|l| {
                                        let level = l.labels.get("level").cloned().unwrap_or_default();
                                        let trace = crate::model::logs::trace_id_of(&l.line, &l.labels).map(|id| {
                                            let href = format!("/trace/{id}?from={}&to={}", crate::model::url_state::encode_component(&from.get_untracked()), crate::model::url_state::encode_component(&to.get_untracked()));
                                            view! { <a href=href data-testid="log-trace-link">"Trace"</a> }
                                        });
                                        view! {
                                            <tr data-testid="log-line" class=format!("level-{level}")>
                                                <td class="nowrap">{ns_time(&l.ts_ns)}</td>
                                                <td class="muted small">{l.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")}</td>
                                                <td class="mono">{l.line}</td>
                                                <td>{trace}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
