//! The embedded page's side of the embedding protocol (`model::embed`). Inside a frame whose
//! host is listed under `[embedding] allowed_origins` (the server writes the list into the page's
//! `<meta name="octoscope-embed-origins">`), it applies the host's `octoscope:set` messages to the
//! URL and reports readiness, content height, zooms and chart clicks to that host only. Messages
//! from other origins are ignored and logged in the browser console.

use leptos::prelude::*;

/// Mounted once inside the router; renders nothing.
#[component]
pub fn EmbedBridge() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::install();
}

/// Tells the host about a click on a chart (nothing when the page is not embedded).
pub fn report_click(panel: u32, series: Option<String>, time: i64) {
    #[cfg(feature = "hydrate")]
    browser::post(&crate::model::embed::Report::Click {
        version: crate::model::embed::VERSION,
        panel,
        series,
        time,
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (panel, series, time);
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::components::pickers::current_pairs;
    use crate::model::embed::{self, Report, VERSION};
    use crate::model::url_state::with_params;
    use leptos::prelude::*;
    use leptos_router::hooks::{use_location, use_navigate, use_query_map};
    use std::cell::RefCell;

    thread_local! {
        /// The allowed origin of the page framing this one, once known.
        static HOST: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Sends `report` to the host, if there is an allowed one.
    pub fn post(report: &Report) {
        let Some(origin) = HOST.with(|h| h.borrow().clone()) else {
            return;
        };
        let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
            return;
        };
        if let Ok(message) = js_sys::JSON::parse(&report.to_json()) {
            let _ = parent.post_message(&message, &origin);
        }
    }

    fn warn(text: String) {
        web_sys::console::warn_1(&text.into());
    }

    fn allowed_origins(doc: &web_sys::Document) -> Vec<String> {
        doc.query_selector("meta[name=octoscope-embed-origins]")
            .ok()
            .flatten()
            .and_then(|m| m.get_attribute("content"))
            .map(|c| c.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The bottom of the page's content in px: the layout itself stretches to the frame, so its
    /// height would never shrink.
    fn content_height(win: &web_sys::Window, doc: &web_sys::Document) -> u32 {
        let Some(main) = doc.get_element_by_id("content") else {
            return doc
                .document_element()
                .map_or(0, |e| e.scroll_height().max(0) as u32);
        };
        let children = main.children();
        let bottom = (0..children.length())
            .filter_map(|i| children.item(i))
            .map(|c| c.get_bounding_client_rect().bottom())
            .fold(main.get_bounding_client_rect().top(), f64::max);
        let scrolled = win.scroll_y().unwrap_or(0.0);
        (bottom + scrolled + 16.0).ceil().max(0.0) as u32
    }

    pub fn install() {
        let Some(win) = web_sys::window() else {
            return;
        };
        let framed = win
            .top()
            .ok()
            .flatten()
            .is_some_and(|top| !js_sys::Object::is(&top, &win));
        let Some(doc) = win.document() else {
            return;
        };
        let allowed = allowed_origins(&doc);
        if !framed || allowed.is_empty() {
            return;
        }
        // `location.ancestorOrigins` (Chromium, WebKit; web-sys does not bind it).
        let ancestor = js_sys::Reflect::get(&win.location(), &"ancestorOrigins".into())
            .ok()
            .filter(|l| !l.is_undefined())
            .and_then(|l| js_sys::Reflect::get(&l, &0.into()).ok())
            .and_then(|o| o.as_string());
        let host = embed::host_origin(ancestor.as_deref(), &doc.referrer(), &allowed);
        HOST.with(|h| *h.borrow_mut() = host);

        let navigate = use_navigate();
        let query = use_query_map();
        let location = use_location();
        // The range the host last set: its own change is not reported back as a zoom.
        let host_range = StoredValue::new(None::<(Option<String>, Option<String>)>);
        let listener = window_event_listener(leptos::ev::message, move |ev| {
            let origin = ev.origin();
            if !embed::origin_allowed(&origin, &allowed) {
                warn(format!("octoscope: ignored a message from {origin}: that origin is not listed under [embedding] allowed_origins"));
                return;
            }
            let json = js_sys::JSON::stringify(&ev.data())
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            match embed::parse_set(&json) {
                Ok(set) => {
                    let pairs = embed::apply(&query.with_untracked(current_pairs), &set);
                    let get = |k: &str| {
                        pairs
                            .iter()
                            .rev()
                            .find(|(n, _)| n == k)
                            .map(|(_, v)| v.clone())
                    };
                    host_range.set_value(Some((get("from"), get("to"))));
                    navigate(
                        &format!(
                            "{}{}",
                            location.pathname.get_untracked(),
                            with_params(&pairs, &[])
                        ),
                        Default::default(),
                    );
                }
                Err(e) => warn(format!("octoscope: ignored a message from {origin}: {e}")),
            }
        });
        // Lives as long as the page.
        std::mem::forget(listener);

        Effect::new(move |prev: Option<(Option<String>, Option<String>)>| {
            let range = query.with(|q| (q.get("from"), q.get("to")));
            let changed = prev.is_some_and(|p| p != range);
            if changed && host_range.get_value().as_ref() != Some(&range) {
                if let (Some(from), Some(to)) = range.clone() {
                    post(&Report::Zoom {
                        version: VERSION,
                        from,
                        to,
                    });
                }
            }
            range
        });

        let height = content_height(&win, &doc);
        post(&Report::Ready {
            version: VERSION,
            path: location.pathname.get_untracked(),
            search: location.search.get_untracked(),
            height,
        });
        // Heights change with data, rows opened, the frame's width: checked twice a second.
        let last = StoredValue::new(height);
        let _ = set_interval_with_handle(
            move || {
                let (Some(win), Some(doc)) = (
                    web_sys::window(),
                    web_sys::window().and_then(|w| w.document()),
                ) else {
                    return;
                };
                let h = content_height(&win, &doc);
                if h != last.get_value() {
                    last.set_value(h);
                    post(&Report::Resize {
                        version: VERSION,
                        height: h,
                    });
                }
            },
            std::time::Duration::from_millis(500),
        );
    }
}
