//! Over the wire: answers compressed by content negotiation (brotli, then gzip), the bundle served
//! precompressed with content-hashed names cached as immutable, pages revalidated with an ETag,
//! and the proxy never compressing twice.

mod support;

use std::io::Read;
use std::sync::Arc;
use support::{provisioning, recording_upstream, Console};
use tower::ServiceExt;

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

async fn get(console: &Console, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = console.http.get(console.url(path));
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn pages_and_server_functions_are_compressed_only_for_clients_that_accept_it() {
    let console = Console::start(None).await;
    let plain = get(&console, "/", None).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let csp = plain.headers()["content-security-policy"].clone();
    let plain = plain.text().await.unwrap();
    assert!(
        plain.contains("getting-started"),
        "a plain body for a plain client"
    );

    let br = get(&console, "/", Some("br, gzip")).await;
    assert_eq!(br.headers()["content-encoding"], "br");
    assert!(br.headers()["vary"]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    assert!(
        br.headers().get("content-security-policy").is_some(),
        "security headers kept"
    );
    assert_eq!(br.headers()["x-content-type-options"], "nosniff");
    assert!(csp.to_str().unwrap().contains("script-src"));
    let bytes = br.bytes().await.unwrap();
    let html = String::from_utf8(unbrotli(&bytes)).unwrap();
    assert!(html.contains("getting-started"));
    assert!(
        bytes.len() * 2 < html.len(),
        "{} of {}",
        bytes.len(),
        html.len()
    );

    let gz = get(&console, "/", Some("gzip")).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let html = String::from_utf8(ungzip(&gz.bytes().await.unwrap())).unwrap();
    assert!(html.contains("getting-started"));

    // A server function's JSON answer too.
    let resp = console
        .http
        .post(console.url("/api/list_datasources"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-encoding", "gzip")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    if resp.headers().get("content-encoding").is_some() {
        let v: serde_json::Value =
            serde_json::from_slice(&ungzip(&resp.bytes().await.unwrap())).unwrap();
        assert!(v["datasources"].is_array());
    } else {
        // Tiny answers (under 32 bytes) are not worth compressing.
        assert!(resp.content_length().unwrap_or(0) <= 32);
    }
}

#[tokio::test]
async fn the_proxy_never_compresses_twice() {
    // An upstream that compresses on its own: passed as it is.
    let json = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.repeat(20);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &json).unwrap();
    let gz = gz.finish().unwrap();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        gz.len()
    )
    .into_bytes();
    response.extend_from_slice(&gz);
    // recording_upstream takes text: gzip bytes are not UTF-8, so serve them with a raw thread.
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = upstream.local_addr().unwrap();
    let (tx, seen) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for sock in upstream.incoming() {
            let Ok(mut sock) = sock else { return };
            let mut buf = vec![0u8; 8192];
            let n = std::io::Read::read(&mut sock, &mut buf).unwrap_or(0);
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).to_string());
            let _ = std::io::Write::write_all(&mut sock, &response);
        }
    });
    let (plain_addr, plain_seen) = recording_upstream(Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            json.len(),
            String::from_utf8(json.clone()).unwrap()
        )
        .into_boxed_str(),
    ));
    let yaml = format!(
        "apiVersion: 1\ndatasources:\n  - name: Zipped\n    uid: zipped\n    type: prometheus\n    url: http://{addr}\n  - name: Plain\n    uid: plain\n    type: prometheus\n    url: http://{plain_addr}\n"
    );
    let dir = provisioning(&[("ds.yaml", &yaml)]);
    let console = Console::start(Some(dir.path())).await;

    let resp = get(
        &console,
        "/api/datasources/proxy/uid/zipped/api/v1/query?query=up",
        Some("br, gzip"),
    )
    .await;
    assert_eq!(
        resp.headers()["content-encoding"],
        "gzip",
        "the backend's own encoding, once"
    );
    assert_eq!(
        ungzip(&resp.bytes().await.unwrap()),
        json,
        "one gunzip gives the JSON"
    );
    assert!(!seen
        .recv()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));

    let resp = get(
        &console,
        "/api/datasources/proxy/uid/plain/api/v1/query?query=up",
        Some("br, gzip"),
    )
    .await;
    assert_eq!(
        resp.headers()["content-encoding"],
        "br",
        "compressed by the console"
    );
    assert_eq!(unbrotli(&resp.bytes().await.unwrap()), json);
    let head = plain_seen.recv().unwrap().to_ascii_lowercase();
    assert!(!head.contains("accept-encoding"), "{head}");
}

/// A site root with one hashed bundle file, its precompressed copies and an unhashed file.
fn site() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    let wasm = b"\0asm fake module ".repeat(200);
    std::fs::write(pkg.join("octoscope.H4sh-1.wasm"), &wasm).unwrap();
    std::fs::write(pkg.join("octoscope.H4sh-1.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(pkg.join("octoscope.H4sh-1.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(pkg.join("other.js"), b"console.log(1)").unwrap();
    (dir, wasm)
}

#[tokio::test]
async fn the_bundle_is_served_precompressed_and_hashed_names_are_immutable() {
    let (dir, wasm) = site();
    let hashed: std::collections::HashSet<String> =
        octoscope::assets::hashed_names("wasm: H4sh-1\n", "octoscope");
    let svc = octoscope::assets::pkg_service(dir.path(), Arc::new(hashed));
    let fetch = |path: &'static str, accept: Option<&'static str>| {
        let svc = svc.clone();
        async move {
            let mut req = http::Request::get(path);
            if let Some(a) = accept {
                req = req.header("accept-encoding", a);
            }
            let resp = svc
                .oneshot(req.body(axum::body::Body::empty()).unwrap())
                .await
                .unwrap();
            let headers = resp.headers().clone();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .unwrap();
            (headers, body)
        }
    };
    let (h, body) = fetch("/octoscope.H4sh-1.wasm", Some("br, gzip")).await;
    assert_eq!(h["content-encoding"], "br");
    assert_eq!(
        &body[..],
        b"brotli copy",
        "the file made at build time, not compressed per request"
    );
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    let (h, body) = fetch("/octoscope.H4sh-1.wasm", Some("gzip")).await;
    assert_eq!(h["content-encoding"], "gzip");
    assert_eq!(&body[..], b"gzip copy");
    let (h, body) = fetch("/octoscope.H4sh-1.wasm", None).await;
    assert!(h.get("content-encoding").is_none());
    assert_eq!(&body[..], &wasm[..]);
    let (h, _) = fetch("/other.js", Some("br")).await;
    assert_eq!(
        h["cache-control"], "no-cache",
        "an unhashed name is revalidated"
    );

    // Through the whole console: the compression layer leaves the precompressed file alone.
    let mut config = octoscope::config::Config::default();
    config.server.site_root = Some(dir.path().to_path_buf());
    let console = Console::start_with(config).await;
    let resp = get(&console, "/pkg/octoscope.H4sh-1.wasm", Some("br")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "br");
    assert_eq!(&resp.bytes().await.unwrap()[..], b"brotli copy");
}

#[tokio::test]
async fn pages_revalidate_with_an_etag_that_keeps_their_nonce() {
    let console = Console::start(None).await;
    let first = get(&console, "/", None).await;
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let nonce = etag
        .trim_end_matches('"')
        .rsplit('.')
        .next()
        .unwrap()
        .to_string();
    assert!(first.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&format!("'nonce-{nonce}'")));
    let again = console
        .http
        .get(console.url("/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged page is not sent again");
    assert!(
        again.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(&format!("'nonce-{nonce}'")),
        "the cached page's scripts stay allowed"
    );
    assert!(again.bytes().await.unwrap().is_empty());
    // Another page (or a changed one) is sent whole.
    let other = console
        .http
        .get(console.url("/dashboards"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn a_page_too_large_to_hash_is_sent_whole_without_a_validator() {
    use axum::response::IntoResponse;
    let big = "x".repeat(17 << 20);
    let page = big.clone();
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || {
                let page = page.clone();
                async move { ([("content-type", "text/html; charset=utf-8")], page).into_response() }
            }),
        )
        .route(
            "/small",
            axum::routing::get(|| async { ([("content-type", "text/html")], "<p>hi</p>").into_response() }),
        )
        .layer(axum::middleware::from_fn(octoscope::html_cache::revalidate))
        .layer(axum::middleware::from_fn(
            |mut req: axum::extract::Request, next: axum::middleware::Next| async move {
                req.extensions_mut()
                    .insert(octoscope::security::CspNonce("AbCdEfGh12345678".into()));
                next.run(req).await
            },
        ));
    let resp = app
        .clone()
        .oneshot(
            http::Request::get("/")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("etag").is_none(), "too large to hash");
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(body.len(), big.len(), "every byte arrives");
    let small = app
        .oneshot(
            http::Request::get("/small")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(small.headers()["etag"]
        .to_str()
        .unwrap()
        .ends_with(".AbCdEfGh12345678\""));
}
