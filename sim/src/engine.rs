//! The traffic engine: every tick it sends tasks through the platform, records each hop in the
//! serving service's metrics, and keeps traces and log lines of sampled (and all failed) tasks.
//! Incidents change error rates, latency, availability, cost and resource use. Deterministic for
//! a given seed and sequence of ticks.

use crate::catalog::{self, ServiceDef, LIVE_NAMESPACE, LLM_MODELS, NAMESPACES, NODES, SERVICES};
use crate::incidents::{Incident, IncidentKind};
use crate::kube;
use crate::metrics::{labels, outcome, InfraMetrics, ServiceMetrics};
use crate::store::{LogLine, Span, SpanKind, Stores, TagValue, Trace};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// Tasks per second at the daily mean.
    pub base_rate: f64,
    /// Share of successful tasks whose trace and logs are kept (failed ones are always kept).
    pub trace_sample: f64,
    pub max_traces: usize,
    pub max_logs: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            base_rate: 8.0,
            trace_sample: 0.1,
            max_traces: 20_000,
            max_logs: 200_000,
        }
    }
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

pub struct Sim {
    cfg: SimConfig,
    rng: SmallRng,
    pub services: Vec<Arc<ServiceMetrics>>,
    pub infra: Arc<InfraMetrics>,
    pub incidents: Vec<Incident>,
    next_incident: u64,
    pub stores: Stores,
    /// Extra memory per service from a memory leak, bytes.
    leaked: [f64; 8],
    /// Seconds into the current crash loop cycle per service.
    crash_clock: [f64; 8],
    pod_suffix: Vec<String>,
    task_counter: u64,
    /// Alertmanager notifications received by the sinks (HTTP and SMTP), newest last.
    pub notifications: Vec<serde_json::Value>,
}

fn hex(rng: &mut SmallRng, bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rng.gen::<u8>()))
        .collect()
}

/// Standard normal sample (Box–Muller).
fn normal(rng: &mut SmallRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Daily traffic shape: quiet at night (UTC), busiest mid-afternoon; mean 1.
pub fn daily_factor(now_ms: i64) -> f64 {
    let hour = (now_ms as f64 / 3_600_000.0) % 24.0;
    1.0 + 0.45 * ((hour - 9.0) / 24.0 * 2.0 * std::f64::consts::PI).sin()
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Self {
        let mut rng = SmallRng::seed_from_u64(cfg.seed);
        let pod_suffix = SERVICES
            .iter()
            .map(|_| format!("{}-{}", hex(&mut rng, 4), hex(&mut rng, 2)))
            .collect();
        let services = SERVICES
            .iter()
            .map(|s| Arc::new(ServiceMetrics::new(s.name)))
            .collect();
        let stores = Stores::new(cfg.max_traces, cfg.max_logs);
        Sim {
            cfg,
            rng,
            services,
            infra: Arc::new(InfraMetrics::default()),
            incidents: Vec::new(),
            next_incident: 1,
            stores,
            leaked: [0.0; 8],
            crash_clock: [0.0; 8],
            pod_suffix,
            task_counter: 0,
            notifications: Vec::new(),
        }
    }

    pub fn pod_name(&self, svc: usize) -> String {
        format!("{}-{}", SERVICES[svc].name, self.pod_suffix[svc])
    }

    pub fn add_incident(
        &mut self,
        kind: IncidentKind,
        target: String,
        duration_s: Option<u64>,
        now_ms: i64,
    ) -> Incident {
        let inc = Incident {
            id: self.next_incident,
            kind,
            target,
            started_at_ms: now_ms,
            ends_at_ms: duration_s.map(|d| now_ms + d as i64 * 1000),
        };
        self.next_incident += 1;
        self.incidents.push(inc.clone());
        inc
    }

    /// Removes one incident (by id) or all; returns how many were removed.
    pub fn remove_incidents(&mut self, id: Option<u64>) -> usize {
        let before = self.incidents.len();
        self.incidents.retain(|i| id.is_some_and(|id| i.id != id));
        before - self.incidents.len()
    }

    /// Keeps one Alertmanager notification (the newest 1,000 are kept).
    pub fn record_notification(&mut self, body: serde_json::Value) {
        if self.notifications.len() >= 1000 {
            self.notifications.remove(0);
        }
        self.notifications.push(body);
    }

    fn active(&self, kind: IncidentKind, svc: usize) -> bool {
        self.active_on(kind, SERVICES[svc].name)
    }

    /// Like `active`, for targets that are not services (a node, a datastore).
    fn active_on(&self, kind: IncidentKind, target: &str) -> bool {
        self.incidents
            .iter()
            .any(|i| i.kind == kind && i.target == target)
    }

    /// Whether the service refuses requests (and scrapes) right now.
    pub fn is_down(&self, svc: usize) -> bool {
        self.active(IncidentKind::ServiceDown, svc)
            || (self.active(IncidentKind::CrashLoop, svc) && self.crash_clock[svc] % 10.0 < 4.0)
    }

    fn error_rate(&self, svc: usize) -> f64 {
        // Quiet enough that the 99.9% availability SLO burns well under 1× when nothing is wrong.
        let mut rate: f64 = if self.active(IncidentKind::Calm, svc) {
            0.0
        } else {
            0.0001
        };
        if self.active(IncidentKind::ErrorSpike, svc) {
            rate = rate.max(0.30);
        }
        if self.active(IncidentKind::BudgetBurn, svc) {
            rate = rate.max(0.03);
        }
        if self.active(IncidentKind::CrashLoop, svc) {
            rate = rate.max(0.10);
        }
        rate
    }

    fn latency(&mut self, svc: usize) -> f64 {
        let def = &SERVICES[svc];
        let mut factor = if self.active(IncidentKind::LatencySpike, svc) {
            10.0
        } else {
            1.0
        };
        // A leaking service spends ever more time collecting garbage.
        factor *= 1.0 + 3.0 * self.leaked[svc] / GIB;
        (def.median_latency * factor * (0.35 * normal(&mut self.rng)).exp()).max(0.0005)
    }

    /// Advances the simulation to `now_ms`, covering the last `dt_s` seconds.
    pub fn tick(&mut self, now_ms: i64, dt_s: f64) {
        self.incidents
            .retain(|i| i.ends_at_ms.is_none_or(|end| end > now_ms));
        for svc in 0..SERVICES.len() {
            if self.active(IncidentKind::CrashLoop, svc) {
                self.crash_clock[svc] += dt_s;
            } else {
                self.crash_clock[svc] = 0.0;
            }
        }
        let noise = 1.0 + 0.08 * normal(&mut self.rng);
        let stall = if self.active(IncidentKind::TaskStall, 0) {
            0.005
        } else {
            1.0
        };
        let expected = self.cfg.base_rate * daily_factor(now_ms) * noise.max(0.5) * stall * dt_s;
        let mut n = expected.floor() as u64;
        if self.rng.gen::<f64>() < expected.fract() {
            n += 1;
        }
        let mut busy_seconds = [0.0f64; 8];
        for _ in 0..n {
            let offset_us = (self.rng.gen::<f64>() * dt_s * 1e6) as i64;
            let start_us = now_ms * 1000 - (dt_s * 1e6) as i64 + offset_us;
            self.run_task(start_us, &mut busy_seconds);
        }
        for svc in 0..SERVICES.len() {
            if !self.is_down(svc) {
                self.services[svc].observe_http(
                    "GET",
                    "/health",
                    false,
                    0.001 + 0.001 * self.rng.gen::<f64>(),
                    None,
                );
            }
        }
        for (svc, def) in SERVICES.iter().enumerate() {
            if let Some(arm) = def.arm {
                let up = if self.is_down(svc) { 0.0 } else { 1.0 };
                self.services[0]
                    .arm_availability
                    .get_or_create(&labels(&[("arm", arm)]))
                    .set(up);
            }
        }
        // Little's law: tasks in flight = arrival rate × mean task duration.
        let mean_task_s = busy_seconds[0] / 0.05 / (n.max(1) as f64);
        self.services[0]
            .tasks_in_progress
            .set((n as f64 / dt_s.max(0.001) * mean_task_s).round() as i64);
        self.background_security(now_ms, dt_s);
        self.background_pii(dt_s);
        self.update_infra(now_ms, dt_s, &busy_seconds, n as f64 / dt_s.max(0.001));
    }

    fn run_task(&mut self, start_us: i64, busy: &mut [f64; 8]) {
        const ORCH: usize = 0;
        if self.is_down(ORCH) {
            // Nothing serves: the load balancer answers 503 and no service records anything.
            return;
        }
        self.task_counter += 1;
        let task_id = format!("task-{:08}", self.task_counter);
        let trace_id = hex(&mut self.rng, 16);
        let root_id = hex(&mut self.rng, 8);
        let priority = ["low", "medium", "high", "critical"][self.rng.gen_range(0..4)];
        let mut spans: Vec<Span> = Vec::new();
        let mut cursor = start_us + (1000.0 + 2000.0 * self.rng.gen::<f64>()) as i64;
        let mut failed_at: Option<(usize, u16)> = None;

        // The reflex layer answers repeated requests from cache; the rest go through the arms.
        let cache_hit = self.rng.gen::<f64>() < 0.35;
        let mut notable = false;
        // Known before the calls, so exemplars name only traces that will be kept. Taken from the
        // random trace id rather than a new draw, which would shift every seed's traffic.
        let sampled = u32::from_str_radix(&trace_id[..8], 16).unwrap_or(u32::MAX) as f64
            / (u32::MAX as f64)
            < self.cfg.trace_sample;
        let mut route: Vec<usize> = vec![1];
        if !cache_hit {
            route.extend([6, 2]);
            if self.rng.gen::<f64>() < 0.4 {
                route.push(7);
            }
            route.push(3);
            if self.rng.gen::<f64>() < 0.3 {
                route.push(4);
            }
            route.push(5);
        }
        let orch = self.services[ORCH].clone();
        for svc in route {
            let def: &ServiceDef = &SERVICES[svc];
            let down = self.is_down(svc);
            let seconds = if down { 0.002 } else { self.latency(svc) };
            // The orchestrator gives each arm 12× its median latency: a latency spike turns the
            // slowest calls into timeouts (normal noise never gets near the deadline).
            let timed_out = !down && seconds > def.median_latency * 12.0;
            let error = down || timed_out || self.rng.gen::<f64>() < self.error_rate(svc);
            let status: u16 = if down {
                503
            } else if timed_out {
                504
            } else if error {
                500
            } else {
                200
            };
            let span_id = hex(&mut self.rng, 8);
            let dur_us = (seconds * 1e6) as i64;
            let mut tags = vec![
                ("http.method".to_string(), TagValue::Str("POST".into())),
                ("http.route".to_string(), TagValue::Str(def.endpoint.into())),
                ("http.status_code".to_string(), TagValue::Int(status as i64)),
                ("task.id".to_string(), TagValue::Str(task_id.clone())),
            ];
            let mut events = Vec::new();
            if !down {
                // A failing call fails its task, whose trace is always kept.
                let exemplar = (sampled || error).then_some(trace_id.as_str());
                self.services[svc].observe_http("POST", def.endpoint, error, seconds, exemplar);
                busy[svc] += seconds;
            }
            if svc == 1 {
                let hit = cache_hit && !error;
                let m = &self.services[1];
                if hit {
                    m.cache_hits
                        .get_or_create(&labels(&[("cache_type", "l1")]))
                        .inc();
                } else {
                    m.cache_misses
                        .get_or_create(&labels(&[("cache_type", "l1")]))
                        .inc();
                }
                tags.push(("cache.hit".into(), TagValue::Bool(hit)));
                if self.rng.gen::<f64>() < 0.02 {
                    let kind = ["email", "phone", "ssn", "credit_card"][self.rng.gen_range(0..4)];
                    m.pii_detections
                        .get_or_create(&labels(&[("pii_type", kind)]))
                        .inc();
                    events.push((
                        cursor + dur_us / 2,
                        format!("pii detected: {kind} redacted"),
                    ));
                }
            }
            if matches!(svc, 1 | 6)
                && self.active(IncidentKind::SecurityViolation, svc)
                && self.rng.gen::<f64>() < 0.3
            {
                let vtype = ["prompt_injection", "jailbreak_attempt", "data_exfiltration"]
                    [self.rng.gen_range(0..3)];
                tags.push(("security.violation".into(), TagValue::Str(vtype.into())));
                events.push((
                    cursor + dur_us / 2,
                    format!("security violation blocked: {vtype}"),
                ));
                notable = true;
            }
            if let Some(arm) = def.arm {
                let status = outcome(error);
                orch.arm_requests
                    .get_or_create(&labels(&[("arm", arm), ("status", status)]))
                    .inc();
                orch.arm_duration
                    .get_or_create(&labels(&[("arm", arm)]))
                    .observe(seconds);
                // The guide's `track_task_metrics(arm)`: each arm's share of a task, by outcome.
                let exemplar = (sampled || error).then(|| labels(&[("trace_id", &trace_id)]));
                orch.task_duration
                    .get_or_create(&labels(&[("arm", arm), ("status", status)]))
                    .observe(seconds, exemplar);
            }
            if svc == 7 && !down {
                let m = &self.services[7];
                let op = if self.rng.gen::<f64>() < 0.8 {
                    "read"
                } else {
                    "write"
                };
                let mem = ["global", "local"][self.rng.gen_range(0..2)];
                m.memory_ops
                    .get_or_create(&labels(&[("operation", op), ("memory_type", mem)]))
                    .inc();
                m.memory_query_duration
                    .get_or_create(&labels(&[("memory_type", mem), ("operation", op)]))
                    .observe(seconds * 0.6);
            }
            spans.push(Span {
                span_id: span_id.clone(),
                parent_id: Some(root_id.clone()),
                service: def.name,
                operation: format!("POST {}", def.endpoint),
                kind: SpanKind::Server,
                start_us: cursor,
                duration_us: dur_us,
                error,
                tags,
                events,
            });
            if matches!(svc, 2 | 4 | 5) && !down {
                notable |=
                    self.llm_call(svc, &trace_id, &span_id, cursor, dur_us, error, &mut spans);
            }
            cursor += dur_us + (300.0 * self.rng.gen::<f64>()) as i64;
            if error {
                failed_at = Some((svc, status));
                break;
            }
        }
        // The orchestrator itself can fail too (an error spike aimed at it).
        if failed_at.is_none() && self.rng.gen::<f64>() < self.error_rate(ORCH) {
            failed_at = Some((ORCH, 500));
        }
        if self.active(IncidentKind::LatencySpike, ORCH) {
            // Aimed at the orchestrator, a latency spike is queueing: each answer waits nine times
            // the task's own work, and nothing fails (the runbook's "sudden spike in latency").
            cursor += 9 * (cursor - start_us);
        }
        let total_s = (cursor - start_us) as f64 / 1e6;
        let status = if failed_at.is_some() { 500 } else { 200 };
        // Failed tasks and ones an incident marked (security, cost) are always kept.
        // The draw comes before `sampled` so it happens exactly when it always did.
        let keep = failed_at.is_some()
            || notable
            || self.rng.gen::<f64>() < self.cfg.trace_sample
            || sampled;
        let exemplar = keep.then_some(trace_id.as_str());
        orch.observe_http(
            "POST",
            "/api/v1/tasks",
            failed_at.is_some(),
            total_s,
            exemplar,
        );
        orch.tasks_created
            .get_or_create(&labels(&[("priority", priority)]))
            .inc();
        orch.tasks_completed
            .get_or_create(&labels(&[("status", outcome(failed_at.is_some()))]))
            .inc();
        busy[ORCH] += total_s * 0.05;

        let root = Span {
            span_id: root_id,
            parent_id: None,
            service: "orchestrator",
            operation: "POST /api/v1/tasks".into(),
            kind: SpanKind::Server,
            start_us,
            duration_us: cursor - start_us,
            error: failed_at.is_some_and(|(svc, _)| svc == ORCH),
            tags: vec![
                ("http.method".into(), TagValue::Str("POST".into())),
                ("http.route".into(), TagValue::Str("/api/v1/tasks".into())),
                ("http.status_code".into(), TagValue::Int(status as i64)),
                ("task.id".into(), TagValue::Str(task_id.clone())),
                ("task.priority".into(), TagValue::Str(priority.into())),
            ],
            events: vec![],
        };
        if failed_at.is_some() {
            // The root records the failure too, as an HTTP server span with a 5xx would.
            let mut root = root;
            root.error = true;
            spans.insert(0, root);
        } else {
            spans.insert(0, root);
        }
        if keep {
            let trace = Trace {
                trace_id: trace_id.clone(),
                spans,
            };
            self.log_trace(&trace, &task_id, failed_at);
            self.stores.push_trace(trace);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn llm_call(
        &mut self,
        svc: usize,
        trace_id: &str,
        parent: &str,
        start: i64,
        parent_dur: i64,
        error: bool,
        spans: &mut Vec<Span>,
    ) -> bool {
        let (provider, model, usd_per_token) = LLM_MODELS[self.rng.gen_range(0..LLM_MODELS.len())];
        let cost_factor = if self.active(IncidentKind::CostSpike, svc)
            || self.active(IncidentKind::CostSpike, 0)
        {
            20.0
        } else {
            1.0
        };
        let prompt = ((400.0 + 800.0 * self.rng.gen::<f64>()) * cost_factor) as u64;
        let completion = ((150.0 + 400.0 * self.rng.gen::<f64>()) * cost_factor) as u64;
        let m = &self.services[svc];
        m.llm_calls
            .get_or_create(&labels(&[
                ("provider", provider),
                ("model", model),
                ("status", outcome(error)),
            ]))
            .inc();
        m.llm_tokens
            .get_or_create(&labels(&[
                ("provider", provider),
                ("model", model),
                ("type", "prompt"),
            ]))
            .inc_by(prompt);
        m.llm_tokens
            .get_or_create(&labels(&[
                ("provider", provider),
                ("model", model),
                ("type", "completion"),
            ]))
            .inc_by(completion);
        m.llm_cost
            .get_or_create(&labels(&[("provider", provider), ("model", model)]))
            .inc_by((prompt + completion) as f64 * usd_per_token);
        let dur = (parent_dur as f64 * 0.8) as i64;
        m.llm_duration
            .get_or_create(&labels(&[("provider", provider), ("model", model)]))
            .observe(dur as f64 / 1e6);
        let _ = trace_id;
        spans.push(Span {
            span_id: hex(&mut self.rng, 8),
            parent_id: Some(parent.to_string()),
            service: SERVICES[svc].name,
            operation: format!("llm.chat {model}"),
            kind: SpanKind::Client,
            start_us: start + parent_dur / 10,
            duration_us: dur,
            error,
            tags: vec![
                ("llm.provider".into(), TagValue::Str(provider.into())),
                ("llm.model".into(), TagValue::Str(model.into())),
                ("llm.tokens.prompt".into(), TagValue::Int(prompt as i64)),
                (
                    "llm.tokens.completion".into(),
                    TagValue::Int(completion as i64),
                ),
            ],
            events: if error {
                vec![(
                    start + parent_dur / 2,
                    "upstream LLM API returned 500".into(),
                )]
            } else {
                vec![]
            },
        });
        cost_factor > 1.0
    }

    fn log_trace(&mut self, trace: &Trace, task_id: &str, failed_at: Option<(usize, u16)>) {
        for span in &trace.spans {
            let tokens: i64 = span
                .tags
                .iter()
                .filter_map(|(k, v)| match (k.as_str(), v) {
                    ("llm.tokens.prompt" | "llm.tokens.completion", TagValue::Int(i)) => Some(*i),
                    _ => None,
                })
                .sum();
            if span.kind == SpanKind::Client {
                // LLM calls are logged only when unusual: a cost spike's token counts.
                if tokens > 5_000 {
                    let line = serde_json::json!({
                        "level": "warn", "service": span.service,
                        "message": format!("LLM call used {tokens} tokens, far above normal"),
                        "trace_id": trace.trace_id, "span_id": span.span_id, "task_id": task_id,
                        "tokens": tokens, "status_code": 200,
                    });
                    self.push_log(
                        span.service,
                        "warn",
                        (span.start_us + span.duration_us) * 1000,
                        line.to_string(),
                    );
                }
                continue;
            }
            let violation = span.tags.iter().find_map(|(k, v)| match (k.as_str(), v) {
                ("security.violation", TagValue::Str(s)) => Some(s.clone()),
                _ => None,
            });
            let status = span
                .tags
                .iter()
                .find_map(|(k, v)| match (k.as_str(), v) {
                    ("http.status_code", TagValue::Int(i)) => Some(*i),
                    _ => None,
                })
                .unwrap_or(200);
            let slow = span.duration_us > 1_000_000;
            let level = if span.error {
                "error"
            } else if violation.is_some() || slow {
                "warn"
            } else {
                "info"
            };
            let message = match (span.service, span.error) {
                ("orchestrator", false) => "task completed".to_string(),
                ("orchestrator", true) => match failed_at {
                    Some((svc, code)) if svc != 0 => {
                        format!("task failed: {} returned {code}", SERVICES[svc].name)
                    }
                    _ => "task failed: internal error".to_string(),
                },
                (svc, false) => match &violation {
                    Some(v) => format!("security violation blocked: {v}"),
                    None if slow => format!(
                        "slow request: {} took {} ms",
                        span.operation,
                        span.duration_us / 1000
                    ),
                    None => format!("{svc} handled {}", span.operation),
                },
                (svc, true) if status == 503 => format!("{svc} unavailable: connection refused"),
                (svc, true) if status == 504 => format!(
                    "{svc} timed out: {} took {} ms, deadline exceeded",
                    span.operation,
                    span.duration_us / 1000
                ),
                (svc, true) => format!("{svc} failed {}: upstream error", span.operation),
            };
            let line = serde_json::json!({
                "level": level,
                "service": span.service,
                "message": message,
                "trace_id": trace.trace_id,
                "span_id": span.span_id,
                "task_id": task_id,
                "duration_ms": (span.duration_us as f64 / 1000.0 * 100.0).round() / 100.0,
                "status_code": status,
            });
            self.push_log(
                span.service,
                level,
                (span.start_us + span.duration_us) * 1000,
                line.to_string(),
            );
        }
    }

    fn push_log(&mut self, service: &str, level: &str, ts_ns: i64, line: String) {
        let labels: BTreeMap<String, String> = [
            ("service", service.to_string()),
            ("namespace", LIVE_NAMESPACE.to_string()),
            ("level", level.to_string()),
            ("job", format!("{LIVE_NAMESPACE}/{service}")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        self.stores.push_log(LogLine {
            ts_ns,
            labels,
            line,
        });
    }

    fn background_security(&mut self, now_ms: i64, dt_s: f64) {
        for svc in [1usize, 6] {
            let burst = self.active(IncidentKind::SecurityViolation, svc);
            let expected = if burst { 3.0 * dt_s } else { 0.01 * dt_s };
            let n = expected.floor() as u64 + u64::from(self.rng.gen::<f64>() < expected.fract());
            for _ in 0..n {
                let vtype = ["prompt_injection", "jailbreak_attempt", "data_exfiltration"]
                    [self.rng.gen_range(0..3)];
                let severity = if burst {
                    ["high", "critical"][self.rng.gen_range(0..2)]
                } else {
                    "low"
                };
                self.services[svc]
                    .security_violations
                    .get_or_create(&labels(&[
                        ("violation_type", vtype),
                        ("severity", severity),
                    ]))
                    .inc();
                let line = serde_json::json!({
                    "level": "warn", "service": SERVICES[svc].name,
                    "message": format!("security violation blocked: {vtype}"),
                    "violation_type": vtype, "severity": severity, "status_code": 403,
                });
                self.push_log(
                    SERVICES[svc].name,
                    "warn",
                    now_ms * 1_000_000,
                    line.to_string(),
                );
            }
        }
    }

    /// A PII leak: every PII type detected about 15 times a second at the target.
    fn background_pii(&mut self, dt_s: f64) {
        for svc in 0..SERVICES.len() {
            if !self.active(IncidentKind::PiiLeak, svc) {
                continue;
            }
            for kind in ["email", "phone", "ssn", "credit_card"] {
                let n = (15.0 * dt_s * (0.9 + 0.2 * self.rng.gen::<f64>())).round() as u64;
                self.services[svc]
                    .pii_detections
                    .get_or_create(&labels(&[("pii_type", kind)]))
                    .inc_by(n);
            }
        }
    }

    fn update_infra(&mut self, now_ms: i64, dt_s: f64, busy: &[f64; 8], tasks_per_s: f64) {
        let infra = self.infra.clone();
        let mut pods_on_node = [0usize; NODES.len()];
        for (ni, ns) in NAMESPACES.iter().enumerate() {
            let live = *ns == LIVE_NAMESPACE;
            let mut pods = Vec::new();
            for (svc, def) in SERVICES.iter().enumerate() {
                let pod = if live {
                    self.pod_name(svc)
                } else {
                    format!("{}-{}", def.name, &self.pod_suffix[(svc + ni) % 8])
                };
                let l = labels(&[("namespace", ns), ("pod", &pod), ("container", def.name)]);
                let cores = if live && self.active(IncidentKind::CpuSpike, svc) {
                    1.1 + 0.1 * self.rng.gen::<f64>()
                } else if live {
                    0.05 + busy[svc] / dt_s.max(0.001) * 0.2
                } else {
                    0.01
                };
                let limit = if def.name == "orchestrator" {
                    2.0 * GIB
                } else {
                    1.0 * GIB
                };
                if live && self.active(IncidentKind::MemoryLeak, svc) {
                    self.leaked[svc] = (self.leaked[svc] + limit * 0.015 * dt_s).min(limit * 0.62);
                } else if live {
                    self.leaked[svc] = 0.0;
                }
                if live && self.active(IncidentKind::MemoryLeak, svc) && (now_ms / 1000) % 10 == 0 {
                    let pct = ((0.35 + self.leaked[svc] / limit) * 100.0).round();
                    let line = serde_json::json!({
                        "level": "warn", "service": def.name,
                        "message": format!("heap usage at {pct}% of the container limit and rising"),
                        "memory_pct": pct, "status_code": 200,
                    });
                    self.push_log(def.name, "warn", now_ms * 1_000_000, line.to_string());
                }
                let base = limit * (0.35 + 0.02 * normal(&mut self.rng));
                let mem = if live {
                    base + self.leaked[svc]
                } else {
                    limit * 0.2
                };
                let node = (svc + ni) % NODES.len();
                pods_on_node[node] += 1;
                let kpod = kube::Pod {
                    namespace: ns,
                    name: pod.clone(),
                    container: def.name,
                    node: NODES[node],
                    memory: mem,
                    memory_limit: limit,
                    throttled: if live && self.active(IncidentKind::CpuSpike, svc) {
                        0.6
                    } else {
                        0.02
                    },
                    busy: if live {
                        (busy[svc] / dt_s.max(0.001)).min(1.0)
                    } else {
                        0.0
                    },
                };
                // cAdvisor's series carry `image` (kube-prometheus' rules need it); restarts,
                // a kube-state-metrics series, do not.
                let cl = kpod.container_labels();
                infra.container_cpu.get_or_create(&cl).inc_by(cores * dt_s);
                infra.container_memory.get_or_create(&cl).set(mem);
                // Usage counts the page cache too: a little above the working set, never the limit.
                infra
                    .container_memory_usage
                    .get_or_create(&cl)
                    .set((mem * 1.04).min(limit * 0.995));
                infra.container_memory_limit.get_or_create(&cl).set(limit);
                infra.container_cpu_quota.get_or_create(&cl).set(100_000.0);
                kube::export_pod(&infra, &kpod, dt_s);
                pods.push(kpod);
                let crash = live && self.active(IncidentKind::CrashLoop, svc);
                for phase in ["Pending", "Running", "Succeeded", "Failed", "Unknown"] {
                    let current = if crash && self.crash_clock[svc] % 10.0 < 4.0 {
                        "Pending"
                    } else {
                        "Running"
                    };
                    infra
                        .pod_phase
                        .get_or_create(&labels(&[
                            ("namespace", ns),
                            ("pod", &pod),
                            ("phase", phase),
                        ]))
                        .set(if phase == current { 1.0 } else { 0.0 });
                }
                let restarted = crash && self.crash_clock[svc] % 10.0 < dt_s;
                if restarted {
                    infra.pod_restarts.get_or_create(&l).inc();
                    let line = serde_json::json!({
                        "level": "error", "service": def.name,
                        "message": format!("container {} exited with code 137; restarting (CrashLoopBackOff)", def.name),
                        "pod": pod, "status_code": 503,
                    });
                    self.push_log(def.name, "error", now_ms * 1_000_000, line.to_string());
                } else {
                    // Export the series at 0 so increase() has a baseline before the first crash.
                    let _baseline = infra.pod_restarts.get_or_create(&l);
                }
            }
            kube::export_namespace(&infra, ns, &pods);
        }
        for (node, name) in NODES.iter().enumerate() {
            let name = name.to_string();
            let load = (tasks_per_s / 20.0).min(0.9);
            kube::export_node(&infra, &name, pods_on_node[node], load, dt_s, now_ms);
            for cpu in 0..4 {
                let cpu = cpu.to_string();
                let user = (0.15 + load * 0.6) * dt_s;
                let system = 0.05 * dt_s;
                for (mode, secs) in [
                    ("user", user),
                    ("system", system),
                    ("idle", (dt_s - user - system).max(0.0)),
                ] {
                    infra
                        .node_cpu
                        .get_or_create(&labels(&[
                            ("node", &name),
                            ("instance", &name),
                            ("cpu", &cpu),
                            ("mode", mode),
                        ]))
                        .inc_by(secs);
                }
            }
            // `instance` is the node, as kube-prometheus relabels node_exporter's targets.
            let nl = labels(&[("node", &name), ("instance", &name)]);
            infra.node_mem_total.get_or_create(&nl).set(32.0 * GIB);
            infra
                .node_mem_available
                .get_or_create(&nl)
                .set(32.0 * GIB * (0.55 - 0.2 * load + 0.02 * normal(&mut self.rng)));
            let fl = labels(&[
                ("node", &name),
                ("instance", &name),
                ("mountpoint", "/"),
                ("device", "/dev/vda1"),
                ("fstype", "ext4"),
            ]);
            infra.node_fs_size.get_or_create(&fl).set(100.0 * GIB);
            // Logs slowly fill the disk over the day; keeps the filesystem alert quiet but alive.
            let fill = if self.active_on(IncidentKind::DiskFull, &name) {
                0.95
            } else {
                0.45 + 0.1 * ((now_ms as f64 / 86_400_000.0) % 1.0)
            };
            infra
                .node_fs_avail
                .get_or_create(&fl)
                .set(100.0 * GIB * (1.0 - fill));
        }
        let db = labels(&[("database", "octollm")]);
        let surge = self.active_on(IncidentKind::ConnectionSurge, "postgres");
        let active = if surge {
            90.0
        } else {
            (5.0 + tasks_per_s * 1.5 + 2.0 * normal(&mut self.rng)).clamp(1.0, 95.0)
        };
        infra.db_active.get_or_create(&db).set(active.round());
        infra
            .db_idle
            .get_or_create(&db)
            .set((100.0 - active).max(0.0).round() * 0.2);
        let up = |down: bool| if down { 0.0 } else { 1.0 };
        let pg_down = self.active_on(IncidentKind::ServiceDown, "postgres");
        let redis_down = self.active_on(IncidentKind::ServiceDown, "redis");
        infra
            .pg_up
            .get_or_create(&labels(&[("server", "postgres:5432")]))
            .set(up(pg_down));
        infra
            .redis_up
            .get_or_create(&labels(&[("addr", "redis:6379")]))
            .set(up(redis_down));
        infra.pg_max_connections.get_or_create(&vec![]).set(100.0);
        for (datid, datname, backends) in [
            ("16384", "octollm", active + 1.0),
            ("13757", "postgres", 1.0),
        ] {
            infra
                .pg_backends
                .get_or_create(&labels(&[("datid", datid), ("datname", datname)]))
                .set(if pg_down { 0.0 } else { backends });
        }
    }
}

/// Ids of the services, for labelling `catalog::service_index` results in tests.
pub fn service_names() -> Vec<&'static str> {
    catalog::SERVICES.iter().map(|s| s.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64) -> (Sim, i64) {
        let mut sim = Sim::new(SimConfig {
            seed,
            ..SimConfig::default()
        });
        let mut now = 1_700_000_000_000;
        for _ in 0..30 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        (sim, now)
    }

    #[test]
    fn same_seed_same_traffic() {
        let (a, _) = run(7);
        let (b, _) = run(7);
        let sorted = |s: &Sim| {
            let mut lines: Vec<String> = s.services[0].render().lines().map(String::from).collect();
            lines.sort();
            lines
        };
        assert_eq!(sorted(&a), sorted(&b));
        assert_eq!(a.stores.traces.len(), b.stores.traces.len());
        let (c, _) = run(8);
        assert_ne!(sorted(&a), sorted(&c));
    }

    #[test]
    fn error_spike_fails_tasks_and_every_error_log_has_its_trace() {
        let (mut sim, mut now) = run(1);
        sim.add_incident(IncidentKind::ErrorSpike, "orchestrator".into(), None, now);
        for _ in 0..20 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        let text = sim.services[0].render();
        let failed: f64 = text
            .lines()
            .find_map(|l| {
                l.strip_prefix(
                    "http_requests_total{method=\"POST\",endpoint=\"/api/v1/tasks\",status=\"error\"} ",
                )
            })
            .unwrap_or_else(|| panic!("no error counter in {text}"))
            .parse()
            .unwrap();
        assert!(failed > 0.0, "{text}");
        let errors: Vec<_> = sim
            .stores
            .logs
            .iter()
            .filter(|l| l.labels["level"] == "error")
            .collect();
        assert!(!errors.is_empty());
        for log in errors {
            let v: serde_json::Value = serde_json::from_str(&log.line).unwrap();
            let trace = sim
                .stores
                .trace(v["trace_id"].as_str().unwrap())
                .expect("trace kept");
            let span = trace
                .spans
                .iter()
                .find(|s| s.span_id == v["span_id"].as_str().unwrap())
                .unwrap();
            assert!(span.error, "the log's span is the failing one");
        }
    }

    #[test]
    fn calm_stops_background_errors_but_not_an_error_spike() {
        let (mut sim, now) = run(1);
        let guardian = catalog::service_index("guardian").unwrap();
        assert!(
            sim.error_rate(guardian) > 0.0,
            "background errors by default"
        );
        sim.add_incident(IncidentKind::Calm, "guardian".into(), None, now);
        assert_eq!(sim.error_rate(guardian), 0.0);
        assert!(sim.error_rate(0) > 0.0, "only the target is calm");
        sim.add_incident(IncidentKind::ErrorSpike, "guardian".into(), None, now);
        assert_eq!(sim.error_rate(guardian), 0.30);
    }

    #[test]
    fn service_down_stops_the_service_and_fails_callers() {
        let (mut sim, mut now) = run(3);
        let idx = catalog::service_index("reflex-layer").unwrap();
        sim.add_incident(
            IncidentKind::ServiceDown,
            "reflex-layer".into(),
            Some(5),
            now,
        );
        assert!(sim.is_down(idx));
        now += 1000;
        sim.tick(now, 1.0);
        assert!(sim.services[0].render().contains("status=\"error\""));
        now += 10_000;
        sim.tick(now, 1.0);
        assert!(!sim.is_down(idx), "the incident expired");
        assert_eq!(service_names()[idx], "reflex-layer");
    }

    #[test]
    fn every_exemplar_names_a_kept_trace() {
        let (mut sim, mut now) = run(5);
        sim.add_incident(IncidentKind::ErrorSpike, "executor".into(), None, now);
        for _ in 0..20 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        let kept: std::collections::HashSet<&str> = sim
            .stores
            .traces
            .iter()
            .map(|t| t.trace_id.as_str())
            .collect();
        let mut seen = 0;
        for svc in [0, 3] {
            let text = sim.services[svc].render();
            for line in text.lines().filter(|l| l.contains("# {trace_id=")) {
                let id = line
                    .split("trace_id=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                assert!(
                    kept.contains(id),
                    "exemplar {id} has no stored trace: {line}"
                );
                seen += 1;
            }
        }
        assert!(seen > 0, "the latency histograms carry exemplars");
    }

    #[test]
    fn a_latency_spike_slows_the_arm_and_times_out_its_slowest_calls() {
        let (mut sim, mut now) = run(3);
        sim.stores.logs.clear();
        sim.stores.traces.clear();
        sim.add_incident(IncidentKind::LatencySpike, "executor".into(), None, now);
        for _ in 0..30 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        let spans: Vec<_> = sim
            .stores
            .traces
            .iter()
            .flat_map(|t| &t.spans)
            .filter(|s| s.service == "executor")
            .collect();
        assert!(
            spans.iter().any(|s| s.duration_us > 300_000 && !s.error),
            "slow calls (5× the 60 ms median) that still make the deadline"
        );
        assert!(
            spans.iter().any(|s| s.error
                && s.tags
                    .iter()
                    .any(|(k, v)| k == "http.status_code" && matches!(v, TagValue::Int(504)))),
            "the slowest time out with 504"
        );
        assert!(sim
            .stores
            .logs
            .iter()
            .any(|l| l.labels["service"] == "executor"
                && l.labels["level"] == "error"
                && l.line.contains("deadline exceeded")));
    }

    #[test]
    fn every_incident_kind_shows_in_logs_and_traces() {
        for (kind, target) in [
            (IncidentKind::CostSpike, "planner"),
            (IncidentKind::SecurityViolation, "reflex-layer"),
            (IncidentKind::MemoryLeak, "executor"),
            (IncidentKind::CrashLoop, "judge"),
            (IncidentKind::LatencySpike, "coder"),
        ] {
            let (mut sim, mut now) = run(9);
            sim.stores.logs.clear();
            sim.stores.traces.clear();
            sim.add_incident(kind, target.into(), None, now);
            for _ in 0..30 {
                now += 1000;
                sim.tick(now, 1.0);
            }
            let logged = sim
                .stores
                .logs
                .iter()
                .any(|l| l.labels["service"] == target && l.labels["level"] != "info");
            assert!(logged, "{kind:?} on {target} leaves warn/error logs");
            let traced = sim.stores.traces.iter().flat_map(|t| &t.spans).any(|s| {
                s.service == target
                    && (s.error
                        || s.duration_us > 1_000_000
                        || s.tags.iter().any(|(k, v)| {
                            k == "security.violation"
                                || (k == "llm.tokens.prompt"
                                    && matches!(v, TagValue::Int(i) if *i > 5000))
                        }))
            });
            let infra_only = kind == IncidentKind::MemoryLeak;
            assert!(
                traced || infra_only,
                "{kind:?} on {target} shows in a trace"
            );
        }
    }

    #[test]
    fn memory_leak_climbs_towards_the_limit() {
        let (mut sim, mut now) = run(4);
        sim.add_incident(IncidentKind::MemoryLeak, "planner".into(), None, now);
        for _ in 0..60 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        let text = sim.infra.render();
        let line = text
            .lines()
            .find(|l| {
                l.starts_with("container_memory_working_set_bytes")
                    && l.contains("namespace=\"octollm-prod\"")
                    && l.contains("container=\"planner\"")
            })
            .unwrap();
        let v: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(v > 0.9 * GIB, "{line}");
    }

    /// The sample of `metric` whose line contains every one of `has`, in `text`.
    fn sample(text: &str, metric: &str, has: &[&str]) -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(metric) && has.iter().all(|h| l.contains(h)))
            .unwrap_or_else(|| panic!("no {metric} with {has:?} in\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    }

    #[test]
    fn infrastructure_incidents_move_the_series_the_seed_alerts_read() {
        let (mut sim, mut now) = run(5);
        let infra = sim.infra.render();
        assert_eq!(sample(&infra, "pg_up", &[]), 1.0);
        assert_eq!(sample(&infra, "pg_settings_max_connections", &[]), 100.0);
        let quiet_backends = sample(
            &infra,
            "pg_stat_database_numbackends",
            &["datname=\"octollm\""],
        );
        for (kind, target) in [
            (IncidentKind::CpuSpike, "executor"),
            (IncidentKind::DiskFull, "node-1"),
            (IncidentKind::ConnectionSurge, "postgres"),
            (IncidentKind::ServiceDown, "redis"),
            (IncidentKind::PiiLeak, "reflex-layer"),
        ] {
            sim.add_incident(kind, target.into(), None, now);
        }
        let before = sim.infra.render();
        let pii_before = sample(
            &sim.services[1].render(),
            "pii_detections_total",
            &["pii_type=\"ssn\""],
        );
        for _ in 0..10 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        let infra = sim.infra.render();
        let cpu = |t: &str| {
            sample(
                t,
                "container_cpu_usage_seconds_total",
                &["namespace=\"octollm-prod\"", "container=\"executor\""],
            )
        };
        assert!(
            cpu(&infra) - cpu(&before) > 10.0 * 1.0,
            "over a core for 10 s"
        );
        let fs = |m: &str| sample(&infra, m, &["node=\"node-1\"", "mountpoint=\"/\""]);
        assert!(fs("node_filesystem_avail_bytes") / fs("node_filesystem_size_bytes") < 0.1);
        let fs0 = sample(&infra, "node_filesystem_avail_bytes", &["node=\"node-0\""]);
        assert!(
            fs0 / fs("node_filesystem_size_bytes") > 0.3,
            "other nodes keep their space"
        );
        let backends = sample(
            &infra,
            "pg_stat_database_numbackends",
            &["datname=\"octollm\""],
        );
        assert!(backends > 80.0 && backends > quiet_backends, "{backends}");
        assert_eq!(sample(&infra, "redis_up", &[]), 0.0);
        assert_eq!(sample(&infra, "pg_up", &[]), 1.0, "only redis is down");
        let pii = sample(
            &sim.services[1].render(),
            "pii_detections_total",
            &["pii_type=\"ssn\""],
        );
        assert!(pii - pii_before > 10.0 * 10.0, "over ten a second: {pii}");
    }

    #[test]
    fn a_task_stall_nearly_stops_completions() {
        let (mut sim, mut now) = run(6);
        let done = |sim: &Sim| {
            sample(
                &sim.services[0].render(),
                "tasks_completed_total",
                &["status=\"success\""],
            )
        };
        let before = done(&sim);
        sim.add_incident(IncidentKind::TaskStall, "orchestrator".into(), None, now);
        for _ in 0..20 {
            now += 1000;
            sim.tick(now, 1.0);
        }
        assert!(
            (done(&sim) - before) / 20.0 < 0.1,
            "{} tasks in 20 s",
            done(&sim) - before
        );
    }
}
