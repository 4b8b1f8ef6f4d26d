//! Playlist files from `<provisioning>/playlists/*.yaml`, read on every request (a few small
//! files) so an edit shows on the next page load. The checks are in `model::playlist`.

use crate::model::playlist::{check, Entry, PlaylistFile};
use std::path::Path;

/// Parses one file's text; a file that does not parse is one invalid entry named after it.
pub fn parse_file(text: &str, source: &str) -> Vec<Entry> {
    match serde_yaml::from_str::<PlaylistFile>(text) {
        Ok(f) => check(f, source),
        Err(e) => vec![Entry::Invalid {
            name: source.to_string(),
            source: source.to_string(),
            error: format!("{source}: {e}"),
        }],
    }
}

/// Every playlist of the folder, files in name order; a missing folder is none. A name defined
/// in two files plays the first and reports the second.
pub fn load_dir(dir: &Path) -> Vec<Entry> {
    let Some(files) = super::provisioning::yaml_files(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<Entry> = Vec::new();
    for path in files {
        let source = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let parsed = match std::fs::read_to_string(&path) {
            Ok(text) => parse_file(&text, &source),
            Err(e) => vec![Entry::Invalid {
                name: source.clone(),
                source: source.clone(),
                error: format!("cannot read the file: {e}"),
            }],
        };
        for e in parsed {
            let taken = match &e {
                Entry::Valid(p) => entries.iter().find_map(|x| match x {
                    Entry::Valid(q) if q.name == p.name => Some(q.source.clone()),
                    _ => None,
                }),
                Entry::Invalid { .. } => None,
            };
            entries.push(match (e, taken) {
                (Entry::Valid(p), Some(first)) => Entry::Invalid {
                    error: format!(
                        "playlist {:?} is already defined in {first}; rename one",
                        p.name
                    ),
                    name: p.name,
                    source: p.source,
                },
                (e, _) => e,
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::playlist::Entry;

    #[test]
    fn a_broken_file_does_not_hide_the_others_and_names_are_unique_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let ok = "apiVersion: 1\nplaylists:\n  - name: wall\n    interval: 30s\n    items:\n      - dashboard: a\n        params: { from: now-1h, var-ns: [x, y] }\n";
        std::fs::write(dir.path().join("a.yaml"), ok).unwrap();
        std::fs::write(dir.path().join("b.yaml"), "playlists: [ {name: ").unwrap();
        std::fs::write(dir.path().join("c.yaml"), ok).unwrap();
        let entries = load_dir(dir.path());
        assert_eq!(entries.len(), 3);
        match &entries[0] {
            Entry::Valid(p) => {
                assert_eq!(p.items[0].params.len(), 3, "{p:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&entries[1], Entry::Invalid { error, .. } if error.starts_with("b.yaml")));
        assert!(
            matches!(&entries[2], Entry::Invalid { error, .. } if error.contains("already defined in a.yaml"))
        );
        assert!(load_dir(&dir.path().join("missing")).is_empty());
    }
}
