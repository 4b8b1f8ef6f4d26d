//! The datasource proxy against real Prometheus and Alertmanager processes.

mod support;

use octoscope_harness::Stack;
use std::io::{Read, Write};
use std::sync::mpsc;
use support::{provisioning, recording_upstream, Console};

#[tokio::test]
async fn forwards_allowed_reads_and_refuses_everything_else() {
    let stack = Stack::start(1).unwrap();
    let console = Console::start(Some(stack.provisioning_dir())).await;

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/prometheus/api/v1/query?query=up")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    assert_eq!(body["data"]["resultType"], "vector");

    // POST form queries are reads Prometheus supports; the body streams through.
    let resp = console
        .http
        .post(console.url("/api/datasources/proxy/uid/prometheus/api/v1/query"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=vector(7)")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["result"][0]["value"][1], "7");

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/alertmanager-1/api/v2/status")
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["versionInfo"]["version"].is_string());

    // Writes are refused even on allow-listed paths.
    let resp = console
        .http
        .post(console.url("/api/datasources/proxy/uid/alertmanager-1/api/v2/silences"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/prometheus/api/v1/admin/tsdb/snapshot")
        .await;
    assert_eq!(status, 403);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("api/v1/query_range"),
        "names what is allowed: {body}"
    );

    for sneaky in [
        "/api/datasources/proxy/uid/prometheus/api/v1/label/..%2f..%2f-%2fquit/values",
        "/api/datasources/proxy/uid/prometheus/api/v1/label/%252e%252e/values",
        "/api/datasources/proxy/uid/prometheus/api%2fv1%2fquery?query=up",
        "/api/datasources/proxy/uid/prometheus/",
    ] {
        let (status, body) = console.get_json(sneaky).await;
        assert_eq!(status, 403, "{sneaky}: {body}");
    }

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/nope/api/v1/query")
        .await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("nope"));

    let metrics = console.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics
            .contains(r#"octoscope_proxy_requests_total{datasource="prometheus",status="200"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"octoscope_proxy_requests_total{datasource="prometheus",status="403"}"#)
    );
    assert!(metrics.contains("octoscope_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn unreachable_and_silent_backends_get_502_and_504() {
    let closed = octoscope_harness::free_port();
    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Down\n    uid: down\n    type: prometheus\n    url: http://127.0.0.1:{closed}\n  - name: Slow\n    uid: slow\n    type: prometheus\n    url: http://{silent_addr}\n    jsonData:\n      timeout: 1\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/down/api/v1/query?query=up")
        .await;
    assert_eq!(status, 502, "{body}");
    let msg = body["error"].as_str().unwrap();
    assert!(msg.contains("Down") && msg.contains("unreachable"), "{msg}");

    let (status, body) = console
        .get_json("/api/datasources/proxy/uid/slow/api/v1/query?query=up")
        .await;
    assert_eq!(status, 504, "{body}");
    assert!(body["error"].as_str().unwrap().contains("within 1s"));
    drop(silent);
}

#[tokio::test]
async fn browser_credentials_are_dropped_and_datasource_credentials_added() {
    // A loopback upstream that records the request it receives.
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let (mut sock, _) = upstream.accept().unwrap();
        let mut buf = vec![0u8; 8192];
        let n = sock.read(&mut buf).unwrap();
        tx.send(String::from_utf8_lossy(&buf[..n]).to_string())
            .unwrap();
        let body = r#"{"status":"success","data":[]}"#;
        write!(
            sock,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: upstream=1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Thanos\n    uid: thanos\n    type: prometheus\n    url: http://{addr}/prefix\n    basicAuth: true\n    basicAuthUser: reader\n    jsonData:\n      httpHeaderName1: X-Scope-OrgID\n    secureJsonData:\n      basicAuthPassword: s3cret\n      httpHeaderValue1: octollm\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;
    let resp = console
        .http
        .get(console.url("/api/datasources/proxy/uid/thanos/api/v1/labels?match[]=up"))
        .header("cookie", "octoscope_session=abc")
        .header("authorization", "Bearer browser-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers().get("set-cookie").is_none(),
        "upstream cookies are not passed back"
    );
    let seen = rx.recv().unwrap().to_ascii_lowercase();
    assert!(
        seen.starts_with("get /prefix/api/v1/labels?match[]=up "),
        "{seen}"
    );
    assert!(!seen.contains("octoscope_session"), "{seen}");
    assert!(!seen.contains("browser-token"), "{seen}");
    // base64("reader:s3cret")
    assert!(
        seen.contains(&"authorization: Basic cmVhZGVyOnMzY3JldA==".to_ascii_lowercase()),
        "{seen}"
    );
    assert!(seen.contains("x-scope-orgid: octollm"), "{seen}");
}

/// Sends `target` byte for byte as the request line (no client-side URL normalisation, which
/// would hide `..` and friends) and returns the status code.
async fn raw_get(console: &Console, target: &str) -> u16 {
    let addr = console.base.trim_start_matches("http://").to_string();
    let target = target.to_string();
    tokio::task::spawn_blocking(move || {
        let mut sock = std::net::TcpStream::connect(addr).unwrap();
        write!(
            sock,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        let _ = sock.read_to_string(&mut answer);
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line for {target}: {answer:?}"))
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn bypass_attempts_never_reach_the_backend() {
    let (addr, seen) = recording_upstream(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 29\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":1}",
    );
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Recorder\n    uid: rec\n    type: prometheus\n    url: http://{addr}\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;
    let p = "/api/datasources/proxy/uid/rec";
    for sneaky in [
        format!("{p}/api/v1/../../-/quit"),
        format!("{p}/api/v1/query/../../admin/tsdb/snapshot"),
        format!("{p}/api/v1/query/..%2F..%2Fadmin/tsdb/snapshot"),
        format!("{p}/api/v1/label/%2e%2e/values"),
        format!("{p}/api/v1/label/%252e%252e%252fadmin/values"),
        format!("{p}/api%2Fv1%2Fquery?query=up"),
        format!("{p}/./api/v1/query?query=up"),
        format!("{p}/http://127.0.0.2:9/api/v1/query?query=up"),
        format!("{p}//127.0.0.2:9/api/v1/query?query=up"),
        format!("{p}/@127.0.0.2:9/api/v1/query?query=up"),
        format!("{p}/api/v1/query@127.0.0.2:9?query=up"),
        format!("{p}/api/v1/query%0d%0aX-Injected:%201?query=up"),
        format!("{p}/api/v1/query%0aHost:%20127.0.0.2?query=up"),
        format!("{p}/api/v1/admin/tsdb/delete_series"),
    ] {
        let status = raw_get(&console, &sneaky).await;
        assert!(
            status == 400 || status == 403,
            "{sneaky} must be refused, got {status}"
        );
    }
    // The backslash form is not even a valid request target: hyper refuses it (or we do).
    let status = raw_get(&console, &format!("{p}/api/v1\\..\\admin")).await;
    assert!((400..500).contains(&status), "backslash path: {status}");
    assert!(
        seen.try_recv().is_err(),
        "no refused request may reach the backend"
    );

    // Control: an allowed read does reach it, and an encoded CRLF in the query string stays
    // encoded on the wire instead of becoming a header.
    let status = raw_get(
        &console,
        &format!("{p}/api/v1/query?query=up%0d%0aX-Injected:%201"),
    )
    .await;
    assert_eq!(status, 200);
    let head = seen.recv().unwrap().to_ascii_lowercase();
    assert!(
        head.starts_with("get /api/v1/query?query=up%0d%0ax-injected:%201 "),
        "{head}"
    );
    assert!(!head.contains("\r\nx-injected"), "{head}");
}

#[tokio::test]
async fn redirects_are_neither_followed_nor_passed_on() {
    let (addr, seen) = recording_upstream(
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Mover\n    uid: mover\n    type: prometheus\n    url: http://{addr}\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;
    let resp = console
        .get("/api/datasources/proxy/uid/mover/api/v1/query?query=up")
        .await;
    assert_eq!(resp.status(), 502);
    assert!(resp.headers().get("location").is_none());
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("redirect"),
        "{body}"
    );
    assert!(seen
        .recv()
        .unwrap()
        .starts_with("GET /api/v1/query?query=up "));
}
