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

fn range_reads(seen: &Mutex<Vec<String>>) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("/api/v1/query_range"))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_viewers_of_one_dashboard_cost_one_read_per_distinct_query() {
    let (upstream, seen) = slow_upstream();
    let dir = support::provisioning(&[(
        "ds.yaml",
        &format!(
            "apiVersion: 1\ndatasources:\n  - name: Slow\n    uid: slow\n    type: prometheus\n    url: http://{upstream}\n    isDefault: true\n"
        ),
    )]);
    let dash = dir.path().join("dash");
    std::fs::create_dir_all(&dash).unwrap();
    let panel = |id: u32, expr: &str| {
        json!({"id": id, "type": "timeseries", "title": format!("p{id}"),
               "gridPos": {"x": 0, "y": id * 8, "w": 24, "h": 8},
               "targets": [{"refId": "A", "expr": expr}]})
    };
    std::fs::write(
        dash.join("d.json"),
        json!({"uid": "shared", "title": "Shared", "schemaVersion": 39, "panels": [
            panel(1, "sum(rate(http_requests_total[5m]))"),
            panel(2, "up"),
            panel(3, "tasks_in_progress"),
            // The same query as panel 2: one read serves both.
            panel(4, "up"),
        ]})
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
    let param = |r: &str, name: &str| -> f64 {
        let at = r.find(&format!("&{name}=")).unwrap() + name.len() + 2;
        r[at..].split(['&', ' ']).next().unwrap().parse().unwrap()
    };
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
