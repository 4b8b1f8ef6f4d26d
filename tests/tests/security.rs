//! Regression tests for the security audit's findings, each against the real router on a real
//! socket, with recording upstreams proving what did (and did not) reach a backend.

mod support;

use octoscope::config::{AuthMode, Config, Role};
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use support::{provisioning, recording_upstream, urlencode, Console};

const KEY: &str = "0123456789abcdef0123456789abcdef-test-only";
const PAYLOAD: &str = "</title><b>injected</b><script>x</script>";
const SILENCE_IN_REC: &str = "draft[matchers]=alertname%3D%22X%22&draft[starts_at]=&draft[duration]=1h&draft[ends_at]=&draft[created_by]=x&draft[comment]=y&clusters[0]=rec";

fn ok_json() -> &'static str {
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 29\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":1}"
}

/// The `<title>` element of a page.
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("the page has a title") + "<title>".len();
    let end = html[start..].find("</title>").expect("the title ends") + start;
    &html[start..end]
}

#[tokio::test]
async fn titles_from_urls_and_dashboards_are_escaped() {
    let prov = provisioning(&[]);
    let dash_dir = prov.path().join("dash");
    std::fs::create_dir(&dash_dir).unwrap();
    let dashboard = serde_json::json!({
        "uid": "evil", "title": PAYLOAD, "schemaVersion": 39,
        "panels": [{"id": 1, "type": "text", "title": PAYLOAD, "gridPos": {"x":0,"y":0,"w":12,"h":4},
                    "options": {"mode": "markdown", "content": "hi"}}]
    });
    std::fs::write(dash_dir.join("evil.json"), dashboard.to_string()).unwrap();
    std::fs::create_dir_all(prov.path().join("dashboards")).unwrap();
    std::fs::write(
        prov.path().join("dashboards/evil.yaml"),
        format!(
            "apiVersion: 1\nproviders:\n  - name: e\n    type: file\n    options:\n      path: {}\n",
            dash_dir.display()
        ),
    )
    .unwrap();
    let console = Console::start(Some(prov.path())).await;
    let encoded = urlencode(PAYLOAD);
    for path in [
        format!("/trace/{encoded}"),
        format!("/slo/{encoded}"),
        "/d/evil".to_string(),
        "/d-solo/evil?panelId=1".to_string(),
    ] {
        let html = console.get(&path).await.text().await.unwrap();
        let head = &html[..html.find("</head>").unwrap_or(html.len())];
        assert!(!head.contains("<b>injected"), "{path}: {head}");
        assert!(!head.contains("<script>x"), "{path}: {head}");
        assert_eq!(
            html.matches("<title>").count(),
            1,
            "{path}: one title element"
        );
        let title = title_of(&html);
        assert!(
            title.contains("&lt;/title&gt;&lt;b&gt;injected"),
            "{path}: the payload is shown as text: {title}"
        );
    }
}

/// A console with one datasource of `kind` at `addr` (uid `rec`), with extra `jsonData` lines.
async fn console_for(
    kind: &str,
    addr: std::net::SocketAddr,
    json_data: &str,
) -> (Console, tempfile::TempDir) {
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Rec\n    uid: rec\n    type: {kind}\n    url: http://{addr}\n    jsonData:\n      timeInterval: 15s\n{json_data}"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    (Console::start(Some(dir.path())).await, dir)
}

/// An editor's console pointed at one recording upstream provisioned as `kind`.
async fn editor_console(kind: &str, addr: std::net::SocketAddr) -> (Console, tempfile::TempDir) {
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Rec\n    uid: rec\n    type: {kind}\n    url: http://{addr}/prefix\n    jsonData:\n      httpHeaderName1: X-Scope-OrgID\n    secureJsonData:\n      httpHeaderValue1: tenant\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let mut config = Config::default();
    config.paths.provisioning = Some(dir.path().to_path_buf());
    config.auth.anonymous_role = Role::Editor;
    (Console::start_with(config).await, dir)
}

#[tokio::test]
async fn silence_writes_reach_only_alertmanagers_and_only_by_id() {
    for kind in ["prometheus", "loki"] {
        let (addr, seen) = recording_upstream(ok_json());
        let (console, _dir) = editor_console(kind, addr).await;
        for id in [
            "../../api/v1/admin/tsdb/delete_series?match[]=up",
            "3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192",
        ] {
            let (status, body) = console
                .post_form(
                    "expire_silence",
                    &format!("id={}&instances[0]=rec", urlencode(id)),
                )
                .await;
            assert!(status >= 400, "{kind} {id}: {status} {body}");
        }
        let (status, body) = console.post_form("create_silence", SILENCE_IN_REC).await;
        assert!(status >= 400, "{kind}: {status} {body}");
        assert!(
            body.to_string().contains("NotAlertmanager"),
            "{kind}: says why: {body}"
        );
        assert!(
            seen.recv_timeout(Duration::from_millis(300)).is_err(),
            "{kind}: nothing may reach a non-Alertmanager datasource"
        );
    }

    // An Alertmanager gets a DELETE for a valid id only, on the path the client builds.
    let (addr, seen) =
        recording_upstream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let (console, _dir) = editor_console("alertmanager", addr).await;
    let (status, body) = console
        .post_form("expire_silence", "id=..%2F..%2F-%2Freload&instances[0]=rec")
        .await;
    assert!(status >= 400, "{body}");
    assert!(body.to_string().contains("silence id"), "{body}");
    assert!(seen.recv_timeout(Duration::from_millis(300)).is_err());
    let (status, body) = console
        .post_form(
            "expire_silence",
            "id=3F0C9E2A-1b4d-4e8f-9a7c-2d5e6f708192&instances[0]=rec",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let head = seen.recv().unwrap();
    assert!(
        head.starts_with("DELETE /prefix/api/v2/silence/3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192 "),
        "{head}"
    );
}

fn basic_config() -> Config {
    let mut config = Config::default();
    config.auth.mode = AuthMode::Basic;
    config.auth.users_file = Some(support::repo().join("end2end/fixtures/auth/users"));
    config.auth.session_key = Some(KEY.into());
    config
}

async fn login(console: &Console, body: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut req = console
        .http
        .post(console.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

async fn whoami(console: &Console, cookie: &str) -> u16 {
    console
        .http
        .post(console.url("/api/whoami"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn cookie_of(resp: &reqwest::Response) -> String {
    resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn repeated_failed_logins_wait_longer_and_unknown_names_cost_the_same() {
    let console = Console::start_with(basic_config()).await;
    // Unknown names run a password check too: their refusal takes about as long.
    let timed = |body: &'static str| {
        let console = &console;
        async move {
            let t = Instant::now();
            let r = login(console, body, Some("10.1.1.1")).await;
            assert_eq!(r.status(), 303);
            t.elapsed()
        }
    };
    let known = timed("user=vera&password=wrong1").await;
    let unknown = timed("user=nobody-here&password=wrong1").await;
    assert!(
        unknown * 3 >= known,
        "unknown {unknown:?} vs known {known:?}: the check must run for unknown names too"
    );

    // Five failures for vera are free, the sixth makes the next attempt wait.
    for i in 0..5 {
        let r = login(
            &console,
            &format!("user=vera&password=bad{i}"),
            Some(&format!("10.2.0.{i}")),
        )
        .await;
        assert_eq!(r.status(), 303, "attempt {i}");
    }
    let throttled = login(&console, "user=vera&password=viewer-pass", Some("10.3.0.1")).await;
    assert_eq!(throttled.status(), 429, "even the right password waits");
    let retry: u64 = throttled.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(throttled.headers().get("set-cookie").is_none());
    assert!(throttled.text().await.unwrap().contains("login-throttled"));
    // Another user from a fresh address is not affected.
    let eddie = login(
        &console,
        "user=eddie&password=editor-pass",
        Some("10.4.0.1"),
    )
    .await;
    assert_eq!(eddie.status(), 303);
    assert!(eddie.headers().get("set-cookie").is_some());
    // After the wait the right password works and clears the count.
    tokio::time::sleep(Duration::from_secs(retry + 1)).await;
    let ok = login(&console, "user=vera&password=viewer-pass", Some("10.3.0.1")).await;
    assert_eq!(ok.status(), 303);
    assert!(ok.headers().get("set-cookie").is_some());
}

#[tokio::test]
async fn sessions_are_unique_and_revoked_by_logout_password_change_and_admin() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::copy(support::repo().join("end2end/fixtures/auth/users"), &users).unwrap();
    let revoked = dir.path().join("revoked");
    let mut config = basic_config();
    config.auth.users_file = Some(users.clone());
    config.auth.revocations_file = Some(revoked.clone());
    let a = Console::start_with(config.clone()).await;
    let b = Console::start_with(config).await;

    let first = login(&a, "user=vera&password=viewer-pass", None).await;
    let second = login(&a, "user=vera&password=viewer-pass", None).await;
    let (first, second) = (cookie_of(&first), cookie_of(&second));
    assert_ne!(first, second, "two logins, two tokens");
    assert_eq!(
        (whoami(&a, &first).await, whoami(&b, &first).await),
        (200, 200)
    );

    // Logout on replica a ends the session on replica b too; the other session lives on.
    let out = a
        .http
        .post(a.url("/logout"))
        .header("cookie", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(whoami(&a, &first).await, 401, "replayed after logout");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        whoami(&b, &first).await,
        401,
        "refused by the other replica"
    );
    assert_eq!(whoami(&b, &second).await, 200);

    // An admin revokes everything of eddie's.
    let eddie = cookie_of(&login(&a, "user=eddie&password=editor-pass", None).await);
    let ada = cookie_of(&login(&a, "user=ada&password=admin-pass", None).await);
    let refused = b
        .http
        .post(b.url("/api/admin/revoke"))
        .header("cookie", &second)
        .json(&serde_json::json!({"user": "eddie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "viewers cannot revoke");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let done = b
        .http
        .post(b.url("/api/admin/revoke"))
        .header("cookie", &ada)
        .json(&serde_json::json!({"user": "eddie"}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(whoami(&b, &eddie).await, 401);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(whoami(&a, &eddie).await, 401);

    // A changed password (users file rewritten, then reloaded) ends vera's remaining session.
    let text = std::fs::read_to_string(&users).unwrap();
    let new_hash = octoscope::auth::hash_password("a-new-password");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("vera:") {
                format!("vera:viewer:{new_hash}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&users, text).unwrap();
    let reload = a
        .http
        .post(a.url("/api/admin/reload"))
        .header("cookie", &ada)
        .send()
        .await
        .unwrap();
    assert_eq!(reload.status(), 200);
    assert_eq!(
        whoami(&a, &second).await,
        401,
        "signed before the password change"
    );
}

/// vera's sign-in as a TLS terminator would forward it.
async fn https_login(console: &Console) -> reqwest::Response {
    console
        .http
        .post(console.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body("user=vera&password=viewer-pass")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn https_is_believed_only_from_trusted_proxies() {
    let mut config = basic_config();
    config.auth.trusted_proxies = vec!["10.9.9.9".into()];
    let console = Console::start_with(config).await;
    let resp = https_login(&console).await;
    let set = resp.headers()["set-cookie"].to_str().unwrap();
    assert!(
        !set.contains("Secure"),
        "an untrusted peer's X-Forwarded-Proto: {set}"
    );
    let trusted = Console::start_with(basic_config()).await;
    let resp = https_login(&trusted).await;
    assert!(resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Secure"));
}

#[tokio::test]
async fn proxy_mode_refuses_a_user_header_sent_twice() {
    let mut config = Config::default();
    config.auth.mode = AuthMode::Proxy;
    config.auth.proxy_role_header = Some("X-WEBAUTH-ROLE".into());
    let console = Console::start_with(config).await;
    for headers in [
        vec![("X-WEBAUTH-USER", "alice"), ("X-WEBAUTH-USER", "admin")],
        vec![
            ("X-WEBAUTH-USER", "alice"),
            ("X-WEBAUTH-ROLE", "viewer"),
            ("X-WEBAUTH-ROLE", "admin"),
        ],
    ] {
        let mut req = console.http.post(console.url("/api/whoami"));
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{headers:?}");
        assert!(resp.text().await.unwrap().contains("more than once"));
    }
}

#[tokio::test]
async fn health_tells_anonymous_callers_only_the_status_and_nobody_the_secrets() {
    let yaml = "apiVersion: 1\ndatasources:\n  - name: Creds\n    uid: creds\n    type: prometheus\n    url: http://reader:s3cret-pw@127.0.0.1:1/\n  - name: Broken\n    type: loki\n    url: \"http://u:broken-pw@[bad\"\n";
    let dir = provisioning(&[("ds.yaml", yaml)]);
    let viewer = Console::start(Some(dir.path())).await;
    let (status, body) = viewer.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["status"],
        "{body}"
    );
    // Lists for viewers show the URL without credentials.
    let (_, list) = viewer.post_form("list_datasources", "").await;
    let text = list.to_string();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(
        !text.contains("s3cret-pw") && !text.contains("broken-pw"),
        "{text}"
    );
    let home = viewer.get("/").await.text().await.unwrap();
    assert!(!home.contains("s3cret-pw") && !home.contains("broken-pw"));

    let admin = Console::start_admin(Some(dir.path())).await;
    let (_, body) = admin.get_json("/api/health").await;
    let text = body.to_string();
    assert!(
        text.contains("Creds") && text.contains("***@127.0.0.1:1"),
        "{text}"
    );
    assert!(
        !text.contains("s3cret-pw") && !text.contains("broken-pw"),
        "{text}"
    );
}

#[tokio::test]
async fn metric_labels_stay_bounded() {
    let console = Console::start(Some(provisioning(&[]).path())).await;
    let method = reqwest::Method::from_bytes(&[b'Q'; 200]).unwrap();
    console
        .http
        .request(method, console.url("/api/health"))
        .send()
        .await
        .unwrap();
    for i in 0..5 {
        console
            .get(&format!(
                "/api/datasources/proxy/uid/made-up-{i}/api/v1/query"
            ))
            .await;
    }
    let metrics = console.get("/metrics").await.text().await.unwrap();
    assert!(
        !metrics.contains("QQQQ"),
        "custom methods are one label value"
    );
    assert!(metrics.contains("method=\"other\""), "{metrics}");
    assert!(!metrics.contains("made-up-"), "{metrics}");
    assert!(
        metrics.contains(r#"octoscope_proxy_requests_total{datasource="unknown",status="404"} 5"#),
        "{metrics}"
    );
}

/// Opens a raw connection to the console.
fn connect(console: &Console) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(console.base.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Seconds until the server closes a connection (reads until EOF or error).
fn seconds_until_closed(mut s: std::net::TcpStream) -> f64 {
    let t = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return t.elapsed().as_secs_f64(),
            Ok(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_hold_connections() {
    let mut config = Config::default();
    config.server.header_timeout_seconds = 1;
    config.server.body_timeout_seconds = 1;
    config.auth.anonymous_role = Role::Editor;
    let console = Console::start_with(config).await;
    let (headers, body, idle) = {
        let mut trickle = connect(&console);
        trickle
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
            .unwrap();
        let mut slow_body = connect(&console);
        slow_body
            .write_all(b"POST /api/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nx")
            .unwrap();
        let mut idle = connect(&console);
        idle.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .unwrap();
        tokio::task::spawn_blocking(move || {
            (
                seconds_until_closed(trickle),
                seconds_until_closed(slow_body),
                seconds_until_closed(idle),
            )
        })
        .await
        .unwrap()
    };
    assert!(
        headers < 5.0,
        "trickled headers held the connection {headers}s"
    );
    assert!(body < 5.0, "a stalled body held the connection {body}s");
    assert!(idle < 5.0, "an idle keep-alive connection stayed {idle}s");
}

#[tokio::test]
async fn a_callers_timeout_does_not_open_the_circuit_for_everyone() {
    let body = r#"{"status":"error","errorType":"timeout","error":"query timed out in x"}"#;
    let (addr, seen) = recording_upstream(Box::leak(
        format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    ));
    let (console, _dir) = console_for("prometheus", addr, "").await;
    for _ in 0..8 {
        let resp = console
            .get("/api/datasources/proxy/uid/rec/api/v1/query?query=up&timeout=0.000001")
            .await;
        assert_eq!(resp.status(), 503);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(
            body["errorType"], "timeout",
            "the backend's own answer: {body}"
        );
    }
    assert_eq!(
        seen.try_iter().count(),
        8,
        "every request reached the backend: no open circuit"
    );
}

/// An upstream that answers `query=hold` with headers and a first chunk, then never finishes, and
/// anything else with a small JSON answer; it reports every request line.
fn holding_upstream() -> (std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for sock in upstream.incoming() {
            let Ok(mut sock) = sock else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let _ = tx.send(head.lines().next().unwrap_or("").to_string());
                if head.contains("query=hold") {
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n");
                    std::thread::sleep(Duration::from_secs(30));
                } else {
                    let _ = sock.write_all(ok_json().as_bytes());
                }
            });
        }
    });
    (addr, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_frees_its_slot_after_the_timeout() {
    let (addr, seen) = holding_upstream();
    let (console, _dir) = console_for(
        "prometheus",
        addr,
        "      timeout: 1\n      octoscopeMaxConcurrent: 1\n",
    )
    .await;
    // A client takes the only slot and never reads the rest of the answer.
    let held = console
        .get("/api/datasources/proxy/uid/rec/api/v1/query?query=hold")
        .await;
    assert_eq!(held.status(), 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let next = console
        .get("/api/datasources/proxy/uid/rec/api/v1/query?query=up")
        .await;
    assert_eq!(
        next.status(),
        200,
        "the slot was released after the timeout"
    );
    let lines: Vec<String> = seen.try_iter().collect();
    assert!(
        lines.iter().any(|l| l.contains("/api/v1/query?query=up")),
        "{lines:?}"
    );
    drop(held);
}

#[tokio::test]
async fn proxied_alertmanager_status_hides_receiver_secrets() {
    let original = "global:\\n  slack_api_url: https://hooks.slack.com/services/T0/B0/SECRET1\\nroute:\\n  receiver: team\\nreceivers:\\n  - name: team\\n    webhook_configs:\\n      - url: http://127.0.0.1:9/hook?token=SECRET2\\n";
    let body = format!(
        "{{\"cluster\":{{\"status\":\"ready\",\"peers\":[]}},\"config\":{{\"original\":\"{original}\"}},\"versionInfo\":{{\"version\":\"0.25.0\"}},\"uptime\":\"2026-01-01T00:00:00Z\"}}"
    );
    let response: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    let (addr, _seen) = recording_upstream(response);
    let (console, _dir) = console_for("alertmanager", addr, "").await;
    let (status, v) = console
        .get_json("/api/datasources/proxy/uid/rec/api/v2/status")
        .await;
    assert_eq!(status, 200, "{v}");
    let text = v["config"]["original"].as_str().unwrap();
    assert!(
        !text.contains("SECRET1") && !text.contains("SECRET2"),
        "{text}"
    );
    assert!(text.contains("receiver: team"), "routes stay: {text}");
    assert_eq!(v["versionInfo"]["version"], "0.25.0");
}

#[tokio::test]
async fn foreign_hosts_are_refused_before_anything_runs() {
    let (addr, seen) =
        recording_upstream("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let (console, _dir) = editor_console("alertmanager", addr).await;
    let port = console.base.rsplit(':').next().unwrap().to_string();
    let evil = format!("rebind.evil.example:{port}");
    // A rebinding page: its Origin and Host agree, both name the attacker's domain.
    let resp = console
        .http
        .post(console.url("/api/expire_silence"))
        .header("host", &evil)
        .header("origin", format!("http://{evil}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("id=3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192&instances[0]=rec")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 421);
    assert!(resp.text().await.unwrap().contains("allowed_hosts"));
    let read = console
        .http
        .get(console.url("/api/datasources/proxy/uid/rec/api/v2/alerts"))
        .header("host", &evil)
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.status(),
        421,
        "reads too: a rebinding page must not read data"
    );
    assert!(seen.recv_timeout(Duration::from_millis(300)).is_err());
    // The console's own names work.
    let own = console
        .http
        .get(console.url("/api/health"))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
}

#[tokio::test]
async fn proxy_answers_are_safe_to_serve_and_request_bodies_capped() {
    let (addr, seen) = recording_upstream(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 31\r\nConnection: close\r\n\r\n<script>alert(1)</script>hello",
    );
    let (console, _dir) = console_for("prometheus", addr, "").await;
    let resp = console
        .get("/api/datasources/proxy/uid/rec/api/v1/query?query=up")
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    let _ = seen.recv();
    let big = "query=".to_string() + &"a".repeat(2 << 20);
    let resp = console
        .http
        .post(console.url("/api/datasources/proxy/uid/rec/api/v1/query"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert!(
        seen.recv_timeout(Duration::from_millis(300)).is_err(),
        "nothing sent"
    );
}

#[tokio::test]
async fn an_answer_over_the_cap_is_cut_off_not_passed_whole() {
    // Chunked (no length): the console cannot know the size before it streams.
    let chunk = "x".repeat(1 << 16);
    let mut response = String::from(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for _ in 0..40 {
        response.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    response.push_str("0\r\n\r\n");
    let (addr, _seen) = recording_upstream(Box::leak(response.into_boxed_str()));
    let (console, _dir) =
        console_for("prometheus", addr, "      octoscopeMaxResponseMB: 1\n").await;
    let resp = console
        .get("/api/datasources/proxy/uid/rec/api/v1/query?query=up")
        .await;
    let body = resp.bytes().await;
    assert!(
        body.is_err(),
        "the client sees an aborted answer, never a silently truncated one"
    );
}

#[tokio::test]
async fn silences_are_created_by_the_signed_in_user() {
    let stack = octoscope_harness::Stack::start(1).unwrap();
    let mut config = Config::default();
    config.paths.provisioning = Some(stack.provisioning_dir().to_path_buf());
    config.auth.mode = AuthMode::Proxy;
    config.auth.proxy_role_header = Some("X-WEBAUTH-ROLE".into());
    let console = Console::start_with(config).await;
    let resp = console
        .http
        .post(console.url("/api/create_silence"))
        .header("X-WEBAUTH-USER", "alice")
        .header("X-WEBAUTH-ROLE", "editor")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("draft[matchers]=alertname%3D%22Watchdog%22&draft[starts_at]=&draft[duration]=1h&draft[ends_at]=&draft[created_by]=mallory&draft[comment]=maintenance&clusters[0]=alertmanager-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        200,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    let silences: serde_json::Value = console
        .http
        .get(console.url("/api/datasources/proxy/uid/alertmanager-1/api/v2/silences"))
        .header("X-WEBAUTH-USER", "alice")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let creators: Vec<&str> = silences
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["createdBy"].as_str())
        .collect();
    assert_eq!(creators, ["alice"]);
}

#[tokio::test]
async fn links_from_backend_data_keep_only_web_targets() {
    let rules = r#"{"status":"success","data":{"groups":[{"name":"g","file":"f.yml","interval":15,"rules":[
        {"type":"alerting","name":"Evil","query":"up == 0","duration":60,"health":"ok","state":"inactive","alerts":[],
         "labels":{"severity":"critical"},"annotations":{"runbook_url":"java\tscript:alert(document.domain)"}},
        {"type":"alerting","name":"Good","query":"up == 0","duration":60,"health":"ok","state":"inactive","alerts":[],
         "labels":{"severity":"critical"},"annotations":{"runbook_url":"https://runbooks.example/good"}}]}]}}"#;
    let (addr, _seen) = recording_upstream(Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{rules}",
            rules.len()
        )
        .into_boxed_str(),
    ));
    let (console, _dir) = console_for("prometheus", addr, "").await;
    let html = console.get("/alerting/list").await.text().await.unwrap();
    assert!(
        html.contains(r#"data-rule="Evil""#),
        "the rule is listed: {html}"
    );
    assert!(
        html.contains(r#"href="https://runbooks.example/good""#),
        "{html}"
    );
    assert_eq!(
        html.matches("data-testid=\"runbook-link\"").count(),
        1,
        "only the web runbook becomes a link"
    );
    // The annotation is still data on the page (hydration state), never a link target.
    for href in html.split("href=\"").skip(1) {
        let target = href
            .split('"')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(!target.contains("script:"), "a link to {target:?}");
    }
}

#[tokio::test]
async fn a_trace_too_large_to_open_fails_clearly_instead_of_eating_memory() {
    // 65 MB of spans, declared with a Content-Length: refused before it is read.
    let span = r#"{"traceID":"0123456789abcdef0123456789abcdef","spanID":"0000000000000001","operationName":"op","references":[],"startTime":1,"duration":1,"tags":[],"logs":[],"processID":"p1"},"#;
    let spans = span.repeat((65 << 20) / span.len() + 1);
    let body = format!(
        r#"{{"data":[{{"traceID":"0123456789abcdef0123456789abcdef","spans":[{}],"processes":{{"p1":{{"serviceName":"s","tags":[]}}}}}}]}}"#,
        spans.trim_end_matches(',')
    );
    drop(spans);
    let (addr, _seen) = recording_upstream(Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    ));
    let (console, _dir) = console_for("jaeger", addr, "").await;
    let resp = console
        .get("/trace/0123456789abcdef0123456789abcdef?datasource=rec")
        .await;
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("larger than 64 MB"),
        "the limit is named: {}",
        &html[html.find("<main").unwrap_or(0)..]
            .chars()
            .take(2000)
            .collect::<String>()
    );
    assert!(!html.contains("data-testid=\"span-row\""));
}

#[tokio::test]
async fn a_finished_answer_frees_its_slot_at_once() {
    let (addr, _seen) = recording_upstream(ok_json());
    let (console, _dir) = console_for(
        "prometheus",
        addr,
        "      timeout: 5\n      octoscopeMaxConcurrent: 1\n",
    )
    .await;
    // With one slot, each request needs the previous one's slot back: read whole, it is free.
    let started = Instant::now();
    for _ in 0..5 {
        let resp = console
            .get("/api/datasources/proxy/uid/rec/api/v1/query?query=up")
            .await;
        assert_eq!(resp.status(), 200);
        resp.bytes().await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "slots were held after their answers: {:?}",
        started.elapsed()
    );
}
