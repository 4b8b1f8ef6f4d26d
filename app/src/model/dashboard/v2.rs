//! Grafana's schema v2 dashboards (`dashboard.grafana.app/v2alpha1` and `v2beta1`: the
//! `elements` map of panels and a `layout` of `GridLayout`, `RowsLayout`, `AutoGridLayout` or
//! `TabsLayout`, `variables` as kinds, `timeSettings`), read by turning them into the classic
//! model the rest of the console reads. The Kubernetes-style resource (`{apiVersion, kind,
//! metadata, spec}`) and a bare spec are both accepted. Every converted panel, query and
//! variable keeps its v2 JSON path in `__path`, so the compatibility report names what it cannot
//! render where it is in the file. Where v1 has no equal, the closest reading is taken and named
//! in `notes`: tabs become rows (the first open, the others collapsed, so only the open tab
//! queries), rows nested in rows or tabs are flattened into their parent. Pure.

use super::compat::{array, text};
use serde_json::{json, Map, Value};

/// A v2 dashboard read as the classic model.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub v1: Value,
    /// (v2 path, what was read differently from Grafana).
    pub notes: Vec<(String, String)>,
}

/// The spec of a v2 dashboard and the path prefix of its fields; None for a classic dashboard.
pub fn spec_of(root: &Value) -> Option<(&Value, &'static str)> {
    let is_v2 = |v: &Value| v.get("elements").is_some() && v.get("layout").is_some();
    match root.get("spec") {
        Some(spec) if is_v2(spec) => Some((spec, "spec.")),
        _ if is_v2(root) => Some((root, "")),
        _ => None,
    }
}

/// Grid rows Grafana's auto grid gives its row heights (about 168, 320 and 512 px).
fn auto_row_height(mode: &str, custom_px: Option<f64>) -> u64 {
    match mode {
        "short" => 5,
        "tall" => 14,
        "custom" => custom_px.map_or(9, |px| ((px + 6.0) / 36.0).round().max(2.0) as u64),
        _ => 9,
    }
}

fn spec(v: &Value) -> &Value {
    v.get("spec").unwrap_or(&Value::Null)
}

struct Builder<'a> {
    elements: &'a Map<String, Value>,
    prefix: &'static str,
    notes: Vec<(String, String)>,
}

impl Builder<'_> {
    fn note(&mut self, path: String, what: &str) {
        self.notes.push((path, what.to_string()));
    }

    /// A v1 panel from the element a layout item (its spec) references, at `grid`.
    fn element(&mut self, item: &Value, grid: Value, at: &str) -> Option<Value> {
        let reference = item.get("element").unwrap_or(&Value::Null);
        let name = text(reference, "name");
        let Some(el) = self.elements.get(name) else {
            self.note(
                format!("{at}.element"),
                &format!("references the element {name:?}, which is not in elements"),
            );
            return None;
        };
        let path = format!("{}elements[{name:?}]", self.prefix);
        let s = spec(el);
        let mut p = Map::new();
        p.insert("__path".into(), json!(path));
        if let Some(id) = s.get("id") {
            p.insert("id".into(), id.clone());
        }
        p.insert("title".into(), json!(text(s, "title")));
        p.insert("description".into(), json!(text(s, "description")));
        p.insert("gridPos".into(), grid);
        if let Some(r) = item.get("repeat") {
            let var = text(r, "value");
            if !var.is_empty() {
                p.insert("repeat".into(), json!(var));
                p.insert("repeatDirection".into(), json!(text(r, "direction")));
                if let Some(m) = r.get("maxPerRow") {
                    p.insert("maxPerRow".into(), m.clone());
                }
            }
        }
        if text(el, "kind") == "LibraryPanel" {
            let lib = s.get("libraryPanel").cloned().unwrap_or(json!({}));
            p.insert("libraryPanel".into(), lib);
            return Some(Value::Object(p));
        }
        // v2beta1: `vizConfig: {kind: "VizConfig", group: "timeseries"}`; v2alpha1: the kind.
        let viz = s.get("vizConfig").unwrap_or(&Value::Null);
        let kind = match text(viz, "group") {
            "" => text(viz, "kind"),
            g => g,
        };
        p.insert("type".into(), json!(kind));
        let vs = spec(viz);
        for key in ["options", "fieldConfig"] {
            if let Some(v) = vs.get(key) {
                p.insert(key.into(), v.clone());
            }
        }
        let data = spec(s.get("data").unwrap_or(&Value::Null));
        let options = data.get("queryOptions").unwrap_or(&Value::Null);
        for (from, to) in [("interval", "interval"), ("maxDataPoints", "maxDataPoints")] {
            if let Some(v) = options.get(from) {
                p.insert(to.into(), v.clone());
            }
        }
        let queries: Vec<Value> = array(data, "queries")
            .iter()
            .enumerate()
            .map(|(k, q)| target(q, &format!("{path}.spec.data.spec.queries[{k}]")))
            .collect();
        if let Some(ds) = queries.iter().find_map(|q| q.get("datasource")) {
            p.insert("datasource".into(), ds.clone());
        }
        p.insert("targets".into(), Value::Array(queries));
        let transformations: Vec<Value> = array(data, "transformations")
            .iter()
            .map(|t| {
                let ts = spec(t);
                json!({
                    "id": match text(ts, "id") { "" => text(t, "kind"), id => id },
                    "disabled": ts.get("disabled").and_then(Value::as_bool).unwrap_or(false),
                    "options": ts.get("options").cloned().unwrap_or(json!({})),
                })
            })
            .collect();
        p.insert("transformations".into(), Value::Array(transformations));
        Some(Value::Object(p))
    }

    /// The panels of a layout, top to bottom from `y0`, rows as v1 rows; returns them and the
    /// next free y. Inside a row (`in_row`) nested rows and tabs are flattened.
    fn layout(&mut self, layout: &Value, at: &str, y0: u64, in_row: bool) -> (Vec<Value>, u64) {
        let s = spec(layout);
        let mut out = Vec::new();
        let mut bottom = y0;
        match text(layout, "kind") {
            "GridLayout" => {
                for (i, item) in array(s, "items").iter().enumerate() {
                    let at = format!("{at}.spec.items[{i}]");
                    let is = spec(item);
                    if text(item, "kind") == "GridLayoutRow" {
                        // v2alpha1 rows inside the grid.
                        let row = json!({"kind": "GridLayout", "spec": {"items": is.get("elements").cloned().unwrap_or(json!([]))}});
                        let title = text(is, "title").to_string();
                        let collapsed = is
                            .get("collapsed")
                            .and_then(Value::as_bool)
                            .unwrap_or(false);
                        let (panels, next) = self.layout(&row, &at, bottom.saturating_add(1), true);
                        out.extend(self.row(&title, collapsed, panels, bottom, &at, in_row));
                        bottom = next;
                        continue;
                    }
                    let (y, h) = (
                        y0.saturating_add(is.get("y").and_then(Value::as_u64).unwrap_or(0)),
                        is.get("height").and_then(Value::as_u64).unwrap_or(8),
                    );
                    let grid = json!({
                        "x": is.get("x").and_then(Value::as_u64).unwrap_or(0),
                        "y": y,
                        "w": is.get("width").and_then(Value::as_u64).unwrap_or(12),
                        "h": h,
                    });
                    if let Some(p) = self.element(is, grid, &at) {
                        out.push(p);
                    }
                    bottom = bottom.max(y.saturating_add(h));
                }
            }
            "AutoGridLayout" => {
                let cols = s
                    .get("maxColumnCount")
                    .and_then(Value::as_u64)
                    .unwrap_or(3)
                    .clamp(1, 24);
                let h = auto_row_height(
                    text(s, "rowHeightMode"),
                    s.get("rowHeight").and_then(Value::as_f64),
                );
                let w = 24 / cols;
                for (i, item) in array(s, "items").iter().enumerate() {
                    let (col, line) = (i as u64 % cols, i as u64 / cols);
                    let top = y0.saturating_add(line.saturating_mul(h));
                    let grid = json!({"x": col * w, "y": top, "w": w, "h": h});
                    let at = format!("{at}.spec.items[{i}]");
                    if let Some(p) = self.element(spec(item), grid, &at) {
                        out.push(p);
                    }
                    bottom = bottom.max(top.saturating_add(h));
                }
            }
            "RowsLayout" => {
                for (i, row) in array(s, "rows").iter().enumerate() {
                    let at = format!("{at}.spec.rows[{i}]");
                    let rs = spec(row);
                    let collapsed = rs.get("collapse").and_then(Value::as_bool).unwrap_or(false);
                    let (mut panels, next) = self.section(rs, collapsed, &at, bottom, in_row);
                    // A row's repeat (`repeat: {mode, value}`) goes on the v1 row.
                    let var = rs
                        .get("repeat")
                        .map(|r| text(r, "value"))
                        .unwrap_or_default();
                    if let Some(row) = panels.first_mut().filter(|p| p["type"] == "row") {
                        if !var.is_empty() {
                            row["repeat"] = json!(var);
                        }
                    }
                    out.extend(panels);
                    bottom = next;
                }
            }
            "TabsLayout" => {
                self.note(
                    at.to_string(),
                    "tabs: shown as rows, the first open and the others collapsed (a collapsed row queries when opened, as a tab does)",
                );
                for (i, tab) in array(s, "tabs").iter().enumerate() {
                    let at = format!("{at}.spec.tabs[{i}]");
                    let (panels, next) = self.section(spec(tab), i > 0, &at, bottom, in_row);
                    out.extend(panels);
                    bottom = next;
                }
            }
            other => {
                self.note(
                    format!("{at}.kind"),
                    &format!("layout {other:?}: not a v2 layout Octoscope reads (GridLayout, AutoGridLayout, RowsLayout, TabsLayout)"),
                );
            }
        }
        (out, bottom)
    }

    /// A row or tab (its spec) at `y`: its own layout below its header, read as a v1 row; the
    /// panels and the next free y.
    fn section(
        &mut self,
        spec: &Value,
        collapsed: bool,
        at: &str,
        y: u64,
        in_row: bool,
    ) -> (Vec<Value>, u64) {
        let inner = spec.get("layout").unwrap_or(&Value::Null);
        let (panels, next) = self.layout(
            inner,
            &format!("{at}.spec.layout"),
            y.saturating_add(1),
            true,
        );
        (
            self.row(text(spec, "title"), collapsed, panels, y, at, in_row),
            next,
        )
    }

    /// A v1 row holding `panels` (collapsed) or followed by them (open). Inside another row there
    /// is no v1 equal: the panels join the parent and the nesting is noted.
    fn row(
        &mut self,
        title: &str,
        collapsed: bool,
        panels: Vec<Value>,
        y: u64,
        at: &str,
        in_row: bool,
    ) -> Vec<Value> {
        if in_row {
            self.note(
                at.to_string(),
                "a row or tab inside another: its panels are shown in the enclosing row",
            );
            return panels;
        }
        let mut row = json!({
            "__path": at,
            "type": "row",
            "title": title,
            "collapsed": collapsed,
            "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
            "panels": [],
        });
        if collapsed {
            row["panels"] = Value::Array(panels);
            vec![row]
        } else {
            let mut out = vec![row];
            out.extend(panels);
            out
        }
    }
}

/// A v2 query as a v1 target: the query's own fields (`expr`, `legendFormat`, …), its refId,
/// hidden flag and datasource.
fn target(q: &Value, path: &str) -> Value {
    let qs = spec(q);
    let query = qs.get("query").unwrap_or(&Value::Null);
    let mut t = spec(query).as_object().cloned().unwrap_or_default();
    t.insert("__path".into(), json!(path));
    t.insert("refId".into(), json!(text(qs, "refId")));
    if qs.get("hidden").and_then(Value::as_bool) == Some(true) {
        t.insert("hide".into(), json!(true));
    }
    // v2beta1: `query: {kind: "DataQuery", group: "prometheus", datasource: {name: uid}}`;
    // v2alpha1: `datasource: {type, uid}` beside `query: {kind: "prometheus"}`.
    let ds = match (query.get("datasource"), qs.get("datasource")) {
        (Some(d), _) => json!({"type": text(query, "group"), "uid": text(d, "name")}),
        (None, Some(d)) => d.clone(),
        (None, None) => match text(query, "group") {
            "" => match text(query, "kind") {
                "" | "DataQuery" => Value::Null,
                kind => json!({"type": kind}),
            },
            group => json!({"type": group}),
        },
    };
    if !ds.is_null() {
        t.insert("datasource".into(), ds);
    }
    Value::Object(t)
}

/// v2 `sort` names as v1's numbers.
fn sort_number(sort: &Value) -> Value {
    let n = match sort.as_str() {
        Some("alphabeticalAsc") => 1,
        Some("alphabeticalDesc") => 2,
        Some("numericalAsc") => 3,
        Some("numericalDesc") => 4,
        Some("alphabeticalCaseInsensitiveAsc") => 5,
        Some("alphabeticalCaseInsensitiveDesc") => 6,
        Some("naturalAsc") => 7,
        Some("naturalDesc") => 8,
        _ => return sort.as_u64().map_or(json!(0), |n| json!(n)),
    };
    json!(n)
}

/// A v2 variable as a v1 templating entry.
fn variable(v: &Value, path: &str) -> Value {
    let s = spec(v);
    let kind = match text(v, "kind") {
        "QueryVariable" => "query",
        "CustomVariable" => "custom",
        "ConstantVariable" => "constant",
        "IntervalVariable" => "interval",
        "TextVariable" => "textbox",
        "DatasourceVariable" => "datasource",
        "AdhocVariable" => "adhoc",
        "GroupByVariable" => "groupby",
        "SwitchVariable" => "switch",
        other => other,
    };
    let mut out = s.as_object().cloned().unwrap_or_default();
    out.insert("__path".into(), json!(path));
    out.insert("type".into(), json!(kind));
    out.insert(
        "hide".into(),
        json!(match text(s, "hide") {
            "hideLabel" => 1,
            "hideVariable" => 2,
            _ => s.get("hide").and_then(Value::as_u64).unwrap_or(0),
        }),
    );
    if let Some(sort) = s.get("sort") {
        out.insert("sort".into(), sort_number(sort));
    }
    match kind {
        "query" => {
            // The query is a DataQuery (v2beta1) or a kind with a spec (v2alpha1); its text is
            // `expr`/`query` in the spec, else the `definition`.
            let q = s.get("query").unwrap_or(&Value::Null);
            let qs = spec(q);
            // A string query, the spec's `expr`/`query`, Grafana's `__legacyStringValue` for
            // converted classic queries, else the `definition`.
            let expr = [
                q.as_str().unwrap_or_default(),
                text(qs, "expr"),
                text(qs, "query"),
                text(qs, "__legacyStringValue"),
                text(s, "definition"),
            ]
            .into_iter()
            .find(|t| !t.is_empty())
            .unwrap_or_default();
            out.insert("query".into(), json!(expr));
            let uid = q
                .get("datasource")
                .map(|d| text(d, "name"))
                .or_else(|| s.get("datasource").map(|d| text(d, "uid")))
                .unwrap_or_default();
            if !uid.is_empty() {
                out.insert(
                    "datasource".into(),
                    json!({"type": text(q, "group"), "uid": uid}),
                );
            }
        }
        "datasource" => {
            out.insert("query".into(), json!(text(s, "pluginId")));
        }
        "interval" => {
            if let Some(auto) = s.get("auto") {
                out.insert("auto".into(), auto.clone());
            }
        }
        _ => {}
    }
    Value::Object(out)
}

/// The classic dashboard for a v2 one; None when `root` is not v2.
pub fn to_v1(root: &Value) -> Option<Converted> {
    let (spec_v, prefix) = spec_of(root)?;
    let empty = Map::new();
    let mut b = Builder {
        elements: spec_v
            .get("elements")
            .and_then(Value::as_object)
            .unwrap_or(&empty),
        prefix,
        notes: Vec::new(),
    };
    let layout = spec_v.get("layout").unwrap_or(&Value::Null);
    let (panels, _) = b.layout(layout, &format!("{prefix}layout"), 0, false);
    let time = spec_v.get("timeSettings").unwrap_or(&Value::Null);
    let uid = match root.get("metadata").map(|m| text(m, "name")) {
        Some(n) if !n.is_empty() => n,
        _ => text(spec_v, "uid"),
    };
    let variables: Vec<Value> = array(spec_v, "variables")
        .iter()
        .enumerate()
        .map(|(i, v)| variable(v, &format!("{prefix}variables[{i}]")))
        .collect();
    let annotations: Vec<Value> = array(spec_v, "annotations")
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let s = spec(a);
            json!({
                "__path": format!("{prefix}annotations[{i}]"),
                "name": text(s, "name"),
                "enable": s.get("enable").and_then(Value::as_bool).unwrap_or(true),
                "builtIn": u8::from(s.get("builtIn").and_then(Value::as_bool).unwrap_or(false)),
            })
        })
        .collect();
    let v1 = json!({
        "uid": uid,
        "title": text(spec_v, "title"),
        "tags": spec_v.get("tags").cloned().unwrap_or(json!([])),
        "schemaVersion": 42,
        "time": {"from": text(time, "from"), "to": text(time, "to")},
        "refresh": text(time, "autoRefresh"),
        "timezone": text(time, "timezone"),
        "graphTooltip": match text(spec_v, "cursorSync") { "Crosshair" => 1, "Tooltip" => 2, _ => 0 },
        "templating": {"list": variables},
        "annotations": {"list": annotations},
        "panels": panels,
    });
    Some(Converted { v1, notes: b.notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel(name: &str, id: u64, viz: &str, expr: &str) -> (String, Value) {
        (
            name.to_string(),
            json!({"kind": "Panel", "spec": {
                "id": id, "title": format!("P{id}"),
                "data": {"kind": "QueryGroup", "spec": {
                    "queries": [{"kind": "PanelQuery", "spec": {"refId": "A", "hidden": false, "query": {
                        "kind": "DataQuery", "group": "prometheus", "version": "v0",
                        "datasource": {"name": "prom"}, "spec": {"expr": expr, "legendFormat": "{{job}}"}}}}],
                    "transformations": [{"kind": "organize", "spec": {"id": "organize", "options": {}}}],
                    "queryOptions": {"maxDataPoints": 300}}},
                "vizConfig": {"kind": "VizConfig", "group": viz, "version": "", "spec": {"options": {}, "fieldConfig": {"defaults": {"unit": "s"}, "overrides": []}}}
            }}),
        )
    }

    fn item(name: &str, x: u64, y: u64) -> Value {
        json!({"kind": "GridLayoutItem", "spec": {"x": x, "y": y, "width": 12, "height": 8, "element": {"kind": "ElementReference", "name": name}}})
    }

    fn resource(layout: Value) -> Value {
        let elements: Map<String, Value> = [
            panel("panel-1", 1, "timeseries", "up"),
            panel("panel-2", 2, "stat", "sum(up)"),
            panel("panel-3", 3, "table", "up == 0"),
        ]
        .into_iter()
        .collect();
        json!({"apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard",
            "metadata": {"name": "v2-uid"},
            "spec": {"title": "V2", "tags": ["x"], "cursorSync": "Crosshair",
                "timeSettings": {"from": "now-1h", "to": "now", "autoRefresh": "30s", "timezone": "utc"},
                "variables": [{"kind": "QueryVariable", "spec": {"name": "job", "hide": "hideLabel", "sort": "alphabeticalAsc", "multi": true, "includeAll": true,
                    "query": {"kind": "DataQuery", "group": "prometheus", "datasource": {"name": "prom"}, "spec": {"qryType": 1, "query": "label_values(up, job)"}}}},
                    {"kind": "AdhocVariable", "spec": {"name": "filters"}}],
                "elements": elements, "layout": layout}})
    }

    #[test]
    fn a_grid_reads_as_panels_with_their_queries_options_and_paths() {
        let c = to_v1(&resource(json!({"kind": "GridLayout", "spec": {"items": [item("panel-1", 0, 0), item("panel-2", 12, 0)]}}))).unwrap();
        let v1 = &c.v1;
        assert_eq!(v1["uid"], "v2-uid");
        assert_eq!(
            (v1["refresh"].as_str(), v1["graphTooltip"].as_u64()),
            (Some("30s"), Some(1))
        );
        let p = &v1["panels"][1];
        assert_eq!(p["type"], "stat");
        assert_eq!(p["gridPos"], json!({"x": 12, "y": 0, "w": 12, "h": 8}));
        assert_eq!(p["targets"][0]["expr"], "sum(up)");
        assert_eq!(p["targets"][0]["legendFormat"], "{{job}}");
        assert_eq!(
            p["targets"][0]["datasource"],
            json!({"type": "prometheus", "uid": "prom"})
        );
        assert_eq!(p["maxDataPoints"], 300);
        assert_eq!(p["fieldConfig"]["defaults"]["unit"], "s");
        assert_eq!(p["transformations"][0]["id"], "organize");
        assert_eq!(p["__path"], "spec.elements[\"panel-2\"]");
        let var = &v1["templating"]["list"][0];
        assert_eq!(
            (var["type"].as_str(), var["query"].as_str()),
            (Some("query"), Some("label_values(up, job)"))
        );
        assert_eq!(
            (var["hide"].as_u64(), var["sort"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(v1["templating"]["list"][1]["type"], "adhoc");
        assert!(c.notes.is_empty(), "{:?}", c.notes);

        let d = crate::model::dashboard::import_value(v1, "x").unwrap();
        assert_eq!(d.panels.len(), 2);
        assert_eq!(d.panels[0].targets[0].expr, "up");
        assert_eq!(d.panels[1].kind, crate::model::dashboard::PanelKind::Stat);
    }

    #[test]
    fn rows_and_tabs_become_rows_and_the_auto_grid_flows() {
        let rows = json!({"kind": "RowsLayout", "spec": {"rows": [
            {"kind": "RowsLayoutRow", "spec": {"title": "Open", "collapse": false, "layout": {"kind": "GridLayout", "spec": {"items": [item("panel-1", 0, 0)]}}}},
            {"kind": "RowsLayoutRow", "spec": {"title": "Shut", "collapse": true, "layout": {"kind": "AutoGridLayout", "spec": {"maxColumnCount": 2, "rowHeightMode": "short", "items": [
                {"kind": "AutoGridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "panel-2"}}},
                {"kind": "AutoGridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "panel-3"}}}]}}}}]}});
        let v1 = to_v1(&resource(rows)).unwrap().v1;
        let panels = v1["panels"].as_array().unwrap();
        let kinds: Vec<&str> = panels.iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["row", "timeseries", "row"]);
        assert_eq!(panels[1]["gridPos"]["y"], 1);
        assert_eq!(panels[2]["gridPos"]["y"], 9);
        assert_eq!(panels[2]["collapsed"], true);
        let shut = panels[2]["panels"].as_array().unwrap();
        assert_eq!(
            shut[1]["gridPos"],
            json!({"x": 12, "y": 10, "w": 12, "h": 5})
        );

        let tabs = json!({"kind": "TabsLayout", "spec": {"tabs": [
            {"kind": "TabsLayoutTab", "spec": {"title": "A", "layout": {"kind": "GridLayout", "spec": {"items": [item("panel-1", 0, 0)]}}}},
            {"kind": "TabsLayoutTab", "spec": {"title": "B", "layout": {"kind": "GridLayout", "spec": {"items": [item("panel-2", 0, 0), item("panel-9", 12, 0)]}}}}]}});
        let c = to_v1(&resource(tabs)).unwrap();
        let panels = c.v1["panels"].as_array().unwrap();
        assert_eq!(panels[0]["collapsed"], false);
        assert_eq!(panels[2]["collapsed"], true, "only the first tab is open");
        assert_eq!(panels[2]["panels"].as_array().unwrap().len(), 1);
        let notes: Vec<&str> = c.notes.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(
            notes,
            [
                "spec.layout",
                "spec.layout.spec.tabs[1].spec.layout.spec.items[1].element"
            ]
        );
        assert!(c.notes[1].1.contains("\"panel-9\""));
    }

    #[test]
    fn a_classic_dashboard_is_not_v2_and_a_bare_spec_is() {
        assert!(to_v1(&json!({"panels": [], "title": "x"})).is_none());
        let bare = json!({"title": "Bare", "elements": {}, "layout": {"kind": "GridLayout", "spec": {"items": []}}});
        assert_eq!(to_v1(&bare).unwrap().v1["title"], "Bare");
    }

    #[test]
    fn grafanas_own_v2_example_reads_whole() {
        let path = format!(
            "{}/../tests/fixtures/grafana-dashboards/grafana-v2beta1-shared-crosshair.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let d = crate::model::dashboard::import_value(&raw, "x").unwrap();
        assert_eq!(d.uid, "v14.shared_crosshair_to_graph_tooltip.v42");
        assert_eq!(d.title, "V14 Shared Crosshair Migration Test Dashboard");
        assert_eq!(d.graph_tooltip, 1);
        let exprs: Vec<&str> = d
            .panels
            .iter()
            .map(|p| p.targets[0].expr.as_str())
            .collect();
        assert_eq!(exprs, ["cpu_usage", "memory_usage"]);
        assert_eq!(d.panels[1].targets[0].ref_id, "B");
        assert_eq!(d.variables[0].query, "label_values(server)");
        assert!(crate::model::dashboard::compat::report(&raw).is_empty());
    }

    #[test]
    fn repeats_are_carried_with_their_direction() {
        let mut it = item("panel-1", 0, 0);
        it["spec"]["repeat"] =
            json!({"mode": "variable", "value": "job", "direction": "v", "maxPerRow": 3});
        let layout = json!({"kind": "GridLayout", "spec": {"items": [it]}});
        let c = to_v1(&resource(layout.clone())).unwrap();
        assert_eq!(c.v1["panels"][0]["repeat"], "job");
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let d = crate::model::dashboard::import_value(&c.v1, "x").unwrap();
        assert!(d.panels[0].repeat_vertical);
        assert_eq!(d.panels[0].max_per_row, Some(3));
        // Expanded, so the compatibility report has nothing to say about it.
        let found = crate::model::dashboard::compat::report(&resource(layout));
        assert!(
            found.iter().all(|f| !f.what.contains("repeat")),
            "{found:?}"
        );
    }
}
