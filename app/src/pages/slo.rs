//! SLO burn views: `/slo` lists every SLO with its budget and burn rates now; `/slo/:name` shows
//! one in detail with its budget burndown, a burn-rate chart per alerting window pair, the SLI's
//! traffic, errors and latency, and links onward to alerts, dashboard, logs and traces.

use crate::api::slo::{list_slos, slo_detail, SloChart, SloRow};
use crate::components::chart::{timeseries_svg, ChartSeries, ChartSpec};
use crate::components::feedback::{set_status_for, ErrorNotice};
use crate::contexts::RefreshTick;
use crate::model::dashboard::field::{DrawStyle, Stacking, ThresholdsStyle};
use crate::model::dashboard::units::format_value;
use crate::model::duration::format_s;
use crate::model::slo::{human_duration, Status};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

fn percent(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{:.*}%", decimals, v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn burn(v: Option<f64>) -> String {
    match v {
        None => "–".into(),
        Some(b) if b >= 100.0 => format!("{b:.0}×"),
        // Two decimals: 14.43× must not read as the 14.4× threshold.
        Some(b) => format!("{b:.2}×"),
    }
}

fn status_badge(s: Status) -> impl IntoView {
    view! {
        <span class=format!("badge slo-{}", s.as_str().replace(' ', "-")) data-testid="slo-status">
            {s.as_str()}
        </span>
    }
}

fn exhaustion(row: &SloRow) -> String {
    match (row.remaining, row.exhaustion_s) {
        (Some(r), _) if r <= 0.0 => "exhausted".into(),
        (_, Some(s)) => format!("in {}", human_duration(s)),
        _ => "not burning".into(),
    }
}

fn tick() -> RwSignal<u64> {
    use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0))
}

#[component]
pub fn SloListPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| q.get("filter")).unwrap_or_default());
    let tick = tick();
    let data = crate::api::resource(move || (filter.get(), tick.get()), |(f, _)| list_slos(f));
    view! {
        <Title text="SLOs" />
        <h1>"SLOs"</h1>
        <Form action="/slo" attr:class="query-form">
            <label for="slo-filter">"Labels"</label>
            <input
                id="slo-filter"
                type="text"
                name="filter"
                value=filter.get_untracked()
                placeholder="service=\"orchestrator\", team=~\"plat.*\""
                data-testid="slo-filter"
            />
            <button type="submit">"Filter"</button>
        </Form>
        <Transition fallback=|| {
            view! { <p class="muted">"Evaluating SLOs…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                    Ok(list) if list.total == 0 => {
                        view! {
                            <p class="muted" data-testid="slo-empty">
                                "No SLOs are defined. Add YAML files under provisioning/slos/ (seed format or Sloth prometheus/v1); see the README."
                            </p>
                        }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            {list
                                .filter_error
                                .clone()
                                .map(|e| {
                                    view! {
                                        <p class="field-error" data-testid="slo-filter-error">
                                            {e}
                                        </p>
                                    }
                                })}
                            <p class="muted">
                                {format!(
                                    "{} of {} SLOs from {}, least budget left first",
                                    list.rows.len(),
                                    list.total,
                                    list.datasource_name,
                                )}
                            </p>
                            <table class="data-table slo-table" data-testid="slo-table">
                                <thead>
                                    <tr>
                                        <th>"SLO"</th>
                                        <th>"Objective"</th>
                                        <th>"Window"</th>
                                        <th>"SLI"</th>
                                        <th>"Budget left"</th>
                                        <th>"Status"</th>
                                        <th>"Exhaustion"</th>
                                        {crate::model::slo::DISPLAY_WINDOWS
                                            .iter()
                                            .map(|w| {
                                                view! {
                                                    <th class="num">{format!("{} burn", format_s(*w))}</th>
                                                }
                                            })
                                            .collect_view()}
                                    </tr>
                                </thead>
                                <tbody>{list.rows.into_iter().map(slo_row).collect_view()}</tbody>
                            </table>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

fn slo_row(r: SloRow) -> impl IntoView {
    let href = format!("/slo/{}", encode_component(&r.name));
    if let Some(error) = r.error.clone().filter(|_| r.window_s == 0) {
        // The definition itself is broken: name, file and why.
        return view! {
            <tr data-testid="slo-row" data-slo=r.name.clone() data-status="invalid">
                <td>
                    <strong>{r.name.clone()}</strong>
                    <div class="muted small">{r.source.clone()}</div>
                </td>
                <td colspan="13" class="field-error" data-testid="slo-error">
                    {error}
                </td>
            </tr>
        }
        .into_any();
    }
    let labels = r
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() != "slo")
        .map(|(k, v)| view! { <span class="label">{format!("{k}={v}")}</span> })
        .collect_view();
    let remaining_cell = match (r.remaining, r.remaining_time_s) {
        (Some(p), Some(t)) if t > 0.0 => format!("{} ({})", percent(Some(p), 1), human_duration(t)),
        (Some(p), Some(_)) => format!("{} (overspent)", percent(Some(p), 1)),
        _ => "–".into(),
    };
    let status = r.status;
    let exhaustion_text = exhaustion(&r);
    view! {
        <tr data-testid="slo-row" data-slo=r.name.clone() data-status=status.as_str()>
            <td>
                <a href=href data-testid="slo-link">
                    <strong>{r.name.clone()}</strong>
                </a>
                <div class="small">{labels}</div>
                {r
                    .error
                    .clone()
                    .map(|e| {
                        view! {
                            <div class="field-error small" data-testid="slo-error">
                                {e}
                            </div>
                        }
                    })}
                {r
                    .retention_note
                    .clone()
                    .map(|n| {
                        view! {
                            <div class="muted small" data-testid="slo-retention">
                                {n}
                            </div>
                        }
                    })}
            </td>
            <td class="num">{format!("{}%", r.objective)}</td>
            <td>{format_s(r.window_s)}</td>
            <td class="num" data-testid="slo-sli">
                {percent(r.sli, 3)}
            </td>
            <td class="num" data-testid="slo-remaining">
                {remaining_cell}
            </td>
            <td>{status_badge(status)}</td>
            <td data-testid="slo-exhaustion">{exhaustion_text}</td>
            {r
                .burns
                .iter()
                .map(|(w, b)| {
                    view! {
                        <td class="num" data-testid=format!("burn-{}", format_s(*w))>
                            {burn(*b)}
                        </td>
                    }
                })
                .collect_view()}
        </tr>
    }
    .into_any()
}

const COLORS: [&str; 3] = ["#e0752d", "#3274d9", "#56a64b"];

/// A static chart (server-rendered SVG; no interaction needed to read a burn rate).
fn chart_view(c: SloChart, from_ms: i64, to_ms: i64, testid: &'static str) -> impl IntoView {
    let spec = ChartSpec {
        width: 560,
        height: 180,
        from_ms,
        to_ms,
        series: c
            .series
            .iter()
            .enumerate()
            .map(|(i, (name, points))| ChartSeries {
                name: name.clone(),
                color: COLORS[i % COLORS.len()].into(),
                points: points.clone(),
                draw: DrawStyle::Line,
                fill_opacity: 0.0,
                line_width: 1.5,
                show_points: points.len() < 3,
                negative_y: false,
                dashed: false,
            })
            .collect(),
        // Rates and burn rates start at zero; the budget may go negative when overspent.
        min: (c.unit != "percentunit").then_some(0.0),
        max: None,
        log_base: None,
        stacking: Stacking::None,
        thresholds: c
            .threshold
            .map(|t| {
                vec![
                    (None, "transparent".to_string()),
                    (Some(t), "#e02f44".to_string()),
                ]
            })
            .unwrap_or_default(),
        thresholds_style: if c.threshold.is_some() {
            ThresholdsStyle::Line
        } else {
            ThresholdsStyle::Off
        },
        unit: c.unit.clone(),
        decimals: None,
        utc_offset_min: 0,
    };
    let (svg, _) = timeseries_svg(&spec);
    let empty = c.series.iter().all(|(_, p)| p.is_empty());
    let legend = c
        .series
        .iter()
        .enumerate()
        .map(|(i, (name, points))| {
            let last = points
                .last()
                .map(|(_, v)| format_value(*v, &c.unit, Some(2)));
            view! {
                <span class="legend-item">
                    <span
                        class="swatch"
                        style=format!("background:{}", COLORS[i % COLORS.len()])
                    ></span>
                    {name.clone()}
                    {last.map(|l| view! { <span class="muted">{format!(" {l}")}</span> })}
                </span>
            }
        })
        .collect_view();
    view! {
        <figure class="slo-chart" data-testid=testid>
            <figcaption>
                {c.title.clone()}
                {c
                    .threshold
                    .map(|t| {
                        view! {
                            <span class="muted small">
                                {format!(" · threshold {}", format_value(t, &c.unit, Some(1)))}
                            </span>
                        }
                    })}
            </figcaption>
            {c
                .error
                .clone()
                .map(|e| {
                    view! {
                        <p class="field-error small" data-testid="chart-error">
                            {e}
                        </p>
                    }
                })}
            {(empty && c.error.is_none())
                .then(|| {
                    view! { <p class="muted small">"No data (no traffic in this range)."</p> }
                })}
            <div class="chart-svg-host" inner_html=svg></div>
            <div class="legend small">{legend}</div>
        </figure>
    }
}

#[component]
pub fn SloDetailPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name")).unwrap_or_default());
    let (from, to) = crate::components::pickers::use_range();
    let tick = tick();
    let data = crate::api::resource(
        move || (name.get(), from.get(), to.get(), tick.get()),
        |(n, f, t, _)| slo_detail(n, f, t),
    );
    view! {
        <Title text=move || format!("SLO {}", name.try_get().unwrap_or_default()) />
        <p class="small">
            <A href="/slo">"← All SLOs"</A>
        </p>
        <Transition fallback=|| {
            view! { <p class="muted">"Evaluating the SLO…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        set_status_for(&e);
                        view! {
                            <h1>{name.get_untracked()}</h1>
                            <ErrorNotice message=e.to_string() />
                        }
                            .into_any()
                    }
                    Ok(d) => {
                        let r = d.row.clone();
                        let ranges = ["now-1h", "now-6h", "now-24h", "now-3d"]
                            .map(|f| {
                                let href = format!(
                                    "/slo/{}?from={f}&to=now",
                                    encode_component(&r.name),
                                );
                                let label = f.trim_start_matches("now-").to_string();
                                view! {
                                    <a class="chip" href=href>
                                        {label}
                                    </a>
                                }
                            });
                        let pairs = r.pairs.clone();
                        view! {
                            <h1>{r.name.clone()} " " {status_badge(r.status)}</h1>
                            {(!r.description.is_empty())
                                .then(|| view! { <p>{r.description.clone()}</p> })}
                            {r.error.clone().map(|e| view! { <ErrorNotice message=e /> })}
                            {r
                                .retention_note
                                .clone()
                                .map(|n| {
                                    view! {
                                        <p class="muted" data-testid="slo-retention">
                                            {n}
                                        </p>
                                    }
                                })}
                            <dl class="slo-facts" data-testid="slo-facts">
                                <div>
                                    <dt>"Objective"</dt>
                                    <dd>
                                        {format!("{}% over {}", r.objective, format_s(r.window_s))}
                                    </dd>
                                </div>
                                <div>
                                    <dt>"SLI"</dt>
                                    <dd data-testid="slo-sli">{percent(r.sli, 3)}</dd>
                                </div>
                                <div>
                                    <dt>"Budget left"</dt>
                                    <dd data-testid="slo-remaining">
                                        {percent(r.remaining, 1)}
                                        {r
                                            .remaining_time_s
                                            .map(|t| {
                                                if t > 0.0 {
                                                    format!(" ({} of full outage)", human_duration(t))
                                                } else {
                                                    " (overspent)".to_string()
                                                }
                                            })}
                                    </dd>
                                </div>
                                <div>
                                    <dt>"Exhaustion"</dt>
                                    <dd data-testid="slo-exhaustion">{exhaustion(&r)}</dd>
                                </div>
                                <div>
                                    <dt>"Firing"</dt>
                                    <dd data-testid="slo-firing">
                                        {if d.firing_alerts.is_empty() {
                                            "none".to_string()
                                        } else {
                                            d.firing_alerts
                                                .iter()
                                                .map(|(a, s)| format!("{a} ({s})"))
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        }}
                                    </dd>
                                </div>
                            </dl>
                            <nav class="onward" data-testid="slo-links">
                                <a href=d.links.alerts.clone() data-testid="slo-alerts-link">
                                    "Alerts of this SLO"
                                </a>
                                {d
                                    .links
                                    .dashboard
                                    .clone()
                                    .map(|u| {
                                        view! {
                                            <a href=u data-testid="slo-dashboard-link">
                                                "Service dashboard"
                                            </a>
                                        }
                                    })}
                                {d
                                    .links
                                    .logs
                                    .clone()
                                    .map(|u| {
                                        view! {
                                            <a href=u data-testid="slo-logs-link">
                                                {format!("Error logs, last {}", format_s(d.worst_window_s))}
                                            </a>
                                        }
                                    })}
                                {d
                                    .links
                                    .traces
                                    .clone()
                                    .map(|u| {
                                        view! {
                                            <a href=u data-testid="slo-traces-link">
                                                {format!(
                                                    "Failed traces, last {}",
                                                    format_s(d.worst_window_s),
                                                )}
                                            </a>
                                        }
                                    })}
                            </nav>
                            <h2>"Multi-window burn rates"</h2>
                            <table class="data-table" data-testid="slo-pairs">
                                <thead>
                                    <tr>
                                        <th>"Severity"</th>
                                        <th>"Long window"</th>
                                        <th>"Short window"</th>
                                        <th class="num">"Threshold"</th>
                                        <th class="num">"Budget spent at threshold"</th>
                                        <th>"Firing"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {pairs
                                        .into_iter()
                                        .map(|p| {
                                            let firing = p.firing();
                                            view! {
                                                <tr
                                                    data-testid="slo-pair"
                                                    data-long=format_s(p.window.long_s)
                                                    data-firing=firing.to_string()
                                                >
                                                    <td>{p.window.severity.as_str()}</td>
                                                    <td>
                                                        {format!("{}: ", format_s(p.window.long_s))}
                                                        <strong data-testid="pair-long-burn">
                                                            {burn(p.long_burn)}
                                                        </strong>
                                                    </td>
                                                    <td>
                                                        {format!("{}: ", format_s(p.window.short_s))}
                                                        <strong data-testid="pair-short-burn">
                                                            {burn(p.short_burn)}
                                                        </strong>
                                                    </td>
                                                    <td class="num">{format!("{:.1}×", p.window.factor)}</td>
                                                    <td class="num">
                                                        {format!(
                                                            "{:.0}% in {}",
                                                            p.window.budget_share * 100.0,
                                                            format_s(p.window.long_s),
                                                        )}
                                                    </td>
                                                    <td>
                                                        {if firing {
                                                            view! { <span class="badge slo-page">"firing"</span> }
                                                                .into_any()
                                                        } else {
                                                            view! { <span class="muted">"no"</span> }.into_any()
                                                        }}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            <div class="chips">{ranges}</div>
                            <div class="slo-charts">
                                {chart_view(
                                    d.burndown.clone(),
                                    d.burndown_from_ms,
                                    d.to_ms.max(d.burndown_from_ms + 60_000),
                                    "slo-burndown",
                                )}
                                {d
                                    .burn_charts
                                    .iter()
                                    .cloned()
                                    .map(|c| chart_view(c, d.from_ms, d.to_ms, "slo-burn-chart"))
                                    .collect_view()}
                                {chart_view(d.traffic.clone(), d.from_ms, d.to_ms, "slo-traffic")}
                                {chart_view(d.errors.clone(), d.from_ms, d.to_ms, "slo-errors")}
                                {d
                                    .latency
                                    .clone()
                                    .map(|c| chart_view(c, d.from_ms, d.to_ms, "slo-latency"))}
                            </div>
                            <details>
                                <summary>"Generated Prometheus rules"</summary>
                                <pre class="mono small" data-testid="slo-rules">
                                    {d.rule_yaml.clone()}
                                </pre>
                            </details>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
