//! Metric families exactly as the monitoring guide's `metrics.py` defines them: names, help texts,
//! label names and values (`status` is `success`/`error`), and buckets. One registry per service
//! (each scraped on its own port) and one for infrastructure series.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::exemplar::HistogramWithExemplars;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;

pub type Labels = Vec<(String, String)>;
pub type CounterF = Counter<f64, AtomicU64>;
pub type GaugeF = Gauge<f64, AtomicU64>;
type HistFamily = Family<Labels, Histogram, fn() -> Histogram>;
/// Latency histograms whose buckets carry the trace id of their latest observation as an
/// OpenMetrics exemplar (Prometheus keeps them with `--enable-feature=exemplar-storage`).
type ExemplarHistFamily =
    Family<Labels, HistogramWithExemplars<Labels>, fn() -> HistogramWithExemplars<Labels>>;

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const HTTP_BUCKETS: [f64; 8] = [0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0];
const TASK_BUCKETS: [f64; 8] = [1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0];
const ARM_BUCKETS: [f64; 6] = [0.1, 0.5, 1.0, 2.5, 5.0, 10.0];
const LLM_BUCKETS: [f64; 7] = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0];
const MEMORY_BUCKETS: [f64; 6] = [0.01, 0.05, 0.1, 0.5, 1.0, 2.0];

/// The guide's `status` label value: `success` or `error`, never an HTTP code.
pub fn outcome(error: bool) -> &'static str {
    if error {
        "error"
    } else {
        "success"
    }
}

fn arm_hist() -> Histogram {
    Histogram::new(ARM_BUCKETS)
}
fn http_hist_ex() -> HistogramWithExemplars<Labels> {
    HistogramWithExemplars::new(HTTP_BUCKETS.into_iter())
}
fn task_hist_ex() -> HistogramWithExemplars<Labels> {
    HistogramWithExemplars::new(TASK_BUCKETS.into_iter())
}
fn llm_hist() -> Histogram {
    Histogram::new(LLM_BUCKETS)
}
fn memory_hist() -> Histogram {
    Histogram::new(MEMORY_BUCKETS)
}

/// Every application metric a service may expose (families with no samples print only metadata).
pub struct ServiceMetrics {
    registry: Registry,
    pub http_requests: Family<Labels, Counter>,
    pub http_duration: ExemplarHistFamily,
    pub tasks_created: Family<Labels, Counter>,
    pub tasks_completed: Family<Labels, Counter>,
    pub tasks_in_progress: Gauge,
    pub task_duration: ExemplarHistFamily,
    pub arm_requests: Family<Labels, Counter>,
    pub arm_duration: HistFamily,
    pub arm_availability: Family<Labels, GaugeF>,
    pub llm_calls: Family<Labels, Counter>,
    pub llm_tokens: Family<Labels, Counter>,
    pub llm_cost: Family<Labels, CounterF>,
    pub llm_duration: HistFamily,
    pub memory_ops: Family<Labels, Counter>,
    pub memory_query_duration: HistFamily,
    pub cache_hits: Family<Labels, Counter>,
    pub cache_misses: Family<Labels, Counter>,
    pub security_violations: Family<Labels, Counter>,
    pub pii_detections: Family<Labels, Counter>,
    pub app_info: Family<Labels, Gauge>,
}

impl ServiceMetrics {
    pub fn new(service: &str) -> Self {
        let mut r = Registry::default();
        let http_requests = Family::<Labels, Counter>::default();
        let http_duration: ExemplarHistFamily = Family::new_with_constructor(http_hist_ex);
        let tasks_created = Family::<Labels, Counter>::default();
        let tasks_completed = Family::<Labels, Counter>::default();
        let tasks_in_progress = Gauge::default();
        let task_duration: ExemplarHistFamily = Family::new_with_constructor(task_hist_ex);
        let arm_requests = Family::<Labels, Counter>::default();
        let arm_duration: HistFamily = Family::new_with_constructor(arm_hist);
        let arm_availability = Family::<Labels, GaugeF>::default();
        let llm_calls = Family::<Labels, Counter>::default();
        let llm_tokens = Family::<Labels, Counter>::default();
        let llm_cost = Family::<Labels, CounterF>::default();
        let llm_duration: HistFamily = Family::new_with_constructor(llm_hist);
        let memory_ops = Family::<Labels, Counter>::default();
        let memory_query_duration: HistFamily = Family::new_with_constructor(memory_hist);
        let cache_hits = Family::<Labels, Counter>::default();
        let cache_misses = Family::<Labels, Counter>::default();
        let security_violations = Family::<Labels, Counter>::default();
        let pii_detections = Family::<Labels, Counter>::default();
        let app_info = Family::<Labels, Gauge>::default();
        r.register(
            "http_requests",
            "Total HTTP requests",
            http_requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "HTTP request duration",
            http_duration.clone(),
        );
        r.register(
            "tasks_created",
            "Total tasks created",
            tasks_created.clone(),
        );
        r.register(
            "tasks_completed",
            "Total tasks completed",
            tasks_completed.clone(),
        );
        r.register(
            "tasks_in_progress",
            "Number of tasks currently in progress",
            tasks_in_progress.clone(),
        );
        r.register(
            "task_duration_seconds",
            "Task execution duration",
            task_duration.clone(),
        );
        r.register(
            "arm_requests",
            "Total requests to arms",
            arm_requests.clone(),
        );
        r.register(
            "arm_request_duration_seconds",
            "Arm request duration",
            arm_duration.clone(),
        );
        r.register(
            "arm_availability",
            "Arm availability (0-1)",
            arm_availability.clone(),
        );
        r.register("llm_api_calls", "Total LLM API calls", llm_calls.clone());
        r.register("llm_api_tokens", "Total tokens used", llm_tokens.clone());
        r.register(
            "llm_api_cost_dollars",
            "Estimated API cost in dollars",
            llm_cost.clone(),
        );
        r.register(
            "llm_api_duration_seconds",
            "LLM API call duration",
            llm_duration.clone(),
        );
        r.register(
            "memory_operations",
            "Total memory operations",
            memory_ops.clone(),
        );
        r.register(
            "memory_query_duration_seconds",
            "Memory query duration",
            memory_query_duration.clone(),
        );
        r.register("cache_hits", "Total cache hits", cache_hits.clone());
        r.register("cache_misses", "Total cache misses", cache_misses.clone());
        r.register(
            "security_violations",
            "Total security violations detected",
            security_violations.clone(),
        );
        r.register(
            "pii_detections",
            "Total PII detections",
            pii_detections.clone(),
        );
        r.register("app_info", "Application information", app_info.clone());
        // The guide's `app_info.info({...})`: version, component and python_version.
        app_info
            .get_or_create(&labels(&[
                ("version", "1.0.0"),
                ("component", service),
                ("python_version", "3.11"),
            ]))
            .set(1);
        Self {
            registry: r,
            http_requests,
            http_duration,
            tasks_created,
            tasks_completed,
            tasks_in_progress,
            task_duration,
            arm_requests,
            arm_duration,
            arm_availability,
            llm_calls,
            llm_tokens,
            llm_cost,
            llm_duration,
            memory_ops,
            memory_query_duration,
            cache_hits,
            cache_misses,
            security_violations,
            pii_detections,
            app_info,
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("encoding to a String cannot fail");
        out
    }

    /// Records one HTTP request served by this service, as the guide's `track_request_metrics`
    /// does: `status` is `error` when the handler failed, else `success`.
    pub fn observe_http(
        &self,
        method: &str,
        endpoint: &str,
        error: bool,
        seconds: f64,
        trace_id: Option<&str>,
    ) {
        // Both outcomes exist from an endpoint's first request (at 0 until one fails), as
        // instrumentation guides advise: a counter born mid-window is read differently by
        // Prometheus' rate() (extrapolated) and VictoriaMetrics' (counted from 0).
        for outcome_error in [false, true] {
            let counter = self.http_requests.get_or_create(&labels(&[
                ("method", method),
                ("endpoint", endpoint),
                ("status", outcome(outcome_error)),
            ]));
            if outcome_error == error {
                counter.inc();
            }
        }
        self.http_duration
            .get_or_create(&labels(&[("method", method), ("endpoint", endpoint)]))
            .observe(seconds, trace_id.map(|t| labels(&[("trace_id", t)])));
    }
}

/// Kubernetes, node and datastore series (what cAdvisor, kube-state-metrics, node_exporter and
/// the postgres/redis exporters would expose), each exporter's share scraped as its own job
/// (`Exporter`), as the guide's prometheus.yml names them.
pub struct InfraMetrics {
    registry: Registry,
    pub container_cpu: Family<Labels, CounterF>,
    pub container_memory: Family<Labels, GaugeF>,
    pub container_memory_usage: Family<Labels, GaugeF>,
    pub container_memory_limit: Family<Labels, GaugeF>,
    pub container_cpu_quota: Family<Labels, GaugeF>,
    pub pod_phase: Family<Labels, GaugeF>,
    pub pod_restarts: Family<Labels, Counter>,
    pub node_cpu: Family<Labels, CounterF>,
    pub node_mem_available: Family<Labels, GaugeF>,
    pub node_mem_total: Family<Labels, GaugeF>,
    pub node_fs_avail: Family<Labels, GaugeF>,
    pub node_fs_size: Family<Labels, GaugeF>,
    pub db_active: Family<Labels, GaugeF>,
    pub db_idle: Family<Labels, GaugeF>,
    pub pg_up: Family<Labels, GaugeF>,
    pub redis_up: Family<Labels, GaugeF>,
    pub pg_backends: Family<Labels, GaugeF>,
    pub pg_max_connections: Family<Labels, GaugeF>,
    /// The further cAdvisor, kube-state-metrics, kubelet and node_exporter families the
    /// kube-prometheus dashboards and recording rules read (`MORE_GAUGES`, `MORE_COUNTERS`):
    /// a table, so another series is a line rather than a field.
    gauges: BTreeMap<&'static str, Family<Labels, GaugeF>>,
    counters: BTreeMap<&'static str, Family<Labels, CounterF>>,
}

/// Gauges by their exposed name, with the upstream exporter's help text. node_exporter's
/// vmstat and netstat values are untyped counters without `_total` upstream; gauges keep the name.
const MORE_GAUGES: &[(&str, &str)] = &[
    ("container_memory_rss", "Size of RSS in bytes"),
    ("container_memory_cache", "Number of bytes of page cache memory"),
    ("container_memory_swap", "Container swap usage in bytes"),
    ("kube_pod_info", "Information about pod"),
    ("kube_pod_owner", "Information about the Pod's owner"),
    ("kube_replicaset_owner", "Information about the ReplicaSet's owner"),
    ("kube_pod_container_resource_requests", "The number of requested request resource by a container"),
    ("kube_pod_container_resource_limits", "The number of requested limit resource by a container"),
    ("kube_node_info", "Information about a cluster node"),
    ("kube_node_status_allocatable", "The allocatable for different resources of a node that are available for scheduling"),
    ("kube_node_status_capacity", "The capacity for different resources of a node"),
    ("kube_namespace_status_phase", "kubernetes namespace status phase"),
    ("kube_resourcequota", "Information about resource quota"),
    ("kubelet_running_pods", "Number of pods that have a running pod sandbox"),
    ("node_uname_info", "Labeled system information as provided by the uname system call"),
    ("node_exporter_build_info", "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build"),
    ("node_time_seconds", "System time in seconds since epoch (1970)"),
    ("node_load1", "1m load average"),
    ("node_load5", "5m load average"),
    ("node_load15", "15m load average"),
    ("node_memory_Buffers_bytes", "Memory information field Buffers_bytes"),
    ("node_memory_Cached_bytes", "Memory information field Cached_bytes"),
    ("node_memory_MemFree_bytes", "Memory information field MemFree_bytes"),
    ("node_memory_Slab_bytes", "Memory information field Slab_bytes"),
    ("node_vmstat_pgmajfault", "/proc/vmstat information field pgmajfault"),
    ("node_netstat_Tcp_OutSegs", "Statistic TcpOutSegs"),
    ("node_netstat_Tcp_RetransSegs", "Statistic TcpRetransSegs"),
    ("node_netstat_TcpExt_TCPSynRetrans", "Statistic TcpExtTCPSynRetrans"),
];

/// Counters by their name without `_total` (the client appends it), with upstream help texts.
const MORE_COUNTERS: &[(&str, &str)] = &[
    (
        "container_cpu_cfs_periods",
        "Number of elapsed enforcement period intervals",
    ),
    (
        "container_cpu_cfs_throttled_periods",
        "Number of throttled period intervals",
    ),
    (
        "container_network_receive_bytes",
        "Cumulative count of bytes received",
    ),
    (
        "container_network_transmit_bytes",
        "Cumulative count of bytes transmitted",
    ),
    (
        "container_network_receive_packets",
        "Cumulative count of packets received",
    ),
    (
        "container_network_transmit_packets",
        "Cumulative count of packets transmitted",
    ),
    (
        "container_network_receive_packets_dropped",
        "Cumulative count of packets dropped while receiving",
    ),
    (
        "container_network_transmit_packets_dropped",
        "Cumulative count of packets dropped while transmitting",
    ),
    ("container_fs_reads", "Cumulative count of reads completed"),
    (
        "container_fs_writes",
        "Cumulative count of writes completed",
    ),
    ("container_fs_reads_bytes", "Cumulative count of bytes read"),
    (
        "container_fs_writes_bytes",
        "Cumulative count of bytes written",
    ),
    (
        "node_disk_io_time_seconds",
        "Total seconds spent doing I/Os",
    ),
    (
        "node_disk_io_time_weighted_seconds",
        "The weighted # of seconds spent doing I/Os",
    ),
    (
        "node_disk_read_bytes",
        "The total number of bytes read successfully",
    ),
    (
        "node_disk_written_bytes",
        "The total number of bytes written successfully",
    ),
    (
        "node_network_receive_bytes",
        "Network device statistic receive_bytes",
    ),
    (
        "node_network_transmit_bytes",
        "Network device statistic transmit_bytes",
    ),
    (
        "node_network_receive_drop",
        "Network device statistic receive_drop",
    ),
    (
        "node_network_transmit_drop",
        "Network device statistic transmit_drop",
    ),
];

impl Default for InfraMetrics {
    fn default() -> Self {
        let mut r = Registry::default();
        let m = InfraMetrics {
            registry: Registry::default(),
            container_cpu: Family::default(),
            container_memory: Family::default(),
            container_memory_usage: Family::default(),
            container_memory_limit: Family::default(),
            container_cpu_quota: Family::default(),
            pod_phase: Family::default(),
            pod_restarts: Family::default(),
            node_cpu: Family::default(),
            node_mem_available: Family::default(),
            node_mem_total: Family::default(),
            node_fs_avail: Family::default(),
            node_fs_size: Family::default(),
            db_active: Family::default(),
            db_idle: Family::default(),
            pg_up: Family::default(),
            redis_up: Family::default(),
            pg_backends: Family::default(),
            pg_max_connections: Family::default(),
            gauges: MORE_GAUGES
                .iter()
                .map(|(name, _)| (*name, Family::default()))
                .collect(),
            counters: MORE_COUNTERS
                .iter()
                .map(|(name, _)| (*name, Family::default()))
                .collect(),
        };
        for (name, help) in MORE_GAUGES {
            r.register(*name, *help, m.gauges[name].clone());
        }
        for (name, help) in MORE_COUNTERS {
            r.register(*name, *help, m.counters[name].clone());
        }
        r.register(
            "container_cpu_usage_seconds",
            "Cumulative container CPU time",
            m.container_cpu.clone(),
        );
        r.register(
            "container_memory_working_set_bytes",
            "Container working set",
            m.container_memory.clone(),
        );
        r.register(
            "container_memory_usage_bytes",
            "Current memory usage in bytes, including all memory regardless of when it was accessed",
            m.container_memory_usage.clone(),
        );
        r.register(
            "container_spec_memory_limit_bytes",
            "Container memory limit",
            m.container_memory_limit.clone(),
        );
        r.register(
            "container_spec_cpu_quota",
            "Container CPU quota (microseconds per 100ms period)",
            m.container_cpu_quota.clone(),
        );
        r.register(
            "kube_pod_status_phase",
            "Pod phase (1 for the current phase)",
            m.pod_phase.clone(),
        );
        r.register(
            "kube_pod_container_status_restarts",
            "Container restarts",
            m.pod_restarts.clone(),
        );
        r.register(
            "node_cpu_seconds",
            "Node CPU time by mode",
            m.node_cpu.clone(),
        );
        r.register(
            "node_memory_MemAvailable_bytes",
            "Node available memory",
            m.node_mem_available.clone(),
        );
        r.register(
            "node_memory_MemTotal_bytes",
            "Node total memory",
            m.node_mem_total.clone(),
        );
        r.register(
            "node_filesystem_avail_bytes",
            "Filesystem space available",
            m.node_fs_avail.clone(),
        );
        r.register(
            "node_filesystem_size_bytes",
            "Filesystem size",
            m.node_fs_size.clone(),
        );
        r.register(
            "db_connections_active",
            "Active database connections",
            m.db_active.clone(),
        );
        r.register(
            "db_connections_idle",
            "Idle database connections",
            m.db_idle.clone(),
        );
        r.register("pg_up", "PostgreSQL reachable", m.pg_up.clone());
        r.register("redis_up", "Redis reachable", m.redis_up.clone());
        // postgres_exporter's names and labels (numbackends per database, max_connections alone).
        r.register(
            "pg_stat_database_numbackends",
            "Number of backends currently connected to this database",
            m.pg_backends.clone(),
        );
        r.register(
            "pg_settings_max_connections",
            "Sets the maximum number of concurrent connections.",
            m.pg_max_connections.clone(),
        );
        InfraMetrics { registry: r, ..m }
    }
}

impl InfraMetrics {
    /// One of `MORE_GAUGES`; any other name is a bug in the simulator.
    pub fn gauge(&self, name: &str) -> &Family<Labels, GaugeF> {
        self.gauges
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in MORE_GAUGES"))
    }

    /// One of `MORE_COUNTERS` (named without `_total`).
    pub fn counter(&self, name: &str) -> &Family<Labels, CounterF> {
        self.counters
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in MORE_COUNTERS"))
    }
}

/// The exporter a real deployment would run for a family of infrastructure series; the
/// simulator serves each one's share at `/metrics/<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exporter {
    /// node_exporter: `node_*` (the guide's job `node-exporter`).
    Node,
    /// postgres_exporter and the connection pool: `pg_*`, `db_connections_*` (job `postgres`).
    Postgres,
    /// redis_exporter: `redis_*` (job `redis`).
    Redis,
    /// cAdvisor, inside the kubelet: `container_*` (job `kubelet`, `metrics_path`
    /// `/metrics/cadvisor`, as kube-prometheus' ServiceMonitor labels it).
    Cadvisor,
    /// The kubelet's own `/metrics`: `kubelet_*` (job `kubelet`, `metrics_path` `/metrics`).
    Kubelet,
    /// kube-state-metrics: `kube_*` (job `kube-state-metrics`).
    KubeStateMetrics,
}

impl Exporter {
    pub const ALL: [Exporter; 6] = [
        Exporter::Node,
        Exporter::Postgres,
        Exporter::Redis,
        Exporter::Cadvisor,
        Exporter::Kubelet,
        Exporter::KubeStateMetrics,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Exporter::Node => "node",
            Exporter::Postgres => "postgres",
            Exporter::Redis => "redis",
            Exporter::Cadvisor => "cadvisor",
            Exporter::Kubelet => "kubelet",
            Exporter::KubeStateMetrics => "kube-state-metrics",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether a metric family (its name as in `# TYPE`) is this exporter's.
    pub fn owns(self, family: &str) -> bool {
        let prefixes: &[&str] = match self {
            Exporter::Node => &["node_"],
            Exporter::Postgres => &["pg_", "db_connections_"],
            Exporter::Redis => &["redis_"],
            Exporter::Cadvisor => &["container_"],
            Exporter::Kubelet => &["kubelet_"],
            Exporter::KubeStateMetrics => &["kube_"],
        };
        prefixes.iter().any(|p| family.starts_with(p))
    }
}

impl InfraMetrics {
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("encoding to a String cannot fail");
        out
    }

    /// One exporter's families, still a complete OpenMetrics exposition (`# EOF` last).
    pub fn render_for(&self, exporter: Exporter) -> String {
        let mut out = String::new();
        let mut keep = false;
        for line in self.render().lines() {
            if line == "# EOF" {
                break;
            }
            if let Some(rest) = line
                .strip_prefix("# HELP ")
                .or_else(|| line.strip_prefix("# TYPE "))
                .or_else(|| line.strip_prefix("# UNIT "))
            {
                keep = exporter.owns(rest.split(' ').next().unwrap_or(""));
            }
            if keep {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str("# EOF\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_infrastructure_family_is_served_by_exactly_one_exporter() {
        let m = InfraMetrics::default();
        m.node_fs_size
            .get_or_create(&labels(&[("node", "node-0")]))
            .set(1.0);
        m.pg_up
            .get_or_create(&labels(&[("server", "postgres:5432")]))
            .set(1.0);
        m.db_active
            .get_or_create(&labels(&[("database", "octollm")]))
            .set(3.0);
        m.redis_up
            .get_or_create(&labels(&[("addr", "redis:6379")]))
            .set(1.0);
        m.pod_restarts.get_or_create(&labels(&[("pod", "p")])).inc();
        let families = |text: &str| -> Vec<String> {
            text.lines()
                .filter_map(|l| l.strip_prefix("# TYPE "))
                .map(|l| l.split(' ').next().unwrap().to_string())
                .collect()
        };
        let all = families(&m.render());
        let mut served = Vec::new();
        for e in Exporter::ALL {
            let text = m.render_for(e);
            assert!(text.ends_with("# EOF\n"), "{text}");
            assert_eq!(Exporter::parse(e.name()), Some(e));
            served.extend(families(&text));
        }
        served.sort();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(served, expected, "nothing lost, nothing twice");
        let node = m.render_for(Exporter::Node);
        assert!(
            node.contains("node_filesystem_size_bytes{node=\"node-0\"} 1"),
            "{node}"
        );
        assert!(!node.contains("pg_up"));
        assert!(m
            .render_for(Exporter::Postgres)
            .contains("db_connections_active{database=\"octollm\"} 3"));
        assert!(m
            .render_for(Exporter::KubeStateMetrics)
            .contains("kube_pod_container_status_restarts_total"));
        m.counter("container_fs_reads")
            .get_or_create(&labels(&[("pod", "p")]))
            .inc();
        m.gauge("kubelet_running_pods")
            .get_or_create(&labels(&[("node", "node-0")]))
            .set(8.0);
        assert!(m
            .render_for(Exporter::Cadvisor)
            .contains("container_fs_reads_total{pod=\"p\"} 1"));
        assert!(m
            .render_for(Exporter::Kubelet)
            .contains("kubelet_running_pods{node=\"node-0\"} 8"));
    }

    #[test]
    fn an_endpoints_error_counter_exists_at_zero_before_its_first_failure() {
        let m = ServiceMetrics::new("planner");
        m.observe_http("POST", "/plan", false, 0.02, None);
        let text = m.render();
        let value = |status: &str| {
            let prefix = format!(
                "http_requests_total{{method=\"POST\",endpoint=\"/plan\",status=\"{status}\"}} "
            );
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::to_string))
                .unwrap_or_else(|| panic!("no {status} counter in {text}"))
        };
        assert_eq!(value("success"), "1");
        assert_eq!(value("error"), "0");
        m.observe_http("POST", "/plan", true, 0.02, None);
        assert!(m.render().contains("status=\"error\"} 1"));
    }
}
