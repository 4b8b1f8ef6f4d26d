//! HTTP faces of the simulator, one module per API: each service's `/metrics`, the control API
//! (incidents, alert webhook sink, infrastructure metrics), and Loki-, Jaeger- and Tempo-shaped
//! read APIs. The request helpers they share live here.

pub mod control;
pub mod jaeger;
pub mod loki;
pub mod recorded;
pub mod scale;
pub mod services;
pub mod tempo;
#[cfg(test)]
mod testing;

pub use control::control_router;
pub use jaeger::jaeger_router;
pub use loki::loki_router;
pub use recorded::load_recorded_traces;
pub use scale::{serve_scale_logs, serve_scale_trace, FIREHOSE_SERVICE, SCALE_TRACE_ID};
pub use services::service_router;
pub use tempo::tempo_router;

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

pub(crate) fn lock(sim: &SharedSim) -> std::sync::MutexGuard<'_, Sim> {
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

// Trace search, the same in the Jaeger and Tempo faces.

/// The services of the kept traces, sorted, each once.
fn traced_services(sim: &Sim) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = sim
        .stores
        .traces
        .iter()
        .flat_map(|t| t.spans.iter().map(|s| s.service))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
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
