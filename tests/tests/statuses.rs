//! Every failure answers with the status of whose fault it was, server functions and pages
//! alike: 400 bad input, 403 not allowed, 404 an unknown subject, 502 a backend that failed, 504
//! one that was too slow. A loopback Prometheus and Jaeger misbehave on purpose.

mod support;

use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::routing::get;
use std::time::Duration;
use support::{provisioning, Console};

const UNKNOWN_TRACE: &str = "00000000000000000000000000000bad";

/// `/api/v1/query`: `slow` takes 3 s, anything else is refused as Prometheus refuses bad PromQL.
/// `/api/traces/<id>`: Jaeger v1's answer for a trace it does not have.
async fn misbehaving_backends() -> String {
    let app = axum::Router::new()
        .route(
            "/api/v1/query",
            get(|RawQuery(q): RawQuery| async move {
                if q.unwrap_or_default().contains("query=slow") {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                (
                    StatusCode::BAD_REQUEST,
                    r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#,
                )
            }),
        )
        .route("/api/services", get(|| async { r#"{"data":["planner"]}"# }))
        .route(
            "/api/traces/{id}",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#,
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

async fn console() -> (Console, tempfile::TempDir) {
    let url = misbehaving_backends().await;
    let closed = octoscope_harness::free_port();
    let yaml = format!(
        "apiVersion: 1
datasources:
  - name: Slow Prometheus
    uid: prom
    type: prometheus
    url: {url}
    isDefault: true
    jsonData:
      timeout: 1
  - name: Gone Prometheus
    uid: gone
    type: prometheus
    url: http://127.0.0.1:{closed}
  - name: Jaeger
    uid: jaeger
    type: jaeger
    url: {url}
"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    (Console::start(Some(dir.path())).await, dir)
}

async fn query(console: &Console, expr: &str, datasource: &str) -> (u16, String) {
    let (status, body) = console
        .post_form(
            "query_instant",
            &format!("query={expr}&datasource={datasource}"),
        )
        .await;
    (status, body.to_string())
}

#[tokio::test]
async fn bad_input_is_400() {
    let (console, _dir) = console().await;
    // Refused by the console before anything is sent.
    let (status, body) = console
        .post_form("query_logs", "query=&from=now-1h&to=now")
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("the query is empty"), "{body}");
    // Refused by Prometheus as malformed (this one refuses every query): still the caller's to
    // fix, in Prometheus' words.
    let (status, body) = query(&console, "up", "prom").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("unexpected end of input"), "{body}");
}

#[tokio::test]
async fn writes_without_the_editor_role_are_403() {
    let (console, _dir) = console().await;
    let silence = "draft[matchers]=alertname%3D%22Watchdog%22&draft[starts_at]=&draft[duration]=1h\
        &draft[ends_at]=&draft[created_by]=x&draft[comment]=y&clusters[0]=alertmanager-1";
    let (status, body) = console.post_form("create_silence", silence).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("editor"), "{body}");
}

#[tokio::test]
async fn unknown_subjects_are_404_for_scripts_and_pages() {
    let (console, _dir) = console().await;
    let (status, body) = query(&console, "up", "missing").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("missing"), "{body}");

    let (status, body) = console
        .post_form("get_trace", &format!("trace_id={UNKNOWN_TRACE}"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.to_string().contains("not found in Jaeger"), "{body}");

    let page = console.get(&format!("/trace/{UNKNOWN_TRACE}")).await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("not found in Jaeger"));

    let page = console.get("/d/no-such-dashboard").await;
    assert_eq!(page.status(), 404);
}

#[tokio::test]
async fn a_backend_that_is_down_is_502_and_named() {
    let (console, _dir) = console().await;
    let (status, body) = query(&console, "up", "gone").await;
    assert_eq!(status, 502, "{body}");
    assert!(
        body.contains("Unreachable") && body.contains("Gone Prometheus"),
        "{body}"
    );
}

#[tokio::test]
async fn a_backend_too_slow_is_504_with_the_timeout() {
    let (console, _dir) = console().await;
    let (status, body) = query(&console, "slow", "prom").await;
    assert_eq!(status, 504, "{body}");
    assert!(
        body.contains(r#"{"Timeout":{"datasource":"Slow Prometheus","seconds":1}}"#),
        "{body}"
    );
}
