//! Server functions, one per file, grouped by the backend they read.

pub mod alerting;
pub mod console;
pub mod dashboards;
pub mod error;
pub mod logs;
pub mod playlists;
pub mod prometheus;
pub mod slo;
pub mod status;
pub mod traces;

pub use error::AppError;

/// A page's resource over a server function: `Resource::new` with the [`Json`] codec, so the
/// browser reads hydration data with the reader it reads answers with (see `model::json`).
///
/// [`Json`]: crate::model::json::Json
#[track_caller]
pub fn resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> leptos::prelude::Resource<T, crate::model::json::Json>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    leptos::prelude::Resource::new_with_options(source, fetcher, false)
}

/// The backends handed to server functions as context by the axum server.
#[cfg(feature = "ssr")]
pub(crate) fn backends() -> Result<crate::backend::Backends, AppError> {
    leptos::prelude::use_context::<crate::backend::Backends>()
        .ok_or_else(|| AppError::ServerFn("backends are not configured in this server".into()))
}

/// The user of this request, as the server established it (anonymous viewer if it did not).
#[cfg(feature = "ssr")]
pub(crate) fn current_user() -> crate::model::auth::CurrentUser {
    use crate::model::auth::{CurrentUser, Role};
    use leptos::prelude::use_context;
    // The server's auth middleware puts the user into the request's extensions.
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<CurrentUser>().cloned())
        .or_else(use_context::<CurrentUser>)
        .unwrap_or(CurrentUser {
            name: crate::model::auth::ANONYMOUS.into(),
            role: Role::Viewer,
            can_sign_out: false,
        })
}

/// Refuses writes from users below the editor role, saying why.
#[cfg(feature = "ssr")]
pub(crate) fn require_editor() -> Result<crate::model::auth::CurrentUser, AppError> {
    let user = current_user();
    match user.cannot_write() {
        Some(why) => Err(AppError::Forbidden(why)),
        None => Ok(user),
    }
}

/// Wall-clock milliseconds on the server.
#[cfg(feature = "ssr")]
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wall-clock milliseconds where the code runs: the server's clock during SSR, the browser's
/// after hydration (for hints such as example times; never for data).
pub fn now_ms_anywhere() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(all(feature = "ssr", not(feature = "hydrate")))]
    {
        now_ms()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        0
    }
}

/// The datasource named by `uid` (it must be of `kind`), or the default one of that kind.
#[cfg(feature = "ssr")]
pub(crate) fn datasource_of(
    backends: &crate::backend::Backends,
    kind: crate::model::datasource::DatasourceKind,
    uid: Option<String>,
) -> Result<std::sync::Arc<crate::backend::Datasource>, AppError> {
    match uid.filter(|u| !u.is_empty()) {
        Some(uid) => backends
            .registry
            .by_uid(&uid)
            .filter(|d| d.kind == kind)
            .ok_or(AppError::UnknownDatasource { uid }),
        None => backends
            .registry
            .default_of(kind)
            .ok_or(AppError::NoDatasource { kind }),
    }
}
