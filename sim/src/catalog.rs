//! The services of the OctoLLM platform with the seed's default ports and scrape jobs.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceDef {
    pub name: &'static str,
    pub default_port: u16,
    /// Prometheus job that scrapes it (the seed's job names).
    pub job: &'static str,
    /// Arm name for arm services (label `arm` on the orchestrator's arm metrics).
    pub arm: Option<&'static str>,
    /// The endpoint its callers hit.
    pub endpoint: &'static str,
    /// Median latency of one call, seconds (a task's P95 stays under the 1 s latency SLO).
    pub median_latency: f64,
}

const fn svc(
    name: &'static str,
    port: u16,
    job: &'static str,
    arm: Option<&'static str>,
    endpoint: &'static str,
    median: f64,
) -> ServiceDef {
    ServiceDef {
        name,
        default_port: port,
        job,
        arm,
        endpoint,
        median_latency: median,
    }
}

pub const SERVICES: [ServiceDef; 8] = [
    svc(
        "orchestrator",
        8000,
        "orchestrator",
        None,
        "/api/v1/tasks",
        0.02,
    ),
    svc(
        "reflex-layer",
        8001,
        "reflex-layer",
        None,
        "/api/v1/check",
        0.004,
    ),
    svc(
        "planner",
        8100,
        "arms",
        Some("planner"),
        "/api/v1/plan",
        0.15,
    ),
    svc(
        "executor",
        8101,
        "arms",
        Some("executor"),
        "/api/v1/execute",
        0.06,
    ),
    svc("coder", 8102, "arms", Some("coder"), "/api/v1/code", 0.25),
    svc(
        "judge",
        8103,
        "arms",
        Some("judge"),
        "/api/v1/validate",
        0.1,
    ),
    svc(
        "guardian",
        8104,
        "arms",
        Some("guardian"),
        "/api/v1/guard",
        0.012,
    ),
    svc(
        "retriever",
        8105,
        "arms",
        Some("retriever"),
        "/api/v1/retrieve",
        0.03,
    ),
];

pub fn service(name: &str) -> Option<&'static ServiceDef> {
    SERVICES.iter().find(|s| s.name == name)
}

pub fn service_index(name: &str) -> Option<usize> {
    SERVICES.iter().position(|s| s.name == name)
}

pub const NAMESPACES: [&str; 3] = ["octollm-dev", "octollm-staging", "octollm-prod"];

/// The simulated Kubernetes nodes (node_exporter's series carry `node`).
pub const NODES: [&str; 3] = ["node-0", "node-1", "node-2"];

/// Datastores with an exporter each (`pg_up`, `redis_up`).
pub const DATASTORES: [&str; 2] = ["postgres", "redis"];

/// The namespace where traffic (and incidents) happen; the others idle.
pub const LIVE_NAMESPACE: &str = "octollm-prod";

/// LLM providers and models the planner, coder and judge call.
pub const LLM_MODELS: [(&str, &str, f64); 3] = [
    ("openai", "gpt-4o", 0.000_01),
    ("anthropic", "claude-3-5-sonnet", 0.000_009),
    ("openai", "gpt-4o-mini", 0.000_000_6),
];
