//! The bodies of the panel kinds only the server draws (`PanelKind::drawn_whole`): stat, gauge,
//! bar gauge, state timeline, status history, bar chart, heatmap, pie chart, histogram and the
//! list panels. Server only: the browser shows them as drawn (`PanelData::body`).

use super::legend_height;
use super::lists::{alert_list, dash_list, logs_list};
use crate::components::chart::{
    bars_svg, gauge_svg, heatmap_svg, histogram_svg, pie_svg, sparkline_svg, states_svg,
};
use crate::components::timeseries::{style_series, Styled};
use crate::model::dashboard::data::{PanelContent, PanelData};
use crate::model::dashboard::field::{css_color, resolve, text_on, PALETTE};
use crate::model::dashboard::{Panel, PanelKind};
use crate::model::links::Hop;
use leptos::prelude::*;

/// The body of `panel` (of a kind drawn whole) for `data`, `w`×`h` px.
pub(super) fn body(
    panel: &Panel,
    data: PanelData,
    from_ms: i64,
    to_ms: i64,
    hop: &Hop,
    (w, h): (u32, u32),
) -> AnyView {
    match &data.content {
        Some(PanelContent::Dashboards(list)) => return dash_list(panel, list, hop),
        Some(PanelContent::Alerts(list)) => return alert_list(panel, list),
        Some(PanelContent::Logs(logs)) => {
            let explore = data.explore.as_ref().map(|e| e.href(hop));
            return logs_list(panel, logs, explore);
        }
        _ => {}
    }
    if let Some(PanelContent::Histogram(hist)) = &data.content {
        let colors: Vec<String> = hist
            .counts
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                resolve(&panel.field, &panel.overrides, name, "A")
                    .color
                    .unwrap_or_else(|| PALETTE[i % PALETTE.len()].to_string())
            })
            .collect();
        let field = panel.field.clone();
        // A legend of the series' colours, as the pie chart has, when there is more than one.
        let names: Vec<&str> = hist.counts.iter().map(|c| c.0.as_str()).collect();
        let legend = (panel.options.legend && names.len() > 1).then(|| {
            view! {
                <ul class="legend" data-testid="legend">
                    {names
                        .iter()
                        .zip(&colors)
                        .map(|(name, color)| {
                            view! {
                                <li class="legend-item">
                                    <span
                                        class="swatch"
                                        style=format!("background:{}", css_color(color))
                                    ></span>
                                    {name.to_string()}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        });
        let chart_h = match legend {
            Some(_) => h.saturating_sub(legend_height(&names, w)).max(60),
            None => h,
        };
        let svg = histogram_svg(hist, &colors, |v| field.display(Some(v)).0, (w, chart_h));
        return view! {
            <div class="histogram" data-testid="histogram" inner_html=svg></div>
            {legend}
        }
        .into_any();
    }
    match panel.kind {
        PanelKind::Stat => {
            let styled = style_series(panel, &data.series);
            let bg = panel.options.color_background;
            let sparkline = panel.options.sparkline;
            view! {
                <div class="stat-grid">
                    {styled
                        .into_iter()
                        .map(|s| {
                            let Reduced { text, color, .. } = reduce(panel, &s);
                            let color = css_color(&color);
                            let ink = text_on(&color);
                            let style = if bg {
                                format!("background:{color};color:{ink}")
                            } else {
                                format!("color:color-mix(in srgb, {color} 60%, var(--fg))")
                            };
                            let spark = (sparkline && s.series.points.len() > 1)
                                .then(|| sparkline_svg(
                                    &s.series.points,
                                    if bg { ink } else { &s.color },
                                    200,
                                    40,
                                ));
                            let name = s.series.name.clone();
                            // Text that reads on its colour (WCAG AA): black or white on a coloured
                            // background; on the page, the colour mixed towards the theme's text.
                            view! {
                                <div class="stat" style=style data-testid="stat" title=name.clone()>
                                    <div class="stat-value" data-testid="stat-value">
                                        {text}
                                    </div>
                                    {(data.series.len() > 1)
                                        .then(|| {
                                            view! { <div class="stat-name">{name.clone()}</div> }
                                        })}
                                    {spark
                                        .map(|svg| {
                                            view! { <div class="stat-spark" inner_html=svg></div> }
                                        })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
        PanelKind::Gauge => {
            let styled = style_series(panel, &data.series);
            view! {
                <div class="gauge-grid">
                    {styled
                        .into_iter()
                        .map(|s| {
                            let Reduced { v, text, color, min, max } = reduce(panel, &s);
                            let steps = s.field.thresholds.absolute_steps(min, max);
                            let svg = gauge_svg(v, min, max, &steps, &color);
                            view! {
                                <div class="gauge" data-testid="gauge" title=s.series.name.clone()>
                                    <div class="gauge-arc" inner_html=svg></div>
                                    <div
                                        class="gauge-value"
                                        style=format!("color:{}", css_color(&color))
                                    >
                                        {text}
                                    </div>
                                    {(data.series.len() > 1)
                                        .then(|| {
                                            view! {
                                                <div class="stat-name">{s.series.name.clone()}</div>
                                            }
                                        })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
        PanelKind::BarGauge => {
            let styled = style_series(panel, &data.series);
            view! {
                <div class="bargauge" class:vertical=!panel.options.horizontal>
                    {styled
                        .into_iter()
                        .map(|s| {
                            let Reduced { v, text, color, min, max } = reduce(panel, &s);
                            let pct = v
                                .map(|v| {
                                    ((v - min) / (max - min).max(f64::EPSILON) * 100.0)
                                        .clamp(0.0, 100.0)
                                })
                                .unwrap_or(0.0);
                            view! {
                                <div class="bar-row" data-testid="bar">
                                    <span class="bar-name">{s.series.name.clone()}</span>
                                    <span class="bar-track">
                                        <span
                                            class="bar-fill"
                                            style=format!(
                                                "width:{pct:.1}%;background:{}",
                                                css_color(&color),
                                            )
                                        ></span>
                                    </span>
                                    <span class="bar-value">{text}</span>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }
        PanelKind::StateTimeline | PanelKind::StatusHistory => {
            let rows: Vec<(String, Vec<(i64, f64)>)> = style_series(panel, &data.series)
                .into_iter()
                .map(|s| (s.series.name, s.series.points))
                .collect();
            let field = panel.field.clone();
            let svg = states_svg(
                &rows,
                move |v| field.display(Some(v)),
                from_ms,
                to_ms,
                (w, h),
                panel.kind == PanelKind::StateTimeline,
            );
            view! { <div class="states" data-testid="states" inner_html=svg></div> }.into_any()
        }
        PanelKind::BarChart => {
            let bars: Vec<(String, f64, String, String)> = style_series(panel, &data.series)
                .into_iter()
                .map(|s| {
                    let Reduced { v, text, .. } = reduce(panel, &s);
                    (s.series.name, v.unwrap_or(f64::NAN), s.color, text)
                })
                .collect();
            let svg = bars_svg(&bars, (w, h));
            view! { <div class="barchart" data-testid="barchart" inner_html=svg></div> }.into_any()
        }
        PanelKind::Heatmap => {
            let rows = crate::model::dashboard::heatmap::rows(&data.series);
            let color = panel
                .field
                .color
                .clone()
                .unwrap_or_else(|| "#ff780a".into());
            let svg = heatmap_svg(&rows, &color, from_ms, to_ms, (w, h));
            view! { <div class="heatmap" data-testid="heatmap" inner_html=svg></div> }.into_any()
        }
        PanelKind::PieChart => {
            let styled = style_series(panel, &data.series);
            let reduced: Vec<(f64, String, String, String)> = styled
                .iter()
                .map(|s| {
                    let Reduced { v, text, .. } = reduce(panel, s);
                    (
                        v.unwrap_or(f64::NAN),
                        s.color.clone(),
                        s.series.name.clone(),
                        text,
                    )
                })
                .collect();
            let total: f64 = reduced
                .iter()
                .map(|r| r.0)
                .filter(|v| v.is_finite() && *v > 0.0)
                .sum();
            let share = |v: f64| match total > 0.0 && v.is_finite() && v > 0.0 {
                true => format!("{:.1}%", v / total * 100.0),
                false => "0%".to_string(),
            };
            let svg = pie_svg(
                &reduced
                    .iter()
                    .map(|(v, c, name, text)| {
                        (*v, c.clone(), format!("{name}: {text} ({})", share(*v)))
                    })
                    .collect::<Vec<_>>(),
                panel.options.donut,
            );
            view! {
                <div class="pie" data-testid="pie">
                    <div class="pie-chart" inner_html=svg></div>
                    {panel
                        .options
                        .legend
                        .then(|| {
                            view! {
                                <ul class="legend pie-legend" data-testid="legend">
                                    {reduced
                                        .iter()
                                        .map(|(v, color, name, text)| {
                                            view! {
                                                <li class="legend-item">
                                                    <span
                                                        class="swatch"
                                                        style=format!("background:{}", css_color(color))
                                                    ></span>
                                                    {name.clone()}
                                                    <span class="legend-delta">
                                                        {format!(" {text} · {}", share(*v))}
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                </div>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// A series as one value: reduced as the panel says (`reduceOptions.calcs`), with its text and
/// colour, and the range a gauge or bar spans (0–100 unless the field sets min/max).
struct Reduced {
    v: Option<f64>,
    text: String,
    color: String,
    min: f64,
    max: f64,
}

fn reduce(panel: &Panel, s: &Styled) -> Reduced {
    let values: Vec<f64> = s.series.points.iter().map(|p| p.1).collect();
    let v = panel.options.reducer.apply(&values);
    let (text, color) = s.field.display(v);
    Reduced {
        v,
        text,
        color,
        min: s.field.min.unwrap_or(0.0),
        max: s.field.max.unwrap_or(100.0),
    }
}
