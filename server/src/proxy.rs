//! `/api/datasources/proxy/uid/:uid/*path`: Grafana's proxy path, read-only and allow-listed.
//!
//! Only provisioned datasources are targets, only allow-listed read paths are forwarded, the
//! browser's cookies and Authorization never leave the console, and the datasource's own
//! credentials are added. Bodies stream in both directions; request bodies are capped, answers
//! are capped and served with a content type that cannot run in the console's origin, and
//! Alertmanager's status is redacted like `/status/alerting`.

use crate::metrics::ProxyLabels;
use crate::{json_error, AppState};
use app::backend::http::{request, transport_error};
use app::backend::Datasource;
use app::model::allowlist::check_proxy_path;
use app::model::datasource::DatasourceKind;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::{header, HeaderName, StatusCode};
use std::sync::{Arc, Mutex};

const PREFIX: &str = "/api/datasources/proxy/uid/";

/// Largest request body passed on (form-encoded queries are far smaller).
pub const MAX_REQUEST_BODY: u64 = 1 << 20;

/// Error answers (for the breaker) and Alertmanager's status are read whole, up to this size.
const MAX_INSPECTED_BODY: u64 = 1 << 20;

/// Content types passed back as they are; anything else (HTML, SVG, XML, scripts from a backend
/// or a misconfigured URL) is served as plain text, so it can never render in the console's origin.
const SAFE_CONTENT_TYPES: &[&str] = &[
    "application/json",
    "text/plain",
    "application/openmetrics-text",
    "application/x-protobuf",
    "application/protobuf",
    "application/vnd.google.protobuf",
    "application/octet-stream",
];

/// The content type to answer with for a backend's `Content-Type`.
pub fn safe_content_type(backend: Option<&str>) -> http::HeaderValue {
    let essence = backend
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let safe = SAFE_CONTENT_TYPES.contains(&essence.as_str())
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    match backend.filter(|_| safe).map(http::HeaderValue::from_str) {
        Some(Ok(v)) => v,
        _ => http::HeaderValue::from_static("text/plain; charset=utf-8"),
    }
}

/// Request headers worth passing on; everything else (Cookie, Authorization, Host, …) is dropped.
/// Accept-Encoding too: answers arrive uncompressed, so the console can read an error or redact
/// a status, and compresses for the browser itself.
const FORWARD_REQUEST: &[HeaderName] = &[header::ACCEPT, header::CONTENT_TYPE];

/// Response headers passed back; Set-Cookie and hop-by-hop headers are not, and Content-Type
/// only through [`safe_content_type`].
const FORWARD_RESPONSE: &[HeaderName] = &[
    header::CONTENT_ENCODING,
    header::CONTENT_LENGTH,
    header::CACHE_CONTROL,
    header::ETAG,
    header::LAST_MODIFIED,
    header::VARY,
];

pub async fn proxy_root(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    req: Request,
) -> Response {
    forward(state, uid, req).await
}

pub async fn proxy(
    State(state): State<AppState>,
    Path((uid, _)): Path<(String, String)>,
    req: Request,
) -> Response {
    forward(state, uid, req).await
}

async fn forward(state: AppState, uid: String, req: Request) -> Response {
    let backends = state.backends();
    let found = backends.registry.by_uid(&uid);
    // Only provisioned uids become label values: made-up ones must not grow /metrics forever.
    let label = if found.is_some() {
        uid.clone()
    } else {
        "unknown".into()
    };
    let count = |status: u16| {
        state
            .metrics
            .proxy_requests
            .get_or_create(&ProxyLabels {
                datasource: label.clone(),
                status,
            })
            .inc();
    };
    let Some(ds) = found else {
        count(404);
        return json_error(
            StatusCode::NOT_FOUND,
            format!("no datasource with uid {uid:?} is provisioned; see /api/health for the configured ones"),
        );
    };
    // The raw, still percent-encoded path: decoding first would let %2e%2e through the check.
    let raw = req.uri().path();
    let rest = raw
        .strip_prefix(PREFIX)
        .and_then(|r| r.split_once('/').map(|(_, p)| p))
        .unwrap_or("");
    let method = req.method().clone();
    if let Err(e) = check_proxy_path(ds.kind, method.as_str(), rest) {
        let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::FORBIDDEN);
        count(status.as_u16());
        return json_error(status, e.to_string());
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BODY) {
        count(413);
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} KB; send the query in the URL or shorten it",
                MAX_REQUEST_BODY >> 10
            ),
        );
    }
    if let Err(e) = ds.guard.admit(&ds.name) {
        count(503);
        return json_error(StatusCode::SERVICE_UNAVAILABLE, e.to_string());
    }
    let slot = match ds.guard.permit(&ds.name, ds.timeout).await {
        Ok(p) => p,
        Err(e) => {
            count(503);
            return json_error(StatusCode::SERVICE_UNAVAILABLE, e.to_string());
        }
    };
    let path = rest.to_string();
    let query = req.uri().query().map(str::to_string);
    let timings = req
        .extensions()
        .get::<app::backend::timing::RequestTimings>()
        .cloned();
    let (parts, body) = req.into_parts();
    let mut upstream = request(&backends.http, &ds, method.clone(), &path, query.as_deref());
    for name in FORWARD_REQUEST {
        if let Some(v) = parts.headers.get(name) {
            upstream = upstream.header(name, v);
        }
    }
    if method == http::Method::POST {
        // Chunked bodies carry no length: count them as they stream and stop at the cap.
        let mut received = 0u64;
        let capped = body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(std::io::Error::other)?;
            received += chunk.len() as u64;
            if received > MAX_REQUEST_BODY {
                return Err(std::io::Error::other("request body over the cap"));
            }
            Ok(chunk)
        });
        upstream = upstream.body(reqwest::Body::wrap_stream(capped));
    }
    let started = std::time::Instant::now();
    let sent = upstream.send().await;
    // Timed to the upstream's headers: the body streams through after this answer's headers.
    let ok = sent
        .as_ref()
        .is_ok_and(|r| !app::backend::guard::is_backend_failure(r.status().as_u16()));
    app::backend::timing::record(timings.as_ref(), &ds, &path, ok, started.elapsed());
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => {
            ds.guard.record(false);
            let err = transport_error(&ds, &e);
            let status = if e.is_timeout() {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::BAD_GATEWAY
            };
            count(status.as_u16());
            tracing::warn!(datasource = %ds.uid, error = %err, "proxy upstream failed");
            return json_error(status, err.to_string());
        }
    };
    let status = resp.status();
    count(status.as_u16());
    let cap = ds.guard.0.max_response_bytes;
    let content_type = safe_content_type(
        resp.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let redact = ds.kind == DatasourceKind::Alertmanager && path == "api/v2/status";
    if app::backend::guard::is_backend_failure(status.as_u16()) || redact {
        // Small answers read whole: an error tells whether the backend or the query failed, and
        // the status gets its secrets removed before it leaves.
        return answer_whole(&ds, resp, content_type, redact).await;
    }
    ds.guard.record(true);
    if resp.content_length().is_some_and(|n| n > cap) {
        return json_error(
            StatusCode::BAD_GATEWAY,
            format!("{} sent more than {} MB; narrow the query (fewer series, a larger step) or raise octoscopeMaxResponseMB", ds.name, cap >> 20),
        );
    }
    if status.is_redirection() {
        // Never follow, never pass on: a redirect could point the browser anywhere.
        return json_error(
            StatusCode::BAD_GATEWAY,
            format!("{} answered with a redirect ({status}); point the datasource URL at the final address", ds.name),
        );
    }
    let mut out = Response::builder()
        .status(status.as_u16())
        .header(header::CONTENT_TYPE, content_type);
    for name in FORWARD_RESPONSE {
        if let Some(v) = resp.headers().get(name) {
            out = out.header(name, v);
        }
    }
    // The slot is held while the body streams, but no longer than the datasource timeout: a
    // client that stops reading must not keep the backend's slots from everyone else. A body
    // that grows past the cap is cut off (the client sees an aborted response, never a silently
    // truncated one).
    let slot = Arc::new(Mutex::new(Some(slot)));
    // The timer holds only a weak reference: a body that finishes (or a client that hangs up)
    // drops the slot at once; the timer frees it only from a stream still held open.
    let release = Arc::downgrade(&slot);
    let timeout = ds.timeout;
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        if let Some(slot) = release.upgrade() {
            slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
    });
    let mut sent = 0u64;
    let name = ds.name.clone();
    let body = resp.bytes_stream().map(move |chunk| {
        let _held = &slot;
        let chunk = chunk.map_err(std::io::Error::other)?;
        sent += chunk.len() as u64;
        if sent > cap {
            tracing::warn!(datasource = %name, "proxied response cut off at {} MB", cap >> 20);
            return Err(std::io::Error::other("response size cap exceeded"));
        }
        Ok(chunk)
    });
    out.body(Body::from_stream(body))
        .unwrap_or_else(|e| json_error(StatusCode::BAD_GATEWAY, e.to_string()).into_response())
}

/// Reads a (small) answer whole, records it with the breaker, redacts Alertmanager's status when
/// asked, and answers with it.
async fn answer_whole(
    ds: &Datasource,
    mut resp: reqwest::Response,
    content_type: http::HeaderValue,
    redact: bool,
) -> Response {
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if (body.len() + chunk.len()) as u64 <= MAX_INSPECTED_BODY => {
                body.extend_from_slice(&chunk)
            }
            Ok(Some(_)) => {
                ds.guard.record(false);
                return json_error(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "{} answered HTTP {status} with a body over {} KB",
                        ds.name,
                        MAX_INSPECTED_BODY >> 10
                    ),
                );
            }
            Ok(None) => break,
            Err(e) => {
                ds.guard.record(false);
                return json_error(StatusCode::BAD_GATEWAY, transport_error(ds, &e).to_string());
            }
        }
    }
    ds.guard
        .record(!app::backend::guard::is_backend_failure_answer(
            status, &body,
        ));
    // Compressed answers would need decoding before redaction; the console asks for none here.
    if redact && (200..300).contains(&status) {
        body = match app::backend::alertmanager::redact_status(&body) {
            Ok(b) => b,
            Err(e) => {
                return json_error(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "{}'s status could not be read to remove its secrets ({e})",
                        ds.name
                    ),
                )
            }
        };
    }
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap_or_else(|e| json_error(StatusCode::BAD_GATEWAY, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_data_content_types_pass() {
        let t = |v: Option<&str>| safe_content_type(v).to_str().unwrap().to_string();
        assert_eq!(t(Some("application/json")), "application/json");
        assert_eq!(
            t(Some("application/json; charset=utf-8")),
            "application/json; charset=utf-8"
        );
        assert_eq!(
            t(Some("application/problem+json")),
            "application/problem+json"
        );
        for unsafe_type in [
            Some("text/html"),
            Some("TEXT/HTML; charset=utf-8"),
            Some("image/svg+xml"),
            Some("application/xhtml+xml"),
            Some("application/javascript"),
            None,
        ] {
            assert_eq!(
                t(unsafe_type),
                "text/plain; charset=utf-8",
                "{unsafe_type:?}"
            );
        }
    }
}
