//! Grafana's correlation settings, read from datasource `jsonData`, and the links they make:
//! Loki `derivedFields` (a log line → its trace) and Tempo/Jaeger `tracesToLogsV2` (a span → its
//! logs), Prometheus `exemplarTraceIdDestinations` (an exemplar → its trace). Without settings
//! the defaults below make the demo work out of the box. Pure.

use crate::model::logs::trace_id_of;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A datasource's correlation settings, checked at provisioning time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Correlations {
    /// Loki: `jsonData.derivedFields`.
    pub derived_fields: Vec<DerivedField>,
    /// Jaeger/Tempo: `jsonData.tracesToLogsV2`.
    pub traces_to_logs: Option<TracesToLogs>,
    /// Prometheus: `jsonData.exemplarTraceIdDestinations`.
    #[serde(default)]
    pub exemplar_destinations: Vec<ExemplarDestination>,
}

impl Correlations {
    /// From a datasource's whole `jsonData` (as JSON); absent keys are defaults.
    pub fn from_json_data(json_data: &serde_json::Value) -> Result<Self, String> {
        Ok(Correlations {
            derived_fields: match json_data.get("derivedFields") {
                Some(v) => parse_derived_fields(v)?,
                None => Vec::new(),
            },
            traces_to_logs: json_data
                .get("tracesToLogsV2")
                .map(parse_traces_to_logs)
                .transpose()?,
            exemplar_destinations: match json_data.get("exemplarTraceIdDestinations") {
                Some(v) => parse_exemplar_destinations(v)?,
                None => Vec::new(),
            },
        })
    }
}

/// One Loki `derivedFields` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DerivedField {
    pub name: String,
    /// A regex whose first group is the value (`matcherType: regex`, the default), or the name of
    /// the label that holds it (`matcherType: label`).
    #[serde(default)]
    pub matcher_regex: String,
    #[serde(default)]
    pub matcher_type: Option<String>,
    /// With `datasourceUid`: the query for that datasource (for a tracing one, the trace id),
    /// default `${__value.raw}`. Without: an external http(s) URL template.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub datasource_uid: Option<String>,
    #[serde(default)]
    pub url_display_label: Option<String>,
}

impl DerivedField {
    fn by_label(&self) -> bool {
        self.matcher_type.as_deref() == Some("label")
    }
}

/// A link from a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLink {
    pub label: String,
    pub href: String,
    /// True for a link to the console's own trace view.
    pub to_trace: bool,
}

/// Checks `jsonData.derivedFields` as provisioned; the message names the entry and the fix.
pub fn parse_derived_fields(v: &serde_json::Value) -> Result<Vec<DerivedField>, String> {
    let fields: Vec<DerivedField> = serde_json::from_value(v.clone()).map_err(|e| {
        format!("jsonData.derivedFields must be a list of {{name, matcherRegex, url, datasourceUid}} ({e})")
    })?;
    for (i, f) in fields.iter().enumerate() {
        let at = format!("jsonData.derivedFields[{i}] ({:?})", f.name);
        if f.matcher_regex.trim().is_empty() {
            return Err(format!("{at}: matcherRegex is empty"));
        }
        if !f.by_label() {
            let re = regex_lite::Regex::new(&f.matcher_regex)
                .map_err(|e| format!("{at}: matcherRegex does not compile ({e})"))?;
            if re.captures_len() < 2 {
                return Err(format!(
                    "{at}: matcherRegex needs a capture group around the value, e.g. \"trace_id\":\"(\\w+)\""
                ));
            }
        }
        if f.datasource_uid.is_none()
            && !(f.url.starts_with("http://") || f.url.starts_with("https://"))
        {
            return Err(format!(
                "{at}: set datasourceUid (a link inside the console) or an http(s) url"
            ));
        }
    }
    Ok(fields)
}

/// Derived fields with their regexes compiled once per page.
pub struct CompiledFields(Vec<(DerivedField, Option<regex_lite::Regex>)>);

impl CompiledFields {
    pub fn new(fields: &[DerivedField]) -> Self {
        CompiledFields(
            fields
                .iter()
                .map(|f| {
                    let re = (!f.by_label())
                        .then(|| regex_lite::Regex::new(&f.matcher_regex).ok())
                        .flatten();
                    (f.clone(), re)
                })
                .collect(),
        )
    }

    /// The links of one line. With no derived fields configured: Grafana's default, a trace id
    /// in the JSON/logfmt field `trace_id` (or a `trace_id` label) to the default tracing
    /// datasource. `time` is the `from=…&to=…` pair to keep.
    pub fn links(
        &self,
        line: &str,
        labels: &BTreeMap<String, String>,
        time: &str,
    ) -> Vec<LineLink> {
        if self.0.is_empty() {
            return trace_id_of(line, labels)
                .map(|id| LineLink {
                    label: "Trace".into(),
                    href: format!("/trace/{id}?{time}"),
                    to_trace: true,
                })
                .into_iter()
                .collect();
        }
        let mut out = Vec::new();
        for (f, re) in &self.0 {
            let value = if f.by_label() {
                labels.get(&f.matcher_regex).cloned()
            } else {
                re.as_ref()
                    .and_then(|re| re.captures(line))
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str().to_string())
            };
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            let label = f
                .url_display_label
                .clone()
                .unwrap_or_else(|| f.name.clone());
            let link = match &f.datasource_uid {
                Some(uid) => {
                    let template = if f.url.trim().is_empty() {
                        "${__value.raw}"
                    } else {
                        &f.url
                    };
                    let id = template.replace("${__value.raw}", &value);
                    LineLink {
                        label,
                        href: format!(
                            "/trace/{}?datasource={}&{time}",
                            crate::model::url_state::encode_component(id.trim()),
                            crate::model::url_state::encode_component(uid)
                        ),
                        to_trace: true,
                    }
                }
                None => LineLink {
                    label,
                    href: f.url.replace(
                        "${__value.raw}",
                        &crate::model::url_state::encode_component(&value),
                    ),
                    to_trace: false,
                },
            };
            out.push(link);
        }
        out
    }
}

/// One Prometheus `exemplarTraceIdDestinations` entry: the exemplar label holding the trace id,
/// and where it leads (a tracing datasource of the console, or an external URL template).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemplarDestination {
    pub name: String,
    #[serde(default)]
    pub datasource_uid: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_display_label: Option<String>,
}

/// Checks `jsonData.exemplarTraceIdDestinations` as provisioned.
pub fn parse_exemplar_destinations(
    v: &serde_json::Value,
) -> Result<Vec<ExemplarDestination>, String> {
    let dests: Vec<ExemplarDestination> = serde_json::from_value(v.clone()).map_err(|e| {
        format!("jsonData.exemplarTraceIdDestinations must be a list of {{name, datasourceUid}} or {{name, url}} ({e})")
    })?;
    for (i, d) in dests.iter().enumerate() {
        let at = format!("jsonData.exemplarTraceIdDestinations[{i}]");
        if d.name.trim().is_empty() {
            return Err(format!(
                "{at}: name (the exemplar label with the trace id, e.g. trace_id) is empty"
            ));
        }
        let url_ok = d
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("http://") || u.starts_with("https://"));
        if d.datasource_uid.is_none() && !url_ok {
            return Err(format!(
                "{at} ({:?}): set datasourceUid (a trace view inside the console) or an http(s) url",
                d.name
            ));
        }
    }
    Ok(dests)
}

/// The links of one exemplar (its labels). With no destinations configured: a `trace_id` label
/// opens the default tracing datasource. `time` is the `from=…&to=…` pair to keep.
pub fn exemplar_links(
    dests: &[ExemplarDestination],
    labels: &BTreeMap<String, String>,
    time: &str,
) -> Vec<LineLink> {
    use crate::model::url_state::encode_component;
    if dests.is_empty() {
        return labels
            .get("trace_id")
            .filter(|v| !v.is_empty())
            .map(|id| LineLink {
                label: "Trace".into(),
                href: format!("/trace/{}?{time}", encode_component(id)),
                to_trace: true,
            })
            .into_iter()
            .collect();
    }
    dests
        .iter()
        .filter_map(|d| {
            let value = labels.get(&d.name).filter(|v| !v.is_empty())?;
            let label = d
                .url_display_label
                .clone()
                .unwrap_or_else(|| format!("Trace ({})", d.name));
            Some(match (&d.datasource_uid, &d.url) {
                (Some(uid), _) => LineLink {
                    label,
                    href: format!(
                        "/trace/{}?datasource={}&{time}",
                        encode_component(value),
                        encode_component(uid)
                    ),
                    to_trace: true,
                },
                (None, Some(url)) => LineLink {
                    label,
                    href: url.replace("${__value.raw}", &encode_component(value)),
                    to_trace: false,
                },
                (None, None) => return None,
            })
        })
        .collect()
}

/// `tracesToLogsV2`: from a span to the logs of its service around its time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TracesToLogs {
    /// The Loki datasource; default: the default Loki.
    #[serde(default)]
    pub datasource_uid: Option<String>,
    /// Shifts of the span's start and end (`-1m`, `30s`, …); defaults −1m and +1m.
    #[serde(default)]
    pub span_start_time_shift: Option<String>,
    #[serde(default)]
    pub span_end_time_shift: Option<String>,
    /// Span/resource attributes that become stream selector labels.
    #[serde(default = "default_tags")]
    pub tags: Vec<TagMapping>,
    #[serde(default, rename = "filterByTraceID")]
    pub filter_by_trace_id: bool,
    #[serde(default, rename = "filterBySpanID")]
    pub filter_by_span_id: bool,
    #[serde(default)]
    pub custom_query: bool,
    #[serde(default)]
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagMapping {
    /// The attribute: `service.name` is the span's service; others are looked up in the
    /// process/resource attributes, then the span's own tags.
    pub key: String,
    /// The Loki label; default: the key with dots as underscores (as Grafana does).
    #[serde(default)]
    pub value: Option<String>,
}

fn default_tags() -> Vec<TagMapping> {
    vec![TagMapping {
        key: "service.name".into(),
        value: Some("service".into()),
    }]
}

impl Default for TracesToLogs {
    /// What the console does without settings: the span's service as `service`, lines that
    /// carry the trace id, a minute either side.
    fn default() -> Self {
        TracesToLogs {
            datasource_uid: None,
            span_start_time_shift: None,
            span_end_time_shift: None,
            tags: default_tags(),
            filter_by_trace_id: true,
            filter_by_span_id: false,
            custom_query: false,
            query: None,
        }
    }
}

/// Checks `jsonData.tracesToLogsV2` as provisioned.
pub fn parse_traces_to_logs(v: &serde_json::Value) -> Result<TracesToLogs, String> {
    let t: TracesToLogs = serde_json::from_value(v.clone()).map_err(|e| {
        format!("jsonData.tracesToLogsV2 must be {{datasourceUid, tags, filterByTraceID, …}} ({e})")
    })?;
    for (name, shift) in [
        ("spanStartTimeShift", &t.span_start_time_shift),
        ("spanEndTimeShift", &t.span_end_time_shift),
    ] {
        if let Some(s) = shift {
            shift_ms(s).ok_or_else(|| {
                format!("jsonData.tracesToLogsV2.{name} = {s:?} is not a duration like -1m or 30s")
            })?;
        }
    }
    if t.custom_query && t.query.as_deref().unwrap_or("").trim().is_empty() {
        return Err("jsonData.tracesToLogsV2: customQuery is on but query is empty".into());
    }
    Ok(t)
}

/// `-1m`, `30s`, `1h`, `0` → milliseconds.
fn shift_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s == "0" || s.is_empty() {
        return Some(0);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let ms = crate::model::duration::parse_ms(body)?;
    Some(if neg { -ms } else { ms })
}

/// What a span offers to the logs link.
pub struct SpanRef<'a> {
    pub trace_id: &'a str,
    pub span_id: &'a str,
    pub service: &'a str,
    pub start_us: i64,
    pub duration_us: i64,
    pub tags: &'a [(String, String)],
    pub process_tags: &'a [(String, String)],
}

/// A logs query for a span: (LogQL, from ms, to ms). None when no mapped attribute is on the
/// span (Grafana shows no link then: an unfiltered selector would be every log).
pub fn span_logs_query(cfg: &TracesToLogs, span: &SpanRef) -> Option<(String, i64, i64)> {
    let attr = |key: &str| -> Option<String> {
        if key == "service.name" {
            return Some(span.service.to_string()).filter(|s| !s.is_empty());
        }
        span.process_tags
            .iter()
            .chain(span.tags.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let matchers: Vec<String> = cfg
        .tags
        .iter()
        .filter_map(|t| {
            let label = t
                .value
                .clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| t.key.replace('.', "_"));
            attr(&t.key).map(|v| format!("{label}={}", crate::model::links::quote(&v)))
        })
        .collect();
    let query = if cfg.custom_query {
        let mut q = cfg.query.clone().unwrap_or_default();
        q = q
            .replace("${__tags}", &matchers.join(", "))
            .replace("${__span.traceId}", span.trace_id)
            .replace("${__trace.traceId}", span.trace_id)
            .replace("${__span.spanId}", span.span_id);
        // ${__span.tags["key"]} and ${__span.tags.key}
        while let Some(start) = q.find("${__span.tags") {
            let Some(len) = q[start..].find('}') else {
                break;
            };
            let inner = &q[start + "${__span.tags".len()..start + len];
            let key = inner
                .trim_start_matches('.')
                .trim_start_matches("[\"")
                .trim_end_matches("\"]")
                .to_string();
            let value = attr(&key).unwrap_or_default();
            q.replace_range(start..start + len + 1, &value);
        }
        q
    } else {
        if matchers.is_empty() {
            return None;
        }
        let mut q = format!("{{{}}}", matchers.join(", "));
        if cfg.filter_by_trace_id {
            q.push_str(&format!(" |= \"{}\"", span.trace_id));
        }
        if cfg.filter_by_span_id {
            q.push_str(&format!(" |= \"{}\"", span.span_id));
        }
        q
    };
    let start_shift = cfg
        .span_start_time_shift
        .as_deref()
        .and_then(shift_ms)
        .unwrap_or(-60_000);
    let end_shift = cfg
        .span_end_time_shift
        .as_deref()
        .and_then(shift_ms)
        .unwrap_or(60_000);
    let from = span.start_us / 1000 + start_shift;
    let to = (span.start_us + span.duration_us) / 1000 + end_shift;
    Some((query, from, to.max(from + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels;
    use serde_json::json;

    #[test]
    fn without_derived_fields_the_json_trace_id_links_to_the_trace_view() {
        let links = CompiledFields::new(&[]).links(
            r#"{"level":"error","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#,
            &labels(&[]),
            "from=1&to=2",
        );
        assert_eq!(
            links,
            vec![LineLink {
                label: "Trace".into(),
                href: "/trace/4bf92f3577b34da6a3ce929d0e0e4736?from=1&to=2".into(),
                to_trace: true
            }]
        );
    }

    #[test]
    fn derived_fields_by_regex_label_and_external_url() {
        let fields = parse_derived_fields(&json!([
            {"name": "TraceID", "matcherRegex": "traceID=(\\w+)", "url": "${__value.raw}", "datasourceUid": "tempo", "urlDisplayLabel": "Open in Tempo"},
            {"name": "Request", "matcherType": "label", "matcherRegex": "request_id", "url": "https://tickets.example/r/${__value.raw}"}
        ]))
        .unwrap();
        let c = CompiledFields::new(&fields);
        let links = c.links(
            "level=error traceID=abc123 msg=boom",
            &labels(&[("request_id", "r 1")]),
            "from=now-1h&to=now",
        );
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].label, "Open in Tempo");
        assert_eq!(
            links[0].href,
            "/trace/abc123?datasource=tempo&from=now-1h&to=now"
        );
        assert!(links[0].to_trace);
        assert_eq!(links[1].href, "https://tickets.example/r/r%201");
        assert!(!links[1].to_trace);
        // A line the regex does not match gets no link from it (and no default either).
        assert!(c
            .links(r#"{"trace_id":"4bf92f3577b34da6"}"#, &labels(&[]), "")
            .is_empty());
    }

    #[test]
    fn broken_derived_fields_say_which_and_how_to_fix() {
        let e = parse_derived_fields(
            &json!([{"name": "T", "matcherRegex": "(", "datasourceUid": "x"}]),
        )
        .unwrap_err();
        assert!(
            e.contains("derivedFields[0]") && e.contains("does not compile"),
            "{e}"
        );
        let e = parse_derived_fields(
            &json!([{"name": "T", "matcherRegex": "trace=\\w+", "datasourceUid": "x"}]),
        )
        .unwrap_err();
        assert!(e.contains("capture group"), "{e}");
        let e = parse_derived_fields(
            &json!([{"name": "T", "matcherRegex": "t=(\\w+)", "url": "javascript:alert(1)"}]),
        )
        .unwrap_err();
        assert!(e.contains("http(s) url"), "{e}");
        assert!(parse_derived_fields(&json!({"name": "T"})).is_err());
    }

    fn span<'a>(tags: &'a [(String, String)], process: &'a [(String, String)]) -> SpanRef<'a> {
        SpanRef {
            trace_id: "t1",
            span_id: "s1",
            service: "executor",
            start_us: 10_000_000,
            duration_us: 2_000_000,
            tags,
            process_tags: process,
        }
    }

    #[test]
    fn default_span_logs_query_is_the_service_with_the_trace_id_a_minute_either_side() {
        let (q, from, to) = span_logs_query(&TracesToLogs::default(), &span(&[], &[])).unwrap();
        assert_eq!(q, r#"{service="executor"} |= "t1""#);
        assert_eq!((from, to), (10_000 - 60_000, 12_000 + 60_000));
    }

    #[test]
    fn configured_tags_shifts_and_span_filter() {
        let cfg = parse_traces_to_logs(&json!({
            "datasourceUid": "loki",
            "spanStartTimeShift": "-5m", "spanEndTimeShift": "30s",
            "tags": [{"key": "service.name", "value": "service"}, {"key": "k8s.namespace.name"}],
            "filterByTraceID": false, "filterBySpanID": true
        }))
        .unwrap();
        let process = [("k8s.namespace.name".to_string(), "octollm-prod".to_string())];
        let (q, from, to) = span_logs_query(&cfg, &span(&[], &process)).unwrap();
        assert_eq!(
            q,
            r#"{service="executor", k8s_namespace_name="octollm-prod"} |= "s1""#
        );
        assert_eq!((from, to), (10_000 - 300_000, 12_000 + 30_000));
        assert_eq!(cfg.datasource_uid.as_deref(), Some("loki"));
    }

    #[test]
    fn custom_queries_interpolate_span_fields() {
        let cfg = parse_traces_to_logs(&json!({
            "customQuery": true,
            "query": "{${__tags}} | json | trace_id=\"${__span.traceId}\" | span=\"${__span.spanId}\" | route=\"${__span.tags[\"http.route\"]}\""
        }))
        .unwrap();
        let tags = [("http.route".to_string(), "/v1/task".to_string())];
        let (q, _, _) = span_logs_query(&cfg, &span(&tags, &[])).unwrap();
        assert_eq!(
            q,
            r#"{service="executor"} | json | trace_id="t1" | span="s1" | route="/v1/task""#
        );
    }

    #[test]
    fn unusable_traces_to_logs_settings_are_refused() {
        assert!(parse_traces_to_logs(&json!({"spanStartTimeShift": "soon"}))
            .unwrap_err()
            .contains("spanStartTimeShift"));
        assert!(parse_traces_to_logs(&json!({"customQuery": true}))
            .unwrap_err()
            .contains("query is empty"));
        // No mapped attribute on the span: no link rather than every log.
        let cfg = parse_traces_to_logs(&json!({"tags": [{"key": "pod"}]})).unwrap();
        assert!(span_logs_query(&cfg, &span(&[], &[])).is_none());
    }

    #[test]
    fn exemplar_destinations_internal_external_and_default() {
        let json = serde_json::json!({"exemplarTraceIdDestinations": [
            {"name": "trace_id", "datasourceUid": "jaeger"},
            {"name": "trace_id", "url": "https://tempo.example/trace/${__value.raw}", "urlDisplayLabel": "Tempo"}
        ]});
        let c = Correlations::from_json_data(&json).unwrap();
        assert_eq!(c.exemplar_destinations.len(), 2);
        let ex = labels(&[("trace_id", "abc123")]);
        let links = exemplar_links(&c.exemplar_destinations, &ex, "from=1&to=2");
        assert_eq!(links[0].href, "/trace/abc123?datasource=jaeger&from=1&to=2");
        assert!(links[0].to_trace);
        assert_eq!(links[1].href, "https://tempo.example/trace/abc123");
        assert_eq!(links[1].label, "Tempo");
        assert!(exemplar_links(&c.exemplar_destinations, &labels(&[("span", "x")]), "").is_empty());
        assert_eq!(
            exemplar_links(&[], &ex, "from=1&to=2")[0].href,
            "/trace/abc123?from=1&to=2"
        );
        let bad = serde_json::json!({"exemplarTraceIdDestinations": [{"name": "trace_id"}]});
        let e = Correlations::from_json_data(&bad).unwrap_err();
        assert!(
            e.contains("exemplarTraceIdDestinations[0]") && e.contains("datasourceUid"),
            "{e}"
        );
    }
}
