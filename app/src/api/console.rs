//! Server functions about the console itself.

mod list_datasources;
mod whoami;

pub use list_datasources::*;
pub use whoami::*;
