//! The built bundle and its caching: files under `/pkg/` are served precompressed when the build
//! made `.br`/`.gz` copies (brotli first, then gzip, else as they are); the files cargo-leptos
//! named by content hash (`hash.txt` beside the binary) are `immutable` for a year, so a second
//! visit downloads no wasm, JS or CSS at all; any other static file is revalidated each time.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

/// The content-hashed file names of a build, read from cargo-leptos' hash file
/// (`js: <hash>`, `wasm: <hash>`, `css: <hash>` lines, and `split: <hash>` for the split
/// bundle's loader; its chunks come from the split manifest, `split_chunks`).
pub fn hashed_names(hash_txt: &str, output_name: &str) -> HashSet<String> {
    hash_entries(hash_txt)
        .filter_map(|(kind, hash)| match kind {
            _ if hash.is_empty() => None,
            "js" | "wasm" | "css" => Some(format!("{output_name}.{hash}.{kind}")),
            "split" => Some(format!("__wasm_split.{hash}.js")),
            _ => None,
        })
        .collect()
}

/// The hash file's `kind: hash` lines, trimmed.
fn hash_entries(hash_txt: &str) -> impl Iterator<Item = (&str, &str)> {
    hash_txt
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(kind, hash)| (kind.trim(), hash.trim()))
}

/// The split bundle's manifest in `pkg` (named by the hash file's `manifest:` line when the
/// build hashed files). A build without one (or a manifest that does not parse, said in the log)
/// has no chunks to preload: pages still load their chunks, only later.
pub fn split_chunks(pkg: &Path, hash_txt: Option<&str>) -> app::model::bundle::SplitChunks {
    let hash = hash_txt.and_then(|t| {
        hash_entries(t)
            .find(|(kind, _)| *kind == "manifest")
            .map(|(_, h)| h)
    });
    let name = match hash {
        Some(h) => format!("__wasm_split_manifest.{h}.json"),
        None => "__wasm_split_manifest.json".to_string(),
    };
    let path = pkg.join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Default::default();
    };
    app::model::bundle::SplitChunks::parse(&text).unwrap_or_else(|e| {
        tracing::warn!(path = %path.display(), "the split manifest does not parse ({e}); pages load their chunks without preloading; rebuild with `cargo xtask build`");
        Default::default()
    })
}

/// Writes each pack (`app::model::bundle::pack`: one per group of pages) into `pkg` unless it is there
/// (the first start after a build does it), with brotli 11 and gzip copies when the build
/// precompressed its chunks; returns the chunks with the packs `pkg` now has. A pack that cannot
/// be written (a read-only site root) is said in the log and left out: its pages then preload
/// their chunks one by one.
pub fn ensure_packs(
    pkg: &Path,
    chunks: app::model::bundle::SplitChunks,
) -> app::model::bundle::SplitChunks {
    let started = std::time::Instant::now();
    for (_, files, name) in chunks.packs() {
        if pkg.join(&name).is_file() {
            continue;
        }
        match write_pack(pkg, &files, &name) {
            Ok(()) => {
                tracing::info!(pack = %name, elapsed_ms = started.elapsed().as_millis() as u64, "wrote the split chunks' pack (once per build)")
            }
            Err(e) => {
                tracing::warn!(pack = %name, "the split chunks' pack was not written ({e}); its pages load their chunks one by one; give the server a writable site root or run it once where it is");
            }
        }
    }
    chunks.with_packs(|name| pkg.join(name).is_file())
}

/// One pack and its compressed copies; the pack itself last (its presence says all are there),
/// each file written under a temporary name and renamed, so a concurrent start never serves half
/// of one.
fn write_pack(pkg: &Path, files: &[String], name: &str) -> std::io::Result<()> {
    let parts = files
        .iter()
        .map(|c| {
            let file = format!("{c}.wasm");
            let bytes = std::fs::read(pkg.join(&file))?;
            Ok((file, bytes))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let packed = app::model::bundle::pack(&parts);
    let precompressed = files
        .first()
        .is_some_and(|c| pkg.join(format!("{c}.wasm.br")).is_file());
    if precompressed {
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 24,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut packed.as_slice(), &mut br, &params)?;
        write_renamed(&pkg.join(format!("{name}.br")), &br)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &packed)?;
        write_renamed(&pkg.join(format!("{name}.gz")), &gz.finish()?)?;
    }
    write_renamed(&pkg.join(name), &packed)
}

fn write_renamed(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Where cargo-leptos writes the hash file: beside the server binary.
pub fn hash_file_path(file_name: &str) -> Option<PathBuf> {
    std::env::current_exe()
        .ok()?
        .parent()
        .map(|d| d.join(file_name))
}

/// The `Cache-Control` of a static file: immutable when its name carries its content hash.
pub fn cache_control(file_name: &str, hashed: &HashSet<String>) -> &'static str {
    if hashed.contains(file_name) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// `/pkg/*`: precompressed files, with their cache policy.
pub fn pkg_service(site_root: &Path, hashed: Arc<HashSet<String>>) -> axum::Router {
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    axum::Router::new()
        .fallback_service(files)
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let hashed = hashed.clone();
                async move {
                    let name = req
                        .uri()
                        .path()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let mut resp: Response = next.run(req).await;
                    if resp.status().is_success() || resp.status() == http::StatusCode::NOT_MODIFIED
                    {
                        resp.headers_mut().insert(
                            header::CACHE_CONTROL,
                            HeaderValue::from_static(cache_control(&name, &hashed)),
                        );
                    }
                    resp
                }
            },
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_the_hash_file_and_are_immutable() {
        let hashed = hashed_names(
            "js: aB3-x\nwasm: Qz9_k\ncss: 77Hh\nsplit: Sp1\nmanifest: M1\n\nother: x\n",
            "octoscope",
        );
        assert!(hashed.contains("octoscope.aB3-x.js"));
        assert!(hashed.contains("octoscope.Qz9_k.wasm"));
        assert!(hashed.contains("octoscope.77Hh.css"));
        assert!(hashed.contains("__wasm_split.Sp1.js"));
        assert_eq!(hashed.len(), 4);
        assert_eq!(cache_control("octoscope.Qz9_k.wasm", &hashed), IMMUTABLE);
        assert_eq!(cache_control("octoscope.wasm", &hashed), REVALIDATE);
        assert_eq!(cache_control("favicon.svg", &hashed), REVALIDATE);
    }

    #[test]
    fn packs_are_written_once_with_their_compressed_copies() {
        let pkg = tempfile::tempdir().unwrap();
        let p = pkg.path();
        std::fs::write(
            p.join("__wasm_split_manifest.json"),
            r#"{"trace_12": ["chunk_1.h1", "split_trace_12.h2"], "overview_3": ["chunk_9.h9"]}"#,
        )
        .unwrap();
        std::fs::write(p.join("chunk_1.h1.wasm"), b"\0asm one").unwrap();
        std::fs::write(p.join("chunk_1.h1.wasm.br"), b"x").unwrap();
        std::fs::write(p.join("split_trace_12.h2.wasm"), b"\0asm two").unwrap();
        // overview's chunk is missing: no pack for it, and the others still get theirs.
        let chunks = ensure_packs(p, split_chunks(p, None));
        let name = app::model::bundle::pack_name(
            "trace",
            &["chunk_1.h1".into(), "split_trace_12.h2".into()],
        );
        let packed = std::fs::read(p.join(&name)).unwrap();
        assert_eq!(
            packed,
            b"chunk_1.h1.wasm:8 split_trace_12.h2.wasm:8\n\0asm one\0asm two"
        );
        let mut unbr = Vec::new();
        brotli::BrotliDecompress(
            &mut std::fs::File::open(p.join(format!("{name}.br"))).unwrap(),
            &mut unbr,
        )
        .unwrap();
        assert_eq!(unbr, packed);
        assert!(p.join(format!("{name}.gz")).is_file());
        assert!(chunks.preload_header("trace").unwrap().contains(&name));
        assert!(chunks
            .preload_header("overview")
            .unwrap()
            .contains("chunk_9.h9.wasm"));
        // A second start finds the pack and leaves it alone.
        std::fs::write(p.join(&name), b"kept").unwrap();
        ensure_packs(p, split_chunks(p, None));
        assert_eq!(std::fs::read(p.join(&name)).unwrap(), b"kept");
    }

    #[test]
    fn split_chunks_come_from_the_manifest_the_hash_file_names() {
        let pkg = tempfile::tempdir().unwrap();
        std::fs::write(
            pkg.path().join("__wasm_split_manifest.M1.json"),
            r#"{"alerting_12": ["chunk_1.h1", "split_alerting_12.h2"]}"#,
        )
        .unwrap();
        let chunks = split_chunks(pkg.path(), Some("js: a\nmanifest: M1\n"));
        assert_eq!(
            chunks.of_group("alerting"),
            ["chunk_1.h1", "split_alerting_12.h2"]
        );
        // Another build's hash file: no manifest by that name, nothing to preload.
        assert!(split_chunks(pkg.path(), Some("manifest: M2\n"))
            .of_group("alerting")
            .is_empty());
    }
}
