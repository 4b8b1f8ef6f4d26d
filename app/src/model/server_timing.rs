//! The `Server-Timing` header (W3C Server Timing): where one request spent its time, readable in
//! the browser's network panel and by `performance.getEntriesByType("navigation")[0].serverTiming`.

use std::time::Duration;

/// One timed part of a request: a backend call, or the whole answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// A token: `backend`, `proxy`, `total`.
    pub name: &'static str,
    /// Free text shown next to the bar (the datasource and the API path).
    pub desc: String,
    pub dur: Duration,
}

/// At most this many entries per answer: a page with hundreds of backend calls must not grow a
/// header past what proxies accept (8 KB is a common cap). The rest are summed into one entry.
pub const MAX_ENTRIES: usize = 40;

/// The header value: each entry as `name;desc="…";dur=ms` (milliseconds, 0.1 ms resolution).
pub fn header(entries: &[Timing]) -> String {
    let mut parts: Vec<String> = entries
        .iter()
        .take(MAX_ENTRIES)
        .map(|t| entry(t.name, &t.desc, t.dur))
        .collect();
    if entries.len() > MAX_ENTRIES {
        let rest = &entries[MAX_ENTRIES..];
        let sum = rest.iter().map(|t| t.dur).sum();
        parts.push(entry(
            "backend",
            &format!("{} more backend calls (summed)", rest.len()),
            sum,
        ));
    }
    parts.join(", ")
}

fn entry(name: &str, desc: &str, dur: Duration) -> String {
    format!(
        "{name};desc=\"{}\";dur={:.1}",
        quote(desc),
        dur.as_secs_f64() * 1e3
    )
}

/// A `quoted-string` body: backslash and double quote escaped, control characters dropped
/// (a header value cannot carry them).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().take(120) {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || !c.is_ascii() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &'static str, desc: &str, ms: u64) -> Timing {
        Timing {
            name,
            desc: desc.into(),
            dur: Duration::from_millis(ms),
        }
    }

    #[test]
    fn entries_are_named_described_and_in_milliseconds() {
        let h = header(&[
            t("backend", "Prometheus api/v1/query_range", 12),
            t("total", "page", 30),
        ]);
        assert_eq!(
            h,
            "backend;desc=\"Prometheus api/v1/query_range\";dur=12.0, total;desc=\"page\";dur=30.0"
        );
    }

    #[test]
    fn descriptions_cannot_break_out_of_their_quotes() {
        let h = header(&[t("backend", "a\"b\\c\r\nSet-Cookie: x", 1)]);
        assert_eq!(h, "backend;desc=\"a\\\"b\\\\c??Set-Cookie: x\";dur=1.0");
        assert!(http::HeaderValue::from_str(&h).is_ok());
        let h = header(&[t("backend", "Prométhée", 1)]);
        assert!(http::HeaderValue::from_str(&h).is_ok(), "{h}");
    }

    #[test]
    fn many_calls_are_capped_and_the_rest_summed() {
        let many: Vec<Timing> = (0..MAX_ENTRIES + 5).map(|_| t("backend", "x", 2)).collect();
        let h = header(&many);
        assert_eq!(h.matches("backend;").count(), MAX_ENTRIES + 1);
        assert!(
            h.ends_with("backend;desc=\"5 more backend calls (summed)\";dur=10.0"),
            "{h}"
        );
    }
}
