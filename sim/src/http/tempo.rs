//! Tempo's HTTP API over the simulated traces: one trace (v1 and v2), search (tags and TraceQL)
//! and tag values.

use super::recorded::recorded;
use super::scale::scale_trace;
use super::*;

pub fn tempo_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/ready", get(|| async { "ready" }))
        .route("/api/echo", get(|| async { "echo" }))
        .route("/api/traces/{id}", get(tempo_trace_v1))
        .route("/api/v2/traces/{id}", get(tempo_trace_v2))
        .route("/api/search", get(tempo_search))
        .route("/api/search/tags", get(tempo_tags))
        .route("/api/search/tag/{tag}/values", get(tempo_tag_values))
        .with_state(sim)
}

async fn tempo_trace_v1(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    if let Some(body) = recorded().tempo.get(&id.to_ascii_lowercase()) {
        return ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response();
    }
    if let Some(scale) = scale_trace(&id) {
        return (
            [(header::CONTENT_TYPE, "application/json")],
            scale.tempo.clone(),
        )
            .into_response();
    }
    match lock(&sim).stores.trace(&id) {
        Some(t) => Json(json!({"batches": t.to_otlp_resource_spans()})).into_response(),
        None => text_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

async fn tempo_trace_v2(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    match lock(&sim).stores.trace(&id) {
        Some(t) => {
            Json(json!({"trace": {"resourceSpans": t.to_otlp_resource_spans()}})).into_response()
        }
        None => text_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

async fn tempo_search(State(sim): State<SharedSim>, Q(q): Q<HashMap<String, String>>) -> Response {
    let set = match q.get("q").filter(|s| !s.trim().is_empty()) {
        Some(text) => match traceql::parse(text) {
            Ok(s) => s,
            Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
        },
        None => traceql::SpanSet::default(),
    };
    let tags: Vec<(String, String)> = q
        .get("tags")
        .map(|t| {
            t.split_whitespace()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                .collect()
        })
        .unwrap_or_default();
    let dur = |k: &str| q.get(k).and_then(|v| go_duration_us(v));
    let (min, max) = (dur("minDuration"), dur("maxDuration"));
    // `end` is in whole seconds and inclusive; without it, "now" to the microsecond (truncating
    // to the second would hide traces that started a moment ago).
    let end = q
        .get("end")
        .and_then(|v| v.parse::<i64>().ok())
        .map(|s| s * 1_000_000 + 999_999)
        .unwrap_or(now_ms() * 1000);
    let start = q
        .get("start")
        .and_then(|v| v.parse::<i64>().ok())
        .map(|s| s * 1_000_000)
        .unwrap_or(end - 3_600_000_000);
    let limit = search_limit(&q);
    let sim = lock(&sim);
    let mut inspected = 0;
    let traces: Vec<Value> = sim
        .stores
        .traces
        .iter()
        .rev()
        .filter(|t| {
            inspected += 1;
            in_window(t, start, end, min, max)
                && set.matches(t)
                && tags.iter().all(|(k, v)| {
                    t.spans.iter().any(|sp| {
                        (k == "service.name" && sp.service == v.as_str()) || tag_matches(sp, k, v)
                    })
                })
        })
        .take(limit)
        .map(|t| {
            json!({
                "traceID": t.trace_id,
                "rootServiceName": t.root().service,
                "rootTraceName": t.root().operation,
                "startTimeUnixNano": (t.start_us() * 1000).to_string(),
                "durationMs": t.duration_us() / 1000,
            })
        })
        .collect();
    Json(json!({"traces": traces, "metrics": {"inspectedTraces": inspected, "inspectedBytes": "0", "completedJobs": 1, "totalJobs": 1}}))
        .into_response()
}

async fn tempo_tags() -> Json<Value> {
    Json(
        json!({"tagNames": ["http.method", "http.route", "http.status_code", "llm.model", "llm.provider", "service.name", "task.id"]}),
    )
}

/// `GET /api/search/tag/<tag>/values` (v1: plain strings). Only `service.name` has values here.
async fn tempo_tag_values(State(sim): State<SharedSim>, Path(tag): Path<String>) -> Json<Value> {
    let values = match tag.as_str() {
        "service.name" => traced_services(&lock(&sim)),
        _ => Vec::new(),
    };
    Json(json!({ "tagValues": values }))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{get, sim_with_traffic};

    #[tokio::test]
    async fn search_tag_values_and_traces_answer_in_tempo_shapes() {
        let (router, now) = sim_with_traffic(super::tempo_router);
        let (status, values) = get(&router, "/api/search/tag/service.name/values").await;
        assert_eq!(status, 200);
        let services: Vec<&str> = values["tagValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(services.contains(&"orchestrator"), "{values}");

        let uri = format!(
            "/api/search?tags=service.name%3Dorchestrator&start={}&end={}&limit=3",
            now / 1000 - 60,
            now / 1000 + 1
        );
        let (status, found) = get(&router, &uri).await;
        assert_eq!(status, 200, "{found}");
        let traces = found["traces"].as_array().unwrap();
        assert!(!traces.is_empty() && traces.len() <= 3, "{found}");
        let id = traces[0]["traceID"].as_str().unwrap();
        assert!(traces[0]["startTimeUnixNano"].as_str().is_some(), "{found}");

        let (status, trace) = get(&router, &format!("/api/traces/{id}")).await;
        assert_eq!(status, 200);
        assert!(!trace["batches"].as_array().unwrap().is_empty(), "{trace}");
        let (status, _) = get(&router, "/api/traces/00000000000000000000000000000bad").await;
        assert_eq!(status, 404);
    }
}
