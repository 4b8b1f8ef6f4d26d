//! Jaeger API v3, detected by itself: a loopback Jaeger that only speaks v3 (its answers are the
//! upstream v3 samples in tests/fixtures/jaeger and Tempo's OTLP sample wrapped as v3 does), and
//! the console's trace search and trace view against it.

mod support;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::{Arc, Mutex};
use support::{provisioning, repo, Console};

const TRACE_ID: &str = "5b8efff798038103d269b633813fc60c";

#[derive(Default)]
struct Seen {
    v1_calls: usize,
    searches: Vec<String>,
}

type Shared = Arc<Mutex<Seen>>;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures").join(name)).unwrap()
}

/// `{result: {resourceSpans}}`: how API v3 wraps OTLP.
fn v3_trace() -> String {
    let tempo: serde_json::Value =
        serde_json::from_str(&fixture("tempo/trace-batches-single-span.json")).unwrap();
    serde_json::json!({"result": {"resourceSpans": tempo["batches"]}}).to_string()
}

fn not_found() -> axum::response::Response {
    (
        StatusCode::NOT_FOUND,
        r#"{"error":{"code":5,"message":"trace not found"}}"#,
    )
        .into_response()
}

async fn v3_only_jaeger() -> (String, Shared) {
    let seen: Shared = Default::default();
    let app = axum::Router::new()
        .route(
            "/api/services",
            get(|State(s): State<Shared>| async move {
                s.lock().unwrap().v1_calls += 1;
                (StatusCode::NOT_FOUND, "404 page not found")
            }),
        )
        .route(
            "/api/v3/services",
            get(|| async { fixture("jaeger/apiv3-services.json") }),
        )
        .route(
            "/api/v3/traces",
            get(
                |State(s): State<Shared>, RawQuery(q): RawQuery| async move {
                    let q = q.unwrap_or_default();
                    s.lock().unwrap().searches.push(q.clone());
                    if q.contains("query.service_name=foo") {
                        v3_trace().into_response()
                    } else {
                        not_found()
                    }
                },
            ),
        )
        .route(
            "/api/v3/traces/{id}",
            get(|Path(id): Path<String>| async move {
                if id == TRACE_ID {
                    v3_trace().into_response()
                } else {
                    not_found()
                }
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn search(service: &str, min_duration: &str) -> serde_json::Value {
    serde_json::json!({"query": {
        "service": service, "operation": "", "tags": "http.status_code=500",
        "min_duration": min_duration, "max_duration": "", "limit": "5",
        "from": "now-1h", "to": "now", "datasource": "jaeger-v3"
    }})
}

#[tokio::test]
async fn a_v3_only_jaeger_is_detected_and_searched_and_its_traces_open() {
    let (url, seen) = v3_only_jaeger().await;
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Jaeger v3\n    uid: jaeger-v3\n    type: jaeger\n    url: {url}\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;

    let (status, body) = console
        .post_json("search_traces", search("foo", "100ms"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["services"], serde_json::json!(["foo"]));
    assert_eq!(body["hits"][0]["trace_id"], TRACE_ID, "{body}");
    assert_eq!(body["hits"][0]["root_service"], "my.service", "{body}");
    {
        let s = seen.lock().unwrap();
        let q = &s.searches[0];
        for part in [
            "query.service_name=foo",
            "query.start_time_min=",
            "query.search_depth=5",
            "query.duration_min=0.100000s",
            "query.attributes%5Bhttp.status_code%5D=500",
        ] {
            assert!(q.contains(part), "{part} in {q}");
        }
    }

    // API v3 answers an empty search with 404: an empty list, not an error.
    let (status, body) = console.post_json("search_traces", search("bar", "")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"], serde_json::json!([]));

    // The trace view reads /api/v3/traces/{id}.
    let resp = console
        .http
        .post(console.url("/api/get_trace"))
        .form(&[("trace_id", TRACE_ID), ("datasource", "jaeger-v3")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let detail: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(detail["hit"]["trace_id"], TRACE_ID);
    assert_eq!(
        support::window_row(&detail["window"]["rows"][0]).service,
        "my.service"
    );

    let html = console
        .get(&format!("/trace/{TRACE_ID}?datasource=jaeger-v3"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"span-row\""),
        "the waterfall is in the first HTML"
    );

    let resp = console
        .get("/trace/00000000000000000000000000000042?datasource=jaeger-v3")
        .await;
    assert_eq!(resp.status(), 404, "an unknown trace is a 404 page");
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("trace 00000000000000000000000000000042 not found in Jaeger v3"),
        "{html}"
    );
    // Detected once, remembered for every later request.
    assert_eq!(seen.lock().unwrap().v1_calls, 1);
}
