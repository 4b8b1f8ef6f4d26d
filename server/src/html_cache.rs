//! Pages are `Cache-Control: no-cache` with a validator: the ETag names the page's content and the
//! CSP nonce it was rendered with (`W/"<content hash>.<nonce>"`). A browser revalidating sends it
//! back; the security middleware then renders with that same nonce ([`nonce_to_reuse`]), so an
//! unchanged page hashes the same and is answered 304, and the cached page's scripts still match
//! the policy the 304 carries.

use crate::security::CspNonce;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use http::{header, HeaderValue, StatusCode};
use sha2::{Digest, Sha256};

/// Pages larger than this are sent without a validator (never buffered to hash).
const MAX_HASHED_PAGE: usize = 16 << 20;

/// The nonce inside an `If-None-Match` this console made, if it is one.
pub fn nonce_to_reuse(if_none_match: &str) -> Option<&str> {
    let tag = if_none_match.split(',').next()?.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
    let (hash, nonce) = tag.split_once('.')?;
    let ok = hash.len() == 32
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && (8..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
    ok.then_some(nonce)
}

/// The ETag of a page body rendered with `nonce`.
pub fn etag(body: &[u8], nonce: &str) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}.{nonce}\"")
}

pub async fn revalidate(req: Request, next: Next) -> Response {
    let nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let presented = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let is_get = req.method() == http::Method::GET;
    let resp = next.run(req).await;
    let is_page = resp.status() == StatusCode::OK
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
    let (Some(nonce), true, true) = (nonce, is_get, is_page) else {
        return resp;
    };
    let (mut parts, body) = resp.into_parts();
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Read the page up to the size worth hashing; a larger one is sent on as it streams, with
    // no validator (and a failing stream fails the response as it would have anyway).
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut size = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered; reload it",
            )
                .into_response();
        };
        size += chunk.len();
        chunks.push(chunk);
        if size > MAX_HASHED_PAGE {
            let head = futures::stream::iter(chunks.into_iter().map(Ok::<_, axum::Error>));
            return Response::from_parts(parts, Body::from_stream(head.chain(stream)));
        }
    }
    let bytes = chunks.concat();
    let tag = etag(&bytes, &nonce);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if presented
        .as_deref()
        .is_some_and(|p| p.split(',').any(|t| t.trim() == tag))
    {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_carry_their_nonce_back() {
        let tag = etag(b"<html>page</html>", "AbC-12_xyz==");
        assert!(
            tag.starts_with("W/\"") && tag.ends_with(".AbC-12_xyz==\""),
            "{tag}"
        );
        assert_eq!(nonce_to_reuse(&tag), Some("AbC-12_xyz=="));
        assert_ne!(tag, etag(b"<html>other</html>", "AbC-12_xyz=="));
        for foreign in [
            "\"abc\"",
            "W/\"0123.short\"",
            "W/\"0123456789abcdef0123456789abcdef.<script>\"",
            "*",
        ] {
            assert_eq!(nonce_to_reuse(foreign), None, "{foreign}");
        }
    }
}
