//! Server functions of the troubleshooting pages.

mod cardinality;
mod pipeline;
mod targets;

pub use cardinality::*;
pub use pipeline::*;
pub use targets::*;
