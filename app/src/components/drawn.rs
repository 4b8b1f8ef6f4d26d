//! Drawing a page's static parts on the server (see `model::drawn`), and keeping the times in
//! them in the display zone when the user switches it.

#[cfg(feature = "ssr")]
use crate::model::drawn::Drawn;

/// Renders `view` to HTML as the page would, with the request's display zone (from its cookie),
/// in a child owner: it sees what the page provides (the grid's width), and nothing it provides
/// reaches the page.
#[cfg(feature = "ssr")]
pub fn draw<V: leptos::prelude::RenderHtml + 'static>(view: impl FnOnce() -> V) -> Drawn {
    use crate::contexts::DisplayZone;
    use crate::model::timestamp::Zone;
    use leptos::prelude::*;
    let zone = Zone::from_cookie(crate::components::zone::read_cookie().as_deref());
    let owner = Owner::current().map(|o| o.child()).unwrap_or_default();
    Drawn(owner.with(|| {
        provide_context(DisplayZone(RwSignal::new(zone)));
        view().to_html()
    }))
}

/// Rewrites every `<Time>` inside drawn HTML (`[data-drawn]`) in `zone`: the reactive `<Time>`s
/// follow the switch by themselves, the drawn ones are plain HTML.
#[cfg(feature = "hydrate")]
pub fn restamp(zone: crate::model::timestamp::Zone) {
    for el in in_document("[data-drawn] time[data-ms]") {
        let Some(ms) = el.get_attribute("data-ms").and_then(|v| v.parse().ok()) else {
            continue;
        };
        el.set_text_content(Some(&crate::components::zone::stamp(
            zone,
            ms,
            el.has_attribute("data-millis"),
        )));
    }
}

/// The elements under `root` that match `selector`, in document order (browser only): how the
/// listeners on drawn HTML find their parts.
#[cfg(feature = "hydrate")]
pub fn elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect()
}

/// [`elements`] in the whole page.
#[cfg(feature = "hydrate")]
pub fn in_document(selector: &str) -> Vec<web_sys::Element> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .map(|root| elements(&root, selector))
        .unwrap_or_default()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::components::zone::Time;
    use leptos::prelude::*;

    #[test]
    fn drawn_html_is_escaped_like_any_view_and_stamps_times_for_the_restamp() {
        let d = draw(|| view! { <td>"<b>"<Time ms=1_700_000_000_000 /></td> }).0;
        assert!(d.contains("&lt;b&gt;"), "{d}");
        assert!(d.contains("data-ms=\"1700000000000\""), "{d}");
        assert!(d.contains("2023-11-14 22:13:20 UTC"), "{d}");
    }
}
