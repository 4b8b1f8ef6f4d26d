//! Thanos and Mimir configured the way Grafana configures them: `jsonData.prometheusType`,
//! `customQueryParameters` (Thanos' dedup, partial_response, max_source_resolution) and a tenant
//! header (`httpHeaderName1: X-Scope-OrgID`). A recording upstream shows exactly what each read
//! carries.

mod support;

use std::time::Duration;
use support::Console;

const ANSWER: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 63\r\nConnection: close\r\n\r\n{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}";

/// Every request head the upstream received within a moment.
fn heads(seen: &std::sync::mpsc::Receiver<String>) -> Vec<String> {
    let mut all = Vec::new();
    while let Ok(h) = seen.recv_timeout(Duration::from_millis(700)) {
        all.push(h);
    }
    all
}

#[tokio::test]
async fn thanos_reads_carry_the_custom_parameters_and_mimir_reads_the_tenant() {
    let (thanos, thanos_seen) = support::recording_upstream(ANSWER);
    let (mimir, mimir_seen) = support::recording_upstream(ANSWER);
    let yaml = format!(
        "apiVersion: 1
datasources:
  - name: Thanos
    uid: thanos
    type: prometheus
    url: http://{thanos}
    isDefault: true
    jsonData:
      prometheusType: Thanos
      prometheusVersion: 0.37.2
      customQueryParameters: dedup=true&partial_response=false&max_source_resolution=5m
  - name: Mimir
    uid: mimir
    type: prometheus
    url: http://{mimir}/prometheus
    jsonData:
      prometheusType: Mimir
      httpHeaderName1: X-Scope-OrgID
    secureJsonData:
      httpHeaderValue1: tenant-a
"
    );
    let dir = support::provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start_admin(Some(dir.path())).await;

    // A query (Explore), then the label reads of the editor's completion.
    for ds in ["thanos", "mimir"] {
        console
            .get(&format!("/explore?query=up&datasource={ds}"))
            .await;
        console
            .post_form(
                "promql_completions",
                &format!("before=up%7Bjob%3D%22&datasource={ds}"),
            )
            .await;
    }
    let thanos_heads = heads(&thanos_seen);
    let mimir_heads = heads(&mimir_seen);
    let request_line = |h: &String| h.lines().next().unwrap_or_default().to_string();

    let reads: Vec<String> = thanos_heads.iter().map(request_line).collect();
    for path in [
        "/api/v1/query_range?",
        "/api/v1/query?",
        "/api/v1/label/job/values?",
    ] {
        assert!(
            reads.iter().any(|r| r.contains(path)),
            "{path} not read: {reads:#?}"
        );
    }
    for r in &reads {
        // The console's own parameters first, then Thanos' as configured, on every read.
        assert!(
            r.contains("&dedup=true&partial_response=false&max_source_resolution=5m "),
            "{r}"
        );
    }
    for h in &thanos_heads {
        assert!(!h.to_ascii_lowercase().contains("x-scope-orgid"), "{h}");
    }

    assert!(!mimir_heads.is_empty());
    for h in &mimir_heads {
        let line = request_line(h);
        assert!(line.contains(" /prometheus/api/v1/"), "{line}");
        assert!(!line.contains("dedup="), "{line}");
        assert!(
            h.to_ascii_lowercase()
                .contains("\r\nx-scope-orgid: tenant-a\r\n"),
            "{h}"
        );
    }
}

#[tokio::test]
async fn an_unknown_prometheus_type_or_a_parameter_the_console_sets_is_a_provisioning_problem() {
    let yaml = "apiVersion: 1
datasources:
  - name: Odd
    uid: odd
    type: prometheus
    url: http://127.0.0.1:1
    jsonData:
      prometheusType: Victoria
  - name: Override
    uid: override
    type: prometheus
    url: http://127.0.0.1:1
    jsonData:
      customQueryParameters: dedup=true&step=1
  - name: Fine
    uid: fine
    type: prometheus
    url: http://127.0.0.1:1
    jsonData:
      prometheusType: Thanos
";
    let dir = support::provisioning(&[("ds.yaml", yaml)]);
    let console = Console::start_admin(Some(dir.path())).await;
    let (_, health) = console.get_json("/api/health").await;
    let broken = health["broken"].to_string();
    assert!(
        broken.contains("Odd")
            && broken.contains("is not one of Prometheus, Cortex, Mimir, Thanos"),
        "{broken}"
    );
    assert!(
        broken.contains("Override") && broken.contains("\\\"step\\\""),
        "{broken}"
    );
    let names: Vec<&str> = health["datasources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Fine"], "the others still load");
}
