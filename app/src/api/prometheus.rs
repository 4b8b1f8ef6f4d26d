//! Server functions that read Prometheus.

mod explore_metrics;
mod promql_completions;
mod query_instant;

pub use explore_metrics::*;
pub use promql_completions::*;
pub use query_instant::*;
