//! Loki query API decoding: the `{status, data: {resultType, result, stats}}` envelope with
//! `streams`, `matrix` and `vector` results; Loki reports errors as plain text. Pure.

use super::prometheus::{decode_envelope, Answer, BackendError, InstantSample, RangeSeries};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogStream {
    pub stream: BTreeMap<String, String>,
    /// `[timestamp ns as string, line]`, as Loki sends them.
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum LokiResult {
    Streams(Vec<LogStream>),
    Matrix(Vec<RangeSeries>),
    Vector(Vec<InstantSample>),
}

/// One log line for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Nanoseconds since the epoch (as a string: beyond JavaScript's exact integers).
    pub ts_ns: String,
    pub labels: BTreeMap<String, String>,
    pub line: String,
}

/// The trace id a log line carries (Grafana's default derived field): the JSON field `trace_id`
/// (or `traceID`/`traceId`), else a logfmt `trace_id=…`/`traceID=…`, else a `trace_id` label.
/// Only hexadecimal ids of 16 or 32 characters count.
pub fn trace_id_of(line: &str, labels: &BTreeMap<String, String>) -> Option<String> {
    let valid =
        |s: &str| (s.len() == 16 || s.len() == 32) && s.chars().all(|c| c.is_ascii_hexdigit());
    const KEYS: [&str; 3] = ["trace_id", "traceID", "traceId"];
    if line.trim_start().starts_with('{') {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(line) {
            if let Some(id) = KEYS.iter().find_map(|k| m.get(*k).and_then(|v| v.as_str())) {
                return valid(id).then(|| id.to_ascii_lowercase());
            }
        }
    }
    for word in line.split_whitespace() {
        if let Some((k, v)) = word.split_once('=') {
            let v = v.trim_matches('"');
            if KEYS.contains(&k) && valid(v) {
                return Some(v.to_ascii_lowercase());
            }
        }
    }
    labels
        .get("trace_id")
        .filter(|v| valid(v))
        .map(|v| v.to_ascii_lowercase())
}

/// Every line of every stream, newest first, at most `limit` of them.
pub fn flatten_streams(streams: Vec<LogStream>, limit: usize) -> Vec<LogLine> {
    let mut lines: Vec<(i128, LogLine)> = streams
        .into_iter()
        .flat_map(|s| {
            let labels = s.stream;
            s.values.into_iter().map(move |(ts, line)| {
                (
                    ts.parse::<i128>().unwrap_or(0),
                    LogLine {
                        ts_ns: ts,
                        labels: labels.clone(),
                        line,
                    },
                )
            })
        })
        .collect();
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    lines.truncate(limit);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Loki answers errors as plain text with a 4xx/5xx status: that text is the message to show.
fn plain_text_error(datasource: &str, status: u16, body: &[u8]) -> Option<BackendError> {
    let plain =
        !(200..300).contains(&status) && serde_json::from_slice::<serde_json::Value>(body).is_err();
    plain.then(|| BackendError::Api {
        datasource: datasource.into(),
        error_type: format!("HTTP {status}"),
        message: String::from_utf8_lossy(body).trim().to_string(),
    })
}

/// Decodes `query`/`query_range`. Plain-text error bodies become the backend's message.
pub fn decode_loki_query(
    datasource: &str,
    status: u16,
    body: &[u8],
) -> Result<Answer<LokiResult>, BackendError> {
    if let Some(e) = plain_text_error(datasource, status, body) {
        return Err(e);
    }
    decode_envelope(datasource, status, body)
}

/// `labels`, `label/<name>/values` (lists of strings) and `series` (list of label maps).
pub fn decode_loki_list<T: serde::de::DeserializeOwned>(
    datasource: &str,
    status: u16,
    body: &[u8],
) -> Result<Vec<T>, BackendError> {
    if let Some(e) = plain_text_error(datasource, status, body) {
        return Err(e);
    }
    decode_envelope::<Vec<T>>(datasource, status, body).map(|a| a.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_flatten_newest_first() {
        let s = |svc: &str, vals: &[(&str, &str)]| LogStream {
            stream: [("service".to_string(), svc.to_string())].into(),
            values: vals
                .iter()
                .map(|(t, l)| (t.to_string(), l.to_string()))
                .collect(),
        };
        let lines = flatten_streams(
            vec![
                s("a", &[("3", "a3"), ("1", "a1")]),
                s("b", &[("2", "b2"), ("1700000000000000000", "b-new")]),
            ],
            3,
        );
        let got: Vec<&str> = lines.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(got, ["b-new", "a3", "b2"]);
        assert_eq!(lines[0].labels["service"], "b");
    }

    #[test]
    fn streams_and_matrix() {
        // The shape documented for Loki's query_range (streams) and metric queries (matrix).
        let body = br#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"service":"planner","level":"error"},"values":[["1700000000000000000","{\"message\":\"boom\"}"]]}],"stats":{"summary":{"totalLinesProcessed":1}}}}"#;
        let a = decode_loki_query("Loki", 200, body).unwrap();
        let LokiResult::Streams(s) = a.data else {
            panic!()
        };
        assert_eq!(s[0].stream["service"], "planner");
        assert_eq!(s[0].values[0].0, "1700000000000000000");
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"level":"error"},"values":[[1700000000,"3"]]}],"stats":{}}}"#;
        assert!(matches!(
            decode_loki_query("Loki", 200, body).unwrap().data,
            LokiResult::Matrix(_)
        ));
    }

    #[test]
    fn plain_text_errors_keep_the_message() {
        let err = decode_loki_query("Loki", 400, b"parse error at line 1, col 8: syntax error\n")
            .unwrap_err();
        assert!(
            err.to_string().contains("parse error at line 1, col 8"),
            "{err}"
        );
    }

    #[test]
    fn lists() {
        let v: Vec<String> = decode_loki_list(
            "Loki",
            200,
            br#"{"status":"success","data":["level","service"]}"#,
        )
        .unwrap();
        assert_eq!(v, vec!["level", "service"]);
    }

    #[test]
    fn trace_ids_come_from_json_logfmt_or_labels() {
        let none = BTreeMap::new();
        let id = "0acf6bf3b080c87844ac2bd981432daa";
        assert_eq!(
            trace_id_of(
                &format!("{{\"level\":\"error\",\"trace_id\":\"{id}\"}}"),
                &none
            )
            .as_deref(),
            Some(id)
        );
        assert_eq!(
            trace_id_of(&format!("level=error traceID={id} msg=x"), &none).as_deref(),
            Some(id)
        );
        let labels = BTreeMap::from([("trace_id".to_string(), "ABCDEF0123456789".to_string())]);
        assert_eq!(
            trace_id_of("plain", &labels).as_deref(),
            Some("abcdef0123456789")
        );
        assert_eq!(trace_id_of("{\"trace_id\":\"not-hex\"}", &none), None);
        assert_eq!(trace_id_of("trace_id=123", &none), None);
    }
}
