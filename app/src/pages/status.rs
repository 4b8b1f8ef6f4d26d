//! Troubleshooting: is Prometheus scraping the target (`/status/targets`), which metric or label
//! exploded (`/status/cardinality`).

use crate::api::status::{alert_pipeline, cardinality, list_targets};
use crate::components::feedback::{ErrorNotice, Loaded};
use crate::model::routing::RouteNode;
use crate::model::status::{share, NameValue};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
fn StatusTabs() -> impl IntoView {
    view! {
        <nav class="tabs" data-testid="status-tabs">
            <A href="/status/targets" attr:data-testid="tab-targets">
                "Targets"
            </A>
            <A href="/status/cardinality" attr:data-testid="tab-cardinality">
                "Cardinality"
            </A>
            <A href="/status/alerting" attr:data-testid="tab-alerting">
                "Alert pipeline"
            </A>
        </nav>
    }
}

#[component]
pub fn TargetsPage() -> impl IntoView {
    let query = use_query_map();
    let health = Memo::new(move |_| query.with(|q| q.get("health")).unwrap_or_default());
    let matchers = Memo::new(move |_| query.with(|q| q.get("matchers")).unwrap_or_default());
    let data = crate::api::resource(
        move || (health.get(), matchers.get()),
        |(h, m)| list_targets(h, m, None),
    );
    let chip = move |value: &'static str, label: String| {
        let m = matchers.get_untracked();
        let href = if value.is_empty() {
            format!("/status/targets?matchers={}", encode_component(&m))
        } else {
            format!(
                "/status/targets?health={value}&matchers={}",
                encode_component(&m)
            )
        };
        let active = health.get_untracked() == value;
        view! {
            <a
                href=href
                class="chip"
                class:active=active
                data-testid=format!("health-{}", if value.is_empty() { "all" } else { value })
            >
                {label}
            </a>
        }
    };
    view! {
        <Title text="Targets" />
        <h1>"Status"</h1>
        <StatusTabs />
        <Form action="/status/targets" attr:class="query-form">
            <input type="hidden" name="health" value=health.get_untracked() />
            <label for="target-matchers">"Labels"</label>
            <input
                id="target-matchers"
                type="text"
                name="matchers"
                value=matchers.get_untracked()
                placeholder="job=\"arms\", service=~\"plan.*\""
                data-testid="target-matchers"
            />
            <button type="submit">"Filter"</button>
        </Form>
        <Loaded
            data=data
            loading="Loading targets…"
            ok=move |v| {
                view! {
                    {v
                        .matcher_error
                        .clone()
                        .map(|e| {
                            view! {
                                <p class="field-error" data-testid="target-matchers-error">
                                    {e}
                                </p>
                            }
                        })}
                    <div class="chips" data-testid="target-counts">
                        {chip("", format!("All {}", v.up + v.down))}
                        {chip("up", format!("Up {}", v.up))}
                        {chip("down", format!("Down {}", v.down))}
                    </div>
                    <p class="muted">{format!("From {}", v.datasource_name)}</p>
                    {v
                        .pools
                        .into_iter()
                        .map(|p| {
                            view! {
                                <section
                                    class="rule-group"
                                    data-testid="scrape-pool"
                                    data-pool=p.name.clone()
                                >
                                    <h2>
                                        {p.name.clone()}
                                        <span class="muted small">
                                            {format!(
                                                "{} up, {} down{}",
                                                p.up,
                                                p.down,
                                                if p.unknown > 0 {
                                                    format!(", {} unknown", p.unknown)
                                                } else {
                                                    String::new()
                                                },
                                            )}
                                        </span>
                                    </h2>
                                    <table class="data-table">
                                        <thead>
                                            <tr>
                                                <th>"Endpoint"</th>
                                                <th>"State"</th>
                                                <th>"Labels"</th>
                                                <th>"Last scrape"</th>
                                                <th>"Duration"</th>
                                                <th>"Error"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {p
                                                .targets
                                                .into_iter()
                                                .map(|t| {
                                                    let discovered = t
                                                        .discovered_labels
                                                        .iter()
                                                        .map(|(k, v)| format!("{k}={v}"))
                                                        .collect::<Vec<_>>()
                                                        .join("\n");
                                                    view! {
                                                        <tr
                                                            data-testid="target"
                                                            data-health=t.health.clone()
                                                            data-service=t
                                                                .labels
                                                                .get("service")
                                                                .cloned()
                                                                .unwrap_or_default()
                                                        >
                                                            <td class="mono">{t.scrape_url.clone()}</td>
                                                            <td>
                                                                <span
                                                                    class=format!("badge health-{}", t.health)
                                                                    data-testid="target-health"
                                                                >
                                                                    {t.health.clone()}
                                                                </span>
                                                            </td>
                                                            <td
                                                                class="small"
                                                                title=format!("Before relabelling:\n{discovered}")
                                                            >
                                                                {t
                                                                    .labels
                                                                    .iter()
                                                                    .map(|(k, v)| {
                                                                        view! { <span class="label">{format!("{k}={v}")}</span> }
                                                                    })
                                                                    .collect_view()}
                                                            </td>
                                                            <td class="small">
                                                                {t.last_scrape.get(11..19).unwrap_or("").to_string()}
                                                            </td>
                                                            <td class="small">
                                                                {format!("{:.1} ms", t.last_scrape_duration * 1000.0)}
                                                            </td>
                                                            <td class="field-error small" data-testid="target-error">
                                                                {t.last_error.clone()}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
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

/// One matched route in words: its path, receiver, grouping and timings.
fn route_match_text(m: &crate::model::routing::RouteMatch) -> String {
    let path = std::iter::once("root".to_string())
        .chain(m.route.iter().map(|r| format!("{{{r}}}")))
        .collect::<Vec<_>>()
        .join(" → ");
    let group_by = if m.group_by.is_empty() {
        "nothing (one group per alert)".to_string()
    } else {
        m.group_by.join(", ")
    };
    format!(
        "{path} → {}: grouped by {group_by}; first sent after group_wait {}, new alerts in the group every group_interval {}, repeated every repeat_interval {}",
        m.receiver, m.group_wait, m.group_interval, m.repeat_interval
    )
}

fn share_table(
    rows: Vec<(NameValue, Option<String>)>,
    total: u64,
    value_label: &'static str,
    testid: &'static str,
    link_metric: bool,
) -> impl IntoView {
    let sort = RwSignal::new(false); // false = by value, descending (as Prometheus sends)
    let rows = StoredValue::new(rows);
    view! {
        <table class="data-table" data-testid=testid>
            <thead>
                <tr>
                    <th>
                        <button type="button" class="sort" on:click=move |_| sort.set(true)>
                            "Name"
                        </button>
                    </th>
                    <th>
                        <button type="button" class="sort" on:click=move |_| sort.set(false)>
                            {value_label}
                        </button>
                    </th>
                    <th>"Share"</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    let mut r = rows.get_value();
                    if sort.get() {
                        r.sort_by(|a, b| a.0.name.cmp(&b.0.name));
                    }
                    r.into_iter()
                        .map(|(nv, hint)| {
                            let name = if link_metric {
                                view! {
                                    <a href=format!(
                                        "/status/cardinality?metric={}",
                                        encode_component(&nv.name),
                                    )>{nv.name.clone()}</a>
                                }
                                    .into_any()
                            } else {
                                view! { <span>{nv.name.clone()}</span> }.into_any()
                            };
                            view! {
                                <tr data-testid="cardinality-row" data-name=nv.name.clone()>
                                    <td class="mono">{name}</td>
                                    <td class="num">{nv.value}</td>
                                    <td class="num">
                                        {if total > 0 {
                                            format!("{:.1}%", share(nv.value, total))
                                        } else {
                                            String::new()
                                        }}
                                    </td>
                                    <td class="small">
                                        {hint
                                            .map(|h| {
                                                view! {
                                                    <span
                                                        class="badge warn"
                                                        data-testid="unbounded-hint"
                                                        title=h.clone()
                                                    >
                                                        "⚠ unbounded?"
                                                    </span>
                                                }
                                            })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}

#[component]
pub fn CardinalityPage() -> impl IntoView {
    let query = use_query_map();
    let metric = Memo::new(move |_| query.with(|q| q.get("metric")).filter(|m| !m.is_empty()));
    let data = crate::api::resource(move || metric.get(), |m| cardinality(m, None));
    view! {
        <Title text="Cardinality" />
        <h1>"Status"</h1>
        <StatusTabs />
        <Form action="/status/cardinality" attr:class="query-form">
            <label for="card-metric">"Metric"</label>
            <input
                id="card-metric"
                type="text"
                name="metric"
                value=metric.get_untracked().unwrap_or_default()
                placeholder="http_requests_total"
                data-testid="cardinality-metric"
            />
            <button type="submit">"Count by label"</button>
        </Form>
        <Loaded
            data=data
            loading="Reading TSDB status…"
            ok=move |v| {
                let total = v.total_series;
                view! {
                    <p class="muted" data-testid="total-series">
                        {if v.head_block {
                            format!("{} series in the head block of {}", total, v.datasource_name)
                        } else {
                            format!("{} series in {}", total, v.datasource_name)
                        }}
                    </p>
                    {v
                        .per_metric
                        .clone()
                        .map(|r| match r {
                            Err(e) => view! { <ErrorNotice message=e /> }.into_any(),
                            Ok(rows) => {
                                view! {
                                    <h2>
                                        {format!(
                                            "Labels of {}",
                                            metric.get_untracked().unwrap_or_default(),
                                        )}
                                    </h2>
                                    {share_table(
                                        rows,
                                        0,
                                        "Distinct values",
                                        "metric-labels",
                                        false,
                                    )}
                                }
                                    .into_any()
                            }
                        })}
                    <div class="status-grid">
                        <section>
                            <h2>"Top metrics by series"</h2>
                            {share_table(
                                v.metrics.into_iter().map(|m| (m, None)).collect(),
                                total,
                                "Series",
                                "top-metrics",
                                true,
                            )}
                        </section>
                        <section>
                            <h2>"Labels by distinct values"</h2>
                            {share_table(v.labels_by_values, 0, "Values", "top-labels", false)}
                        </section>
                        <section>
                            <h2>"Labels by memory"</h2>
                            {match v.labels_by_memory {
                                Some(rows) => {
                                    share_table(
                                            rows.into_iter().map(|m| (m, None)).collect(),
                                            0,
                                            "Bytes",
                                            "label-memory",
                                            false,
                                        )
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        <p class="muted" data-testid="label-memory-absent">
                                            {format!(
                                                "{} does not report memory per label (VictoriaMetrics does not keep that figure).",
                                                v.datasource_name,
                                            )}
                                        </p>
                                    }
                                        .into_any()
                                }
                            }}
                        </section>
                        <section>
                            <h2>"Series by label pair"</h2>
                            {share_table(
                                v.pairs.into_iter().map(|m| (m, None)).collect(),
                                total,
                                "Series",
                                "label-pairs",
                                false,
                            )}
                        </section>
                    </div>
                }
                    .into_any()
            }
        />
    }
}

/// The routing tree as nested lists; routes the tested alert reaches are marked.
fn route_tree(node: &RouteNode, path: Vec<usize>, matched: &[Vec<usize>]) -> AnyView {
    let is_match = matched.contains(&path);
    let on_way = matched.iter().any(|m| m.starts_with(&path));
    let matchers = if path.is_empty() {
        "(root: every alert)".to_string()
    } else if node.matchers.is_empty() {
        "(no matchers: every alert)".to_string()
    } else {
        node.matchers
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let timings = [
        ("wait", &node.group_wait),
        ("interval", &node.group_interval),
        ("repeat", &node.repeat_interval),
    ]
    .iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
    .collect::<Vec<_>>()
    .join(" · ");
    let children: Vec<AnyView> = node
        .routes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut p = path.clone();
            p.push(i);
            route_tree(c, p, matched)
        })
        .collect();
    view! {
        <li
            class="route"
            class:matched=is_match
            class:on-way=on_way
            data-testid="route"
            data-receiver=node.receiver.clone()
            data-matched=is_match.to_string()
        >
            <span class="mono">{matchers}</span>
            " → "
            <strong>{node.receiver.clone()}</strong>
            <span class="muted small">
                {format!(" group_by [{}] {}", node.group_by.join(", "), timings)}
            </span>
            {node.cont.then(|| view! { <span class="badge">"continue"</span> })}
            {is_match
                .then(|| {
                    view! {
                        <span class="badge state-firing" data-testid="route-hit">
                            "✓ matches"
                        </span>
                    }
                })}
            {(!children.is_empty()).then(|| view! { <ul>{children}</ul> })}
        </li>
    }
    .into_any()
}

#[component]
pub fn AlertPipelinePage() -> impl IntoView {
    let query = use_query_map();
    let labels = Memo::new(move |_| query.with(|q| q.get("labels")).unwrap_or_default());
    let data = crate::api::resource(move || labels.get(), alert_pipeline);
    view! {
        <Title text="Alert pipeline" />
        <h1>"Status"</h1>
        <StatusTabs />
        <Form action="/status/alerting" attr:class="query-form" attr:data-testid="route-tester">
            <label for="route-labels">"Route tester: alert labels"</label>
            <input
                id="route-labels"
                type="text"
                name="labels"
                value=labels.get_untracked()
                placeholder="alertname=\"ServiceDown\", severity=\"critical\""
                data-testid="route-labels"
            />
            <button type="submit" data-testid="test-route">
                "Where does it go?"
            </button>
        </Form>
        <Loaded
            data=data
            loading="Reading the alert pipeline…"
            ok=move |v| {
                let tests = v.test.clone().and_then(Result::ok).unwrap_or_default();
                let matched = move |am: &str| -> Vec<Vec<usize>> {
                    tests
                        .iter()
                        .find(|t| t.alertmanager.split(", ").any(|n| n == am))
                        .map(|t| t.matches.iter().map(|m| m.path.clone()).collect())
                        .unwrap_or_default()
                };
                // The matched routes in one Alertmanager's tree (each tested tree names its
                // instances).
                view! {
                    {v
                        .test
                        .clone()
                        .map(|t| match t {
                            Err(e) => {
                                view! {
                                    <p class="field-error" data-testid="route-labels-error">
                                        {e}
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(tests) => {
                                tests
                                    .into_iter()
                                    .map(|t| {
                                        view! {
                                            <section
                                                class="notice"
                                                id="route-result"
                                                data-testid="route-result"
                                            >
                                                <p>
                                                    {format!(
                                                        "In {}'s routing tree this alert reaches: ",
                                                        t.alertmanager,
                                                    )}
                                                    {t
                                                        .matches
                                                        .iter()
                                                        .map(|m| {
                                                            view! {
                                                                <strong class="receiver" data-testid="route-receiver">
                                                                    {m.receiver.clone()}
                                                                </strong>
                                                                " "
                                                            }
                                                        })
                                                        .collect_view()}
                                                </p>
                                                <ul class="route-matches">
                                                    {t
                                                        .matches
                                                        .iter()
                                                        .map(|m| {
                                                            view! {
                                                                <li data-testid="route-match">{route_match_text(m)}</li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                                {t
                                                    .inhibitions
                                                    .iter()
                                                    .map(|(rule, sources)| {
                                                        view! {
                                                            <p data-testid="route-inhibition">
                                                                {format!("Inhibit rule {rule}: ")}
                                                                {if sources.is_empty() {
                                                                    "no matching source alert is firing now".to_string()
                                                                } else {
                                                                    format!("suppressed now by {}", sources.join("; "))
                                                                }}
                                                            </p>
                                                        }
                                                    })
                                                    .collect_view()}
                                                {t
                                                    .silences
                                                    .iter()
                                                    .map(|(id, comment)| {
                                                        view! {
                                                            <p data-testid="route-silence">
                                                                "Muted by silence "
                                                                <a href=format!("/alerting/silences#{id}")>{id.clone()}</a>
                                                                {format!(" ({comment})")}
                                                            </p>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </section>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                        })}
                    {(!v.live.is_empty())
                        .then(|| {
                            view! {
                                <details class="live-alerts">
                                    <summary>
                                        {format!("Test a live alert ({})", v.live.len())}
                                    </summary>
                                    <ul>
                                        {v
                                            .live
                                            .iter()
                                            .map(|l| {
                                                view! {
                                                    <li>
                                                        <a
                                                            href=format!(
                                                                "/status/alerting?labels={}#route-result",
                                                                encode_component(l),
                                                            )
                                                            class="mono small"
                                                        >
                                                            {l.clone()}
                                                        </a>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </details>
                            }
                        })}
                    <section data-testid="prometheus-pipeline">
                        <h2>{format!("Prometheus: {}", v.prometheus.name)}</h2>
                        {v.prometheus.error.clone().map(|e| view! { <ErrorNotice message=e /> })}
                        <p>
                            "Rule files: "
                            {v
                                .prometheus
                                .rule_files
                                .iter()
                                .map(|f| {
                                    view! {
                                        <code>{f.clone()}</code>
                                        " "
                                    }
                                })
                                .collect_view()}
                        </p>
                        <p>
                            "Sends alerts to: "
                            {v
                                .prometheus
                                .alertmanagers
                                .iter()
                                .map(|a| {
                                    view! {
                                        <code data-testid="prometheus-am">{a.clone()}</code>
                                        " "
                                    }
                                })
                                .collect_view()}
                            {(!v.prometheus.dropped.is_empty())
                                .then(|| {
                                    format!(" (dropped: {})", v.prometheus.dropped.join(", "))
                                })}
                        </p>
                    </section>
                    {v
                        .alertmanagers
                        .into_iter()
                        .map(|am| {
                            view! {
                                <section data-testid="am-pipeline">
                                    <h2>
                                        {am.name.clone()}
                                        <span class="muted small">
                                            {format!(
                                                "{} · cluster {} · {} peers · up since {}",
                                                am.version,
                                                am.cluster_status,
                                                am.peers.len(),
                                                am.uptime.get(..19).unwrap_or(&am.uptime),
                                            )}
                                        </span>
                                    </h2>
                                    {am.error.clone().map(|e| view! { <ErrorNotice message=e /> })}
                                    {am
                                        .config
                                        .map(|c| {
                                            view! {
                                                <ul class="route-tree" data-testid="route-tree">
                                                    {route_tree(&c.route, Vec::new(), &matched(&am.name))}
                                                </ul>
                                                <p class="small">
                                                    "Receivers: "
                                                    {c
                                                        .receivers
                                                        .iter()
                                                        .map(|r| {
                                                            format!("{} ({})", r.name, r.integrations.join(", "))
                                                        })
                                                        .collect::<Vec<_>>()
                                                        .join(" · ")}
                                                </p>
                                                <p class="small">
                                                    {format!("{} inhibit rules", c.inhibit_rules.len())}
                                                </p>
                                            }
                                        })}
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
