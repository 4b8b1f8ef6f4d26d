//! `/api/health`: liveness for probes, and for admins each datasource's reachability. Anyone may
//! ask; only admins see datasource names, URLs (without credentials) and provisioning problems,
//! which tell an attacker where the backends are. `/api/ready`: readiness for load balancers.

use crate::AppState;
use app::backend::health::probe;
use app::model::auth::{CurrentUser, Role};
use app::model::datasource::redact_credentials;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::future::join_all;
use http::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

pub async fn health(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
) -> Json<Value> {
    let backends = state.backends();
    let registry = &backends.registry;
    let checks = registry.all().iter().map(|ds| {
        let http = backends.http.clone();
        async move {
            let mut entry = json!({
                "uid": ds.uid, "name": ds.name, "type": ds.kind.as_str(), "url": ds.display_url(),
            });
            match probe(&http, ds).await {
                Ok(ms) => {
                    entry["status"] = json!("ok");
                    entry["latency_ms"] = json!(ms);
                }
                Err(e) => {
                    entry["status"] = json!("error");
                    entry["error"] = json!(redact_credentials(&e.to_string()));
                }
            }
            entry
        }
    });
    let datasources = join_all(checks).await;
    let broken: Vec<Value> = registry
        .problems()
        .iter()
        .map(|p| {
            json!({
                "name": p.datasource, "status": "broken", "file": p.file, "line": p.line,
                "error": redact_credentials(&p.message),
            })
        })
        .collect();
    let healthy = broken.is_empty() && datasources.iter().all(|d| d["status"] == "ok");
    let status = if healthy { "ok" } else { "degraded" };
    let admin = user.is_some_and(|Extension(u)| u.role >= Role::Admin);
    if !admin {
        return Json(json!({ "status": status }));
    }
    Json(json!({
        "status": status,
        "version": env!("CARGO_PKG_VERSION"),
        "datasources": datasources,
        "broken": broken,
    }))
}

/// Readiness, apart from liveness: provisioning is read before the console listens, so a
/// replica that answers is ready, until it is told to stop; then it answers 503 while it drains.
/// Never probes a backend: a slow datasource must not take every replica out of the balancer.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        let body = json!({ "status": "draining" });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    let backends = state.backends();
    Json(json!({
        "status": "ready",
        "datasources": backends.registry.all().len(),
        "provisioning_problems": backends.registry.problems().len(),
    }))
    .into_response()
}
