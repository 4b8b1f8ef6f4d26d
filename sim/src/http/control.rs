//! The simulator's control API: incidents (start, list, end), the Alertmanager webhook sink, and
//! infrastructure metrics.

use super::*;

pub fn control_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/metrics", get(infra_metrics))
        .route("/metrics/{exporter}", get(exporter_metrics))
        .route(
            "/sim/incidents",
            get(list_incidents)
                .post(add_incident)
                .delete(clear_incidents),
        )
        .route(
            "/sim/incidents/{id}",
            axum::routing::delete(delete_incident),
        )
        .route("/sim/sink", get(list_notifications))
        .route("/sim/sink/{receiver}", post(receive_notification))
        .with_state(sim)
}

async fn infra_metrics(State(sim): State<SharedSim>) -> Response {
    (
        [(header::CONTENT_TYPE, OPENMETRICS)],
        lock(&sim).infra.render(),
    )
        .into_response()
}

/// One exporter's share (`node`, `postgres`, `redis`, `kubernetes`), each its own scrape job.
async fn exporter_metrics(State(sim): State<SharedSim>, Path(name): Path<String>) -> Response {
    match crate::metrics::Exporter::parse(&name) {
        Some(e) => (
            [(header::CONTENT_TYPE, OPENMETRICS)],
            lock(&sim).infra.render_for(e),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!("no exporter {name:?}: use node, postgres, redis or kubernetes\n"),
        )
            .into_response(),
    }
}

async fn list_incidents(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"incidents": lock(&sim).incidents}))
}

async fn add_incident(State(sim): State<SharedSim>, body: axum::body::Bytes) -> Response {
    let req: IncidentRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({"error": format!("body must be JSON {{\"kind\", \"target\", \"duration\"}}: {e}")})))
                .into_response()
        }
    };
    match req.validate() {
        Ok((kind, target, duration)) => {
            let inc = lock(&sim).add_incident(kind, target, duration, now_ms());
            (StatusCode::CREATED, Json(json!(inc))).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn clear_incidents(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"removed": lock(&sim).remove_incidents(None)}))
}

async fn delete_incident(State(sim): State<SharedSim>, Path(id): Path<u64>) -> Response {
    match lock(&sim).remove_incidents(Some(id)) {
        0 => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no running incident {id}")})),
        )
            .into_response(),
        n => Json(json!({"removed": n})).into_response(),
    }
}

async fn list_notifications(State(sim): State<SharedSim>) -> Json<Value> {
    Json(json!({"notifications": lock(&sim).notifications}))
}

async fn receive_notification(
    State(sim): State<SharedSim>,
    Path(receiver): Path<String>,
    Json(mut body): Json<Value>,
) -> StatusCode {
    body["_receiver_path"] = json!(receiver);
    lock(&sim).record_notification(body);
    StatusCode::OK
}
