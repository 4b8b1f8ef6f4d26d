//! The dashboard model: Grafana dashboard JSON of any schema version (14 to 41) normalised into one
//! shape the console renders. Pure: text in, [`Dashboard`] or a positioned [`ImportError`] out.
//!
//! Normalisation keeps everything an SRE relies on and drops nothing silently: legacy top-level
//! `rows[]` become row panels with grid positions, `graph` renders as timeseries and `singlestat`
//! as stat (their old options mapped to field config), and a panel type Octoscope cannot draw is
//! kept as [`PanelKind::Unsupported`] so the page can name it in place.

pub mod alertlist;
pub mod compare;
pub mod compat;
pub mod dashlist;
pub mod data;
pub mod field;
pub mod frame;
pub mod heatmap;
pub mod histogram;
pub mod legacy;
pub mod logs_panel;
pub mod params;
pub mod repeat;
pub mod transform;
pub mod units;
pub mod v2;
pub mod vars;

use field::{FieldConfig, Override};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use vars::Variable;

#[derive(Debug, Clone, PartialEq, Error, Serialize, Deserialize)]
pub enum ImportError {
    #[error("line {line}, column {column}: {message}; fix the JSON (a validator such as `jq . file` points at the same place)")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("this is not a Grafana dashboard ({0}); export it from Grafana with \"Export → Save to file\"")]
    NotADashboard(String),
}

/// A dashboard as listed on `/dashboards` and by `/api/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub uid: String,
    pub title: String,
    pub slug: String,
    pub folder: String,
    pub tags: Vec<String>,
    /// The provisioned file it came from.
    pub file: String,
}

impl DashboardSummary {
    pub fn url(&self) -> String {
        format!("/d/{}/{}", self.uid, self.slug)
    }
}

/// A dashboard file (or provider) that could not be loaded; the others load regardless.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardProblem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// Grid units as Grafana uses them: 24 columns, rows of 30 px.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GridPos {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PanelKind {
    /// Grafana's new panel, and the default a sparse panel on the wire is read against.
    #[default]
    Timeseries,
    Stat,
    Gauge,
    BarGauge,
    /// `piechart`: each series reduced to one value, a slice each.
    PieChart,
    /// `state-timeline`: a row per series, equal neighbouring states joined into spans.
    StateTimeline,
    /// `status-history`: a row per series, a cell per point.
    StatusHistory,
    /// `heatmap`: histogram buckets (or series) over time, cells by count.
    Heatmap,
    /// `barchart`: a bar per series (reduced), by category rather than over time.
    BarChart,
    /// `histogram`: every value counted into buckets (see `histogram`).
    Histogram,
    /// `dashlist`: provisioned dashboards by search (see `dashlist`); queries nothing.
    DashList,
    /// `alertlist`: Alertmanager's alerts (see `alertlist`); queries nothing.
    AlertList,
    /// `logs`: the newest lines of its Loki queries (see `logs_panel`).
    Logs,
    Table,
    Text,
    Row,
    /// Anything else; `source_type` names it on the placeholder.
    Unsupported,
}

impl PanelKind {
    pub(crate) fn from_type(t: &str) -> Self {
        match t {
            "timeseries" | "graph" => PanelKind::Timeseries,
            "barchart" => PanelKind::BarChart,
            "stat" | "singlestat" => PanelKind::Stat,
            "gauge" => PanelKind::Gauge,
            "bargauge" => PanelKind::BarGauge,
            "piechart" => PanelKind::PieChart,
            "state-timeline" => PanelKind::StateTimeline,
            "status-history" => PanelKind::StatusHistory,
            "heatmap" => PanelKind::Heatmap,
            "histogram" => PanelKind::Histogram,
            "dashlist" => PanelKind::DashList,
            "alertlist" => PanelKind::AlertList,
            "logs" => PanelKind::Logs,
            "table" | "table-old" => PanelKind::Table,
            "text" => PanelKind::Text,
            "row" => PanelKind::Row,
            _ => PanelKind::Unsupported,
        }
    }

    /// Panels whose body comes from the server: those that query, and the alert and dashboard
    /// lists (rows, text and placeholders need nothing).
    pub fn loads_data(self) -> bool {
        !matches!(
            self,
            PanelKind::Row | PanelKind::Text | PanelKind::Unsupported
        )
    }

    /// Panels whose body the server draws in every answer (the first page, a refresh, an opened
    /// row), so the wasm holds no code to draw them: all but time series, which the browser
    /// draws once live (crosshair, legend, zoom). A table sorts and switches frames on the
    /// server's HTML (`components::panel::table`).
    pub fn drawn_whole(self) -> bool {
        !matches!(self, PanelKind::Timeseries | PanelKind::Row)
    }

    /// Panels drawn along a time axis: transformed data needs a time field for them.
    pub fn draws_time(self) -> bool {
        matches!(
            self,
            PanelKind::Timeseries
                | PanelKind::Heatmap
                | PanelKind::StateTimeline
                | PanelKind::StatusHistory
        )
    }

    /// Panels that run datasource queries (rows, text and the list panels do not).
    pub fn queries(self) -> bool {
        !matches!(
            self,
            PanelKind::Row
                | PanelKind::Text
                | PanelKind::DashList
                | PanelKind::AlertList
                | PanelKind::Unsupported
        )
    }
}

/// One query of a panel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)] // sparse on the wire: what did not come is the default's
pub struct Target {
    pub ref_id: String,
    pub expr: String,
    pub legend_format: String,
    pub instant: bool,
    /// `format: table`: one row per series, labels as columns.
    pub format_table: bool,
    /// Minimum step for this query (`interval`, may hold a variable).
    pub interval: String,
    pub hide: bool,
    /// Datasource uid/name/variable when it differs from the panel's.
    pub datasource: Option<String>,
    /// The datasource's plugin type when the reference names it (`{type, uid}`).
    pub datasource_type: Option<String>,
    /// Loki: lines to read for a logs panel (`maxLines`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lines: Option<usize>,
}

/// Reducer used by stat, gauge, bargauge, the table of a range query and the transformations
/// (Grafana's calculations by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reducer {
    LastNotNull,
    Last,
    First,
    Mean,
    Max,
    Min,
    Sum,
    Count,
    Range,
    /// Last minus first.
    Diff,
    /// The total increase, counting a drop as a counter reset.
    Delta,
    Median,
    StdDev,
    Variance,
    DistinctCount,
    ChangeCount,
}

impl Reducer {
    /// Grafana's calculation ids, and the display name Grafana gives each.
    const NAMES: [(&'static str, Reducer, &'static str); 18] = [
        ("lastNotNull", Reducer::LastNotNull, "Last *"),
        ("last", Reducer::Last, "Last"),
        ("firstNotNull", Reducer::First, "First *"),
        ("first", Reducer::First, "First"),
        ("mean", Reducer::Mean, "Mean"),
        ("avg", Reducer::Mean, "Mean"),
        ("max", Reducer::Max, "Max"),
        ("min", Reducer::Min, "Min"),
        ("sum", Reducer::Sum, "Total"),
        ("total", Reducer::Sum, "Total"),
        ("count", Reducer::Count, "Count"),
        ("range", Reducer::Range, "Range"),
        ("diff", Reducer::Diff, "Difference"),
        ("delta", Reducer::Delta, "Delta"),
        ("median", Reducer::Median, "Median"),
        ("stdDev", Reducer::StdDev, "StdDev"),
        ("variance", Reducer::Variance, "Variance"),
        ("distinctCount", Reducer::DistinctCount, "Distinct Count"),
    ];

    /// The calculation Grafana names `id`; `None` for one Octoscope does not compute.
    pub fn parse(id: &str) -> Option<Self> {
        match id {
            "changeCount" => Some(Reducer::ChangeCount),
            _ => Self::NAMES.iter().find(|n| n.0 == id).map(|n| n.1),
        }
    }

    /// A panel's calculation: last not null when unnamed or unknown, as Grafana's default.
    pub fn from_grafana(id: &str) -> Self {
        Self::parse(id).unwrap_or(Reducer::LastNotNull)
    }

    /// Grafana's id for it (the first, for a calculation with two ids).
    pub fn id(self) -> &'static str {
        match self {
            Reducer::ChangeCount => "changeCount",
            Reducer::First => "first",
            r => Self::NAMES.iter().find(|n| n.1 == r).map_or("", |n| n.0),
        }
    }

    /// The column title Grafana gives its result (`Max`, `Last *`, `Total`).
    pub fn title(self) -> &'static str {
        match self {
            Reducer::ChangeCount => "Change Count",
            Reducer::First => "First",
            r => Self::NAMES.iter().find(|n| n.1 == r).map_or("", |n| n.2),
        }
    }

    /// Reduces values in time order (NaN is "null").
    pub fn apply(self, values: &[f64]) -> Option<f64> {
        let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let some = |f: &dyn Fn(&[f64]) -> f64| (!present.is_empty()).then(|| f(&present));
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let variance = |v: &[f64]| {
            let m = mean(v);
            v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64
        };
        match self {
            Reducer::Last => values.last().copied().filter(|v| !v.is_nan()),
            Reducer::LastNotNull => present.last().copied(),
            Reducer::First => present.first().copied(),
            Reducer::Mean => some(&mean),
            Reducer::Max => present.iter().copied().reduce(f64::max),
            Reducer::Min => present.iter().copied().reduce(f64::min),
            Reducer::Sum => some(&|v| v.iter().sum()),
            Reducer::Count => Some(present.len() as f64),
            Reducer::Range => some(&|v| {
                v.iter().copied().fold(f64::MIN, f64::max)
                    - v.iter().copied().fold(f64::MAX, f64::min)
            }),
            Reducer::Diff => some(&|v| v[v.len() - 1] - v[0]),
            Reducer::Delta => some(&|v| {
                v.windows(2)
                    .map(|w| if w[1] >= w[0] { w[1] - w[0] } else { w[1] })
                    .sum()
            }),
            Reducer::Median => some(&|v| {
                let mut s = v.to_vec();
                s.sort_by(f64::total_cmp);
                let m = s.len() / 2;
                if s.len() % 2 == 0 {
                    (s[m - 1] + s[m]) / 2.0
                } else {
                    s[m]
                }
            }),
            Reducer::StdDev => some(&|v| variance(v).sqrt()),
            Reducer::Variance => some(&variance),
            Reducer::DistinctCount => {
                let mut s = present.clone();
                s.sort_by(f64::total_cmp);
                s.dedup();
                Some(s.len() as f64)
            }
            Reducer::ChangeCount => {
                Some(present.windows(2).filter(|w| w[0] != w[1]).count() as f64)
            }
        }
    }
}

/// Display options that are not per-field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)] // sparse on the wire: what did not come is the default's
pub struct PanelOptions {
    pub reducer: Reducer,
    pub legend: bool,
    /// Stat: draw the sparkline (`graphMode: area`).
    pub sparkline: bool,
    /// Stat: colour the background (true) or the value (false).
    pub color_background: bool,
    /// Bargauge: horizontal bars (true) or vertical.
    pub horizontal: bool,
    /// Text panel: its content as HTML safe to insert, made when the dashboard is read: markdown
    /// rendered, html mode shown as text (never injected). The browser holds no markdown code.
    pub content_html: String,
    /// Pie chart: a ring (`pieType: donut`) rather than a pie.
    #[serde(default)]
    pub donut: bool,
    // The panels these are for are drawn on the server only (`PanelKind::drawn_whole`).
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub histogram: histogram::HistogramOptions,
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub dashlist: dashlist::DashListOptions,
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub alertlist: alertlist::AlertListOptions,
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub logs: logs_panel::LogsOptions,
}

impl Default for PanelOptions {
    fn default() -> Self {
        Self {
            reducer: Reducer::LastNotNull,
            legend: true,
            sparkline: false,
            color_background: false,
            horizontal: true,
            content_html: String::new(),
            donut: false,
            histogram: Default::default(),
            dashlist: Default::default(),
            alertlist: Default::default(),
            logs: Default::default(),
        }
    }
}

/// On the wire (`model::sparse`) only what differs from `Panel::default()` travels, and of its
/// targets, field config and options only what differs from theirs; `#[serde(default)]` reads the
/// rest back from the default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Panel {
    pub id: u32,
    pub title: String,
    pub description: String,
    pub kind: PanelKind,
    /// The type as written in the JSON (`graph`, `singlestat`, `logs`, …).
    pub source_type: String,
    pub grid: GridPos,
    /// Datasource uid, name or `$variable`; `None` means the default.
    pub datasource: Option<String>,
    /// Its plugin type when the reference says (`{"type": "prometheus", "uid": …}`).
    pub datasource_type: Option<String>,
    /// The server runs them; the browser gets each panel's data and Explore query instead.
    #[serde(
        serialize_with = "crate::model::sparse::vec::serialize",
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub targets: Vec<Target>,
    /// Panel minimum interval (`interval`), may hold a variable.
    pub interval: String,
    pub max_data_points: Option<u32>,
    #[serde(serialize_with = "crate::model::sparse::serialize")]
    pub field: FieldConfig,
    pub overrides: Vec<Override>,
    #[serde(serialize_with = "crate::model::sparse::serialize")]
    pub options: PanelOptions,
    /// Rows: collapsed rows keep their panels in `children` and query nothing until opened.
    pub collapsed: bool,
    #[serde(serialize_with = "crate::model::sparse::vec::serialize")]
    pub children: Vec<Panel>,
    /// The variable the panel (or row) repeats by; `repeat::expand` makes the copies and clears
    /// it, so one still set means the variable has no values here.
    pub repeat: Option<String>,
    /// `repeatDirection: "v"`: copies stacked rather than side by side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat_vertical: bool,
    /// `maxPerRow`: side-by-side copies to a line (Grafana's default 4 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_row: Option<u32>,
    /// For a repeat's copy: the variable and the one value its queries and title see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_value: Option<(String, String)>,
    /// The panel's enabled Grafana transformations, in order; those Octoscope cannot run are
    /// kept as `Unsupported` and named (`transformations_warning`), never silently skipped.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub transformations: Vec<transform::Transform>,
}

impl Panel {
    /// What the panel says about a repeat left unexpanded (its variable has no values).
    pub fn repeat_warning(&self) -> Option<String> {
        self.repeat.as_deref().map(repeat_without_values)
    }

    /// What the panel says about transformations it cannot run, if it has any.
    pub fn transformations_warning(&self) -> Option<String> {
        transform::warning(&self.transformations)
    }
}

/// What a repeated panel or row says when there is nothing to repeat it for.
pub fn repeat_without_values(var: &str) -> String {
    format!("repeat by ${var}: no variable ${var} with values here, so it is shown once")
}

/// A normalised dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub uid: String,
    pub title: String,
    pub tags: Vec<String>,
    pub schema_version: u32,
    pub time_from: String,
    pub time_to: String,
    pub refresh: String,
    pub timezone: String,
    /// 0 = tooltip per panel, ≥ 1 = shared crosshair (and tooltip) across panels.
    pub graph_tooltip: u8,
    /// As defined; the page shows them resolved (`DashboardView::variables`).
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub variables: Vec<Variable>,
    /// Top-level panels in reading order; open rows are followed by their panels, collapsed rows
    /// hold theirs in `children`.
    #[serde(serialize_with = "crate::model::sparse::vec::serialize")]
    pub panels: Vec<Panel>,
}

impl Dashboard {
    /// Every panel, including those inside collapsed rows, in reading order.
    pub fn all_panels(&self) -> Vec<&Panel> {
        let mut out = Vec::new();
        for p in &self.panels {
            out.push(p);
            out.extend(p.children.iter());
        }
        out
    }

    pub fn panel(&self, id: u32) -> Option<&Panel> {
        self.all_panels().into_iter().find(|p| p.id == id)
    }

    /// Panels that render on load: everything not inside a collapsed row.
    pub fn visible_panels(&self) -> impl Iterator<Item = &Panel> {
        self.panels.iter()
    }
}

/// URL-safe slug of a title as Grafana makes it (`OctoLLM Overview` → `octollm-overview`).
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn s(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `v[key]`'s strings (none when it is not a list); what is not a string is skipped.
pub(crate) fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn u(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// A datasource reference: a name string (old), `{type, uid}` (new), or absent/default.
pub fn datasource_ref(v: Option<&Value>) -> Option<String> {
    let r = match v? {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => return None,
    };
    (!r.is_empty() && r != "default" && r != "-- Mixed --" && r != "-- Dashboard --").then_some(r)
}

/// The plugin type of an object datasource reference.
pub fn datasource_type(v: Option<&Value>) -> Option<String> {
    v?.get("type")?
        .as_str()
        .map(str::to_string)
        .filter(|t| !t.is_empty() && t != "datasource")
}

/// Parses dashboard JSON text (bare or wrapped in `{"dashboard": …}`, with or without
/// `__inputs`/`__requires`). `fallback_uid` names dashboards that have no uid of their own.
pub fn import(text: &str, fallback_uid: &str) -> Result<Dashboard, ImportError> {
    let root: Value = serde_json::from_str(text).map_err(|e| ImportError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or("")
            .to_string(),
    })?;
    import_value(&root, fallback_uid)
}

pub fn import_value(root: &Value, fallback_uid: &str) -> Result<Dashboard, ImportError> {
    if let Some(c) = v2::to_v1(root) {
        return import_value(&c.v1, fallback_uid);
    }
    let d = match root.get("dashboard") {
        Some(inner) if inner.is_object() => inner,
        _ => root,
    };
    if !d.is_object() {
        return Err(ImportError::NotADashboard(
            "the file is not a JSON object".into(),
        ));
    }
    if d.get("panels").is_none() && d.get("rows").is_none() && d.get("title").is_none() {
        return Err(ImportError::NotADashboard(
            "it has no title, panels or rows".into(),
        ));
    }
    let mut uid = s(d, "uid");
    if uid.is_empty() {
        uid = fallback_uid.to_string();
    }
    let title = match s(d, "title") {
        t if t.is_empty() => uid.clone(),
        t => t,
    };
    let time = d.get("time").cloned().unwrap_or(Value::Null);
    let mut ids = IdAllocator::default();
    let legacy = d.get("rows").and_then(Value::as_array).filter(|r| {
        !r.is_empty()
            && d.get("panels")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
    });
    let panels = if let Some(rows) = legacy {
        legacy_rows(rows, &mut ids)
    } else {
        let raw = d
            .get("panels")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        modern_panels(&raw, &mut ids)
    };
    let variables = d
        .get("templating")
        .and_then(|t| t.get("list"))
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(vars::Variable::from_json).collect())
        .unwrap_or_default();
    Ok(Dashboard {
        uid,
        title,
        tags: strings(d, "tags"),
        schema_version: u(d, "schemaVersion").unwrap_or(0) as u32,
        time_from: Some(s(&time, "from"))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "now-6h".into()),
        time_to: Some(s(&time, "to"))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "now".into()),
        refresh: match d.get("refresh") {
            Some(Value::String(r)) => r.clone(),
            _ => String::new(),
        },
        timezone: s(d, "timezone"),
        graph_tooltip: match d.get("graphTooltip") {
            Some(Value::Number(n)) => n.as_u64().unwrap_or(0).min(2) as u8,
            Some(Value::Bool(true)) => 1,
            _ => 0,
        },
        variables,
        panels,
    })
}

/// Hands out ids for panels that lack one (old exports), never reusing an existing id.
#[derive(Default)]
struct IdAllocator {
    used: std::collections::BTreeSet<u32>,
    next: u32,
}

impl IdAllocator {
    fn take(&mut self, wanted: Option<u64>) -> u32 {
        if let Some(id) = wanted.map(|w| w as u32) {
            if self.used.insert(id) {
                return id;
            }
        }
        loop {
            self.next += 1;
            if self.used.insert(10_000 + self.next) {
                return 10_000 + self.next;
            }
        }
    }
}

fn grid_of(p: &Value) -> GridPos {
    let g = p.get("gridPos").cloned().unwrap_or(Value::Null);
    GridPos {
        x: u(&g, "x").unwrap_or(0).min(23) as u32,
        y: u(&g, "y").unwrap_or(0) as u32,
        w: u(&g, "w").unwrap_or(12).clamp(1, 24) as u32,
        h: u(&g, "h").unwrap_or(8).max(1) as u32,
    }
}

/// Modern layout: `row` panels interleaved with the others, sorted by position.
fn modern_panels(raw: &[Value], ids: &mut IdAllocator) -> Vec<Panel> {
    let mut sorted: Vec<&Value> = raw.iter().collect();
    sorted.sort_by_key(|p| {
        let g = grid_of(p);
        (g.y, g.x)
    });
    sorted
        .into_iter()
        .map(|p| {
            let mut panel = panel_from_json(p, grid_of(p), ids);
            if panel.kind == PanelKind::Row {
                let mut kids: Vec<&Value> = p
                    .get("panels")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                kids.sort_by_key(|k| {
                    let g = grid_of(k);
                    (g.y, g.x)
                });
                panel.children = kids
                    .into_iter()
                    .map(|k| panel_from_json(k, grid_of(k), ids))
                    .collect();
                panel.grid.w = 24;
                panel.grid.h = 1;
            }
            panel
        })
        .collect()
}

/// Legacy layout (schema < 16): `rows[]` with `height` and panels sized by `span` (1–12).
fn legacy_rows(rows: &[Value], ids: &mut IdAllocator) -> Vec<Panel> {
    let mut out = Vec::new();
    let mut y = 0u32;
    let show_rows = rows.len() > 1 || rows.iter().any(|r| b(r, "showTitle") || b(r, "collapse"));
    for row in rows {
        let height_px = match row.get("height") {
            Some(Value::String(h)) => h.trim_end_matches("px").parse().unwrap_or(250),
            Some(Value::Number(n)) => n.as_u64().unwrap_or(250),
            _ => 250,
        };
        let h = (height_px as f64 / 30.0).ceil().max(3.0) as u32;
        let collapsed = b(row, "collapse");
        let mut children = Vec::new();
        let mut x = 0u32;
        let row_y = y + u32::from(show_rows);
        let mut line_y = row_y;
        for p in row
            .get("panels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let w = ((p.get("span").and_then(Value::as_f64).unwrap_or(12.0)) * 2.0)
                .round()
                .clamp(1.0, 24.0) as u32;
            if x + w > 24 {
                x = 0;
                line_y += h;
            }
            children.push(panel_from_json(p, GridPos { x, y: line_y, w, h }, ids));
            x += w;
        }
        let bottom = if children.is_empty() {
            row_y
        } else {
            line_y + h
        };
        if show_rows {
            let mut row_panel = Panel {
                id: ids.take(None),
                title: s(row, "title"),
                kind: PanelKind::Row,
                source_type: "row".into(),
                grid: GridPos {
                    x: 0,
                    y,
                    w: 24,
                    h: 1,
                },
                collapsed,
                repeat: Some(s(row, "repeat")).filter(|r| !r.is_empty()),
                ..blank_panel()
            };
            if collapsed {
                row_panel.children = children;
                out.push(row_panel);
                y += 1;
                continue;
            }
            out.push(row_panel);
        }
        out.extend(children);
        y = bottom;
    }
    out
}

fn blank_panel() -> Panel {
    Panel {
        id: 0,
        title: String::new(),
        description: String::new(),
        kind: PanelKind::Unsupported,
        source_type: String::new(),
        grid: GridPos::default(),
        datasource: None,
        datasource_type: None,
        targets: Vec::new(),
        interval: String::new(),
        max_data_points: None,
        field: FieldConfig::default(),
        overrides: Vec::new(),
        options: PanelOptions::default(),
        collapsed: false,
        children: Vec::new(),
        repeat: None,
        repeat_vertical: false,
        max_per_row: None,
        repeat_value: None,
        transformations: Vec::new(),
    }
}

fn panel_from_json(p: &Value, grid: GridPos, ids: &mut IdAllocator) -> Panel {
    let source_type = s(p, "type");
    let mut kind = PanelKind::from_type(&source_type);
    let mut field = FieldConfig::default();
    let mut overrides = Vec::new();
    let mut options = PanelOptions::default();
    if let Some(fc) = p.get("fieldConfig") {
        if let Some(defaults) = fc.get("defaults") {
            field.apply_defaults(defaults);
        }
        overrides = fc
            .get("overrides")
            .and_then(Value::as_array)
            .map(|o| o.iter().filter_map(Override::from_json).collect())
            .unwrap_or_default();
    }
    let opts = p.get("options").cloned().unwrap_or(Value::Null);
    if let Some(calc) = opts
        .get("reduceOptions")
        .and_then(|r| r.get("calcs"))
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(Value::as_str)
    {
        options.reducer = Reducer::from_grafana(calc);
    }
    if let Some(legend) = opts.get("legend") {
        options.legend = legend
            .get("showLegend")
            .and_then(Value::as_bool)
            .unwrap_or(legend.get("displayMode").and_then(Value::as_str) != Some("hidden"));
    }
    options.sparkline = opts.get("graphMode").and_then(Value::as_str) == Some("area");
    options.donut = opts.get("pieType").and_then(Value::as_str) == Some("donut");
    match kind {
        PanelKind::Histogram => options.histogram = histogram::HistogramOptions::from_json(&opts),
        PanelKind::DashList => options.dashlist = dashlist::DashListOptions::from_json(&opts),
        PanelKind::AlertList => {
            options.alertlist = alertlist::AlertListOptions::from_json(&opts, p)
        }
        PanelKind::Logs => options.logs = logs_panel::LogsOptions::from_json(&opts),
        _ => {}
    }
    options.color_background = opts
        .get("colorMode")
        .and_then(Value::as_str)
        .is_some_and(|m| m.starts_with("background"));
    options.horizontal = opts.get("orientation").and_then(Value::as_str) != Some("vertical");
    let content = match opts.get("content") {
        Some(Value::String(c)) => c.clone(),
        _ => s(p, "content"),
    };
    let html_mode = opts
        .get("mode")
        .or_else(|| p.get("mode"))
        .and_then(Value::as_str)
        == Some("html");
    options.content_html = match html_mode {
        true => format!("<pre>{}</pre>", super::html::escape_html(&content)),
        false => super::markdown::render_markdown(&content),
    };
    match source_type.as_str() {
        "graph" => legacy::legacy_graph(p, &mut field, &mut overrides, &mut options),
        "singlestat" if legacy::legacy_singlestat(p, &mut field, &mut options) => {
            kind = PanelKind::Gauge;
        }
        "table-old" | "table" if p.get("styles").is_some() => {
            overrides.extend(legacy::legacy_table(p, &mut field))
        }
        _ => {}
    }
    let targets = p
        .get("targets")
        .and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .enumerate()
                .map(|(i, t)| Target {
                    ref_id: Some(s(t, "refId"))
                        .filter(|r| !r.is_empty())
                        .unwrap_or_else(|| ((b'A' + (i % 26) as u8) as char).to_string()),
                    expr: s(t, "expr"),
                    legend_format: s(t, "legendFormat"),
                    instant: b(t, "instant") && !b(t, "range"),
                    format_table: s(t, "format") == "table",
                    interval: s(t, "interval"),
                    hide: b(t, "hide"),
                    datasource: datasource_ref(t.get("datasource")),
                    datasource_type: datasource_type(t.get("datasource")),
                    max_lines: u(t, "maxLines").map(|m| m as usize),
                })
                .collect()
        })
        .unwrap_or_default();
    Panel {
        id: ids.take(u(p, "id")),
        title: s(p, "title"),
        description: s(p, "description"),
        kind,
        source_type,
        grid,
        datasource: datasource_ref(p.get("datasource")),
        datasource_type: datasource_type(p.get("datasource")),
        targets,
        interval: s(p, "interval"),
        max_data_points: u(p, "maxDataPoints").map(|m| m as u32),
        field,
        overrides,
        options,
        collapsed: b(p, "collapsed"),
        children: Vec::new(),
        repeat: Some(s(p, "repeat")).filter(|r| !r.is_empty()),
        repeat_vertical: s(p, "repeatDirection") == "v",
        max_per_row: u(p, "maxPerRow").map(|m| m as u32),
        repeat_value: None,
        transformations: transform::parse_all(p.get("transformations")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Dashboard {
        let text = String::from_utf8(crate::model::fixture(&format!("grafana-dashboards/{name}")))
            .unwrap();
        import(&text, "fallback").unwrap()
    }

    #[test]
    fn transformations_are_read_in_order_and_the_ones_not_run_are_named() {
        let d = import(
            r#"{"uid":"t","title":"T","panels":[{"id":1,"type":"table","title":"x","gridPos":{"x":0,"y":0,"w":12,"h":8},
              "transformations":[{"id":"organize","options":{}},{"id":"merge","disabled":true},{"id":"joinByField","options":{}},{"id":"prepareTimeSeries"}]}]}"#,
            "t",
        )
        .unwrap();
        let p = &d.panels[0];
        let ids: Vec<&str> = p.transformations.iter().map(|t| t.id()).collect();
        assert_eq!(ids, ["organize", "joinByField", "prepareTimeSeries"]);
        let w = p.transformations_warning().unwrap();
        assert!(
            w.contains("prepareTimeSeries (Octoscope does not run it)"),
            "{w}"
        );
        assert!(!w.contains("organize"), "{w}");
        assert_eq!(blank_panel().transformations_warning(), None);
    }

    #[test]
    fn every_fixture_crosses_the_wire_unchanged_sending_only_what_is_not_default() {
        for path in crate::model::fixture_files("grafana-dashboards") {
            let d = import(&std::fs::read_to_string(&path).unwrap(), "x").unwrap();
            let json = serde_json::to_string(&d).unwrap();
            let back: Dashboard =
                serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(back, d, "{}", path.display());
        }
        // A stat panel's options say nothing of the other panel types' options.
        let d = fixture("node-exporter-full-sv41-rfmoz.json");
        let sent = serde_json::to_value(&d).unwrap();
        let stat = sent["panels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "Stat")
            .expect("a stat panel");
        // All of them default: then not even `options` is sent.
        let none = serde_json::Map::new();
        let options = stat
            .get("options")
            .and_then(Value::as_object)
            .unwrap_or(&none);
        for other in [
            "dashlist",
            "alertlist",
            "logs",
            "histogram",
            "donut",
            "content",
        ] {
            assert!(!options.contains_key(other), "{other}: {stat}");
        }
        assert!(stat.get("children").is_none() && stat.get("collapsed").is_none());
    }

    #[test]
    fn every_fixture_imports_and_keeps_every_panel() {
        let mut seen = 0;
        for path in crate::model::fixture_files("grafana-dashboards") {
            let text = std::fs::read_to_string(&path).unwrap();
            let raw: Value = serde_json::from_str(&text).unwrap();
            // Schema v2 is counted in its classic reading (a panel per referenced element).
            let raw = v2::to_v1(&raw).map_or(raw, |c| c.v1);
            let d = import(&text, "x").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Count panels in the raw JSON (rows[] panels, panels[], row children).
            let mut raw_count = 0;
            for r in raw
                .get("rows")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                raw_count += r["panels"].as_array().map_or(0, Vec::len);
            }
            for p in raw
                .get("panels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                raw_count += 1 + p
                    .get("panels")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
            }
            let non_legacy_rows = d
                .all_panels()
                .iter()
                .filter(|p| {
                    !(p.kind == PanelKind::Row
                        && raw
                            .get("rows")
                            .is_some_and(|r| r.as_array().is_some_and(|a| !a.is_empty())))
                })
                .count();
            assert_eq!(non_legacy_rows, raw_count, "{}", path.display());
            let ids: std::collections::BTreeSet<u32> =
                d.all_panels().iter().map(|p| p.id).collect();
            assert_eq!(ids.len(), d.all_panels().len(), "panel ids are unique");
            seen += 1;
        }
        assert_eq!(seen, 40, "7 single fixtures and the 33 of kube-prometheus");
    }

    #[test]
    fn legacy_rows_get_grid_positions_and_old_types_map() {
        let d = fixture("kube-prometheus-v0.8.0-k8s-resources-cluster-sv14-legacy-rows.json");
        assert_eq!(d.schema_version, 14);
        let rows: Vec<&Panel> = d
            .panels
            .iter()
            .filter(|p| p.kind == PanelKind::Row)
            .collect();
        assert!(rows.len() > 3);
        let all = d.all_panels();
        let singlestats: Vec<&Panel> = all
            .iter()
            .copied()
            .filter(|p| p.source_type == "singlestat")
            .collect();
        assert_eq!(singlestats.len(), 6);
        assert!(singlestats.iter().all(|p| p.kind == PanelKind::Stat));
        // span 2 → w 4; six stats fill the first line.
        assert_eq!(singlestats[0].grid.w, 4);
        assert_eq!(singlestats[5].grid.x, 20);
        let graphs = d
            .all_panels()
            .into_iter()
            .filter(|p| p.source_type == "graph")
            .count();
        assert_eq!(graphs, 10);
        // Rows never overlap: every panel of a later row starts below the earlier ones.
        let ys: Vec<u32> = d.panels.iter().map(|p| p.grid.y).collect();
        assert!(ys.windows(2).all(|w| w[0] <= w[1]), "{ys:?}");
    }

    #[test]
    fn collapsed_rows_hold_their_panels() {
        let d = fixture("kube-prometheus-v0.4.0-namespace-by-pod-sv18-collapsed-rows.json");
        let collapsed: Vec<&Panel> = d.panels.iter().filter(|p| p.collapsed).collect();
        assert!(!collapsed.is_empty());
        assert!(collapsed
            .iter()
            .all(|r| r.kind == PanelKind::Row && !r.children.is_empty()));
        let d = fixture("tempo-mixin-tempo-operational-sv40-collapsed-rows.json");
        assert_eq!(d.panels.iter().filter(|p| p.collapsed).count(), 7);
    }

    #[test]
    fn wrapped_exports_and_missing_uids() {
        let d = import(
            r#"{"dashboard":{"title":"A b","panels":[]},"meta":{}}"#,
            "file-a",
        )
        .unwrap();
        assert_eq!((d.uid.as_str(), d.title.as_str()), ("file-a", "A b"));
        assert_eq!(
            (d.time_from.as_str(), d.time_to.as_str()),
            ("now-6h", "now")
        );
        let d = fixture("kube-prometheus-addon-weave-net-sv22-grafana-export.json");
        assert_eq!(d.schema_version, 22);
        assert!(d.all_panels().iter().any(|p| p.source_type == "singlestat"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = import("{\n  \"title\": \"x\",\n  \"panels\": [,]\n}", "x").unwrap_err();
        match err {
            ImportError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 14)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            import("[1]", "x"),
            Err(ImportError::NotADashboard(_))
        ));
        assert!(matches!(
            import("{\"a\":1}", "x"),
            Err(ImportError::NotADashboard(_))
        ));
    }

    #[test]
    fn unsupported_types_are_kept_and_named() {
        let d = fixture("loki-mixin-loki-logs-sv14-loki-and-prometheus.json");
        let logs: Vec<&Panel> = d
            .all_panels()
            .into_iter()
            .filter(|p| p.source_type == "logs")
            .collect();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].kind, PanelKind::Logs);
        let d = import(
            r#"{"uid": "u", "title": "t", "panels": [{"id": 1, "type": "geomap", "title": "Where"}]}"#,
            "x",
        )
        .unwrap();
        assert_eq!(d.panels[0].kind, PanelKind::Unsupported);
        assert_eq!(d.panels[0].source_type, "geomap");
    }

    #[test]
    fn slugs_match_grafana() {
        assert_eq!(slugify("OctoLLM Overview"), "octollm-overview");
        assert_eq!(
            slugify("  Kubernetes / Compute Resources / Cluster "),
            "kubernetes-compute-resources-cluster"
        );
    }

    #[test]
    fn reducers() {
        let v = [1.0, f64::NAN, 3.0, f64::NAN];
        assert_eq!(Reducer::LastNotNull.apply(&v), Some(3.0));
        assert_eq!(Reducer::Last.apply(&v), None);
        assert_eq!(Reducer::Mean.apply(&v), Some(2.0));
        assert_eq!(Reducer::Count.apply(&v), Some(2.0));
        assert_eq!(Reducer::Max.apply(&[]), None);
        let c = [5.0, 7.0, 2.0, 4.0];
        assert_eq!(Reducer::Range.apply(&c), Some(5.0));
        assert_eq!(Reducer::Diff.apply(&c), Some(-1.0));
        assert_eq!(
            Reducer::Delta.apply(&c),
            Some(2.0 + 2.0 + 2.0),
            "a drop is a counter reset"
        );
        assert_eq!(Reducer::Median.apply(&c), Some(4.5));
        assert_eq!(Reducer::Variance.apply(&[1.0, 3.0]), Some(1.0));
        assert_eq!(Reducer::StdDev.apply(&[1.0, 3.0]), Some(1.0));
        assert_eq!(Reducer::DistinctCount.apply(&[1.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(Reducer::ChangeCount.apply(&[1.0, 1.0, 2.0, 1.0]), Some(2.0));
    }

    #[test]
    fn reducers_by_grafana_id_and_title() {
        assert_eq!(Reducer::parse("stdDev"), Some(Reducer::StdDev));
        assert_eq!(Reducer::parse("p95"), None, "unknown is named, not guessed");
        assert_eq!(
            Reducer::from_grafana("p95"),
            Reducer::LastNotNull,
            "a panel's default"
        );
        assert_eq!((Reducer::Sum.id(), Reducer::Sum.title()), ("sum", "Total"));
        assert_eq!(Reducer::LastNotNull.title(), "Last *");
        for r in [
            "lastNotNull",
            "last",
            "first",
            "mean",
            "max",
            "min",
            "sum",
            "count",
            "range",
            "diff",
            "delta",
            "median",
            "stdDev",
            "variance",
            "distinctCount",
            "changeCount",
        ] {
            assert_eq!(Reducer::parse(r).unwrap().id(), r);
        }
    }
}
