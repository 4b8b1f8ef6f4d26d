//! Messages shown in place: errors that say what to do next, warnings, empty states.

use crate::api::AppError;
use leptos::prelude::*;

/// Answers a page whose subject could not be shown (an unknown trace or SLO: 404; its backend
/// down: 502) with the error's status as well as the message, so scripts and link checkers see
/// what the user sees. Server only.
pub fn set_status_for(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(
            http::StatusCode::from_u16(error.http_status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
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
