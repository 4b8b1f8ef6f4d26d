//! The compatibility report: everything in a Grafana dashboard's JSON that Octoscope does not
//! render as Grafana would, each named by its JSON path in the file (panel types, transformations,
//! datasource types, variable types, annotation queries, library panels, schema v2). Pure over
//! the raw JSON, so the paths are the file's own. Read by `octoscope dashboards check` and the
//! `/dashboards/compatibility` page.

use super::PanelKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One thing not rendered, where it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// JSON path in the file (`panels[3].transformations[0]`).
    pub path: String,
    pub what: String,
}

/// Datasource plugin types whose queries dashboards run.
const QUERIED: [&str; 2] = ["prometheus", "loki"];

/// Variable types the dashboards resolve.
const VARIABLES: [&str; 6] = [
    "query",
    "custom",
    "interval",
    "constant",
    "textbox",
    "datasource",
];

/// What `dashboard` (a file's JSON: bare or in the `{"dashboard": …}` import wrapper) has that
/// is not rendered. Empty means everything renders.
pub fn report(file: &Value) -> Vec<Finding> {
    // Schema v2 is read through the classic model; its parts carry their v2 paths (`__path`).
    if let Some(c) = super::v2::to_v1(file) {
        let mut out: Vec<Finding> = c
            .notes
            .into_iter()
            .map(|(path, what)| Finding { path, what })
            .collect();
        out.extend(report(&c.v1));
        return out;
    }
    let (root, prefix) = match file.get("dashboard") {
        Some(d) if d.is_object() => (d, "dashboard."),
        _ => (file, ""),
    };
    let mut out = Vec::new();
    let mut find = |path: String, what: String| out.push(Finding { path, what });
    let mut panels: Vec<(String, &Value)> = Vec::new();
    for (i, p) in array(root, "panels").iter().enumerate() {
        let path = format!("{prefix}panels[{i}]");
        panels.push((path.clone(), p));
        for (j, c) in array(p, "panels").iter().enumerate() {
            panels.push((format!("{path}.panels[{j}]"), c));
        }
    }
    for (i, row) in array(root, "rows").iter().enumerate() {
        for (j, p) in array(row, "panels").iter().enumerate() {
            panels.push((format!("{prefix}rows[{i}].panels[{j}]"), p));
        }
    }
    for (path, p) in panels {
        match p.get("__path").and_then(Value::as_str) {
            Some(v2) => panel(v2, V2_PARTS, p, &mut find),
            None => panel(&path, V1_PARTS, p, &mut find),
        }
    }
    for (i, v) in array(root.get("templating").unwrap_or(&Value::Null), "list")
        .iter()
        .enumerate()
    {
        let kind = text(v, "type");
        let kind = if kind.is_empty() { "query" } else { kind };
        if !VARIABLES.contains(&kind) {
            find(
                own_path(v).unwrap_or_else(|| format!("{prefix}templating.list[{i}]")),
                format!(
                    "variable {:?} of type {kind:?}: not resolved (its value is empty)",
                    text(v, "name")
                ),
            );
        }
    }
    for (i, a) in array(root.get("annotations").unwrap_or(&Value::Null), "list")
        .iter()
        .enumerate()
    {
        let built_in = a.get("builtIn").and_then(Value::as_u64) == Some(1);
        let enabled = a.get("enable").and_then(Value::as_bool).unwrap_or(true);
        if !built_in && enabled {
            find(
                own_path(a).unwrap_or_else(|| format!("{prefix}annotations.list[{i}]")),
                format!("annotation query {:?}: not drawn", text(a, "name")),
            );
        }
    }
    out
}

/// Where a panel's parts are below its path, in the classic model and in schema v2.
struct Parts {
    library: &'static str,
    kind: &'static str,
    transformations: &'static str,
}

const V1_PARTS: Parts = Parts {
    library: ".libraryPanel",
    kind: ".type",
    transformations: ".transformations",
};

const V2_PARTS: Parts = Parts {
    library: "",
    kind: ".spec.vizConfig",
    transformations: ".spec.data.spec.transformations",
};

/// The v2 path a converted part carries.
fn own_path(v: &Value) -> Option<String> {
    v.get("__path").and_then(Value::as_str).map(str::to_string)
}

fn panel(path: &str, parts: Parts, p: &Value, find: &mut impl FnMut(String, String)) {
    if p.get("libraryPanel").is_some() {
        find(
            format!("{path}{}", parts.library),
            "a library panel: its model lives in Grafana's database and is not resolved; paste the panel's JSON instead".into(),
        );
        return;
    }
    let kind = text(p, "type");
    if PanelKind::from_type(kind) == PanelKind::Unsupported {
        find(
            format!("{path}{}", parts.kind),
            format!("panel type {kind:?}: not rendered (a placeholder names it)"),
        );
    }
    for (k, t) in array(p, "transformations").iter().enumerate() {
        if t.get("disabled").and_then(Value::as_bool).unwrap_or(false) {
            continue;
        }
        if let super::transform::Transform::Unsupported { id, why } = super::transform::parse(t) {
            find(
                format!("{path}{}[{k}]", parts.transformations),
                format!("transformation {id:?}: not applied ({why})"),
            );
        }
    }
    let panel_type = datasource_type(p.get("datasource"));
    for (k, t) in array(p, "targets").iter().enumerate() {
        let ds = datasource_type(t.get("datasource")).or(panel_type.clone());
        if let Some(ds) = ds.filter(|d| !QUERIED.contains(&d.as_str())) {
            find(
                own_path(t).unwrap_or_else(|| format!("{path}.targets[{k}]")),
                format!("a query to a {ds:?} datasource: not run (dashboards query Prometheus and Loki)"),
            );
        }
    }
}

/// The plugin type a datasource reference names (`{"type": "prometheus", "uid": …}`); `None`
/// for a bare name or uid, a variable, or the mixed/dashboard pseudo-datasources' own refs.
fn datasource_type(ds: Option<&Value>) -> Option<String> {
    let t = ds?.get("type")?.as_str()?;
    match t {
        "" | "datasource" => None,
        t if t.starts_with('$') => None,
        t => Some(t.to_string()),
    }
}

/// `v[key]` as a slice (empty when missing or not an array); shared with `v2`.
pub(super) fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `v[key]` as text (empty when missing or not a string); shared with `v2`.
pub(super) fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_unrendered_feature_is_named_by_its_path() {
        let d = json!({"dashboard": {
            "panels": [
                {"type": "timeseries", "targets": [{"expr": "up", "datasource": {"type": "prometheus"}}]},
                {"type": "candlestick", "transformations": [{"id": "organize"}, {"id": "prepareTimeSeries"}, {"id": "merge", "disabled": true}]},
                {"type": "row", "repeat": "ns", "panels": [{"type": "table", "targets": [{"datasource": {"type": "elasticsearch", "uid": "es"}}]}]},
                {"libraryPanel": {"uid": "lib"}},
            ],
            "rows": [{"panels": [{"type": "news"}]}],
            "templating": {"list": [{"name": "ns", "type": "query"}, {"name": "f", "type": "adhoc"}]},
            "annotations": {"list": [{"builtIn": 1, "name": "Annotations & Alerts"}, {"name": "deploys", "enable": true}]}
        }});
        let found: Vec<(String, String)> =
            report(&d).into_iter().map(|f| (f.path, f.what)).collect();
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "dashboard.panels[1].type",
                "dashboard.panels[1].transformations[1]",
                "dashboard.panels[2].panels[0].targets[0]",
                "dashboard.panels[3].libraryPanel",
                "dashboard.rows[0].panels[0].type",
                "dashboard.templating.list[1]",
                "dashboard.annotations.list[1]",
            ],
            "{found:#?}"
        );
        assert!(found[0].1.contains("\"candlestick\""));
        assert!(
            found[1].1.contains("\"prepareTimeSeries\": not applied"),
            "organize runs: {found:#?}"
        );
        // The row's repeat is expanded: nothing to name.
        assert!(found[2].1.contains("elasticsearch"));
    }

    #[test]
    fn a_dashboard_that_renders_whole_has_no_findings_and_v2_parts_are_named_by_their_v2_paths() {
        let ok = json!({"panels": [{"type": "stat", "targets": [{"expr": "up"}]}],
                        "templating": {"list": [{"name": "ds", "type": "datasource"}]}});
        assert!(report(&ok).is_empty());
        let v2 = json!({"spec": {"elements": {
            "p": {"kind": "Panel", "spec": {"id": 1, "vizConfig": {"kind": "VizConfig", "group": "geomap"},
                "data": {"kind": "QueryGroup", "spec": {"queries": [{"kind": "PanelQuery", "spec": {"refId": "A",
                    "query": {"kind": "DataQuery", "group": "elasticsearch", "datasource": {"name": "es"}, "spec": {}}}}],
                    "transformations": [{"kind": "merge", "spec": {"id": "merge"}}, {"kind": "partitionByValues", "spec": {"id": "partitionByValues"}}]}}}},
            "lib": {"kind": "LibraryPanel", "spec": {"id": 2, "libraryPanel": {"uid": "l"}}}},
            "layout": {"kind": "TabsLayout", "spec": {"tabs": [{"kind": "TabsLayoutTab", "spec": {"title": "t",
                "layout": {"kind": "GridLayout", "spec": {"items": [
                    {"kind": "GridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "p"}}},
                    {"kind": "GridLayoutItem", "spec": {"element": {"kind": "ElementReference", "name": "lib"}}}]}}}}]}},
            "variables": [{"kind": "GroupByVariable", "spec": {"name": "by"}}]}});
        let paths: Vec<String> = report(&v2).into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "spec.layout",
                "spec.elements[\"p\"].spec.vizConfig",
                "spec.elements[\"p\"].spec.data.spec.transformations[1]",
                "spec.elements[\"p\"].spec.data.spec.queries[0]",
                "spec.elements[\"lib\"]",
                "spec.variables[0]",
            ]
        );
    }

    #[test]
    fn every_fixture_panel_either_renders_or_is_named_by_the_report() {
        let mut files = 0;
        for path in crate::model::fixture_files("grafana-dashboards") {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let raw: Value = serde_json::from_str(&text).unwrap();
            let found = report(&raw);
            let d = crate::model::dashboard::import(&text, "x").unwrap();
            let placeholders = d
                .all_panels()
                .into_iter()
                .filter(|p| p.kind == PanelKind::Unsupported)
                .count();
            let named = found
                .iter()
                .filter(|f| {
                    (f.path.ends_with(".type") || f.path.ends_with(".vizConfig"))
                        && f.what.contains("not rendered")
                        || f.what.starts_with("a library panel")
                })
                .count();
            assert_eq!(placeholders, named, "{}: {found:#?}", path.display());
            let transformations: usize = d
                .all_panels()
                .into_iter()
                .map(|p| {
                    p.transformations
                        .iter()
                        .filter(|t| {
                            matches!(t, super::super::transform::Transform::Unsupported { .. })
                        })
                        .count()
                })
                .sum();
            assert_eq!(
                transformations,
                found
                    .iter()
                    .filter(|f| f.what.starts_with("transformation"))
                    .count(),
                "{}",
                path.display()
            );
        }
        assert!(
            files >= 40,
            "the fixtures are there, the kube-prometheus set too"
        );
    }
}
