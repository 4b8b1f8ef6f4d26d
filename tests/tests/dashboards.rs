//! Dashboards against the real demo stack: every upstream dashboard in tests/fixtures imports and
//! renders every panel of a supported type without an error ("No data" where the metric does not
//! exist here), and every shipped OctoLLM dashboard shows live data in every panel.

mod support;

use app::model::dashboard::data::{DashboardView, PanelContent, PanelData};
use app::model::dashboard::PanelKind;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::Console;

async fn load(console: &Console, uid: &str, params: &[(&str, &str)]) -> DashboardView {
    let (status, body) = console
        .post_json(
            "load_dashboard",
            json!({"uid": uid, "params": params, "panel": null}),
        )
        .await;
    assert_eq!(status, 200, "{uid}: {body}");
    serde_json::from_value(body).unwrap()
}

/// Waits until Prometheus has scraped every target at least five times, so the dashboards'
/// `$__rate_interval` windows (4 scrape intervals) hold enough samples.
async fn wait_for_rates(prom: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v: Value = http
            .get(format!("{prom}/api/v1/query"))
            .query(&[("query", "min(count_over_time(up[1m])) >= 5")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["data"]["result"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "targets not scraped 5 times after 120s"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_and_shipped_dashboards_render_every_panel() {
    let (stack, control) = support::start_demo(7, Some(20.0)).await;
    // Errors in the window, so the 5xx and error-log panels have something to show.
    support::inject(&control, "error_spike", "orchestrator", "10m").await;
    let fixtures = support::repo().join("tests/fixtures/grafana-dashboards");
    let mut fixture_count = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            std::fs::copy(
                &path,
                stack.local_dashboards_dir().join(path.file_name().unwrap()),
            )
            .unwrap();
            fixture_count += 1;
        }
    }
    assert_eq!(fixture_count, 10);
    let console = Console::start(Some(stack.provisioning_dir())).await;
    wait_for_rates(&stack.prometheus.url()).await;

    let (status, hits) = console.get_json("/api/search").await;
    assert_eq!(status, 200);
    let hits = hits.as_array().unwrap().clone();
    assert_eq!(hits.len(), fixture_count + 8, "{hits:?}");
    let list: Value = console
        .http
        .post(console.url("/api/list_dashboards"))
        .form(&[("query", "")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(list["problems"].as_array().unwrap().is_empty(), "{list}");

    let mut failures = Vec::new();
    let mut panels_checked = 0;
    for hit in &hits {
        let uid = hit["uid"].as_str().unwrap();
        let shipped = hit["folderTitle"] == "OctoLLM";
        let view = load(&console, uid, &[("from", "now-10m"), ("to", "now")]).await;
        let d = &view.dashboard;
        // Panels inside collapsed rows are queried the way the page does when a row opens.
        let mut data: Vec<PanelData> = view.panels.clone();
        for row in d
            .panels
            .iter()
            .filter(|p| p.kind == PanelKind::Row && p.collapsed)
        {
            let (status, body) = console
                .post_json(
                    "load_row",
                    json!({"uid": uid, "params": [["from", "now-10m"]], "row": row.id}),
                )
                .await;
            assert_eq!(status, 200, "{uid} row {}: {body}", row.id);
            data.extend(serde_json::from_value::<Vec<PanelData>>(body).unwrap());
        }
        for var in &view.variables {
            if let Some(e) = &var.error {
                failures.push(format!("{}: variable {}: {e}", d.title, var.name));
            }
        }
        for p in d.all_panels() {
            if p.kind == PanelKind::Unsupported {
                failures.push(format!(
                    "{}: panel {:?} has unsupported type {}",
                    d.title, p.title, p.source_type
                ));
                continue;
            }
            if !p.kind.queries() {
                continue;
            }
            panels_checked += 1;
            let Some(pd) = data.iter().find(|x| x.panel_id == p.id) else {
                failures.push(format!("{}: panel {:?} was not queried", d.title, p.title));
                continue;
            };
            // Loki itself refuses a selector whose every matcher may match empty (this fixture's
            // `cluster`/`namespace` variables have no values here); the panel shows Loki's words.
            let loki_empty_selector = pd
                .error
                .as_deref()
                .is_some_and(|e| e.contains("empty-compatible value"));
            if let Some(e) = pd.error.as_ref().filter(|_| !loki_empty_selector) {
                failures.push(format!(
                    "{}: panel {:?}: {e} (queries {:?})",
                    d.title, p.title, pd.queries
                ));
            }
            let empty = match &pd.content {
                Some(PanelContent::Logs(l)) => l.lines.is_empty(),
                Some(PanelContent::Histogram(h)) => h.values == 0,
                Some(_) => false,
                None => pd
                    .series
                    .iter()
                    .all(|s| s.points.iter().all(|pt| !pt.1.is_finite())),
            };
            if shipped && empty {
                failures.push(format!(
                    "{}: panel {:?} shows no data (queries {:?})",
                    d.title, p.title, pd.queries
                ));
            }
            // Never more than 2 points per pixel per series (panels are at most 1600 px wide).
            for s in &pd.series {
                assert!(
                    s.points.len() <= 3200,
                    "{} {:?}: {} points",
                    d.title,
                    p.title,
                    s.points.len()
                );
            }
        }
    }
    assert!(panels_checked > 150, "only {panels_checked} panels checked");
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_queries_fail_their_panel_only_and_grafana_api_serves_json() {
    // Prometheus is real; the dashboard mixes a broken query with a good one.
    let stack = tokio::task::spawn_blocking(|| octoscope_harness::Stack::start(0))
        .await
        .unwrap()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dash_dir = dir.path().join("dash");
    std::fs::create_dir_all(&dash_dir).unwrap();
    std::fs::write(
        dash_dir.join("mixed.json"),
        json!({
            "uid": "mixed", "title": "Mixed", "schemaVersion": 39,
            "panels": [
                {"id": 1, "type": "timeseries", "title": "Good", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                 "targets": [{"refId": "A", "expr": "up"}]},
                {"id": 2, "type": "timeseries", "title": "Broken", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
                 "targets": [{"refId": "A", "expr": "sum(rate(up[5m]"}]},
                {"id": 3, "type": "stat", "title": "Missing metric", "gridPos": {"x": 0, "y": 8, "w": 6, "h": 4},
                 "targets": [{"refId": "A", "expr": "no_such_metric_anywhere"}]}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let prov = stack.provisioning_dir().to_path_buf();
    std::fs::create_dir_all(prov.join("dashboards")).unwrap();
    std::fs::write(
        prov.join("dashboards/test.yaml"),
        format!("apiVersion: 1\nproviders:\n  - name: t\n    folder: Test\n    type: file\n    options:\n      path: {}\n", dash_dir.display()),
    )
    .unwrap();
    let console = Console::start(Some(&prov)).await;
    // The first self-scrape lands within a few seconds.
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        let view = load(&console, "mixed", &[("from", "now-5m")]).await;
        if view.data(1).is_some_and(|d| !d.series.is_empty()) || Instant::now() > deadline {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let good = view.data(1).unwrap();
    assert!(good.error.is_none(), "{:?}", good.error);
    assert!(!good.series.is_empty());
    let broken = view.data(2).unwrap();
    let msg = broken.error.as_deref().unwrap();
    assert!(
        msg.contains("bad_data"),
        "Prometheus' errorType is shown: {msg}"
    );
    assert!(msg.contains("parse error"), "and its message: {msg}");
    let missing = view.data(3).unwrap();
    assert!(
        missing.error.is_none() && missing.series.is_empty(),
        "a missing metric is No data, not an error"
    );

    // The page itself renders (200) with the error inside the broken panel.
    let html = console
        .get("/d/mixed/mixed?from=now-5m")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("parse error"),
        "the panel error is in the first HTML"
    );
    assert!(
        html.contains(r#"class="chart-svg""#),
        "the good panel still has its chart"
    );
    assert!(html.contains("No data"));

    let (status, body) = console.get_json("/api/dashboards/uid/mixed").await;
    assert_eq!(status, 200);
    assert_eq!(body["dashboard"]["title"], "Mixed");
    assert_eq!(body["meta"]["url"], "/d/mixed/mixed");
    let (status, body) = console.get_json("/api/dashboards/uid/nope").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("nope"));
    let resp = console.get("/d/nope").await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_datasource_variable_without_a_value_takes_the_default_datasource() {
    let stack = tokio::task::spawn_blocking(|| octoscope_harness::Stack::start(0))
        .await
        .unwrap()
        .unwrap();
    let prov = stack.provisioning_dir().to_path_buf();
    // A second Prometheus whose file sorts first and that is not the default: it must not win.
    let (empty, seen) = support::recording_upstream(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 63\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
    );
    std::fs::write(
        prov.join("datasources/aaa-other.yaml"),
        format!("apiVersion: 1\ndatasources:\n  - name: Aaa Other\n    uid: aaa-other\n    type: prometheus\n    url: http://{empty}\n"),
    )
    .unwrap();
    let dash_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dash_dir.path().join("ds-var.json"),
        json!({
            "uid": "ds-var", "title": "Datasource variable", "schemaVersion": 39,
            "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]},
            "panels": [{"id": 1, "type": "timeseries", "title": "Up", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                        "datasource": {"type": "prometheus", "uid": "${datasource}"},
                        "targets": [{"refId": "A", "expr": "up"}]}]
        })
        .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(prov.join("dashboards")).unwrap();
    std::fs::write(
        prov.join("dashboards/test.yaml"),
        format!("apiVersion: 1\nproviders:\n  - name: t\n    type: file\n    options:\n      path: {}\n", dash_dir.path().display()),
    )
    .unwrap();
    let console = Console::start(Some(&prov)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        let view = load(&console, "ds-var", &[("from", "now-5m")]).await;
        if view.data(1).is_some_and(|d| !d.series.is_empty()) || Instant::now() > deadline {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let up = view.data(1).unwrap();
    assert!(up.error.is_none(), "{:?}", up.error);
    assert!(
        !up.series.is_empty(),
        "the default Prometheus answered, with data"
    );
    assert!(
        seen.try_recv().is_err(),
        "the non-default datasource was never asked"
    );
    // An explicit choice still wins.
    let other = load(
        &console,
        "ds-var",
        &[("from", "now-5m"), ("var-datasource", "aaa-other")],
    )
    .await;
    assert!(other.data(1).unwrap().series.is_empty());
    assert!(seen.try_recv().is_ok(), "the chosen datasource was asked");
}
