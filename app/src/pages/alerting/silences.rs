//! `/alerting/silences`: the silences of each cluster, searched, counted by state and paged on the
//! server, with matchers, creator, comment, times and how many current alerts each mutes; expire
//! with confirmation.

use super::{AlertingTabs, UnreachableBanner};
use crate::api::alerting::{list_silences, SilencesQuery};
use crate::components::feedback::{ErrorNotice, Loaded};
use crate::components::pager::Pager;
use crate::components::zone::Time;
use crate::contexts::RefreshTick;
use crate::model::alerting::board::{SilenceRow, SILENCES_PER_PAGE};
use crate::model::alerting::snapshot_note;
use crate::model::numbers::thousands;
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
    let param = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    // `expired=1` (the old checkbox) still shows every state.
    let state = Memo::new(move |_| match (param("state"), param("expired")) {
        (s, e) if s.is_empty() && !e.is_empty() => "all".to_string(),
        (s, _) => s,
    });
    let search = Memo::new(move |_| param("q"));
    let page = Memo::new(move |_| param("page").parse::<u32>().unwrap_or(0));
    let board = Resource::new(
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
                let cannot_write = b.cannot_write.clone();
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
                                    {if p.rows.is_empty() {
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
                                                shown=p.rows.len()
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
                                                <tbody>
                                                    {p
                                                        .rows
                                                        .into_iter()
                                                        .map(|row| {
                                                            view! {
                                                                <SilenceRowView
                                                                    row=row
                                                                    now=now
                                                                    instances=instances.clone()
                                                                    cannot_write=cannot_write.clone()
                                                                    expire=expire
                                                                />
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
            }
        />
    }
}

#[component]
fn SilenceRowView(
    row: SilenceRow,
    now: i64,
    instances: Vec<String>,
    cannot_write: Option<String>,
    expire: ServerAction<crate::api::alerting::ExpireSilence>,
) -> impl IntoView {
    let s = row.silence;
    let when = |t: i64, future: &str, past: &str| {
        if t > now {
            format!("{future}in {}", age(t, now))
        } else {
            format!("{past}{} ago", age(t, now))
        }
    };
    let starts = parse_rfc3339(&s.starts_at)
        .map(|t| when(t, "", ""))
        .unwrap_or_default();
    let ends = parse_rfc3339(&s.ends_at)
        .map(|t| when(t, "ends ", "ended "))
        .unwrap_or_default();
    let id = s.id.clone();
    let active = s.status.state != "expired";
    let matchers: Vec<String> = s.matchers().iter().map(|m| m.to_string()).collect();
    let edit_link = crate::model::links::new_silence(
        &matchers,
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
                {matchers.join(", ")}
            </td>
            <td data-testid="silence-mutes">{row.mutes}</td>
            <td>{s.created_by.clone()}</td>
            <td>{s.comment.clone()}</td>
            <td>
                {format!("{starts} · {ends}")}
                <div class="small muted">
                    {parse_rfc3339(&s.starts_at).map(|t| view! { <Time ms=t /> })} " → "
                    {parse_rfc3339(&s.ends_at).map(|t| view! { <Time ms=t /> })}
                </div>
            </td>
            <td>
                {active
                    .then(|| {
                        view! {
                            <a class="button" href=edit_link.clone() data-testid="edit-silence">
                                "Edit"
                            </a>
                            <button
                                type="button"
                                data-testid="expire-silence"
                                disabled=cannot_write.is_some()
                                title=cannot_write.clone().unwrap_or_default()
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
