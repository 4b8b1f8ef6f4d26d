//! HTTP faces of the simulator: each service's `/metrics`, the control API (incidents, alert
//! webhook sink, infrastructure metrics), and Loki-, Jaeger- and Tempo-shaped read APIs.

use crate::catalog::SERVICES;
use crate::engine::Sim;
use crate::incidents::IncidentRequest;
use crate::logql::{self, Query, RangeFn};
use crate::traceql;
use axum::extract::{Path, Query as Q, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

pub type SharedSim = Arc<Mutex<Sim>>;

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn lock(sim: &SharedSim) -> std::sync::MutexGuard<'_, Sim> {
    sim.lock().unwrap_or_else(|p| p.into_inner())
}

fn text_error(status: StatusCode, msg: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        msg.into(),
    )
        .into_response()
}

/// Parses `a=1&b=2&b=3` keeping repeated keys (`match[]`).
fn params(raw: Option<String>) -> Vec<(String, String)> {
    raw.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(p: &'a [(String, String)], key: &str) -> Option<&'a str> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Services

/// `/metrics` and `/health` of one service; both refuse while the service is down.
pub fn service_router(sim: SharedSim, index: usize) -> Router {
    let metrics = {
        let sim = sim.clone();
        move || async move {
            let s = lock(&sim);
            if s.is_down(index) {
                return text_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("{} is down (simulated incident)", SERVICES[index].name),
                );
            }
            (
                [(header::CONTENT_TYPE, OPENMETRICS)],
                s.services[index].render(),
            )
                .into_response()
        }
    };
    let health = move || async move {
        if lock(&sim).is_down(index) {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "down"})),
            )
                .into_response()
        } else {
            Json(json!({"status": "ok", "service": SERVICES[index].name})).into_response()
        }
    };
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
}

// ---------------------------------------------------------------------------------------------
// Control

pub fn control_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/metrics", get(infra_metrics))
        .route(
            "/sim/incidents",
            get(list_incidents)
                .post(add_incident)
                .delete(clear_incidents),
        )
        .route(
            "/sim/incidents/{id}",
            axum::routing::delete(delete_incident),
        )
        .route("/sim/sink", get(list_notifications))
        .route("/sim/sink/{receiver}", post(receive_notification))
        .with_state(sim)
}

async fn infra_metrics(State(sim): State<SharedSim>) -> Response {
    (
        [(header::CONTENT_TYPE, OPENMETRICS)],
        lock(&sim).infra.render(),
    )
        .into_response()
}

async fn list_incidents(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"incidents": lock(&sim).incidents}))
}

async fn add_incident(State(sim): State<SharedSim>, body: axum::body::Bytes) -> Response {
    let req: IncidentRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({"error": format!("body must be JSON {{\"kind\", \"target\", \"duration\"}}: {e}")})))
                .into_response()
        }
    };
    match req.validate() {
        Ok((kind, target, duration)) => {
            let inc = lock(&sim).add_incident(kind, target, duration, now_ms());
            (StatusCode::CREATED, Json(json!(inc))).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn clear_incidents(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"removed": lock(&sim).remove_incidents(None)}))
}

async fn delete_incident(State(sim): State<SharedSim>, Path(id): Path<u64>) -> Response {
    match lock(&sim).remove_incidents(Some(id)) {
        0 => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no running incident {id}")})),
        )
            .into_response(),
        n => Json(json!({"removed": n})).into_response(),
    }
}

async fn list_notifications(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"notifications": lock(&sim).notifications}))
}

async fn receive_notification(
    State(sim): State<SharedSim>,
    Path(receiver): Path<String>,
    Json(mut body): Json<Value>,
) -> StatusCode {
    body["_receiver_path"] = json!(receiver);
    let mut s = lock(&sim);
    if s.notifications.len() >= 1000 {
        s.notifications.remove(0);
    }
    s.notifications.push(body);
    StatusCode::OK
}

// ---------------------------------------------------------------------------------------------
// Loki

pub fn loki_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/ready", get(|| async { "ready" }))
        .route("/loki/api/v1/query_range", get(loki_query_range))
        .route("/loki/api/v1/query", get(loki_query))
        .route("/loki/api/v1/labels", get(loki_labels))
        .route("/loki/api/v1/label/{name}/values", get(loki_label_values))
        .route("/loki/api/v1/series", get(loki_series))
        .with_state(sim)
}

/// Loki accepts nanosecond epochs, second epochs (with fraction) and RFC 3339 (not here).
fn loki_time(v: Option<&str>, default_ns: i64) -> Result<i64, String> {
    let Some(v) = v else { return Ok(default_ns) };
    if let Ok(n) = v.parse::<i64>() {
        return Ok(if n > 100_000_000_000_000 {
            n
        } else {
            n * 1_000_000_000
        });
    }
    v.parse::<f64>().map(|s| (s * 1e9) as i64).map_err(|_| {
        format!("invalid parameter \"{v}\": could not parse time; use Unix nanoseconds or seconds")
    })
}

fn loki_step(v: Option<&str>, start: i64, end: i64) -> Result<i64, String> {
    match v {
        None => Ok(((end - start) / 250).max(1_000_000_000)),
        Some(v) => {
            let secs = crate::incidents::parse_duration_secs(v)
                .map_err(|_| format!("invalid parameter \"step\": {v:?} is not a duration"))?;
            Ok(secs as i64 * 1_000_000_000)
        }
    }
}

fn stats(lines: usize) -> Value {
    json!({"summary": {"totalLinesProcessed": lines, "execTime": 0.001, "queueTime": 0.0, "totalEntriesReturned": lines}})
}

fn streams_result(
    sim: &Sim,
    q: &logql::LogQuery,
    start: i64,
    end: i64,
    limit: usize,
    forward: bool,
) -> Value {
    let mut streams: BTreeMap<BTreeMap<String, String>, Vec<(i64, String)>> = BTreeMap::new();
    let mut taken = 0;
    let iter: Box<dyn Iterator<Item = &crate::store::LogLine>> = if forward {
        Box::new(sim.stores.logs.iter())
    } else {
        Box::new(sim.stores.logs.iter().rev())
    };
    for log in iter {
        if log.ts_ns < start || log.ts_ns >= end {
            continue;
        }
        if let Some(labels) = q.apply(&log.labels, &log.line) {
            streams
                .entry(labels)
                .or_default()
                .push((log.ts_ns, log.line.clone()));
            taken += 1;
            if taken >= limit {
                break;
            }
        }
    }
    let result: Vec<Value> = streams
        .into_iter()
        .map(|(labels, values)| {
            json!({"stream": labels, "values": values.into_iter().map(|(ts, l)| json!([ts.to_string(), l])).collect::<Vec<_>>()})
        })
        .collect();
    json!({"status": "success", "data": {"resultType": "streams", "result": result, "stats": stats(taken)}})
}

/// One metric series: its labels and (timestamp ns, value) points.
type MetricSeries = (BTreeMap<String, String>, Vec<(i64, f64)>);

/// Evaluates `count_over_time`/`rate` at each step, grouped per `sum by`.
fn metric_points(sim: &Sim, q: &Query, times: &[i64]) -> Vec<MetricSeries> {
    let Query::Metric {
        func,
        range_s,
        inner,
        sum_by,
    } = q
    else {
        return vec![];
    };
    let range_ns = (*range_s * 1e9) as i64;
    let (lo, hi) = (
        times.first().copied().unwrap_or(0) - range_ns,
        times.last().copied().unwrap_or(0),
    );
    let mut series: BTreeMap<BTreeMap<String, String>, Vec<i64>> = BTreeMap::new();
    for log in &sim.stores.logs {
        if log.ts_ns <= lo || log.ts_ns > hi {
            continue;
        }
        if let Some(labels) = inner.apply(&log.labels, &log.line) {
            let key = match sum_by {
                Some(by) => labels.into_iter().filter(|(k, _)| by.contains(k)).collect(),
                None => labels,
            };
            series.entry(key).or_default().push(log.ts_ns);
        }
    }
    series
        .into_iter()
        .map(|(labels, mut ts)| {
            ts.sort_unstable();
            let points = times
                .iter()
                .filter_map(|t| {
                    let from = ts.partition_point(|x| *x <= t - range_ns);
                    let to = ts.partition_point(|x| *x <= *t);
                    let n = (to - from) as f64;
                    (n > 0.0).then(|| {
                        (
                            *t,
                            if *func == RangeFn::Rate {
                                n / range_s
                            } else {
                                n
                            },
                        )
                    })
                })
                .collect();
            (labels, points)
        })
        .filter(|(_, p): &(_, Vec<_>)| !p.is_empty())
        .collect()
}

fn fmt_sample(ts_ns: i64, v: f64) -> Value {
    json!([ts_ns as f64 / 1e9, format!("{v}")])
}

/// The `query` parameter, parsed; Loki's wording for what is wrong.
fn parse_query_param(p: &[(String, String)]) -> Result<Query, String> {
    let query = param(p, "query").ok_or("query parameter is required")?;
    logql::parse(query)
}

async fn loki_query_range(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let parsed = match parse_query_param(&p) {
        Ok(q) => q,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    let now = now_ms() * 1_000_000;
    let (end, start) = match (
        loki_time(param(&p, "end"), now),
        loki_time(param(&p, "start"), now - 3_600_000_000_000),
    ) {
        (Ok(e), Ok(s)) => (e, s),
        (Err(e), _) | (_, Err(e)) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    if end < start {
        return text_error(
            StatusCode::BAD_REQUEST,
            "the query time range is invalid: end is before start",
        );
    }
    let limit = param(&p, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100usize);
    let forward = param(&p, "direction") == Some("forward");
    let sim = lock(&sim);
    match &parsed {
        Query::Logs(q) => Json(streams_result(&sim, q, start, end, limit, forward)).into_response(),
        Query::Metric { .. } => {
            let step = match loki_step(param(&p, "step"), start, end) {
                Ok(s) => s,
                Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
            };
            let times: Vec<i64> = (0..)
                .map(|i| start + i * step)
                .take_while(|t| *t <= end)
                .take(11_000)
                .collect();
            let result: Vec<Value> = metric_points(&sim, &parsed, &times)
                .into_iter()
                .map(|(m, pts)| json!({"metric": m, "values": pts.into_iter().map(|(t, v)| fmt_sample(t, v)).collect::<Vec<_>>()}))
                .collect();
            Json(json!({"status": "success", "data": {"resultType": "matrix", "result": result, "stats": stats(0)}})).into_response()
        }
    }
}

async fn loki_query(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let parsed = match parse_query_param(&p) {
        Ok(q) => q,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    if matches!(parsed, Query::Logs(_)) {
        return text_error(
            StatusCode::BAD_REQUEST,
            "log queries are not supported as an instant query type, please change your query to a range query type",
        );
    }
    let t = match loki_time(param(&p, "time"), now_ms() * 1_000_000) {
        Ok(t) => t,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    let sim = lock(&sim);
    let result: Vec<Value> = metric_points(&sim, &parsed, &[t])
        .into_iter()
        .filter_map(|(m, pts)| {
            pts.first()
                .map(|(t, v)| json!({"metric": m, "value": fmt_sample(*t, *v)}))
        })
        .collect();
    Json(json!({"status": "success", "data": {"resultType": "vector", "result": result, "stats": stats(0)}})).into_response()
}

async fn loki_labels(State(sim): State<SharedSim>) -> Json<Value> {
    let sim = lock(&sim);
    let mut names: Vec<&String> = sim
        .stores
        .logs
        .iter()
        .flat_map(|l| l.labels.keys())
        .collect();
    names.sort();
    names.dedup();
    Json(json!({"status": "success", "data": names}))
}

async fn loki_label_values(State(sim): State<SharedSim>, Path(name): Path<String>) -> Json<Value> {
    let sim = lock(&sim);
    let mut values: Vec<&String> = sim
        .stores
        .logs
        .iter()
        .filter_map(|l| l.labels.get(&name))
        .collect();
    values.sort();
    values.dedup();
    Json(json!({"status": "success", "data": values}))
}

async fn loki_series(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let selectors: Vec<&str> = p
        .iter()
        .filter(|(k, _)| k == "match[]" || k == "match")
        .map(|(_, v)| v.as_str())
        .collect();
    if selectors.is_empty() {
        return text_error(
            StatusCode::BAD_REQUEST,
            "at least one match[] selector is required",
        );
    }
    let mut queries = Vec::new();
    for s in selectors {
        match logql::parse(s) {
            Ok(Query::Logs(q)) => queries.push(q),
            Ok(_) => {
                return text_error(StatusCode::BAD_REQUEST, "match[] must be a stream selector")
            }
            Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
        }
    }
    let sim = lock(&sim);
    let mut sets: Vec<&BTreeMap<String, String>> = sim
        .stores
        .logs
        .iter()
        .filter(|l| queries.iter().any(|q| q.apply(&l.labels, "").is_some()))
        .map(|l| &l.labels)
        .collect();
    sets.sort();
    sets.dedup();
    Json(json!({"status": "success", "data": sets})).into_response()
}

// ---------------------------------------------------------------------------------------------
// Recorded upstream samples

/// Upstream trace samples served verbatim beside the simulated traces (`--recorded-traces DIR`:
/// `DIR/jaeger/*.json`, `DIR/tempo/*.json`), so the console is checked against real shapes.
#[derive(Default)]
struct Recorded {
    /// trace id → the whole `GET /api/traces/{id}` answer.
    jaeger: HashMap<String, Value>,
    /// lowercase hex trace id → Tempo's `GET /api/traces/{id}` body, byte for byte.
    tempo: HashMap<String, String>,
}

static RECORDED: std::sync::OnceLock<Recorded> = std::sync::OnceLock::new();

fn recorded() -> &'static Recorded {
    RECORDED.get_or_init(Recorded::default)
}

/// Loads the samples; returns how many traces each stand-in serves. Files that hold no trace
/// (service lists, operation lists) are skipped.
pub fn load_recorded_traces(dir: &std::path::Path) -> Result<(usize, usize), String> {
    let mut rec = Recorded::default();
    let files = |sub: &str| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        v
    };
    let read = |p: &std::path::Path| -> Result<(String, Value), String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let v = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok((text, v))
    };
    for path in files("jaeger") {
        let (_, v) = read(&path)?;
        if let Some(id) = v["traceID"].as_str() {
            // A bare trace (the UI's model): the query service wraps it in its envelope.
            rec.jaeger.insert(
                id.to_string(),
                json!({"data": [v.clone()], "total": 0, "limit": 0, "offset": 0, "errors": null}),
            );
        } else if let Some(traces) = v["data"].as_array() {
            for id in traces.iter().filter_map(|t| t["traceID"].as_str()) {
                rec.jaeger.insert(id.to_string(), v.clone());
            }
        }
    }
    for path in files("tempo") {
        let (text, v) = read(&path)?;
        let id = v["batches"][0]["scopeSpans"][0]["spans"][0]["traceId"]
            .as_str()
            .filter(|id| id.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase);
        if let Some(id) = id {
            rec.tempo.insert(id, text);
        }
    }
    let counts = (rec.jaeger.len(), rec.tempo.len());
    RECORDED
        .set(rec)
        .map_err(|_| "recorded traces were already loaded".to_string())?;
    Ok(counts)
}

// ---------------------------------------------------------------------------------------------
// Jaeger (query service v1 JSON API)

pub fn jaeger_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/api/services", get(jaeger_services))
        .route(
            "/api/services/{service}/operations",
            get(jaeger_service_operations),
        )
        .route("/api/operations", get(jaeger_operations))
        .route("/api/traces", get(jaeger_search))
        .route("/api/traces/{id}", get(jaeger_trace))
        .with_state(sim)
}

fn jaeger_ok(data: Value, total: usize) -> Json<Value> {
    Json(json!({"data": data, "total": total, "limit": 0, "offset": 0, "errors": null}))
}

fn jaeger_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({"data": null, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": status.as_u16(), "msg": msg}]})))
        .into_response()
}

async fn jaeger_services(State(sim): State<SharedSim>) -> Json<Value> {
    let sim = lock(&sim);
    let mut names: Vec<&str> = sim
        .stores
        .traces
        .iter()
        .flat_map(|t| t.spans.iter().map(|s| s.service))
        .collect();
    names.sort_unstable();
    names.dedup();
    let n = names.len();
    jaeger_ok(json!(names), n)
}

fn operations(sim: &Sim, service: &str) -> Vec<(String, &'static str)> {
    let mut ops: Vec<(String, &'static str)> = sim
        .stores
        .traces
        .iter()
        .flat_map(|t| t.spans.iter())
        .filter(|s| s.service == service)
        .map(|s| {
            (
                s.operation.clone(),
                if s.kind == crate::store::SpanKind::Client {
                    "client"
                } else {
                    "server"
                },
            )
        })
        .collect();
    ops.sort();
    ops.dedup();
    ops
}

async fn jaeger_service_operations(
    State(sim): State<SharedSim>,
    Path(service): Path<String>,
) -> Json<Value> {
    let ops: Vec<String> = operations(&lock(&sim), &service)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    let n = ops.len();
    jaeger_ok(json!(ops), n)
}

async fn jaeger_operations(
    State(sim): State<SharedSim>,
    Q(q): Q<HashMap<String, String>>,
) -> Response {
    let Some(service) = q.get("service") else {
        return jaeger_error(StatusCode::BAD_REQUEST, "parameter 'service' is required");
    };
    let kind = q.get("spanKind").filter(|k| !k.is_empty());
    let ops: Vec<Value> = operations(&lock(&sim), service)
        .into_iter()
        .filter(|(_, k)| kind.is_none_or(|want| want == k))
        .map(|(name, k)| json!({"name": name, "spanKind": k}))
        .collect();
    let n = ops.len();
    jaeger_ok(json!(ops), n).into_response()
}

/// Go duration strings as Jaeger takes them (`1.2s`, `100ms`, `1m`), in microseconds.
fn go_duration_us(s: &str) -> Option<i64> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let n: f64 = s[..split].parse().ok()?;
    let mult = match &s[split..] {
        "us" | "µs" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 6e7,
        "h" => 3.6e9,
        _ => return None,
    };
    Some((n * mult) as i64)
}

fn tag_matches(span: &crate::store::Span, key: &str, want: &str) -> bool {
    if key == "error" {
        return span.error.to_string() == want;
    }
    span.tags.iter().any(|(k, v)| {
        k == key
            && match v {
                crate::store::TagValue::Str(s) => s == want,
                crate::store::TagValue::Int(i) => i.to_string() == want,
                crate::store::TagValue::Bool(b) => b.to_string() == want,
                crate::store::TagValue::Float(f) => f.to_string() == want,
            }
    })
}

/// `limit` as Jaeger and Tempo take it: positive, default 20.
fn search_limit(q: &HashMap<String, String>) -> usize {
    q.get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(20)
}

/// A trace that started in [start, end] (µs) and lasted within the optional duration bounds (µs).
fn in_window(
    t: &crate::store::Trace,
    start: i64,
    end: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> bool {
    let (s, d) = (t.start_us(), t.duration_us());
    s >= start && s <= end && min.is_none_or(|m| d >= m) && max.is_none_or(|m| d <= m)
}

async fn jaeger_search(State(sim): State<SharedSim>, Q(q): Q<HashMap<String, String>>) -> Response {
    let Some(service) = q.get("service").filter(|s| !s.is_empty()) else {
        return jaeger_error(StatusCode::BAD_REQUEST, "parameter 'service' is required");
    };
    let operation = q.get("operation").filter(|s| !s.is_empty());
    let tags: Vec<(String, String)> = match q.get("tags").filter(|s| !s.is_empty()) {
        None => vec![],
        Some(t) => match serde_json::from_str::<HashMap<String, String>>(t) {
            Ok(m) => m.into_iter().collect(),
            Err(e) => {
                return jaeger_error(
                    StatusCode::BAD_REQUEST,
                    &format!("malformed 'tags' parameter: {e}"),
                )
            }
        },
    };
    let parse_dur = |k: &str| -> Result<Option<i64>, String> {
        match q.get(k).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => go_duration_us(v).map(Some).ok_or_else(|| {
                format!("cannot parse {k} {v:?}: use a duration such as 1.2s or 100ms")
            }),
        }
    };
    let (min, max) = match (parse_dur("minDuration"), parse_dur("maxDuration")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return jaeger_error(StatusCode::BAD_REQUEST, &e),
    };
    let now_us = now_ms() * 1000;
    let end = q
        .get("end")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(now_us);
    let start = q
        .get("start")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(end - 3_600_000_000);
    let limit = search_limit(&q);
    let sim = lock(&sim);
    let found: Vec<Value> = sim
        .stores
        .traces
        .iter()
        .rev()
        .filter(|t| {
            in_window(t, start, end, min, max)
                && t.spans.iter().any(|sp| {
                    sp.service == service.as_str() && operation.is_none_or(|o| &sp.operation == o)
                })
                && tags
                    .iter()
                    .all(|(k, v)| t.spans.iter().any(|sp| tag_matches(sp, k, v)))
        })
        .take(limit)
        .map(|t| t.to_jaeger())
        .collect();
    jaeger_ok(json!(found), 0).into_response()
}

async fn jaeger_trace(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    if let Some(answer) = recorded().jaeger.get(&id) {
        return Json(answer.clone()).into_response();
    }
    match lock(&sim).stores.trace(&id) {
        Some(t) => jaeger_ok(json!([t.to_jaeger()]), 0).into_response(),
        None => jaeger_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tempo

pub fn tempo_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/ready", get(|| async { "ready" }))
        .route("/api/echo", get(|| async { "echo" }))
        .route("/api/traces/{id}", get(tempo_trace_v1))
        .route("/api/v2/traces/{id}", get(tempo_trace_v2))
        .route("/api/search", get(tempo_search))
        .route("/api/search/tags", get(tempo_tags))
        .with_state(sim)
}

async fn tempo_trace_v1(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    if let Some(body) = recorded().tempo.get(&id.to_ascii_lowercase()) {
        return ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response();
    }
    match lock(&sim).stores.trace(&id) {
        Some(t) => Json(json!({"batches": t.to_otlp_resource_spans()})).into_response(),
        None => text_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

async fn tempo_trace_v2(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    match lock(&sim).stores.trace(&id) {
        Some(t) => {
            Json(json!({"trace": {"resourceSpans": t.to_otlp_resource_spans()}})).into_response()
        }
        None => text_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

async fn tempo_search(State(sim): State<SharedSim>, Q(q): Q<HashMap<String, String>>) -> Response {
    let set = match q.get("q").filter(|s| !s.trim().is_empty()) {
        Some(text) => match traceql::parse(text) {
            Ok(s) => s,
            Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
        },
        None => traceql::SpanSet::default(),
    };
    let tags: Vec<(String, String)> = q
        .get("tags")
        .map(|t| {
            t.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                .collect()
        })
        .unwrap_or_default();
    let dur = |k: &str| q.get(k).and_then(|v| go_duration_us(v));
    let (min, max) = (dur("minDuration"), dur("maxDuration"));
    // `end` is in whole seconds and inclusive; without it, "now" to the microsecond (truncating
    // to the second would hide traces that started a moment ago).
    let end = q
        .get("end")
        .and_then(|v| v.parse::<i64>().ok())
        .map(|s| s * 1_000_000 + 999_999)
        .unwrap_or(now_ms() * 1000);
    let start = q
        .get("start")
        .and_then(|v| v.parse::<i64>().ok())
        .map(|s| s * 1_000_000)
        .unwrap_or(end - 3_600_000_000);
    let limit = search_limit(&q);
    let sim = lock(&sim);
    let mut inspected = 0;
    let traces: Vec<Value> = sim
        .stores
        .traces
        .iter()
        .rev()
        .filter(|t| {
            inspected += 1;
            in_window(t, start, end, min, max)
                && set.matches(t)
                && tags.iter().all(|(k, v)| {
                    t.spans.iter().any(|sp| {
                        (k == "service.name" && sp.service == v.as_str()) || tag_matches(sp, k, v)
                    })
                })
        })
        .take(limit)
        .map(|t| {
            json!({
                "traceID": t.trace_id,
                "rootServiceName": t.root().service,
                "rootTraceName": t.root().operation,
                "startTimeUnixNano": (t.start_us() * 1000).to_string(),
                "durationMs": t.duration_us() / 1000,
            })
        })
        .collect();
    Json(json!({"traces": traces, "metrics": {"inspectedTraces": inspected, "inspectedBytes": "0", "completedJobs": 1, "totalJobs": 1}}))
        .into_response()
}

async fn tempo_tags() -> Json<Value> {
    Json(
        json!({"tagNames": ["http.method", "http.route", "http.status_code", "llm.model", "llm.provider", "service.name", "task.id"]}),
    )
}
