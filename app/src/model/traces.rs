//! Trace decoding: Jaeger's query API (v1 `{data, errors}` envelopes and v3 lists) and Tempo's
//! OTLP-JSON (`batches`, `resourceSpans`, `{trace: …}`) into one view model. Pure.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::parallel_json;
use super::upstream::BackendError;

mod wire;

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum TraceDecodeError {
    #[error("the response is not JSON: {0}")]
    Json(String),
    #[error("the backend reported: {0}")]
    Backend(String),
    #[error("unexpected response shape: {0}")]
    Shape(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanRef {
    /// `CHILD_OF` or `FOLLOWS_FROM` (OTLP parents and links map to these).
    pub kind: String,
    pub trace_id: String,
    pub span_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanView {
    pub span_id: String,
    /// The CHILD_OF parent within the same trace, if any.
    pub parent_id: Option<String>,
    pub service: String,
    pub operation: String,
    pub start_us: i64,
    pub duration_us: i64,
    pub error: bool,
    /// Tags / attributes as (key, rendered value).
    pub tags: Vec<(String, String)>,
    /// Process / resource attributes, shared by every span of the process: not a copy a span.
    pub process_tags: std::sync::Arc<[(String, String)]>,
    /// Span logs / events: (timestamp µs, fields).
    pub logs: Vec<(i64, Vec<(String, String)>)>,
    pub references: Vec<SpanRef>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceView {
    pub trace_id: String,
    pub spans: Vec<SpanView>,
    pub warnings: Vec<String>,
}

fn parse(body: &[u8]) -> Result<Value, TraceDecodeError> {
    serde_json::from_slice(body).map_err(|e| TraceDecodeError::Json(e.to_string()))
}

fn render(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(render).collect())
        .unwrap_or_default()
}

/// Jaeger's `{data, errors}` envelope: errors win over data.
fn jaeger_data(body: &[u8]) -> Result<Value, TraceDecodeError> {
    let v = parse(body)?;
    if let Some(errors) = v
        .get("errors")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
    {
        let msgs: Vec<String> = errors.iter().map(|e| render(&e["msg"])).collect();
        return Err(TraceDecodeError::Backend(msgs.join("; ")));
    }
    // Taken, not cloned: a fleet-size trace is tens of megabytes of tree.
    let mut v = v;
    Ok(v.get_mut("data").map(Value::take).unwrap_or(Value::Null))
}

/// One Jaeger trace (an element of `data[]`).
/// A Jaeger trace's processes: id → (service, tags), each read once however many spans share it.
type Processes = std::collections::HashMap<String, (String, std::sync::Arc<[(String, String)]>)>;

fn read_processes(p: Option<std::collections::HashMap<String, wire::JaegerProcess>>) -> Processes {
    p.unwrap_or_default()
        .into_iter()
        .map(|(id, p)| (id, (p.service_name.0, wire::pairs(p.tags).into())))
        .collect()
}

fn jaeger_trace(t: wire::JaegerTrace) -> Result<TraceView, TraceDecodeError> {
    let trace_id = t.trace_id.0;
    let processes = read_processes(t.processes);
    let spans = t
        .spans
        .ok_or_else(|| TraceDecodeError::Shape("trace without spans".into()))?;
    Ok(TraceView {
        spans: spans
            .into_iter()
            .map(|s| jaeger_span(s, &trace_id, &processes))
            .collect(),
        trace_id,
        warnings: wire::list(t.warnings).into_iter().map(|w| w.0).collect(),
    })
}

fn jaeger_span(s: wire::JaegerSpan, trace_id: &str, processes: &Processes) -> SpanView {
    let no_process = (String::new(), std::sync::Arc::default());
    let (service, process_tags) = processes.get(&s.process_id.0).unwrap_or(&no_process);
    let tags = wire::pairs(s.tags);
    let references: Vec<SpanRef> = wire::list(s.references)
        .into_iter()
        .map(|r| SpanRef {
            kind: r.ref_type.0,
            trace_id: r.trace_id.0,
            span_id: r.span_id.0,
        })
        .collect();
    // As the Jaeger UI: the first CHILD_OF is the parent, else the first FOLLOWS_FROM
    // (a producer/consumer hop still belongs under its producer).
    let in_trace = |kind: &str| {
        references
            .iter()
            .find(|r| r.kind == kind && r.trace_id == trace_id)
            .map(|r| r.span_id.clone())
    };
    let parent_id = in_trace("CHILD_OF").or_else(|| in_trace("FOLLOWS_FROM"));
    let error = tags.iter().any(|(k, v)| k == "error" && v == "true")
        || tags
            .iter()
            .any(|(k, v)| k == "otel.status_code" && v == "ERROR");
    SpanView {
        span_id: s.span_id.0,
        parent_id,
        service: service.clone(),
        operation: s.operation_name.0,
        start_us: s.start_time.0,
        duration_us: s.duration.0,
        error,
        tags,
        process_tags: process_tags.clone(),
        logs: wire::list(s.logs)
            .into_iter()
            .map(|l| (l.timestamp.0, wire::pairs(l.fields)))
            .collect(),
        references,
        warnings: wire::list(s.warnings).into_iter().map(|w| w.0).collect(),
    }
}

/// One Jaeger trace document of fleet size with its spans read on every core: the spans array
/// is cut between spans, the rest (trace id, processes, warnings) read first on its own. Keys
/// may come in Jaeger's order (`traceID`, `spans`, `processes`) or sorted (as serde writes
/// them). `None` when the document is not one trace written either way.
fn jaeger_on_cores(body: &[u8], threads: usize) -> Option<TraceView> {
    use parallel_json::{decode_parts, find, rfind, serde_elements, split_elements};
    const OPEN: &[u8] = br#""spans":["#;
    // What follows the spans array, and what starts a span (only spans hold these keys).
    const CLOSE: [&[u8]; 2] = [br#"],"processes":"#, br#"],"traceID":"#];
    const BETWEEN: [&[u8]; 2] = [br#"},{"traceID":"#, br#"},{"duration":"#];
    let open = find(body, OPEN)? + OPEN.len();
    let close = CLOSE
        .iter()
        .filter_map(|c| rfind(body, c))
        .find(|&c| c > open)?;
    let spans = &body[open..close];
    let between = BETWEEN.into_iter().find(|b| find(spans, b).is_some())?;
    let mut rest = Vec::with_capacity(body.len() - spans.len());
    rest.extend_from_slice(&body[..open]);
    rest.extend_from_slice(&body[close..]);
    let doc: wire::JaegerDoc = serde_json::from_slice(&rest).ok()?;
    if !wire::list(doc.errors).is_empty() {
        return None;
    }
    let [t] = <[wire::JaegerTrace; 1]>::try_from(wire::list(doc.data)).ok()?;
    if t.spans.as_ref().is_none_or(|s| !s.is_empty()) {
        return None;
    }
    let trace_id = t.trace_id.0;
    let processes = read_processes(t.processes);
    let parts = split_elements(spans, threads, between);
    let spans = decode_parts(&parts, |part| {
        let spans = serde_elements::<wire::JaegerSpan>(part)?;
        Some(
            spans
                .into_iter()
                .map(|s| jaeger_span(s, &trace_id, &processes))
                .collect(),
        )
    })?;
    Some(TraceView {
        trace_id,
        spans,
        warnings: wire::list(t.warnings).into_iter().map(|w| w.0).collect(),
    })
}

/// `GET /api/traces/{id}` and `GET /api/traces?…` (Jaeger v1): errors win over data.
pub fn decode_jaeger_traces(body: &[u8]) -> Result<Vec<TraceView>, TraceDecodeError> {
    decode_jaeger_traces_on(body, parallel_json::threads_for(body.len()))
}

/// [`decode_jaeger_traces`] on up to `threads` threads (more than one: one trace as Jaeger writes
/// it is read on that many, anything else as one).
pub fn decode_jaeger_traces_on(
    body: &[u8],
    threads: usize,
) -> Result<Vec<TraceView>, TraceDecodeError> {
    if threads > 1 {
        if let Some(t) = jaeger_on_cores(body, threads) {
            return Ok(vec![t]);
        }
    }
    let doc: wire::JaegerDoc =
        serde_json::from_slice(body).map_err(|e| TraceDecodeError::Json(e.to_string()))?;
    let errors = wire::list(doc.errors);
    if !errors.is_empty() {
        let msgs: Vec<String> = errors.into_iter().map(|e| e.msg.0).collect();
        return Err(TraceDecodeError::Backend(msgs.join("; ")));
    }
    wire::list(doc.data).into_iter().map(jaeger_trace).collect()
}

/// `GET /api/services` (v1 `{data: [...]}`) or `/api/v3/services` (`{services: [...]}`).
pub fn decode_services(body: &[u8]) -> Result<Vec<String>, TraceDecodeError> {
    let v = parse(body)?;
    if let Some(list) = v.get("services") {
        return Ok(strings(Some(list)));
    }
    Ok(strings(Some(&jaeger_data(body)?)))
}

/// Operations as (name, span kind): v1 lists of strings, v1 `/api/operations` objects, or v3
/// `{operations: [...]}`.
pub fn decode_operations(body: &[u8]) -> Result<Vec<(String, Option<String>)>, TraceDecodeError> {
    let v = parse(body)?;
    let list = match v.get("operations") {
        Some(ops) => ops.clone(),
        None => jaeger_data(body)?,
    };
    Ok(list
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| match o {
                    Value::String(s) => (s.clone(), None),
                    obj => (
                        render(&obj["name"]),
                        obj.get("spanKind").map(render).filter(|k| !k.is_empty()),
                    ),
                })
                .collect()
        })
        .unwrap_or_default())
}

/// [`otlp_id`] of a string already owned: lowercase hex is lowered in place, not copied (a
/// 100,000-span trace has three ids a span).
fn otlp_id_owned(mut raw: String) -> String {
    if is_hex(&raw) {
        raw.make_ascii_lowercase();
        return raw;
    }
    otlp_id(&raw)
}

fn is_hex(raw: &str) -> bool {
    !raw.is_empty() && raw.len().is_multiple_of(2) && raw.bytes().all(|c| c.is_ascii_hexdigit())
}

/// OTLP ids are hex in Tempo's own fixtures and base64 in protobuf-JSON; both become lowercase hex.
pub fn otlp_id(raw: &str) -> String {
    if is_hex(raw) {
        return raw.to_ascii_lowercase();
    }
    base64_decode(raw)
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
        .unwrap_or_else(|| raw.to_string())
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        })
    };
    let clean: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

/// Tempo `GET /api/traces/{id}` (`batches`), `GET /api/v2/traces/{id}` (`{trace: {resourceSpans}}`)
/// or plain OTLP `resourceSpans`.
pub fn decode_tempo_trace(body: &[u8]) -> Result<TraceView, TraceDecodeError> {
    decode_tempo_trace_on(body, parallel_json::threads_for(body.len()))
}

/// [`decode_tempo_trace`] on up to `threads` threads (see [`tempo_on_cores`]).
pub fn decode_tempo_trace_on(body: &[u8], threads: usize) -> Result<TraceView, TraceDecodeError> {
    let spans = match tempo_on_cores(body, threads) {
        Some(spans) => spans,
        None => otlp_spans(
            serde_json::from_slice(body).map_err(|e| TraceDecodeError::Json(e.to_string()))?,
        )?,
    };
    let trace_id = spans.first().map(|(t, _)| t.clone()).unwrap_or_default();
    let spans: Vec<SpanView> = spans.into_iter().map(|(_, s)| s).collect();
    if spans.is_empty() {
        return Err(TraceDecodeError::Shape("the trace has no spans".into()));
    }
    Ok(TraceView {
        trace_id,
        spans: by_start(spans),
        warnings: vec![],
    })
}

/// Tempo's `{"batches":[…]}` as Tempo writes it, cut between batches (one per service), each
/// part read and converted on its own thread; `None` for anything else.
fn tempo_on_cores(body: &[u8], threads: usize) -> Option<Vec<(String, SpanView)>> {
    use parallel_json::{decode_parts, serde_elements, split_elements};
    const HEAD: &[u8] = br#"{"batches":["#;
    const BETWEEN: &[u8] = br#"},{"resource":"#;
    if threads < 2 {
        return None;
    }
    let inner = body
        .trim_ascii_end()
        .strip_prefix(HEAD)?
        .strip_suffix(b"]}")?;
    let parts = split_elements(inner, threads, BETWEEN);
    decode_parts(&parts, |part| {
        let batches = serde_elements::<wire::Batch>(part)?;
        Some(batches.into_iter().flat_map(batch_spans).collect())
    })
}

/// Spans in order of start (stable), each moved once: sorting the spans themselves moved each
/// one some twenty times, a measurable share of opening a 100,000-span trace.
fn by_start(spans: Vec<SpanView>) -> Vec<SpanView> {
    if spans.is_sorted_by_key(|s| s.start_us) {
        return spans;
    }
    let mut order: Vec<(i64, usize)> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.start_us, i))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<SpanView>> = spans.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(_, i)| slots[i].take())
        .collect()
}

/// Jaeger API v3 (`/api/v3/traces`, `/api/v3/traces/{id}`): OTLP JSON inside `{result: …}`,
/// one object per streamed chunk, spans of several traces mixed; an `{error: {message}}` chunk
/// is the backend's refusal. Traces come back in order of first appearance.
pub fn decode_otlp_traces(body: &[u8]) -> Result<Vec<TraceView>, TraceDecodeError> {
    let mut by_trace: Vec<TraceView> = Vec::new();
    for chunk in serde_json::Deserializer::from_slice(body).into_iter::<wire::OtlpDoc>() {
        let chunk = chunk.map_err(|e| TraceDecodeError::Json(e.to_string()))?;
        if let Some(err) = &chunk.error {
            let msg = err["message"]
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| err.to_string());
            return Err(TraceDecodeError::Backend(msg));
        }
        for (tid, span) in otlp_spans(chunk)? {
            match by_trace.iter_mut().find(|t| t.trace_id == tid) {
                Some(t) => t.spans.push(span),
                None => by_trace.push(TraceView {
                    trace_id: tid,
                    spans: vec![span],
                    warnings: vec![],
                }),
            }
        }
    }
    for t in &mut by_trace {
        t.spans = by_start(std::mem::take(&mut t.spans));
    }
    Ok(by_trace)
}

/// Every span of an OTLP `resourceSpans` (or Tempo `batches`) document, with its trace id.
fn otlp_spans(doc: wire::OtlpDoc) -> Result<Vec<(String, SpanView)>, TraceDecodeError> {
    let batches = doc
        .into_batches()
        .ok_or_else(|| TraceDecodeError::Shape("neither batches nor resourceSpans".into()))?;
    Ok(batches.into_iter().flat_map(batch_spans).collect())
}

/// The spans of one batch (one resource: a service), with their trace ids.
fn batch_spans(batch: wire::Batch) -> Vec<(String, SpanView)> {
    let mut spans = Vec::new();
    let resource: std::sync::Arc<[(String, String)]> =
        wire::attributes(batch.resource.and_then(|r| r.attributes)).into();
    let service = resource
        .iter()
        .find(|(k, _)| k == "service.name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let scopes = batch.scope_spans.or(batch.instrumentation_library_spans);
    for scope in wire::list(scopes) {
        for s in wire::list(scope.spans) {
            let tid = otlp_id_owned(s.trace_id.0);
            let (start, end) = (s.start_time_unix_nano.0, s.end_time_unix_nano.0);
            let parent_id =
                (!s.parent_span_id.0.is_empty()).then(|| otlp_id_owned(s.parent_span_id.0));
            let mut references: Vec<SpanRef> = parent_id
                .iter()
                .map(|p| SpanRef {
                    kind: "CHILD_OF".into(),
                    trace_id: tid.clone(),
                    span_id: p.clone(),
                })
                .collect();
            for link in wire::list(s.links) {
                references.push(SpanRef {
                    kind: "FOLLOWS_FROM".into(),
                    trace_id: otlp_id(&link.trace_id.0),
                    span_id: otlp_id(&link.span_id.0),
                });
            }
            // OTLP status code 2 (or "STATUS_CODE_ERROR") is an error.
            let error = s
                .status
                .is_some_and(|st| st.code.0 == "2" || st.code.0 == "STATUS_CODE_ERROR");
            let mut tags = wire::attributes(s.attributes);
            if let Some(kind) = s.kind {
                tags.push(("span.kind".into(), kind.0));
            }
            let logs = wire::list(s.events)
                .into_iter()
                .map(|e| {
                    let mut fields = vec![("event".to_string(), e.name.0)];
                    fields.extend(wire::attributes(e.attributes));
                    (e.time_unix_nano.0 / 1000, fields)
                })
                .collect();
            spans.push((
                tid,
                SpanView {
                    span_id: otlp_id_owned(s.span_id.0),
                    parent_id,
                    service: service.clone(),
                    operation: s.name.0,
                    start_us: start / 1000,
                    duration_us: (end - start) / 1000,
                    error,
                    tags,
                    process_tags: resource.clone(),
                    logs,
                    references,
                    warnings: vec![],
                },
            ));
        }
    }
    spans
}

/// One hit of Tempo's `/api/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    #[serde(rename = "traceID")]
    pub trace_id: String,
    #[serde(rename = "rootServiceName", default)]
    pub root_service: String,
    #[serde(rename = "rootTraceName", default)]
    pub root_name: String,
    #[serde(rename = "startTimeUnixNano", default)]
    pub start_ns: String,
    #[serde(rename = "durationMs", default)]
    pub duration_ms: Option<u64>,
}

#[derive(Deserialize)]
struct TempoSearch {
    #[serde(default)]
    traces: Vec<TraceSummary>,
}

pub fn decode_tempo_search(body: &[u8]) -> Result<Vec<TraceSummary>, TraceDecodeError> {
    serde_json::from_slice::<TempoSearch>(body)
        .map(|s| s.traces)
        .map_err(|e| TraceDecodeError::Json(e.to_string()))
}

impl TraceDecodeError {
    /// The failure as the user reads it, with the backend's name: its own refusal stays its
    /// message; an answer that is not what the API documents is undecodable.
    pub fn into_backend(self, datasource: &str) -> BackendError {
        match self {
            TraceDecodeError::Backend(message) => BackendError::Api {
                datasource: datasource.into(),
                error_type: "error".into(),
                message,
            },
            other => BackendError::Decode {
                datasource: datasource.into(),
                message: other.to_string(),
            },
        }
    }

    /// Jaeger answers an unknown id with an error envelope rather than a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, TraceDecodeError::Backend(m) if m.to_ascii_lowercase().contains("not found"))
    }
}

/// Tempo's `/api/search/tag/<tag>/values`: `tagValues` as strings (v1) or `{type, value}` (v2).
pub fn decode_tempo_tag_values(body: &[u8]) -> Result<Vec<String>, TraceDecodeError> {
    let v = parse(body)?;
    let list = v["tagValues"]
        .as_array()
        .ok_or_else(|| TraceDecodeError::Shape(format!("no tagValues: {}", truncate(&v))))?;
    let mut values: Vec<String> = list
        .iter()
        .filter_map(|t| t.as_str().or(t["value"].as_str()))
        .map(String::from)
        .collect();
    values.sort();
    Ok(values)
}

/// A trace search, as the Explore URL spells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceQuery {
    pub service: String,
    pub operation: String,
    /// `key=value` pairs or a JSON object.
    pub tags: String,
    pub min_duration: String,
    pub max_duration: String,
    pub limit: String,
    pub from: String,
    pub to: String,
    pub datasource: Option<String>,
    /// How the list is sorted (`start`, `duration`, `spans`, `errors`) and which page of it.
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
}

/// A trace search checked and ready for any backend: every field trimmed and valid.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSearchParams {
    pub service: String,
    pub operation: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Duration bounds in microseconds.
    pub min_duration: Option<i64>,
    pub max_duration: Option<i64>,
    pub limit: u32,
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The default and the largest number of traces one search returns.
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 1500;

impl TraceQuery {
    /// Checks every field, saying what to write instead; `now_ms` resolves a relative range.
    pub fn check(&self, now_ms: i64) -> Result<TraceSearchParams, String> {
        let range = super::time_range::TimeRange::parse(&self.from, &self.to, now_ms)
            .map_err(|e| format!("the time range is not valid: {e}"))?;
        let limit = match self.limit.trim() {
            "" => DEFAULT_LIMIT,
            l => l
                .parse()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| format!("limit {l:?} is not a number from 1 to {MAX_LIMIT}"))?,
        };
        let duration = |d: &str| -> Result<Option<i64>, String> {
            match d.trim() {
                "" => Ok(None),
                d => super::duration::parse_us(d).map(Some).ok_or_else(|| {
                    format!("duration {d:?} is not valid; use values such as 100ms, 1.2s or 1m")
                }),
            }
        };
        let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
        Ok(TraceSearchParams {
            service: self.service.trim().to_string(),
            operation: text(&self.operation),
            tags: parse_tags(&self.tags)?,
            min_duration: duration(&self.min_duration)?,
            max_duration: duration(&self.max_duration)?,
            limit,
            from_ms: range.from_ms,
            to_ms: range.to_ms,
        })
    }
}

/// `error=true http.status_code=500` (or a JSON object) → tag pairs, as every backend filters.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Vec::new());
    }
    if t.starts_with('{') {
        let map = serde_json::from_str::<serde_json::Map<String, Value>>(t)
            .map_err(|e| format!("tags are not a JSON object: {e}"))?;
        return Ok(map.into_iter().map(|(k, v)| (k, render(&v))).collect());
    }
    t.split_whitespace()
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                format!("tag {pair:?} has no value; write key=value pairs such as error=true")
            })?;
            Ok((k.to_string(), v.trim_matches('"').to_string()))
        })
        .collect()
}

/// Microseconds → protobuf Duration JSON (`0.100000s`), as Jaeger's API v3 takes it.
pub fn proto_duration(us: i64) -> String {
    format!("{}.{:06}s", us / 1_000_000, us % 1_000_000)
}

/// A trace id as backends key it: hex ids lowercased (Tempo prints them upper case); other ids
/// (some instrumentations and Jaeger's own samples use words) kept as they are, limited to
/// characters that cannot leave the URL path segment.
pub fn normalize_trace_id(id: &str) -> Option<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 {
        return None;
    }
    if id.len() <= 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some(id.to_ascii_lowercase());
    }
    id.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .then(|| id.to_string())
}

fn truncate(v: &Value) -> String {
    v.to_string().chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture;

    /// A Jaeger trace of `n` spans over 3 services, its keys in Jaeger's order or sorted.
    fn jaeger_doc(n: usize, sorted: bool) -> Vec<u8> {
        let spans: Vec<String> = (0..n)
            .map(|i| {
                let parent = if i == 0 {
                    String::new()
                } else {
                    format!(r#"{{"refType":"CHILD_OF","traceID":"t1","spanID":"s{}"}}"#, (i - 1) / 4)
                };
                let tags = format!(r#"[{{"key":"error","type":"bool","value":{}}},{{"key":"q","type":"string","value":"\"}},{{\"duration\":1"}}]"#, i % 7 == 3);
                if sorted {
                    format!(r#"{{"duration":{d},"flags":1,"logs":[],"operationName":"op{i}","processID":"p{p}","references":[{parent}],"spanID":"s{i}","startTime":{st},"tags":{tags},"traceID":"t1","warnings":null}}"#, d = 10 + i, p = i % 3 + 1, st = 1000 + i)
                } else {
                    format!(r#"{{"traceID":"t1","spanID":"s{i}","flags":1,"operationName":"op{i}","references":[{parent}],"startTime":{st},"duration":{d},"tags":{tags},"logs":[],"processID":"p{p}","warnings":null}}"#, d = 10 + i, p = i % 3 + 1, st = 1000 + i)
                }
            })
            .collect();
        let processes = r#"{"p1":{"serviceName":"a","tags":[]},"p2":{"serviceName":"b","tags":[{"key":"k","type":"string","value":"v"}]},"p3":{"serviceName":"c","tags":null}}"#;
        let trace = if sorted {
            format!(
                r#"{{"processes":{processes},"spans":[{}],"traceID":"t1","warnings":null}}"#,
                spans.join(",")
            )
        } else {
            format!(
                r#"{{"traceID":"t1","spans":[{}],"processes":{processes},"warnings":null}}"#,
                spans.join(",")
            )
        };
        format!(r#"{{"data":[{trace}],"total":0,"limit":0,"offset":0,"errors":null}}"#).into_bytes()
    }

    #[test]
    fn a_jaeger_trace_reads_the_same_on_several_cores_in_either_key_order() {
        for sorted in [false, true] {
            let body = jaeger_doc(200, sorted);
            let one = decode_jaeger_traces_on(&body, 1).unwrap();
            assert_eq!(one[0].spans.len(), 200);
            for threads in [2, 3, 7] {
                let cut = jaeger_on_cores(&body, threads).expect("taken on cores");
                assert_eq!(vec![cut], one, "sorted {sorted}, {threads} threads");
            }
        }
        // The upstream sample (a bare trace) in its envelope, compacted (serde sorts its keys).
        let sample: serde_json::Value =
            serde_json::from_slice(&fixture("jaeger/trace-11-spans-2-services.json")).unwrap();
        let compact = serde_json::to_vec(&serde_json::json!({"data": [sample]})).unwrap();
        assert_eq!(
            jaeger_on_cores(&compact, 2).map(|t| vec![t]),
            Some(decode_jaeger_traces_on(&compact, 1).unwrap())
        );
    }

    #[test]
    fn anything_but_one_jaeger_trace_is_read_as_one_piece() {
        let one = String::from_utf8(jaeger_doc(20, false)).unwrap();
        let trace = &one[9..one.find(r#"],"total""#).unwrap()];
        let two = format!(r#"{{"data":[{trace},{trace}],"errors":null}}"#);
        assert_eq!(jaeger_on_cores(two.as_bytes(), 2), None);
        assert_eq!(decode_jaeger_traces_on(two.as_bytes(), 2).unwrap().len(), 2);
        let failed = r#"{"data":null,"errors":[{"code":500,"msg":"boom \"spans\":[ ]"}]}"#;
        assert_eq!(jaeger_on_cores(failed.as_bytes(), 2), None);
        assert!(matches!(
            decode_jaeger_traces_on(failed.as_bytes(), 2),
            Err(TraceDecodeError::Backend(m)) if m.contains("boom")
        ));
    }

    #[test]
    fn a_tempo_trace_reads_the_same_on_several_cores() {
        let batch = |svc: usize| {
            let spans: Vec<String> = (0..30)
                .map(|i| format!(r#"{{"endTimeUnixNano":"{e}","name":"op","parentSpanId":"{p:016x}","spanId":"{id:016x}","startTimeUnixNano":"{st}","status":{{}},"traceId":"00000000000000000000000000000001"}}"#, id = svc * 100 + i + 1, p = svc * 100 + i, st = (5000 - svc * 30 - i) * 1000, e = (5100 - svc * 30 - i) * 1000))
                .collect();
            format!(
                r#"{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"svc-{svc}"}}}}]}},"scopeSpans":[{{"scope":{{"name":"x"}},"spans":[{}]}}]}}"#,
                spans.join(",")
            )
        };
        let batches: Vec<String> = (0..6).map(batch).collect();
        let body = format!(r#"{{"batches":[{}]}}"#, batches.join(","));
        let one = decode_tempo_trace_on(body.as_bytes(), 1).unwrap();
        assert_eq!(one.spans.len(), 180);
        assert!(one.spans.is_sorted_by_key(|s| s.start_us));
        for threads in [2, 4, 9] {
            assert!(tempo_on_cores(body.as_bytes(), threads).is_some());
            assert_eq!(
                decode_tempo_trace_on(body.as_bytes(), threads).unwrap(),
                one
            );
        }
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        )
        .unwrap();
        assert!(tempo_on_cores(pretty.as_bytes(), 2).is_none());
        assert_eq!(decode_tempo_trace_on(pretty.as_bytes(), 2).unwrap(), one);
    }

    #[test]
    fn jaeger_trace_with_refs_logs_tags_and_warnings() {
        let body = fixture("jaeger/trace-ui-model-refs-logs-tags.json");
        let t = jaeger_trace(serde_json::from_slice(&body).unwrap()).unwrap();
        assert_eq!(t.spans.len(), 5);
        assert_eq!(t.warnings, vec!["some trace warning".to_string()]);
        let tagged = &t.spans[1];
        assert!(tagged.error, "error=true tag flags the span");
        assert!(tagged
            .tags
            .contains(&("javascript_limit".into(), "9223372036854775222".into())));
        assert!(tagged.tags.contains(&("temperature".into(), "72.5".into())));
        let multi = &t.spans[3];
        assert_eq!(multi.references.len(), 3);
        assert_eq!(
            multi.parent_id.as_deref(),
            Some("0000000000000002"),
            "the in-trace CHILD_OF is the parent"
        );
        assert_eq!(multi.warnings, vec!["some span warning".to_string()]);
        assert_eq!(t.spans[0].logs.len(), 2);
        assert_eq!(t.spans[0].service, "service-x");
    }

    #[test]
    fn jaeger_envelopes() {
        let traces =
            decode_jaeger_traces(&fixture("jaeger/traces-response-envelope-otlp2jaeger.json"))
                .unwrap();
        assert_eq!(traces.len(), 1);
        assert_eq!(traces[0].spans[0].service, "telemetrygen");
        let t = jaeger_trace(
            serde_json::from_slice(&fixture("jaeger/trace-11-spans-2-services.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(t.spans.len(), 11);
        let follower = t.spans.iter().find(|s| s.span_id == "span-7").unwrap();
        assert_eq!(
            follower.parent_id.as_deref(),
            Some("span-6"),
            "a lone FOLLOWS_FROM hangs under its producer"
        );
        let err = decode_jaeger_traces(br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#).unwrap_err();
        assert_eq!(err, TraceDecodeError::Backend("trace not found".into()));
    }

    #[test]
    fn services_and_operations_v1_and_v3() {
        assert_eq!(
            decode_services(&fixture("jaeger/apiv3-services.json")).unwrap(),
            vec!["foo".to_string()]
        );
        assert_eq!(
            decode_services(br#"{"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null}"#)
                .unwrap()
                .len(),
            2
        );
        let ops = decode_operations(&fixture(
            "jaeger/operations-by-service-and-spankind-changelog.json",
        ))
        .unwrap();
        assert_eq!(
            ops[0],
            (
                "UserService::getExtendedUser".to_string(),
                Some("server".to_string())
            )
        );
        assert_eq!(
            decode_operations(&fixture("jaeger/apiv3-operations.json")).unwrap()[0].0,
            "get_users"
        );
        assert_eq!(
            decode_operations(br#"{"data":["GET /x"],"errors":null}"#).unwrap()[0],
            ("GET /x".to_string(), None)
        );
    }

    #[test]
    fn tempo_batches_with_hex_ids() {
        let t = decode_tempo_trace(&fixture("tempo/trace-batches-single-span.json")).unwrap();
        assert_eq!(t.trace_id, "5b8efff798038103d269b633813fc60c");
        let s = &t.spans[0];
        assert_eq!(s.service, "my.service");
        assert_eq!(s.parent_id.as_deref(), Some("eee19b7ec3c1b173"));
        assert_eq!(s.duration_us, 1_000_000);
        assert!(s
            .tags
            .contains(&("my.span.attr".into(), "some value".into())));
        assert!(s.tags.contains(&("span.kind".into(), "2".into())));
    }

    #[test]
    fn jaeger_v3_streams_otlp_chunks_grouped_by_trace() {
        // API v3 wraps OTLP in {result: …}, one chunk per streamed message: built here from
        // Tempo's OTLP fixture, the second chunk a copy with another trace id.
        let fixture: Value =
            serde_json::from_slice(&fixture("tempo/trace-batches-single-span.json")).unwrap();
        let batches = fixture["batches"].clone();
        let mut other = batches.clone();
        other[0]["scopeSpans"][0]["spans"][0]["traceId"] = "AAAAAAAAAAAAAAAAAAAAAQ==".into();
        let body = format!(
            "{}\n{}\n{}",
            serde_json::json!({"result": {"resourceSpans": batches}}),
            serde_json::json!({"result": {"resourceSpans": other}}),
            serde_json::json!({"result": {"resourceSpans": batches}}),
        );
        let traces = decode_otlp_traces(body.as_bytes()).unwrap();
        assert_eq!(traces.len(), 2);
        assert_eq!(traces[0].trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(traces[0].spans.len(), 2);
        assert_eq!(traces[1].trace_id, "00000000000000000000000000000001");
        assert_eq!(traces[1].spans[0].service, "my.service");
        let err =
            decode_otlp_traces(br#"{"error":{"code":5,"message":"trace not found"}}"#).unwrap_err();
        assert!(matches!(err, TraceDecodeError::Backend(m) if m == "trace not found"));
        assert!(decode_otlp_traces(b"").unwrap().is_empty());
    }

    #[test]
    fn otlp_ids_in_base64() {
        assert_eq!(
            otlp_id("W47/95gDgQPSabYzgT/GDA=="),
            "5b8efff798038103d269b633813fc60c"
        );
        assert_eq!(otlp_id("ABCDEF12"), "abcdef12");
        assert_eq!(otlp_id_owned("ABCDEF12".into()), "abcdef12");
        assert_eq!(
            otlp_id_owned("W47/95gDgQPSabYzgT/GDA==".into()),
            "5b8efff798038103d269b633813fc60c"
        );
    }

    #[test]
    fn trace_ids_are_normalised_and_checked() {
        assert_eq!(
            normalize_trace_id(" 5B8EFFF798038103D269B633813FC60C ").as_deref(),
            Some("5b8efff798038103d269b633813fc60c")
        );
        assert_eq!(
            normalize_trace_id("trace-123").as_deref(),
            Some("trace-123")
        );
        assert_eq!(normalize_trace_id("Trace_A").as_deref(), Some("Trace_A"));
        assert_eq!(normalize_trace_id(""), None);
        assert_eq!(normalize_trace_id("../admin"), None);
        assert_eq!(normalize_trace_id("a/b"), None);
        assert_eq!(normalize_trace_id("a%2fb"), None);
        assert_eq!(normalize_trace_id(&"a".repeat(65)), None);
    }

    #[test]
    fn durations_become_protobuf_durations_for_api_v3() {
        assert_eq!(proto_duration(100_000), "0.100000s");
        assert_eq!(proto_duration(1_200_000), "1.200000s");
        assert_eq!(proto_duration(250), "0.000250s");
        assert_eq!(proto_duration(120_000_000), "120.000000s");
    }

    #[test]
    fn a_search_is_checked_field_by_field() {
        let q = |tags: &str, limit: &str, min: &str| TraceQuery {
            service: " planner ".into(),
            tags: tags.into(),
            limit: limit.into(),
            min_duration: min.into(),
            from: "now-1h".into(),
            to: "now".into(),
            ..Default::default()
        };
        let p = q("error=true http.status_code=\"500\"", "", "100ms")
            .check(3_600_000)
            .unwrap();
        assert_eq!(p.service, "planner");
        assert_eq!(p.operation, None);
        assert_eq!(
            p.tags,
            vec![
                ("error".into(), "true".into()),
                ("http.status_code".into(), "500".into())
            ]
        );
        assert_eq!((p.limit, p.from_ms, p.to_ms), (DEFAULT_LIMIT, 0, 3_600_000));
        assert_eq!(p.min_duration, Some(100_000));
        let json = q(r#"{"http.status_code": 500}"#, "5", "").check(0).unwrap();
        assert_eq!(json.tags, vec![("http.status_code".into(), "500".into())]);
        let err = |q: TraceQuery| q.check(0).unwrap_err();
        assert!(err(q("error", "", "")).contains("has no value"));
        assert!(err(q("", "0", "")).contains("from 1 to 1500"));
        assert!(err(q("", "", "fast")).contains("100ms"));
    }
}
