//! Explore: run a PromQL query against a Prometheus datasource over the page's time range. The
//! query lives in the URL (`/explore?query=…&from=…&to=…`), so the server renders the graph and
//! table in the first HTML and a link reproduces the view. The editor completes metric, function
//! and label names and label values from Prometheus; exemplars are markers linking to traces.

use crate::api::prometheus::{explore_metrics, MetricsAnswer};
use crate::components::chart::{timeseries_svg, ChartSeries, ChartSpec};
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::mode_tabs::ModeTabs;
use crate::components::pickers::use_range;
use crate::components::query_editor::{QueryEditor, QueryLang};
use crate::components::series_table::SeriesTable;
use crate::components::zone::Time;
use crate::contexts::DisplayZone;
use crate::contexts::RefreshTick;
use crate::model::dashboard::compare;
use crate::model::dashboard::field::{DrawStyle, Stacking, ThresholdsStyle, PALETTE};
use crate::model::dashboard::units::format_value;
use crate::model::datasource::correlations::exemplar_links;
use crate::model::decimate::thin_markers;
use crate::model::links::workload_labels;
use crate::model::prometheus::{parse_sample, series_name, QueryData, RangeSeries};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// Explore in metrics mode (the page: `routes::explore_page`).
#[component]
pub fn MetricsExplore() -> impl IntoView {
    let query = use_query_map();
    let expr = Memo::new(move |_| query.with(|q| q.get("query")).unwrap_or_default());
    let datasource = Memo::new(move |_| query.with(|q| q.get("datasource")));
    let compare = Memo::new(move |_| query.with(|q| q.get("compare")));
    let (from, to) = use_range();
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    // Running the same query again does not change the URL, so the button bumps this instead.
    let reruns = RwSignal::new(0u64);
    let input = NodeRef::<leptos::html::Input>::new();
    let rerun_if_unchanged = move |_| {
        if input
            .get_untracked()
            .is_some_and(|i| i.value() == expr.get_untracked())
        {
            reruns.update(|n| *n += 1);
        }
    };
    let result = crate::api::resource(
        move || {
            (
                expr.get(),
                from.get(),
                to.get(),
                datasource.get(),
                compare.get(),
                tick.get(),
                reruns.get(),
            )
        },
        |(expr, from, to, datasource, compare, _, _)| async move {
            if expr.trim().is_empty() {
                None
            } else {
                Some(explore_metrics(expr, from, to, datasource, compare).await)
            }
        },
    );

    view! {
        <Title text="Explore" />
        <h1>"Explore"</h1>
        <ModeTabs current="metrics" labels=Signal::derive(move || workload_labels(&expr.get())) />
        <Form action="/explore" attr:class="query-form" attr:data-testid="query-form">
            {move || {
                datasource
                    .get()
                    .map(|d| view! { <input type="hidden" name="datasource" value=d /> })
            }}
            <input type="hidden" name="from" value=move || from.get() />
            <input type="hidden" name="to" value=move || to.get() />
            {move || {
                compare.get().map(|c| view! { <input type="hidden" name="compare" value=c /> })
            }}
            <label for="promql">"PromQL"</label>
            <QueryEditor
                lang=QueryLang::PromQl
                input=input
                initial=expr.get_untracked()
                datasource=datasource
                id="promql"
                placeholder="e.g. sum by (job) (up)"
                testid="query-input"
            />
            <button type="submit" data-testid="run-query" on:click=rerun_if_unchanged>
                "Run query"
            </button>
        </Form>
        <section class="query-result" data-testid="query-result">
            <Transition fallback=|| {
                view! { <p class="muted">"Querying…"</p> }
            }>
                {move || Suspend::new(async move {
                    match result.await {
                        None => {
                            view! {
                                <p class="muted" data-testid="query-hint">
                                    "Type a PromQL expression and press Run query. Tab completes metric, label and value names."
                                </p>
                            }
                                .into_any()
                        }
                        Some(Ok(answer)) => {
                            view! {
                                <MetricsResult
                                    answer=answer
                                    from=from.get_untracked()
                                    to=to.get_untracked()
                                />
                            }
                                .into_any()
                        }
                        Some(Err(e)) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Series drawn in the graph at most; the table still lists every one.
const GRAPH_SERIES: usize = 50;

#[component]
fn MetricsResult(answer: MetricsAnswer, from: String, to: String) -> impl IntoView {
    let zone = DisplayZone::current();
    let time_pair = format!(
        "from={}&to={}",
        encode_component(&from),
        encode_component(&to)
    );
    let empty = Vec::new();
    let now = match &answer.range.data {
        QueryData::Matrix(m) => m,
        _ => &empty,
    };
    let line = |name: String, color: &str, points: Vec<(i64, f64)>, dashed: bool| ChartSeries {
        name,
        color: color.to_string(),
        points,
        draw: DrawStyle::Line,
        fill_opacity: 0.0,
        line_width: 1.0,
        show_points: false,
        negative_y: false,
        dashed,
    };
    let points = |s: &RangeSeries, shift_ms: i64| -> Vec<(i64, f64)> {
        s.values
            .iter()
            .map(|(t, v)| ((t * 1000.0) as i64 + shift_ms, v.0))
            .collect()
    };
    let mut series: Vec<ChartSeries> = now
        .iter()
        .take(GRAPH_SERIES)
        .enumerate()
        .map(|(i, s)| {
            line(
                series_name(&s.metric),
                PALETTE[i % PALETTE.len()],
                points(s, 0),
                false,
            )
        })
        .collect();
    // `compare`: the same series that long ago, dashed in their current colour, with how far
    // the last current value is from then.
    let mut compare_legend = Vec::new();
    let mut compare_error = None;
    match &answer.compare {
        Some((shift, Ok(QueryData::Matrix(then)))) => {
            for s in then.iter().take(GRAPH_SERIES) {
                let current = now
                    .iter()
                    .take(GRAPH_SERIES)
                    .position(|c| c.metric == s.metric);
                let color = PALETTE[current.unwrap_or(series.len()) % PALETTE.len()];
                let pts = points(s, *shift);
                let delta = current.and_then(|i| {
                    let &(t, v) = series[i].points.iter().rev().find(|p| p.1.is_finite())?;
                    compare::delta(v, compare::value_at(&pts, t), |d| format_value(d, "", None))
                });
                let name = format!("{}{}", series_name(&s.metric), compare::suffix(*shift));
                compare_legend.push((name.clone(), color, delta));
                series.push(line(name, color, pts, true));
            }
        }
        Some((shift, Err(e))) => {
            compare_error = Some(format!(
                "the comparison{} failed: {e}",
                compare::suffix(*shift)
            ))
        }
        _ => {}
    }
    let total_series = match &answer.range.data {
        QueryData::Matrix(m) => m.len(),
        _ => 0,
    };
    // Every exemplar in range with its links (the first one opens on click).
    let exemplars: Vec<(
        i64,
        f64,
        String,
        Vec<crate::model::datasource::correlations::LineLink>,
    )> = answer
        .exemplars
        .iter()
        .flat_map(|s| {
            let series = series_name(&s.series_labels);
            let dests = &answer.exemplar_destinations;
            let time_pair = &time_pair;
            s.exemplars.iter().map(move |e| {
                let labels = e
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                (
                    (e.timestamp * 1000.0) as i64,
                    parse_sample(&e.value),
                    format!("{series} · {labels}"),
                    exemplar_links(dests, &e.labels, time_pair),
                )
            })
        })
        .filter(|(t, v, _, _)| *t >= answer.from_ms && *t <= answer.to_ms && v.is_finite())
        .collect();
    let has_graph = !series.is_empty();
    let (from_ms, to_ms) = (answer.from_ms, answer.to_ms);
    let marks = exemplars.clone();
    let svg = move || {
        let spec = ChartSpec {
            width: 1000,
            height: 280,
            from_ms,
            to_ms,
            series: series.clone(),
            min: None,
            max: None,
            log_base: None,
            stacking: Stacking::None,
            thresholds: Vec::new(),
            thresholds_style: ThresholdsStyle::Off,
            unit: String::new(),
            decimals: None,
            utc_offset_min: zone.get().offset_min(),
        };
        let (svg, g) = timeseries_svg(&spec);
        let z = zone.get();
        // One marker per 8-px cell (the slowest exemplar there) with how many it stands for:
        // a thousand overlapping diamonds are one blob, not a thousand links.
        let placed: Vec<(f64, f64, usize)> = marks
            .iter()
            .enumerate()
            .filter_map(|(i, (t, v, _, _))| Some((g.x_of(*t), g.y_of(*v)?, i)))
            .collect();
        let positions: Vec<(f64, f64)> = placed.iter().map(|(x, y, _)| (*x, *y)).collect();
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('"', "&quot;")
        };
        let markers: String = thin_markers(&positions, 8.0)
            .into_iter()
            .map(|(p, count)| {
                let (x, y, i) = placed[p];
                let (t, v, title, links) = &marks[i];
                let more = if count > 1 { format!(" · {count} exemplars here, this the slowest") } else { String::new() };
                let badge = if count > 1 {
                    format!(r#"<text x="{:.1}" y="{:.1}" class="exemplar-count">{count}</text>"#, x + 6.0, y - 4.0)
                } else {
                    String::new()
                };
                let shape = format!(
                    r#"<rect x="{:.1}" y="{:.1}" width="7" height="7" transform="rotate(45 {x:.1} {y:.1})" class="exemplar-mark"/>{badge}<title>{} · {} · value {v}{more}</title>"#,
                    x - 3.5,
                    y - 3.5,
                    esc(&z.stamp(*t)),
                    esc(title)
                );
                match links.first() {
                    Some(l) => format!(
                        r#"<a href="{}" data-testid="exemplar" data-count="{count}" data-trace="{}">{shape}</a>"#,
                        esc(&l.href),
                        esc(&l.href)
                    ),
                    None => format!(r#"<g data-testid="exemplar" data-count="{count}">{shape}</g>"#),
                }
            })
            .collect();
        // With links inside, the chart is a group of controls, not an image.
        let svg = if markers.is_empty() {
            svg
        } else {
            svg.replacen(r#"role="img""#, r#"role="group""#, 1)
        };
        match svg.rfind("</svg>") {
            Some(i) => format!("{}{markers}{}", &svg[..i], &svg[i..]),
            None => svg,
        }
    };
    let legend = match &answer.range.data {
        QueryData::Matrix(m) => m
            .iter()
            .take(GRAPH_SERIES)
            .enumerate()
            .map(|(i, s)| {
                view! {
                    <span class="legend-item">
                        <span
                            class="swatch"
                            style=format!("background:{}", PALETTE[i % PALETTE.len()])
                        ></span>
                        {series_name(&s.metric)}
                    </span>
                }
            })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    };
    let compare_legend = compare_legend
        .into_iter()
        .map(|(name, color, delta)| {
            view! {
                <span class="legend-item">
                    <span class="swatch dashed" style=format!("background:{color}")></span>
                    {name}
                    {delta
                        .map(|d| {
                            view! {
                                <span class="legend-delta" data-testid="legend-delta">
                                    {format!(" now {d}")}
                                </span>
                            }
                        })}
                </span>
            }
        })
        .collect_view();
    let n_exemplars = exemplars.len();
    view! {
        <p class="muted">
            "From " <strong>{answer.datasource_name.clone()}</strong>
            {format!(" · step {}s", answer.step_s)}
        </p>
        <Warnings warnings=answer.range.warnings.clone() />
        {compare_error.map(|e| view! { <Warnings warnings=vec![e] /> })}
        {has_graph
            .then(|| {
                view! {
                    <figure
                        class="explore-graph"
                        data-testid="explore-graph"
                        data-series=total_series.to_string()
                    >
                        <div class="chart-svg-host" inner_html=svg></div>
                        <div class="legend small">{legend} {compare_legend}</div>
                        {(total_series > GRAPH_SERIES)
                            .then(|| {
                                view! {
                                    <p class="muted small">
                                        {format!(
                                            "Graphing the first {GRAPH_SERIES} of {total_series} series; the table lists all.",
                                        )}
                                    </p>
                                }
                            })}
                    </figure>
                }
            })}
        {answer
            .exemplars_error
            .clone()
            .map(|e| {
                view! {
                    <p class="field-error small" data-testid="exemplars-error">
                        {format!("Exemplars unavailable: {e}")}
                    </p>
                }
            })}
        {(n_exemplars > 0)
            .then(|| {
                view! {
                    <details class="exemplars" data-testid="exemplar-list">
                        <summary>
                            {format!(
                                "{n_exemplars} exemplars (◆ on the graph, one per spot with its count; click one for its trace)",
                            )}
                        </summary>
                        <table class="results">
                            <thead>
                                <tr>
                                    <th>"Time"</th>
                                    <th class="num">"Value"</th>
                                    <th>"Series and labels"</th>
                                    <th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {exemplars
                                    .into_iter()
                                    .rev()
                                    .take(100)
                                    .map(|(t, v, title, links)| {
                                        view! {
                                            <tr data-testid="exemplar-row">
                                                <td>
                                                    <Time ms=t millis=true />
                                                </td>
                                                <td class="num" title=v.to_string()>
                                                    {crate::model::numbers::sample(&v.to_string())}
                                                </td>
                                                <td class="series small">{title}</td>
                                                <td>
                                                    {links
                                                        .into_iter()
                                                        .map(|l| {
                                                            if l.to_trace {
                                                                view! {
                                                                    <a href=l.href data-testid="exemplar-link">
                                                                        {l.label}
                                                                    </a>
                                                                }
                                                                    .into_any()
                                                            } else {
                                                                view! {
                                                                    <a href=l.href target="_blank" rel="noopener noreferrer">
                                                                        {l.label}
                                                                    </a>
                                                                }
                                                                    .into_any()
                                                            }
                                                        })
                                                        .collect_view()}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </details>
                }
            })}
        <Warnings warnings=answer.instant.warnings.clone() />
        <SeriesTable data=answer.instant.data />
    }
}
