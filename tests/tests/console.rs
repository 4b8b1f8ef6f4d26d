//! The console end to end over HTTP: health, SSR with data, server functions, headers.

mod support;

use octoscope_harness::Stack;
use support::{provisioning, Console};

#[tokio::test]
async fn health_lists_reachable_and_broken_datasources() {
    let stack = Stack::start(2).unwrap();
    // A second, broken provisioning file must not hide the good one.
    std::fs::write(
        stack.provisioning_dir().join("datasources/zz-broken.yaml"),
        "apiVersion: 1\ndatasources:\n  - name: Broken\n    type: loki\n",
    )
    .unwrap();
    let console = Console::start_admin(Some(stack.provisioning_dir())).await;
    let (status, body) = console.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    let ds = body["datasources"].as_array().unwrap();
    assert_eq!(ds.len(), 3, "{body}");
    assert!(ds.iter().all(|d| d["status"] == "ok"), "{body}");
    assert_eq!(body["status"], "degraded", "a broken entry degrades health");
    let broken = &body["broken"][0];
    assert_eq!(broken["name"], "Broken");
    assert!(broken["file"].as_str().unwrap().ends_with("zz-broken.yaml"));
    assert_eq!(broken["line"], 3);
    assert!(broken["error"].as_str().unwrap().contains("url is missing"));

    // The UI lists it too, next to the working datasources.
    let html = console.get("/").await.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"provisioning-problem\""),
        "{html}"
    );
    assert!(html.contains("url is missing"));
    assert!(html.contains("Alertmanager 2"));

    // Stop Prometheus: health now says so with the reason.
    let mut stack = stack;
    stack.prometheus.stop();
    let (_, body) = console.get_json("/api/health").await;
    let prom = body["datasources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["uid"] == "prometheus")
        .unwrap()
        .clone();
    assert_eq!(prom["status"], "error");
    assert!(
        prom["error"].as_str().unwrap().contains("unreachable"),
        "{prom}"
    );
}

#[tokio::test]
async fn ssr_renders_query_results_from_real_prometheus() {
    let stack = Stack::start(1).unwrap();
    let console = Console::start(Some(stack.provisioning_dir())).await;
    let resp = console.get("/explore?query=prometheus_build_info").await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-testid=\"results-table\""), "{html}");
    assert!(
        html.contains("prometheus_build_info{"),
        "the series is in the first HTML: {html}"
    );
    assert!(
        html.contains("/pkg/octoscope.js"),
        "hydration script is referenced"
    );

    // A syntax error is explained by promql-parser before anything is sent.
    let html = console
        .get("/explore?query=sum(")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"error\""), "{html}");
    assert!(html.contains("PromQL syntax error"), "{html}");
    assert!(html.contains("not sent to Prometheus"), "{html}");
    assert!(html.contains("data-testid=\"nav\""));
    // A query Prometheus refuses while evaluating shows Prometheus' own message in place.
    let html = console
        .get("/explore?query=count_values(%22not%20a%20label%22%2C%20up)")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"error\""), "{html}");
    assert!(html.contains("invalid label name"), "{html}");
    assert!(html.contains("data-testid=\"nav\""));
}

#[tokio::test]
async fn server_function_queries_prometheus() {
    let stack = Stack::start(1).unwrap();
    let console = Console::start(Some(stack.provisioning_dir())).await;
    let resp = console
        .http
        .post(console.url("/api/query_instant"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=vector(42)")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["datasource_uid"], "prometheus");
    assert_eq!(
        body["answer"]["data"]["result"][0]["value"][1], "42",
        "{body}"
    );

    let resp = console
        .http
        .post(console.url("/api/query_instant"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=vector(1)&datasource=missing")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let text = resp.text().await.unwrap();
    assert!(text.contains("missing"), "{text}");
}

#[tokio::test]
async fn without_configuration_the_console_explains_how_to_start() {
    let console = Console::start_admin(None).await;
    let html = console.get("/").await.text().await.unwrap();
    assert!(html.contains("data-testid=\"getting-started\""), "{html}");
    assert!(html.contains("cargo xtask demo"));
    let (_, health) = console.get_json("/api/health").await;
    assert_eq!(health["datasources"].as_array().unwrap().len(), 0);
    // Explore says what to configure instead of failing silently.
    let html = console.get("/explore?query=up").await.text().await.unwrap();
    assert!(
        html.contains("no prometheus datasource is configured"),
        "{html}"
    );
}

#[tokio::test]
async fn headers_refuse_framing_unless_configured() {
    let console = Console::start(None).await;
    let resp = console.get("/").await;
    let h = resp.headers().clone();
    assert_eq!(h["x-frame-options"], "SAMEORIGIN");
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.ends_with("; frame-ancestors 'self'"), "{csp}");
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'self'"),
        "{csp}"
    );
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(
        !script_src.contains("unsafe-inline") && !csp.contains(" 'unsafe-eval'"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert!(h.contains_key("x-request-id"));
    // Every inline script of the page carries the nonce the header allows, and only that one.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .unwrap()
        .to_string();
    let html = resp.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "{html}");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );
    // A fresh nonce per response.
    let again = console.get("/").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );

    let mut config = octoscope::config::Config::default();
    config.embedding.allowed_origins = vec!["https://portal.example".into()];
    let console = Console::start_with(config).await;
    let resp = console.get("/").await;
    assert!(resp.headers().get("x-frame-options").is_none());
    assert!(resp.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .ends_with("; frame-ancestors 'self' https://portal.example"));
}

#[tokio::test]
async fn cross_origin_writes_are_refused() {
    let mut config = octoscope::config::Config::default();
    config.embedding.allowed_origins = vec!["https://portal.example".into()];
    let console = Console::start_with(config).await;
    let own = console.base.clone();
    let post = |origin: Option<String>| {
        let mut req = console
            .http
            .post(console.url("/api/whoami"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    // A page on another origin cannot make the console write (silences are POSTs too).
    let evil = post(Some("http://evil.example".into())).await.unwrap();
    assert_eq!(evil.status(), 403);
    let body: serde_json::Value = evil.json().await.unwrap();
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("cross-origin request refused"));
    let silence = console
        .http
        .post(console.url("/api/create_silence"))
        .header("origin", "http://127.0.0.1:1")
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(silence.status(), 403);
    // The console's own pages, the embedding portal and non-browser clients may.
    assert_eq!(post(Some(own)).await.unwrap().status(), 200);
    assert_eq!(
        post(Some("https://portal.example".into()))
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(post(None).await.unwrap().status(), 200);
    // Reads are never refused.
    let read = console
        .http
        .get(console.url("/api/health"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let console = Console::start(Some(provisioning(&[]).path())).await;
    let resp = console.get("/no/such/page").await;
    assert_eq!(resp.status(), 404);
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("data-testid=\"not-found\""));
}

// Two workers: the blocking `recv_timeout` on the recording upstream must not stall the
// console serving on the same runtime (it once hung a full run on one thread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promql_syntax_error_sends_nothing_to_prometheus() {
    let (addr, seen) = support::recording_upstream(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 63\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
    );
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Rec\n    uid: rec\n    type: prometheus\n    url: http://{addr}\n    isDefault: true\n"
    );
    let dir = support::provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;
    let html = console
        .get("/explore?query=sum(rate(&datasource=rec")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("PromQL syntax error"), "{html}");
    assert!(
        seen.recv_timeout(std::time::Duration::from_millis(500))
            .is_err(),
        "the recording Prometheus received nothing"
    );
    // Control: a valid query does reach it.
    console.get("/explore?query=up&datasource=rec").await;
    assert!(seen.recv_timeout(std::time::Duration::from_secs(5)).is_ok());
}

/// The `Server-Timing` entries of an answer, as (name, desc) pairs with a duration.
fn server_timing(resp: &reqwest::Response) -> Vec<(String, String, f64)> {
    let header = resp
        .headers()
        .get_all("server-timing")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    header
        .split(", ")
        .filter(|e| !e.is_empty())
        .map(|e| {
            let mut parts = e.split(';');
            let name = parts.next().unwrap().to_string();
            let (mut desc, mut dur) = (String::new(), f64::NAN);
            for p in parts {
                if let Some(d) = p.strip_prefix("desc=") {
                    desc = d.trim_matches('"').to_string();
                } else if let Some(d) = p.strip_prefix("dur=") {
                    dur = d.parse().unwrap();
                }
            }
            (name, desc, dur)
        })
        .collect()
}

/// The value of one sample line of `/metrics` (`name{labels}`), 0 when it is absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.split(' ').next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn pages_server_functions_and_the_proxy_say_where_their_time_went() {
    let stack = Stack::start(1).unwrap();
    let console = Console::start(Some(stack.provisioning_dir())).await;

    // A page: its Prometheus read and the total, the read no longer than the whole.
    let page = console.get("/explore?query=prometheus_build_info").await;
    assert_eq!(page.status(), 200);
    let timing = server_timing(&page);
    let read = timing
        .iter()
        .find(|(n, d, _)| n == "backend" && d.starts_with("Prometheus api/v1/query"))
        .unwrap_or_else(|| panic!("the page's Prometheus read: {timing:?}"));
    let total = timing
        .iter()
        .find(|(n, d, _)| n == "total" && d == "page")
        .unwrap_or_else(|| panic!("the page's total: {timing:?}"));
    assert!(read.2 > 0.0 && read.2 <= total.2, "{timing:?}");

    // A server function reading two backends names both.
    let resp = console
        .http
        .post(console.url("/api/morning_summary"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let timing = server_timing(&resp);
    for ds in ["Prometheus ", "Alertmanager 1 "] {
        assert!(
            timing
                .iter()
                .any(|(n, d, _)| n == "backend" && d.starts_with(ds)),
            "{ds}: {timing:?}"
        );
    }
    assert!(timing
        .iter()
        .any(|(n, d, _)| n == "total" && d == "server_fn"));

    // The proxy times its upstream.
    let proxied = console
        .get("/api/datasources/proxy/uid/prometheus/api/v1/query?query=up")
        .await;
    let timing = server_timing(&proxied);
    assert!(
        timing
            .iter()
            .any(|(n, d, _)| n == "backend" && d == "Prometheus api/v1/query"),
        "{timing:?}"
    );

    // /metrics: backend calls by datasource, renders by route pattern, functions by path.
    let metrics = console.get("/metrics").await.text().await.unwrap();
    let prom_calls = sample(
        &metrics,
        "octoscope_backend_request_duration_seconds_count{datasource=\"prometheus\",outcome=\"ok\"}",
    );
    assert!(
        prom_calls >= 3.0,
        "page, function and proxy reads: {metrics}"
    );
    assert!(
        sample(
            &metrics,
            "octoscope_backend_request_duration_seconds_count{datasource=\"alertmanager-1\",outcome=\"ok\"}"
        ) >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "octoscope_ssr_duration_seconds_count{page=\"/explore\"}"
        ),
        1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "octoscope_server_fn_duration_seconds_count{function=\"/api/morning_summary\"}"
        ),
        1.0,
        "{metrics}"
    );

    // A dead backend's calls count as errors.
    let mut stack = stack;
    stack.prometheus.stop();
    let _ = console.get("/explore?query=up").await;
    let metrics = console.get("/metrics").await.text().await.unwrap();
    assert!(
        sample(
            &metrics,
            "octoscope_backend_request_duration_seconds_count{datasource=\"prometheus\",outcome=\"error\"}"
        ) >= 1.0,
        "{metrics}"
    );
}
