//! The split bundle's chunks: cargo-leptos' split manifest (`__wasm_split_manifest.<hash>.json`
//! in `pkg/`) maps each split point (`alerting_<hash>`: a group of pages, `crate::routes`) to the
//! wasm chunks it needs, named by content hash. The server reads it once: to name a page's
//! chunks in its response (`Link: …; rel=preload`), so a first visit fetches them beside the main
//! bundle instead of after it, and to cache them as immutable.
//!
//! A group's chunks also travel as one file, its pack ([`pack`], written by the build): ~30
//! chunks compressed one by one lose the context they share (a dashboard's 225 KB brotli are
//! ~195 KB as one stream), and one request replaces thirty. A first visit fetches the page's
//! pack; the page's inline loader ([`PACK_LOADER`]) hands each chunk to the split loader from
//! it. A later navigation fetches the next group's missing chunks one by one, as before.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Split point → its chunk files (without `.wasm`), as the manifest lists them; the packs the
/// build wrote (group → pack file name); and their page loader, made once ([`SplitChunks::pack_loader`]).
#[derive(Clone, Debug, Default)]
pub struct SplitChunks(
    Arc<BTreeMap<String, Vec<String>>>,
    Arc<BTreeMap<String, String>>,
    Option<Arc<str>>,
);

/// Where the bundle's files are served.
const PKG: &str = "/pkg";

impl SplitChunks {
    pub fn parse(manifest: &str) -> Result<SplitChunks, serde_json::Error> {
        Ok(SplitChunks(
            Arc::new(serde_json::from_str(manifest)?),
            Default::default(),
            None,
        ))
    }

    /// The packs to write, one for each group: its name, its chunks and its file name.
    pub fn packs(&self) -> Vec<(String, Vec<String>, String)> {
        self.0
            .iter()
            .filter_map(|(key, chunks)| {
                let group = group_of(key)?;
                let name = pack_name(group, chunks);
                (!chunks.is_empty()).then(|| (group.to_string(), chunks.clone(), name))
            })
            .collect()
    }

    /// These chunks with the packs `exists` finds (given a pack's file name).
    pub fn with_packs(self, exists: impl Fn(&str) -> bool) -> SplitChunks {
        let packs = self
            .packs()
            .into_iter()
            .filter(|(_, _, name)| exists(name))
            .map(|(key, _, name)| (key, name))
            .collect::<BTreeMap<_, _>>();
        let urls: BTreeMap<&str, String> = packs
            .iter()
            .map(|(key, name)| (key.as_str(), format!("{PKG}/{name}")))
            .collect();
        let loader = (!urls.is_empty()).then(|| {
            let urls = serde_json::to_string(&urls).unwrap_or_default();
            Arc::from(PACK_LOADER.replace("PACKS", &urls))
        });
        SplitChunks(self.0, Arc::new(packs), loader)
    }

    /// Whether the split point `key` (as the manifest names it) has a pack of its own.
    pub fn has_pack(&self, key: &str) -> bool {
        group_of(key).is_some_and(|g| self.1.contains_key(g))
    }

    /// The inline script that loads a first page's pack (none without packs): [`PACK_LOADER`]
    /// with each pack's URL.
    pub fn pack_loader(&self) -> Option<&str> {
        self.2.as_deref()
    }

    /// The manifest's key for `group` (the `#[lazy]` function's name, `_` and a hash).
    fn key_of(&self, group: &str) -> Option<&str> {
        self.0
            .keys()
            .find(|key| group_of(key) == Some(group))
            .map(String::as_str)
    }

    /// The chunks of the split point made for `group` (the `#[lazy]` function's name: its key is
    /// the name, `_` and a hash of where it is written).
    pub fn of_group(&self, group: &str) -> &[String] {
        self.key_of(group)
            .and_then(|key| self.0.get(key))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The `Link` header value that preloads the code of a page of `group`: its pack when the
    /// build wrote one, else its chunks; `None` when the build has no such split point.
    /// `crossorigin` (anonymous) because the loaders fetch with `fetch()`, whose requests a
    /// preload must match to be reused.
    pub fn preload_header(&self, group: &str) -> Option<String> {
        let link = |file: &str| format!("<{PKG}/{file}>; rel=preload; as=fetch; crossorigin");
        if let Some(pack) = self.1.get(group) {
            return Some(link(pack));
        }
        let chunks = self.of_group(group);
        (!chunks.is_empty()).then(|| {
            chunks
                .iter()
                .map(|c| link(&format!("{c}.wasm")))
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
            .chain(self.1.values().cloned())
            .collect();
        names.sort();
        names.dedup();
        names.into_iter()
    }
}

/// The group a manifest key names: `alerting_4620769156971278337` → `alerting`.
fn group_of(key: &str) -> Option<&str> {
    let (group, hash) = key.rsplit_once('_')?;
    (!hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit())).then_some(group)
}

/// The file name of a group's pack: `pack_<group>.<hash of its chunk names>.bin`. The chunk names carry their content hashes, so the name changes whenever a chunk
/// does (the pack is cached as immutable).
pub fn pack_name(group: &str, chunks: &[String]) -> String {
    // FNV-1a: stable across builds and Rust versions, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in chunks.join(",").bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("pack_{group}.{h:016x}.bin")
}

/// A pack of chunk files (name with `.wasm`, bytes): a first line of `name:length` entries
/// separated by spaces, then the files' bytes one after another ([`PACK_LOADER`] reads it).
pub fn pack(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let header: Vec<String> = files
        .iter()
        .map(|(name, bytes)| format!("{name}:{}", bytes.len()))
        .collect();
    let mut out = header.join(" ").into_bytes();
    out.push(b'\n');
    for (_, bytes) in files {
        out.extend_from_slice(bytes);
    }
    out
}

/// The first page's pack loader, inline in the page's head (after its `<meta>`): it fetches the
/// pack of the page's group (`PACKS`: group → URL; the group from the page's `octoscope-split`
/// meta) and answers the split loader's `fetch` of a chunk in it from the pack, once; any other fetch,
/// or a chunk the pack lacks or failed to bring, goes to the network as it would have.
pub const PACK_LOADER: &str = r#"(()=>{const g=document.querySelector('meta[name=octoscope-split]'),u=g&&PACKS[g.content];if(!u)return;const p=fetch(u).then(r=>r.ok?r.arrayBuffer():null).then(b=>{if(!b)return null;const a=new Uint8Array(b),n=a.indexOf(10),m=new Map();let o=n+1;for(const e of new TextDecoder().decode(a.subarray(0,n)).split(' ')){const i=e.lastIndexOf(':'),l=+e.slice(i+1);m.set(e.slice(0,i),a.subarray(o,o+=l))}return m}).catch(()=>null);const f=window.fetch;window.fetch=function(i){const s=typeof i=='string'?i:i instanceof URL?i.href:i.url,n=s.slice(s.lastIndexOf('/')+1),t=this,r=arguments;if(!/^(chunk|split)_/.test(n))return f.apply(t,r);return p.then(m=>{const b=m&&m.get(n);if(!b)return f.apply(t,r);m.delete(n);return new Response(b,{headers:{'content-type':'application/wasm'}})})}})()"#;

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
            m.preload_header("dashboards").unwrap(),
            "</pkg/chunk_5.kJB93s.wasm>; rel=preload; as=fetch; crossorigin, \
             </pkg/chunk_6.ELSeR7.wasm>; rel=preload; as=fetch; crossorigin"
        );
        assert_eq!(m.preload_header("exploring"), None);
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
    fn with_a_pack_the_header_preloads_the_pack_alone() {
        let m = SplitChunks::parse(MANIFEST).unwrap();
        let packs = m.packs();
        let keys: Vec<&str> = packs.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(keys, ["alerting", "alerting_pages", "dashboards"]);
        assert_eq!(packs[2].1, ["chunk_5.kJB93s", "chunk_6.ELSeR7"]);
        assert!(packs[2].2.starts_with("pack_dashboards."));
        let dash = packs[2].2.clone();
        let m = m.with_packs(|n| n == dash);
        assert_eq!(
            m.preload_header("dashboards").unwrap(),
            format!("</pkg/{dash}>; rel=preload; as=fetch; crossorigin")
        );
        // A group without a pack still preloads its chunks.
        assert!(m
            .preload_header("alerting")
            .unwrap()
            .contains("chunk_5.kJB93s.wasm"));
        assert!(m.has_pack("dashboards_16987533129638468367"));
        assert!(!m.has_pack("alerting_4620769156971278337"));
        assert!(m.file_names().any(|n| n == dash));
        let loader = m.pack_loader().unwrap();
        assert!(loader.contains(&format!(r#""dashboards":"/pkg/{dash}""#)));
        assert!(!loader.contains("PACKS"));
        assert_eq!(SplitChunks::parse(MANIFEST).unwrap().pack_loader(), None);
    }

    #[test]
    fn a_pack_name_follows_its_chunks() {
        let a = pack_name("trace", &["chunk_1.aa".into()]);
        assert!(a.starts_with("pack_trace.") && a.ends_with(".bin"));
        assert_eq!(a, pack_name("trace", &["chunk_1.aa".into()]));
        assert_ne!(a, pack_name("trace", &["chunk_1.ab".into()]));
    }

    #[test]
    fn a_pack_is_a_header_line_then_the_files() {
        let p = pack(&[
            ("chunk_1.a.wasm".into(), vec![0, 10, 2]),
            ("split_x_1.b.wasm".into(), vec![7]),
        ]);
        let mut want = b"chunk_1.a.wasm:3 split_x_1.b.wasm:1\n".to_vec();
        want.extend([0, 10, 2, 7]);
        assert_eq!(p, want);
    }

    #[test]
    fn a_broken_manifest_is_an_error() {
        assert!(SplitChunks::parse("{\"a\": 1}").is_err());
    }
}
