//! Server functions of the dashboards feature.

mod compatibility;
mod list_dashboards;
mod load_dashboard;
mod load_panels;

pub use compatibility::*;
pub use list_dashboards::*;
pub use load_dashboard::*;
pub use load_panels::*;
