//! The console's own metrics, served at `/metrics` in Prometheus text format.

use app::backend::Backends;
use app::model::server_timing::{self, Timing};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// A bounded route class, never the raw path (which would explode cardinality).
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProxyLabels {
    pub datasource: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PageLabels {
    /// The route pattern (`/d/{uid}`), never the path.
    pub page: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FunctionLabels {
    /// A registered server function's path (`/api/load_dashboard`), else `other`.
    pub function: String,
}

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub proxy_requests: Family<ProxyLabels, Counter>,
    pub ssr_duration: Family<PageLabels, Histogram>,
    pub server_fn_duration: Family<FunctionLabels, Histogram>,
    /// The app's route patterns, set once by the router.
    pages: OnceLock<Vec<String>>,
    /// Registered server function paths, read on first use (they register at start-up).
    functions: OnceLock<std::collections::HashSet<&'static str>>,
}

/// `octoscope_backend_request_duration_seconds`, read from each datasource's guard at scrape
/// time (so a reload's new datasources appear, removed ones go).
struct BackendLatency(Arc<RwLock<Backends>>);

impl std::fmt::Debug for BackendLatency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackendLatency")
    }
}

impl Collector for BackendLatency {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let backends = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut family = encoder.encode_descriptor(
            "backend_request_duration_seconds",
            "Backend calls made for pages, server functions and the proxy, by datasource uid and outcome (answered or failed)",
            None,
            prometheus_client::metrics::MetricType::Histogram,
        )?;
        for ds in backends.registry.all() {
            let latency = &ds.guard.0.latency;
            for (outcome, histogram) in [("ok", &latency.ok), ("error", &latency.failed)] {
                let labels = [("datasource", ds.uid.as_str()), ("outcome", outcome)];
                histogram.encode(family.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

/// `octoscope_process_resident_memory_bytes`: the process' resident memory (Linux `VmRSS`),
/// read at scrape time, so a wall screen's soak or a leak shows on the console's own graph.
#[derive(Debug)]
struct ResidentMemory;

/// `VmRSS` of `/proc/self/status` in bytes (None off Linux).
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

impl Collector for ResidentMemory {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(bytes) = resident_bytes() else {
            return Ok(());
        };
        let gauge = prometheus_client::metrics::gauge::ConstGauge::new(bytes as i64);
        let metric = encoder.encode_descriptor(
            "process_resident_memory_bytes",
            "Resident memory of the console process (VmRSS)",
            None,
            gauge.metric_type(),
        )?;
        gauge.encode(metric)
    }
}

impl Metrics {
    /// The console's metrics; backend latency is read from `backends` at each scrape.
    pub fn new(backends: Arc<RwLock<Backends>>) -> Self {
        let mut registry = Registry::with_prefix("octoscope");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        let proxy_requests = Family::<ProxyLabels, Counter>::default();
        let histogram = || Histogram::new(exponential_buckets(0.001, 2.0, 15));
        let ssr_duration = Family::<PageLabels, Histogram>::new_with_constructor(histogram);
        let server_fn_duration =
            Family::<FunctionLabels, Histogram>::new_with_constructor(histogram);
        registry.register(
            "ssr_duration_seconds",
            "Server-side render of a page, backend reads included, by route pattern",
            ssr_duration.clone(),
        );
        registry.register(
            "server_fn_duration_seconds",
            "Server function calls, backend reads included, by function",
            server_fn_duration.clone(),
        );
        registry.register_collector(Box::new(BackendLatency(backends)));
        registry.register_collector(Box::new(ResidentMemory));
        registry.register(
            "http_requests",
            "HTTP requests served, by route class and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to produce response headers, by route class",
            http_duration.clone(),
        );
        registry.register(
            "proxy_requests",
            "Datasource proxy calls, by datasource uid and upstream (or refusal) status",
            proxy_requests.clone(),
        );
        Self {
            registry,
            http_requests,
            http_duration,
            proxy_requests,
            ssr_duration,
            server_fn_duration,
            pages: OnceLock::new(),
            functions: OnceLock::new(),
        }
    }

    /// The app's route patterns (axum syntax), for the `page` label.
    pub fn set_pages(&self, patterns: Vec<String>) {
        let _ = self.pages.set(patterns);
    }

    fn page_label(&self, path: &str) -> String {
        let patterns = self.pages.get().map(Vec::as_slice).unwrap_or_default();
        page_pattern(path, patterns).unwrap_or("other").to_string()
    }

    fn function_label(&self, path: &str) -> String {
        let known = self.functions.get_or_init(|| {
            leptos::server_fn::axum::server_fn_paths()
                .map(|(p, _)| p)
                .collect()
        });
        match known.contains(path) {
            true => path.to_string(),
            false => "other".into(),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Classifies a request path into a small fixed set of routes.
pub fn route_class(path: &str) -> &'static str {
    if path.starts_with("/api/datasources/proxy/") {
        "datasource_proxy"
    } else if path == "/api/health" {
        "health"
    } else if path == "/metrics" {
        "metrics"
    } else if path.starts_with("/api/") {
        "server_fn"
    } else if path.starts_with("/pkg/") || path.contains('.') {
        "static"
    } else {
        "page"
    }
}

/// The request method as a label value: the standard ones, else `other` (custom methods are free
/// text a client chooses, and every new label value is a series kept forever).
pub fn method_class(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::HEAD => "HEAD",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        http::Method::PATCH => "PATCH",
        http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route pattern among `patterns` (axum syntax: `{name}` one segment, `{*rest}` the rest)
/// that `path` matches, the most specific first (a catch-all last, then fewer parameters).
pub fn page_pattern<'a>(path: &str, patterns: &'a [String]) -> Option<&'a str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let matches = |pattern: &str| {
        let parts: Vec<&str> = pattern.trim_matches('/').split('/').collect();
        let mut i = 0;
        for part in &parts {
            if part.starts_with("{*") {
                return true;
            }
            match segments.get(i) {
                Some(seg) if part.starts_with('{') || part == seg => i += 1,
                _ => return false,
            }
        }
        i == segments.len()
    };
    patterns
        .iter()
        .filter(|p| matches(p))
        .min_by_key(|p| (p.contains("{*"), p.matches('{').count()))
        .map(String::as_str)
}

/// Counts and times every request, and gives pages, server functions and proxied reads a
/// `Server-Timing` header: each backend call they made and the total.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let route = route_class(&path).to_string();
    let method = method_class(req.method()).to_string();
    let timings = app::backend::timing::RequestTimings::default();
    req.extensions_mut().insert(timings.clone());
    let started = Instant::now();
    let mut resp = next.run(req).await;
    let elapsed = started.elapsed();
    metrics
        .http_duration
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    match route.as_str() {
        "page" if resp.status() != http::StatusCode::NOT_FOUND => metrics
            .ssr_duration
            .get_or_create(&PageLabels {
                page: metrics.page_label(&path),
            })
            .observe(elapsed.as_secs_f64()),
        "server_fn" => metrics
            .server_fn_duration
            .get_or_create(&FunctionLabels {
                function: metrics.function_label(&path),
            })
            .observe(elapsed.as_secs_f64()),
        _ => {}
    }
    if matches!(route.as_str(), "page" | "server_fn" | "datasource_proxy") {
        let mut entries = timings.take();
        entries.push(Timing {
            name: "total",
            desc: route.clone(),
            dur: elapsed,
        });
        if let Ok(v) = http::HeaderValue::from_str(&server_timing::header(&entries)) {
            resp.headers_mut().append("server-timing", v);
        }
    }
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method,
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

pub async fn serve(State(state): State<crate::AppState>) -> impl IntoResponse {
    (
        [(
            http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_stay_bounded() {
        assert_eq!(method_class(&http::Method::GET), "GET");
        let custom = http::Method::from_bytes(&[b'X'; 60]).unwrap();
        assert_eq!(method_class(&custom), "other");
        assert_eq!(
            route_class("/api/datasources/proxy/uid/x/y"),
            "datasource_proxy"
        );
        assert_eq!(route_class("/d/abc"), "page");
    }

    #[test]
    fn pages_are_labelled_by_their_route_pattern() {
        let patterns: Vec<String> = [
            "/",
            "/d/{uid}",
            "/d/{uid}/{slug}",
            "/alerting/groups",
            "/{*any}",
        ]
        .map(String::from)
        .to_vec();
        let p = |path| page_pattern(path, &patterns);
        assert_eq!(p("/"), Some("/"));
        assert_eq!(p("/d/abc"), Some("/d/{uid}"));
        assert_eq!(p("/d/abc/overview"), Some("/d/{uid}/{slug}"));
        assert_eq!(p("/alerting/groups"), Some("/alerting/groups"));
        assert_eq!(
            p("/made/up/path"),
            Some("/{*any}"),
            "the catch-all, not the path"
        );
        assert_eq!(page_pattern("/x", &[]), None);
    }

    #[test]
    fn resident_memory_is_read_from_proc() {
        let bytes = resident_bytes().expect("Linux has /proc/self/status");
        assert!(bytes > 1 << 20, "{bytes}");
        let backends = Backends::new(app::backend::DatasourceRegistry::new(
            Vec::new(),
            Vec::new(),
        ));
        let text = Metrics::new(Arc::new(RwLock::new(backends))).render();
        assert!(
            text.contains("octoscope_process_resident_memory_bytes "),
            "{text}"
        );
    }
}
