//! The wall-screen player: on a page opened from a playlist (`playlist=…&playlist_index=…` in the
//! URL), a slim bar says which playlist, which item and what comes next, and after the
//! playlist's interval the page moves on to the next item (wrapping). "Stop" leaves the current
//! dashboard on screen without kiosk.
//!
//! The server draws the bar (it reads the playlist where it is provisioned) and the next item is
//! loaded as a new page: the browser keeps only a timer. So a wall screen that plays for days
//! starts every item fresh, and the code every page loads holds no playlist reader, resource or
//! view for it. A link that starts playing ([`PlayLink`]) loads a new page for the same reason:
//! the bar comes with the page.

use crate::model::playlist::{PARAM_INDEX, PARAM_NAME};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PlaylistPlayer() -> impl IntoView {
    let query = use_query_map();
    let playing = Memo::new(move |_| {
        query.with(|q| {
            let name = q.get(PARAM_NAME)?;
            let index = q
                .get(PARAM_INDEX)
                .and_then(|i| i.parse::<usize>().ok())
                .unwrap_or(0);
            Some((name, index))
        })
    });
    move || {
        playing
            .get()
            .map(|(name, index)| view! { <PlaylistBar name index /> })
    }
}

/// A link that starts playing: to `href` (`model::playlist::item_url`) as a new page, since the
/// server draws the player's bar with the page and a client-side navigation would bring none.
/// `button`: shown as the "▶ Play" button (`data-testid="play"`).
#[component]
pub fn PlayLink(href: String, #[prop(optional)] button: bool, children: Children) -> impl IntoView {
    view! {
        <a
            href=href
            rel="external"
            class=button.then_some("button")
            data-testid=button.then_some("play")
        >
            {children()}
        </a>
    }
}

/// The bar as the server drew it; in the browser, the timer that loads the next item.
#[component]
fn PlaylistBar(name: String, index: usize) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let html = {
        let stop = server::stop_href();
        crate::components::drawn::draw(move || server::bar(&name, index, &stop)).0
    };
    #[cfg(not(feature = "ssr"))]
    let html = {
        let _ = (name, index);
        String::new()
    };
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            browser::advance(&el);
        }
    });
    view! { <div class="playlist-slot" data-drawn="" node_ref=node inner_html=html></div> }
}

#[cfg(feature = "ssr")]
mod server {
    use crate::components::pickers::current_pairs;
    use crate::model::duration::format_ms;
    use crate::model::playlist::{item_url, next_index, stop_pairs};
    use crate::model::url_state::with_params;
    use leptos::prelude::*;
    use leptos_router::hooks::{use_location, use_query_map};

    /// This page without the player's parameters and kiosk.
    pub fn stop_href() -> String {
        let pairs = use_query_map().with_untracked(current_pairs);
        format!(
            "{}{}",
            use_location().pathname.get_untracked(),
            with_params(&stop_pairs(&pairs), &[])
        )
    }

    /// The bar for item `index` of playlist `name`: what plays, what comes next and when
    /// (`data-next`, `data-interval-ms`: the browser's timer reads them), and Stop (`stop`).
    pub fn bar(name: &str, index: usize, stop: &str) -> AnyView {
        let p = match crate::api::playlists::find(name) {
            Ok(p) => p,
            Err(e) => {
                return view! {
                    <div class="playlist-bar error" data-testid="playlist-bar">
                        {e.to_string()}
                    </div>
                }
                .into_any()
            }
        };
        let n = p.items.len().max(1);
        let shown = index % n;
        let next = next_index(&p, shown);
        let text = format!(
            "▶ {} · {}/{n} · next: {} in {}",
            p.title,
            shown + 1,
            p.items[next].dashboard,
            format_ms(p.interval_ms),
        );
        view! {
            <div
                class="playlist-bar"
                data-testid="playlist-bar"
                data-next=item_url(&p, next)
                data-interval-ms=p.interval_ms.to_string()
            >
                <span>{text}</span>
                <a href=stop.to_string() data-testid="playlist-stop">
                    "■ Stop"
                </a>
            </div>
        }
        .into_any()
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;

    /// Loads the next item (a new page) after the interval the drawn bar names; a bar that
    /// names none (the playlist cannot play) waits. Leaving the playlist (Stop, another page)
    /// clears the timer.
    pub fn advance(slot: &web_sys::Element) {
        let Some(bar) = slot.query_selector("[data-next]").ok().flatten() else {
            return;
        };
        let (Some(next), Some(ms)) = (
            bar.get_attribute("data-next"),
            bar.get_attribute("data-interval-ms")
                .and_then(|v| v.parse::<u64>().ok()),
        ) else {
            return;
        };
        if let Ok(timer) = set_timeout_with_handle(
            move || {
                let _ = window().location().assign(&next);
            },
            std::time::Duration::from_millis(ms),
        ) {
            on_cleanup(move || timer.clear());
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::backend::{registry::DatasourceRegistry, Backends};

    fn with_provisioned(f: impl FnOnce() -> AnyView + 'static) -> String {
        crate::components::render(move || {
            let dir =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../provisioning/playlists");
            provide_context(
                Backends::new(DatasourceRegistry::new(vec![], vec![])).with_playlists(Some(dir)),
            );
            f()
        })
    }

    #[test]
    fn the_bar_names_the_item_what_comes_next_and_when_for_the_browser_timer() {
        let html = with_provisioned(|| server::bar("oncall-wall", 5, "/d/x?from=now-1h"));
        // Index 5 of three items is the third; the next wraps to the first.
        assert!(
            html.contains("OctoLLM on-call wall · 3/3 · next: octollm-overview in 20s"),
            "{html}"
        );
        assert!(
            html.contains(
                r#"data-next="/d/octollm-overview?from=now-1h&amp;refresh=30s&amp;kiosk&amp;playlist=oncall-wall&amp;playlist_index=0""#
            ),
            "{html}"
        );
        assert!(html.contains(r#"data-interval-ms="20000""#), "{html}");
        assert!(html.contains(r#"href="/d/x?from=now-1h""#), "{html}");
    }

    #[test]
    fn a_bar_for_an_unknown_playlist_says_where_the_playlists_are_and_sets_no_timer() {
        let html = with_provisioned(|| server::bar("nope", 0, "/"));
        assert!(html.contains("playlist-bar error"), "{html}");
        assert!(html.contains("see /playlists"), "{html}");
        assert!(!html.contains("data-next"), "{html}");
    }
}
