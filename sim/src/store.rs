//! Bounded in-memory stores of the simulated requests' traces and log lines, and their
//! rendering in Jaeger's and Tempo's JSON shapes.

use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, PartialEq)]
pub enum TagValue {
    Str(String),
    Int(i64),
    Bool(bool),
    Float(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Server,
    Client,
    Internal,
}

impl SpanKind {
    fn jaeger(self) -> &'static str {
        match self {
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Internal => "internal",
        }
    }
    /// OTLP's numeric kind as Tempo writes it.
    fn otlp(self) -> u8 {
        match self {
            SpanKind::Internal => 1,
            SpanKind::Server => 2,
            SpanKind::Client => 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub span_id: String,
    pub parent_id: Option<String>,
    pub service: &'static str,
    pub operation: String,
    pub kind: SpanKind,
    pub start_us: i64,
    pub duration_us: i64,
    pub error: bool,
    pub tags: Vec<(String, TagValue)>,
    /// (timestamp µs, message) span events.
    pub events: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<Span>,
}

impl Trace {
    pub fn root(&self) -> &Span {
        &self.spans[0]
    }
    pub fn start_us(&self) -> i64 {
        self.root().start_us
    }
    pub fn duration_us(&self) -> i64 {
        let end = self
            .spans
            .iter()
            .map(|s| s.start_us + s.duration_us)
            .max()
            .unwrap_or(0);
        end - self.start_us()
    }
    pub fn has_error(&self) -> bool {
        self.spans.iter().any(|s| s.error)
    }

    /// One trace object as Jaeger's query API returns it inside `data[]`.
    pub fn to_jaeger(&self) -> Value {
        let mut services: Vec<&str> = Vec::new();
        for s in &self.spans {
            if !services.contains(&s.service) {
                services.push(s.service);
            }
        }
        let pid = |svc: &str| {
            format!(
                "p{}",
                services.iter().position(|x| *x == svc).unwrap_or(0) + 1
            )
        };
        let spans: Vec<Value> = self
            .spans
            .iter()
            .map(|s| {
                let mut tags: Vec<Value> = s.tags.iter().map(|(k, v)| jaeger_tag(k, v)).collect();
                tags.push(jaeger_tag("span.kind", &TagValue::Str(s.kind.jaeger().into())));
                if s.error {
                    tags.push(jaeger_tag("error", &TagValue::Bool(true)));
                }
                let references: Vec<Value> = s
                    .parent_id
                    .iter()
                    .map(|p| json!({"refType": "CHILD_OF", "traceID": self.trace_id, "spanID": p}))
                    .collect();
                let logs: Vec<Value> = s
                    .events
                    .iter()
                    .map(|(ts, msg)| json!({"timestamp": ts, "fields": [jaeger_tag("event", &TagValue::Str(msg.clone()))]}))
                    .collect();
                json!({
                    "traceID": self.trace_id,
                    "spanID": s.span_id,
                    "flags": 1,
                    "operationName": s.operation,
                    "references": references,
                    "startTime": s.start_us,
                    "duration": s.duration_us,
                    "tags": tags,
                    "logs": logs,
                    "processID": pid(s.service),
                    "warnings": null,
                })
            })
            .collect();
        let processes: serde_json::Map<String, Value> = services
            .iter()
            .enumerate()
            .map(|(i, svc)| {
                (
                    format!("p{}", i + 1),
                    json!({"serviceName": svc, "tags": [jaeger_tag("namespace", &TagValue::Str(crate::catalog::LIVE_NAMESPACE.into()))]}),
                )
            })
            .collect();
        json!({"traceID": self.trace_id, "spans": spans, "processes": processes, "warnings": null})
    }

    /// OTLP-JSON resource spans, grouped by service (Tempo's `batches` / `resourceSpans`).
    pub fn to_otlp_resource_spans(&self) -> Vec<Value> {
        let mut by_service: BTreeMap<&str, Vec<&Span>> = BTreeMap::new();
        for s in &self.spans {
            by_service.entry(s.service).or_default().push(s);
        }
        by_service
            .into_iter()
            .map(|(svc, spans)| {
                let spans: Vec<Value> = spans
                    .into_iter()
                    .map(|s| {
                        let mut span = json!({
                            "traceId": self.trace_id,
                            "spanId": s.span_id,
                            "name": s.operation,
                            "kind": s.kind.otlp(),
                            "startTimeUnixNano": (s.start_us * 1000).to_string(),
                            "endTimeUnixNano": ((s.start_us + s.duration_us) * 1000).to_string(),
                            "attributes": s.tags.iter().map(|(k, v)| otlp_attr(k, v)).collect::<Vec<_>>(),
                            "events": s.events.iter().map(|(ts, m)| json!({"timeUnixNano": (ts * 1000).to_string(), "name": m})).collect::<Vec<_>>(),
                            "status": if s.error { json!({"code": 2, "message": "error"}) } else { json!({}) },
                        });
                        if let Some(p) = &s.parent_id {
                            span["parentSpanId"] = json!(p);
                        }
                        span
                    })
                    .collect();
                json!({
                    "resource": {"attributes": [
                        otlp_attr("service.name", &TagValue::Str(svc.into())),
                        otlp_attr("k8s.namespace.name", &TagValue::Str(crate::catalog::LIVE_NAMESPACE.into())),
                    ]},
                    "scopeSpans": [{"scope": {"name": "octollm-sim", "version": env!("CARGO_PKG_VERSION")}, "spans": spans}],
                })
            })
            .collect()
    }
}

fn jaeger_tag(key: &str, v: &TagValue) -> Value {
    match v {
        TagValue::Str(s) => json!({"key": key, "type": "string", "value": s}),
        TagValue::Int(i) => json!({"key": key, "type": "int64", "value": i}),
        TagValue::Bool(b) => json!({"key": key, "type": "bool", "value": b}),
        TagValue::Float(f) => json!({"key": key, "type": "float64", "value": f}),
    }
}

fn otlp_attr(key: &str, v: &TagValue) -> Value {
    let value = match v {
        TagValue::Str(s) => json!({"stringValue": s}),
        // OTLP-JSON writes 64-bit integers as strings.
        TagValue::Int(i) => json!({"intValue": i.to_string()}),
        TagValue::Bool(b) => json!({"boolValue": b}),
        TagValue::Float(f) => json!({"doubleValue": f}),
    };
    json!({"key": key, "value": value})
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub ts_ns: i64,
    /// Stream labels (service, namespace, level, job).
    pub labels: BTreeMap<String, String>,
    /// The JSON log line.
    pub line: String,
}

/// Oldest-first bounded stores: the oldest entries go when a cap is reached.
pub struct Stores {
    pub traces: VecDeque<Trace>,
    pub logs: VecDeque<LogLine>,
    max_traces: usize,
    max_logs: usize,
}

impl Stores {
    pub fn new(max_traces: usize, max_logs: usize) -> Self {
        Self {
            traces: VecDeque::new(),
            logs: VecDeque::new(),
            max_traces,
            max_logs,
        }
    }

    pub fn push_trace(&mut self, t: Trace) {
        if self.traces.len() >= self.max_traces {
            self.traces.pop_front();
        }
        self.traces.push_back(t);
    }

    pub fn push_log(&mut self, l: LogLine) {
        if self.logs.len() >= self.max_logs {
            self.logs.pop_front();
        }
        self.logs.push_back(l);
    }

    pub fn trace(&self, id: &str) -> Option<&Trace> {
        let id = id.to_ascii_lowercase();
        // Jaeger and Tempo accept ids without leading zeros.
        let id = format!("{:0>32}", id.trim_start_matches('0'));
        self.traces.iter().rev().find(|t| t.trace_id == id)
    }
}
