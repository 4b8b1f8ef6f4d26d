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
    use wasm_bindgen::JsCast;
    let Some(list) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("[data-drawn] time[data-ms]").ok())
    else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
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
