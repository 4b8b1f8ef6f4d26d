//! Home: the morning summary (firing alerts by severity, SLOs burning, targets down, datasource
//! health, each linking onward), the datasources and their problems, and a getting-started
//! guide when nothing is provisioned yet.

use crate::api::console::{list_datasources, morning_summary, BurningSlo, OnCallSummary};
use crate::components::feedback::ErrorNotice;
use crate::model::datasource::DatasourceOverview;
use crate::model::links::quote;
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = crate::api::resource(|| (), |_| list_datasources());
    let summary = crate::api::resource(|| (), |_| morning_summary());
    view! {
        <Title text="Home" />
        <Suspense fallback=|| {
            view! { <p class="muted">"Loading the summary…"</p> }
        }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) if o.datasources.is_empty() && o.problems.is_empty() => {
                        view! { <GettingStarted /> }.into_any()
                    }
                    Ok(o) => {
                        view! {
                            {match summary.await {
                                Ok(s) => view! { <Summary summary=s /> }.into_any(),
                                Err(e) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                            }}
                            <DatasourceList overview=o />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn part_error(e: String) -> AnyView {
    view! {
        <p class="field-error" data-testid="summary-error">
            {e}
        </p>
    }
    .into_any()
}

#[component]
fn Summary(summary: OnCallSummary) -> impl IntoView {
    let OnCallSummary {
        alerts,
        slos,
        targets,
        datasources,
        ..
    } = summary;
    let alerts_card = match alerts {
        Ok((by_severity, suppressed)) => {
            let firing: usize = by_severity.iter().map(|(_, n)| n).sum();
            let class = if by_severity.iter().any(|(s, _)| s == "critical") {
                "summary-card bad"
            } else if firing > 0 {
                "summary-card warn"
            } else {
                "summary-card good"
            };
            view! {
                <section class=class data-testid="summary-alerts" data-firing=firing.to_string()>
                    <h2>
                        <a href="/alerting/groups">"Firing alerts"</a>
                    </h2>
                    <p class="big">{firing}</p>
                    <p class="chips">
                        {by_severity
                            .into_iter()
                            .map(|(sev, n)| {
                                let href = format!(
                                    "/alerting/groups?filter={}",
                                    encode_component(&format!("severity={}", quote(&sev))),
                                );
                                view! {
                                    <a
                                        class=format!(
                                            "chip label-chip severity-{}",
                                            crate::model::alerting::severity_class(&sev),
                                        )
                                        href=href
                                        data-testid="summary-severity"
                                        data-severity=sev.clone()
                                    >
                                        {format!("{sev} {n}")}
                                    </a>
                                }
                            })
                            .collect_view()}
                    </p>
                    {(suppressed > 0)
                        .then(|| {
                            view! {
                                <p class="muted small">
                                    <a href="/alerting/silences">
                                        {format!("{suppressed} silenced or inhibited")}
                                    </a>
                                </p>
                            }
                        })}
                </section>
            }
            .into_any()
        }
        Err(e) => view! {
            <section class="summary-card" data-testid="summary-alerts">
                <h2>"Firing alerts"</h2>
                {part_error(e)}
            </section>
        }
        .into_any(),
    };
    let slos_card = match slos {
        Ok((burning, total)) => {
            let n = burning.len();
            let class = if burning.iter().any(|b| b.status == "page") {
                "summary-card bad"
            } else if !burning.is_empty() {
                "summary-card warn"
            } else {
                "summary-card good"
            };
            view! {
                <section class=class data-testid="summary-slos" data-burning=n.to_string()>
                    <h2>
                        <a href="/slo">"SLOs burning"</a>
                    </h2>
                    <p class="big">{format!("{n} of {total}")}</p>
                    <ul class="plain">
                        {burning
                            .into_iter()
                            .map(|BurningSlo { name, status, remaining }| {
                                view! {
                                    <li>
                                        <a
                                            href=format!("/slo/{}", encode_component(&name))
                                            data-testid="summary-slo"
                                        >
                                            {name.clone()}
                                        </a>
                                        {format!(
                                            " · {status}{}",
                                            remaining
                                                .map(|r| format!(" · {:.0}% budget left", r * 100.0))
                                                .unwrap_or_default(),
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }.into_any()
        }
        Err(e) => view! {
            <section class="summary-card" data-testid="summary-slos">
                <h2>"SLOs burning"</h2>
                {part_error(e)}
            </section>
        }
        .into_any(),
    };
    let targets_card = match targets {
        Ok((down, up, pools)) => view! {
            <section
                class=card_class(down > 0)
                data-testid="summary-targets"
                data-down=down.to_string()
            >
                <h2>
                    <a href="/status/targets?health=down">"Targets down"</a>
                </h2>
                <p class="big">{format!("{down} of {}", down + up)}</p>
                {(!pools.is_empty())
                    .then(|| view! { <p class="small">{format!("In {}", pools.join(", "))}</p> })}
            </section>
        }
        .into_any(),
        Err(e) => view! {
            <section class="summary-card" data-testid="summary-targets">
                <h2>"Targets down"</h2>
                {part_error(e)}
            </section>
        }
        .into_any(),
    };
    let failing = datasources.iter().filter(|d| d.2.is_err()).count();
    view! {
        <h1>"Morning summary"</h1>
        <div class="summary-grid" data-testid="morning-summary">
            {alerts_card}
            {slos_card}
            {targets_card}
            <section
                class=card_class(failing > 0)
                data-testid="summary-datasources"
                data-failing=failing.to_string()
            >
                <h2>
                    <a href="#datasources">"Datasources"</a>
                </h2>
                <p class="big">
                    {format!("{} of {} answer", datasources.len() - failing, datasources.len())}
                </p>
                <ul class="plain small">
                    {datasources
                        .into_iter()
                        .map(|(name, kind, r)| {
                            let ok = r.is_ok().to_string();
                            view! {
                                <li data-testid="summary-datasource" data-ok=ok>
                                    {format!("{name} ({kind}): ")}
                                    {match r {
                                        Ok(ms) => format!("ok, {ms} ms"),
                                        Err(e) => e,
                                    }}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        </div>
    }
}

#[component]
fn GettingStarted() -> impl IntoView {
    view! {
        <section class="getting-started" data-testid="getting-started">
            <h1>"Welcome to Octoscope"</h1>
            <p>
                "No datasources are provisioned yet, so there is nothing to show. Two ways to start:"
            </p>
            <h2>"Try the demo"</h2>
            <p>
                "From a checkout of Octoscope, run " <code>"cargo xtask demo"</code>
                ": it starts Prometheus and Alertmanager on loopback and this console already pointed at them."
            </p>
            <h2>"Point it at your monitoring stack"</h2>
            <p>
                "Write a Grafana-format provisioning file, for example "
                <code>"provisioning/datasources/octollm.yaml"</code> ":"
            </p>
            <pre>
                "apiVersion: 1
                datasources:
                  - name: Prometheus
                    type: prometheus
                    access: proxy
                    url: http://127.0.0.1:9090
                    isDefault: true
                  - name: Alertmanager
                    type: alertmanager
                    access: proxy
                    url: http://127.0.0.1:9093"
            </pre>
            <p>
                "Then start " <code>"octoscope serve --config octoscope.toml"</code> " with "
                <code>"provisioning = \"provisioning\""</code> " under " <code>"[paths]"</code>
                " (or set " <code>"OCTOSCOPE_PROVISIONING"</code> ")."
            </p>
        </section>
    }
}

#[component]
fn DatasourceList(overview: DatasourceOverview) -> impl IntoView {
    let problems = overview.problems.clone();
    view! {
        <h2 id="datasources">"Datasources"</h2>
        {(!problems.is_empty())
            .then(|| {
                view! {
                    <section class="notice error" data-testid="provisioning-problems">
                        <h2>"Provisioning problems"</h2>
                        <p>
                            "These entries were skipped; fix them and restart the console. Everything else works."
                        </p>
                        <ul>
                            {problems
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <li data-testid="provisioning-problem">{p.to_string()}</li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        <table class="results" data-testid="datasource-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"URL"</th>
                    <th scope="col">"uid"</th>
                </tr>
            </thead>
            <tbody>
                {overview
                    .datasources
                    .into_iter()
                    .map(|d| {
                        view! {
                            <tr data-testid="datasource-row">
                                <td>{d.name.clone()}{d.is_default.then_some(" (default)")}</td>
                                <td>{d.kind.to_string()}</td>
                                <td>
                                    <code>{d.url.clone()}</code>
                                </td>
                                <td>
                                    <code>{d.uid.clone()}</code>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A summary card's class: red when something is wrong, green when nothing is.
fn card_class(bad: bool) -> &'static str {
    if bad {
        "summary-card bad"
    } else {
        "summary-card good"
    }
}
