//! Server functions about the console itself.

mod list_datasources;

pub use list_datasources::*;
