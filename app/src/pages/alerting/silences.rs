//! `/alerting/silences`: the silences of each cluster, searched, counted by state and paged on the
//! server, with matchers, creator, comment, times and how many current alerts each mutes; expire
//! with confirmation.

use super::{AlertingTabs, UnreachableBanner};
use crate::api::alerting::{list_silences, SilencesQuery};
use crate::components::feedback::{ErrorNotice, Loaded};
use crate::components::pager::Pager;
use crate::contexts::RefreshTick;
use crate::model::alerting::board::SILENCES_PER_PAGE;
use crate::model::alerting::snapshot_note;
use crate::model::drawn::HeldBack;
use crate::model::numbers::thousands;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SilencesPage() -> impl IntoView {
    let query = use_query_map();
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let expire = ServerAction::<crate::api::alerting::ExpireSilence>::new();
    let param = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    // `expired=1` (the old checkbox) still shows every state.
    let state = Memo::new(move |_| match (param("state"), param("expired")) {
        (s, e) if s.is_empty() && !e.is_empty() => "all".to_string(),
        (s, _) => s,
    });
    let search = Memo::new(move |_| param("q"));
    let page = Memo::new(move |_| param("page").parse::<u32>().unwrap_or(0));
    // The rows are drawn on the server: hydration data leaves them out.
    let board = Resource::<_, HeldBack>::new_with_options(
        move || {
            (
                tick.get(),
                expire.version().get(),
                search.get(),
                state.get(),
                page.get(),
            )
        },
        |(_, _, search, state, page)| {
            list_silences(SilencesQuery {
                search,
                state,
                page,
            })
        },
        false,
    );

    view! {
        <Title text="Silences" />
        <h1>"Alerting"</h1>
        <AlertingTabs />
        <form method="get" action="/alerting/silences" class="filters">
            <label>
                "Search "
                <input
                    type="search"
                    name="q"
                    placeholder="matcher, creator, comment or id"
                    value=search.get_untracked()
                    data-testid="silence-search"
                />
            </label>
            <label>
                "State " <select name="state" data-testid="silence-state">
                    {[
                        ("", "active and pending"),
                        ("active", "active"),
                        ("pending", "pending"),
                        ("expired", "expired"),
                        ("all", "all"),
                    ]
                        .into_iter()
                        .map(|(value, text)| {
                            view! {
                                <option value=value selected=state.get_untracked() == value>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button type="submit">"Apply"</button>
            <a class="button" href="/alerting/silence/new" data-testid="new-silence">
                "New silence"
            </a>
        </form>
        {move || {
            expire
                .value()
                .get()
                .and_then(|r| r.err())
                .map(|e| view! { <ErrorNotice message=e.to_string() /> })
        }}
        <Loaded
            data=board
            loading="Loading silences…"
            ok=move |b| {
                let now = b.now_ms;
                view! {
                    <UnreachableBanner unreachable=b.unreachable.clone() />
                    <p class="muted small" data-testid="snapshot-age">
                        {snapshot_note(b.as_of_ms, now, b.reread_every_ms)}
                    </p>
                    {b
                        .clusters
                        .into_iter()
                        .map(|c| {
                            let instances = c.instances.clone();
                            let p = c.page;
                            let counts = p
                                .by_state
                                .iter()
                                .map(|(s, n)| format!("{} {s}", thousands(*n)))
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <section class="cluster" data-testid="silence-cluster">
                                    <h2>{format!("Alertmanager cluster: {}", c.name)}</h2>
                                    <p class="muted" data-testid="silence-counts">
                                        {counts}
                                    </p>
                                    {if p.shown == 0 {
                                        view! {
                                            <p class="muted" data-testid="no-silences">
                                                "No silences."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <Pager
                                                first=p.first
                                                shown=p.shown
                                                total=p.matched
                                                per_page=SILENCES_PER_PAGE
                                                noun="silences"
                                            />
                                            <table class="results">
                                                <thead>
                                                    <tr>
                                                        <th>"State"</th>
                                                        <th>"Matchers"</th>
                                                        <th>"Mutes"</th>
                                                        <th>"Created by"</th>
                                                        <th>"Comment"</th>
                                                        <th>"Starts / ends"</th>
                                                        <th></th>
                                                    </tr>
                                                </thead>
                                                <tbody
                                                    data-drawn
                                                    inner_html=p.table.0
                                                    on:click=move |ev| {
                                                        if let Some(id) = clicked_expire(&ev)
                                                            .filter(|_| confirm_expire())
                                                        {
                                                            expire
                                                                .dispatch(crate::api::alerting::ExpireSilence {
                                                                    id,
                                                                    instances: instances.clone(),
                                                                });
                                                        }
                                                    }
                                                ></tbody>
                                            </table>
                                        }
                                            .into_any()
                                    }}
                                </section>
                            }
                        })
                        .collect_view()}
                }
                    .into_any()
            }
        />
    }
}

#[cfg(feature = "hydrate")]
fn confirm_expire() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.confirm_with_message("Expire this silence? Its alerts will notify again.")
                .ok()
        })
        .unwrap_or(false)
}

#[cfg(not(feature = "hydrate"))]
fn confirm_expire() -> bool {
    false
}

/// The silence id of the Expire button a click in the table landed on, if it is enabled.
#[cfg(feature = "hydrate")]
fn clicked_expire(ev: &leptos::ev::MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let button = target.closest("[data-expire]").ok()??;
    if button.has_attribute("disabled") {
        return None;
    }
    button.get_attribute("data-expire")
}

#[cfg(not(feature = "hydrate"))]
fn clicked_expire(_: &leptos::ev::MouseEvent) -> Option<String> {
    None
}
