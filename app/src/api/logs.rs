//! Server functions that read Loki.

mod logs_volume;
mod query_logs;

pub use logs_volume::*;
pub use query_logs::*;
