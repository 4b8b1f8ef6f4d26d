//! Server functions for rules, Alertmanager groups and silences.

mod create_silence;
mod expire_silence;
mod list_alert_groups;
mod list_rules;
mod silence_what_if;

pub use create_silence::*;
pub use expire_silence::*;
pub use list_alert_groups::*;
pub use list_rules::*;
pub use silence_what_if::*;
