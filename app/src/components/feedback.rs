//! Messages shown in place: errors that say what to do next, warnings, empty states.

use crate::api::AppError;
use leptos::prelude::*;

/// Answers a page whose subject does not exist (an unknown trace, SLO, …) with HTTP 404 as well
/// as the message, so scripts and link checkers see what the user sees. Server only.
pub fn set_status_for(error: &AppError) {
    #[cfg(feature = "ssr")]
    if matches!(error, AppError::NotFound(_)) {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="notice error" role="alert" data-testid="error">
            {message}
        </div>
    }
}

#[component]
pub fn Warnings(warnings: Vec<String>) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        view! {
            <ul class="notice warning" data-testid="warnings">
                {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
            </ul>
        }
    })
}
