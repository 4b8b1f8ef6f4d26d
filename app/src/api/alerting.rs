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

/// When this user last wrote to Alertmanager through any replica (the write cookie), for the
/// reads of this request; only editors write, so only theirs count.
#[cfg(feature = "ssr")]
pub(crate) fn written_after() -> i64 {
    use crate::model::alerting::written_at;
    if crate::api::current_user().cannot_write().is_some() {
        return 0;
    }
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let cookie = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::COOKIE))
        .and_then(|v| v.to_str().ok());
    written_at(cookie, crate::api::now_ms())
}

/// Tells every replica that this user has just written (the write cookie on this answer).
#[cfg(feature = "ssr")]
pub(crate) fn mark_written() {
    use crate::model::alerting::{WRITTEN_COOKIE, WRITTEN_FOR_MS};
    let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let cookie = format!(
        "{WRITTEN_COOKIE}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax",
        crate::api::now_ms(),
        WRITTEN_FOR_MS / 1000
    );
    if let Ok(v) = http::HeaderValue::from_str(&cookie) {
        resp.append_header(http::header::SET_COOKIE, v);
    }
}
