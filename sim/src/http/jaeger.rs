//! Jaeger's query service v1 JSON API over the simulated traces: services, operations, search
//! and one trace, with Jaeger's `{data, errors}` envelope.

use super::recorded::recorded;
use super::scale::scale_trace;
use super::*;

pub fn jaeger_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/api/services", get(jaeger_services))
        .route(
            "/api/services/{service}/operations",
            get(jaeger_service_operations),
        )
        .route("/api/operations", get(jaeger_operations))
        .route("/api/traces", get(jaeger_search))
        .route("/api/traces/{id}", get(jaeger_trace))
        .with_state(sim)
}

fn jaeger_ok(data: Value, total: usize) -> Json<Value> {
    Json(json!({"data": data, "total": total, "limit": 0, "offset": 0, "errors": null}))
}

fn jaeger_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({"data": null, "total": 0, "limit": 0, "offset": 0, "errors": [{"code": status.as_u16(), "msg": msg}]})))
        .into_response()
}

async fn jaeger_services(State(sim): State<SharedSim>) -> Json<Value> {
    let names = traced_services(&lock(&sim));
    let n = names.len();
    jaeger_ok(json!(names), n)
}

fn operations(sim: &Sim, service: &str) -> Vec<(String, &'static str)> {
    let mut ops: Vec<(String, &'static str)> = sim
        .stores
        .traces
        .iter()
        .flat_map(|t| t.spans.iter())
        .filter(|s| s.service == service)
        .map(|s| {
            (
                s.operation.clone(),
                if s.kind == crate::store::SpanKind::Client {
                    "client"
                } else {
                    "server"
                },
            )
        })
        .collect();
    ops.sort();
    ops.dedup();
    ops
}

async fn jaeger_service_operations(
    State(sim): State<SharedSim>,
    Path(service): Path<String>,
) -> Json<Value> {
    let ops: Vec<String> = operations(&lock(&sim), &service)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    let n = ops.len();
    jaeger_ok(json!(ops), n)
}

async fn jaeger_operations(
    State(sim): State<SharedSim>,
    Q(q): Q<HashMap<String, String>>,
) -> Response {
    let Some(service) = q.get("service") else {
        return jaeger_error(StatusCode::BAD_REQUEST, "parameter 'service' is required");
    };
    let kind = q.get("spanKind").filter(|k| !k.is_empty());
    let ops: Vec<Value> = operations(&lock(&sim), service)
        .into_iter()
        .filter(|(_, k)| kind.is_none_or(|want| want == k))
        .map(|(name, k)| json!({"name": name, "spanKind": k}))
        .collect();
    let n = ops.len();
    jaeger_ok(json!(ops), n).into_response()
}

async fn jaeger_search(State(sim): State<SharedSim>, Q(q): Q<HashMap<String, String>>) -> Response {
    let Some(service) = q.get("service").filter(|s| !s.is_empty()) else {
        return jaeger_error(StatusCode::BAD_REQUEST, "parameter 'service' is required");
    };
    let operation = q.get("operation").filter(|s| !s.is_empty());
    let tags: Vec<(String, String)> = match q.get("tags").filter(|s| !s.is_empty()) {
        None => vec![],
        Some(t) => match serde_json::from_str::<HashMap<String, String>>(t) {
            Ok(m) => m.into_iter().collect(),
            Err(e) => {
                return jaeger_error(
                    StatusCode::BAD_REQUEST,
                    &format!("malformed 'tags' parameter: {e}"),
                )
            }
        },
    };
    let parse_dur = |k: &str| -> Result<Option<i64>, String> {
        match q.get(k).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) => go_duration_us(v).map(Some).ok_or_else(|| {
                format!("cannot parse {k} {v:?}: use a duration such as 1.2s or 100ms")
            }),
        }
    };
    let (min, max) = match (parse_dur("minDuration"), parse_dur("maxDuration")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return jaeger_error(StatusCode::BAD_REQUEST, &e),
    };
    let now_us = now_ms() * 1000;
    let end = q
        .get("end")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(now_us);
    let start = q
        .get("start")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(end - 3_600_000_000);
    let limit = search_limit(&q);
    let sim = lock(&sim);
    let found: Vec<Value> = sim
        .stores
        .traces
        .iter()
        .rev()
        .filter(|t| {
            in_window(t, start, end, min, max)
                && t.spans.iter().any(|sp| {
                    sp.service == service.as_str() && operation.is_none_or(|o| &sp.operation == o)
                })
                && tags
                    .iter()
                    .all(|(k, v)| t.spans.iter().any(|sp| tag_matches(sp, k, v)))
        })
        .take(limit)
        .map(|t| t.to_jaeger())
        .collect();
    jaeger_ok(json!(found), 0).into_response()
}

async fn jaeger_trace(State(sim): State<SharedSim>, Path(id): Path<String>) -> Response {
    if let Some(answer) = recorded().jaeger.get(&id) {
        return Json(answer.clone()).into_response();
    }
    if let Some(scale) = scale_trace(&id) {
        return (
            [(header::CONTENT_TYPE, "application/json")],
            scale.jaeger.clone(),
        )
            .into_response();
    }
    match lock(&sim).stores.trace(&id) {
        Some(t) => jaeger_ok(json!([t.to_jaeger()]), 0).into_response(),
        None => jaeger_error(StatusCode::NOT_FOUND, "trace not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{get, sim_with_traffic};

    #[tokio::test]
    async fn services_search_and_traces_answer_in_jaeger_v1_shapes() {
        let (router, now) = sim_with_traffic(super::jaeger_router);
        let (status, services) = get(&router, "/api/services").await;
        assert_eq!(status, 200);
        assert!(
            services["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "orchestrator"),
            "{services}"
        );
        let (status, ops) = get(&router, "/api/services/orchestrator/operations").await;
        assert_eq!(status, 200);
        assert!(!ops["data"].as_array().unwrap().is_empty(), "{ops}");

        let uri = format!(
            "/api/traces?service=orchestrator&start={}&end={}&limit=2",
            (now - 60_000) * 1000,
            (now + 1_000) * 1000
        );
        let (status, found) = get(&router, &uri).await;
        assert_eq!(status, 200, "{found}");
        let traces = found["data"].as_array().unwrap();
        assert!(!traces.is_empty() && traces.len() <= 2, "{found}");
        let id = traces[0]["traceID"].as_str().unwrap();
        let (status, one) = get(&router, &format!("/api/traces/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(one["data"][0]["traceID"], id);
        assert!(one["data"][0]["processes"].is_object(), "{one}");

        // Jaeger's errors: an envelope with the reason.
        let (status, missing) = get(&router, "/api/traces?limit=2").await;
        assert_eq!(status, 400);
        assert!(missing["errors"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("service"));
        let (status, unknown) = get(&router, "/api/traces/00000000000000000000000000000bad").await;
        assert_eq!(status, 404);
        assert!(unknown["errors"].is_array(), "{unknown}");
    }
}
