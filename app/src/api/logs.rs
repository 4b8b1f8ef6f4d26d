//! Server functions that read Loki.

mod logql_completions;
mod logs_volume;
mod query_logs;

pub use logql_completions::*;
pub use logs_volume::*;
pub use query_logs::*;
