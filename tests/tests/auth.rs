//! Authentication modes against the real router: basic (users file, login form, signed session
//! cookies shared by replicas) and proxy (user header trusted only from configured addresses),
//! and the editor role that silence writes need.

mod support;

use octoscope::config::{AuthMode, Config};
use support::Console;

const KEY: &str = "0123456789abcdef0123456789abcdef-test-only";

fn basic_config() -> Config {
    let mut config = Config::default();
    config.auth.mode = AuthMode::Basic;
    config.auth.users_file = Some(support::repo().join("end2end/fixtures/auth/users"));
    config.auth.session_key = Some(KEY.into());
    config
}

async fn post(
    console: &Console,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut req = console
        .http
        .post(console.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

/// Signs in and returns the `name=value` of the session cookie.
async fn sign_in(console: &Console, user: &str, password: &str) -> String {
    let resp = post(
        console,
        "/login",
        None,
        &format!("user={user}&password={password}&next=%2Falerting%2Fsilences"),
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/alerting/silences");
    let set = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_string()
}

const SILENCE: &str = "draft[matchers]=alertname%3D%22Watchdog%22&draft[starts_at]=&draft[duration]=1h&draft[ends_at]=&draft[created_by]=x&draft[comment]=y&clusters[0]=alertmanager-1";

#[tokio::test]
async fn basic_mode_signs_in_with_a_session_that_every_replica_accepts() {
    let console = Console::start_with(basic_config()).await;
    // Pages send the browser to the login form, keeping where it was going.
    let page = console
        .http
        .get(console.url("/alerting/silences?state=active"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(
        page.headers()["location"],
        "/login?next=%2Falerting%2Fsilences%3Fstate%3Dactive"
    );
    let login = console.get("/login").await;
    assert_eq!(login.status(), 200);
    assert!(login
        .text()
        .await
        .unwrap()
        .contains("data-testid=\"login-page\""));
    assert_eq!(console.get("/api/health").await.status(), 200);
    // Server functions and the datasource proxy say why, with 401.
    let anon = post(&console, "/api/whoami", None, "").await;
    assert_eq!(anon.status(), 401);
    assert!(anon.text().await.unwrap().contains("sign in at /login"));
    let proxied = console
        .get("/api/datasources/proxy/uid/prometheus/api/v1/query?query=up")
        .await;
    assert_eq!(proxied.status(), 401);

    // A wrong password returns to the form with the name kept, and no cookie.
    let wrong = post(&console, "/login", None, "user=vera&password=nope&next=%2F").await;
    assert_eq!(wrong.status(), 303);
    assert!(wrong.headers().get("set-cookie").is_none());
    let to = wrong.headers()["location"].to_str().unwrap();
    assert!(to.starts_with("/login?error=1&user=vera"), "{to}");
    // An off-site `next` is ignored.
    let off = post(
        &console,
        "/login",
        None,
        "user=vera&password=viewer-pass&next=%2F%2Fevil.example",
    )
    .await;
    assert_eq!(off.headers()["location"], "/");

    let vera = sign_in(&console, "vera", "viewer-pass").await;
    let me = post(&console, "/api/whoami", Some(&vera), "").await;
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("vera"), Some("viewer"))
    );
    assert_eq!(me["can_sign_out"], true);
    // Viewers read but cannot write silences.
    let refused = post(&console, "/api/create_silence", Some(&vera), SILENCE).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("editor role"));

    // An editor passes the role check (this console has no Alertmanager, so it fails later).
    let eddie = sign_in(&console, "eddie", "editor-pass").await;
    let tried = post(&console, "/api/create_silence", Some(&eddie), SILENCE).await;
    assert_eq!(
        tried.status(),
        400,
        "past the role check, refused for want of an Alertmanager"
    );
    let text = tried.text().await.unwrap();
    assert!(!text.contains("editor role"), "{text}");
    assert!(
        text.contains("choose at least one Alertmanager cluster"),
        "{text}"
    );

    // Another replica with the same key serves the same session; a forged one is refused.
    let replica = Console::start_with(basic_config()).await;
    let me: serde_json::Value = post(&replica, "/api/whoami", Some(&eddie), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "eddie");
    let forged = eddie.replacen("v2.", "v2.x", 1);
    assert_eq!(
        post(&replica, "/api/whoami", Some(&forged), "")
            .await
            .status(),
        401
    );
    let mut other_key = basic_config();
    other_key.auth.session_key = Some("another key that is also long enough!!".into());
    let stranger = Console::start_with(other_key).await;
    assert_eq!(
        post(&stranger, "/api/whoami", Some(&eddie), "")
            .await
            .status(),
        401
    );

    // Sign out clears the cookie.
    let out = post(&console, "/logout", Some(&eddie), "").await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn proxy_mode_believes_the_user_header_only_from_trusted_proxies() {
    let mut config = Config::default();
    config.auth.mode = AuthMode::Proxy;
    config.auth.proxy_role_header = Some("X-WEBAUTH-ROLE".into());
    let console = Console::start_with(config.clone()).await;
    let call =
        |path: &'static str, headers: Vec<(&'static str, &'static str)>, body: &'static str| {
            let mut req = console
                .http
                .post(console.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.send()
        };
    let me: serde_json::Value = call("/api/whoami", vec![("X-WEBAUTH-USER", "alice")], "")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("alice"), Some("viewer"))
    );
    assert_eq!(me["can_sign_out"], false);
    let refused = call(
        "/api/create_silence",
        vec![("X-WEBAUTH-USER", "alice")],
        SILENCE,
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);
    let editor = call(
        "/api/create_silence",
        vec![("X-WEBAUTH-USER", "alice"), ("X-WEBAUTH-ROLE", "editor")],
        SILENCE,
    )
    .await
    .unwrap();
    assert_eq!(editor.status(), 400, "past the role check");
    assert!(editor
        .text()
        .await
        .unwrap()
        .contains("choose at least one Alertmanager cluster"));
    let none = call("/api/whoami", vec![], "").await.unwrap();
    assert_eq!(none.status(), 401);

    // The same header from an address that is not a trusted proxy is not believed.
    config.auth.trusted_proxies = vec!["10.9.9.9".into()];
    let console = Console::start_with(config).await;
    let spoofed = console
        .http
        .post(console.url("/api/whoami"))
        .header("X-WEBAUTH-USER", "admin")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 401);
    assert!(spoofed.text().await.unwrap().contains("trusted only from"));
}
