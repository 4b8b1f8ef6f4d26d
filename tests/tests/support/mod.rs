//! Starts the console in-process on a free loopback port, pointed at a provisioning directory.

#![allow(dead_code)]

use std::path::Path;

pub struct Console {
    pub base: String,
    pub http: reqwest::Client,
    _server: tokio::task::JoinHandle<()>,
}

impl Console {
    pub async fn start(provisioning: Option<&Path>) -> Console {
        let mut config = octoscope::config::Config::default();
        config.paths.provisioning = provisioning.map(Path::to_path_buf);
        Self::start_with(config).await
    }

    /// The console with every anonymous user an admin: health shows the datasources.
    pub async fn start_admin(provisioning: Option<&Path>) -> Console {
        let mut config = octoscope::config::Config::default();
        config.paths.provisioning = provisioning.map(Path::to_path_buf);
        config.auth.anonymous_role = octoscope::config::Role::Admin;
        Self::start_with(config).await
    }

    pub async fn start_with(config: octoscope::config::Config) -> Console {
        let state = octoscope::build_state(&config).expect("valid auth settings");
        let app = octoscope::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let timeouts = octoscope::serve::Timeouts::from_config(&config.server);
        let server = tokio::spawn(async move {
            octoscope::serve::serve(listener, app, timeouts, std::future::pending()).await;
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Console {
            base,
            http,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// POSTs a JSON body to server function `endpoint` (`/api/<endpoint>`).
    pub async fn post_json(
        &self,
        endpoint: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let resp = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// POSTs a form-encoded body to server function `endpoint` (`/api/<endpoint>`); returns the
    /// status and the body as JSON (Null when it is not JSON).
    pub async fn post_form(&self, endpoint: &str, body: &str) -> (u16, serde_json::Value) {
        let resp = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
}

/// A loopback upstream that reports every request head it receives and answers each with
/// `response` (a full HTTP/1.1 response).
pub fn recording_upstream(
    response: &'static str,
) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for sock in upstream.incoming() {
            let Ok(mut sock) = sock else { return };
            let mut buf = vec![0u8; 8192];
            let n = std::io::Read::read(&mut sock, &mut buf).unwrap_or(0);
            if tx
                .send(String::from_utf8_lossy(&buf[..n]).to_string())
                .is_err()
            {
                return;
            }
            let _ = std::io::Write::write_all(&mut sock, response.as_bytes());
        }
    });
    (addr, rx)
}

/// A waterfall row of a `get_trace`/`trace_rows` answer, decoded as the page decodes it (rows
/// travel as arrays).
pub fn window_row(v: &serde_json::Value) -> app::model::trace_window::WindowRow {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not a window row ({e}): {v}"))
}

/// Writes a datasources provisioning file into a fresh directory.
pub fn provisioning(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("datasources")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("datasources").join(name), text).unwrap();
    }
    dir
}

/// Starts the OctoLLM simulator in-process (on this test's runtime) on free loopback ports.
/// Tests run in parallel and each takes free ports: another test's process can bind a port
/// between "free" and "listen", so a taken port means fresh ports and another try.
pub async fn start_sim(cfg: octollm_sim::engine::SimConfig) -> octoscope_harness::demo::SimPorts {
    let mut attempt = 0;
    loop {
        let ports = octoscope_harness::demo::SimPorts::free();
        let sim_ports = octollm_sim::Ports {
            services: ports.services.clone(),
            control: ports.control,
            loki: ports.loki,
            jaeger: ports.jaeger,
            tempo: ports.tempo,
            smtp: ports.smtp,
        };
        match octollm_sim::start(cfg.clone(), &sim_ports).await {
            Ok(_) => return ports,
            Err(e) if attempt < 5 && e.to_string().contains("in use") => attempt += 1,
            Err(e) => panic!("the simulator does not start: {e}"),
        }
    }
}

// Not every test binary encodes URLs.
#[allow(unused_imports)]
pub use octoscope_harness::urlencode;

/// The workspace root (for `deploy/demo` and `provisioning`).
pub fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The simulator (in-process) with the demo stack around it; also returns the simulator's
/// control URL for injecting incidents.
pub async fn start_demo(
    seed: u64,
    base_rate: Option<f64>,
) -> (octoscope_harness::demo::DemoStack, String) {
    start_demo_with(seed, base_rate, octoscope_harness::demo::Engine::Prometheus).await
}

/// [`start_demo`] with the given metrics engines.
pub async fn start_demo_with(
    seed: u64,
    base_rate: Option<f64>,
    engine: octoscope_harness::demo::Engine,
) -> (octoscope_harness::demo::DemoStack, String) {
    let mut cfg = octollm_sim::engine::SimConfig {
        seed,
        ..Default::default()
    };
    if let Some(r) = base_rate {
        cfg.base_rate = r;
    }
    let ports = start_sim(cfg).await;
    let control = format!("http://{}", ports.control_addr());
    let stack = tokio::task::spawn_blocking(move || {
        octoscope_harness::demo::DemoStack::start_with(&repo(), ports, engine)
    })
    .await
    .expect("the harness thread")
    .expect("the demo stack starts");
    (stack, control)
}

/// Starts an incident through the simulator's control API (it must be accepted: 201).
pub async fn inject(control: &str, kind: &str, target: &str, duration: &str) -> serde_json::Value {
    let resp = reqwest::Client::new()
        .post(format!("{control}/sim/incidents"))
        .json(&serde_json::json!({"kind": kind, "target": target, "duration": duration}))
        .send()
        .await
        .expect("the simulator answers");
    assert_eq!(resp.status(), 201);
    resp.json().await.expect("the incident as JSON")
}
