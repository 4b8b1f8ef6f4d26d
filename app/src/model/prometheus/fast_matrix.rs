//! A large `query_range` answer in exactly the shape Prometheus writes it, decoded without
//! serde's per-value machinery and on several cores. A 500-series × 11,000-point answer is
//! 125 MB of `[1764480000,"0.5"]` pairs: through serde it took longer to decode than Prometheus
//! took to compute it. Anything else (whitespace, warnings, an escaped label, another result
//! type) is declined, and the caller decodes the body the general way, which also words the
//! errors. Pure.

use super::{parse_sample, RangeSeries, Sample};
use crate::model::parallel_json::{decode_parts, split_elements, threads_for};
use std::collections::BTreeMap;

const HEAD: &[u8] = br#"{"status":"success","data":{"resultType":"matrix","result":["#;
const TAIL: &[u8] = b"]}}";
/// Between two series: only series objects hold a `metric` key.
const BETWEEN: &[u8] = br#"},{"metric":"#;

/// The series of a matrix answer written as Prometheus writes it, decoded by up to `threads`
/// threads; `None` when the body is anything else.
pub fn decode_matrix(body: &[u8], threads: usize) -> Option<Vec<RangeSeries>> {
    let inner = body
        .trim_ascii_end()
        .strip_prefix(HEAD)?
        .strip_suffix(TAIL)?;
    if inner.is_empty() {
        return Some(Vec::new());
    }
    let parts = split_elements(inner, threads.min(threads_for(inner.len())), BETWEEN);
    decode_parts(&parts, decode_part)
}

/// Comma-separated series objects.
fn decode_part(part: &[u8]) -> Option<Vec<RangeSeries>> {
    let mut c = Cursor { b: part, i: 0 };
    let mut out = Vec::new();
    loop {
        out.push(c.series()?);
        if c.i == part.len() {
            return Some(out);
        }
        c.lit(b",")?;
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn lit(&mut self, s: &[u8]) -> Option<()> {
        let end = self.i + s.len();
        (self.b.get(self.i..end)? == s).then(|| self.i = end)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.b.get(self.i) == Some(&byte);
        self.i += hit as usize;
        hit
    }

    /// The bytes up to the next quote, which must be plain text: an escape or a control
    /// character declines.
    fn until_quote(&mut self) -> Option<&'a str> {
        let rest = &self.b[self.i..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i += len + 1;
        std::str::from_utf8(&rest[..len]).ok()
    }

    fn string(&mut self) -> Option<&'a str> {
        self.lit(b"\"")?;
        self.until_quote()
    }

    /// A JSON number (the sample's unix seconds).
    fn number(&mut self) -> Option<f64> {
        let rest = &self.b[self.i..];
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'))?;
        let text = std::str::from_utf8(&rest[..len]).ok()?;
        // JSON's grammar, which Rust's float parser is looser than ("1.", ".5", "inf").
        let digits = text.strip_prefix('-').unwrap_or(text);
        let (int, _) = digits.split_once(['.', 'e', 'E']).unwrap_or((digits, ""));
        if int.is_empty()
            || (int.len() > 1 && int.starts_with('0'))
            || !int.bytes().all(|b| b.is_ascii_digit())
            || text.ends_with(['.', 'e', 'E', '+', '-'])
            || text.contains(".e")
            || text.contains(".E")
        {
            return None;
        }
        self.i += len;
        text.parse().ok()
    }

    fn series(&mut self) -> Option<RangeSeries> {
        self.lit(br#"{"metric":{"#)?;
        let mut metric = BTreeMap::new();
        if !self.eat(b'}') {
            loop {
                let name = self.string()?;
                self.lit(b":")?;
                metric.insert(name.to_string(), self.string()?.to_string());
                if !self.eat(b',') {
                    self.lit(b"}")?;
                    break;
                }
            }
        }
        self.lit(br#","values":["#)?;
        let mut values = Vec::new();
        if !self.eat(b']') {
            loop {
                self.lit(b"[")?;
                // Finite, as the general decoder insists ("1e999" is out of range there).
                let t = self.number().filter(|t| t.is_finite())?;
                self.lit(b",\"")?;
                let v = self.until_quote()?;
                self.lit(b"]")?;
                values.push((t, Sample(parse_sample(v))));
                if !self.eat(b',') {
                    self.lit(b"]")?;
                    break;
                }
            }
        }
        self.lit(b"}")?;
        Some(RangeSeries { metric, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prometheus::QueryData;
    use crate::model::upstream::decode_envelope;

    fn general(body: &[u8]) -> Vec<RangeSeries> {
        match decode_envelope::<QueryData>("p", 200, body).unwrap().data {
            QueryData::Matrix(m) => m,
            other => panic!("not a matrix: {other:?}"),
        }
    }

    fn canonical(series: usize, points: usize) -> String {
        let mut s = String::from_utf8(HEAD.to_vec()).unwrap();
        for i in 0..series {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&format!(
                r#"{{"metric":{{"__name__":"bench_series","i":"{i}","path":"/a/b c"}},"values":["#
            ));
            for j in 0..points {
                if j > 0 {
                    s.push(',');
                }
                let v = match (i + j) % 7 {
                    0 => "NaN".to_string(),
                    1 => "+Inf".to_string(),
                    2 => "-Inf".to_string(),
                    3 => "1e-7".to_string(),
                    k => format!("{}", (i * j) as f64 * 0.37 - k as f64),
                };
                s.push_str(&format!(
                    "[{}.{:03},\"{v}\"]",
                    1_764_480_000 + 2 * j,
                    j % 1000
                ));
            }
            s.push_str("]}");
        }
        s.push_str("]}}");
        s
    }

    /// NaN is not equal to itself: compare through its text.
    fn text(series: &[RangeSeries]) -> String {
        format!("{series:?}")
    }

    #[test]
    fn decodes_as_the_general_decoder_does_on_any_number_of_threads() {
        let body = canonical(40, 300);
        let want = text(&general(body.as_bytes()));
        for threads in [1, 2, 3, 8] {
            // Parts are at least 4 MB, so the split is forced below too.
            let got = decode_matrix(body.as_bytes(), threads).expect("canonical");
            assert_eq!(text(&got), want, "{threads} threads");
        }
        for n in [2, 3, 7, 40, 100] {
            let inner = &body.as_bytes()[HEAD.len()..body.len() - TAIL.len()];
            let parts = split_elements(inner, n, BETWEEN);
            let mut got = Vec::new();
            for p in &parts {
                got.extend(decode_part(p).expect("each part is whole series"));
            }
            assert_eq!(text(&got), want, "split in {n}");
        }
    }

    #[test]
    fn an_empty_matrix_and_empty_series_decode() {
        let empty = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert_eq!(decode_matrix(empty, 2), Some(vec![]));
        let bare = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[]}]}}"#;
        assert_eq!(text(&decode_matrix(bare, 2).unwrap()), text(&general(bare)));
    }

    #[test]
    fn anything_but_the_canonical_shape_is_declined() {
        for body in [
            // Pretty-printed (the upstream documentation's sample).
            include_str!("../../../../tests/fixtures/prometheus/query-range-matrix-up.json"),
            // Warnings, another result type, an error.
            r#"{"status":"success","data":{"resultType":"matrix","result":[]},"warnings":["w"]}"#,
            r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
            r#"{"status":"error","errorType":"bad_data","error":"x"}"#,
            // An escaped label value, a control character, a loose number, a truncated body.
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"\"q\""},"values":[[1,"1"]]}]}}"#,
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"a\":\"\t\"},\"values\":[[1,\"1\"]]}]}}",
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[01,"1"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1.,"1"]]}]}}"#,
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]"#,
        ] {
            assert_eq!(decode_matrix(body.as_bytes(), 2), None, "{body}");
        }
    }
}
