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
    // Series of one answer have about as many points each: the last one's count sizes the next.
    let mut points = 0;
    loop {
        let series = c.series(points)?;
        points = series.values.len();
        out.push(series);
        if c.i == part.len() {
            return Some(out);
        }
        c.lit(b",")?;
    }
}

/// `-?digits(.digits)?` with at most 15 digits, as a correctly rounded parse reads it: an
/// integer below 2^53 divided by a power of ten is one correctly rounded IEEE operation
/// (Clinger's fast path). `None` for anything else. Prometheus writes times and most values so.
fn simple_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    // JSON has no leading zeros ("01"), no bare point ("1.", ".5").
    if digits.len() > 1 && digits[0] == b'0' && digits[1] != b'.' {
        return None;
    }
    let (mut n, mut count, mut decimals) = (0u64, 0usize, None);
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                n = n * 10 + u64::from(c - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if decimals.is_none() && i > 0 && i + 1 < digits.len() => {
                decimals = Some(digits.len() - i - 1);
            }
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    let v = n as f64 / POW10[decimals.unwrap_or(0)];
    Some(if negative { -v } else { v })
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
    fn until_quote(&mut self) -> Option<&'a [u8]> {
        let rest = &self.b[self.i..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i += len + 1;
        Some(&rest[..len])
    }

    fn string(&mut self) -> Option<&'a str> {
        self.lit(b"\"")?;
        std::str::from_utf8(self.until_quote()?).ok()
    }

    /// A sample's time: a plain decimal (Prometheus never writes an exponent there).
    fn time(&mut self) -> Option<f64> {
        let rest = &self.b[self.i..];
        let len = rest
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'.' | b'-'))?;
        self.i += len;
        simple_decimal(&rest[..len])
    }

    fn series(&mut self, points: usize) -> Option<RangeSeries> {
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
        let mut values = Vec::with_capacity(points);
        if !self.eat(b']') {
            loop {
                self.lit(b"[")?;
                let t = self.time()?;
                self.lit(b",\"")?;
                let v = self.until_quote()?;
                self.lit(b"]")?;
                let v = match simple_decimal(v) {
                    Some(v) => v,
                    None => parse_sample(std::str::from_utf8(v).ok()?),
                };
                values.push((t, Sample(v)));
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
    fn plain_decimals_read_exactly_as_a_correctly_rounded_parse() {
        let taken = [
            "0",
            "-0",
            "1",
            "0.1",
            "0.3",
            "1764480000.123",
            "-12.5",
            "999999999999999",
            "0.000017426",
            "123456.78901234",
        ];
        let declined = [
            "4503599627370495",
            "12345678901234567",
            "1e5",
            "01",
            "1.",
            ".5",
            "-",
            "",
            "1.2.3",
            "1-2",
            "+1",
            "NaN",
        ];
        for text in taken {
            let v = simple_decimal(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                v.to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
        }
        for text in declined {
            assert_eq!(simple_decimal(text.as_bytes()), None, "{text}");
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
