//! The on-call loop in the first HTML (before any JavaScript): a dashboard's own range and
//! refresh in its pickers, the remembered theme, the default range, and the morning summary's
//! parts with a part that fails named in place.

mod support;

use octoscope_harness::Stack;
use support::{provisioning, Console};

/// A provisioning directory with one dashboard of its own range and refresh.
fn with_dashboard(time_from: &str, refresh: &str) -> tempfile::TempDir {
    let prov = provisioning(&[]);
    let dash_dir = prov.path().join("json");
    std::fs::create_dir_all(&dash_dir).unwrap();
    let dashboard = serde_json::json!({
        "uid": "own-range",
        "title": "Own range",
        "time": { "from": time_from, "to": "now" },
        "refresh": refresh,
        "panels": [{ "id": 1, "type": "text", "title": "Notes",
                     "gridPos": { "x": 0, "y": 0, "w": 12, "h": 4 },
                     "options": { "content": "hello" } }],
    });
    std::fs::write(dash_dir.join("own.json"), dashboard.to_string()).unwrap();
    std::fs::create_dir_all(prov.path().join("dashboards")).unwrap();
    std::fs::write(
        prov.path().join("dashboards/own.yaml"),
        format!(
            "apiVersion: 1\nproviders:\n  - name: own\n    type: file\n    options:\n      path: {}\n",
            dash_dir.display()
        ),
    )
    .unwrap();
    prov
}

/// The text of the first element carrying `data-testid="<id>"`.
fn text_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{id}\""))?;
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find('<')?;
    Some(html[open_end..close].trim().to_string())
}

#[tokio::test]
async fn a_dashboard_names_its_own_range_and_refresh_in_the_first_html() {
    let prov = with_dashboard("now-6h", "1m");
    let console = Console::start(Some(prov.path())).await;
    let html = console.get("/d/own-range").await.text().await.unwrap();
    assert_eq!(
        html.matches("data-testid=\"time-picker\"").count(),
        1,
        "only the dashboard's picker: {html}"
    );
    assert_eq!(
        text_of(&html, "time-picker-button").as_deref(),
        Some("Last 6 hours")
    );
    assert_eq!(
        text_of(&html, "refresh-picker-button").as_deref(),
        Some("⟳ 1m")
    );
    // The URL still wins over the dashboard's own values.
    let html = console
        .get("/d/own-range?from=now-15m&to=now&refresh=off")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        text_of(&html, "time-picker-button").as_deref(),
        Some("Last 15 minutes")
    );
    assert_eq!(
        text_of(&html, "refresh-picker-button").as_deref(),
        Some("⟳ Off")
    );
    // Elsewhere the top bar's picker shows the console's default range.
    let html = console.get("/explore").await.text().await.unwrap();
    assert_eq!(
        text_of(&html, "time-picker-button").as_deref(),
        Some("Last 1 hour")
    );
}

#[tokio::test]
async fn the_remembered_theme_is_in_the_first_html_and_the_url_wins() {
    let console = Console::start(None).await;
    let page = |cookie: &'static str, path: &'static str| {
        let req = console.http.get(console.url(path)).header("cookie", cookie);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    assert!(page("octoscope_theme=dark", "/")
        .await
        .contains("data-theme=\"dark\""));
    assert!(page("octoscope_theme=light", "/")
        .await
        .contains("data-theme=\"light\""));
    assert!(page("octoscope_theme=dark", "/?theme=light")
        .await
        .contains("data-theme=\"light\""));
    // An unknown value is the system's choice, never echoed into the page.
    let html = page("octoscope_theme=%22%3E%3Cscript%3E", "/").await;
    assert!(html.contains("data-theme=\"system\""));
    assert!(!html.contains("\"><script>"));
}

#[tokio::test]
async fn the_morning_summary_reads_every_part_and_names_the_one_that_fails() {
    let stack = Stack::start(2).unwrap();
    let console = Console::start(Some(stack.provisioning_dir())).await;
    let (status, body) = console.post_form("morning_summary", "").await;
    assert_eq!(status, 200, "{body}");
    // A fresh stack: alerts by severity (a list), none silenced; every target and datasource up.
    assert!(body["alerts"]["Ok"][0].is_array(), "{body}");
    assert_eq!(body["alerts"]["Ok"][1], 0, "{body}");
    let targets = &body["targets"]["Ok"];
    assert_eq!(targets[0], 0, "no target down: {body}");
    let datasources = body["datasources"].as_array().unwrap();
    assert_eq!(
        datasources.len(),
        3,
        "Prometheus and two Alertmanagers: {body}"
    );
    assert!(
        datasources.iter().all(|d| d[2].get("Ok").is_some()),
        "{body}"
    );
    let html = console.get("/").await.text().await.unwrap();
    assert!(html.contains("data-testid=\"morning-summary\""), "{html}");

    // Prometheus stops: its parts say why; the alerts part still answers from Alertmanager.
    let mut stack = stack;
    stack.prometheus.stop();
    let (status, body) = console.post_form("morning_summary", "").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["targets"]["Err"].as_str().is_some(), "{body}");
    assert!(body["alerts"]["Ok"].is_array(), "{body}");
    let html = console.get("/").await.text().await.unwrap();
    assert!(html.contains("data-testid=\"summary-error\""), "{html}");
    assert!(html.contains("data-testid=\"summary-alerts\""));
}
