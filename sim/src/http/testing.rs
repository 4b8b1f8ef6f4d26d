//! A simulator with a minute of traffic behind it, and a GET through a face's router, for the
//! faces' tests.

use super::{now_ms, SharedSim};
use crate::engine::{Sim, SimConfig};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// `face` over a simulation that ran the last 60 s at a high rate; returns the router and now (ms).
pub fn sim_with_traffic(face: fn(SharedSim) -> Router) -> (Router, i64) {
    let mut sim = Sim::new(SimConfig {
        base_rate: 20.0,
        trace_sample: 1.0,
        ..SimConfig::default()
    });
    let now = now_ms();
    for s in (0..60).rev() {
        sim.tick(now - s * 1000, 1.0);
    }
    (face(Arc::new(Mutex::new(sim))), now)
}

/// GETs `uri`; the body as JSON, or as a JSON string when it is text.
pub async fn get(router: &Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let resp = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, body)
}
