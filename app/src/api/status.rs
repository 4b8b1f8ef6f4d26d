//! Server functions of the troubleshooting pages.

mod cardinality;
mod targets;

pub use cardinality::*;
pub use targets::*;
