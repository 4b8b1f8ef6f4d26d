//! `/alerting/groups`: Alertmanager alert groups from every instance, clusters merged by
//! fingerprint, in triage order (most severe first, then the longest firing) and coloured by
//! severity, with state, silenced/inhibited-by, receiver, age and onward links. The server
//! filters, groups and pages: a page holds 50 groups, the first 10 open with their first 20
//! alerts, the others as counts; `?group=<id>` shows one group's alerts 100 at a time.

use super::{AlertingTabs, UnreachableBanner};
use crate::api::alerting::{alert_groups, ClusterGroups, GroupsQuery};
use crate::components::alerting_rows::LabelChips;
use crate::components::feedback::Loaded;
use crate::components::pager::Pager;
use crate::components::pickers::current_pairs;
use crate::contexts::RefreshTick;
use crate::model::alerting::board::{Counts, GroupView, ALERTS_PER_PAGE, GROUPS_PER_PAGE};
use crate::model::alerting::snapshot_note;
use crate::model::drawn::HeldBack;
use crate::model::links::silence_link;
use crate::model::numbers::thousands;
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AlertGroupsPage() -> impl IntoView {
    let query = use_query_map();
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let param = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    let groups_query = Memo::new(move |_| GroupsQuery {
        filter: param("filter"),
        group_by: param("group_by"),
        page: param("page").parse().unwrap_or(0),
        group: param("group"),
    });
    // The alerts' rows are drawn on the server: hydration data leaves them out.
    let board = Resource::<_, HeldBack>::new_with_options(
        move || (tick.get(), groups_query.get()),
        |(_, q)| alert_groups(q),
        false,
    );
    let filter = groups_query.get_untracked().filter;
    let group_by = groups_query.get_untracked().group_by;

    view! {
        <Title text="Alert groups" />
        <h1>"Alerting"</h1>
        <AlertingTabs />
        <form method="get" action="/alerting/groups" class="filters" data-testid="group-filters">
            <label>
                "Filter "
                <input
                    type="text"
                    name="filter"
                    placeholder="severity=\"critical\", service=~\"orch.*\""
                    value=filter
                    data-testid="group-filter"
                />
            </label>
            <label>
                "Group by "
                <input
                    type="text"
                    name="group_by"
                    placeholder="route grouping"
                    value=group_by
                    data-testid="group-by"
                />
            </label>
            <button type="submit" data-testid="group-filter-apply">
                "Apply"
            </button>
        </form>
        <Loaded
            data=board
            loading="Loading alert groups…"
            ok=move |b| {
                let now = b.now_ms;
                let pairs = query.with_untracked(current_pairs);
                let one_group = !groups_query.get_untracked().group.is_empty();
                view! {
                    {b
                        .filter_error
                        .map(|e| {
                            view! {
                                <p class="field-error" data-testid="group-filter-error">
                                    {e}
                                </p>
                            }
                        })}
                    <UnreachableBanner unreachable=b.unreachable.clone() />
                    <p class="muted small" data-testid="snapshot-age">
                        {snapshot_note(b.as_of_ms, now, b.reread_every_ms)}
                    </p>
                    {one_group
                        .then(|| {
                            let all = with_params(&pairs, &[("group", None), ("page", None)]);
                            view! {
                                <p>
                                    <a
                                        href=format!("/alerting/groups{all}")
                                        data-testid="all-groups"
                                    >
                                        "← All groups"
                                    </a>
                                </p>
                            }
                        })}
                    {b
                        .clusters
                        .into_iter()
                        .map(|c| {
                            view! {
                                <ClusterSection cluster=c pairs=pairs.clone() one_group=one_group />
                            }
                        })
                        .collect_view()}
                }
                    .into_any()
            }
        />
    }
}

/// "1,234 alerts in 56 groups · 12 critical · 1,222 warning · 3 suppressed".
fn counts_text(c: &Counts, groups: Option<usize>) -> String {
    let mut parts = vec![match groups {
        Some(g) => format!("{} alerts in {} groups", thousands(c.total), thousands(g)),
        None => format!("{} alerts", thousands(c.total)),
    }];
    parts.extend(
        c.by_severity
            .iter()
            .map(|(s, n)| format!("{} {s}", thousands(*n))),
    );
    if c.suppressed > 0 {
        parts.push(format!("{} suppressed", thousands(c.suppressed)));
    }
    parts.join(" · ")
}

#[component]
fn ClusterSection(
    cluster: ClusterGroups,
    pairs: Vec<(String, String)>,
    one_group: bool,
) -> impl IntoView {
    let instances = cluster.instances.clone();
    let p = cluster.page;
    let pager = if one_group {
        p.groups.first().map(|g| {
            view! {
                <Pager
                    first=g.first_alert
                    shown=g.shown
                    total=g.counts.total
                    per_page=ALERTS_PER_PAGE
                    noun="alerts"
                />
            }
        })
    } else {
        Some(view! {
            <Pager
                first=p.first_group
                shown=p.groups.len()
                total=p.total_groups
                per_page=GROUPS_PER_PAGE
                noun="groups"
            />
        })
    };
    view! {
        <section class="cluster" data-testid="am-cluster">
            <h2>{format!("Alertmanager cluster: {}", cluster.name)}</h2>
            <p class="muted" data-testid="cluster-counts">
                {counts_text(&p.counts, Some(p.total_groups))}
            </p>
            {if p.groups.is_empty() {
                view! {
                    <p class="muted" data-testid="no-alerts">
                        "No alerts match."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    {pager}
                    {p
                        .groups
                        .into_iter()
                        .map(|g| {
                            view! {
                                <GroupCard
                                    group=g
                                    instances=instances.clone()
                                    pairs=pairs.clone()
                                />
                            }
                        })
                        .collect_view()}
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn GroupCard(
    group: GroupView,
    instances: Vec<String>,
    pairs: Vec<(String, String)>,
) -> impl IntoView {
    let group_silence = silence_link(&group.labels, &instances);
    let severity = group.worst_severity.clone();
    let open = with_params(
        &pairs,
        &[("group", Some(group.id.as_str())), ("page", None)],
    );
    let open = format!("/alerting/groups{open}");
    let hidden = group.counts.total - group.shown;
    let more = (hidden > 0 && group.first_alert == 0).then(|| {
        let text = if group.shown == 0 {
            format!("Show its {} alerts", thousands(group.counts.total))
        } else {
            format!("Show all {} alerts", thousands(group.counts.total))
        };
        view! {
            <a href=open.clone() data-testid="open-group">
                {text}
            </a>
        }
    });
    view! {
        <article
            class=format!(
                "alert-group severity-{}",
                crate::model::alerting::severity_class(&severity),
            )
            data-testid="alert-group"
            data-severity=severity.clone()
            data-group-id=group.id.clone()
            data-alerts=group.counts.total.to_string()
        >
            <header>
                <LabelChips labels=group.labels.clone() />
                <span class="muted" data-testid="group-counts">
                    {format!(" {}", counts_text(&group.counts, None))}
                </span>
                <a class="button" href=group_silence data-testid="silence-group">
                    "Silence group"
                </a>
            </header>
            {(group.shown > 0)
                .then(|| {
                    view! {
                        <table class="results">
                            <thead>
                                <tr>
                                    <th>"State"</th>
                                    <th>"Labels"</th>
                                    <th>"Since"</th>
                                    <th>"Receiver"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody data-drawn inner_html=group.rows.0></tbody>
                        </table>
                    }
                })}
            {more}
        </article>
    }
}
