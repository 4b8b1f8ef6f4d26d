//! The interactive time series chart: the SVG comes from [`crate::components::chart`] (rendered on
//! the server for the first HTML); after hydration the chart re-renders at its real size, shows a
//! tooltip with every series' value under the cursor, draws the shared crosshair, zooms by
//! dragging (the URL's `from`/`to` change) and isolates or toggles series from the legend.
//! On a dashboard's first page the charts come as the server's drawing and are mounted live
//! when first touched (`components::panel::live`).

use crate::components::chart::{timeseries_svg, ChartSeries, ChartSpec, Geometry};
use crate::contexts::{ChartZone, Crosshair, LegendState};
use crate::model::dashboard::compare;
use crate::model::dashboard::data::SeriesData;
use crate::model::dashboard::field::{css_color, resolve, DrawStyle, FieldConfig, PALETTE};
use crate::model::dashboard::units::format_value;
use crate::model::dashboard::Panel;
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use std::collections::{BTreeMap, BTreeSet};

/// `2026-11-22 03:04:05` in the zone `offset_min` minutes east of UTC.
pub fn zoned_time(ms: i64, offset_min: i32) -> String {
    crate::model::timestamp::zoned(ms, offset_min)
}

/// A series with its resolved display settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Styled {
    pub series: SeriesData,
    pub field: FieldConfig,
    pub color: String,
}

/// Resolves overrides and colours; series hidden by config (`hideFrom.viz`) are dropped. A
/// comparison (`compare=1w`) takes the settings and colour of the series it compares with.
pub fn style_series(panel: &Panel, series: &[SeriesData]) -> Vec<Styled> {
    let current = series.iter().filter(|s| s.shift_ms == 0).count();
    let mut styled: Vec<Styled> = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let own = match s.shift_ms {
                0 => s,
                _ => compare::counterpart(s, series).unwrap_or(s),
            };
            let field = resolve(&panel.field, &panel.overrides, &own.name, &own.ref_id);
            let name = field.display_name.clone().filter(|_| current == 1);
            let mut s = s.clone();
            if let Some(n) = name {
                s.name = match s.shift_ms {
                    0 => n,
                    shift => format!("{n}{}", compare::suffix(shift)),
                };
            }
            let index = series.iter().position(|x| x == own).unwrap_or(i);
            let color = field
                .color
                .clone()
                .unwrap_or_else(|| PALETTE[index % PALETTE.len()].to_string());
            Styled {
                series: s,
                field,
                color,
            }
        })
        .collect();
    styled.retain(|s| !s.field.hidden);
    styled
}

/// A comparison's difference from the current series at `t`, in the panel's unit.
fn delta_at(styled: &[Styled], shifted: &Styled, then: f64, t: i64) -> Option<String> {
    let all: Vec<SeriesData> = styled.iter().map(|s| s.series.clone()).collect();
    let now = nearest(&compare::counterpart(&shifted.series, &all)?.points, t)?.1;
    let f = &shifted.field;
    compare::delta(now, then, |v| format_value(v, &f.unit, f.decimals))
}

fn nearest(points: &[(i64, f64)], t: i64) -> Option<(i64, f64)> {
    if points.is_empty() {
        return None;
    }
    let i = points.partition_point(|p| p.0 < t);
    let cands = [i.checked_sub(1), Some(i)];
    cands
        .iter()
        .flatten()
        .filter_map(|&k| points.get(k))
        .min_by_key(|p| (p.0 - t).abs())
        .copied()
        .filter(|p| p.1.is_finite())
}

fn spec_for(
    panel: &Panel,
    styled: &[Styled],
    hidden: &BTreeSet<String>,
    from: i64,
    to: i64,
    size: (u32, u32),
    offset_min: i32,
) -> ChartSpec {
    let f = &panel.field;
    ChartSpec {
        width: size.0,
        height: size.1,
        from_ms: from,
        to_ms: to,
        series: styled
            .iter()
            .filter(|s| !hidden.contains(&s.series.name))
            .map(|s| {
                // A comparison is a plain dashed line whatever the panel draws.
                let dashed = s.series.shift_ms > 0;
                ChartSeries {
                    name: s.series.name.clone(),
                    color: s.color.clone(),
                    points: s.series.points.clone(),
                    draw: match dashed {
                        true => DrawStyle::Line,
                        false => s.field.draw,
                    },
                    fill_opacity: if dashed { 0.0 } else { s.field.fill_opacity },
                    line_width: match dashed {
                        true => s.field.line_width.max(1.0),
                        false => s.field.line_width,
                    },
                    show_points: s.field.points && !dashed,
                    negative_y: s.field.negative_y,
                    dashed,
                }
            })
            .collect(),
        min: f.min,
        max: f.max,
        log_base: f.log_base,
        stacking: f.stacking,
        thresholds: f
            .thresholds
            .absolute_steps(f.min.unwrap_or(0.0), f.max.unwrap_or(100.0)),
        thresholds_style: f.thresholds_style,
        unit: f.unit.clone(),
        decimals: f.decimals,
        utc_offset_min: offset_min,
    }
}

/// Browser only: a tap outside the chart hides the tooltip a tap inside it showed.
#[cfg(feature = "hydrate")]
fn hide_on_tap_elsewhere(chart: NodeRef<leptos::html::Div>, hover: RwSignal<Option<f64>>) {
    use wasm_bindgen::JsCast;
    let handle = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if ev.pointer_type() != "touch" || hover.get_untracked().is_none() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = chart
            .get_untracked()
            .is_some_and(|c| target.as_ref().is_some_and(|t| c.contains(Some(t))));
        if !inside {
            hover.set(None);
        }
    });
    on_cleanup(move || handle.remove());
}

#[cfg(not(feature = "hydrate"))]
fn hide_on_tap_elsewhere(_chart: NodeRef<leptos::html::Div>, _hover: RwSignal<Option<f64>>) {}

#[component]
pub fn TimeseriesChart(
    panel: Panel,
    series: Vec<SeriesData>,
    from_ms: i64,
    to_ms: i64,
    width: u32,
    height: u32,
    shared_crosshair: bool,
    show_legend: bool,
) -> impl IntoView {
    let panel_id = panel.id;
    let styled = StoredValue::new(style_series(&panel, &series));
    let panel = StoredValue::new(panel);
    let legend = use_context::<LegendState>()
        .map(|l| l.0)
        .unwrap_or_else(|| RwSignal::new(BTreeMap::new()));
    let hidden = Memo::new(move |_| legend.with(|m| m.get(&panel_id).cloned().unwrap_or_default()));
    let size = RwSignal::new((width, height));
    let hover = RwSignal::new(None::<f64>);
    let drag = RwSignal::new(None::<(f64, f64)>);
    let crosshair = use_context::<Crosshair>().map(|c| c.0);
    let container = NodeRef::<leptos::html::Div>::new();
    // The chart's box as laid out (browser only; None before it is, or while it is hidden).
    let box_size = move || {
        let el = container.get_untracked()?;
        let (w, h) = (el.client_width(), el.client_height());
        (w > 40 && h > 40).then_some((w as u32, h as u32))
    };
    // Outside dashboards (Explore, SLOs) charts follow the console's UTC/local switch.
    let zone: Signal<i32> = match use_context::<ChartZone>() {
        Some(z) => z.0.into(),
        None => {
            let d = crate::contexts::DisplayZone::current();
            Signal::derive(move || d.get().offset_min())
        }
    };
    let rendered = Memo::new(move |_| {
        let spec = styled.with_value(|s| {
            panel.with_value(|p| {
                spec_for(p, s, &hidden.get(), from_ms, to_ms, size.get(), zone.get())
            })
        });
        timeseries_svg(&spec)
    });
    let geometry = move || rendered.with(|r| r.1);

    // Browser only: re-render at the container's real size, and again when the window resizes.
    let measure = move || {
        let Some((w, h)) = box_size() else {
            return;
        };
        if (w, h) != size.get_untracked() {
            size.set((w, h));
        }
    };
    Effect::new(move |_| {
        if container.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let navigate = use_navigate();
    let query = use_query_map();
    let location = use_location();
    let zoom_to = move |t0: i64, t1: i64| {
        let pairs: Vec<(String, String)> = query.with_untracked(|q| {
            q.into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        });
        let search = with_params(
            &pairs,
            &[
                ("from", Some(&t0.to_string())),
                ("to", Some(&t1.to_string())),
            ],
        );
        navigate(
            &format!("{}{}", location.pathname.get_untracked(), search),
            Default::default(),
        );
    };

    // Pointer events: a mouse, a finger and a pen behave alike. A tap shows the tooltip where it
    // landed (a tap elsewhere hides it), a drag selects a range, as with a mouse.
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let x = ev.offset_x() as f64;
        hover.set(Some(x));
        if let Some(c) = crosshair {
            c.set(Some((panel_id, geometry().time_at(x))));
        }
        if let Some((start, _)) = drag.get_untracked() {
            drag.set(Some((start, x)));
        }
    };
    let on_leave = move |ev: leptos::ev::PointerEvent| {
        // A finger leaves when it lifts: the tapped tooltip stays until a tap elsewhere.
        if ev.pointer_type() == "touch" {
            return;
        }
        hover.set(None);
        drag.set(None);
        if let Some(c) = crosshair {
            c.set(None);
        }
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        let x = ev.offset_x() as f64;
        if ev.pointer_type() == "touch" {
            hover.set(Some(x));
            if let Some(c) = crosshair {
                c.set(Some((panel_id, geometry().time_at(x))));
            }
        } else {
            ev.prevent_default();
        }
        drag.set(Some((x, x)));
    };
    hide_on_tap_elsewhere(container, hover);
    let on_up = move |ev: leptos::ev::PointerEvent| {
        if let Some((a, b)) = drag.get_untracked() {
            drag.set(None);
            let g = geometry();
            if (a - b).abs() > 4.0 {
                let (t0, t1) = (g.time_at(a.min(b)), g.time_at(a.max(b)));
                if t1 > t0 {
                    zoom_to(t0, t1);
                }
            } else {
                // A click: an embedding host hears which series and time it was on.
                let t = g.time_at(b);
                let y = ev.offset_y() as f64;
                let series = styled.with_value(|all| {
                    all.iter()
                        .filter_map(|s| {
                            let (_, v) = nearest(&s.series.points, t)?;
                            Some(((g.y_of(v)? - y).abs(), s.series.name.clone()))
                        })
                        .min_by(|a, b| a.0.total_cmp(&b.0))
                        .map(|(_, name)| name)
                });
                crate::components::embed::report_click(panel_id, series, t);
            }
        }
    };

    // The crosshair: this panel's pointer, or another panel's when shared.
    let line_x = move || {
        let g: Geometry = geometry();
        match (hover.get(), crosshair.and_then(|c| c.get())) {
            (Some(x), _) => Some(x),
            (None, Some((from_panel, t))) if shared_crosshair && from_panel != panel_id => {
                Some(g.x_of(t))
            }
            _ => None,
        }
        .filter(|x| *x >= g.left && *x <= g.left + g.width)
    };
    let tooltip = move || {
        let x = hover.get()?;
        let g = geometry();
        let t = g.time_at(x);
        let hidden = hidden.get();
        let mut rows: Vec<(String, String, f64, String)> = styled.with_value(|all| {
            all.iter()
                .filter(|s| !hidden.contains(&s.series.name))
                .filter_map(|s| {
                    let (_, v) = nearest(&s.series.points, t)?;
                    let mut text = format_value(v, &s.field.unit, s.field.decimals);
                    if s.series.shift_ms > 0 {
                        if let Some(d) = delta_at(all, s, v, t) {
                            text = format!("{text} · now {d}");
                        }
                    }
                    Some((s.series.name.clone(), css_color(&s.color), v, text))
                })
                .collect()
        });
        rows.sort_by(|a, b| b.2.total_cmp(&a.2));
        let left = if x > g.left + g.width / 2.0 {
            x - 260.0
        } else {
            x + 14.0
        };
        let time = format!(
            "{} {}",
            zoned_time(t, zone.get()),
            crate::model::timestamp::zone_label(zone.get())
        );
        Some(view! {
            <div
                class="chart-tooltip"
                data-testid="chart-tooltip"
                style=format!("left:{left:.0}px")
            >
                <div class="tt-time">{time}</div>
                {rows
                    .is_empty()
                    .then(|| {
                        view! { <div class="muted">"No value here"</div> }
                    })}
                {rows
                    .into_iter()
                    .take(20)
                    .map(|(name, color, _, text)| {
                        view! {
                            <div class="tt-row">
                                <span class="swatch" style=format!("background:{color}")></span>
                                <span class="tt-name">{name}</span>
                                <span class="tt-value">{text}</span>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        })
    };
    let selection = move || {
        drag.get()
            .filter(|(a, b)| (a - b).abs() > 1.0)
            .map(|(a, b)| {
                view! {
                    <div
                        class="chart-selection"
                        data-testid="chart-selection"
                        style=format!("left:{:.0}px;width:{:.0}px", a.min(b), (a - b).abs())
                    ></div>
                }
            })
    };

    let toggle = move |name: String, additive: bool| {
        let all: Vec<String> =
            styled.with_value(|s| s.iter().map(|s| s.series.name.clone()).collect());
        legend.update(|m| {
            let set = m.entry(panel_id).or_default();
            if additive {
                if !set.remove(&name) {
                    set.insert(name);
                }
            } else {
                let isolated = set.len() + 1 == all.len() && !set.contains(&name);
                set.clear();
                if !isolated {
                    set.extend(all.into_iter().filter(|n| *n != name));
                }
            }
        })
    };
    // A comparison's entry says how the last value differs from then.
    let legend_items = styled.with_value(|s| {
        s.iter()
            .map(|s| {
                let f = &s.field;
                let note = s.series.compare_last.and_then(|(now, then)| {
                    compare::delta(now, then, |v| format_value(v, &f.unit, f.decimals))
                });
                (
                    s.series.name.clone(),
                    css_color(&s.color),
                    s.series.shift_ms > 0,
                    note,
                )
            })
            .collect::<Vec<_>>()
    });

    view! {
        <div class="chart" data-testid="chart">
            <div class="chart-area" node_ref=container>
                <div class="chart-svg-host" inner_html=move || rendered.with(|r| r.0.clone())></div>
                <div
                    class="chart-overlay"
                    data-testid="chart-overlay"
                    data-plot=move || {
                        let g = geometry();
                        format!("{:.1},{:.1},{},{}", g.left, g.width, g.from_ms, g.to_ms)
                    }
                    on:pointermove=on_move
                    on:pointerleave=on_leave
                    on:pointerdown=on_down
                    on:pointerup=on_up
                >
                    {move || {
                        line_x()
                            .map(|x| {
                                view! {
                                    <div
                                        class="crosshair"
                                        data-testid="crosshair"
                                        style=format!("left:{x:.0}px")
                                    ></div>
                                }
                            })
                    }}
                    {selection}
                    {tooltip}
                </div>
            </div>
            {show_legend
                .then(|| {
                    view! {
                        <ul class="legend" data-testid="legend">
                            {legend_items
                                .into_iter()
                                .map(|(name, color, dashed, note)| {
                                    let n = name.clone();
                                    let n2 = name.clone();
                                    view! {
                                        <li>
                                            <button
                                                type="button"
                                                class="legend-item"
                                                class:off=move || hidden.with(|h| h.contains(&n2))
                                                title="Click to show only this series; Ctrl/Shift-click to toggle it"
                                                on:click=move |ev: leptos::ev::MouseEvent| toggle(
                                                    n.clone(),
                                                    ev.ctrl_key() || ev.meta_key() || ev.shift_key(),
                                                )
                                            >
                                                <span
                                                    class="swatch"
                                                    class:dashed=dashed
                                                    style=format!("background:{color}")
                                                ></span>
                                                {name}
                                                {note
                                                    .map(|d| {
                                                        view! {
                                                            <span class="legend-delta" data-testid="legend-delta">
                                                                {format!("now {d}")}
                                                            </span>
                                                        }
                                                    })}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_point_skips_gaps() {
        let pts = vec![(0, 1.0), (10, 2.0), (20, f64::NAN), (30, 4.0)];
        assert_eq!(nearest(&pts, 11), Some((10, 2.0)));
        assert_eq!(nearest(&pts, 29), Some((30, 4.0)));
        assert_eq!(nearest(&pts, 21), None, "a gap shows no value");
        assert_eq!(nearest(&[], 5), None);
    }
}
