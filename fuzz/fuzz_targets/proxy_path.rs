//! The datasource proxy's path check, the console's security boundary: any raw path with any
//! method for every datasource kind never panics, and whatever it lets through has none of what
//! could leave the allow-list once a backend decodes it (dot segments, encoded slashes, backslashes
//! or percent signs, authority or scheme tricks, control characters) and is a read.
#![no_main]
use app::model::allowlist::check_proxy_path;
use app::model::datasource::DatasourceKind;
use libfuzzer_sys::fuzz_target;

const KINDS: [DatasourceKind; 5] = [
    DatasourceKind::Prometheus,
    DatasourceKind::Alertmanager,
    DatasourceKind::Loki,
    DatasourceKind::Jaeger,
    DatasourceKind::Tempo,
];
const METHODS: [&str; 5] = ["GET", "POST", "DELETE", "PUT", "HEAD"];

fuzz_target!(|data: &[u8]| {
    let Ok(path) = std::str::from_utf8(data) else {
        return;
    };
    for kind in KINDS {
        for method in METHODS {
            if check_proxy_path(kind, method, path).is_err() {
                continue;
            }
            assert!(
                matches!(method, "GET" | "POST" | "HEAD"),
                "{method} {path:?} allowed"
            );
            let trimmed = path.strip_prefix('/').unwrap_or(path);
            for segment in trimmed.split('/') {
                // What a backend sees after decoding the segment once.
                let decoded = percent_decode(segment);
                assert!(
                    !decoded.is_empty() && decoded != "." && decoded != "..",
                    "{kind:?} {path:?}: segment {segment:?} decodes to {decoded:?}"
                );
                // Traversal, double decoding and header injection; other characters (a
                // space in a service name) are just part of a name.
                for bad in ['/', '\\', '%'] {
                    assert!(
                        !decoded.contains(bad),
                        "{kind:?} {method} {path:?} decodes to {bad:?}"
                    );
                }
                assert!(
                    !decoded.chars().any(char::is_control),
                    "{kind:?} {path:?}: control character"
                );
                // Undecoded, the segment is plain: no authority, whitespace or backslash.
                for bad in ['@', ' ', '\\', '\t'] {
                    assert!(!segment.contains(bad), "{kind:?} {path:?} holds {bad:?}");
                }
            }
            assert!(!lower_has_scheme(trimmed), "{path:?}");
            assert!(!path.starts_with("//"), "{path:?}");
        }
    }
});

/// Decodes `%XX` escapes (invalid ones stay as they are), as a backend's router would.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn lower_has_scheme(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("").to_ascii_lowercase();
    first.contains(':')
}
