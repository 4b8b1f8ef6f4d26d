//! `/alerting/groups`: Alertmanager alert groups from every instance, clusters merged by
//! fingerprint, in triage order (most severe first, then the longest firing) and coloured by
//! severity, with state, silenced/inhibited-by, receiver, age and onward links. The server
//! filters, groups and pages: a page holds 50 groups, the first 10 open with their first 20
//! alerts, the others as counts; `?group=<id>` shows one group's alerts 100 at a time.

use super::{silence_link, AlertingTabs, UnreachableBanner};
use crate::api::alerting::{alert_groups, ClusterGroups, GroupsQuery};
use crate::components::feedback::Loaded;
use crate::components::pager::Pager;
use crate::components::pickers::current_pairs;
use crate::components::zone::Time;
use crate::contexts::RefreshTick;
use crate::model::alerting::board::{Counts, GroupView, ALERTS_PER_PAGE, GROUPS_PER_PAGE};
use crate::model::alerting::snapshot_note;
use crate::model::alerting::MergedAlert;
use crate::model::html::safe_href;
use crate::model::numbers::{thousands, tidy};
use crate::model::timestamp::{age, parse_rfc3339};
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Labels as chips, one per label (never broken inside a name or value); `severity` coloured.
#[component]
pub fn LabelChips(labels: std::collections::BTreeMap<String, String>) -> impl IntoView {
    view! {
        <span class="chips" data-testid="label-chips">
            {labels
                .into_iter()
                .map(|(k, v)| {
                    let class = if k == "severity" {
                        format!(
                            "chip label-chip severity-{}",
                            crate::model::alerting::severity_class(&v),
                        )
                    } else {
                        "chip label-chip".to_string()
                    };
                    view! {
                        <span class=class data-testid="label-chip">
                            <span class="chip-key">{k}</span>
                            "="
                            {v}
                        </span>
                    }
                })
                .collect_view()}
        </span>
    }
}

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
    let board = Resource::new(
        move || (tick.get(), groups_query.get()),
        |(_, q)| alert_groups(q),
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
                                <ClusterSection
                                    cluster=c
                                    now=now
                                    pairs=pairs.clone()
                                    one_group=one_group
                                />
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
    now: i64,
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
                    shown=g.alerts.len()
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
                                    now=now
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
    now: i64,
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
    let hidden = group.counts.total - group.alerts.len();
    let more = (hidden > 0 && group.first_alert == 0).then(|| {
        let text = if group.alerts.is_empty() {
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
            {(!group.alerts.is_empty())
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
                            <tbody>
                                {group
                                    .alerts
                                    .into_iter()
                                    .map(|a| {
                                        view! {
                                            <AlertRow alert=a now=now instances=instances.clone() />
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            {more}
        </article>
    }
}

#[component]
fn AlertRow(alert: MergedAlert, now: i64, instances: Vec<String>) -> impl IntoView {
    let a = alert.alert;
    let state = a.status.state.clone();
    let since = parse_rfc3339(&a.starts_at)
        .map(|t| age(t, now))
        .unwrap_or_default();
    let name = a.labels.get("alertname").cloned().unwrap_or_default();
    // Alertmanager sets endsAt in the future for active alerts: the window ends now then.
    let ends = parse_rfc3339(&a.ends_at).filter(|e| *e < now);
    let logs = crate::model::links::alerts::logs_link(&a.labels, parse_rfc3339(&a.starts_at), ends);
    let source =
        crate::model::links::alerts::expr_from_generator_url(&a.generator_url).map(|expr| {
            crate::model::links::explore_metrics(
                &expr,
                &crate::model::links::Hop::alert_window(parse_rfc3339(&a.starts_at), ends),
            )
        });
    let traces =
        crate::model::links::alerts::traces_link(&a.labels, parse_rfc3339(&a.starts_at), ends);
    view! {
        <tr
            data-testid="am-alert"
            id=format!("alert-{}", a.fingerprint)
            data-alertname=name
            data-state=state.clone()
        >
            <td>
                <span class=format!("badge state-{state}") data-testid="am-alert-state">
                    {state.clone()}
                </span>
            </td>
            <td class="series">
                <LabelChips labels=a.labels.clone() />
                {a.annotations.get("summary").map(|s| view! { <div class="muted">{tidy(s)}</div> })}
            </td>
            <td>
                {since}
                {parse_rfc3339(&a.starts_at)
                    .map(|t| view! { <div class="small muted">"since "<Time ms=t /></div> })}
            </td>
            <td>{a.receivers.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join(", ")}</td>
            <td class="links">
                {a
                    .status
                    .silenced_by
                    .iter()
                    .map(|id| {
                        view! {
                            <a href=format!("/alerting/silences#{id}") data-testid="silenced-by">
                                {format!("silenced by {}", &id[..id.len().min(8)])}
                            </a>
                        }
                    })
                    .collect_view()}
                // Alertmanager lists the fingerprints of the inhibiting alerts; each row has its
                // fingerprint as anchor.
                {a
                    .status
                    .inhibited_by
                    .iter()
                    .map(|fp| {
                        view! {
                            <a href=format!("#alert-{fp}") data-testid="inhibited-by">
                                {format!("inhibited by {}", &fp[..fp.len().min(8)])}
                            </a>
                        }
                    })
                    .collect_view()}
                <a href=silence_link(&a.labels, &instances) data-testid="silence-alert">
                    "Silence"
                </a>
                <a
                    href=format!("{}#route-result", crate::model::links::route_test(&a.labels))
                    data-testid="alert-route"
                    title="Where Alertmanager sends it: route, receivers, grouping, timings, inhibitions, silences"
                >
                    "Why paged?"
                </a>
                {source
                    .map(|u| {
                        view! {
                            <a
                                href=u
                                data-testid="alert-source"
                                title="The alert's expression in Explore, over its window"
                            >
                                "Source"
                            </a>
                        }
                    })}
                {alert
                    .prometheus_url
                    .as_deref()
                    .and_then(safe_href)
                    .map(|u| {
                        view! {
                            <a
                                href=u
                                rel="noopener noreferrer"
                                target="_blank"
                                data-testid="alert-prometheus"
                            >
                                "Prometheus"
                            </a>
                        }
                    })}
                {a
                    .annotations
                    .get("runbook_url")
                    .and_then(|u| safe_href(u))
                    .map(|u| {
                        view! {
                            <a href=u rel="noopener noreferrer" target="_blank">
                                "Runbook"
                            </a>
                        }
                    })}
                {logs
                    .map(|u| {
                        view! {
                            <a href=u data-testid="alert-logs">
                                "Logs"
                            </a>
                        }
                    })}
                {traces
                    .map(|u| {
                        view! {
                            <a href=u data-testid="alert-traces">
                                "Traces"
                            </a>
                        }
                    })}
                {alert
                    .dashboard
                    .clone()
                    .map(|u| {
                        view! {
                            <a href=u data-testid="alert-dashboard">
                                "Dashboard"
                            </a>
                        }
                    })}
            </td>
        </tr>
    }
}
