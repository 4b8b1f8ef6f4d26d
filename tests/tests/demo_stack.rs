//! The demo stack end to end: the simulator's incidents page through real Prometheus and both
//! Alertmanagers, and its log/trace stand-ins answer in the shapes the console decodes.

mod support;

use app::model::logs::{decode_loki_list, decode_loki_query, LokiResult};
use app::model::traces::{
    decode_jaeger_traces, decode_operations, decode_services, decode_tempo_search,
    decode_tempo_trace,
};
use octoscope_harness::demo::{DemoStack, SimPorts, SIM_SERVICES};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use support::{urlencode, Console};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

async fn start_sim(seed: u64) -> SimPorts {
    support::start_sim(octollm_sim::engine::SimConfig {
        seed,
        base_rate: 20.0,
        trace_sample: 0.2,
        ..Default::default()
    })
    .await
}

async fn get_bytes(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> Vec<u8> {
    http.get(url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

/// Polls `check` every 500 ms until it returns Some, or panics with `what` after `secs`.
async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs}s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn service_down_state(alerts: &Value) -> Option<String> {
    alerts["data"]["alerts"].as_array()?.iter().find_map(|a| {
        (a["labels"]["alertname"] == "ServiceDown" && a["labels"]["service"] == "reflex-layer")
            .then(|| a["state"].as_str().unwrap_or("").to_string())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_down_goes_pending_then_firing_and_reaches_both_alertmanagers() {
    let ports = start_sim(11).await;
    let control = format!("http://{}", ports.control_addr());
    let stack = tokio::task::spawn_blocking(|| DemoStack::start(&repo(), ports))
        .await
        .unwrap()
        .unwrap();
    let http = reqwest::Client::new();
    let prom = stack.prometheus.url();

    let resp = http
        .post(format!("{control}/sim/incidents"))
        .json(&json!({"kind": "service_down", "target": "reflex-layer", "duration": "10m"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let incident: Value = resp.json().await.unwrap();

    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while seen.last().map(String::as_str) != Some("firing") {
        assert!(
            Instant::now() < deadline,
            "ServiceDown did not fire; states seen: {seen:?}"
        );
        if let Some(state) =
            service_down_state(&get_json(&http, &format!("{prom}/api/v1/alerts")).await)
        {
            if seen.last() != Some(&state) {
                seen.push(state);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        seen,
        vec!["pending".to_string(), "firing".to_string()],
        "pending comes before firing"
    );

    for am in &stack.alertmanagers {
        let url = format!(
            "{}/api/v2/alerts?filter=alertname%3D%22ServiceDown%22",
            am.url()
        );
        wait_for(60, &format!("ServiceDown in {}", am.name), || {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let alerts = get_json(&http, &url).await;
                alerts
                    .as_array()?
                    .iter()
                    .any(|a| a["labels"]["service"] == "reflex-layer")
                    .then_some(())
            }
        })
        .await;
    }
    // The guide's routing tree, through the loopback sinks: a critical alert pages PagerDuty
    // (Events v2, its `description` template naming the alert) and continues to Slack (its
    // `title` template); alerts with another severity (the SLO pages) mail the team.
    for (what, receiver, field, pointer) in [
        (
            "a PagerDuty event",
            "pagerduty",
            "ServiceDown",
            "/payload/summary",
        ),
        (
            "a Slack message",
            "slack",
            "ServiceDown",
            "/attachments/0/title",
        ),
        (
            "a mail to the team",
            "email",
            "ApiAvailabilityBudgetBurn",
            "/subject",
        ),
    ] {
        wait_for(90, what, || {
            let (http, control) = (http.clone(), control.clone());
            async move {
                let sink = get_json(&http, &format!("{control}/sim/sink")).await;
                sink["notifications"]
                    .as_array()?
                    .iter()
                    .any(|n| {
                        n["_receiver_path"] == receiver
                            && n.pointer(pointer)
                                .and_then(Value::as_str)
                                .is_some_and(|v| v.contains(field))
                    })
                    .then_some(())
            }
        })
        .await;
    }

    let resp = http
        .delete(format!("{control}/sim/incidents/{}", incident["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    for am in &stack.alertmanagers {
        let url = format!(
            "{}/api/v2/alerts?filter=alertname%3D%22ServiceDown%22",
            am.url()
        );
        wait_for(
            90,
            &format!("ServiceDown to resolve in {}", am.name),
            || {
                let (http, url) = (http.clone(), url.clone());
                async move {
                    let alerts = get_json(&http, &url).await;
                    (!alerts
                        .as_array()?
                        .iter()
                        .any(|a| a["labels"]["service"] == "reflex-layer"))
                    .then_some(())
                }
            },
        )
        .await;
    }

    // The console reads every demo datasource.
    let console = Console::start_admin(Some(stack.provisioning_dir())).await;
    let (_, health) = console.get_json("/api/health").await;
    let ds = health["datasources"].as_array().unwrap();
    assert_eq!(ds.len(), 6, "{health}");
    assert!(ds.iter().all(|d| d["status"] == "ok"), "{health}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_and_trace_stand_ins_decode_and_error_logs_lead_to_failing_spans() {
    let ports = start_sim(5).await;
    let http = reqwest::Client::new();
    let control = format!("http://{}", ports.control_addr());
    let loki = format!("http://127.0.0.1:{}", ports.loki);
    let jaeger = format!("http://127.0.0.1:{}", ports.jaeger);
    let tempo = format!("http://127.0.0.1:{}", ports.tempo);
    let resp = http
        .post(format!("{control}/sim/incidents"))
        .json(&json!({"kind": "error_spike", "target": "planner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Bad input is refused with a reason and changes nothing.
    for bad in [
        json!({"kind": "meteor", "target": "planner"}),
        json!({"kind": "error_spike", "target": "mainframe"}),
        json!({"kind": "error_spike", "target": "planner", "duration": "-5m"}),
    ] {
        let resp = http
            .post(format!("{control}/sim/incidents"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("use"),
            "the message says what to do: {body}"
        );
    }
    let running = get_json(&http, &format!("{control}/sim/incidents")).await;
    assert_eq!(running["incidents"].as_array().unwrap().len(), 1);

    let query = r#"{service="planner", level="error"} | json | status_code >= 500"#;
    let url = format!(
        "{loki}/loki/api/v1/query_range?query={}&limit=20",
        urlencode(query)
    );
    let streams = wait_for(30, "planner error logs", || {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let resp = http.get(&url).send().await.ok()?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await.ok()?;
            match decode_loki_query("Loki", status, &body).ok()?.data {
                LokiResult::Streams(s) if !s.is_empty() => Some(s),
                _ => None,
            }
        }
    })
    .await;
    let mut checked = 0;
    for stream in &streams {
        for (_, line) in &stream.values {
            let log: Value = serde_json::from_str(line).unwrap();
            let (trace_id, span_id) = (
                log["trace_id"].as_str().unwrap(),
                log["span_id"].as_str().unwrap(),
            );
            let body = get_bytes(&http, format!("{jaeger}/api/traces/{trace_id}")).await;
            let traces = decode_jaeger_traces(&body).unwrap();
            let span = traces[0]
                .spans
                .iter()
                .find(|s| s.span_id == span_id)
                .expect("the logged span is in the Jaeger trace");
            assert!(span.error && span.service == "planner");
            let body = get_bytes(&http, format!("{tempo}/api/traces/{trace_id}")).await;
            let trace = decode_tempo_trace(&body).unwrap();
            assert!(
                trace.spans.iter().any(|s| s.span_id == span_id && s.error),
                "and in the Tempo trace"
            );
            checked += 1;
        }
    }
    assert!(checked > 0);

    let services =
        decode_services(&get_bytes(&http, format!("{jaeger}/api/services")).await).unwrap();
    assert!(
        services.iter().any(|s| s == "planner") && services.iter().any(|s| s == "orchestrator"),
        "{services:?}"
    );
    let ops = decode_operations(
        &get_bytes(&http, format!("{jaeger}/api/services/planner/operations")).await,
    )
    .unwrap();
    assert!(ops.iter().any(|(o, _)| o == "POST /api/v1/plan"), "{ops:?}");
    let search = format!(
        "{jaeger}/api/traces?service=planner&tags={}&limit=5",
        urlencode(r#"{"error":"true"}"#)
    );
    let found = decode_jaeger_traces(&get_bytes(&http, search).await).unwrap();
    assert!(!found.is_empty() && found.len() <= 5);
    assert!(found.iter().all(|t| t.spans.iter().any(|s| s.error)));
    let resp = http
        .get(format!("{jaeger}/api/traces"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "Jaeger requires a service");

    let q = urlencode(r#"{ resource.service.name = "planner" && status = error }"#);
    let hits =
        decode_tempo_search(&get_bytes(&http, format!("{tempo}/api/search?q={q}&limit=3")).await)
            .unwrap();
    assert!(!hits.is_empty() && hits.len() <= 3);
    assert_eq!(hits[0].root_service, "orchestrator");

    let labels: Vec<String> = decode_loki_list(
        "Loki",
        200,
        &get_bytes(&http, format!("{loki}/loki/api/v1/labels")).await,
    )
    .unwrap();
    assert!(labels.contains(&"service".to_string()));
    let volume = format!(
        "{loki}/loki/api/v1/query_range?query={}&step=1s",
        urlencode(r#"sum by (level) (count_over_time({namespace="octollm-prod"}[10s]))"#)
    );
    let resp = http.get(volume).send().await.unwrap();
    let a =
        decode_loki_query("Loki", resp.status().as_u16(), &resp.bytes().await.unwrap()).unwrap();
    let LokiResult::Matrix(series) = a.data else {
        panic!("a metric query gives a matrix")
    };
    assert!(series
        .iter()
        .any(|s| s.metric.get("level").map(String::as_str) == Some("error")));
    let resp = http
        .get(format!(
            "{loki}/loki/api/v1/query_range?query={}",
            urlencode("{service=")
        ))
        .send()
        .await
        .unwrap();
    let err = decode_loki_query("Loki", resp.status().as_u16(), &resp.bytes().await.unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("parse error"), "{err}");
}

#[test]
fn demo_configs_pass_promtool_and_amtool() {
    let rules = repo().join("deploy/demo/rules");
    let out = std::process::Command::new("promtool")
        .arg("check")
        .arg("rules")
        .arg(rules.join("alerts.yml"))
        .arg(rules.join("slo-alerts.yml"))
        .output()
        .expect("promtool is installed by cargo xtask setup");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The guide's 15 alerts and its one SLO alert: a file must not pass for being empty.
    assert!(
        stdout.contains("SUCCESS: 15 rules found") && stdout.contains("SUCCESS: 1 rules found"),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let am = octoscope_harness::demo::loopback_receivers(
        &std::fs::read_to_string(repo().join("deploy/demo/alertmanager.yml")).unwrap(),
        "127.0.0.1:9900",
        "127.0.0.1:2525",
    )
    .unwrap();
    std::fs::write(dir.path().join("am.yml"), am).unwrap();
    let out = std::process::Command::new("amtool")
        .arg("check-config")
        .arg(dir.path().join("am.yml"))
        .output()
        .expect("amtool is installed");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn harness_knows_the_simulator_services() {
    let names: Vec<&str> = octollm_sim::catalog::SERVICES
        .iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, SIM_SERVICES);
}
