//! Response headers that keep the console safe to embed only where configured.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};
use std::sync::Arc;

/// Precomputed header values (built once from config, applied to every response).
pub struct SecurityHeaders {
    frame_ancestors: HeaderValue,
    deny_framing_elsewhere: bool,
}

impl SecurityHeaders {
    pub fn new(allowed_origins: &[String]) -> Self {
        let mut policy = String::from("frame-ancestors 'self'");
        for o in allowed_origins {
            policy.push(' ');
            policy.push_str(o);
        }
        Self {
            frame_ancestors: HeaderValue::from_str(&policy)
                .expect("origins were validated by config"),
            deny_framing_elsewhere: allowed_origins.is_empty(),
        }
    }
}

pub async fn apply(State(h): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, h.frame_ancestors.clone());
    if h.deny_framing_elsewhere {
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}
