//! The wall-screen player: on a page opened from a playlist (`playlist=…&playlist_index=…` in the
//! URL), a slim bar says which playlist, which item and what comes next, and after the
//! playlist's interval the page moves on to the next item (wrapping). "Stop" leaves the current
//! dashboard on screen without kiosk.

use crate::api::playlists::get_playlist;
use crate::components::pickers::current_pairs;
use crate::model::duration::format_ms;
use crate::model::playlist::{item_url, next_index, stop_pairs, PARAM_INDEX, PARAM_NAME};
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

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
    let playlist = crate::api::resource(
        move || playing.get().map(|(name, _)| name),
        |name| async move {
            match name {
                Some(n) => Some(get_playlist(n).await),
                None => None,
            }
        },
    );
    let navigate = use_navigate();
    let location = use_location();
    // The next item after the interval; a new item (a navigation) starts its own timer.
    Effect::new(move |_| {
        let (Some((_, index)), Some(Some(Ok(p)))) = (playing.get(), playlist.get()) else {
            return;
        };
        let next = item_url(&p, next_index(&p, index));
        let navigate = navigate.clone();
        if let Ok(timer) = set_timeout_with_handle(
            move || navigate(&next, Default::default()),
            std::time::Duration::from_millis(p.interval_ms as u64),
        ) {
            on_cleanup(move || timer.clear());
        }
    });
    let stop = move || {
        let pairs = query.with(current_pairs);
        format!(
            "{}{}",
            location.pathname.get(),
            with_params(&stop_pairs(&pairs), &[])
        )
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match playlist.await {
                    None => ().into_any(),
                    Some(Err(e)) => {
                        view! {
                            <div class="playlist-bar error" data-testid="playlist-bar">
                                {e.to_string()}
                            </div>
                        }
                            .into_any()
                    }
                    Some(Ok(p)) => {
                        let text = move || {
                            let n = p.items.len().max(1);
                            let shown = playing.get().map_or(0, |(_, i)| i) % n;
                            let next = &p.items[next_index(&p, shown)].dashboard;
                            format!(
                                "▶ {} · {}/{n} · next: {next} in {}",
                                p.title,
                                shown + 1,
                                format_ms(p.interval_ms),
                            )
                        };
                        // The item follows the URL: the next one is the same playlist.
                        view! {
                            <div class="playlist-bar" data-testid="playlist-bar">
                                <span>{text}</span>
                                <a href=stop data-testid="playlist-stop">
                                    "■ Stop"
                                </a>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}
