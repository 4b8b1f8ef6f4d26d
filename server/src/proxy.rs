//! `/api/datasources/proxy/uid/:uid/*path`: Grafana's proxy path, read-only and allow-listed.
//!
//! Only provisioned datasources are targets, only allow-listed read paths are forwarded, the
//! browser's cookies and Authorization never leave the console, and the datasource's own
//! credentials are added. Bodies stream in both directions.

use crate::metrics::ProxyLabels;
use crate::{json_error, AppState};
use app::backend::http::{request, transport_error};
use app::model::allowlist::check_proxy_path;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::{header, HeaderName, StatusCode};

const PREFIX: &str = "/api/datasources/proxy/uid/";

/// Request headers worth passing on; everything else (Cookie, Authorization, Host, …) is dropped.
const FORWARD_REQUEST: &[HeaderName] = &[
    header::ACCEPT,
    header::ACCEPT_ENCODING,
    header::CONTENT_TYPE,
];

/// Response headers passed back; Set-Cookie and hop-by-hop headers are not.
const FORWARD_RESPONSE: &[HeaderName] = &[
    header::CONTENT_TYPE,
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
    let count = |status: u16| {
        state
            .metrics
            .proxy_requests
            .get_or_create(&ProxyLabels {
                datasource: uid.clone(),
                status,
            })
            .inc();
    };
    let backends = state.backends();
    let Some(ds) = backends.registry.by_uid(&uid) else {
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
    let (parts, body) = req.into_parts();
    let mut upstream = request(&backends.http, &ds, method.clone(), &path, query.as_deref());
    for name in FORWARD_REQUEST {
        if let Some(v) = parts.headers.get(name) {
            upstream = upstream.header(name, v);
        }
    }
    if method == http::Method::POST {
        upstream = upstream.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }
    let resp = match upstream.send().await {
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
    ds.guard
        .record(!app::backend::guard::is_backend_failure(status.as_u16()));
    count(status.as_u16());
    let cap = ds.guard.0.max_response_bytes;
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
    let mut out = Response::builder().status(status.as_u16());
    for name in FORWARD_RESPONSE {
        if let Some(v) = resp.headers().get(name) {
            out = out.header(name, v);
        }
    }
    // The slot is held until the body has streamed; a body that grows past the cap is cut off
    // (the client sees an aborted response, never a silently truncated one).
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
