//! Generic widgets shared by pages.

pub mod chart;
pub mod feedback;
pub mod layout;
pub mod pickers;
pub mod series_table;
