//! Dashboards against the real demo stack: every upstream dashboard in tests/fixtures imports and
//! renders every panel of a supported type without an error ("No data" where the metric does not
//! exist here), every shipped OctoLLM dashboard shows live data in every panel, and so do the
//! kube-prometheus Kubernetes and node dashboards over the simulated cluster.

mod support;

use app::model::dashboard::data::{DashboardView, LoadedPanels, PanelContent, PanelData};
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
    wait_for(prom, "min(count_over_time(up[1m])) >= 5").await
}

/// Waits (up to two minutes) until `query` returns a series.
async fn wait_for(prom: &str, query: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v: Value = http
            .get(format!("{prom}/api/v1/query"))
            .query(&[("query", query)])
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
            "no result for {query} after 120s"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Copies every `.json` of `dir` (not its subfolders) into the stack's scratch provider.
fn drop_dashboards(stack: &octoscope_harness::demo::DemoStack, dir: &std::path::Path) -> usize {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            std::fs::copy(
                &path,
                stack.local_dashboards_dir().join(path.file_name().unwrap()),
            )
            .unwrap();
            count += 1;
        }
    }
    count
}

/// Loads every dashboard the console lists, collapsed rows too (queried as the page does when a
/// row opens), and returns what is wrong: a variable or panel error, an unsupported panel, and
/// "No data" in any panel of the dashboards `must_show_data` names (by uid). Also returns how
/// many querying panels were checked.
async fn check_every_panel(
    console: &Console,
    must_show_data: &dyn Fn(&Value) -> bool,
) -> (Vec<String>, usize) {
    let (status, hits) = console.get_json("/api/search").await;
    assert_eq!(status, 200);
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
    for hit in hits.as_array().unwrap() {
        let uid = hit["uid"].as_str().unwrap();
        let needs_data = must_show_data(hit);
        let view = load(console, uid, &[("from", "now-10m"), ("to", "now")]).await;
        let d = &view.dashboard;
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
            data.extend(serde_json::from_value::<LoadedPanels>(body).unwrap().data);
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
            if needs_data && empty {
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
    (failures, panels_checked)
}

fn assert_no_problems(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_and_shipped_dashboards_render_every_panel() {
    let (stack, control) = support::start_demo(7, Some(20.0)).await;
    // Errors in the window, so the 5xx and error-log panels have something to show.
    support::inject(&control, "error_spike", "orchestrator", "10m").await;
    let fixture_count = drop_dashboards(
        &stack,
        &support::repo().join("tests/fixtures/grafana-dashboards"),
    );
    assert_eq!(fixture_count, 7);
    let console = Console::start(Some(stack.provisioning_dir())).await;
    wait_for_rates(&stack.prometheus.url()).await;
    let (_, hits) = console.get_json("/api/search").await;
    assert_eq!(
        hits.as_array().unwrap().len(),
        fixture_count + 8,
        "{hits:?}"
    );

    let (failures, panels_checked) =
        check_every_panel(&console, &|hit| hit["folderTitle"] == "OctoLLM").await;
    assert!(panels_checked > 150, "only {panels_checked} panels checked");
    assert_no_problems(&failures);

    // Node Exporter Full on the job of the demo's real node exporter shows this machine: its
    // headline panels have data, and RAM Total is what this kernel reports.
    let view = load(
        &console,
        "rYdddlPWk",
        &[("from", "now-10m"), ("to", "now"), ("var-job", "node")],
    )
    .await;
    let node = view.variables.iter().find(|v| v.name == "node").unwrap();
    assert_eq!(
        node.selected,
        std::slice::from_ref(&stack.node_exporter.addr),
        "{node:?}"
    );
    let last = |title: &str| -> f64 {
        let p = view
            .dashboard
            .all_panels()
            .into_iter()
            .find(|p| p.title == title)
            .unwrap_or_else(|| panic!("no panel {title}"));
        let d = view.data(p.id).unwrap();
        assert!(d.error.is_none(), "{title}: {:?}", d.error);
        d.series
            .iter()
            .flat_map(|s| s.points.iter().map(|pt| pt.1))
            .rfind(|v| v.is_finite())
            .unwrap_or_else(|| panic!("{title} shows no data: {d:?}"))
    };
    for title in [
        "CPU Busy",
        "Sys Load",
        "Root FS Used",
        "CPU Cores",
        "Uptime",
    ] {
        assert!(last(title) >= 0.0, "{title}");
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
    let kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert_eq!(last("RAM Total"), kib * 1024.0);
}

/// The kube-prometheus dashboards whose every panel the demo feeds: the Kubernetes compute
/// resources and networking views (cAdvisor, kube-state-metrics, the kubelet and the recording
/// rules of deploy/demo/rules/kube-prometheus.yml over the simulated cluster) and the node
/// views (the simulated nodes and this machine's real node exporter).
const KUBE_PROMETHEUS_WITH_DATA: [&str; 15] = [
    "k8s-resources-cluster",
    "k8s-resources-namespace",
    "k8s-resources-pod",
    "k8s-resources-workload",
    "k8s-resources-workloads-namespace",
    "k8s-resources-node",
    "k8s-resources-nodes-overview",
    "namespace-by-pod",
    "namespace-by-workload",
    "pod-total",
    "workload-total",
    "cluster-total",
    "node-rsrc-use",
    "node-cluster-rsrc-use",
    "nodes",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_prometheus_dashboards_show_the_simulated_cluster() {
    let (stack, _control) = support::start_demo(11, Some(20.0)).await;
    let dir = support::repo().join("tests/fixtures/grafana-dashboards/kube-prometheus");
    assert_eq!(drop_dashboards(&stack, &dir), 33);
    // The uids of the dashboards that must show data, read from their files.
    let with_data: Vec<String> = KUBE_PROMETHEUS_WITH_DATA
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
            serde_json::from_str::<Value>(&text).unwrap()["uid"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let console = Console::start(Some(stack.provisioning_dir())).await;
    // These panels ask for a 1m minimum interval: the latest step of a 10 minute range lies up
    // to a minute back, so the stack must be older than that for it to hold a sample (40 scrapes,
    // 80 s); and the recording rules must have run.
    wait_for(
        &stack.prometheus.url(),
        "min(count_over_time(up[3m])) >= 40 and on() count(cluster:node_cpu:ratio_rate5m) \
         and on() count(node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m) \
         and on() count(namespace_workload_pod:kube_pod_owner:relabel)",
    )
    .await;
    let (failures, panels_checked) = check_every_panel(&console, &|hit| {
        with_data.iter().any(|u| hit["uid"] == u.as_str())
    })
    .await;
    assert!(panels_checked > 300, "only {panels_checked} panels checked");
    assert_no_problems(&failures);
}

/// deploy/demo/rules/kube-prometheus.yml holds upstream's recording groups unchanged: every
/// record-only group of the PrometheusRule manifests in tests/fixtures/kube-prometheus-rules,
/// in order, and nothing else.
#[test]
fn kube_prometheus_recording_rules_are_upstreams_verbatim() {
    let fixtures = support::repo().join("tests/fixtures/kube-prometheus-rules");
    let mut upstream = Vec::new();
    for name in [
        "grafana",
        "kubePrometheus",
        "kubernetesControlPlane",
        "nodeExporter",
    ] {
        let text =
            std::fs::read_to_string(fixtures.join(format!("{name}-prometheusRule.yaml"))).unwrap();
        let rule: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        for group in rule["spec"]["groups"].as_sequence().unwrap() {
            let rules = group["rules"].as_sequence().unwrap();
            if rules.iter().all(|r| r.get("record").is_some()) {
                upstream.push(group.clone());
            }
        }
    }
    let shipped: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(support::repo().join("deploy/demo/rules/kube-prometheus.yml"))
            .unwrap(),
    )
    .unwrap();
    let shipped = shipped["groups"].as_sequence().unwrap();
    assert_eq!(shipped.len(), 20);
    assert_eq!(shipped, &upstream);
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
