//! `/alerting/groups`: Alertmanager alert groups from every instance, clusters merged by
//! fingerprint, in triage order (most severe first, then the longest firing) and coloured by
//! severity, with state, silenced/inhibited-by, receiver, age and onward links.

use super::{silence_link, AlertingTabs};
use crate::api::alerting::list_alert_groups;
use crate::components::feedback::ErrorNotice;
use crate::components::layout::RefreshTick;
use crate::components::zone::Time;
use crate::model::alerting::{regroup, triage_order, worst_severity, MergedAlert};
use crate::model::html::safe_href;
use crate::model::matchers::parse_matchers;
use crate::model::numbers::tidy;
use crate::model::timestamp::{age, parse_rfc3339};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Banner naming Alertmanagers that did not answer; the rest of the page still renders.
#[component]
pub fn UnreachableBanner(unreachable: Vec<(String, String)>) -> impl IntoView {
    (!unreachable.is_empty()).then(|| {
        view! {
            <div class="notice warning" role="status" data-testid="unreachable-banner">
                {unreachable
                    .into_iter()
                    .map(|(name, why)| {
                        view! {
                            <p>
                                {format!(
                                    "{name} did not answer: {why}. Showing what the others report.",
                                )}
                            </p>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// The CSS class of a severity (`severity-critical`, …; unknown ones are `other`).
pub fn severity_class(severity: &str) -> &'static str {
    match crate::model::alerting::severity_rank(Some(severity).filter(|s| !s.is_empty())) {
        0 => "critical",
        1 => "error",
        2 => "warning",
        3 => "info",
        4 => "other",
        _ => "none",
    }
}

/// Labels as chips, one per label (never broken inside a name or value); `severity` coloured.
#[component]
pub fn LabelChips(labels: std::collections::BTreeMap<String, String>) -> impl IntoView {
    view! {
        <span class="chips" data-testid="label-chips">
            {labels
                .into_iter()
                .map(|(k, v)| {
                    let class = if k == "severity" {
                        format!("chip label-chip severity-{}", severity_class(&v))
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
    let overview = Resource::new(move || tick.get(), |_| list_alert_groups());
    let filter = Memo::new(move |_| query.with(|q| q.get("filter")).unwrap_or_default());
    let group_by = Memo::new(move |_| query.with(|q| q.get("group_by")).unwrap_or_default());

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
                    value=filter.get_untracked()
                    data-testid="group-filter"
                />
            </label>
            <label>
                "Group by "
                <input
                    type="text"
                    name="group_by"
                    placeholder="route grouping"
                    value=group_by.get_untracked()
                    data-testid="group-by"
                />
            </label>
            <button type="submit" data-testid="group-filter-apply">
                "Apply"
            </button>
        </form>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading alert groups…"</p> }
        }>
            {move || Suspend::new(async move {
                let o = match overview.await {
                    Ok(o) => o,
                    Err(e) => return view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                };
                let (matchers, filter_error) = match parse_matchers(&filter.get()) {
                    Ok(m) => (m, None),
                    Err(e) => (vec![], Some(e.to_string())),
                };
                let by = group_by.get();
                let now = o.now_ms;
                view! {
                    {filter_error
                        .map(|e| {
                            view! {
                                <p class="field-error" data-testid="group-filter-error">
                                    {e}
                                </p>
                            }
                        })}
                    <UnreachableBanner unreachable=o.unreachable.clone() />
                    {o
                        .clusters
                        .into_iter()
                        .map(|c| {
                            let instances = c.instances.clone();
                            let mut groups = regroup(&c.groups, &matchers, &by);
                            triage_order(&mut groups);
                            view! {
                                <section class="cluster" data-testid="am-cluster">
                                    <h2>{format!("Alertmanager cluster: {}", c.name)}</h2>
                                    {if groups.is_empty() {
                                        view! {
                                            <p class="muted" data-testid="no-alerts">
                                                "No alerts match."
                                            </p>
                                        }
                                            .into_any()
                                    } else {
                                        groups
                                            .into_iter()
                                            .map(|(labels, alerts)| {
                                                let group_silence = silence_link(&labels, &instances);
                                                let instances = instances.clone();
                                                let severity = worst_severity(&alerts).unwrap_or_default();
                                                view! {
                                                    <article
                                                        class=format!(
                                                            "alert-group severity-{}",
                                                            severity_class(&severity),
                                                        )
                                                        data-testid="alert-group"
                                                        data-severity=severity.clone()
                                                    >
                                                        <header>
                                                            <LabelChips labels=labels.clone() />
                                                            <span class="muted">
                                                                {format!(" {} alert(s)", alerts.len())}
                                                            </span>
                                                            <a
                                                                class="button"
                                                                href=group_silence
                                                                data-testid="silence-group"
                                                            >
                                                                "Silence group"
                                                            </a>
                                                        </header>
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
                                                                {alerts
                                                                    .into_iter()
                                                                    .map(|a| {
                                                                        view! {
                                                                            <AlertRow alert=a now=now instances=instances.clone() />
                                                                        }
                                                                    })
                                                                    .collect_view()}
                                                            </tbody>
                                                        </table>
                                                    </article>
                                                }
                                            })
                                            .collect_view()
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
