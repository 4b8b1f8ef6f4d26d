//! The fleet-size trace (`--scale-trace SPANS`): one trace of 100,000 spans across 50 services,
//! wide (a root calling 49 services, each a four-way tree of its own calls) and deep (a 300-span
//! chain of retries under one of them, the only failed span at its bottom). The Jaeger and Tempo
//! stand-ins serve it under `SCALE_TRACE_ID`, rendered once; the Loki stand-in serves the failed
//! span's error lines, so "Logs for this span" finds them. And the fleet-size log stream
//! (`--scale-logs LINES`): 100,000 lines in the last hour.

use super::*;
use crate::catalog::LIVE_NAMESPACE;
use crate::store::{LogLine, Span, SpanKind, TagValue, Trace};

pub const SCALE_TRACE_ID: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";
/// Services the trace spans (the root's and 49 callees).
pub const SCALE_SERVICES: usize = 50;
/// Spans of the retry chain that ends in the failure.
pub const DEEP_CHAIN: usize = 300;
/// The level-1 span the chain hangs under.
const CHAIN_UNDER: usize = 17;

pub(super) struct ScaleTrace {
    pub(super) jaeger: axum::body::Bytes,
    pub(super) tempo: axum::body::Bytes,
    pub(super) logs: Vec<LogLine>,
}

static SCALE: std::sync::OnceLock<ScaleTrace> = std::sync::OnceLock::new();
/// The firehose's lines, oldest first.
static FIREHOSE: std::sync::OnceLock<Vec<LogLine>> = std::sync::OnceLock::new();

/// The service (and stream) of the `--scale-logs` lines.
pub const FIREHOSE_SERVICE: &str = "log-firehose";

/// The scale trace when it is served (`id` normalised as the stores do).
pub(super) fn scale_trace(id: &str) -> Option<&'static ScaleTrace> {
    SCALE
        .get()
        .filter(|_| id.eq_ignore_ascii_case(SCALE_TRACE_ID))
}

/// The scale trace's and the firehose's log lines (each oldest first; none unless served).
pub(super) fn scale_logs() -> impl DoubleEndedIterator<Item = &'static LogLine> {
    let trace: &'static [LogLine] = SCALE.get().map_or(&[], |s| s.logs.as_slice());
    let firehose: &'static [LogLine] = FIREHOSE.get().map_or(&[], Vec::as_slice);
    firehose.iter().chain(trace)
}

/// Serves `lines` log lines of `{service="log-firehose", namespace="octollm-scale"}` spread evenly
/// over `start_ns..end_ns`, two lines per timestamp (so windows of lines must continue exactly
/// where the last one stopped); each says its sequence number (`"seq":k`, oldest 0), every tenth
/// is a warning and every fiftieth an error.
pub fn serve_scale_logs(lines: usize, start_ns: i64, end_ns: i64) -> Result<(), String> {
    let pairs = lines.div_ceil(2).max(1) as i64;
    let gap = ((end_ns - start_ns) / pairs).max(1);
    let out = (0..lines)
        .map(|k| {
            let level = if k % 50 == 0 {
                "error"
            } else if k % 10 == 0 {
                "warn"
            } else {
                "info"
            };
            LogLine {
                ts_ns: start_ns + (k as i64 / 2) * gap,
                labels: [
                    ("service", FIREHOSE_SERVICE.to_string()),
                    ("namespace", "octollm-scale".to_string()),
                    ("level", level.to_string()),
                    ("job", format!("octollm-scale/{FIREHOSE_SERVICE}")),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
                line: json!({"level": level, "msg": "request handled", "seq": k}).to_string(),
            }
        })
        .collect();
    FIREHOSE
        .set(out)
        .map_err(|_| "the scale logs are already served".to_string())
}

/// Builds and serves a scale trace of `spans` spans starting at `start_us`; returns its id.
pub fn serve_scale_trace(spans: usize, start_us: i64) -> Result<&'static str, String> {
    let trace = build(spans, start_us)?;
    let jaeger = serde_json::to_vec(
        &json!({"data": [trace.to_jaeger()], "total": 0, "limit": 0, "offset": 0, "errors": null}),
    )
    .map_err(|e| e.to_string())?;
    let tempo = serde_json::to_vec(&json!({"batches": trace.to_otlp_resource_spans()}))
        .map_err(|e| e.to_string())?;
    let failed = trace
        .spans
        .iter()
        .find(|s| s.error)
        .expect("build fails one span");
    let logs = ["calling the sandbox", "sandbox returned 500", "giving up after 300 retries"]
        .iter()
        .enumerate()
        .map(|(k, msg)| LogLine {
            ts_ns: (failed.start_us + k as i64) * 1000,
            labels: [
                ("service", failed.service.to_string()),
                ("namespace", LIVE_NAMESPACE.to_string()),
                ("level", if k == 0 { "info" } else { "error" }.to_string()),
                ("job", format!("{LIVE_NAMESPACE}/{}", failed.service)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            line: json!({"level": if k == 0 { "info" } else { "error" }, "msg": msg, "trace_id": SCALE_TRACE_ID, "span_id": failed.span_id, "status_code": 500})
                .to_string(),
        })
        .collect();
    SCALE
        .set(ScaleTrace {
            jaeger: jaeger.into(),
            tempo: tempo.into(),
            logs,
        })
        .map_err(|_| "the scale trace is already served".to_string())?;
    Ok(SCALE_TRACE_ID)
}

/// The 50 service names: OctoLLM's own and numbered replicas of its arms.
fn services() -> Vec<&'static str> {
    let names: Vec<&'static str> = crate::catalog::SERVICES.iter().map(|s| s.name).collect();
    let mut out = names.clone();
    let mut k = 0;
    while out.len() < SCALE_SERVICES {
        let base = names[1 + k % (names.len() - 1)];
        // Leaked once per process: the store's spans name services by `&'static str`.
        out.push(Box::leak(
            format!("{base}-{:02}", k / (names.len() - 1) + 2).into_boxed_str(),
        ));
        k += 1;
    }
    out
}

/// The trace: span 0 the root; 1..=49 one call per other service; then a four-way tree (span
/// `i`'s parent is `(i - 50) / 4 + 1`, its service its parent's); the last `DEEP_CHAIN` spans a
/// chain under span 17, the last one failed.
pub fn build(spans: usize, start_us: i64) -> Result<Trace, String> {
    let min = SCALE_SERVICES + DEEP_CHAIN;
    if spans < min {
        return Err(format!("a scale trace needs at least {min} spans"));
    }
    let names = services();
    let ops = [
        "handle",
        "plan step",
        "call tool",
        "read cache",
        "llm call",
        "score",
    ];
    let mut out: Vec<Span> = Vec::with_capacity(spans);
    let span_id = |i: usize| format!("{:016x}", 0x5ca1_0000_0000_0000u64 + i as u64);
    let chain_from = spans - DEEP_CHAIN;
    for i in 0..spans {
        let (parent, service, start, duration) = if i == 0 {
            (None, names[0], start_us, 60_000_000)
        } else if i < SCALE_SERVICES {
            let off = i as i64 * 1_000;
            (Some(0), names[i], start_us + off, 59_000_000 - off)
        } else if i < chain_from {
            let p = (i - SCALE_SERVICES) / 4 + 1;
            let q = ((i - SCALE_SERVICES) % 4) as i64;
            let (ps, pd) = (out[p].start_us, out[p].duration_us);
            (Some(p), out[p].service, ps + q * pd / 5, (pd / 5).max(1))
        } else {
            let p = if i == chain_from { CHAIN_UNDER } else { i - 1 };
            let (ps, pd) = (out[p].start_us, out[p].duration_us);
            (Some(p), out[p].service, ps + 10, (pd - 20).max(1))
        };
        let error = i == spans - 1;
        let mut tags = vec![("octollm.step".to_string(), TagValue::Int(i as i64))];
        if error {
            tags.push(("http.status_code".into(), TagValue::Int(500)));
        }
        out.push(Span {
            span_id: span_id(i),
            parent_id: parent.map(span_id),
            service,
            operation: ops[i % ops.len()].to_string(),
            kind: if i == 0 {
                SpanKind::Server
            } else {
                SpanKind::Internal
            },
            start_us: start,
            duration_us: duration,
            error,
            tags,
            events: vec![],
        });
    }
    Ok(Trace {
        trace_id: SCALE_TRACE_ID.to_string(),
        spans: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn firehose_lines_pair_up_in_time_and_count_from_zero() {
        serve_scale_logs(1_001, 0, 1_000_000).unwrap();
        let lines: Vec<&LogLine> = FIREHOSE.get().unwrap().iter().collect();
        assert_eq!(lines.len(), 1_001);
        assert_eq!(lines[0].ts_ns, lines[1].ts_ns);
        assert!(lines.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
        assert!(lines.last().unwrap().ts_ns < 1_000_000);
        assert!(lines[1_000].line.contains("\"seq\":1000"));
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.labels["level"] == "error")
                .count(),
            21
        );
        assert!(serve_scale_logs(1, 0, 1).is_err(), "once per process");
    }

    #[test]
    fn wide_deep_fifty_services_one_failure() {
        let t = build(10_000, 1_000).unwrap();
        assert_eq!(t.spans.len(), 10_000);
        let services: HashSet<&str> = t.spans.iter().map(|s| s.service).collect();
        assert_eq!(services.len(), SCALE_SERVICES);
        assert_eq!(t.spans.iter().filter(|s| s.error).count(), 1);
        let index: HashMap<&str, usize> = t
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id.as_str(), i))
            .collect();
        // Every parent is in the trace and encloses its child; depths reach past the chain.
        let mut depth = vec![0usize; t.spans.len()];
        for (i, s) in t.spans.iter().enumerate().skip(1) {
            let p = index[s.parent_id.as_deref().unwrap()];
            assert!(p < i);
            let parent = &t.spans[p];
            assert!(s.start_us >= parent.start_us, "span {i}");
            assert!(
                s.start_us + s.duration_us <= parent.start_us + parent.duration_us,
                "span {i}"
            );
            depth[i] = depth[p] + 1;
        }
        assert_eq!(*depth.last().unwrap(), 1 + DEEP_CHAIN);
        assert_eq!(
            t.spans[1..SCALE_SERVICES]
                .iter()
                .filter(|s| s.parent_id.is_some())
                .count(),
            49
        );
        assert!(build(100, 0).is_err());
    }
}
