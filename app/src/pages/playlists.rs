//! `/playlists`: the provisioned wall-screen playlists (and the ones that cannot play, with
//! why), and `/playlists/:name`: one playlist's items, each a link, and "Play" (kiosk, cycling).

use crate::api::playlists::{get_playlist, list_playlists};
use crate::components::feedback::Loaded;
use crate::components::playlist_player::PlayLink;
use crate::model::duration::format_ms;
use crate::model::playlist::{item_url, Entry};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn PlaylistListPage() -> impl IntoView {
    let list = crate::api::resource(|| (), |_| list_playlists());
    view! {
        <Title text="Playlists" />
        <h1>"Playlists"</h1>
        <p class="muted">
            "Dashboards shown in turn on a wall screen, each with its own range and variables. Provisioned from "
            <code>"provisioning/playlists/*.yaml"</code> "."
        </p>
        <Loaded
            data=list
            loading="Loading playlists…"
            ok=move |entries| {
                let (valid, invalid): (Vec<Entry>, Vec<Entry>) = entries
                    .into_iter()
                    .partition(|e| matches!(e, Entry::Valid(_)));
                view! {
                    {(!invalid.is_empty())
                        .then(|| {
                            view! {
                                <section class="notice error" data-testid="playlist-problems">
                                    <h2>"Playlists that cannot play"</h2>
                                    <ul>
                                        {invalid
                                            .into_iter()
                                            .map(|e| match e {
                                                Entry::Invalid { name, source, error } => {
                                                    view! {
                                                        <li>
                                                            <strong>{name}</strong>
                                                            {format!(" ({source}): {error}")}
                                                        </li>
                                                    }
                                                        .into_any()
                                                }
                                                Entry::Valid(_) => ().into_any(),
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })}
                    {if valid.is_empty() {
                        view! {
                            <p class="muted" data-testid="no-playlists">
                                "No playlists are provisioned."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <table class="data" data-testid="playlists">
                                <thead>
                                    <tr>
                                        <th>"Playlist"</th>
                                        <th>"Dashboards"</th>
                                        <th>"Each shown for"</th>
                                        <th></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {valid
                                        .into_iter()
                                        .filter_map(|e| match e {
                                            Entry::Valid(p) => Some(p),
                                            Entry::Invalid { .. } => None,
                                        })
                                        .map(|p| {
                                            view! {
                                                <tr data-testid="playlist">
                                                    <td>
                                                        <a href=format!(
                                                            "/playlists/{}",
                                                            encode_component(&p.name),
                                                        )>{p.title.clone()}</a>
                                                    </td>
                                                    <td>{p.items.len()}</td>
                                                    <td>{format_ms(p.interval_ms)}</td>
                                                    <td>
                                                        <PlayLink href=item_url(&p, 0) button=true>
                                                            "▶ Play"
                                                        </PlayLink>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                }
            }
        />
    }
}

#[component]
pub fn PlaylistPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name")).unwrap_or_default());
    let playlist = crate::api::resource(move || name.get(), get_playlist);
    view! {
        <Title text=move || format!("Playlist {}", name.get()) />
        <Loaded
            data=playlist
            loading="Loading the playlist…"
            set_status=true
            ok=move |p| {
                view! {
                    <h1>{p.title.clone()}</h1>
                    <p class="muted">
                        {format!(
                            "{} dashboards, each for {}, in kiosk mode; from {}.",
                            p.items.len(),
                            format_ms(p.interval_ms),
                            p.source,
                        )}
                    </p>
                    <p>
                        <PlayLink href=item_url(&p, 0) button=true>
                            "▶ Play"
                        </PlayLink>
                    </p>
                    <ol data-testid="playlist-items">
                        {p
                            .items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                let range = item
                                    .params
                                    .iter()
                                    .map(|(k, v)| format!("{k}={v}"))
                                    .collect::<Vec<_>>()
                                    .join(" ");
                                let dashboard = item.dashboard.clone();
                                view! {
                                    <li>
                                        <PlayLink href=item_url(&p, i)>{dashboard}</PlayLink>
                                        " "
                                        <span class="muted small">{range}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
            }
        />
    }
}
