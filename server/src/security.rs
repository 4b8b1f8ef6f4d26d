//! Response headers that keep the console safe to embed only where configured; the Host check
//! (only the names the console is served at, against DNS rebinding); and the CSRF check: a
//! state-changing request from a browser must come from the console's own origin or a configured
//! embedding origin.

use crate::config::HostPolicy;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};
use std::net::IpAddr;
use std::sync::Arc;

/// The CSP nonce of one request: the middleware makes it, the page's hydration scripts carry it.
#[derive(Clone, Debug)]
pub struct CspNonce(pub Arc<str>);

/// Precomputed header values (built once from config, applied to every response).
pub struct SecurityHeaders {
    frame_ancestors: String,
    deny_framing_elsewhere: bool,
    /// Origins besides the console's own that may send POSTs (the embedding portal).
    trusted_origins: Vec<String>,
    hosts: HostPolicy,
}

impl SecurityHeaders {
    pub fn new(allowed_origins: &[String], hosts: HostPolicy) -> Self {
        let mut policy = String::from("frame-ancestors 'self'");
        for o in allowed_origins {
            policy.push(' ');
            policy.push_str(o);
        }
        Self {
            frame_ancestors: policy,
            deny_framing_elsewhere: allowed_origins.is_empty(),
            trusted_origins: allowed_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            hosts,
        }
    }
}

impl SecurityHeaders {
    /// The whole policy: scripts only from the console itself or carrying this response's nonce
    /// (the hydration loader), wasm compilation allowed, no plugins, no inline styles except
    /// `style` attributes (chart geometry), forms and fetches to the console only.
    pub fn policy(&self, nonce: &str) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; {}",
            self.frame_ancestors
        )
    }
}

pub async fn apply(
    State(h): State<Arc<SecurityHeaders>>,
    mut req: Request,
    next: Next,
) -> Response {
    // A revalidating browser gets its page rendered with the nonce it already has, so an
    // unchanged page can be answered 304 (see html_cache).
    let reused = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::html_cache::nonce_to_reuse)
        .map(Arc::<str>::from);
    let nonce: Arc<str> = reused.unwrap_or_else(|| leptos::nonce::Nonce::new().as_inner().clone());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut resp = next.run(req).await;
    let headers = resp.headers_mut();
    let policy = HeaderValue::from_str(&h.policy(&nonce))
        .expect("origins were validated by config and the nonce is base64url");
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    if h.deny_framing_elsewhere {
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// Whether a `Host` header names the console under `policy` (no header: not a browser, allowed).
pub fn host_allowed(host: Option<&str>, policy: &HostPolicy) -> bool {
    let Some(host) = host.map(|h| h.trim().to_ascii_lowercase()) else {
        return true;
    };
    // `name[:port]`, where name may be a bracketed IPv6 address.
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().map(|n| format!("[{n}]")),
        None => host.split(':').next().map(str::to_string),
    }
    .unwrap_or_default();
    match policy {
        HostPolicy::Any => true,
        HostPolicy::Loopback => {
            let bare = name.trim_start_matches('[').trim_end_matches(']');
            name == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }
        HostPolicy::Names(names) => names.iter().any(|n| *n == host || *n == name),
    }
}

/// Refuses requests whose `Host` is not one the console is served at (421), before anything else
/// runs: a rebinding page would otherwise read and write as if it were the console's own.
pub async fn hosts(State(h): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if host_allowed(host, &h.hosts) {
        return next.run(req).await;
    }
    let host = host.unwrap_or_default().to_string();
    tracing::warn!(%host, path = %req.uri().path(), "request for a host this console does not serve");
    crate::json_error(
        http::StatusCode::MISDIRECTED_REQUEST,
        format!("this console does not answer to the host {host:?}; open it at its own address, or add the name to [server] allowed_hosts / public_url"),
    )
}

/// The `scheme://host[:port]` of a Referer URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}").to_ascii_lowercase())
}

/// Whether a request with these headers may change state. Safe methods always may; others need
/// an Origin (or, lacking one, a Referer) that is the console's own host or a trusted origin.
/// Requests with neither header are not from a browser page (curl, scripts): browsers send
/// Origin on every cross-origin POST, so they cannot be forged from another site this way.
pub fn csrf_allowed(
    method: &http::Method,
    headers: &http::HeaderMap,
    trusted: &[String],
) -> Result<(), String> {
    if matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    ) {
        return Ok(());
    }
    let text = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(o), _) => o.trim_end_matches('/').to_ascii_lowercase(),
        (None, Some(r)) => match origin_of(r) {
            Some(o) => o,
            None => return Err(format!("the Referer {r:?} is not a URL")),
        },
        (None, None) => return Ok(()),
    };
    let host = text(header::HOST).unwrap_or("").to_ascii_lowercase();
    let own = !host.is_empty()
        && (claimed == format!("http://{host}") || claimed == format!("https://{host}"));
    if own || trusted.contains(&claimed) {
        Ok(())
    } else {
        Err(format!(
            "cross-origin request refused: {claimed} is neither this console nor an allowed embedding origin; list the portal under [embedding] allowed_origins"
        ))
    }
}

/// Refuses cross-origin state-changing requests with 403 (see [`csrf_allowed`]).
pub async fn csrf(State(h): State<Arc<SecurityHeaders>>, req: Request, next: Next) -> Response {
    match csrf_allowed(req.method(), req.headers(), &h.trusted_origins) {
        Ok(()) => next.run(req).await,
        Err(why) => {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), "{why}");
            crate::json_error(http::StatusCode::FORBIDDEN, why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Method};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_the_consoles_own_hosts_are_answered() {
        let loopback = HostPolicy::Loopback;
        for ok in [
            "127.0.0.1:3000",
            "localhost:9",
            "[::1]:3000",
            "127.0.0.2",
            "LOCALHOST",
        ] {
            assert!(host_allowed(Some(ok), &loopback), "{ok}");
        }
        for bad in [
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "10.0.0.1:3000",
            "",
        ] {
            assert!(!host_allowed(Some(bad), &loopback), "{bad}");
        }
        assert!(host_allowed(None, &loopback));
        let named = HostPolicy::Names(vec!["octoscope.example.com".into(), "lb:8080".into()]);
        assert!(host_allowed(Some("octoscope.example.com:443"), &named));
        assert!(host_allowed(Some("lb:8080"), &named));
        assert!(!host_allowed(Some("lb:8081"), &named));
        assert!(!host_allowed(Some("127.0.0.1:3000"), &named));
        assert!(host_allowed(Some("anything"), &HostPolicy::Any));
    }

    #[test]
    fn cross_origin_posts_are_refused_and_own_or_trusted_origins_pass() {
        let trusted = vec!["https://portal.example".to_string()];
        let post = Method::POST;
        let own = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(csrf_allowed(&post, &own, &trusted).is_ok());
        let portal = headers(&[
            ("host", "console:3000"),
            ("origin", "https://Portal.example"),
        ]);
        assert!(csrf_allowed(&post, &portal, &trusted).is_ok());
        let evil = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(csrf_allowed(&post, &evil, &trusted)
            .unwrap_err()
            .contains("http://evil.example is neither"));
        // A different port is a different origin.
        let port = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3001"),
        ]);
        assert!(csrf_allowed(&post, &port, &trusted).is_err());
        let null = headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]);
        assert!(csrf_allowed(&post, &null, &trusted).is_err());
        let referer = headers(&[
            ("host", "a:1"),
            ("referer", "http://b:1/alerting/silence/new"),
        ]);
        assert!(csrf_allowed(&post, &referer, &trusted).is_err());
        let own_referer = headers(&[("host", "a:1"), ("referer", "http://a:1/x?y")]);
        assert!(csrf_allowed(&post, &own_referer, &trusted).is_ok());
        // Safe methods and non-browser clients.
        assert!(csrf_allowed(&Method::GET, &evil, &trusted).is_ok());
        assert!(csrf_allowed(&post, &headers(&[("host", "a:1")]), &trusted).is_ok());
        assert!(csrf_allowed(&Method::DELETE, &evil, &trusted).is_err());
    }
}
