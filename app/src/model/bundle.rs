//! The split bundle's chunks: cargo-leptos' split manifest (`__wasm_split_manifest.<hash>.json`
//! in `pkg/`) maps each split point (`alerting_<hash>`: a group of pages, `crate::routes`) to the
//! wasm chunks it needs, named by content hash. The server reads it once: to name a page's
//! chunks in its response (`Link: …; rel=preload`), so a first visit fetches them beside the main
//! bundle instead of after it, and to cache them as immutable.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Split point → its chunk files (without `.wasm`), as the manifest lists them.
#[derive(Clone, Debug, Default)]
pub struct SplitChunks(Arc<BTreeMap<String, Vec<String>>>);

impl SplitChunks {
    pub fn parse(manifest: &str) -> Result<SplitChunks, serde_json::Error> {
        Ok(SplitChunks(Arc::new(serde_json::from_str(manifest)?)))
    }

    /// The chunks of the split point made for `group` (the `#[lazy]` function's name: its key is
    /// the name, `_` and a hash of where it is written).
    pub fn of_group(&self, group: &str) -> &[String] {
        self.0
            .iter()
            .find(|(key, _)| {
                key.strip_prefix(group)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|(_, chunks)| chunks.as_slice())
            .unwrap_or_default()
    }

    /// The `Link` header value that preloads `group`'s chunks from `pkg` (`/pkg`), or `None`
    /// when the build has no such split point. `crossorigin` (anonymous) because the split loader
    /// fetches them with `fetch()`, whose requests a preload must match to be reused.
    pub fn preload_header(&self, pkg: &str, group: &str) -> Option<String> {
        let chunks = self.of_group(group);
        (!chunks.is_empty()).then(|| {
            chunks
                .iter()
                .map(|c| format!("<{pkg}/{c}.wasm>; rel=preload; as=fetch; crossorigin"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// Every chunk's file name (`chunk_5.<hash>.wasm`): all are named by content hash.
    pub fn file_names(&self) -> impl Iterator<Item = String> + '_ {
        let mut names: Vec<String> = self
            .0
            .values()
            .flatten()
            .map(|c| format!("{c}.wasm"))
            .collect();
        names.sort();
        names.dedup();
        names.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
        "alerting_4620769156971278337": ["chunk_5.kJB93s", "split_alerting_4620769156971278337.7mVB5h"],
        "alerting_pages_17": ["chunk_9.x"],
        "dashboards_16987533129638468367": ["chunk_5.kJB93s", "chunk_6.ELSeR7"]
    }"#;

    #[test]
    fn a_group_finds_its_own_split_point_and_not_a_longer_name() {
        let m = SplitChunks::parse(MANIFEST).unwrap();
        assert_eq!(
            m.of_group("alerting"),
            [
                "chunk_5.kJB93s",
                "split_alerting_4620769156971278337.7mVB5h"
            ]
        );
        assert_eq!(m.of_group("alerting_pages"), ["chunk_9.x"]);
        assert!(m.of_group("exploring").is_empty());
    }

    #[test]
    fn the_preload_header_names_every_chunk_for_fetch() {
        let m = SplitChunks::parse(MANIFEST).unwrap();
        assert_eq!(
            m.preload_header("/pkg", "dashboards").unwrap(),
            "</pkg/chunk_5.kJB93s.wasm>; rel=preload; as=fetch; crossorigin, \
             </pkg/chunk_6.ELSeR7.wasm>; rel=preload; as=fetch; crossorigin"
        );
        assert_eq!(m.preload_header("/pkg", "exploring"), None);
    }

    #[test]
    fn file_names_are_each_chunk_once() {
        let m = SplitChunks::parse(MANIFEST).unwrap();
        assert_eq!(
            m.file_names().collect::<Vec<_>>(),
            [
                "chunk_5.kJB93s.wasm",
                "chunk_6.ELSeR7.wasm",
                "chunk_9.x.wasm",
                "split_alerting_4620769156971278337.7mVB5h.wasm"
            ]
        );
    }

    #[test]
    fn a_broken_manifest_is_an_error() {
        assert!(SplitChunks::parse("{\"a\": 1}").is_err());
    }
}
