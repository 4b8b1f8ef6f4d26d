//! Which backend paths the datasource proxy may forward to, per datasource kind.
//!
//! The proxy is a read-only window onto each backend: anything not listed here is refused before a
//! byte leaves the console. Paths are checked in their raw (still percent-encoded) form so that
//! encoded slashes and double encoding cannot smuggle a `..` past the check.

use super::datasource::DatasourceKind;
use thiserror::Error;

/// One allowed route: `*` matches exactly one path segment.
#[derive(Debug, Clone, Copy)]
pub struct AllowedPath {
    pub pattern: &'static str,
    /// POST is allowed only for read endpoints that accept form-encoded queries (Prometheus).
    pub post: bool,
}

const fn get(pattern: &'static str) -> AllowedPath {
    AllowedPath {
        pattern,
        post: false,
    }
}
const fn read_post(pattern: &'static str) -> AllowedPath {
    AllowedPath {
        pattern,
        post: true,
    }
}

const PROMETHEUS: &[AllowedPath] = &[
    read_post("api/v1/query"),
    read_post("api/v1/query_range"),
    read_post("api/v1/series"),
    read_post("api/v1/labels"),
    get("api/v1/label/*/values"),
    get("api/v1/metadata"),
    get("api/v1/rules"),
    get("api/v1/alerts"),
    read_post("api/v1/query_exemplars"),
    get("api/v1/status/buildinfo"),
    // What the troubleshooting pages read.
    get("api/v1/targets"),
    get("api/v1/status/tsdb"),
    get("api/v1/alertmanagers"),
];

const ALERTMANAGER: &[AllowedPath] = &[
    get("api/v2/alerts"),
    get("api/v2/alerts/groups"),
    get("api/v2/silences"),
    get("api/v2/silence/*"),
    get("api/v2/status"),
];

const LOKI: &[AllowedPath] = &[
    get("loki/api/v1/query"),
    get("loki/api/v1/query_range"),
    get("loki/api/v1/labels"),
    get("loki/api/v1/label/*/values"),
    get("loki/api/v1/series"),
];

const JAEGER: &[AllowedPath] = &[
    get("api/services"),
    get("api/services/*/operations"),
    get("api/operations"),
    get("api/traces"),
    get("api/traces/*"),
    get("api/v3/services"),
    get("api/v3/operations"),
    get("api/v3/traces"),
    get("api/v3/traces/*"),
];

const TEMPO: &[AllowedPath] = &[
    get("api/traces/*"),
    get("api/v2/traces/*"),
    get("api/search"),
    get("api/search/tags"),
    get("api/search/tag/*/values"),
];

pub fn allowed_paths(kind: DatasourceKind) -> &'static [AllowedPath] {
    match kind {
        DatasourceKind::Prometheus => PROMETHEUS,
        DatasourceKind::Alertmanager => ALERTMANAGER,
        DatasourceKind::Loki => LOKI,
        DatasourceKind::Jaeger => JAEGER,
        DatasourceKind::Tempo => TEMPO,
    }
}

/// Why a proxied path was refused. Every variant becomes a 403 (or 405) with this message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProxyPathError {
    #[error("the path is empty; name a backend API path such as api/v1/query")]
    Empty,
    #[error("path segment {0:?} is not allowed (no empty, '.' or '..' segments)")]
    BadSegment(String),
    #[error("path contains a character that is not allowed: {0:?}")]
    BadCharacter(char),
    #[error("percent-encoding is only allowed inside a name segment, and must not encode '/', '\\', '%' or '.'-only names")]
    BadEncoding,
    #[error("{kind} datasources do not allow {path}; allowed: {allowed}")]
    NotAllowed {
        kind: DatasourceKind,
        path: String,
        allowed: String,
    },
    #[error("method {method} is not allowed for {path}; this proxy is read-only")]
    Method { method: String, path: String },
}

impl ProxyPathError {
    /// 405 for a read path asked with a write method, 403 for everything else.
    pub fn status_code(&self) -> u16 {
        match self {
            ProxyPathError::Method { .. } => 405,
            _ => 403,
        }
    }
}

fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Decodes a wildcard segment once and rejects anything that could change the path's shape.
fn check_name_segment(seg: &str) -> Result<(), ProxyPathError> {
    let bytes = seg.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex_val),
                bytes.get(i + 2).copied().and_then(hex_val),
            ) else {
                return Err(ProxyPathError::BadEncoding);
            };
            decoded.push(h * 16 + l);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(decoded).map_err(|_| ProxyPathError::BadEncoding)?;
    if text.is_empty()
        || text == "."
        || text == ".."
        || text
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%') || c.is_control())
    {
        return Err(ProxyPathError::BadEncoding);
    }
    Ok(())
}

fn matches(pattern: &str, segments: &[&str]) -> bool {
    let pat: Vec<&str> = pattern.split('/').collect();
    pat.len() == segments.len()
        && pat.iter().zip(segments).all(|(p, s)| {
            if *p == "*" {
                check_name_segment(s).is_ok()
            } else {
                p == s
            }
        })
}

/// Checks a raw (not yet percent-decoded) path, relative to the datasource URL, for `method`.
pub fn check_proxy_path(
    kind: DatasourceKind,
    method: &str,
    raw_path: &str,
) -> Result<(), ProxyPathError> {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if path.is_empty() {
        return Err(ProxyPathError::Empty);
    }
    let segments: Vec<&str> = path.split('/').collect();
    for seg in &segments {
        if seg.is_empty() || *seg == "." || *seg == ".." {
            return Err(ProxyPathError::BadSegment((*seg).to_string()));
        }
        if let Some(c) = seg.chars().find(|c| !is_plain(*c) && *c != '%') {
            return Err(ProxyPathError::BadCharacter(c));
        }
    }
    let allowed = allowed_paths(kind);
    let Some(entry) = allowed.iter().find(|a| matches(a.pattern, &segments)) else {
        if segments.iter().any(|s| s.contains('%')) {
            // Encoded bytes outside a name segment are never legitimate here.
            return Err(ProxyPathError::BadEncoding);
        }
        return Err(ProxyPathError::NotAllowed {
            kind,
            path: path.to_string(),
            allowed: allowed
                .iter()
                .map(|a| a.pattern)
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    match method {
        "GET" | "HEAD" => Ok(()),
        "POST" if entry.post => Ok(()),
        other => Err(ProxyPathError::Method {
            method: other.to_string(),
            path: path.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DatasourceKind::*;

    #[test]
    fn allows_listed_read_paths() {
        assert!(check_proxy_path(Prometheus, "GET", "api/v1/query").is_ok());
        assert!(check_proxy_path(Prometheus, "POST", "/api/v1/query_range").is_ok());
        assert!(check_proxy_path(Prometheus, "GET", "api/v1/label/job/values").is_ok());
        assert!(check_proxy_path(Alertmanager, "GET", "api/v2/alerts/groups").is_ok());
        assert!(check_proxy_path(Loki, "GET", "loki/api/v1/label/app/values").is_ok());
        assert!(check_proxy_path(Jaeger, "GET", "api/services/my%20service/operations").is_ok());
        assert!(
            check_proxy_path(Tempo, "GET", "api/traces/2f3e0cee77ae5dc9c17ade3689eb2e54").is_ok()
        );
    }

    #[test]
    fn refuses_paths_outside_the_allowlist() {
        let err =
            check_proxy_path(Prometheus, "GET", "api/v1/admin/tsdb/delete_series").unwrap_err();
        assert!(matches!(err, ProxyPathError::NotAllowed { .. }));
        assert!(
            err.to_string().contains("api/v1/query_range"),
            "names what is allowed: {err}"
        );
        assert!(check_proxy_path(Prometheus, "GET", "-/quit").is_err());
        assert!(
            check_proxy_path(Loki, "GET", "api/v1/query").is_err(),
            "kinds do not share lists"
        );
        assert!(check_proxy_path(Prometheus, "GET", "").is_err());
    }

    #[test]
    fn refuses_writes() {
        let err = check_proxy_path(Alertmanager, "POST", "api/v2/silences").unwrap_err();
        assert_eq!(err.status_code(), 405);
        assert!(check_proxy_path(Alertmanager, "DELETE", "api/v2/silence/abc").is_err());
        assert!(check_proxy_path(Prometheus, "PUT", "api/v1/query").is_err());
    }

    #[test]
    fn refuses_traversal_and_encoding_tricks() {
        for p in [
            "api/v1/../../-/quit",
            "api/v1/./query",
            "api//v1/query",
            "api/v1/label/..%2f..%2fadmin/values",
            "api/v1/label/%2e%2e/values",
            "api/v1/label/a%252fb/values",
            "api/v1/label/a%5cb/values",
            "api%2fv1%2fquery",
            "http://evil.example/api/v1/query",
            "@evil.example/api/v1/query",
            "api/v1/label/a@b/values",
            "api/v1/query\r\nX-Injected: 1",
            "api/v1/label/%zz/values",
            "api\\v1\\query",
        ] {
            assert!(
                check_proxy_path(Prometheus, "GET", p).is_err(),
                "{p} must be refused"
            );
        }
    }
}
