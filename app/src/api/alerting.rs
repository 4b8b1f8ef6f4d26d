//! Server functions for rules, Alertmanager groups and silences.

mod alert_groups;
mod create_silence;
mod expire_silence;
mod list_rules;
mod list_silences;
mod silence_preview;
mod silence_what_if;

pub use alert_groups::*;
pub use create_silence::*;
pub use expire_silence::*;
pub use list_rules::*;
pub use list_silences::*;
pub use silence_preview::*;
pub use silence_what_if::*;
