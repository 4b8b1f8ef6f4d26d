//! `/alerting/silences`: every silence per cluster with state, matchers, creator, comment, times
//! and how many current alerts it mutes; search; expire with confirmation.

use super::groups::UnreachableBanner;
use super::AlertingTabs;
use crate::api::alerting::list_alert_groups;
use crate::components::feedback::ErrorNotice;
use crate::components::layout::RefreshTick;
use crate::components::zone::Time;
use crate::model::alerting::Silence;
use crate::model::timestamp::{age, parse_rfc3339};
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
    let overview = Resource::new(
        move || (tick.get(), expire.version().get()),
        |_| list_alert_groups(),
    );
    let search = Memo::new(move |_| {
        query
            .with(|q| q.get("q"))
            .unwrap_or_default()
            .to_lowercase()
    });
    let show_expired = Memo::new(move |_| query.with(|q| q.get("expired").is_some()));

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
                    placeholder="matcher, creator or comment"
                    value=search.get_untracked()
                    data-testid="silence-search"
                />
            </label>
            <label>
                <input type="checkbox" name="expired" checked=show_expired.get_untracked() />
                " show expired"
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
        <Transition fallback=|| {
            view! { <p class="muted">"Loading silences…"</p> }
        }>
            {move || Suspend::new(async move {
                let o = match overview.await {
                    Ok(o) => o,
                    Err(e) => return view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                };
                let now = o.now_ms;
                let cannot_write = o.cannot_write.clone();
                let q = search.get();
                view! {
                    <UnreachableBanner unreachable=o.unreachable.clone() />
                    {o
                        .clusters
                        .into_iter()
                        .map(|c| {
                            let instances = c.instances.clone();
                            let mut silences: Vec<Silence> = c
                                .silences
                                .into_iter()
                                .filter(|s| show_expired.get() || s.status.state != "expired")
                                .filter(|s| {
                                    q.is_empty() || s.comment.to_lowercase().contains(&q)
                                        || s.created_by.to_lowercase().contains(&q)
                                        || s
                                            .matchers()
                                            .iter()
                                            .any(|m| m.to_string().to_lowercase().contains(&q))
                                })
                                .collect();
                            silences
                                .sort_by(|a, b| {
                                    a.status
                                        .state
                                        .cmp(&b.status.state)
                                        .then(b.starts_at.cmp(&a.starts_at))
                                });
                            let groups = c.groups;
                            view! {
                                <section class="cluster" data-testid="silence-cluster">
                                    <h2>{format!("Alertmanager cluster: {}", c.name)}</h2>
                                    {if silences.is_empty() {
                                        view! {
                                            <p class="muted" data-testid="no-silences">
                                                "No silences."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
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
                                                <tbody>
                                                    {silences
                                                        .into_iter()
                                                        .map(|s| {
                                                            let mutes = crate::model::alerting::muted_by(
                                                                &groups,
                                                                &s.id,
                                                            );
                                                            let starts = parse_rfc3339(&s.starts_at)
                                                                .map(|t| {
                                                                    if t > now {
                                                                        format!("in {}", age(t, now))
                                                                    } else {
                                                                        format!("{} ago", age(t, now))
                                                                    }
                                                                })
                                                                .unwrap_or_default();
                                                            let ends = parse_rfc3339(&s.ends_at)
                                                                .map(|t| {
                                                                    if t > now {
                                                                        format!("ends in {}", age(t, now))
                                                                    } else {
                                                                        format!("ended {} ago", age(t, now))
                                                                    }
                                                                })
                                                                .unwrap_or_default();
                                                            let id = s.id.clone();
                                                            let instances = instances.clone();
                                                            let disabled = cannot_write.clone();
                                                            let active = s.status.state != "expired";
                                                            let edit_link = crate::model::links::new_silence(
                                                                &s
                                                                    .matchers()
                                                                    .iter()
                                                                    .map(|m| m.to_string())
                                                                    .collect::<Vec<_>>(),
                                                                &[
                                                                    ("comment", &s.comment),
                                                                    ("instances", &instances.join(",")),
                                                                    ("edit", &s.id),
                                                                ],
                                                            );
                                                            view! {
                                                                <tr
                                                                    id=s.id.clone()
                                                                    data-testid="silence-row"
                                                                    data-state=s.status.state.clone()
                                                                    data-silence-id=s.id.clone()
                                                                >
                                                                    <td>
                                                                        <span class=format!(
                                                                            "badge silence-{}",
                                                                            s.status.state,
                                                                        )>{s.status.state.clone()}</span>
                                                                    </td>
                                                                    <td class="series" data-testid="silence-matchers">
                                                                        {s
                                                                            .matchers()
                                                                            .iter()
                                                                            .map(|m| m.to_string())
                                                                            .collect::<Vec<_>>()
                                                                            .join(", ")}
                                                                    </td>
                                                                    <td data-testid="silence-mutes">{mutes}</td>
                                                                    <td>{s.created_by.clone()}</td>
                                                                    <td>{s.comment.clone()}</td>
                                                                    <td>
                                                                        {format!("{starts} · {ends}")}
                                                                        <div class="small muted">
                                                                            {parse_rfc3339(&s.starts_at)
                                                                                .map(|t| view! { <Time ms=t /> })} " → "
                                                                            {parse_rfc3339(&s.ends_at).map(|t| view! { <Time ms=t /> })}
                                                                        </div>
                                                                    </td>
                                                                    <td>
                                                                        {active
                                                                            .then(|| {
                                                                                view! {
                                                                                    <a
                                                                                        class="button"
                                                                                        href=edit_link.clone()
                                                                                        data-testid="edit-silence"
                                                                                    >
                                                                                        "Edit"
                                                                                    </a>
                                                                                    <button
                                                                                        type="button"
                                                                                        data-testid="expire-silence"
                                                                                        disabled=disabled.is_some()
                                                                                        title=disabled.clone().unwrap_or_default()
                                                                                        on:click=move |_| {
                                                                                            if confirm_expire() {
                                                                                                expire
                                                                                                    .dispatch(crate::api::alerting::ExpireSilence {
                                                                                                        id: id.clone(),
                                                                                                        instances: instances.clone(),
                                                                                                    });
                                                                                            }
                                                                                        }
                                                                                    >
                                                                                        "Expire"
                                                                                    </button>
                                                                                }
                                                                            })}
                                                                    </td>
                                                                </tr>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </tbody>
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
            })}
        </Transition>
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
