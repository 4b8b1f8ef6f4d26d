//! Decoding one long JSON array on every core. A backend answer of tens of megabytes (a
//! 500-series range query, a 100,000-span trace) is one array of like elements; it is cut at
//! element boundaries found by a marker that can only occur there, and the parts are decoded
//! side by side. Callers fall back to a plain decode whenever a part does not read. Pure.

use serde::de::DeserializeOwned;

/// The least each thread decodes: below it, a thread costs more than it saves.
const PART_BYTES: usize = 4 << 20;

/// Threads worth using for `len` bytes.
pub fn threads_for(len: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(len / PART_BYTES).max(1)
}

/// `inner` (elements separated by commas, no surrounding brackets) cut into about `n` equal
/// parts just before an occurrence of `between`, which starts with `},` and must occur only
/// between two elements (a key with bare quotes cannot occur inside a JSON string).
pub fn split_elements<'a>(inner: &'a [u8], n: usize, between: &[u8]) -> Vec<&'a [u8]> {
    debug_assert!(between.starts_with(b"},"));
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (inner.len() * k / n).max(start);
        let Some(at) = find(&inner[target..], between) else {
            break;
        };
        let end = target + at + 1; // keeps the closing brace
        parts.push(&inner[start..end]);
        start = end + 1; // skips the comma
    }
    parts.push(&inner[start..]);
    parts
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Where `needle` last occurs in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

/// Each part decoded by `decode` on its own thread (the first on this one), in order; `None`
/// if any part is.
pub fn decode_parts<T: Send>(
    parts: &[&[u8]],
    decode: impl Fn(&[u8]) -> Option<Vec<T>> + Sync,
) -> Option<Vec<T>> {
    let decode = &decode;
    let decoded: Vec<Option<Vec<T>>> = std::thread::scope(|scope| {
        let running: Vec<_> = parts
            .iter()
            .skip(1)
            .map(|part| scope.spawn(move || decode(part)))
            .collect();
        let mut out = vec![parts.first().and_then(|p| decode(p))];
        out.extend(running.into_iter().map(|t| t.join().ok().flatten()));
        out
    });
    let mut all = Vec::new();
    for part in decoded {
        all.extend(part?);
    }
    Some(all)
}

/// Comma-separated JSON values, each read by serde.
pub fn serde_elements<T: DeserializeOwned>(part: &[u8]) -> Option<Vec<T>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let mut values = serde_json::Deserializer::from_slice(&part[at..]).into_iter::<T>();
        out.push(values.next()?.ok()?);
        at += values.byte_offset();
        match part.get(at) {
            None => return Some(out),
            Some(b',') => at += 1,
            Some(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct El {
        id: u32,
        note: String,
    }

    fn array(n: u32) -> String {
        let items: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"id":{i},"note":"}},{{\"id\": {i} [x]"}}"#))
            .collect();
        items.join(",")
    }

    #[test]
    fn any_cut_decodes_to_the_same_elements_in_order() {
        let inner = array(50);
        let want: Vec<El> = serde_json::from_str(&format!("[{inner}]")).unwrap();
        for n in 1..=60 {
            let parts = split_elements(inner.as_bytes(), n, br#"},{"id":"#);
            assert!(parts.len() <= n.max(1));
            let got = decode_parts(&parts, serde_elements::<El>).unwrap();
            assert_eq!(got, want, "cut in {n}");
        }
    }

    #[test]
    fn a_part_that_does_not_read_fails_the_whole() {
        assert_eq!(
            serde_elements::<El>(br#"{"id":1,"note":"a"} {"id":2,"note":"b"}"#),
            None
        );
        assert_eq!(
            serde_elements::<El>(br#"{"id":1,"note":"a"},"#),
            None,
            "a trailing comma"
        );
        let parts: [&[u8]; 2] = [br#"{"id":1,"note":"a"}"#, br#"{"id":"x"}"#];
        assert_eq!(decode_parts(&parts, serde_elements::<El>), None);
    }
}
