//! The real binary re-reads provisioning on SIGHUP while requests keep being served, and
//! `POST /api/admin/reload` does the same for admins only.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DS: &str = "apiVersion: 1\ndatasources:\n  - name: {name}\n    uid: {name}\n    type: prometheus\n    url: http://127.0.0.1:9\n";

fn datasource(dir: &std::path::Path, name: &str) {
    std::fs::write(
        dir.join("datasources").join(format!("{name}.yaml")),
        DS.replace("{name}", name),
    )
    .unwrap();
}

struct Console(Child);

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(provisioning: &std::path::Path, role: &str) -> (Console, String) {
    let port = octoscope_harness::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_octoscope"))
        .arg("serve")
        .env("OCTOSCOPE_LISTEN", format!("127.0.0.1:{port}"))
        .env("OCTOSCOPE_PROVISIONING", provisioning)
        .env("OCTOSCOPE_AUTH_ANONYMOUS_ROLE", role)
        .env("OCTOSCOPE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Console(child), format!("http://127.0.0.1:{port}"))
}

async fn uids(http: &reqwest::Client, base: &str) -> Option<Vec<String>> {
    // Viewers see the datasources through the list server function (health shows them to admins).
    let v: serde_json::Value = http
        .post(format!("{base}/api/list_datasources"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let mut uids: Vec<String> = v["datasources"]
        .as_array()?
        .iter()
        .filter_map(|d| d["uid"].as_str().map(String::from))
        .collect();
    uids.sort();
    Some(uids)
}

async fn wait_for(http: &reqwest::Client, base: &str, want: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(u) = uids(http, base).await {
            if u == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "datasources {u:?}, expected {want:?}"
            );
        }
        assert!(Instant::now() < deadline, "the console did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_datasources_without_dropping_requests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("datasources")).unwrap();
    datasource(dir.path(), "first");
    let (console, base) = start(dir.path(), "viewer");
    let http = reqwest::Client::new();
    wait_for(&http, &base, &["first"]).await;

    // Requests keep flowing while the configuration is reloaded.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load = {
        let (stop, ok, failed, http, base) = (
            stop.clone(),
            ok.clone(),
            failed.clone(),
            http.clone(),
            base.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                match http.get(format!("{base}/metrics")).send().await {
                    Ok(r) if r.status() == 200 => ok.fetch_add(1, Ordering::SeqCst),
                    _ => failed.fetch_add(1, Ordering::SeqCst),
                };
            }
        })
    };
    datasource(dir.path(), "second");
    let pid = console.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    wait_for(&http, &base, &["first", "second"]).await;
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    assert!(ok.load(Ordering::SeqCst) > 0);
    assert_eq!(
        failed.load(Ordering::SeqCst),
        0,
        "no request failed during the reload"
    );

    // Viewers may not reload over HTTP.
    let refused = http
        .post(format!("{base}/api/admin/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_reload_over_http() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("datasources")).unwrap();
    datasource(dir.path(), "first");
    let (_console, base) = start(dir.path(), "admin");
    let http = reqwest::Client::new();
    wait_for(&http, &base, &["first"]).await;
    std::fs::remove_file(dir.path().join("datasources/first.yaml")).unwrap();
    datasource(dir.path(), "third");
    let resp = http
        .post(format!("{base}/api/admin/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let report: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(report["datasources"], 1);
    wait_for(&http, &base, &["third"]).await;
}
