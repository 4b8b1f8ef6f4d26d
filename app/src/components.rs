//! Generic widgets shared by pages.

pub mod chart;
pub mod feedback;
pub mod layout;
pub mod panel;
pub mod pickers;
pub mod prefs;
pub mod query_editor;
pub mod series_table;
pub mod timeseries;
pub mod zone;
