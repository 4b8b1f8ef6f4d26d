//! Areas the navigation already names but this build does not have yet. Says so plainly instead of
//! showing an empty page.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PlannedPage(area: &'static str, issue: u32) -> impl IntoView {
    view! {
        <Title text=area/>
        <section data-testid="planned-page">
            <h1>{area}</h1>
            <p>
                {format!("{area} is not available in this build yet (tracked as issue {issue}). ")}
                "Meanwhile, " <a href="/explore">"Explore"</a> " queries Prometheus directly."
            </p>
        </section>
    }
}
