//! One rule for links between pages. A link carries what the page it leaves knows and the
//! target can use: the time range (as written: `now-1h` stays relative), the datasource where the
//! target reads the same kind, dashboard variables in their raw form, and the labels of an alert
//! or span that select something on the target (its service, namespace…). Every page builds its
//! onward links here, so they agree. Pure.

pub mod alerts;

use crate::model::url_state::encode_component;
use std::collections::BTreeMap;

/// Labels that name a workload in every signal (a Loki stream, a trace's service, a dashboard
/// variable); the rest, like `severity` or `status`, belong to one alert or series.
pub const STREAM_LABELS: &[&str] = &["namespace", "service", "app", "job", "pod", "container"];

/// A label value quoted for PromQL, LogQL and Alertmanager matchers.
pub fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `{k="v", …}` of the given labels, in their order.
pub fn selector<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    format!("{{{}}}", matchers_text(labels))
}

/// `k="v", …` of the given labels, in their order: a label set as matchers can be typed.
pub fn matchers_text<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let pairs: Vec<String> = labels
        .into_iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    pairs.join(", ")
}

/// What a link takes along from the page it leaves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hop {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Datasource uid, for a target that reads the same kind of datasource.
    pub datasource: Option<String>,
    /// Dashboard variables, `(name, value)` without the `var-` prefix, one pair per value.
    pub vars: Vec<(String, String)>,
}

impl Hop {
    /// The time range as the leaving page has it.
    pub fn range(from: &str, to: &str) -> Hop {
        Hop {
            from: Some(from.to_string()).filter(|f| !f.is_empty()),
            to: Some(to.to_string()).filter(|t| !t.is_empty()),
            ..Hop::default()
        }
    }

    /// An alert's window: from five minutes before it started until it ended, or now while it
    /// is active; no range when the start is unknown.
    pub fn alert_window(starts_ms: Option<i64>, ends_ms: Option<i64>) -> Hop {
        match (starts_ms, ends_ms) {
            (Some(s), Some(e)) if e > s => {
                Hop::range(&(s - 5 * 60_000).to_string(), &e.to_string())
            }
            (Some(s), _) => Hop::range(&(s - 5 * 60_000).to_string(), "now"),
            (None, _) => Hop::default(),
        }
    }

    pub fn datasource(mut self, uid: Option<&str>) -> Hop {
        self.datasource = uid.filter(|u| !u.is_empty()).map(str::to_string);
        self
    }

    /// The labels that are variables of the target dashboard, as its variables.
    pub fn vars_from_labels(mut self, labels: &BTreeMap<String, String>, names: &[String]) -> Hop {
        self.vars.extend(names.iter().filter_map(|n| {
            labels
                .get(n)
                .filter(|v| !v.is_empty())
                .map(|v| (n.clone(), v.clone()))
        }));
        self
    }

    fn params(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(f) = &self.from {
            out.push(("from".to_string(), f.clone()));
            out.push((
                "to".to_string(),
                self.to.clone().unwrap_or_else(|| "now".into()),
            ));
        }
        if let Some(d) = &self.datasource {
            out.push(("datasource".to_string(), d.clone()));
        }
        out.extend(
            self.vars
                .iter()
                .map(|(k, v)| (format!("var-{k}"), v.clone())),
        );
        out
    }
}

/// A link's view options, the empty ones left out.
fn non_empty<'a>(options: &'a [(&str, &str)]) -> impl Iterator<Item = (String, String)> + 'a {
    options
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
}

fn build(path: &str, mut params: Vec<(String, String)>, hop: &Hop) -> String {
    params.extend(hop.params());
    let sep = if path.contains('?') { '&' } else { '?' };
    if params.is_empty() {
        return path.to_string();
    }
    let body: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    format!("{path}{sep}{}", body.join("&"))
}

/// Explore in metrics mode with this PromQL.
pub fn explore_metrics(query: &str, hop: &Hop) -> String {
    let params = if query.is_empty() {
        vec![]
    } else {
        vec![("query".into(), query.to_string())]
    };
    build("/explore", params, hop)
}

/// Explore in logs mode with this LogQL.
pub fn explore_logs(query: &str, hop: &Hop) -> String {
    explore_logs_with(query, &[], hop)
}

/// Explore in logs mode with view options besides the query (`direction`, `limit`, `highlight`).
pub fn explore_logs_with(query: &str, options: &[(&str, &str)], hop: &Hop) -> String {
    let mut params = vec![("mode".to_string(), "logs".to_string())];
    if !query.is_empty() {
        params.push(("query".into(), query.to_string()));
    }
    params.extend(non_empty(options));
    build("/explore", params, hop)
}

/// Explore in traces mode: a service's traces, optionally filtered by tags (`error=true`).
pub fn explore_traces(service: Option<&str>, tags: Option<&str>, hop: &Hop) -> String {
    let mut params = vec![("mode".to_string(), "traces".to_string())];
    if let Some(s) = service.filter(|s| !s.is_empty()) {
        params.push(("service".into(), s.to_string()));
    }
    if let Some(t) = tags.filter(|t| !t.is_empty()) {
        params.push(("tags".into(), t.to_string()));
    }
    build("/explore", params, hop)
}

/// `/alerting/silence/new?matcher=…&matcher=…&instances=…`: a link that prefills the form.
pub fn silence_link(labels: &crate::model::alerting::Labels, instances: &[String]) -> String {
    let matchers: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    new_silence(&matchers, &[("instances", &instances.join(","))])
}

/// The silence form prefilled: `matchers` as typed (`alertname="X"`), then options such as
/// `comment`, `instances` (the clusters' datasource uids, comma-separated) or `edit` (the silence
/// it replaces); empty options are left out.
pub fn new_silence(matchers: &[String], options: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = matchers
        .iter()
        .map(|m| ("matcher".to_string(), m.clone()))
        .collect();
    params.extend(non_empty(options));
    build("/alerting/silence/new", params, &Hop::default())
}

/// The alert groups page filtered by these matchers (`alertname="X", service="y"`).
pub fn alert_groups(filter: &str) -> String {
    build(
        "/alerting/groups",
        vec![("filter".to_string(), filter.to_string())],
        &Hop::default(),
    )
}

/// The route tester with an alert's labels: where Alertmanager sends it, what groups, delays,
/// inhibits or silences it ("why was I paged, and who else got it").
pub fn route_test<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    build(
        "/status/alerting",
        vec![("labels".to_string(), matchers_text(labels))],
        &Hop::default(),
    )
}

/// A dashboard (its URL may already hold parameters) at the hop's range with its variables.
pub fn dashboard(url: &str, hop: &Hop) -> String {
    build(url, vec![], hop)
}

/// The workload labels an expression selects by equality (`service="x"` inside any `{…}` of
/// PromQL or LogQL), first occurrence wins: what a mode switch in Explore can keep.
pub fn workload_labels(expr: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = expr;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let body = &rest[open + 1..open + close];
        if let Ok(matchers) = crate::model::matchers::parse_matchers(body) {
            for m in matchers {
                use crate::model::matchers::MatchType;
                // A dashboard variable with one value reads `service=~"orchestrator"`: a regex
                // that is a plain name selects just as `=` does.
                let value = match m.kind {
                    MatchType::Equal => Some(m.value.as_str()),
                    MatchType::Regex => Some(m.value.trim_start_matches('(').trim_end_matches(')'))
                        .filter(|v| {
                            v.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                        }),
                    _ => None,
                };
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    if STREAM_LABELS.contains(&m.name.as_str()) {
                        out.entry(m.name.clone()).or_insert_with(|| v.to_string());
                    }
                }
            }
        }
        rest = &rest[open + close + 1..];
    }
    out
}

/// The service a set of labels names, for traces: `service`, else `app`, else `job`.
pub fn service_of(labels: &BTreeMap<String, String>) -> Option<&str> {
    ["service", "app", "job"]
        .iter()
        .find_map(|k| labels.get(*k).filter(|v| !v.is_empty()))
        .map(String::as_str)
}

/// The LogQL stream selector for a set of labels: their workload labels (`job` only when no
/// `service` says more: in Prometheus it is the scrape job, rarely Loki's).
pub fn logs_selector(labels: &BTreeMap<String, String>) -> Option<String> {
    let picked: Vec<(&String, &String)> = labels
        .iter()
        .filter(|(k, v)| STREAM_LABELS.contains(&k.as_str()) && !v.is_empty())
        .filter(|(k, _)| *k != "job" || !labels.contains_key("service"))
        .collect();
    (!picked.is_empty()).then(|| selector(picked))
}

/// Explore's three mode tabs from what the current mode shows: each keeps the range and the
/// workload (the logs stream of a PromQL query's service, the traces of a logs query's
/// service…). `(metrics, logs, traces)`.
pub fn mode_links(labels: &BTreeMap<String, String>, hop: &Hop) -> (String, String, String) {
    // The datasource is of the current mode's kind: the other modes use their default.
    let hop = Hop {
        datasource: None,
        ..hop.clone()
    };
    (
        explore_metrics("", &hop),
        explore_logs(&logs_selector(labels).unwrap_or_default(), &hop),
        explore_traces(service_of(labels), None, &hop),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels;

    #[test]
    fn quoting_escapes_backslashes_and_quotes() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(
            selector(&labels(&[("service", "o\"x")])),
            r#"{service="o\"x"}"#
        );
    }

    #[test]
    fn links_carry_range_datasource_and_variables() {
        let hop = Hop::range("now-1h", "now")
            .datasource(Some("prom-b"))
            .vars_from_labels(
                &labels(&[("service", "executor"), ("severity", "critical")]),
                &["service".to_string(), "namespace".to_string()],
            );
        assert_eq!(
            explore_metrics("rate(x[$__rate_interval])", &hop),
            "/explore?query=rate%28x%5B%24__rate_interval%5D%29&from=now-1h&to=now&datasource=prom-b&var-service=executor"
        );
        assert_eq!(
            dashboard(
                "/d/abc/slug?orgId=1",
                &Hop::alert_window(Some(600_000), None)
            ),
            "/d/abc/slug?orgId=1&from=300000&to=now"
        );
        assert_eq!(dashboard("/d/abc", &Hop::default()), "/d/abc");
    }

    #[test]
    fn alert_windows_end_when_the_alert_ended() {
        assert_eq!(
            Hop::alert_window(Some(1_000_000), Some(2_000_000)),
            Hop::range("700000", "2000000")
        );
        assert_eq!(Hop::alert_window(None, Some(5)), Hop::default());
    }

    #[test]
    fn mode_switches_keep_the_workload_and_the_range() {
        let expr = r#"sum(rate(http_requests_total{service="orchestrator", status=~"5.."}[5m]))"#;
        let l = workload_labels(expr);
        assert_eq!(l, labels(&[("service", "orchestrator")]));
        let (m, logs, traces) = mode_links(&l, &Hop::range("now-3h", "now").datasource(Some("p")));
        assert_eq!(m, "/explore?from=now-3h&to=now");
        assert_eq!(
            logs,
            "/explore?mode=logs&query=%7Bservice%3D%22orchestrator%22%7D&from=now-3h&to=now"
        );
        assert_eq!(
            traces,
            "/explore?mode=traces&service=orchestrator&from=now-3h&to=now"
        );
        assert!(workload_labels("up").is_empty());
        assert_eq!(
            workload_labels(r#"rate(x{service=~"executor", job=~"arm.*"}[1m])"#),
            labels(&[("service", "executor")]),
            "a one-value variable's regex selects like =, a pattern does not"
        );
        assert_eq!(
            workload_labels(r#"{service="a", level="error"} | json | service="b""#),
            labels(&[("service", "a")])
        );
    }

    #[test]
    fn logs_selectors_prefer_service_over_the_scrape_job() {
        assert_eq!(
            logs_selector(&labels(&[
                ("job", "x"),
                ("service", "y"),
                ("severity", "z")
            ]))
            .as_deref(),
            Some(r#"{service="y"}"#)
        );
        assert_eq!(
            logs_selector(&labels(&[("job", "x")])).as_deref(),
            Some(r#"{job="x"}"#)
        );
        assert_eq!(logs_selector(&labels(&[("severity", "z")])), None);
    }

    #[test]
    fn silence_links_prefill_the_form_and_leave_out_empty_options() {
        let m = vec![format!("alertname={}", quote(r#"Odd "name""#))];
        assert_eq!(
            new_silence(&m, &[("comment", "c d"), ("instances", ""), ("edit", "id-1")]),
            "/alerting/silence/new?matcher=alertname%3D%22Odd%20%5C%22name%5C%22%22&comment=c%20d&edit=id-1"
        );
    }
}
