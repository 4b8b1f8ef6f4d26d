//! Server functions that read Loki.

mod query_logs;

pub use query_logs::*;
