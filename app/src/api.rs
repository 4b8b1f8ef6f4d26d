//! Server functions, one per file, grouped by the backend they read.

pub mod console;
pub mod error;
pub mod prometheus;

pub use error::AppError;

/// The backends handed to server functions as context by the axum server.
#[cfg(feature = "ssr")]
pub(crate) fn backends() -> Result<crate::backend::Backends, AppError> {
    leptos::prelude::use_context::<crate::backend::Backends>()
        .ok_or_else(|| AppError::ServerFn("backends are not configured in this server".into()))
}
