//! Display preferences (time zone, theme) kept in cookies, so the server's first HTML already
//! shows them and hydration agrees. Preferences, not credentials: readable by the page, a year.

/// The preference `name` from the request (server) or `document.cookie` (browser).
pub fn read(name: &str) -> Option<String> {
    cookie_in(&cookie_header()?, name)
}

/// Remembers a preference for a year (browser only; the server never writes them).
#[cfg(feature = "hydrate")]
pub fn write(name: &str, value: &str) {
    use wasm_bindgen::JsCast;
    if let Some(doc) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let _ = doc.set_cookie(&format!(
            "{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax"
        ));
    }
}

#[cfg(not(feature = "hydrate"))]
pub fn write(_name: &str, _value: &str) {}

#[cfg(feature = "ssr")]
fn cookie_header() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    Some(
        parts
            .headers
            .get(http::header::COOKIE)?
            .to_str()
            .ok()?
            .to_string(),
    )
}

#[cfg(feature = "hydrate")]
fn cookie_header() -> Option<String> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window()?.document()?;
    doc.dyn_into::<web_sys::HtmlDocument>().ok()?.cookie().ok()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn cookie_header() -> Option<String> {
    None
}

fn cookie_in(header: &str, name: &str) -> Option<String> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_one_cookie_among_others() {
        let h = "octoscope_session=abc; octoscope_theme=dark; octoscope_tz=utc";
        assert_eq!(
            super::cookie_in(h, "octoscope_theme").as_deref(),
            Some("dark")
        );
        assert_eq!(super::cookie_in(h, "octoscope_tz").as_deref(), Some("utc"));
        assert_eq!(super::cookie_in(h, "missing"), None);
    }
}
