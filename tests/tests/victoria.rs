//! VictoriaMetrics (Debian's single node and vmalert) beside Prometheus, both scraping the same
//! simulator with the same prometheus.yml and rule files: every shipped dashboard renders against
//! each with the same series and close values at one instant; the rules page reads vmalert's
//! rules through VictoriaMetrics; what VictoriaMetrics does not serve is named where it is used.

mod support;

use app::model::dashboard::data::{DashboardView, LoadedPanels, PanelContent, PanelData};
use app::model::dashboard::frame::{Kind, TableData};
use app::model::dashboard::histogram::Histogram;
use app::model::dashboard::PanelKind;
use octoscope_harness::demo::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
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

/// Every panel's data, rows opened as the page opens them.
async fn all_panel_data(console: &Console, uid: &str, params: &[(&str, &str)]) -> Vec<PanelData> {
    let view = load(console, uid, params).await;
    let mut data = view.panels.clone();
    for row in view
        .dashboard
        .panels
        .iter()
        .filter(|p| p.kind == PanelKind::Row && p.collapsed)
    {
        let (status, body) = console
            .post_json(
                "load_row",
                json!({"uid": uid, "params": params, "row": row.id}),
            )
            .await;
        assert_eq!(status, 200, "{uid} row {}: {body}", row.id);
        data.extend(serde_json::from_value::<LoadedPanels>(body).unwrap().data);
    }
    data
}

/// Waits until `engine` has scraped every target for longer than the dashboards' longest
/// `rate` window (5m): over a younger series Prometheus' `rate` reads low by the missing
/// fraction (it divides by the whole window) while VictoriaMetrics' reads the true rate, so the
/// two agree only on series older than the window.
async fn wait_for_history(engine: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(480);
    loop {
        // Scraped every 2 s: 160 samples in 5m20s, 155 allowing for a late or missed scrape.
        let v: Value = http
            .get(format!("{engine}/api/v1/query"))
            .query(&[("query", "min(count_over_time(up[5m20s])) >= 155")])
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
            "{engine}: under 5m20s of scrapes after 8 minutes"
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// Each series by legend name and labels: its value at `at_ms` (the last finite point at or
/// before) and the range of its points in the `window_ms` before.
fn at_instant(panel: &PanelData, at_ms: i64, window_ms: i64) -> BTreeMap<String, (f64, f64, f64)> {
    panel
        .series
        .iter()
        .filter_map(|s| {
            let near = s
                .points
                .iter()
                .filter(|p| p.0 <= at_ms && p.0 >= at_ms - window_ms && p.1.is_finite());
            let v = near.clone().next_back()?.1;
            let (lo, hi) = near.fold((v, v), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
            Some((format!("{} {:?}", s.name, s.labels), (v, lo, hi)))
        })
        .collect()
}

/// A table's numbers by frame, row (its text cells) and column, each as a value with no range.
fn table_values(t: &TableData) -> BTreeMap<String, (f64, f64, f64)> {
    let mut out = BTreeMap::new();
    for f in &t.frames {
        for r in 0..f.rows() {
            let row: Vec<String> = f
                .fields
                .iter()
                .filter(|x| x.values.kind() == Kind::Text)
                .map(|x| x.values.get(r).key())
                .collect();
            for x in f.fields.iter().filter(|x| x.values.kind() == Kind::Number) {
                if let Some(v) = x.values.get(r).number().filter(|v| v.is_finite()) {
                    out.insert(format!("{} {row:?} {}", f.name, x.display), (v, v, v));
                }
            }
        }
    }
    out
}

/// Two engines read the same targets at different moments (a couple of seconds apart), so a
/// value agrees when it is within 25% of the other's, when the ranges the two series took over
/// the last few steps overlap, or when they differ by one counter increment in a 5m rate.
fn agree(a: (f64, f64, f64), b: (f64, f64, f64)) -> bool {
    let slack = |(_, lo, hi): (f64, f64, f64)| 0.1 * f64::abs(lo).max(hi.abs());
    // The engines scrape on their own clocks: a changing gauge's ranges over the window overlap
    // (with 10% slack) though its last values differ.
    let overlap = a.1 - slack(a) <= b.2 + slack(b) && b.1 - slack(b) <= a.2 + slack(a);
    // VictoriaMetrics' rate() counts an increase just before a [5m] window that Prometheus'
    // does not: one increment over the window, 1/300 per second (less as part of a ratio).
    let one_increment = (a.0 - b.0).abs() <= 1.0 / 300.0 + 1e-9;
    (a.0 - b.0).abs() <= 0.25 * a.0.abs().max(b.0.abs()) || overlap || one_increment
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shipped_dashboard_shows_the_same_series_on_both_engines() {
    let (stack, control) = support::start_demo_with(11, Some(20.0), Engine::Both).await;
    // Errors in the window, so the error panels have series on both engines.
    support::inject(&control, "error_spike", "orchestrator", "10m").await;
    let vm = stack.victoria.as_ref().expect("VictoriaMetrics runs");
    let on_vm = stack.provisioning_on(&vm.addr, "VictoriaMetrics").unwrap();
    let prom_console = Console::start(Some(stack.provisioning_dir())).await;
    let vm_console = Console::start(Some(on_vm.path())).await;
    wait_for_history(&stack.prometheus.url()).await;
    wait_for_history(&vm.url()).await;
    // One instant a few scrapes back, so both engines hold every sample up to it.
    let at = now_ms() - 10_000;
    let (from, to) = ((at - 600_000).to_string(), at.to_string());
    let params = [("from", from.as_str()), ("to", to.as_str())];

    let (status, hits) = prom_console.get_json("/api/search").await;
    assert_eq!(status, 200);
    let shipped: Vec<String> = hits
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["folderTitle"] == "OctoLLM")
        .map(|h| h["uid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shipped.len(), 8, "{hits}");

    let (mut compared, mut metric_panels, mut failures) = (0, 0, Vec::new());
    for uid in &shipped {
        let on_prom = all_panel_data(&prom_console, uid, &params).await;
        let on_vm = all_panel_data(&vm_console, uid, &params).await;
        assert_eq!(on_prom.len(), on_vm.len(), "{uid}: panels queried");
        for (p, v) in on_prom.iter().zip(&on_vm) {
            assert_eq!(p.panel_id, v.panel_id);
            if p.explore.as_ref().is_some_and(|e| e.logs) {
                continue; // Loki: the same stand-in behind both consoles
            }
            if matches!(
                p.content,
                Some(PanelContent::Alerts(_) | PanelContent::Dashboards(_))
            ) {
                continue; // no metrics: Alertmanager's alerts, the provisioned dashboards
            }
            metric_panels += 1;
            let what = format!("{uid} panel {} {:?}", p.panel_id, p.queries);
            if let Some(e) = p.error.as_ref().or(v.error.as_ref()) {
                failures.push(format!("{what}: error {e}"));
                continue;
            }
            // A histogram is counted on the server from the same points: the same series.
            if let (Some(PanelContent::Histogram(x)), Some(PanelContent::Histogram(y))) =
                (&p.content, &v.content)
            {
                let names =
                    |h: &Histogram| h.counts.iter().map(|c| c.0.clone()).collect::<Vec<_>>();
                if names(x) != names(y) || x.values == 0 {
                    failures.push(format!("{what}: histograms differ: {x:?} / {y:?}"));
                } else {
                    compared += 1;
                }
                continue;
            }
            let window = 3 * p.step_ms.max(2_000);
            let (a, b) = match (&p.content, &v.content) {
                (Some(PanelContent::Table(x)), Some(PanelContent::Table(y))) => {
                    (table_values(x), table_values(y))
                }
                _ => (at_instant(p, at, window), at_instant(v, at, window)),
            };
            if a.is_empty() {
                failures.push(format!("{what}: no data on Prometheus"));
                continue;
            }
            if a.keys().ne(b.keys()) {
                failures.push(format!(
                    "{what}: series differ\n  prometheus: {:?}\n  victoria:   {:?}",
                    a.keys().collect::<Vec<_>>(),
                    b.keys().collect::<Vec<_>>()
                ));
                continue;
            }
            for (name, x) in &a {
                let y = b[name];
                if !agree(*x, y) {
                    failures.push(format!(
                        "{what}: {name}: prometheus {} (range {}..{}), victoria {} (range {}..{})",
                        x.0, x.1, x.2, y.0, y.1, y.2
                    ));
                }
            }
            compared += 1;
        }
    }
    // A MetricsQL query: VictoriaMetrics runs it, Prometheus refuses it and the console says why.
    let q = format!(
        "query={}",
        octoscope_harness::urlencode("rollup_rate(http_requests_total[1m])")
    );
    let (status, answer) = prom_console
        .post_form("query_instant", &format!("{q}&datasource=victoriametrics"))
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, refused) = prom_console.post_form("query_instant", &q).await;
    assert_ne!(status, 200);
    assert!(
        refused
            .to_string()
            .contains("rollup_rate() is MetricsQL (VictoriaMetrics)"),
        "{refused}"
    );

    assert!(
        failures.is_empty(),
        "{} differences ({compared} panels agreed):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every metrics panel of the eight dashboards (63 today) agreed.
    assert!(
        compared == metric_panels && compared >= 60,
        "{compared} of {metric_panels} panels compared"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn victoriametrics_alone_serves_rules_and_alerts_and_names_what_it_lacks() {
    let (stack, control) = support::start_demo_with(12, Some(20.0), Engine::VictoriaMetrics).await;
    let vmalert = stack.vmalert.as_ref().expect("vmalert runs");
    assert!(
        stack.victoria.is_none(),
        "VictoriaMetrics is the default engine"
    );
    support::inject(&control, "error_spike", "orchestrator", "10m").await;
    let console = Console::start(Some(stack.provisioning_dir())).await;

    // The rules page reads vmalert's groups through VictoriaMetrics: the guide's rule files.
    let (status, rules) = console.post_json("list_rules", json!({"query": {}})).await;
    assert_eq!(status, 200, "{rules}");
    assert_eq!(rules["datasource_name"], "VictoriaMetrics");
    let groups: Vec<&str> = rules["page"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    for group in [
        "octollm_availability",
        "octollm_performance",
        "slo_violations",
    ] {
        assert!(groups.contains(&group), "{group} in {groups:?}");
    }

    // The error spike fires HighErrorRate in vmalert, which notifies the demo's Alertmanagers
    // with Prometheus' external labels, and the rules page shows the rule firing.
    let http = reqwest::Client::new();
    let am = stack.alertmanagers[0].url();
    let deadline = Instant::now() + Duration::from_secs(120);
    let alert = loop {
        let alerts: Value = http
            .get(format!("{am}/api/v2/alerts"))
            .query(&[("filter", "alertname=\"HighErrorRate\"")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(a) = alerts.as_array().and_then(|a| a.first()) {
            break a.clone();
        }
        assert!(
            Instant::now() < deadline,
            "HighErrorRate did not reach Alertmanager; vmalert log:\n{}",
            vmalert.log()
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    assert_eq!(alert["labels"]["cluster"], "octollm-demo", "{alert}");
    assert!(
        alert["labels"].get("alertgroup").is_none(),
        "no vmalert-only label: {alert}"
    );
    assert!(
        alert["generatorURL"]
            .as_str()
            .unwrap()
            .starts_with(&vmalert.url()),
        "{alert}"
    );
    let (status, firing) = console
        .post_json("list_rules", json!({"query": {"state": "firing"}}))
        .await;
    assert_eq!(status, 200);
    assert!(firing["page"]["counts"]["firing"].as_u64().unwrap() >= 1);
    assert!(firing.to_string().contains("HighErrorRate"), "{firing}");

    // Cardinality from VictoriaMetrics' TSDB status: its whole index, no memory figures.
    let (status, card) = console.post_form("cardinality", "").await;
    assert_eq!(status, 200, "{card}");
    assert!(card["total_series"].as_u64().unwrap() > 100, "{card}");
    assert_eq!(card["head_block"], false);
    assert!(card["labels_by_memory"].is_null(), "{card}");

    // VictoriaMetrics has no /api/v1/alertmanagers: the pipeline card says so, the rest reads.
    let (status, pipeline) = console.post_form("alert_pipeline", "labels=").await;
    assert_eq!(status, 200, "{pipeline}");
    let error = pipeline["prometheus"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("does not serve /api/v1/alertmanagers"),
        "{pipeline}"
    );
    assert!(
        pipeline["prometheus"]["rule_files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "rules/alerts.yml"),
        "{pipeline}"
    );

    // MetricsQL runs: the console's PromQL check lets it through to the datasource.
    let (status, answer) = console
        .post_form(
            "query_instant",
            &format!(
                "query={}",
                octoscope_harness::urlencode(
                    "rollup_rate(http_requests_total{service=\"orchestrator\"}[1m])"
                )
            ),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.to_string().contains("\"rollup\""), "{answer}");
}
