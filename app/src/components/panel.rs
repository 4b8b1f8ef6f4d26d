//! One dashboard panel: its frame (title, description, links, warnings, series cap note, error)
//! and its body by type: time series drawn live (crosshair, legend, zoom), text, a placeholder
//! that names an unsupported type, and the other kinds, tables among them, as the server drew
//! them (`drawn_whole`, [`draw_bodies`]). On a dashboard's first page every panel comes as the
//! server drew it; a chart comes alive when first touched (`live`).

use crate::components::feedback::ErrorNotice;
use crate::components::timeseries::TimeseriesChart;
use crate::contexts::PoolsDown;
use crate::model::dashboard::data::GridWidth;
#[cfg(feature = "ssr")]
use crate::model::dashboard::data::PanelContent;
use crate::model::dashboard::data::PanelData;
use crate::model::dashboard::{Panel, PanelKind};
use crate::model::links::Hop;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod drawn_whole;
#[cfg(feature = "ssr")]
mod lists;
mod live;
pub mod table;

/// The dashboard grid's CSS (`.dash-grid`: 24 columns, 30 px rows, 6 px gaps) and what a panel
/// takes around its body (border, header, padding), so the server draws a chart at the size it
/// shows on a grid `grid_px` wide.
const GRID_ROW_PX: u32 = 30;
const GRID_GAP_PX: u32 = 6;
const PANEL_FRAME_W_PX: u32 = 18;
const PANEL_FRAME_H_PX: u32 = 38;
/// On a phone the header's links are 40 px touch targets.
const PHONE_HEADER_EXTRA_PX: u32 = 18;

/// Pixel size of a panel's body for a grid size on `grid` (`solo`: one panel filling the page;
/// a one-column grid gives every panel its whole width).
pub fn body_size(w: u32, h: u32, solo: bool, grid: GridWidth) -> (u32, u32) {
    if solo {
        return (1200, 520);
    }
    let (w, h) = (w.clamp(1, 24), h.max(3));
    let (outer_w, frame_h) = if grid.one_column {
        (grid.px, PANEL_FRAME_H_PX + PHONE_HEADER_EXTRA_PX)
    } else {
        (
            grid.px.saturating_sub(23 * GRID_GAP_PX) * w / 24 + (w - 1) * GRID_GAP_PX,
            PANEL_FRAME_H_PX,
        )
    };
    let outer_h = h * GRID_ROW_PX + (h - 1) * GRID_GAP_PX;
    (
        outer_w.saturating_sub(PANEL_FRAME_W_PX).max(160),
        outer_h.saturating_sub(frame_h).max(80),
    )
}

/// Height of a chart's legend: its names wrapped at `width` (about 7 px a character, a swatch
/// and a gap each), at most the 3.2rem the CSS allows, and its top margin.
fn legend_height(names: &[&str], width: u32) -> u32 {
    let mut rows = 1;
    let mut x = 0;
    for n in names {
        let item = 7 * n.chars().count() as u32 + 24;
        if x > 0 && x + item > width {
            rows += 1;
            x = 0;
        }
        x += item + 10;
    }
    (rows * 19 + (rows - 1) * 2).min(51) + 3
}

/// Links shown in a panel's header.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelLinks {
    /// `viewPanel` link (or back to the dashboard when already viewing).
    pub view: Option<(String, &'static str)>,
}

#[component]
pub fn PanelView(
    panel: Panel,
    data: Option<PanelData>,
    from_ms: i64,
    to_ms: i64,
    #[prop(default = false)] shared_crosshair: bool,
    #[prop(default = false)] solo: bool,
    links: PanelLinks,
    /// What the panel's Explore link carries (the dashboard's range as written).
    #[prop(default = Hop::default())]
    hop: Hop,
    /// Drawn whole on the server (`DashboardView::shown_drawn`): the page receives its HTML once
    /// and hydration leaves it alone, with neither its definition nor its data; a chart wakes
    /// into the live panel when first touched (`live`).
    #[prop(default = false)]
    drawn: bool,
) -> impl IntoView {
    let p = LivePanel {
        panel,
        data,
        from_ms,
        to_ms,
        shared_crosshair,
        solo,
        links,
        hop,
    };
    if !drawn {
        return live(p);
    }
    let (id, kind) = (p.panel.id, p.panel.kind);
    // A woken chart is drawn in this frame, with the definition and points it fetches then.
    let frame = p.frame();
    #[cfg(feature = "ssr")]
    let html = crate::components::drawn::draw(move || live_view(p)).0;
    #[cfg(not(feature = "ssr"))]
    let html = {
        let _ = p;
        String::new()
    };
    if kind != PanelKind::Timeseries {
        return drawn_html("drawn-panel", html);
    }
    live::sleeping(id, html, frame.shared_crosshair, move |panel, data| {
        live(LivePanel {
            panel,
            data: Some(data),
            ..frame.frame()
        })
    })
}

/// A panel drawn where it is shown, with its definition and data: [`PanelView`]'s props.
pub struct LivePanel {
    pub panel: Panel,
    pub data: Option<PanelData>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub shared_crosshair: bool,
    pub solo: bool,
    pub links: PanelLinks,
    pub hop: Hop,
}

impl LivePanel {
    /// This panel's frame (range, crosshair, links), without its definition or data.
    fn frame(&self) -> LivePanel {
        LivePanel {
            panel: Panel::default(),
            data: None,
            links: self.links.clone(),
            hop: self.hop.clone(),
            ..*self
        }
    }
}

/// A panel drawn live. The server draws it as it renders the page; the browser (a refresh's
/// panels, an opened row's, a woken chart) from a part of its own (`routes::DashboardLive`),
/// loaded with the first: a dashboard's first page is all drawn HTML, so a first visit loads
/// none of the live panels' code (charts, tables, field config, units).
fn live(p: LivePanel) -> AnyView {
    #[cfg(feature = "hydrate")]
    return crate::routes::live_panel(p);
    #[cfg(not(feature = "hydrate"))]
    live_view(p)
}

/// [`live`]'s view, as the server renders it and the browser's part.
pub fn live_view(
    LivePanel {
        panel,
        data,
        from_ms,
        to_ms,
        shared_crosshair,
        solo,
        links,
        hop,
    }: LivePanel,
) -> AnyView {
    let pools_down = use_context::<PoolsDown>().map(|p| p.0).unwrap_or_default();
    let id = panel.id;
    let title = panel.title.clone();
    let description = panel.description.clone();
    let explore = data
        .as_ref()
        .and_then(|d| d.explore.as_ref())
        .map(|e| e.href(&hop));
    let (error, warnings, capped) = match &data {
        Some(d) => (
            d.error.clone(),
            d.warnings.clone(),
            d.others.as_ref().map(|o| {
                (
                    format!(
                        "showing {} of {} series, {}",
                        d.series.len(),
                        crate::model::numbers::thousands(d.total_series),
                        crate::model::dashboard::data::CAP_ORDER
                    ),
                    o.describe(),
                )
            }),
        ),
        None => (None, Vec::new(), None),
    };
    let empty = data.as_ref().is_some_and(|d| {
        d.error.is_none() && !d.queries.is_empty() && d.series.is_empty() && d.content.is_none()
    });
    let down_hint = (empty && !pools_down.is_empty()).then(|| {
        view! {
            <p class="small muted" data-testid="targets-down-hint">
                {format!("Targets are down in {}: ", pools_down.join(", "))}
                <a href="/status/targets?health=down">"check scrape targets"</a>
            </p>
        }
    });
    let body = panel_body(&panel, data, from_ms, to_ms, shared_crosshair, solo, &hop);
    view! {
        <section
            class=format!("panel panel-{}", kind_class(panel.kind))
            data-testid="panel"
            data-panel-id=id.to_string()
            data-panel-type=panel.source_type.clone()
            aria-label=title.clone()
        >
            <header class="panel-header">
                <h3 class="panel-title" title=description>
                    {title.clone()}
                </h3>
                {capped
                    .map(|(c, rest)| {
                        view! {
                            <details class="series-cap">
                                <summary class="badge" data-testid="series-cap">
                                    {c}
                                </summary>
                                <p class="small" data-testid="series-others">
                                    {rest}
                                </p>
                            </details>
                        }
                    })}
                {(!warnings.is_empty())
                    .then(|| {
                        view! {
                            <span
                                class="badge warn"
                                data-testid="panel-warnings"
                                title=warnings.join("\n")
                            >
                                {format!("⚠ {}", warnings.len())}
                            </span>
                        }
                    })}
                <span class="panel-links">
                    {links
                        .view
                        .map(|(href, label)| {
                            view! {
                                <a href=href data-testid="panel-view-link">
                                    {label}
                                </a>
                            }
                        })}
                    {explore
                        .map(|href| {
                            view! {
                                <a href=href data-testid="panel-explore-link">
                                    "Explore"
                                </a>
                            }
                        })}
                </span>
            </header>
            <div class="panel-body">
                {error.map(|e| view! { <ErrorNotice message=e /> })} {body} {down_hint}
            </div>
        </section>
    }
    .into_any()
}

fn kind_class(k: PanelKind) -> &'static str {
    match k {
        PanelKind::Timeseries => "timeseries",
        PanelKind::Stat => "stat",
        PanelKind::Gauge => "gauge",
        PanelKind::BarGauge => "bargauge",
        PanelKind::PieChart => "piechart",
        PanelKind::StateTimeline => "state-timeline",
        PanelKind::StatusHistory => "status-history",
        PanelKind::Heatmap => "heatmap",
        PanelKind::BarChart => "barchart",
        PanelKind::Histogram => "histogram",
        PanelKind::DashList => "dashlist",
        PanelKind::AlertList => "alertlist",
        PanelKind::Logs => "logs",
        PanelKind::Table => "table",
        PanelKind::Text => "text",
        PanelKind::Row => "row",
        PanelKind::Unsupported => "unsupported",
    }
}

/// HTML the server drew, in a wrapper that takes no box (`display: contents`) and that hydration
/// and the zone switch know as drawn (`data-drawn`, `drawn::restamp`).
fn drawn_html(class: &'static str, html: String) -> AnyView {
    view! { <div class=class data-drawn="" inner_html=html></div> }.into_any()
}

pub(super) fn no_data(text: Option<String>) -> AnyView {
    view! {
        <p class="no-data" data-testid="no-data">
            {text.unwrap_or_else(|| "No data".into())}
        </p>
    }
    .into_any()
}

fn panel_body(
    panel: &Panel,
    data: Option<PanelData>,
    from_ms: i64,
    to_ms: i64,
    shared: bool,
    solo: bool,
    hop: &Hop,
) -> AnyView {
    match panel.kind {
        PanelKind::Text => {
            let html = panel.options.content_html.clone();
            return view! { <div class="markdown" inner_html=html></div> }.into_any();
        }
        PanelKind::Unsupported => return view! {
            <p class="unsupported" data-testid="unsupported-panel">
                {format!(
                    "Panel type “{}” is not supported by Octoscope yet; its queries are not run.",
                    panel.source_type,
                )}
            </p>
        }
        .into_any(),
        PanelKind::Row => return ().into_any(),
        _ => {}
    }
    let Some(data) = data else {
        return view! { <p class="muted">"Loading…"</p> }.into_any();
    };
    // Drawn on the server ([`draw_bodies`]): shown as it came.
    if let Some(html) = data.body {
        return drawn_html("drawn-body", html);
    }
    if !data.has_points() {
        if data.error.is_some() {
            return ().into_any();
        }
        return no_data(panel.field.no_value.clone());
    }
    let grid = use_context::<GridWidth>().unwrap_or_default();
    let (w, h) = body_size(panel.grid.w, panel.grid.h, solo, grid);
    match panel.kind {
        PanelKind::Timeseries => {
            let legend = panel.options.legend && data.series.len() > 1
                || (panel.options.legend && !data.series.is_empty() && solo);
            let chart_h = if legend {
                let names: Vec<&str> = data.series.iter().map(|s| s.name.as_str()).collect();
                h.saturating_sub(legend_height(&names, w)).max(80)
            } else {
                h
            };
            view! {
                <TimeseriesChart
                    panel=panel.clone()
                    series=data.series
                    from_ms=from_ms
                    to_ms=to_ms
                    width=w
                    height=chart_h
                    shared_crosshair=shared
                    show_legend=legend
                />
            }
            .into_any()
        }
        #[cfg(feature = "ssr")]
        PanelKind::Table => match &data.content {
            Some(PanelContent::Table(table)) => table::body(panel, table),
            _ => ().into_any(),
        },
        #[cfg(feature = "ssr")]
        _ => drawn_whole::body(panel, data, from_ms, to_ms, hop, (w, h)),
        // Their bodies come drawn (`data.body`).
        #[cfg(not(feature = "ssr"))]
        _ => {
            let _ = hop;
            ().into_any()
        }
    }
}

/// Server: draws the body of every panel the browser never draws (`PanelKind::drawn_whole`)
/// into its data (`PanelData::body`). A refresh, an opened row or a client-side visit then shows
/// what the server drew, and the wasm holds no code to draw these kinds (`drawn_whole`). The
/// series keep their points: the page's first response carries neither (`hold_drawn`), and the
/// answers' readers (integration tests, the VictoriaMetrics comparison) check values from them.
#[cfg(feature = "ssr")]
pub fn draw_bodies(
    panels: &[&Panel],
    data: &mut [PanelData],
    (from_ms, to_ms): (i64, i64),
    hop: &Hop,
    solo: bool,
    grid: GridWidth,
) {
    for d in data.iter_mut() {
        let Some(panel) = panels
            .iter()
            .find(|p| p.id == d.panel_id && p.kind.drawn_whole())
        else {
            continue;
        };
        let shown = d.clone();
        let html = crate::components::drawn::draw(|| {
            provide_context(grid);
            panel_body(panel, Some(shown), from_ms, to_ms, false, solo, hop)
        });
        d.body = Some(html.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::data::PanelContent;
    use crate::model::dashboard::data::SeriesData;

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_draws_the_bodies_the_browser_does_not() {
        use crate::model::dashboard::import;
        let d = import(
            r#"{"uid":"b","title":"B","panels":[
                {"id":1,"type":"stat","title":"Up","gridPos":{"x":0,"y":0,"w":6,"h":4},
                 "options":{"graphMode":"area"},"targets":[{"expr":"up"}]},
                {"id":2,"type":"timeseries","title":"Rate","gridPos":{"x":6,"y":0,"w":18,"h":8},
                 "targets":[{"expr":"rate(x[5m])"}]}]}"#,
            "b",
        )
        .unwrap();
        let series = SeriesData {
            name: "orchestrator".into(),
            labels: Default::default(),
            ref_id: "A".into(),
            points: vec![(1_000, 41.0), (2_000, 42.0)],
            shift_ms: 0,
            compare_last: None,
        };
        let mut data: Vec<PanelData> = [1, 2]
            .map(|panel_id| PanelData {
                panel_id,
                series: vec![series.clone()],
                points_sent: 2,
                ..Default::default()
            })
            .into();
        let panels: Vec<&Panel> = d.panels.iter().collect();
        draw_bodies(
            &panels,
            &mut data,
            (0, 2_000),
            &Hop::default(),
            false,
            GridWidth::default(),
        );
        let stat = data[0].body.as_deref().expect("the stat is drawn");
        assert!(
            stat.contains("data-testid=\"stat-value\"") && stat.contains(">42<"),
            "{stat}"
        );
        assert!(stat.contains("<svg"), "the sparkline is drawn too: {stat}");
        assert_eq!(data[1].body, None, "the time series chart is drawn live");
        assert_eq!(data[1].series[0].points.len(), 2);
        // What the browser renders for a drawn body: the server's HTML, as it came.
        let shown = data[0].clone();
        let panel = d.panels[0].clone();
        let html = crate::components::render(move || {
            panel_body(&panel, Some(shown), 0, 2_000, false, false, &Hop::default())
        });
        assert!(
            html.contains("class=\"drawn-body\"") && html.contains(stat),
            "{html}"
        );
    }

    #[test]
    fn a_panel_body_is_sized_as_the_grid_css_lays_it_out() {
        // Measured in chromium: a 12 × 8 panel on a 1,376 px grid has a 667 px wide body, 244 px
        // high before its legend (one row: 22 px).
        let grid = |px, one_column| GridWidth { px, one_column };
        assert_eq!(body_size(12, 8, false, grid(1376, false)), (667, 244));
        assert_eq!(body_size(24, 8, false, grid(1376, false)).0, 1376 - 2 - 16);
        assert_eq!(body_size(12, 8, true, grid(1376, false)), (1200, 520));
        // A phone: one column, every panel its whole width.
        assert_eq!(body_size(12, 8, false, grid(371, true)).0, 353);
        assert_eq!(legend_height(&["a", "b"], 600), 22);
        let long: Vec<String> = (0..6).map(|i| format!("orchestrator-{i}")).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert_eq!(legend_height(&long, 600), 43, "two rows");
        assert_eq!(
            legend_height(&[&long[..], &long[..]].concat(), 200),
            54,
            "capped by the CSS"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_pie_chart_draws_a_slice_per_series_with_its_share_in_the_legend() {
        use crate::model::dashboard::import;
        let d = import(
            r#"{"uid":"p","title":"P","panels":[{"id":1,"type":"piechart","title":"Calls",
                "gridPos":{"x":0,"y":0,"w":12,"h":8},"options":{"pieType":"donut","legend":{"showLegend":true}},
                "targets":[{"expr":"x"}]}]}"#,
            "p",
        )
        .unwrap();
        let panel = d.panels[0].clone();
        assert!(panel.options.donut);
        let series = |name: &str, v: f64| SeriesData {
            name: name.into(),
            labels: Default::default(),
            ref_id: "A".into(),
            points: vec![(1_000, v)],
            shift_ms: 0,
            compare_last: None,
        };
        let data = PanelData {
            panel_id: 1,
            series: vec![series("planner", 1.0), series("coder", 3.0)],
            points_sent: 2,
            ..Default::default()
        };
        let html = crate::components::render(move || {
            panel_body(&panel, Some(data), 0, 2_000, false, false, &Hop::default())
        });
        assert_eq!(
            html.matches("data-testid=\"pie-slice\"").count(),
            2,
            "{html}"
        );
        assert!(html.contains("25.0%") && html.contains("75.0%"), "{html}");
        assert!(html.contains("planner"), "{html}");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_dashboard_list_links_with_the_range_kept_and_says_what_it_cut() {
        use crate::model::dashboard::dashlist::DashList;
        use crate::model::dashboard::{import, DashboardSummary};
        let d = import(
            r#"{"uid":"p","title":"P","panels":[{"id":1,"type":"dashlist","title":"Boards",
                "options":{"showSearch":true,"showStarred":false,"keepTime":true,"maxItems":1}}]}"#,
            "p",
        )
        .unwrap();
        let panel = d.panels[0].clone();
        let summary = DashboardSummary {
            uid: "svc".into(),
            title: "Service Health".into(),
            slug: "service-health".into(),
            folder: "OctoLLM".into(),
            tags: vec![],
            file: String::new(),
        };
        let data = PanelData {
            panel_id: 1,
            content: Some(PanelContent::Dashboards(DashList {
                items: vec![summary],
                matched: 3,
            })),
            ..Default::default()
        };
        let hop = Hop::range("now-30m", "now");
        let html = crate::components::render(move || {
            panel_body(&panel, Some(data), 0, 2_000, false, false, &hop)
        });
        assert!(
            html.contains(r#"href="/d/svc/service-health?from=now-30m&amp;to=now""#),
            "{html}"
        );
        assert!(html.contains("showing 1 of 3"), "{html}");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_table_shows_its_frame_formatted_by_field_config_and_says_what_it_cut() {
        use crate::model::dashboard::frame::{default_table, series, TableData, MAX_TABLE_ROWS};
        use crate::model::dashboard::import;
        let d = import(
            r#"{"uid":"p","title":"P","panels":[{"id":1,"type":"table","title":"Pods",
                "gridPos":{"x":0,"y":0,"w":12,"h":8},"targets":[{"expr":"x"}],
                "fieldConfig":{"defaults":{"unit":"percent"},"overrides":[
                  {"matcher":{"id":"byName","options":"pod"},"properties":[{"id":"displayName","value":"Pod"}]},
                  {"matcher":{"id":"byName","options":"hidden"},"properties":[{"id":"custom.hidden","value":true}]}]}}]}"#,
            "p",
        )
        .unwrap();
        let panel = d.panels[0].clone();
        let many: Vec<SeriesData> = (0..MAX_TABLE_ROWS + 2)
            .map(|i| {
                series(
                    "s",
                    "A",
                    &[("pod", &format!("pod-{i}")), ("hidden", "h")],
                    &[(1, 12.5)],
                )
            })
            .collect();
        let table = TableData::bounded(vec![default_table(&many, panel.options.reducer)]).unwrap();
        let data = PanelData {
            panel_id: 1,
            content: Some(PanelContent::Table(table)),
            ..Default::default()
        };
        let html = crate::components::render(move || {
            panel_body(&panel, Some(data), 0, 2_000, false, false, &Hop::default())
        });
        assert!(
            html.contains(">Pod"),
            "display name from the override: {html}"
        );
        assert!(!html.contains(">hidden"), "a hidden column is left out");
        assert!(html.contains("12.5%"), "unit applied");
        assert_eq!(
            html.matches("<tr").count(),
            MAX_TABLE_ROWS + 1,
            "header and rows"
        );
        // Sorting in the browser reads the ranks the server wrote: pod-0 comes first.
        assert!(html.contains(r#"<td data-rank="0">pod-0<"#), "{html}");
        assert!(html.contains("showing 500 of 502 rows"), "{html}");
    }
}
