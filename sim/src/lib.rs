//! The OctoLLM platform, simulated: each service exposes its own `/metrics`; a traffic engine
//! drives requests through orchestrator → reflex-layer → arms with a daily shape, noise and
//! correlated latency and errors; incidents bend that traffic; and Loki-, Jaeger- and
//! Tempo-shaped read APIs answer over the same requests' logs and traces.

pub mod catalog;
pub mod engine;
pub mod http;
pub mod incidents;
pub mod logql;
pub mod metrics;
pub mod store;
pub mod traceql;
