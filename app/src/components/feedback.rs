//! Messages shown in place: errors that say what to do next, warnings, empty states.

use leptos::prelude::*;

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
