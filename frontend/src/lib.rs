//! Browser entry point: hydrates the server-rendered page, then marks `<body data-hydrated>` so
//! tests (and people) know the page is interactive.
// The app's deepest views (the trace waterfall) need more than the default in release builds.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
