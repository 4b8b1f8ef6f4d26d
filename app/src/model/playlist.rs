//! Playlists for wall screens: dashboards, each with its own range and variables, shown in turn
//! in kiosk mode (`/playlists/:name/play`). Files in `<provisioning>/playlists/*.yaml`:
//!
//! ```yaml
//! apiVersion: 1
//! playlists:
//!   - name: noc-wall
//!     title: NOC wall
//!     interval: 1m
//!     items:
//!       - dashboard: octollm-overview
//!         params: { from: now-1h, refresh: 30s }
//!       - dashboard: octollm-namespace-prod
//!         params: { from: now-3h, var-namespace: octollm-prod }
//! ```
//!
//! Pure: the server reads the files (`backend::playlists`).

use crate::model::duration::{format_ms, parse_ms};
use crate::model::url_state::encode_component;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shortest time an item stays: a wall screen must be readable.
pub const MIN_INTERVAL_MS: i64 = 5_000;

/// A file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistFile {
    #[serde(rename = "apiVersion", default)]
    pub api_version: Option<u32>,
    #[serde(default)]
    pub playlists: Vec<PlaylistSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistSpec {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    pub interval: String,
    pub items: Vec<ItemSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// A dashboard uid.
    pub dashboard: String,
    /// URL parameters of that dashboard (`from`, `to`, `var-…`, `refresh`, `timezone`, …);
    /// a list value repeats the parameter.
    #[serde(default)]
    pub params: BTreeMap<String, ParamValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    One(String),
    Many(Vec<String>),
}

/// A checked playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Playlist {
    pub name: String,
    pub title: String,
    pub interval_ms: i64,
    pub items: Vec<Item>,
    /// The file it came from (relative to the playlists folder).
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub dashboard: String,
    pub params: Vec<(String, String)>,
}

/// A playlist entry or the reason it cannot be played, with its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Entry {
    Valid(Playlist),
    Invalid {
        name: String,
        source: String,
        error: String,
    },
}

/// The URL parameters the console adds to a played item.
pub const PARAM_NAME: &str = "playlist";
pub const PARAM_INDEX: &str = "playlist_index";

/// Checks a file's playlists: names unique within it, an interval of at least
/// [`MIN_INTERVAL_MS`], at least one item, no item setting the parameters the player owns.
pub fn check(file: PlaylistFile, source: &str) -> Vec<Entry> {
    let mut seen = std::collections::BTreeSet::new();
    file.playlists
        .into_iter()
        .map(|p| {
            let invalid = |error: String| Entry::Invalid {
                name: p.name.clone(),
                source: source.to_string(),
                error,
            };
            if p.name.trim().is_empty()
                || !p
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return invalid(format!(
                    "playlist name {:?}: use letters, digits, - and _ (it is part of the URL)",
                    p.name
                ));
            }
            if !seen.insert(p.name.clone()) {
                return invalid(format!(
                    "playlist {:?} is defined twice in {source}",
                    p.name
                ));
            }
            let interval_ms = match parse_ms(&p.interval) {
                Some(ms) if ms >= MIN_INTERVAL_MS => ms,
                Some(_) => {
                    return invalid(format!(
                        "interval {} is shorter than {}; nobody reads a screen that fast",
                        p.interval,
                        format_ms(MIN_INTERVAL_MS)
                    ))
                }
                None => {
                    return invalid(format!(
                        "interval {:?} is not a duration; write it like 30s or 2m",
                        p.interval
                    ))
                }
            };
            if p.items.is_empty() {
                return invalid("a playlist needs at least one item".into());
            }
            let mut items = Vec::new();
            for (i, item) in p.items.into_iter().enumerate() {
                if let Some(k) = item
                    .params
                    .keys()
                    .find(|k| [PARAM_NAME, PARAM_INDEX, "kiosk"].contains(&k.as_str()))
                {
                    return invalid(format!(
                        "item {} sets {k:?}, which the player sets itself; remove it",
                        i + 1
                    ));
                }
                let params = item
                    .params
                    .into_iter()
                    .flat_map(|(k, v)| match v {
                        ParamValue::One(v) => vec![(k, v)],
                        ParamValue::Many(vs) => vs.into_iter().map(|v| (k.clone(), v)).collect(),
                    })
                    .collect();
                items.push(Item {
                    dashboard: item.dashboard,
                    params,
                });
            }
            Entry::Valid(Playlist {
                title: p.title.unwrap_or_else(|| p.name.clone()),
                name: p.name,
                interval_ms,
                items,
                source: source.to_string(),
            })
        })
        .collect()
}

/// The URL that plays item `index` (wrapped around) of `playlist`: its dashboard in kiosk mode
/// with the item's parameters and the player's own.
pub fn item_url(playlist: &Playlist, index: usize) -> String {
    let index = index % playlist.items.len().max(1);
    let Some(item) = playlist.items.get(index) else {
        return "/playlists".into();
    };
    let mut query: Vec<String> = item
        .params
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    query.push("kiosk".into());
    query.push(format!("{PARAM_NAME}={}", encode_component(&playlist.name)));
    query.push(format!("{PARAM_INDEX}={index}"));
    format!(
        "/d/{}?{}",
        encode_component(&item.dashboard),
        query.join("&")
    )
}

/// The item after `index`, wrapping to the first.
pub fn next_index(playlist: &Playlist, index: usize) -> usize {
    (index + 1) % playlist.items.len().max(1)
}

/// The URL the "stop" link leads to: the same page with the player's parameters and kiosk gone.
pub fn stop_pairs(pairs: &[(String, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, _)| ![PARAM_NAME, PARAM_INDEX, "kiosk"].contains(&k.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(yaml_like: &str) -> PlaylistFile {
        serde_json::from_str(yaml_like).unwrap()
    }

    fn wall() -> Playlist {
        match check(
            file(
                r#"{"apiVersion":1,"playlists":[{"name":"noc-wall","interval":"30s","items":[
                {"dashboard":"octollm-overview","params":{"from":"now-1h"}},
                {"dashboard":"octollm-namespace-prod","params":{"from":"now-3h","var-pod":["a","b"]}}]}]}"#,
            ),
            "wall.yaml",
        )
        .remove(0)
        {
            Entry::Valid(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn items_play_in_kiosk_with_their_own_range_and_variables_and_wrap() {
        let p = wall();
        assert_eq!(p.interval_ms, 30_000);
        assert_eq!(p.title, "noc-wall");
        assert_eq!(
            item_url(&p, 0),
            "/d/octollm-overview?from=now-1h&kiosk&playlist=noc-wall&playlist_index=0"
        );
        assert_eq!(
            item_url(&p, 1),
            "/d/octollm-namespace-prod?from=now-3h&var-pod=a&var-pod=b&kiosk&playlist=noc-wall&playlist_index=1"
        );
        assert_eq!(next_index(&p, 1), 0);
        assert_eq!(item_url(&p, 2), item_url(&p, 0));
    }

    #[test]
    fn bad_playlists_say_what_to_fix() {
        let entries = check(
            file(
                r#"{"playlists":[
                {"name":"fast","interval":"1s","items":[{"dashboard":"a"}]},
                {"name":"empty","interval":"1m","items":[]},
                {"name":"bad name!","interval":"1m","items":[{"dashboard":"a"}]},
                {"name":"owner","interval":"1m","items":[{"dashboard":"a","params":{"kiosk":"1"}}]},
                {"name":"words","interval":"often","items":[{"dashboard":"a"}]},
                {"name":"twice","interval":"1m","items":[{"dashboard":"a"}]},
                {"name":"twice","interval":"1m","items":[{"dashboard":"a"}]}]}"#,
            ),
            "f.yaml",
        );
        let errors: Vec<String> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Invalid { error, .. } => Some(error.clone()),
                Entry::Valid(_) => None,
            })
            .collect();
        assert_eq!(errors.len(), 6, "{errors:#?}");
        for (i, needle) in [
            "shorter than 5s",
            "at least one item",
            "part of the URL",
            "\"kiosk\"",
            "like 30s",
            "defined twice",
        ]
        .iter()
        .enumerate()
        {
            assert!(errors[i].contains(needle), "{}: {}", needle, errors[i]);
        }
    }

    #[test]
    fn stopping_drops_the_players_parameters() {
        let pairs: Vec<(String, String)> = [
            ("from", "now-1h"),
            ("kiosk", ""),
            ("playlist", "w"),
            ("playlist_index", "1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            stop_pairs(&pairs),
            vec![("from".to_string(), "now-1h".to_string())]
        );
    }
}
