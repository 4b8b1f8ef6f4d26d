//! The OctoLLM platform, simulated: each service exposes its own `/metrics`; a traffic engine
//! drives requests through orchestrator → reflex-layer → arms with a daily shape, noise and
//! correlated latency and errors; incidents bend that traffic; and Loki-, Jaeger- and
//! Tempo-shaped read APIs answer over the same requests' logs and traces.

pub mod catalog;
pub mod engine;
pub mod http;
pub mod incidents;
pub mod kube;
pub mod logql;
pub mod metrics;
pub mod smtp;
pub mod store;
pub mod traceql;

use engine::{Sim, SimConfig};
use http::SharedSim;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Where each face of the simulator listens (all on 127.0.0.1; port 0 picks a free one).
#[derive(Debug, Clone)]
pub struct Ports {
    /// One per `catalog::SERVICES` entry, in that order.
    pub services: Vec<u16>,
    pub control: u16,
    pub loki: u16,
    pub jaeger: u16,
    pub tempo: u16,
    /// The SMTP sink for Alertmanager's email receivers.
    pub smtp: u16,
}

/// Binds every listener, spawns the servers and the 1 s traffic ticker on the current tokio
/// runtime, and returns the shared simulation with each face's bound address.
pub async fn start(
    cfg: SimConfig,
    ports: &Ports,
) -> Result<(SharedSim, Vec<(&'static str, SocketAddr)>), String> {
    let sim: SharedSim = Arc::new(Mutex::new(Sim::new(cfg)));
    let mut faces: Vec<(u16, axum::Router, &'static str)> = Vec::new();
    for (i, port) in ports.services.iter().enumerate() {
        faces.push((
            *port,
            http::service_router(sim.clone(), i),
            catalog::SERVICES[i].name,
        ));
    }
    faces.push((ports.control, http::control_router(sim.clone()), "control"));
    faces.push((ports.loki, http::loki_router(sim.clone()), "loki"));
    faces.push((ports.jaeger, http::jaeger_router(sim.clone()), "jaeger"));
    faces.push((ports.tempo, http::tempo_router(sim.clone()), "tempo"));
    let mut addrs = Vec::new();
    for (port, router, name) in faces {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        addrs.push((name, listener.local_addr().map_err(|e| e.to_string())?));
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
    }
    let smtp_addr = SocketAddr::from(([127, 0, 0, 1], ports.smtp));
    let smtp = tokio::net::TcpListener::bind(smtp_addr)
        .await
        .map_err(|e| format!("cannot listen on {smtp_addr}: {e}"))?;
    addrs.push(("smtp", smtp.local_addr().map_err(|e| e.to_string())?));
    tokio::spawn(smtp::serve(smtp, sim.clone()));
    let ticker = sim.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(1));
        let mut last = http::now_ms();
        loop {
            interval.tick().await;
            let now = http::now_ms();
            let dt = ((now - last) as f64 / 1000.0).clamp(0.001, 5.0);
            last = now;
            ticker
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .tick(now, dt);
        }
    });
    Ok((sim, addrs))
}
