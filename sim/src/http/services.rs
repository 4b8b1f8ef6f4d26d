//! Each OctoLLM service's own `/metrics` (OpenMetrics text), as Prometheus scrapes it.

use super::*;

/// `/metrics` and `/health` of one service; both refuse while the service is down.
pub fn service_router(sim: SharedSim, index: usize) -> Router {
    let metrics = {
        let sim = sim.clone();
        move || async move {
            let s = lock(&sim);
            if s.is_down(index) {
                return text_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("{} is down (simulated incident)", SERVICES[index].name),
                );
            }
            (
                [(header::CONTENT_TYPE, OPENMETRICS)],
                s.services[index].render(),
            )
                .into_response()
        }
    };
    let health = move || async move {
        if lock(&sim).is_down(index) {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "down"})),
            )
                .into_response()
        } else {
            Json(json!({"status": "ok", "service": SERVICES[index].name})).into_response()
        }
    };
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
}
