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
/// (`js: <hash>`, `wasm: <hash>`, `css: <hash>` lines).
pub fn hashed_names(hash_txt: &str, output_name: &str) -> HashSet<String> {
    hash_txt
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter_map(|(kind, hash)| {
            let (kind, hash) = (kind.trim(), hash.trim());
            (matches!(kind, "js" | "wasm" | "css") && !hash.is_empty())
                .then(|| format!("{output_name}.{hash}.{kind}"))
        })
        .collect()
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
            "js: aB3-x\nwasm: Qz9_k\ncss: 77Hh\n\nother: x\n",
            "octoscope",
        );
        assert!(hashed.contains("octoscope.aB3-x.js"));
        assert!(hashed.contains("octoscope.Qz9_k.wasm"));
        assert!(hashed.contains("octoscope.77Hh.css"));
        assert_eq!(hashed.len(), 3);
        assert_eq!(cache_control("octoscope.Qz9_k.wasm", &hashed), IMMUTABLE);
        assert_eq!(cache_control("octoscope.wasm", &hashed), REVALIDATE);
        assert_eq!(cache_control("favicon.svg", &hashed), REVALIDATE);
    }
}
