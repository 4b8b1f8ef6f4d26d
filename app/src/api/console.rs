//! Server functions about the console itself.

mod list_datasources;
mod morning_summary;
mod whoami;

pub use list_datasources::*;
pub use morning_summary::*;
pub use whoami::*;
