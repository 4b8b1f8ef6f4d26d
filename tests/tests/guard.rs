//! The per-datasource guard with a backend that misbehaves on purpose (a loopback HTTP server
//! these tests control): a concurrency limit that queues instead of failing, retries of
//! idempotent reads after 503s, and the response size cap, in server-side reads and the proxy.

mod support;

use app::backend::guard::Guard;
use app::backend::http::{client, get_bytes};
use app::backend::Datasource;
use app::model::datasource::DatasourceKind;
use app::model::upstream::BackendError;
use axum::routing::get;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::Console;

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    calls: AtomicUsize,
}

/// A "Prometheus" whose `/api/v1/query` is slow, `/api/v1/flaky` answers 503 twice then 200,
/// and `/api/v1/huge` streams 3 MiB without a Content-Length.
async fn misbehaving_backend() -> (String, Arc<Counters>) {
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    let slow = move || {
        let c = c.clone();
        async move {
            let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            c.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(150)).await;
            c.in_flight.fetch_sub(1, Ordering::SeqCst);
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#
        }
    };
    let c = counters.clone();
    let flaky = move || {
        let c = c.clone();
        async move {
            if c.calls.fetch_add(1, Ordering::SeqCst) < 2 {
                (http::StatusCode::SERVICE_UNAVAILABLE, "warming up")
            } else {
                (http::StatusCode::OK, "ok")
            }
        }
    };
    let huge = || async {
        let chunks = (0..48).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024]));
        axum::body::Body::from_stream(futures::stream::iter(chunks.collect::<Vec<_>>()))
    };
    let app = axum::Router::new()
        .route("/api/v1/query", get(slow))
        .route("/api/v1/flaky", get(flaky))
        .route("/api/v1/status/buildinfo", get(huge));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, counters)
}

fn datasource(url: &str, max_in_flight: usize, max_bytes: u64) -> Datasource {
    Datasource {
        uid: "flaky".into(),
        name: "Flaky".into(),
        kind: DatasourceKind::Prometheus,
        url: url.parse().unwrap(),
        is_default: true,
        basic_auth: None,
        headers: vec![],
        timeout: Duration::from_secs(10),
        json_data: Default::default(),
        query_parameters: Vec::new(),
        guard: Guard::new(max_in_flight, max_bytes),
        correlations: Default::default(),
        jaeger_api: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_limit_queue_and_all_succeed() {
    let (url, counters) = misbehaving_backend().await;
    let ds = Arc::new(datasource(&url, 3, 1 << 20));
    let http = client();
    let calls = (0..20).map(|_| {
        let (ds, http) = (ds.clone(), http.clone());
        tokio::spawn(async move { get_bytes(&http, &ds, "api/v1/query", Some("query=up")).await })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().0, 200);
    }
    assert_eq!(counters.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_reads_are_retried_after_503() {
    let (url, counters) = misbehaving_backend().await;
    let ds = datasource(&url, 4, 1 << 20);
    let (status, body) = get_bytes(&client(), &ds, "api/v1/flaky", None)
        .await
        .unwrap();
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
    assert_eq!(
        counters.calls.load(Ordering::SeqCst),
        3,
        "two 503s, then the answer"
    );
    assert!(!ds.guard.is_open());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_cap_are_refused_with_the_setting_to_raise() {
    let (url, _) = misbehaving_backend().await;
    let ds = datasource(&url, 4, 1 << 20);
    let err = get_bytes(&client(), &ds, "api/v1/status/buildinfo", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BackendError::TooLarge { limit_mb: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("octoscopeMaxResponseMB"));

    // The proxy cuts the stream off at the cap: the client gets an error, not a truncated body.
    let dir = support::provisioning(&[(
        "flaky.yaml",
        &format!("apiVersion: 1\ndatasources:\n  - name: Flaky\n    uid: flaky\n    type: prometheus\n    url: {url}\n    jsonData:\n      octoscopeMaxResponseMB: 1\n"),
    )]);
    let console = Console::start(Some(dir.path())).await;
    let resp = console
        .get("/api/datasources/proxy/uid/flaky/api/v1/status/buildinfo")
        .await;
    assert_eq!(resp.status(), 200, "headers are sent before the body grows");
    assert!(resp.bytes().await.is_err(), "the body is aborted at 1 MiB");
}
