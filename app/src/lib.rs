//! Octoscope's UI: the HTML shell, the app component and its route table.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod contexts;
pub mod model;
pub mod pages;

use components::layout::ConsoleLayout;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};
use pages::not_found::NotFoundPage;
use routes::*;

pub mod routes;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Who may frame this page and talk to it (`components::embed`).
    let embed_origins = use_context::<contexts::EmbedOrigins>()
        .map(|o| o.0.join(" "))
        .filter(|o| !o.is_empty());
    // The first page's code comes as one pack (model::bundle): its loader runs after the page's
    // metas, which name the page's group.
    let pack_loader = use_context::<model::bundle::SplitChunks>()
        .and_then(|c| c.pack_loader().map(str::to_string));
    let nonce = leptos::nonce::use_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {embed_origins.map(|o| view! { <meta name="octoscope-embed-origins" content=o /> })}
                // Named by content hash when the build hashed it (cached as immutable).
                <HashedStylesheet options=options.clone() id="octoscope" />
                <HydrationScripts options />
                {routes::preload_packs_not_chunks()}
                <MetaTags />
                {pack_loader.map(|js| view! { <script nonce=nonce inner_html=js></script> })}
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Tables drawn on the server sort wherever they show (a dashboard, a solo panel).
    components::panel::table::install_sorting();
    view! {
        <Title formatter=|page: String| model::html::page_title(&page) />
        // Async SSR: the server waits for the data and sends finished HTML, so pages are complete
        // with JavaScript disabled and in the first response (no fallbacks patched in later).
        <Router>
            <components::embed::EmbedBridge />
            <Routes fallback=NotFoundPage>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=Home::page() ssr=SsrMode::Async />
                    <Route path=path!("explore") view=explore_page ssr=SsrMode::Async />
                    <Route path=path!("alerting/list") view=AlertRules::page() ssr=SsrMode::Async />
                    <Route
                        path=path!("alerting/groups")
                        view=AlertGroups::page()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("alerting/silences")
                        view=Silences::page()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("alerting/silence/new")
                        view=NewSilence::page()
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("dashboards") view=DashboardList::page() ssr=SsrMode::Async />
                    <Route
                        path=path!("dashboards/compatibility")
                        view=Compatibility::page()
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("d/:uid") view=Dashboard::page() ssr=SsrMode::Async />
                    <Route path=path!("d/:uid/:slug") view=Dashboard::page() ssr=SsrMode::Async />
                    <Route path=path!("status/targets") view=Targets::page() ssr=SsrMode::Async />
                    <Route
                        path=path!("status/cardinality")
                        view=Cardinality::page()
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("status/alerting")
                        view=AlertPipeline::page()
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("playlists") view=PlaylistList::page() ssr=SsrMode::Async />
                    <Route path=path!("playlists/:name") view=Playlist::page() ssr=SsrMode::Async />
                    <Route path=path!("slo") view=SloList::page() ssr=SsrMode::Async />
                    <Route path=path!("slo/:name") view=SloDetail::page() ssr=SsrMode::Async />
                    <Route path=path!("traces") view=trace_search_page ssr=SsrMode::Async />
                    <Route path=path!("trace/:id") view=Trace::page() ssr=SsrMode::Async />
                </ParentRoute>
                <Route path=path!("login") view=Login::page() ssr=SsrMode::Async />
                <Route path=path!("d-solo/:uid") view=SoloPanel::page() ssr=SsrMode::Async />
                <Route path=path!("d-solo/:uid/:slug") view=SoloPanel::page() ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}

/// The vendored renderer's finished paths (vendor/README.md).
#[cfg(all(test, feature = "ssr"))]
mod renderer_tests {
    use leptos::prelude::*;
    use leptos::tachys::html::attribute::custom::custom_attribute;
    use leptos::tachys::view::add_attr::AddAnyAttr;

    #[test]
    fn an_element_with_26_attributes_takes_a_27th() {
        let full = view! {
            <div
                data-a1="1"
                data-a2="2"
                data-a3="3"
                data-a4="4"
                data-a5="5"
                data-a6="6"
                data-a7="7"
                data-a8="8"
                data-a9="9"
                data-a10="10"
                data-a11="11"
                data-a12="12"
                data-a13="13"
                data-a14="14"
                data-a15="15"
                data-a16="16"
                data-a17="17"
                data-a18="18"
                data-a19="19"
                data-a20="20"
                data-a21="21"
                data-a22="22"
                data-a23="23"
                data-a24="24"
                data-a25="25"
                data-a26="26"
            ></div>
        };
        let html = full
            .add_any_attr(custom_attribute("data-a27", "27"))
            .to_html();
        for i in 1..=27 {
            assert!(
                html.contains(&format!(r#"data-a{i}="{i}""#)),
                "a{i} in {html}"
            );
        }
    }

    #[test]
    fn an_attribute_on_a_signal_goes_on_what_it_renders() {
        let owner = Owner::new();
        owner.with(|| {
            let shown = RwSignal::new(view! { <span>"x"</span> });
            let html = shown
                .add_any_attr(custom_attribute("data-k", "v"))
                .to_html();
            assert!(html.contains(r#"<span data-k="v">x</span>"#), "{html}");
        });
    }
}
