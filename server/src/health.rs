//! `/api/health`: the console's version and each datasource's reachability.

use crate::AppState;
use app::backend::health::probe;
use axum::extract::State;
use axum::Json;
use futures::future::join_all;
use serde_json::{json, Value};

pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let backends = state.backends();
    let registry = &backends.registry;
    let checks = registry.all().iter().map(|ds| {
        let http = backends.http.clone();
        async move {
            let mut entry = json!({
                "uid": ds.uid, "name": ds.name, "type": ds.kind.as_str(), "url": ds.url.as_str(),
            });
            match probe(&http, ds).await {
                Ok(ms) => {
                    entry["status"] = json!("ok");
                    entry["latency_ms"] = json!(ms);
                }
                Err(e) => {
                    entry["status"] = json!("error");
                    entry["error"] = json!(e.to_string());
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
                "error": p.message,
            })
        })
        .collect();
    let healthy = broken.is_empty() && datasources.iter().all(|d| d["status"] == "ok");
    Json(json!({
        "status": if healthy { "ok" } else { "degraded" },
        "version": env!("CARGO_PKG_VERSION"),
        "datasources": datasources,
        "broken": broken,
    }))
}
