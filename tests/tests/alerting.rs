//! Alerting server functions against the demo stack: rules, merged groups, silences (create,
//! validation, write permission, expire) and a silence created while one Alertmanager is down.

mod support;

use octoscope_harness::demo::DemoStack;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{urlencode, Console};

async fn start(role: &str) -> (DemoStack, Console) {
    let (stack, _) = support::start_demo(3, None).await;
    let mut config = octoscope::config::Config::default();
    config.paths.provisioning = Some(stack.provisioning_dir().to_path_buf());
    config.auth.anonymous_role = serde_json::from_value(json!(role)).unwrap();
    let console = Console::start_with(config).await;
    (stack, console)
}

/// The silences one Alertmanager holds, asked directly (the witness, not the console).
async fn silences_of(alertmanager: &str) -> Value {
    reqwest::get(format!("{alertmanager}/api/v2/silences"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn call(console: &Console, fn_name: &str, body: &str) -> (u16, Value) {
    console.post_form(fn_name, body).await
}

fn draft(matchers: &str, instances: &[&str]) -> String {
    let mut body = vec![
        format!("draft[matchers]={}", urlencode(matchers)),
        "draft[starts_at]=".into(),
        "draft[duration]=1h".into(),
        "draft[ends_at]=".into(),
        "draft[created_by]=oncall".into(),
        "draft[comment]=maintenance".into(),
    ];
    // One cluster: its instances, comma-separated.
    body.push(format!("clusters[0]={}", urlencode(&instances.join(","))));
    body.join("&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silences_are_validated_created_merged_and_expired() {
    let (mut stack, console) = start("editor").await;

    let (status, rules) = console.post_json("list_rules", json!({"query": {}})).await;
    assert_eq!(status, 200, "{rules}");
    let names: Vec<&str> = rules["page"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    // The monitoring guide's groups (alerts.yml and slo-alerts.yml).
    for g in [
        "octollm_availability",
        "octollm_performance",
        "octollm_resources",
        "octollm_database",
        "octollm_llm_api",
        "octollm_security",
        "slo_violations",
    ] {
        assert!(names.contains(&g), "{names:?}");
    }

    // Invalid drafts come back field by field and nothing is sent.
    let (status, out) = call(
        &console,
        "create_silence",
        &draft("job=~\"arm(\"", &["alertmanager-1", "alertmanager-2"]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        out["Invalid"]["matchers"]
            .as_str()
            .unwrap()
            .contains("does not compile"),
        "{out}"
    );
    // The Alertmanagers themselves are the witnesses: no silence reached either.
    for am in &stack.alertmanagers {
        let list = silences_of(&am.url()).await;
        assert_eq!(list, serde_json::json!([]), "{} got a silence", am.url());
    }

    let (status, out) = call(
        &console,
        "create_silence",
        &draft(
            "alertname=\"Watchdog\"\nservice=\"nothing\"",
            &["alertmanager-1", "alertmanager-2"],
        ),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let id = out["Created"]["id"].as_str().unwrap().to_string();

    // Both instances list it once gossip spreads it; the merged view shows one cluster.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, o) = console
            .post_json("alert_groups", serde_json::json!({"query": {}}))
            .await;
        let clusters = o["clusters"].as_array().unwrap();
        assert_eq!(clusters.len(), 1, "the HA pair is one cluster: {o}");
        assert_eq!(clusters[0]["instances"].as_array().unwrap().len(), 2);
        let mut all = true;
        for am in &stack.alertmanagers {
            let list = silences_of(&am.url()).await;
            all &= list
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == id.as_str());
        }
        if all {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "silence {id} did not reach both Alertmanagers"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let (status, out) = call(
        &console,
        "expire_silence",
        &format!("id={id}&instances[0]=alertmanager-1&instances[1]=alertmanager-2"),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    let list: Value = reqwest::get(format!(
        "{}/api/v2/silence/{id}",
        stack.alertmanagers[0].url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(list["status"]["state"], "expired");

    // One Alertmanager down: the other takes the silence and the page says who is missing.
    stack.alertmanagers[0].stop();
    let (status, out) = call(
        &console,
        "create_silence",
        &draft(
            "alertname=\"Watchdog\"",
            &["alertmanager-1", "alertmanager-2"],
        ),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["Created"]["alertmanager"], "Alertmanager 2");
    let (_, o) = console
        .post_json("alert_groups", serde_json::json!({"query": {}}))
        .await;
    assert_eq!(o["unreachable"][0][0], "Alertmanager 1", "{o}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_cannot_write_silences() {
    let (_stack, console) = start("viewer").await;
    let (status, out) = call(
        &console,
        "create_silence",
        &draft("alertname=\"Watchdog\"", &["alertmanager-1"]),
    )
    .await;
    assert_eq!(status, 403);
    assert!(out.to_string().contains("editor role"), "{out}");
    let (_, o) = console
        .post_json("alert_groups", serde_json::json!({"query": {}}))
        .await;
    assert!(o["cannot_write"].as_str().unwrap().contains("editor role"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_silence_goes_to_every_chosen_cluster_and_reports_the_ones_that_refused() {
    use octoscope_harness::{start_alertmanagers, NULL_ALERTMANAGER_CONFIG};
    // Two separate single-node clusters (no gossip between them).
    let a = tokio::task::spawn_blocking(|| start_alertmanagers(NULL_ALERTMANAGER_CONFIG, 1))
        .await
        .unwrap()
        .unwrap();
    let b = tokio::task::spawn_blocking(|| start_alertmanagers(NULL_ALERTMANAGER_CONFIG, 1))
        .await
        .unwrap()
        .unwrap();
    let dead_port = octoscope_harness::free_port();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("datasources")).unwrap();
    std::fs::write(
        dir.path().join("datasources/am.yaml"),
        format!(
            "apiVersion: 1\ndatasources:\n  - {{name: AM east, uid: am-east, type: alertmanager, url: {}, jsonData: {{implementation: prometheus}}}}\n  - {{name: AM west, uid: am-west, type: alertmanager, url: {}, jsonData: {{implementation: prometheus}}}}\n  - {{name: AM gone, uid: am-gone, type: alertmanager, url: 'http://127.0.0.1:{dead_port}', jsonData: {{implementation: prometheus}}}}\n",
            a[0].url(),
            b[0].url()
        ),
    )
    .unwrap();
    let mut config = octoscope::config::Config::default();
    config.paths.provisioning = Some(dir.path().to_path_buf());
    config.auth.anonymous_role = serde_json::from_value(json!("editor")).unwrap();
    let console = Console::start_with(config).await;
    let body = |clusters: &[&str]| {
        let mut d = draft(r#"alertname="Maintenance""#, &[]);
        d = d
            .split('&')
            .filter(|p| !p.starts_with("clusters"))
            .collect::<Vec<_>>()
            .join("&");
        for (i, c) in clusters.iter().enumerate() {
            d.push_str(&format!("&clusters[{i}]={}", urlencode(c)));
        }
        d
    };
    let (status, out) = call(&console, "create_silence", &body(&["am-east", "am-west"])).await;
    assert_eq!(status, 200, "{out}");
    let created = &out["Created"];
    let ids: Vec<(String, String)> = std::iter::once((
        created["alertmanager"].as_str().unwrap().to_string(),
        created["id"].as_str().unwrap().to_string(),
    ))
    .chain(created["also"].as_array().unwrap().iter().map(|p| {
        (
            p[0].as_str().unwrap().to_string(),
            p[1].as_str().unwrap().to_string(),
        )
    }))
    .collect();
    assert_eq!(ids.len(), 2, "{out}");
    // Each cluster really has its own silence.
    for ((name, id), am) in ids.iter().zip([&a[0], &b[0]]) {
        let s: Value = reqwest::get(format!("{}/api/v2/silence/{id}", am.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["status"]["state"], "active", "{name}: {s}");
    }
    // A dead cluster among the chosen ones is reported; the others still get the silence.
    let (status, out) = call(&console, "create_silence", &body(&["am-gone", "am-east"])).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["Created"]["alertmanager"], "AM east");
    let failed = out["Created"]["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0][0], "am-gone");
    assert!(
        failed[0][1].as_str().unwrap().contains("unreachable"),
        "{out}"
    );
    // Only dead clusters: an error with the reason, nothing created.
    let (status, out) = call(&console, "create_silence", &body(&["am-gone"])).await;
    assert_eq!(status, 502, "{out}");
    assert!(out.to_string().contains("AM gone"), "{out}");
}
