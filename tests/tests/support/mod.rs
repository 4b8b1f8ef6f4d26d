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

    pub async fn start_with(config: octoscope::config::Config) -> Console {
        let state = octoscope::build_state(&config).expect("valid auth settings");
        let app =
            octoscope::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
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

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let resp = self.get(path).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }
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
pub async fn start_sim(cfg: octollm_sim::engine::SimConfig) -> octoscope_tests::demo::SimPorts {
    let mut attempt = 0;
    loop {
        let ports = octoscope_tests::demo::SimPorts::free();
        let sim_ports = octollm_sim::Ports {
            services: ports.services.clone(),
            control: ports.control,
            loki: ports.loki,
            jaeger: ports.jaeger,
            tempo: ports.tempo,
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
pub use octoscope_tests::urlencode;

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
) -> (octoscope_tests::demo::DemoStack, String) {
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
        octoscope_tests::demo::DemoStack::start(&repo(), ports)
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
