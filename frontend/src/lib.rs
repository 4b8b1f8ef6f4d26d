//! Browser entry point: hydrates the server-rendered page, then marks `<body data-hydrated>` so
//! tests (and people) know the page is interactive.
// The app's deepest views (the trace waterfall) need more than the default in release builds.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A release wasm aborts on a panic without calling any hook (README, "A panic aborts without
    // a word"); a debug one says why in the console.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // The route's view lives in a wasm chunk of its own (app/src/routes.rs): it is loaded first,
    // then the page hydrates in one synchronous pass and the marker follows.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("a page has a body");
        app::routes::load_rendered_page().await;
        leptos::mount::hydrate_body(app::App);
        let _ = body.set_attribute("data-hydrated", "");
    });
}

/// Room for wasm-split to lay out the data segment again: it gives each output module its share
/// of `.rodata`, each share aligned, and when the shares and their padding outgrow the linked
/// segment it keeps the whole segment in the main module (84 KB more there with seven split
/// points). The linker keeps this (`#[used]`) and nothing refers to it, so wasm-split gives it to
/// no module and its bytes absorb the padding.
#[used]
static SPLIT_DATA_SLACK: [u8; 2048] = [0xa5; 2048];
