//! The alert pages at fleet shape, against two real clustered Alertmanagers loaded through their
//! v2 API (600 alerts over 120 services, 120 silences): the server pages groups and silences,
//! counts stay exact over everything, the page says "showing N of M", and concurrent viewers
//! share one read of each Alertmanager. `cargo xtask bench` runs the same at 10,000.

mod support;

use axum::routing::get;
use octoscope_harness::scale::{load_alerts, load_silences, rules_file, AlertFleet};
use octoscope_harness::{
    start_alertmanagers, start_prometheus, which, Backend, PrometheusSpec,
    NULL_ALERTMANAGER_CONFIG, SELF_SCRAPE_CONFIG,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{window_row, Console};

const FLEET: AlertFleet = AlertFleet {
    alerts: 600,
    services: 120,
    names: 7,
};
const SILENCES: usize = 120;

fn provision(urls: &[String]) -> tempfile::TempDir {
    let entries: Vec<String> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            format!(
                "  - {{name: AM {n}, uid: am-{n}, type: alertmanager, url: '{url}', jsonData: {{implementation: prometheus}}}}\n",
                n = i + 1
            )
        })
        .collect();
    support::provisioning(&[(
        "am.yaml",
        &format!("apiVersion: 1\ndatasources:\n{}", entries.concat()),
    )])
}

/// The HA pair with the fleet: alerts posted to both (as Prometheus does), silences to one
/// (gossip spreads them).
async fn loaded_pair() -> (Vec<Backend>, Console, tempfile::TempDir) {
    let ams = tokio::task::spawn_blocking(|| {
        let ams = start_alertmanagers(NULL_ALERTMANAGER_CONFIG, 2).expect("Alertmanagers start");
        for am in &ams {
            load_alerts(&am.addr, &FLEET).expect("alerts load");
        }
        load_silences(&ams[0].addr, SILENCES).expect("silences load");
        ams
    })
    .await
    .unwrap();
    let dir = provision(&ams.iter().map(|a| a.url()).collect::<Vec<_>>());
    let console = Console::start(Some(dir.path())).await;
    (ams, console, dir)
}

async fn groups(console: &Console, query: Value) -> Value {
    let (status, body) = console
        .post_json("alert_groups", json!({ "query": query }))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_and_silences_are_paged_on_the_server_with_exact_counts() {
    let (_ams, console, _dir) = loaded_pair().await;
    // Silences apply once gossip and the marker have seen them: wait for the exact count.
    let mut page = Value::Null;
    for _ in 0..40 {
        page = groups(&console, json!({"group_by": "service"})).await;
        if page["clusters"][0]["page"]["counts"]["suppressed"] == SILENCES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let clusters = page["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 1, "the pair is one cluster");
    let p = &clusters[0]["page"];
    assert_eq!(p["total_groups"], FLEET.services);
    assert_eq!(
        p["counts"]["total"], FLEET.alerts,
        "each alert once, though both hold it"
    );
    assert_eq!(p["counts"]["suppressed"], SILENCES);
    assert_eq!(
        p["counts"]["by_severity"][0],
        json!(["critical", FLEET.critical()])
    );
    let shown = p["groups"].as_array().unwrap();
    assert_eq!(shown.len(), 50);
    let alerts_shown: Vec<usize> = shown
        .iter()
        .map(|g| g["alerts"].as_array().unwrap().len())
        .collect();
    assert!(alerts_shown[..10]
        .iter()
        .all(|n| *n == FLEET.per_service(0)));
    assert!(
        alerts_shown[10..].iter().all(|n| *n == 0),
        "{alerts_shown:?}"
    );
    assert!(shown
        .iter()
        .all(|g| g["counts"]["total"] == FLEET.per_service(0)));

    let last = groups(&console, json!({"group_by": "service", "page": 2})).await;
    let last = &last["clusters"][0]["page"];
    assert_eq!(
        (
            last["first_group"].as_u64(),
            last["groups"].as_array().unwrap().len()
        ),
        (Some(100), 20)
    );

    let one = groups(
        &console,
        json!({"filter": "service=\"svc-007\"", "group_by": "service"}),
    )
    .await;
    let one = &one["clusters"][0]["page"];
    assert_eq!(one["counts"]["total"], FLEET.per_service(7));
    let id = one["groups"][0]["id"].as_str().unwrap().to_string();
    let chosen = groups(
        &console,
        json!({"filter": "service=\"svc-007\"", "group_by": "service", "group": id}),
    )
    .await;
    let chosen = &chosen["clusters"][0]["page"]["groups"];
    assert_eq!(chosen.as_array().unwrap().len(), 1);
    assert_eq!(
        chosen[0]["alerts"].as_array().unwrap().len(),
        FLEET.per_service(7)
    );

    // The first HTML says what it shows and stays small.
    let html = console.get("/alerting/groups?group_by=service").await;
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert!(html.contains("showing 1–50 of 120 groups"), "pager text");
    assert!(html.contains("600 alerts in 120 groups"), "exact counts");
    assert!(html.len() < 1_000_000, "{} bytes", html.len());

    let (status, silences) = console
        .post_json("list_silences", json!({"query": {}}))
        .await;
    assert_eq!(status, 200, "{silences}");
    let sp = &silences["clusters"][0]["page"];
    assert_eq!(sp["by_state"], json!([["active", SILENCES]]));
    assert_eq!(
        (sp["matched"].as_u64(), sp["rows"].as_array().unwrap().len()),
        (Some(SILENCES as u64), 50)
    );
    assert!(sp["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["mutes"] == 1));
    let (_, by_author) = console
        .post_json("list_silences", json!({"query": {"search": "scale-3"}}))
        .await;
    let expected = (0..SILENCES).filter(|i| i % 7 == 3).count();
    assert_eq!(by_author["clusters"][0]["page"]["matched"], expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_viewers_share_one_read_of_each_alertmanager() {
    let reads = Arc::new(AtomicUsize::new(0));
    let counted = reads.clone();
    // A slow Alertmanager that counts how often its group API is read.
    let app = axum::Router::new()
        .route(
            "/api/v2/alerts/groups",
            get(move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    "[]"
                }
            }),
        )
        .route("/api/v2/silences", get(|| async { "[]" }))
        .route(
            "/api/v2/status",
            get(|| async { r#"{"cluster":{"status":"ready","peers":[]},"config":{"original":""},"uptime":"","versionInfo":{"version":"0.25.0"}}"# }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = provision(&[url]);
    let console = Console::start(Some(dir.path())).await;

    let views = (0..8).map(|_| groups(&console, json!({})));
    for v in futures::future::join_all(views).await {
        assert_eq!(v["clusters"].as_array().unwrap().len(), 1, "{v}");
    }
    assert_eq!(reads.load(Ordering::SeqCst), 1, "eight viewers, one read");
    // Within the snapshot's age a refresh is served from it; the page says how old it is.
    let again = groups(&console, json!({})).await;
    assert_eq!(reads.load(Ordering::SeqCst), 1);
    let first_read = again["as_of_ms"].as_i64().unwrap();
    // A 300 ms read is quick enough to be re-read at the usual age (ten times it is 3 s).
    assert_eq!(again["reread_every_ms"], 5_000, "{again}");
    assert!(first_read <= again["now_ms"].as_i64().unwrap());

    // Past its age the last read still answers (same "as of"), and one re-read starts behind
    // it, however many viewers came meanwhile; the next view shows the new read.
    tokio::time::sleep(Duration::from_millis(5_200)).await;
    let views = (0..4).map(|_| groups(&console, json!({})));
    for stale in futures::future::join_all(views).await {
        assert_eq!(stale["as_of_ms"].as_i64(), Some(first_read), "{stale}");
    }
    let mut fresh = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        fresh = groups(&console, json!({})).await;
        if fresh["as_of_ms"].as_i64() != Some(first_read) {
            break;
        }
    }
    assert!(fresh["as_of_ms"].as_i64().unwrap() > first_read, "{fresh}");
    assert_eq!(
        reads.load(Ordering::SeqCst),
        2,
        "one re-read for all of them"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_groups_are_paged_and_counted_on_the_server() {
    const GROUPS: usize = 100;
    let rules = rules_file(GROUPS, 10);
    // The fixture is a rule file Prometheus' own checker accepts.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scale-rules.yml");
    std::fs::write(&file, &rules).unwrap();
    let promtool = which("promtool").expect("promtool comes with the prometheus package");
    let check = std::process::Command::new(promtool)
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let prometheus = tokio::task::spawn_blocking(move || {
        start_prometheus(&PrometheusSpec {
            config: SELF_SCRAPE_CONFIG,
            files: &[("rules.yml", &rules)],
            alertmanagers: &[],
            backfill: None,
        })
        .expect("Prometheus starts")
    })
    .await
    .unwrap();
    let prov = support::provisioning(&[(
        "prom.yaml",
        &format!(
            "apiVersion: 1\ndatasources:\n  - {{name: Prometheus, uid: prometheus, type: prometheus, url: '{}', isDefault: true}}\n",
            prometheus.url()
        ),
    )]);
    let console = Console::start(Some(prov.path())).await;
    let list = |query: Value| {
        let console = &console;
        async move {
            let (status, body) = console
                .post_json("list_rules", json!({ "query": query }))
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    // Every group's first rule fires at its first evaluation (1 s).
    let mut page = Value::Null;
    for _ in 0..40 {
        page = list(json!({})).await;
        if page["page"]["counts"]["firing"] == GROUPS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let p = &page["page"];
    assert_eq!(p["total_groups"], GROUPS);
    assert_eq!(
        p["counts"],
        json!({"firing": GROUPS, "pending": 0, "inactive": GROUPS * 9})
    );
    let shown = p["groups"].as_array().unwrap();
    assert_eq!(shown.len(), 50);
    assert!(shown[..10]
        .iter()
        .all(|g| g["rules"].as_array().unwrap().len() == 10));
    assert!(shown[10..]
        .iter()
        .all(|g| g["rules"].as_array().unwrap().is_empty()));
    assert!(shown.iter().all(|g| g["counts"]["firing"] == 1));

    let second = list(json!({"page": 1})).await;
    assert_eq!(second["page"]["first_group"], 50);
    let found = list(json!({"search": "ScaleRule42x"})).await;
    assert_eq!(found["page"]["total_groups"], 1);
    let id = found["page"]["groups"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one = list(json!({"group": id})).await;
    assert_eq!(one["page"]["groups"][0]["name"], "scale-0042");
    assert_eq!(
        one["page"]["groups"][0]["rules"].as_array().unwrap().len(),
        10
    );
    let firing = list(json!({"state": "firing", "matchers": "service=\"svc-007\""})).await;
    assert_eq!(firing["page"]["total_groups"], 2, "groups 7 and 57");

    let html = console.get("/alerting/list").await.text().await.unwrap();
    assert!(html.contains("showing 1–50 of 100 rule groups"));
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
}

/// The simulator's scale trace (here 5,000 spans; the bench and Playwright open 100,000) through
/// Jaeger and Tempo stand-ins: the first answer carries one window and the tree's shape, every
/// other window, find and span detail come from the laid-out copy, and the counts are exact.
#[tokio::test]
async fn a_fleet_size_trace_is_sent_a_window_at_a_time() {
    const SPANS: usize = 5_000;
    assert_eq!(
        octollm_sim::http::SCALE_TRACE_ID,
        octoscope_harness::demo::SCALE_TRACE_ID,
        "the harness names the simulator's scale trace"
    );
    let now_us = octollm_sim::http::now_ms() * 1000;
    let id = octollm_sim::http::serve_scale_trace(SPANS, now_us - 600_000_000).unwrap();
    let ports = support::start_sim(octollm_sim::engine::SimConfig::default()).await;
    let dir = support::provisioning(&[(
        "traces.yaml",
        &format!(
            "apiVersion: 1\ndatasources:\n  - {{name: Jaeger, uid: jaeger, type: jaeger, url: 'http://127.0.0.1:{}'}}\n  - {{name: Tempo, uid: tempo, type: tempo, url: 'http://127.0.0.1:{}'}}\n",
            ports.jaeger, ports.tempo
        ),
    )]);
    let console = Console::start(Some(dir.path())).await;
    for ds in ["jaeger", "tempo"] {
        let (status, first) = console
            .post_form("get_trace", &format!("trace_id={id}&datasource={ds}"))
            .await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["hit"]["spans"], SPANS, "{ds}");
        assert_eq!(first["hit"]["errors"], 1);
        assert_eq!(first["orphans"], 0);
        assert!(first["minimap"].as_array().unwrap().len() <= 120);
        // Past 2,000 spans the trace opens two levels: the root, 49 services, their calls.
        let w = &first["window"];
        assert_eq!(w["visible"], 1 + 49 + 49 * 4 + 1, "{ds}");
        assert_eq!(w["rows"].as_array().unwrap().len(), 150);
        let root = window_row(&w["rows"][0]);
        assert_eq!((root.descendants, root.errors_below), (SPANS - 1, 1));

        // Everything open, the last window: exact total, clamped to a full window.
        let all_open = json!({"open_depth": u32::MAX, "toggled": []});
        let (status, last) = console
            .post_json(
                "trace_rows",
                json!({"query": {"trace_id": id, "datasource": ds, "fold": all_open, "offset": SPANS, "limit": 150}}),
            )
            .await;
        assert_eq!(status, 200, "{last}");
        assert_eq!(
            (last["visible"].as_u64(), last["offset"].as_u64()),
            (Some(SPANS as u64), Some(SPANS as u64 - 150))
        );

        // Find the failure, reveal it from a closed tree, read it whole.
        let (status, found) = console
            .post_form(
                "find_spans",
                &format!("trace_id={id}&datasource={ds}&query=error"),
            )
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["total"], 1);
        let span = found["spans"][0].as_u64().unwrap();
        let closed = json!({"open_depth": 0, "toggled": []});
        let (_, shown) = console
            .post_json(
                "trace_rows",
                json!({"query": {"trace_id": id, "datasource": ds, "fold": closed, "reveal": span}}),
            )
            .await;
        let at = shown["revealed_at"]
            .as_u64()
            .expect("the failed span shows") as usize;
        let offset = shown["offset"].as_u64().unwrap() as usize;
        let row = window_row(&shown["rows"][at - offset]);
        assert_eq!((row.span as u64, row.error), (span, true));
        assert_eq!(row.depth, 301, "at the bottom of the retry chain");
        let (status, detail) = console
            .post_form(
                "read_span",
                &format!("trace_id={id}&datasource={ds}&span={span}"),
            )
            .await;
        assert_eq!(status, 200, "{detail}");
        assert_eq!(detail["span"]["error"], true);
        assert!(
            detail["logs_href"].as_str().unwrap().contains(id),
            "{detail}"
        );

        // A span the trace does not have is the user's error, said as such.
        let (status, bad) = console
            .post_form(
                "read_span",
                &format!("trace_id={id}&datasource={ds}&span={SPANS}"),
            )
            .await;
        assert_eq!(status, 400, "{bad}");
    }
    let html = console
        .get(&format!("/trace/{id}?datasource=jaeger"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-testid=\"span-row\"").count(), 150);
    assert!(
        html.contains("rows 1–150 of 247"),
        "the page says what it shows"
    );
}

/// A panel over 120 series (backfilled into real Prometheus, series `i` peaking near `i`): the
/// page gets the 50 with the highest peaks, in Prometheus' order, decimated, points as time
/// differences; the other 70 are counted and summarised, and the page says so.
#[tokio::test]
async fn a_panel_past_its_series_cap_draws_the_highest_peaks_and_summarises_the_rest() {
    if which("promtool").is_none() {
        panic!("promtool is needed (Debian package prometheus)");
    }
    let end_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 60;
    let mut om = String::from("# HELP fleet_load Synthetic load.\n# TYPE fleet_load gauge\n");
    for i in 0..120 {
        let mut t = end_s - 3_600;
        while t <= end_s {
            let v = i as f64 + ((t as f64) / 300.0).sin();
            om.push_str(&format!("fleet_load{{i=\"{i:03}\"}} {v:.3} {t}\n"));
            t += 15;
        }
    }
    om.push_str("# EOF\n");
    let prometheus = tokio::task::spawn_blocking(move || {
        start_prometheus(&PrometheusSpec {
            config: SELF_SCRAPE_CONFIG,
            files: &[],
            alertmanagers: &[],
            backfill: Some(&om),
        })
        .expect("Prometheus starts")
    })
    .await
    .unwrap();
    let prov = support::provisioning(&[(
        "prom.yaml",
        &format!(
            "apiVersion: 1\ndatasources:\n  - {{name: Prometheus, uid: prometheus, type: prometheus, url: '{}', isDefault: true}}\n",
            prometheus.url()
        ),
    )]);
    let dash_dir = prov.path().join("dash");
    std::fs::create_dir_all(&dash_dir).unwrap();
    std::fs::write(
        dash_dir.join("fleet.json"),
        json!({"uid": "fleet", "title": "Fleet", "schemaVersion": 39, "panels": [
            {"id": 1, "type": "timeseries", "title": "Load", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "fleet_load", "legendFormat": "{{i}}"}]}]})
        .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(prov.path().join("dashboards")).unwrap();
    std::fs::write(
        prov.path().join("dashboards/fleet.yaml"),
        format!(
            "apiVersion: 1\nproviders:\n  - name: f\n    folder: Fleet\n    type: file\n    options:\n      path: {}\n",
            dash_dir.display()
        ),
    )
    .unwrap();
    let console = Console::start(Some(prov.path())).await;
    let range = [
        ("from", ((end_s - 3_600) * 1000).to_string()),
        ("to", (end_s * 1000).to_string()),
    ];
    let (status, body) = console
        .post_json(
            "load_dashboard",
            json!({"uid": "fleet", "params": range, "panel": null}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let panel = &body["panels"][0];
    assert_eq!(panel["error"], Value::Null, "{panel}");
    assert_eq!(panel["total_series"], 120);
    let names: Vec<&str> = panel["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (70..120).map(|i| format!("{i:03}")).collect();
    assert_eq!(
        names, expected,
        "the 50 highest peaks, in Prometheus' order"
    );
    let others = &panel["others"];
    assert_eq!(others["count"], 70);
    assert_eq!(others["names"][0], "000");
    let (lo, hi) = (
        others["peaks"][0].as_f64().unwrap(),
        others["peaks"][1].as_f64().unwrap(),
    );
    assert!(
        (0.9..=1.0).contains(&lo) && (69.9..=70.0).contains(&hi),
        "{others}"
    );
    // Columns: one full timestamp per series, then differences.
    let first = &panel["series"][0]["points"];
    assert_eq!(
        first["t"].as_array().unwrap().len(),
        first["v"].as_array().unwrap().len()
    );
    assert!(first["t"][1].as_i64().unwrap() < 100_000, "{first}");

    let html = console
        .get(&format!(
            "/d/fleet/fleet?from={}&to={}",
            range[0].1, range[1].1
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("showing 50 of 120 series, highest peaks"),
        "the page says what it draws"
    );
    assert!(
        html.contains("70 more series, peaks"),
        "and what it does not"
    );
}
