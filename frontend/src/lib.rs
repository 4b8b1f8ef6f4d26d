//! Browser entry point: hydrates the server-rendered page, then marks `<body data-hydrated>` so
//! tests (and people) know the page is interactive.
// The app's deepest views (the trace waterfall) need more than the default in release builds.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous: the route's view lives in a wasm chunk of its own (app/src/routes.rs), which
    // is loaded before the page hydrates; the marker follows the hydration, not the call.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("a page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "");
    });
}
