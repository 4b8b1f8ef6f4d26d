//! Server functions answer every error with HTTP 500 (server_fn's choice); this layer gives each
//! the status of its `AppError` (400 bad input, 403, 404 unknown subject, 502/503/504 upstream),
//! so scripts, proxies and link checkers see whose fault it was. The page decodes the same JSON
//! body whatever the status.

use app::api::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::StatusCode;

/// Error bodies are a sentence or two; anything larger is passed through untouched.
const MAX_ERROR_BODY: usize = 64 << 10;

pub async fn server_fn_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if !resp
        .headers()
        .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ERROR_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "server function error body unreadable");
            parts.status = StatusCode::INTERNAL_SERVER_ERROR;
            return Response::from_parts(parts, Body::empty());
        }
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
