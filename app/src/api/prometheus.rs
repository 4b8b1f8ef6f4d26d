//! Server functions that read Prometheus.

mod query_instant;

pub use query_instant::*;
