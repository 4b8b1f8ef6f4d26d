//! View state lives in the URL. These helpers rebuild a query string with one parameter changed,
//! so pickers can link to "the same view, another time range" (works with and without wasm).

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `pairs` with every `key` in `changes` replaced (or removed when the new value is `None`), in
/// their original order, new keys last.
pub fn replaced_pairs(
    pairs: &[(String, String)],
    changes: &[(&str, Option<&str>)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    for (k, v) in changes {
        if let Some(v) = v {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// [`replaced_pairs`] as a query string (`?a=1&b=2`, or empty).
pub fn with_params(pairs: &[(String, String)], changes: &[(&str, Option<&str>)]) -> String {
    let out = replaced_pairs(pairs, changes);
    if out.is_empty() {
        return String::new();
    }
    let body: Vec<String> = out
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect();
    format!("?{}", body.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_keeps_order() {
        let pairs = vec![
            ("query".to_string(), "rate(x[5m]) > 0".to_string()),
            ("from".to_string(), "now-6h".to_string()),
        ];
        assert_eq!(
            with_params(&pairs, &[("from", Some("now-1h")), ("to", Some("now"))]),
            "?query=rate%28x%5B5m%5D%29%20%3E%200&from=now-1h&to=now"
        );
        assert_eq!(with_params(&pairs, &[("query", None), ("from", None)]), "");
    }
}
