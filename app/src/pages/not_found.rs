//! The page for routes the console does not have.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <div
            class="console"
            data-theme=crate::components::layout::initial_theme()
            data-kiosk="true"
        >
            <main class="content" id="content" data-testid="not-found">
                <h1>"Page not found"</h1>
                <p>
                    "This address is not part of Octoscope. Go to " <a href="/">"the home page"</a>
                    "."
                </p>
            </main>
        </div>
    }
}
