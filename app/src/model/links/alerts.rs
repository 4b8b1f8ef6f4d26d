//! From an alert to where to look next: the dashboard its annotations name, else the dashboard
//! whose panels query the alert's metrics; and the PromQL expression behind an alert (from
//! Prometheus' generator URL). Pure.

use crate::model::links::{self, Hop};
use std::collections::BTreeMap;

const KEYWORDS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
    "atan2",
    // Aggregations may be followed by `by (…)` instead of their parenthesis.
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
];

/// Metric names an expression reads: identifiers outside label matchers, ranges and strings
/// that are not function calls, aggregation keywords or grouping labels.
pub fn metric_names(expr: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut depth_brace = 0;
    let mut depth_bracket = 0;
    let mut grouping = false; // inside `by (…)` / `on (…)` label lists
    let mut last_word = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '{' => depth_brace += 1,
            '}' => depth_brace -= 1,
            '[' => depth_bracket += 1,
            ']' => depth_bracket -= 1,
            '(' if matches!(
                last_word.as_str(),
                "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
            ) =>
            {
                grouping = true
            }
            ')' if grouping => grouping = false,
            // Numbers and durations (`0.95`, `5m`, `1e3`) are literals, not names.
            c if c.is_ascii_digit() => {
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric() || chars[i + 1] == '.')
                {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i + 1 < chars.len()
                    && (chars[i + 1].is_ascii_alphanumeric()
                        || chars[i + 1] == '_'
                        || chars[i + 1] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..=i].iter().collect();
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                let is_call = chars.get(j) == Some(&'(');
                if depth_brace == 0
                    && depth_bracket == 0
                    && !grouping
                    && !is_call
                    && !KEYWORDS.contains(&word.to_lowercase().as_str())
                    && !out.contains(&word)
                {
                    out.push(word.clone());
                }
                last_word = word;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The expression in a Prometheus generator URL (`…/graph?g0.expr=…`).
pub fn expr_from_generator_url(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == "g0.expr").then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// A dashboard as the correlation sees it: where it lives and what its panels query.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardIndex {
    pub uid: String,
    pub url: String,
    pub exprs: Vec<String>,
    /// Its variables' names (an alert's labels fill the ones it has).
    pub vars: Vec<String>,
}

/// The dashboard for an alert: `dashboard_uid` or `dashboard_url` annotations first (only
/// relative or http(s) URLs), else the dashboard with the most panel queries reading the alert's
/// metrics (ties: the first in the list).
pub fn dashboard_for<'a>(
    annotations: &BTreeMap<String, String>,
    alert_expr: Option<&str>,
    dashboards: &'a [DashboardIndex],
) -> Option<AlertDashboard<'a>> {
    if let Some(uid) = annotations.get("dashboard_uid").filter(|u| !u.is_empty()) {
        return Some(
            dashboards
                .iter()
                .find(|d| &d.uid == uid)
                .map(AlertDashboard::Indexed)
                .unwrap_or_else(|| AlertDashboard::Elsewhere(format!("/d/{uid}"))),
        );
    }
    if let Some(url) = annotations.get("dashboard_url").filter(|u| {
        let l = u.to_ascii_lowercase();
        l.starts_with('/') || l.starts_with("http://") || l.starts_with("https://")
    }) {
        return Some(AlertDashboard::Elsewhere(url.clone()));
    }
    let metrics = metric_names(alert_expr?);
    if metrics.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &DashboardIndex)> = None;
    for d in dashboards {
        let hits = d
            .exprs
            .iter()
            .filter(|e| metric_names(e).iter().any(|m| metrics.contains(m)))
            .count();
        if hits > 0 && best.is_none_or(|(b, _)| hits > b) {
            best = Some((hits, d));
        }
    }
    best.map(|(_, d)| AlertDashboard::Indexed(d))
}

/// Where an alert's dashboard is: one of ours (its variables known), or a URL an annotation names.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertDashboard<'a> {
    Indexed(&'a DashboardIndex),
    Elsewhere(String),
}

impl AlertDashboard<'_> {
    /// The link opened on the alert: its window and, on our dashboards, its labels as variables.
    /// A URL elsewhere is left as written (its parameters are not ours to guess).
    pub fn link(
        &self,
        labels: &BTreeMap<String, String>,
        starts_ms: Option<i64>,
        ends_ms: Option<i64>,
    ) -> String {
        match self {
            AlertDashboard::Indexed(d) => dashboard_link(d, labels, starts_ms, ends_ms),
            AlertDashboard::Elsewhere(url) if url.starts_with('/') => {
                links::dashboard(url, &Hop::alert_window(starts_ms, ends_ms))
            }
            AlertDashboard::Elsewhere(url) => url.clone(),
        }
    }
}

/// Explore in logs mode for an alert: a selector from its workload labels, over its window.
pub fn logs_link(
    labels: &BTreeMap<String, String>,
    starts_ms: Option<i64>,
    ends_ms: Option<i64>,
) -> Option<String> {
    let selector = links::logs_selector(labels)?;
    Some(links::explore_logs(
        &selector,
        &Hop::alert_window(starts_ms, ends_ms),
    ))
}

/// Explore in traces mode for an alert: the traces of its service over its window, only the
/// failing ones (`error=true`) when the alert is about errors or availability, so the first dot
/// to click is a culprit.
pub fn traces_link(
    labels: &BTreeMap<String, String>,
    starts_ms: Option<i64>,
    ends_ms: Option<i64>,
) -> Option<String> {
    let service = links::service_of(labels)?;
    let name = labels
        .get("alertname")
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default();
    let about_errors = ["error", "fail", "5xx", "availability", "budget", "down"]
        .iter()
        .any(|w| name.contains(w));
    Some(links::explore_traces(
        Some(service),
        about_errors.then_some("error=true"),
        &Hop::alert_window(starts_ms, ends_ms),
    ))
}

/// An alert's dashboard opened on the alert: its window, and its labels as the dashboard's
/// variables where they have one (`service` → `var-service`).
pub fn dashboard_link(
    dashboard: &DashboardIndex,
    labels: &BTreeMap<String, String>,
    starts_ms: Option<i64>,
    ends_ms: Option<i64>,
) -> String {
    links::dashboard(
        &dashboard.url,
        &Hop::alert_window(starts_ms, ends_ms).vars_from_labels(labels, &dashboard.vars),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_links_name_the_service_and_filter_errors_for_error_alerts() {
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            traces_link(
                &labels(&[("alertname", "HighErrorRate"), ("service", "orchestrator")]),
                Some(1_000_000),
                Some(2_000_000)
            )
            .unwrap(),
            "/explore?mode=traces&service=orchestrator&tags=error%3Dtrue&from=700000&to=2000000"
        );
        assert_eq!(
            traces_link(
                &labels(&[("alertname", "HighLatencyP99"), ("job", "executor")]),
                None,
                None
            )
            .unwrap(),
            "/explore?mode=traces&service=executor"
        );
        assert_eq!(
            traces_link(&labels(&[("alertname", "Watchdog")]), None, None),
            None
        );
    }

    #[test]
    fn metric_names_skip_functions_labels_and_keywords() {
        assert_eq!(
            metric_names(
                r#"sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.05"#
            ),
            vec!["http_requests_total"]
        );
        assert_eq!(
            metric_names(
                r#"up{job=~"orchestrator|arms"} == 0 or absent(pg_up) unless on(instance) node_load1 offset 5m"#
            ),
            vec!["up", "pg_up", "node_load1"]
        );
        assert_eq!(
            metric_names(
                "histogram_quantile(0.95, sum by (le) (rate(task_duration_seconds_bucket[5m])))"
            ),
            vec!["task_duration_seconds_bucket"]
        );
    }

    #[test]
    fn logs_links_use_stream_labels_and_the_active_window() {
        let labels: BTreeMap<String, String> = [
            ("alertname", "HighErrorRate"),
            ("service", "orchestrator"),
            ("severity", "critical"),
            ("job", "orchestrator"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = logs_link(&labels, Some(1_000_000), None).unwrap();
        assert_eq!(
            url,
            "/explore?mode=logs&query=%7Bservice%3D%22orchestrator%22%7D&from=700000&to=now"
        );
        let only_severity: BTreeMap<String, String> =
            [("severity".to_string(), "x".to_string())].into();
        assert_eq!(logs_link(&only_severity, None, None), None);
    }

    #[test]
    fn generator_urls_carry_the_expression() {
        let url = "http://127.0.0.1:9090/graph?g0.expr=arm_availability+%3D%3D+0&g0.tab=1";
        assert_eq!(
            expr_from_generator_url(url).as_deref(),
            Some("arm_availability == 0")
        );
        assert_eq!(expr_from_generator_url("http://x/graph"), None);
    }

    #[test]
    fn annotations_win_then_metric_overlap() {
        let dashboards = vec![
            DashboardIndex {
                uid: "a".into(),
                url: "/d/a/alpha".into(),
                exprs: vec!["sum(up)".into()],
                vars: vec![],
            },
            DashboardIndex {
                uid: "b".into(),
                url: "/d/b/beta".into(),
                exprs: vec![
                    "rate(http_requests_total[5m])".into(),
                    "sum(http_requests_total)".into(),
                ],
                vars: vec!["service".into()],
            },
        ];
        let mut ann = BTreeMap::new();
        let labels: BTreeMap<String, String> = [
            ("service".to_string(), "executor".to_string()),
            ("severity".to_string(), "warning".to_string()),
        ]
        .into();
        let link = |ann: &BTreeMap<String, String>, expr: Option<&str>| {
            dashboard_for(ann, expr, &dashboards).map(|d| d.link(&labels, Some(600_000), None))
        };
        assert_eq!(
            link(&ann, Some("rate(http_requests_total[1m]) > 1")).as_deref(),
            Some("/d/b/beta?from=300000&to=now&var-service=executor"),
            "the alert's window and its service as the dashboard's variable"
        );
        assert_eq!(dashboard_for(&ann, Some("pg_up == 0"), &dashboards), None);
        ann.insert(
            "dashboard_url".to_string(),
            "javascript:alert(1)".to_string(),
        );
        assert_eq!(
            dashboard_for(&ann, Some("pg_up == 0"), &dashboards),
            None,
            "unsafe URLs are ignored"
        );
        ann.insert("dashboard_uid".to_string(), "a".to_string());
        assert_eq!(
            link(&ann, None).as_deref(),
            Some("/d/a/alpha?from=300000&to=now"),
            "no variable the dashboard does not have"
        );
        ann.insert("dashboard_uid".to_string(), String::new());
        ann.insert(
            "dashboard_url".to_string(),
            "https://grafana.example/d/x?orgId=1".to_string(),
        );
        assert_eq!(
            link(&ann, None).as_deref(),
            Some("https://grafana.example/d/x?orgId=1")
        );
    }
}
