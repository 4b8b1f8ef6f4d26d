//! The console's own metrics, served at `/metrics` in Prometheus text format.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
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

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub proxy_requests: Family<ProxyLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("octoscope");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        let proxy_requests = Family::<ProxyLabels, Counter>::default();
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
        }
    }
}

impl Metrics {
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

pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let route = route_class(req.uri().path()).to_string();
    let method = method_class(req.method()).to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics
        .http_duration
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
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
}
