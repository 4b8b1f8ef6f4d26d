//! Faults against the real demo stack: Prometheus is killed mid-session and comes back. Pages keep
//! rendering with each panel saying why, Alertmanager pages are untouched, the circuit breaker
//! makes the dead backend fail fast, and everything recovers by itself when it returns.

mod support;

use app::model::dashboard::data::DashboardView;
use serde_json::json;
use std::time::{Duration, Instant};
use support::Console;

const UID: &str = "octollm-namespace-prod";
const PAGE: &str = "/d/octollm-namespace-prod/namespace?from=now-15m&var-namespace=octollm-prod";

async fn load(console: &Console) -> DashboardView {
    let (status, body) = console
        .post_json(
            "load_dashboard",
            json!({"uid": UID, "params": [["from", "now-15m"], ["var-namespace", "octollm-prod"]], "panel": null}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

/// Every panel error on the page (whatever it names: an error about anything else is a failure
/// too).
fn panel_errors(view: &DashboardView) -> Vec<String> {
    view.panels.iter().filter_map(|p| p.error.clone()).collect()
}

/// Panels that query and do not say that Prometheus is the problem.
fn panels_not_blaming_prometheus(view: &DashboardView) -> usize {
    view.panels
        .iter()
        .filter(|p| !p.queries.is_empty())
        .filter(|p| !p.error.as_deref().is_some_and(|e| e.contains("Prometheus")))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_killed_mid_session_then_back() {
    let (mut stack, _control) = support::start_demo(21, None).await;
    let console = Console::start(Some(stack.provisioning_dir())).await;
    let before = load(&console).await;
    assert!(
        panel_errors(&before).is_empty(),
        "{:?}",
        panel_errors(&before)
    );
    let panels = before.panels.len();

    stack.prometheus.stop();
    // Answers read just before the kill are still shared for a few seconds (coalescing): wait
    // them out so every panel below asks the dead backend.
    tokio::time::sleep(app::backend::coalesce::KEEP_FOR + Duration::from_millis(500)).await;

    // The page still renders, every panel in place, each Prometheus panel saying why.
    let page = console.get(PAGE).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Prometheus is unreachable") || html.contains("stopped asking"),
        "{html}"
    );
    assert_eq!(html.matches("data-testid=\"panel\"").count(), panels);
    // Alertmanager pages do not depend on Prometheus.
    let groups = console.get("/alerting/groups").await;
    assert_eq!(groups.status(), 200);
    let groups = groups.text().await.unwrap();
    assert!(!groups.contains("unreachable-banner"), "{groups}");
    assert_eq!(console.get("/alerting/silences").await.status(), 200);

    // Failures in a row open the circuit: the dead backend now fails fast with that reason.
    let mut open = false;
    for _ in 0..10 {
        let view = load(&console).await;
        assert_eq!(
            panels_not_blaming_prometheus(&view),
            0,
            "every querying panel names Prometheus: {:?}",
            panel_errors(&view)
        );
        let errors = panel_errors(&view);
        if errors.iter().any(|e| e.contains("stopped asking for now")) {
            open = true;
            break;
        }
    }
    assert!(open, "the circuit opened");
    let proxied = console
        .get("/api/datasources/proxy/uid/prometheus/api/v1/query?query=up")
        .await;
    assert_eq!(proxied.status(), 503);

    // Prometheus returns (same port and data): after the cool-down the panels recover alone.
    tokio::task::block_in_place(|| stack.prometheus.restart("/-/ready"))
        .expect("Prometheus restarts");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let errors = panel_errors(&load(&console).await);
        if errors.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "panels did not recover: {errors:?}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let page = console.get(PAGE).await.text().await.unwrap();
    assert!(page.contains("class=\"chart-svg\""));
}
