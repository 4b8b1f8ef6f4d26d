//! What a rendered dashboard carries to the page: resolved variables, per-panel series (already
//! decimated and capped) or the panel's error, and the pure rules that shape them: query step,
//! legend names, gaps, decimation and the series cap.

use super::vars::{VarKind, VarOption};
use super::{Dashboard, Panel};
use crate::model::decimate::{min_max, Point};
use crate::model::prometheus::{series_name, QueryData};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Prometheus refuses range queries with more than 11,000 points per series.
pub const PROMETHEUS_MAX_POINTS: i64 = 11_000;

/// Width of the dashboard area assumed when the page has not told its real width (SSR).
pub const DEFAULT_PAGE_WIDTH_PX: u32 = 1600;

/// Series per panel unless configured otherwise.
pub const DEFAULT_MAX_SERIES: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedVar {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    pub hide: u8,
    pub multi: bool,
    pub include_all: bool,
    pub options: Vec<VarOption>,
    /// Selected values (`$__all` for All).
    pub selected: Vec<String>,
    /// Why the options could not be loaded (shown next to the picker).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesData {
    /// Legend name (legendFormat applied).
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub ref_id: String,
    /// (epoch ms, value); NaN marks a gap. Left out when empty (a chart's points held back).
    #[serde(with = "wire_points", default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<Point>,
    /// How long ago this series was read (`compare=1w`), its points moved onto the current time
    /// axis; 0 for the current series.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shift_ms: i64,
    /// A comparison's (current, then) values at the current series' last point, for the
    /// legend (computed before decimation, so a page without the points can show it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_last: Option<(f64, f64)>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Points travel in columns: times as differences from the previous point (the first as is), so
/// a regular series costs a few digits per point instead of a 13-digit timestamp, and values in
/// their own list. JSON has no NaN or infinities (serde_json would write `null` and fail to read
/// it back), so non-finite values travel as Prometheus spells them: `"NaN"`, `"+Inf"`, `"-Inf"`.
mod wire_points {
    use super::Point;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Num(f64),
        Text(String),
    }

    #[derive(Serialize, Deserialize)]
    struct Columns {
        /// Times, each after the first as the difference from the one before (ms).
        t: Vec<i64>,
        v: Vec<Wire>,
    }

    pub fn serialize<S: Serializer>(points: &[Point], s: S) -> Result<S::Ok, S::Error> {
        let mut prev = 0;
        let t = points
            .iter()
            .map(|(t, _)| {
                let d = t - prev;
                prev = *t;
                d
            })
            .collect();
        let v = points
            .iter()
            .map(|(_, v)| {
                if v.is_finite() {
                    Wire::Num(*v)
                } else if v.is_nan() {
                    Wire::Text("NaN".into())
                } else if *v > 0.0 {
                    Wire::Text("+Inf".into())
                } else {
                    Wire::Text("-Inf".into())
                }
            })
            .collect();
        Columns { t, v }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Point>, D::Error> {
        let Columns { t, v } = Columns::deserialize(d)?;
        if t.len() != v.len() {
            return Err(serde::de::Error::custom(format!(
                "{} times for {} values",
                t.len(),
                v.len()
            )));
        }
        let mut at = 0;
        Ok(t.into_iter()
            .zip(v)
            .map(|(d, w)| {
                at += d;
                let v = match w {
                    Wire::Num(v) => v,
                    Wire::Text(s) => crate::model::prometheus::parse_sample(&s),
                };
                (at, v)
            })
            .collect())
    }
}

/// How a panel past its series cap chooses the series it draws.
pub const CAP_ORDER: &str = "highest peaks";

/// The series a capped panel does not draw, summarised (never silently dropped).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OtherSeries {
    pub count: usize,
    /// The lowest and highest peak among them (none when they hold no number).
    pub peaks: Option<(f64, f64)>,
    /// Their first names, in the backend's order.
    pub names: Vec<String>,
}

/// Names an `OtherSeries` lists at most.
pub const OTHER_NAMES: usize = 10;

impl OtherSeries {
    /// "450 more series, peaks 12.3 to 98.7: api-7, api-9, … (all in Explore)".
    pub fn describe(&self) -> String {
        let peaks = self
            .peaks
            .map(|(lo, hi)| format!(", peaks {} to {}", short(lo), short(hi)))
            .unwrap_or_default();
        let more = if self.count > self.names.len() {
            ", …"
        } else {
            ""
        };
        format!(
            "{} more series{peaks}: {}{more}",
            crate::model::numbers::thousands(self.count),
            self.names.join(", ")
        )
    }
}

fn short(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PanelData {
    pub panel_id: u32,
    pub series: Vec<SeriesData>,
    /// The backend's message when a query failed; the panel shows it in place.
    pub error: Option<String>,
    pub warnings: Vec<String>,
    /// Series the queries returned before the cap.
    pub total_series: usize,
    /// Points shipped to the page (after decimation).
    pub points_sent: usize,
    /// Points Prometheus returned (before decimation).
    pub points_received: usize,
    pub step_ms: i64,
    /// Interpolated queries (refId, expr) as run, for "Explore" links and debugging.
    pub queries: Vec<(String, String)>,
    pub instant: bool,
    /// The first query as Explore opens it.
    pub explore: Option<ExploreQuery>,
    /// Past the series cap: what was not drawn.
    #[serde(default)]
    pub others: Option<OtherSeries>,
    /// What a panel shows instead of series (then `series` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Content>,
    /// The body as the server drew it, for the kinds the browser never draws
    /// (`PanelKind::drawn_whole`, `components::panel::draw_bodies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Panels the first page had only the places of, with their definitions and data: a collapsed
/// row's as it opens (`load_row`), a chart's as it wakes (`load_panel`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadedPanels {
    #[serde(serialize_with = "crate::model::sparse::vec::serialize")]
    pub panels: Vec<Panel>,
    pub data: Vec<PanelData>,
}

/// What a panel shows instead of series, as [`PanelData`] holds it: the server draws it
/// (`body`); the browser only knows there is one.
#[cfg(feature = "ssr")]
pub type Content = PanelContent;
#[cfg(not(feature = "ssr"))]
pub type Content = crate::model::server_only::Unread;

/// Panels whose body is not a set of series: worked out on the server, sent as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PanelContent {
    Histogram(super::histogram::Histogram),
    Dashboards(super::dashlist::DashList),
    Alerts(super::alertlist::AlertList),
    Logs(super::logs_panel::LogsPanel),
    /// A table panel's frames (its transformations applied).
    Table(super::frame::TableData),
}

/// A panel query for Explore: variables filled, built-ins (`$__rate_interval`) kept, so Explore
/// fills them for its own range and step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExploreQuery {
    /// Loki (logs mode) rather than Prometheus.
    pub logs: bool,
    pub datasource: String,
    pub expr: String,
}

impl ExploreQuery {
    /// The Explore link at `hop` (the dashboard's range as written).
    pub fn href(&self, hop: &crate::model::links::Hop) -> String {
        let hop = hop.clone().datasource(Some(&self.datasource));
        if self.logs {
            crate::model::links::explore_logs(&self.expr, &hop)
        } else {
            crate::model::links::explore_metrics(&self.expr, &hop)
        }
    }
}

/// A dashboard ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub dashboard: Dashboard,
    pub folder: String,
    pub slug: String,
    pub from: String,
    pub to: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub variables: Vec<ResolvedVar>,
    pub panels: Vec<PanelData>,
    /// Problems with the time range or variables, shown above the panels.
    pub notices: Vec<String>,
    /// `utc`, `browser` or an IANA id; times on the page are shown in it.
    pub timezone: String,
    /// Minutes east of UTC for `timezone` at the end of the range (0 for `browser` until the
    /// page knows the browser's offset).
    pub utc_offset_min: i32,
    /// Scrape pools with targets down, looked up when a panel has no data (a likely reason).
    #[serde(default)]
    pub pools_down: Vec<String>,
    /// The grid the panels were queried and drawn for.
    #[serde(default)]
    pub grid: GridWidth,
    /// In hydration data only: the panels the server drew whole, whose definitions and data
    /// this copy leaves out (`hold_drawn`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_panels: Vec<u32>,
}

/// The dashboard grid in a browser: its width (px) and whether it is one column (a phone). The
/// browser remembers it in a cookie (`1376`, `371/1`; see `contexts::remembered_grid`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridWidth {
    pub px: u32,
    pub one_column: bool,
}

impl Default for GridWidth {
    fn default() -> Self {
        GridWidth {
            px: DEFAULT_PAGE_WIDTH_PX,
            one_column: false,
        }
    }
}

impl GridWidth {
    /// Reads a cookie value (`1376`, `371/1`); the width is clamped to what a screen can be.
    pub fn parse(v: &str) -> Option<GridWidth> {
        let (px, one) = match v.split_once('/') {
            Some((px, "1")) => (px, true),
            Some(_) => return None,
            None => (v, false),
        };
        Some(GridWidth {
            px: px.parse::<u32>().ok()?.clamp(240, 3840),
            one_column: one,
        })
    }

    pub fn cookie_value(self) -> String {
        if self.one_column {
            format!("{}/1", self.px)
        } else {
            self.px.to_string()
        }
    }
}

impl DashboardView {
    pub fn data(&self, panel_id: u32) -> Option<&PanelData> {
        self.panels.iter().find(|p| p.panel_id == panel_id)
    }

    /// The panels the first page shows as the server drew them: every panel it queried, and
    /// text and placeholders, which need no data (wherever they show). Rows stay live (they
    /// open and close); a time series chart comes alive when first touched
    /// (`components::panel::live`).
    pub fn drawn_panels(&self) -> Vec<u32> {
        self.dashboard
            .all_panels()
            .into_iter()
            .filter(|p| {
                p.kind != super::PanelKind::Row
                    && (!p.kind.loads_data() || self.data(p.id).is_some())
            })
            .map(|p| p.id)
            .collect()
    }

    /// The panels this copy of the view shows as server-drawn HTML: on the server those it
    /// draws; in the browser those its hydration data held back (none in a server function's
    /// answer, which renders every panel live).
    pub fn shown_drawn(&self) -> Vec<u32> {
        if cfg!(feature = "ssr") {
            self.drawn_panels()
        } else {
            self.held_panels.clone()
        }
    }

    /// The view as hydration carries it, so the page carries its data once: a panel drawn on
    /// the server arrives as HTML, so its data and all of its definition but what the grid
    /// places it by are left out (`held_panels` names it); a row keeps its title, whether it is
    /// collapsed and its panels' places (a collapsed row's panels load when it opens,
    /// `load_row`); the raw variable definitions, tags and schema version are left out, as the
    /// page shows the resolved variables and neither of the others. The browser reads it with
    /// [`HeldView`].
    pub fn hold_drawn(&mut self) {
        fn place_only(p: &mut Panel) {
            let mut children = std::mem::take(&mut p.children);
            children.iter_mut().for_each(place_only);
            *p = Panel {
                id: p.id,
                title: std::mem::take(&mut p.title),
                kind: p.kind,
                grid: p.grid,
                collapsed: p.collapsed,
                children,
                ..Panel::default()
            };
        }
        let drawn = self.drawn_panels();
        self.dashboard.panels.iter_mut().for_each(place_only);
        self.panels.retain(|d| !drawn.contains(&d.panel_id));
        self.dashboard.variables.clear();
        self.dashboard.tags.clear();
        self.dashboard.schema_version = 0;
        self.held_panels = drawn;
    }
}

/// The browser's reader of a dashboard's hydration data (what [`DashboardView::hold_drawn`]
/// leaves): the page's frame and each panel's place. It reads no panel definition or data
/// whole, so their readers (`Panel`, `PanelData` and all they hold) are not in a first visit's
/// code: a refresh, an opened row or a woken chart reads its answer with code loaded with the
/// first of them (`routes::dashboard_answers`).
#[derive(Deserialize)]
pub struct HeldView {
    dashboard: HeldDashboard,
    folder: String,
    slug: String,
    from: String,
    to: String,
    from_ms: i64,
    to_ms: i64,
    variables: Vec<ResolvedVar>,
    notices: Vec<String>,
    timezone: String,
    utc_offset_min: i32,
    #[serde(default)]
    pools_down: Vec<String>,
    #[serde(default)]
    grid: GridWidth,
    #[serde(default)]
    held_panels: Vec<u32>,
}

#[derive(Deserialize)]
struct HeldDashboard {
    uid: String,
    title: String,
    time_from: String,
    time_to: String,
    refresh: String,
    timezone: String,
    graph_tooltip: u8,
    panels: Vec<PanelPlace>,
}

/// A panel's place as [`DashboardView::hold_drawn`] keeps it (written sparse: what is missing
/// is the default).
#[derive(Deserialize, Default)]
#[serde(default)]
struct PanelPlace {
    id: u32,
    title: String,
    kind: super::PanelKind,
    grid: super::GridPos,
    collapsed: bool,
    children: Vec<PanelPlace>,
}

impl From<PanelPlace> for Panel {
    fn from(p: PanelPlace) -> Panel {
        Panel {
            id: p.id,
            title: p.title,
            kind: p.kind,
            grid: p.grid,
            collapsed: p.collapsed,
            children: p.children.into_iter().map(Panel::from).collect(),
            ..Panel::default()
        }
    }
}

impl From<HeldView> for DashboardView {
    fn from(h: HeldView) -> DashboardView {
        let d = h.dashboard;
        DashboardView {
            dashboard: Dashboard {
                uid: d.uid,
                title: d.title,
                tags: Vec::new(),
                schema_version: 0,
                time_from: d.time_from,
                time_to: d.time_to,
                refresh: d.refresh,
                timezone: d.timezone,
                graph_tooltip: d.graph_tooltip,
                variables: Vec::new(),
                panels: d.panels.into_iter().map(Panel::from).collect(),
            },
            folder: h.folder,
            slug: h.slug,
            from: h.from,
            to: h.to,
            from_ms: h.from_ms,
            to_ms: h.to_ms,
            variables: h.variables,
            // Every panel with data is drawn, so hydration carries none (`hold_drawn`).
            panels: Vec::new(),
            notices: h.notices,
            timezone: h.timezone,
            utc_offset_min: h.utc_offset_min,
            pools_down: h.pools_down,
            grid: h.grid,
            held_panels: h.held_panels,
        }
    }
}

impl PanelData {
    /// Whether there is anything to draw, counting points held back on the server.
    pub fn has_points(&self) -> bool {
        self.points_sent > 0
            || self.series.iter().any(|s| !s.points.is_empty())
            || self.content.is_some()
    }
}

/// Width in pixels of a panel `w` grid columns wide on a page `page_px` wide.
pub fn panel_width_px(w: u32, page_px: u32) -> u32 {
    (page_px as u64 * w.clamp(1, 24) as u64 / 24) as u32
}

/// The query step: range ÷ max points (the panel's width or `maxDataPoints`), never below the
/// panel or datasource minimum interval, never over Prometheus' 11,000-point limit. Whole
/// seconds (Prometheus accepts fractions, but whole steps align across panels and caches).
pub fn step_ms(range_ms: i64, max_points: u32, min_interval_ms: i64) -> i64 {
    let points = (max_points as i64).clamp(1, PROMETHEUS_MAX_POINTS);
    let by_points = (range_ms.max(1) + points - 1) / points;
    let floor = (range_ms.max(1) + PROMETHEUS_MAX_POINTS - 1) / PROMETHEUS_MAX_POINTS;
    let raw = by_points.max(min_interval_ms).max(floor).max(1000);
    (raw + 999) / 1000 * 1000
}

/// Applies a `legendFormat` (`{{label}}`; empty or `__auto` means the series' own name).
pub fn legend_name(format: &str, labels: &BTreeMap<String, String>) -> String {
    let f = format.trim();
    if f.is_empty() || f == "__auto" {
        return series_name(labels);
    }
    if f == "__name__" {
        return labels.get("__name__").cloned().unwrap_or_default();
    }
    let mut out = String::new();
    let mut rest = f;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("}}") {
            Some(end) => {
                let key = rest[start + 2..start + 2 + end].trim();
                out.push_str(labels.get(key).map(String::as_str).unwrap_or(""));
                rest = &rest[start + 2 + end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Turns a query answer into series, marking gaps where samples are missing for more than
/// 1.5 steps (a dead target shows as a break, not a straight line across).
pub fn to_series(data: QueryData, ref_id: &str, legend: &str, step_ms: i64) -> Vec<SeriesData> {
    let one = |metric: BTreeMap<String, String>, points: Vec<Point>| SeriesData {
        name: legend_name(legend, &metric),
        labels: metric,
        ref_id: ref_id.to_string(),
        shift_ms: 0,
        compare_last: None,
        points,
    };
    match data {
        QueryData::Matrix(series) => series
            .into_iter()
            .map(|s| {
                let mut pts: Vec<Point> = Vec::with_capacity(s.values.len());
                for (t, v) in s.values {
                    let t = (t * 1000.0).round() as i64;
                    if let Some(last) = pts.last() {
                        if step_ms > 0 && t - last.0 > step_ms * 3 / 2 {
                            pts.push((last.0 + step_ms, f64::NAN));
                        }
                    }
                    pts.push((t, v.0));
                }
                one(s.metric, pts)
            })
            .collect(),
        QueryData::Vector(samples) => samples
            .into_iter()
            .map(|s| {
                let pts = s
                    .value
                    .map(|(t, v)| vec![((t * 1000.0).round() as i64, v.0)])
                    .unwrap_or_default();
                one(s.metric, pts)
            })
            .collect(),
        QueryData::Scalar((t, v)) => vec![one(BTreeMap::new(), vec![((t * 1000.0) as i64, v.0)])],
        QueryData::String((t, v)) => vec![one(
            BTreeMap::new(),
            vec![(
                (t * 1000.0) as i64,
                crate::model::prometheus::parse_sample(&v),
            )],
        )],
    }
}

/// A panel's series as the page gets them.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    pub series: Vec<SeriesData>,
    /// Series the queries returned.
    pub total: usize,
    /// Points the queries returned.
    pub received: usize,
    pub others: Option<OtherSeries>,
}

/// The highest finite value of a series (what `CAP_ORDER` ranks by).
fn peak(s: &SeriesData) -> Option<f64> {
    s.points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

/// Keeps at most `max_series` series — past the cap the ones with the highest peaks, still in
/// the backend's order, the rest summarised — and decimates each to 2 points per pixel of
/// `width_px`.
pub fn shape(
    series: Vec<SeriesData>,
    from_ms: i64,
    to_ms: i64,
    width_px: u32,
    max_series: usize,
) -> Shaped {
    let total = series.len();
    let received = series.iter().map(|s| s.points.len()).sum();
    let max_series = max_series.max(1);
    let (mut kept, others) = if total <= max_series {
        (series, None)
    } else {
        let peaks: Vec<Option<f64>> = series.iter().map(peak).collect();
        let mut rank: Vec<usize> = (0..total).collect();
        // Highest peak first; series without a number last; ties in the backend's order.
        rank.sort_by(|&a, &b| {
            let key = |i: usize| peaks[i].unwrap_or(f64::NEG_INFINITY);
            key(b).total_cmp(&key(a)).then(a.cmp(&b))
        });
        let mut keep = vec![false; total];
        for &i in &rank[..max_series] {
            keep[i] = true;
        }
        let mut others = OtherSeries {
            count: total - max_series,
            ..OtherSeries::default()
        };
        let mut kept = Vec::with_capacity(max_series);
        for (i, s) in series.into_iter().enumerate() {
            if keep[i] {
                kept.push(s);
                continue;
            }
            if let Some(p) = peaks[i] {
                others.peaks = Some(match others.peaks {
                    None => (p, p),
                    Some((lo, hi)) => (lo.min(p), hi.max(p)),
                });
            }
            if others.names.len() < OTHER_NAMES {
                others.names.push(s.name);
            }
        }
        (kept, Some(others))
    };
    for s in &mut kept {
        s.points = min_max(&s.points, from_ms, to_ms, width_px);
    }
    Shaped {
        series: kept,
        total,
        received,
        others,
    }
}

/// The panels whose data loads with the page: all outside collapsed rows (or just `view_panel`).
pub fn panels_to_query(d: &Dashboard, only: Option<u32>) -> Vec<&Panel> {
    match only {
        Some(id) => d
            .panel(id)
            .into_iter()
            .filter(|p| p.kind.loads_data())
            .collect(),
        None => d.visible_panels().filter(|p| p.kind.loads_data()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::upstream::{decode_envelope, Answer};

    #[test]
    fn the_grid_cookie_reads_back_what_was_written() {
        let g = |px, one_column| Some(GridWidth { px, one_column });
        assert_eq!(GridWidth::parse("1376"), g(1376, false));
        assert_eq!(GridWidth::parse("371/1"), g(371, true));
        assert_eq!(GridWidth::parse("99999"), g(3840, false));
        assert_eq!(GridWidth::parse("x"), None);
        assert_eq!(GridWidth::parse("371/2"), None);
        for grid in [g(1376, false), g(371, true)].into_iter().flatten() {
            assert_eq!(GridWidth::parse(&grid.cookie_value()), Some(grid));
        }
    }

    #[test]
    fn hydration_holds_back_what_the_server_drew() {
        let dashboard = crate::model::dashboard::import(
            r#"{"uid":"u","title":"t","panels":[
                {"id":1,"type":"timeseries","gridPos":{"x":0,"y":0,"w":12,"h":8}},
                {"id":2,"type":"stat","title":"Up","description":"d","gridPos":{"x":12,"y":0,"w":12,"h":8},
                 "targets":[{"refId":"A","expr":"up"}]},
                {"id":5,"type":"table","gridPos":{"x":0,"y":8,"w":24,"h":8}},
                {"id":7,"type":"text","gridPos":{"x":0,"y":8,"w":24,"h":3},
                 "options":{"content":"Runbook"}},
                {"id":3,"type":"row","collapsed":true,"panels":[
                    {"id":4,"type":"timeseries","gridPos":{"x":0,"y":9,"w":24,"h":8}},
                    {"id":6,"type":"gauge","gridPos":{"x":0,"y":9,"w":24,"h":8},
                     "targets":[{"refId":"A","expr":"up"}]}]}],
              "templating":{"list":[{"name":"job","type":"query","query":"label_values(job)"}]}}"#,
            "fallback",
        )
        .unwrap();
        let data = |id: u32| PanelData {
            panel_id: id,
            series: vec![SeriesData {
                name: "s".into(),
                labels: BTreeMap::new(),
                ref_id: "A".into(),
                shift_ms: 0,
                compare_last: None,
                points: vec![(0, 1.0), (1000, 2.0)],
            }],
            points_sent: 2,
            queries: vec![("A".into(), "up".into())],
            explore: Some(ExploreQuery {
                logs: false,
                datasource: "prom".into(),
                expr: "up".into(),
            }),
            ..Default::default()
        };
        let whole = DashboardView {
            dashboard,
            folder: String::new(),
            slug: String::new(),
            from: String::new(),
            to: String::new(),
            from_ms: 0,
            to_ms: 1000,
            variables: vec![],
            // The collapsed row's gauge (6) was not queried with the page.
            panels: vec![data(1), data(2), data(4), data(5)],
            notices: vec![],
            timezone: "utc".into(),
            utc_offset_min: 0,
            pools_down: vec![],
            grid: Default::default(),
            held_panels: vec![],
        };
        // Every queried panel, the charts (also one inside a row) among them, and the text (it
        // needs no data); not the row, nor the row's gauge that was not queried.
        assert_eq!(whole.drawn_panels(), [1, 4, 2, 5, 7]);
        let mut view = whole.clone();
        view.hold_drawn();
        assert_eq!(view.held_panels, [1, 4, 2, 5, 7]);
        assert!(view
            .dashboard
            .panel(7)
            .unwrap()
            .options
            .content_html
            .is_empty());
        // The stat is drawn: its data is gone, and its definition keeps only its place.
        assert!(view.data(2).is_none());
        let stat = view.dashboard.panel(2).unwrap();
        assert_eq!(
            (stat.title.as_str(), stat.grid),
            ("Up", whole.dashboard.panel(2).unwrap().grid)
        );
        assert!(stat.targets.is_empty() && stat.description.is_empty());
        // A collapsed row's panels keep their places and titles: load_row brings the rest.
        let gauge = view.dashboard.panel(6).unwrap();
        let gauge_kind = crate::model::dashboard::PanelKind::Gauge;
        assert_eq!(
            (gauge.kind, gauge.grid),
            (gauge_kind, whole.dashboard.panel(6).unwrap().grid)
        );
        assert!(gauge.targets.is_empty() && !whole.dashboard.panel(6).unwrap().targets.is_empty());
        // A table sorts on the server's HTML and a chart wakes on first touch with what it
        // fetches then: neither carries data or more than its place.
        assert!(view.panels.is_empty(), "{:?}", view.panels);
        let chart = view.dashboard.panel(1).unwrap();
        assert_eq!(chart.kind, crate::model::dashboard::PanelKind::Timeseries);
        assert_eq!(chart.grid, whole.dashboard.panel(1).unwrap().grid);
        assert!(view.dashboard.variables.is_empty() && !whole.dashboard.variables.is_empty());
        // The row itself stays live: it opens and closes.
        assert_eq!(view.dashboard.panel(3).unwrap().children.len(), 2);
        // The browser's slim reader reads the hydration data back as it was held.
        let json = serde_json::to_string(&view).unwrap();
        let held: HeldView = crate::model::json::decode(&json).unwrap();
        assert_eq!(DashboardView::from(held), view);
        assert!(!PanelData::default().has_points());
    }

    #[test]
    fn step_respects_width_interval_and_the_prometheus_limit() {
        // 1h over 800 px → 4.5s → 5s.
        assert_eq!(step_ms(3_600_000, 800, 0), 5_000);
        // A 15s scrape interval wins over the width.
        assert_eq!(step_ms(3_600_000, 800, 15_000), 15_000);
        // 30 days at 100k points would be over the limit: capped to 11,000 points.
        let s = step_ms(30 * 86_400_000, 100_000, 0);
        assert!(30 * 86_400_000 / s <= PROMETHEUS_MAX_POINTS, "{s}");
        assert_eq!(panel_width_px(12, 1600), 800);
    }

    #[test]
    fn legend_formats() {
        let l: BTreeMap<String, String> =
            [("__name__", "up"), ("job", "arms"), ("instance", "a:1")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(legend_name("{{job}} on {{ instance }}", &l), "arms on a:1");
        assert_eq!(
            legend_name("__auto", &l),
            "up{instance=\"a:1\", job=\"arms\"}"
        );
        assert_eq!(legend_name("{{missing}}x", &l), "x");
        assert_eq!(legend_name("{{open", &l), "{{open");
    }

    #[test]
    fn matrix_to_series_with_gaps() {
        let body = crate::model::fixture("prometheus/query-range-matrix-up.json");
        let ans: Answer<QueryData> = decode_envelope("p", 200, &body).unwrap();
        let s = to_series(ans.data, "A", "{{job}}", 15_000);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "prometheus");
        assert_eq!(s[0].points[0].0, 1_435_781_430_781);
        let gap = QueryData::Matrix(vec![crate::model::prometheus::RangeSeries {
            metric: BTreeMap::new(),
            values: vec![
                (0.0, "1".into()),
                (15.0, "1".into()),
                (120.0, "NaN".into()),
                (135.0, "+Inf".into()),
            ],
        }]);
        let s = to_series(gap, "A", "", 15_000);
        assert_eq!(s[0].points.len(), 5, "a gap point is inserted");
        assert!(s[0].points[2].1.is_nan());
        assert!(s[0].points[4].1.is_infinite());
    }

    #[test]
    fn non_finite_values_survive_the_wire() {
        let s = SeriesData {
            name: "x".into(),
            labels: BTreeMap::new(),
            ref_id: "A".into(),
            shift_ms: 0,
            compare_last: None,
            points: vec![
                (1, 1.5),
                (2, f64::NAN),
                (3, f64::INFINITY),
                (4, f64::NEG_INFINITY),
            ],
        };
        let json = serde_json::to_string(&s).unwrap();
        let back: SeriesData = serde_json::from_str(&json).unwrap();
        assert_eq!(back.points[0], (1, 1.5));
        assert!(back.points[1].1.is_nan());
        assert_eq!(back.points[2].1, f64::INFINITY);
        assert_eq!(back.points[3].1, f64::NEG_INFINITY);
    }

    #[test]
    fn series_are_capped_by_peak_and_the_rest_summarised() {
        // Series i peaks at i (and at 80 - i for odd i): the cap keeps the 50 highest peaks.
        let series: Vec<SeriesData> = (0..80)
            .map(|i| SeriesData {
                name: format!("s{i}"),
                labels: BTreeMap::new(),
                ref_id: "A".into(),
                shift_ms: 0,
                compare_last: None,
                points: (0..5000)
                    .map(|t| (t as i64 * 1000, (t % 13) as f64 * i as f64 / 12.0))
                    .collect(),
            })
            .collect();
        let shaped = shape(series, 0, 5_000_000, 400, 50);
        assert_eq!(
            (shaped.series.len(), shaped.total, shaped.received),
            (50, 80, 400_000)
        );
        assert!(shaped.series.iter().all(|s| s.points.len() <= 800));
        let names: Vec<&str> = shaped.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names.first(),
            Some(&"s30"),
            "the lowest peaks go, order kept"
        );
        assert_eq!(names.last(), Some(&"s79"));
        let others = shaped.others.expect("30 series summarised");
        assert_eq!(others.count, 30);
        assert_eq!(others.peaks, Some((0.0, 29.0)));
        assert_eq!(others.names.len(), OTHER_NAMES);
        assert_eq!(
            others.describe(),
            "30 more series, peaks 0 to 29: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, …"
        );
        // Under the cap nothing is summarised.
        let few = shape(shaped.series, 0, 5_000_000, 400, 50);
        assert_eq!((few.series.len(), few.others), (50, None));
    }

    #[test]
    fn points_travel_as_time_differences_and_values() {
        let s = SeriesData {
            name: "x".into(),
            labels: BTreeMap::new(),
            ref_id: "A".into(),
            shift_ms: 0,
            compare_last: None,
            points: (0..100)
                .map(|k| (1_732_975_000_000 + k * 15_000, 0.5))
                .collect(),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""t":[1732975000000,15000,15000"#), "{json}");
        assert_eq!(
            json.matches("1732975").count(),
            1,
            "one full timestamp: {json}"
        );
        let back: SeriesData = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let broken = json.replace(r#""t":[1732975000000,"#, r#""t":["#);
        assert!(serde_json::from_str::<SeriesData>(&broken).is_err());
    }
}
