//! The alerting pages' table rows: an alert (state, labels, since, receiver, onward links) with
//! its label chips, and a silence. Drawn on the server: the pages show them as
//! `model::drawn::Drawn` HTML, so the browser receives them once, as HTML.

use crate::components::zone::Time;
use crate::model::alerting::board::SilenceRow;
use crate::model::alerting::MergedAlert;
use crate::model::html::safe_href;
use crate::model::links::silence_link;
use crate::model::numbers::tidy;
use crate::model::timestamp::{age, parse_rfc3339};
use leptos::prelude::*;

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
pub fn AlertRow(alert: MergedAlert, now: i64, instances: Vec<String>) -> impl IntoView {
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

/// The `<tr>`s of `alerts` for a table body, drawn on the server.
#[cfg(feature = "ssr")]
pub fn draw_alert_rows(
    alerts: Vec<MergedAlert>,
    now: i64,
    instances: Vec<String>,
) -> crate::model::drawn::Drawn {
    crate::components::drawn::draw(move || {
        alerts
            .into_iter()
            .map(|a| view! { <AlertRow alert=a now=now instances=instances.clone() /> })
            .collect_view()
    })
}

/// A silence as a table row. Its Expire button carries the silence's id in `data-expire`: the
/// page's table listens for the click (the row is drawn on the server, without handlers).
#[component]
pub fn SilenceRowView(
    row: SilenceRow,
    now: i64,
    instances: Vec<String>,
    cannot_write: Option<String>,
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
                                data-expire=id.clone()
                                disabled=cannot_write.is_some()
                                title=cannot_write.clone().unwrap_or_default()
                            >
                                "Expire"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}

/// The `<tr>`s of a page of silences, drawn on the server.
#[cfg(feature = "ssr")]
pub fn draw_silence_rows(
    rows: Vec<SilenceRow>,
    now: i64,
    instances: Vec<String>,
    cannot_write: Option<String>,
) -> crate::model::drawn::Drawn {
    crate::components::drawn::draw(move || {
        rows.into_iter()
            .map(|row| {
                view! {
                    <SilenceRowView
                        row=row
                        now=now
                        instances=instances.clone()
                        cannot_write=cannot_write.clone()
                    />
                }
            })
            .collect_view()
    })
}
