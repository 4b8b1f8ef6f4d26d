//! Many viewers, one backend read: a dashboard opened by ten people at once costs a slow
//! Prometheus one read per distinct panel query, a panel repeating another's query costs
//! nothing, and a viewer a moment later is answered from the kept answer. A recording upstream
//! (answering after 300 ms, one thread per connection) counts what was sent.

mod support;

use serde_json::json;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::Console;

const MATRIX: &str = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"a"},"values":[[1796100000,"1"]]}]}}"#;

/// A slow Prometheus stand-in: the request line of every read it answered.
fn slow_upstream() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(mut sock) = sock else { return };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 16384];
                let n = sock.read(&mut buf).unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                log.lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or_default().to_string());
                std::thread::sleep(Duration::from_millis(300));
                let _ = sock.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{MATRIX}",
                        MATRIX.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    (addr, seen)
}

/// A number parameter of a request line (`start`, `end`, `step`, `time`).
fn param(line: &str, name: &str) -> f64 {
    let at = line.find(&format!("&{name}=")).unwrap() + name.len() + 2;
    line[at..]
        .split(['&', ' '])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn range_reads(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/api/v1/query_range"))
        .cloned()
        .collect()
}

/// A provisioning folder: datasource `slow` at `upstream` and dashboard `shared` with `panels`.
fn dashboard_on(
    upstream: std::net::SocketAddr,
    panels: Vec<serde_json::Value>,
) -> tempfile::TempDir {
    let dir = support::provisioning(&[(
        "ds.yaml",
        &format!(
            "apiVersion: 1\ndatasources:\n  - name: Slow\n    uid: slow\n    type: prometheus\n    url: http://{upstream}\n    isDefault: true\n"
        ),
    )]);
    let dash = dir.path().join("dash");
    std::fs::create_dir_all(&dash).unwrap();
    std::fs::write(
        dash.join("d.json"),
        json!({"uid": "shared", "title": "Shared", "schemaVersion": 39, "panels": panels})
            .to_string(),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("dashboards")).unwrap();
    std::fs::write(
        dir.path().join("dashboards/p.yaml"),
        format!(
            "apiVersion: 1\nproviders:\n  - name: t\n    folder: T\n    type: file\n    options:\n      path: {}\n",
            dash.display()
        ),
    )
    .unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_viewers_of_one_dashboard_cost_one_read_per_distinct_query() {
    let (upstream, seen) = slow_upstream();
    let panel = |id: u32, expr: &str| {
        json!({"id": id, "type": "timeseries", "title": format!("p{id}"),
               "gridPos": {"x": 0, "y": id * 8, "w": 24, "h": 8},
               "targets": [{"refId": "A", "expr": expr}]})
    };
    let dir = dashboard_on(
        upstream,
        vec![
            panel(1, "sum(rate(http_requests_total[5m]))"),
            panel(2, "up"),
            panel(3, "tasks_in_progress"),
            // The same query as panel 2: one read serves both.
            panel(4, "up"),
        ],
    );
    let console = Arc::new(Console::start(Some(dir.path())).await);

    // An hour ending mid-step (1h → a 2 s step at most 1,800 points): each viewer's `to` is a
    // different millisecond of the same step.
    let to: i64 = 1_796_100_001_234;
    let load = |console: Arc<Console>, to: i64| async move {
        let from = (to - 3_600_000).to_string();
        let (status, body) = console
            .post_json(
                "load_dashboard",
                json!({"uid": "shared", "params": [["from", from], ["to", to.to_string()]], "panel": null}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    };
    let viewers = (0..10).map(|i| tokio::spawn(load(console.clone(), to + i)));
    for v in futures::future::join_all(viewers).await {
        let view = v.unwrap();
        let panels = view["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 4);
        assert!(
            panels
                .iter()
                .all(|p| p["error"].is_null()
                    && p["series"].as_array().is_some_and(|s| s.len() == 1)),
            "every viewer sees every panel's data: {view}"
        );
    }
    let reads = range_reads(&seen);
    assert_eq!(reads.len(), 3, "one read per distinct query: {reads:#?}");
    // Both ends of the range are on the step, so every viewer asked the same thing.
    for r in &reads {
        let (start, end, step) = (
            (param(r, "start") * 1000.0) as i64,
            (param(r, "end") * 1000.0) as i64,
            (param(r, "step") * 1000.0) as i64,
        );
        assert!(start % step == 0 && end % step == 0, "{r}");
        assert!(end <= to && to - end < step, "{r}");
    }

    // A moment later another viewer is answered from the kept answers: nothing sent.
    load(console.clone(), to + 50).await;
    assert_eq!(range_reads(&seen).len(), 3);

    // After they expire (5 s), the next viewer's reads go to Prometheus again.
    tokio::time::sleep(Duration::from_millis(5_200)).await;
    load(console.clone(), to + 60).await;
    assert_eq!(range_reads(&seen).len(), 6);
}

/// `compare=1h`: the time series panel reads its range again an hour back and gets a second,
/// shifted series; the instant (stat) panel is not compared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_reads_each_range_again_that_long_ago_and_moves_it_onto_now() {
    let (upstream, seen) = slow_upstream();
    let dir = dashboard_on(
        upstream,
        vec![
            json!({"id": 1, "type": "timeseries", "title": "rate",
                   "gridPos": {"x": 0, "y": 0, "w": 24, "h": 8},
                   "targets": [{"refId": "A", "expr": "sum(rate(compare_total[5m]))"}]}),
            json!({"id": 2, "type": "stat", "title": "now",
                   "gridPos": {"x": 0, "y": 8, "w": 24, "h": 8},
                   "targets": [{"refId": "A", "expr": "compare_up", "instant": true}]}),
        ],
    );
    let console = Console::start(Some(dir.path())).await;
    // Three hours: the answer's one point (1796100000 s) is inside the range read now and,
    // moved an hour on, inside it too.
    let to: i64 = 1_796_104_000_000;
    let from = (to - 3 * 3_600_000).to_string();
    let (status, view) = console
        .post_json(
            "load_dashboard",
            json!({"uid": "shared", "params": [["from", from], ["to", to.to_string()], ["compare", "1h"]], "panel": null}),
        )
        .await;
    assert_eq!(status, 200, "{view}");

    let reads = range_reads(&seen);
    assert_eq!(reads.len(), 2, "now and an hour ago: {reads:#?}");
    // The same range an hour back (each end on the step, so within a step of it).
    let ms = |r: &String, name: &str| (param(r, name) * 1000.0) as i64;
    let step = ms(&reads[0], "step");
    let mut starts: Vec<i64> = reads.iter().map(|r| ms(r, "start")).collect();
    let mut ends: Vec<i64> = reads.iter().map(|r| ms(r, "end")).collect();
    starts.sort();
    ends.sort();
    assert!(
        (starts[1] - starts[0] - 3_600_000).abs() < step,
        "{reads:#?}"
    );
    assert!((ends[1] - ends[0] - 3_600_000).abs() < step, "{reads:#?}");
    let instants: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/api/v1/query?"))
        .cloned()
        .collect();
    assert_eq!(instants.len(), 1, "the stat is not compared: {instants:#?}");

    // The upstream answers one point at 1796100000 s to both: the hour-old one lands an hour later.
    let view: app::model::dashboard::data::DashboardView = serde_json::from_value(view).unwrap();
    let series = &view.panels[0].series;
    assert_eq!(series.len(), 2, "{series:?}");
    let shifted = series
        .iter()
        .find(|s| s.shift_ms == 3_600_000)
        .expect("a shifted series");
    assert!(shifted.name.ends_with(" (1h ago)"), "{shifted:?}");
    let current = series.iter().find(|s| s.shift_ms == 0).unwrap();
    let first = |s: &app::model::dashboard::data::SeriesData| {
        s.points.iter().find(|p| p.1.is_finite()).unwrap().0
    };
    assert_eq!(first(shifted) - first(current), 3_600_000, "{series:?}");
    assert_eq!(view.panels[1].series.len(), 1);

    // A bad shift keeps the page and says so.
    let (status, view) = console
        .post_json(
            "load_dashboard",
            json!({"uid": "shared", "params": [["from", "now-1h"], ["compare", "lastweek"]], "panel": null}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        view["notices"].to_string().contains("compare=lastweek"),
        "{view}"
    );
}
