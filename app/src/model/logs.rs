//! Loki query API decoding: the `{status, data: {resultType, result, stats}}` envelope with
//! `streams`, `matrix` and `vector` results; Loki reports errors as plain text. Pure.

use super::prometheus::{InstantSample, RangeSeries};
use super::upstream::{decode_envelope, Answer, BackendError};
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

/// Log lines on the wire (server functions and hydration): each distinct label set once, each
/// line `[ts_ns, label set, text]`. A window of 100 lines usually comes from a handful of
/// streams, so repeating every line's labels would be most of the page's data.
pub mod wire_lines {
    use super::LogLine;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::{BTreeMap, HashMap};

    type LabelSet = BTreeMap<String, String>;
    /// `(ts_ns, index into the label sets, text)`.
    type WireLine = (String, usize, String);

    pub fn serialize<S: Serializer>(lines: &[LogLine], s: S) -> Result<S::Ok, S::Error> {
        let mut streams: Vec<&LabelSet> = Vec::new();
        let mut index: HashMap<&LabelSet, usize> = HashMap::new();
        let mut rows = Vec::with_capacity(lines.len());
        for l in lines {
            let at = *index.entry(&l.labels).or_insert_with(|| {
                streams.push(&l.labels);
                streams.len() - 1
            });
            rows.push((l.ts_ns.as_str(), at, l.line.as_str()));
        }
        (streams, rows).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<LogLine>, D::Error> {
        let (streams, lines): (Vec<LabelSet>, Vec<WireLine>) = Deserialize::deserialize(d)?;
        lines
            .into_iter()
            .map(|(ts_ns, at, line)| {
                let labels = streams.get(at).cloned().ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "line names label set {at} of {}",
                        streams.len()
                    ))
                })?;
                Ok(LogLine {
                    ts_ns,
                    labels,
                    line,
                })
            })
            .collect()
    }
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

/// Every line of every stream in `direction` order, at most `limit` of them.
pub fn flatten_streams(
    streams: Vec<LogStream>,
    limit: usize,
    direction: Direction,
) -> Vec<LogLine> {
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
    match direction {
        Direction::Backward => lines.sort_by_key(|l| std::cmp::Reverse(l.0)),
        Direction::Forward => lines.sort_by_key(|l| l.0),
    }
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

/// Which end of the range a logs query starts from (Loki's `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Direction {
    /// Newest lines first (Loki `backward`): what an investigation wants first.
    #[default]
    Backward,
    /// Oldest lines first (Loki `forward`): reading what led up to something.
    Forward,
}

impl Direction {
    /// From the URL's `direction` (`backward` | `forward`); anything else is the default.
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("forward") => Direction::Forward,
            _ => Direction::Backward,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Backward => "backward",
            Direction::Forward => "forward",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Direction::Backward => "newest first",
            Direction::Forward => "oldest first",
        }
    }
}

/// Lines per query unless the URL says otherwise, and the most one page may ask for.
/// Lines a window holds unless `limit` says otherwise: a few screens, not the whole range.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 5000;

/// Where the next window of lines starts: the last line shown (its timestamp) and how many lines
/// with exactly that timestamp were shown (Loki bounds by timestamp; lines can share one). Written
/// `<ts_ns>:<seen>` in the URL (`cursor=`).
pub fn next_cursor(lines: &[LogLine]) -> Option<String> {
    let last = lines.last()?;
    let seen = lines
        .iter()
        .rev()
        .take_while(|l| l.ts_ns == last.ts_ns)
        .count();
    Some(format!("{}:{seen}", last.ts_ns))
}

/// A `cursor=` value: (timestamp ns, lines at it already shown).
pub fn parse_cursor(s: &str) -> Result<(i128, usize), String> {
    let bad = || format!("cursor {s:?} is not <timestamp ns>:<lines seen>; open the query again");
    let (ts, seen) = s.split_once(':').ok_or_else(bad)?;
    Ok((
        ts.parse().map_err(|_| bad())?,
        seen.parse().map_err(|_| bad())?,
    ))
}

/// The range (ns, end exclusive) the next window is read from: from the cursor's timestamp on,
/// in the query's direction, within `from_ns..to_ns`.
pub fn window_after(
    cursor: Option<(i128, usize)>,
    direction: Direction,
    from_ns: i128,
    to_ns: i128,
) -> (i128, i128) {
    match (cursor, direction) {
        (None, _) => (from_ns, to_ns),
        (Some((ts, _)), Direction::Backward) => (from_ns, (ts + 1).min(to_ns)),
        (Some((ts, _)), Direction::Forward) => (ts.max(from_ns), to_ns),
    }
}

/// Drops the first `seen` lines at the cursor's timestamp (they were in the last window).
pub fn skip_seen(lines: Vec<LogLine>, cursor: Option<(i128, usize)>) -> Vec<LogLine> {
    let Some((ts, seen)) = cursor else {
        return lines;
    };
    let ts = ts.to_string();
    let mut dropped = 0;
    lines
        .into_iter()
        .filter(|l| {
            if dropped < seen && l.ts_ns == ts {
                dropped += 1;
                return false;
            }
            true
        })
        .collect()
}

/// The URL's `limit`: a number between 1 and [`MAX_LIMIT`], else a message saying so.
pub fn parse_limit(s: Option<&str>) -> Result<usize, String> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(format!(
                "limit {v:?} is not a number of lines between 1 and {MAX_LIMIT}"
            )),
        },
    }
}

/// The fields of a structured line: a JSON object (nested keys joined with `.`, non-string
/// values as JSON text) or logfmt (`key=value key="quoted value"`). Unstructured text has none.
pub fn parse_fields(line: &str) -> Vec<(String, String)> {
    let trimmed = line.trim();
    if trimmed.starts_with('{') {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(trimmed) {
            let mut out = Vec::new();
            flatten_json("", &serde_json::Value::Object(m), &mut out);
            return out;
        }
    }
    parse_logfmt(trimmed)
}

fn flatten_json(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten_json(&key, v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

/// logfmt pairs; a line with any word that is not `key=value` is not logfmt, so none.
fn parse_logfmt(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Vec::new();
        };
        let key = &rest[..eq];
        if key.is_empty() || key.contains(char::is_whitespace) || key.contains('"') {
            return Vec::new();
        }
        rest = &rest[eq + 1..];
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted value runs to the next unescaped quote.
            let mut val = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            val.push(n);
                        }
                    }
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => val.push(c),
                }
            }
            let Some(end) = end else {
                return Vec::new();
            };
            value = val;
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            value = rest[..end].to_string();
            rest = &rest[end..];
        }
        out.push((key.to_string(), value));
        rest = rest.trim_start();
    }
    out
}

/// The line's level for colouring: a `level`/`detected_level`/`severity` label, else the same
/// field in the line; spelled the common way (`warning` → `warn`, `err` → `error`, …).
pub fn level_of(labels: &BTreeMap<String, String>, fields: &[(String, String)]) -> Option<String> {
    const KEYS: [&str; 4] = ["level", "detected_level", "severity", "lvl"];
    let raw = KEYS
        .iter()
        .find_map(|k| labels.get(*k).cloned())
        .or_else(|| {
            KEYS.iter()
                .find_map(|k| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()))
        })?;
    let level = match raw.trim().to_ascii_lowercase().as_str() {
        "warning" | "warn" | "w" => "warn",
        "err" | "error" | "e" | "eror" => "error",
        "crit" | "critical" | "fatal" | "panic" | "emerg" | "alert" => "critical",
        "info" | "information" | "i" | "notice" => "info",
        "debug" | "dbug" | "d" => "debug",
        "trace" => "trace",
        _ => return None,
    };
    Some(level.to_string())
}

/// The LogQL selector of exactly this line's stream, for "show context": its stream labels
/// (those named in `stream_labels`, or all when that is empty), no filters, so the lines around
/// it appear whatever the original query filtered out. Labels a parser extracted (`| json`)
/// are left out: they select no stream.
pub fn stream_selector(labels: &BTreeMap<String, String>, stream_labels: &[String]) -> String {
    crate::model::links::selector(
        labels
            .iter()
            .filter(|(k, _)| stream_labels.is_empty() || stream_labels.contains(k)),
    )
}

/// Lines per level per time bucket: the histogram above the lines (Grafana's log volume).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    pub step_s: u32,
    /// The range asked for (ms), so the page draws the same axis the server used.
    pub from_ms: i64,
    pub to_ms: i64,
    /// (bucket start ms, count per level) in time order; levels as in `levels`.
    pub buckets: Vec<(i64, Vec<(String, u64)>)>,
    /// Levels present, most severe first.
    pub levels: Vec<String>,
    pub total: u64,
}

/// The LogQL metric query behind the volume of a log query.
pub fn volume_query(log_query: &str, step_s: u32) -> String {
    format!(
        "sum by (level) (count_over_time({} [{step_s}s]))",
        log_query.trim()
    )
}

/// Most severe first, unknown levels after the known ones, then by name.
fn severity_rank(level: &str) -> usize {
    ["critical", "error", "warn", "info", "debug", "trace"]
        .iter()
        .position(|l| *l == level)
        .unwrap_or(6)
}

/// Builds the histogram from the matrix answer of [`volume_query`]. Series without a `level`
/// count as `unknown`; levels are spelled as [`level_of`] spells them.
pub fn volume_from_matrix(series: &[super::prometheus::RangeSeries], step_s: u32) -> Volume {
    let mut per_bucket: BTreeMap<i64, BTreeMap<String, u64>> = BTreeMap::new();
    let mut total = 0;
    for s in series {
        let level = level_of(&s.metric, &[]).unwrap_or_else(|| "unknown".into());
        for (t, v) in &s.values {
            let n = v.0.max(0.0).round() as u64;
            if n == 0 {
                continue;
            }
            // Loki stamps each window at its end; the bar starts one step earlier.
            let start = (*t * 1000.0) as i64 - step_s as i64 * 1000;
            *per_bucket
                .entry(start)
                .or_default()
                .entry(level.clone())
                .or_default() += n;
            total += n;
        }
    }
    let mut levels: Vec<String> = per_bucket
        .values()
        .flat_map(|m| m.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    levels.sort_by(|a, b| severity_rank(a).cmp(&severity_rank(b)).then(a.cmp(b)));
    let buckets = per_bucket
        .into_iter()
        .map(|(t, m)| {
            let counts = levels
                .iter()
                .filter_map(|l| m.get(l).map(|n| (l.clone(), *n)))
                .collect();
            (t, counts)
        })
        .collect();
    Volume {
        step_s,
        from_ms: 0,
        to_ms: 0,
        buckets,
        levels,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_travel_with_each_label_set_once_and_come_back_equal() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Answer {
            #[serde(with = "wire_lines")]
            lines: Vec<LogLine>,
        }
        let labels = |svc: &str| BTreeMap::from([("service".to_string(), svc.to_string())]);
        let line = |ts: &str, svc: &str, text: &str| LogLine {
            ts_ns: ts.into(),
            labels: labels(svc),
            line: text.into(),
        };
        let answer = Answer {
            lines: vec![
                line("3", "planner", "a"),
                line("2", "judge", "b"),
                line("1", "planner", "c"),
            ],
        };
        let json = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            json,
            r#"{"lines":[[{"service":"planner"},{"service":"judge"}],[["3",0,"a"],["2",1,"b"],["1",0,"c"]]]}"#
        );
        assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), answer);
        let broken = r#"{"lines":[[],[["3",0,"a"]]]}"#;
        let err = serde_json::from_str::<Answer>(broken).unwrap_err();
        assert!(err.to_string().contains("label set 0 of 0"), "{err}");
    }

    #[test]
    fn volume_counts_lines_per_level_per_bucket_most_severe_first() {
        use crate::model::prometheus::RangeSeries;
        assert_eq!(
            volume_query(" {service=\"executor\"} |= \"error\" ", 60),
            r#"sum by (level) (count_over_time({service="executor"} |= "error" [60s]))"#
        );
        let series = |level: Option<&str>, values: &[(f64, &str)]| RangeSeries {
            metric: level
                .map(|l| [("level".to_string(), l.to_string())].into())
                .unwrap_or_default(),
            values: values.iter().map(|(t, v)| (*t, (*v).into())).collect(),
        };
        let v = volume_from_matrix(
            &[
                series(
                    Some("info"),
                    &[(1_700_000_060.0, "40"), (1_700_000_120.0, "0")],
                ),
                series(
                    Some("ERROR"),
                    &[(1_700_000_060.0, "3"), (1_700_000_120.0, "5")],
                ),
                series(None, &[(1_700_000_120.0, "1")]),
            ],
            60,
        );
        assert_eq!(v.levels, ["error", "info", "unknown"]);
        assert_eq!(v.total, 49);
        assert_eq!(
            v.buckets,
            vec![
                (
                    1_700_000_000_000,
                    vec![("error".to_string(), 3), ("info".to_string(), 40)]
                ),
                (
                    1_700_000_060_000,
                    vec![("error".to_string(), 5), ("unknown".to_string(), 1)]
                ),
            ]
        );
    }

    #[test]
    fn json_lines_give_flattened_fields() {
        let f = parse_fields(r#"{"level":"error","msg":"boom","http":{"status":500},"ok":false}"#);
        assert_eq!(
            f,
            vec![
                ("http.status".to_string(), "500".to_string()),
                ("level".into(), "error".into()),
                ("msg".into(), "boom".into()),
                ("ok".into(), "false".into()),
            ]
        );
    }

    #[test]
    fn logfmt_lines_give_fields_with_quoted_values() {
        let f = parse_fields(r#"level=warn msg="slow call \"llm\"" duration=1.2s"#);
        assert_eq!(
            f,
            vec![
                ("level".to_string(), "warn".to_string()),
                ("msg".into(), "slow call \"llm\"".into()),
                ("duration".into(), "1.2s".into()),
            ]
        );
        assert!(parse_fields("GET /health 200 in 3ms").is_empty());
        assert!(parse_fields(r#"msg="unterminated"#).is_empty());
        assert!(parse_fields("").is_empty());
    }

    #[test]
    fn level_comes_from_labels_first_then_fields_and_is_normalised() {
        let labels: BTreeMap<String, String> =
            [("level".to_string(), "WARNING".to_string())].into();
        assert_eq!(level_of(&labels, &[]).as_deref(), Some("warn"));
        let fields = parse_fields(r#"{"severity":"ERR"}"#);
        assert_eq!(
            level_of(&BTreeMap::new(), &fields).as_deref(),
            Some("error")
        );
        assert_eq!(
            level_of(&BTreeMap::new(), &parse_fields("lvl=whatever")),
            None
        );
    }

    #[test]
    fn limit_and_direction_come_from_the_url() {
        assert_eq!(parse_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(DEFAULT_LIMIT, 100);
        assert_eq!(parse_limit(Some("20")), Ok(20));
        assert!(parse_limit(Some("0"))
            .unwrap_err()
            .contains("between 1 and 5000"));
        assert!(parse_limit(Some("9999")).is_err());
        assert!(parse_limit(Some("ten")).is_err());
        assert_eq!(Direction::parse(Some("forward")), Direction::Forward);
        assert_eq!(Direction::parse(Some("sideways")), Direction::Backward);
    }

    #[test]
    fn the_context_selector_names_the_whole_stream_escaped() {
        let labels: BTreeMap<String, String> = [
            ("service".to_string(), "executor".to_string()),
            ("msg".to_string(), r#"a "b" \c"#.to_string()),
        ]
        .into();
        assert_eq!(
            stream_selector(&labels, &[]),
            r#"{msg="a \"b\" \\c", service="executor"}"#
        );
    }

    #[test]
    fn the_context_selector_leaves_out_extracted_fields() {
        // `{service="executor"} | json` answers with `level` and `trace_id` from the line too.
        let labels: BTreeMap<String, String> = [
            ("service", "executor"),
            ("level", "error"),
            ("trace_id", "abc"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let indexed = vec!["service".to_string(), "namespace".to_string()];
        assert_eq!(
            stream_selector(&labels, &indexed),
            r#"{service="executor"}"#
        );
    }

    #[test]
    fn streams_flatten_newest_first() {
        let s = |svc: &str, vals: &[(&str, &str)]| LogStream {
            stream: [("service".to_string(), svc.to_string())].into(),
            values: vals
                .iter()
                .map(|(t, l)| (t.to_string(), l.to_string()))
                .collect(),
        };
        let streams = || {
            vec![
                s("a", &[("3", "a3"), ("1", "a1")]),
                s("b", &[("2", "b2"), ("1700000000000000000", "b-new")]),
            ]
        };
        let lines = flatten_streams(streams(), 3, Direction::Backward);
        let got: Vec<&str> = lines.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(got, ["b-new", "a3", "b2"]);
        assert_eq!(lines[0].labels["service"], "b");
        let lines = flatten_streams(streams(), 3, Direction::Forward);
        let got: Vec<&str> = lines.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(got, ["a1", "b2", "a3"]);
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

    #[test]
    fn windows_of_lines_continue_after_the_last_one_shown() {
        let line = |ts: &str, text: &str| LogLine {
            ts_ns: ts.into(),
            labels: BTreeMap::new(),
            line: text.into(),
        };
        // Newest first; two lines share the last timestamp.
        let shown = vec![line("30", "c"), line("20", "b1"), line("20", "b2")];
        let cursor = next_cursor(&shown).unwrap();
        assert_eq!(cursor, "20:2");
        let parsed = parse_cursor(&cursor).unwrap();
        assert_eq!(parsed, (20, 2));
        assert_eq!(
            window_after(Some(parsed), Direction::Backward, 0, 100),
            (0, 21),
            "the end is exclusive: the shared timestamp is read again"
        );
        assert_eq!(
            window_after(Some(parsed), Direction::Forward, 0, 100),
            (20, 100)
        );
        assert_eq!(window_after(None, Direction::Forward, 5, 100), (5, 100));
        // Loki answers both lines at 20 again, and a third one at 20 not yet shown.
        let next = skip_seen(
            vec![
                line("20", "b1"),
                line("20", "b2"),
                line("20", "b3"),
                line("10", "a"),
            ],
            Some(parsed),
        );
        let texts: Vec<&str> = next.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(texts, ["b3", "a"]);
        assert!(parse_cursor("20").is_err());
        assert!(parse_cursor("x:1")
            .unwrap_err()
            .contains("open the query again"));
        assert_eq!(next_cursor(&[]), None);
    }
}
