//! `/api/health`: liveness for load balancers and probes, and for admins each datasource's
//! reachability. Anyone may ask; only admins see datasource names, URLs (without credentials)
//! and provisioning problems, which tell an attacker where the backends are.

use crate::AppState;
use app::backend::health::probe;
use app::model::auth::{CurrentUser, Role};
use app::model::datasource::redact_credentials;
use axum::extract::State;
use axum::{Extension, Json};
use futures::future::join_all;
use serde_json::{json, Value};

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
