//! Playlists for wall screens (`model::playlist`).

use crate::api::AppError;
use crate::model::playlist::{Entry, Playlist};
use leptos::prelude::*;

/// Every provisioned playlist, and the ones that cannot play with why.
#[server(endpoint = "list_playlists")]
pub async fn list_playlists() -> Result<Vec<Entry>, AppError> {
    Ok(crate::api::backends()?.playlists())
}

/// Playlist `name`, to play or show.
#[server(endpoint = "get_playlist")]
pub async fn get_playlist(name: String) -> Result<Playlist, AppError> {
    find(&name)
}

/// Playlist `name` as provisioned now, or why it cannot play (the wall-screen player's bar,
/// which the server draws, reads it too).
#[cfg(feature = "ssr")]
pub fn find(name: &str) -> Result<Playlist, AppError> {
    let entries = crate::api::backends()?.playlists();
    match entries.into_iter().find(|e| match e {
        Entry::Valid(p) => p.name == name,
        Entry::Invalid { name: n, .. } => *n == name,
    }) {
        Some(Entry::Valid(p)) => Ok(p),
        Some(Entry::Invalid { error, source, .. }) => Err(AppError::BadRequest(format!(
            "playlist {name:?} in {source} cannot play: {error}"
        ))),
        None => Err(AppError::NotFound(format!(
            "there is no playlist {name:?}; see /playlists for the provisioned ones"
        ))),
    }
}
