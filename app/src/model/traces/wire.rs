//! The trace documents as the backends write them (Jaeger v1 `{data, errors}`, OTLP JSON from
//! Tempo and Jaeger v3), read straight into typed structs. A fleet-size trace is tens of
//! megabytes: going through a `serde_json::Value` tree first cost several times the parse, in
//! time and in memory. Every field is lenient as the backends are (missing or `null` is empty,
//! a tag value may be any JSON), so what was accepted before still is. Pure.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// Any JSON value as the trace views show it: a string as is, `null` as nothing, anything else
/// as its JSON text (`72.5`, `true`, `[1,2]`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(Value::from(v).to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<String, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(|v| v.to_string())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(|v| v.to_string())
    }
}

/// An integer written as a number or a string (OTLP nanoseconds are strings); anything else 0.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Int(pub i64);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(IntVisitor).map(Int)
    }
}

/// Read in place: a 100,000-span trace has several integers a span, none worth a string.
struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer, as a number or a string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        Ok(v.min(i64::MAX as u64) as i64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        Ok(v as i64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        Ok(v.parse()
            .unwrap_or_else(|_| v.parse::<f64>().map(|f| f as i64).unwrap_or(0)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<i64, A::Error> {
        de::IgnoredAny.visit_seq(seq).map(|_| 0)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<i64, A::Error> {
        de::IgnoredAny.visit_map(map).map(|_| 0)
    }
}

/// A list that may be missing or `null`.
pub type List<T> = Option<Vec<T>>;

pub fn list<T>(l: List<T>) -> Vec<T> {
    l.unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub struct KeyValue {
    #[serde(default)]
    pub key: Text,
    #[serde(default)]
    pub value: Text,
}

pub fn pairs(kvs: List<KeyValue>) -> Vec<(String, String)> {
    list(kvs)
        .into_iter()
        .map(|kv| (kv.key.0, kv.value.0))
        .collect()
}

// ---- Jaeger v1 ----

#[derive(Debug, Deserialize)]
pub struct JaegerDoc {
    #[serde(default)]
    pub data: List<JaegerTrace>,
    #[serde(default)]
    pub errors: List<JaegerError>,
}

#[derive(Debug, Deserialize)]
pub struct JaegerError {
    #[serde(default)]
    pub msg: Text,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerTrace {
    #[serde(rename = "traceID", default)]
    pub trace_id: Text,
    #[serde(default)]
    pub spans: List<JaegerSpan>,
    #[serde(default)]
    pub processes: Option<HashMap<String, JaegerProcess>>,
    #[serde(default)]
    pub warnings: List<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerSpan {
    #[serde(rename = "spanID", default)]
    pub span_id: Text,
    #[serde(default)]
    pub operation_name: Text,
    #[serde(default)]
    pub references: List<JaegerRef>,
    #[serde(default)]
    pub start_time: Int,
    #[serde(default)]
    pub duration: Int,
    #[serde(default)]
    pub tags: List<KeyValue>,
    #[serde(default)]
    pub logs: List<JaegerLog>,
    #[serde(rename = "processID", default)]
    pub process_id: Text,
    #[serde(default)]
    pub warnings: List<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerRef {
    #[serde(default)]
    pub ref_type: Text,
    #[serde(rename = "traceID", default)]
    pub trace_id: Text,
    #[serde(rename = "spanID", default)]
    pub span_id: Text,
}

#[derive(Debug, Deserialize)]
pub struct JaegerLog {
    #[serde(default)]
    pub timestamp: Int,
    #[serde(default)]
    pub fields: List<KeyValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JaegerProcess {
    #[serde(default)]
    pub service_name: Text,
    #[serde(default)]
    pub tags: List<KeyValue>,
}

// ---- OTLP JSON (Tempo, Jaeger v3) ----

/// Tempo `{batches}`, OTLP `{resourceSpans}`, Tempo v2 `{trace: …}`, a Jaeger v3 chunk
/// `{result: …}` or its refusal `{error: {message}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtlpDoc {
    #[serde(default)]
    pub trace: Option<Box<OtlpDoc>>,
    #[serde(default)]
    pub result: Option<Box<OtlpDoc>>,
    #[serde(default)]
    pub error: Option<Value>,
    #[serde(default)]
    pub batches: List<Batch>,
    #[serde(default)]
    pub resource_spans: List<Batch>,
}

impl OtlpDoc {
    /// The batches of the innermost document (`trace` or `result` wraps the real one).
    pub fn into_batches(self) -> Option<Vec<Batch>> {
        match (self.trace, self.result) {
            (Some(inner), _) | (None, Some(inner)) => inner.into_batches(),
            (None, None) => self.batches.or(self.resource_spans),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Batch {
    #[serde(default)]
    pub resource: Option<Resource>,
    #[serde(default)]
    pub scope_spans: List<ScopeSpans>,
    #[serde(default)]
    pub instrumentation_library_spans: List<ScopeSpans>,
}

#[derive(Debug, Deserialize)]
pub struct Resource {
    #[serde(default)]
    pub attributes: List<Attribute>,
}

#[derive(Debug, Deserialize)]
pub struct ScopeSpans {
    #[serde(default)]
    pub spans: List<OtlpSpan>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtlpSpan {
    #[serde(default)]
    pub trace_id: Text,
    #[serde(default)]
    pub span_id: Text,
    #[serde(default)]
    pub parent_span_id: Text,
    #[serde(default)]
    pub name: Text,
    #[serde(default)]
    pub kind: Option<Text>,
    #[serde(default)]
    pub start_time_unix_nano: Int,
    #[serde(default)]
    pub end_time_unix_nano: Int,
    #[serde(default)]
    pub attributes: List<Attribute>,
    #[serde(default)]
    pub events: List<Event>,
    #[serde(default)]
    pub links: List<Link>,
    #[serde(default)]
    pub status: Option<Status>,
}

#[derive(Debug, Deserialize)]
pub struct Status {
    /// `2` or `"STATUS_CODE_ERROR"` is an error.
    #[serde(default)]
    pub code: Text,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    #[serde(default)]
    pub time_unix_nano: Int,
    #[serde(default)]
    pub name: Text,
    #[serde(default)]
    pub attributes: List<Attribute>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    #[serde(default)]
    pub trace_id: Text,
    #[serde(default)]
    pub span_id: Text,
}

#[derive(Debug, Deserialize)]
pub struct Attribute {
    #[serde(default)]
    pub key: Text,
    #[serde(default)]
    pub value: AnyValue,
}

pub fn attributes(attrs: List<Attribute>) -> Vec<(String, String)> {
    list(attrs)
        .into_iter()
        .map(|a| (a.key.0, a.value.0))
        .collect()
}

/// An OTLP `AnyValue` as text: the one of `stringValue`, `intValue`, `doubleValue`,
/// `boolValue`, `bytesValue` it holds, an `arrayValue` as `[a, b]`, anything else as its JSON.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AnyValue(pub String);

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyValueVisitor).map(AnyValue)
    }
}

#[derive(Deserialize)]
struct ArrayValue {
    #[serde(default)]
    values: List<AnyValue>,
}

struct AnyValueVisitor;

impl<'de> Visitor<'de> for AnyValueVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OTLP AnyValue")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let mut found = None;
        let mut others = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "stringValue" | "intValue" | "doubleValue" | "boolValue" | "bytesValue"
                    if found.is_none() =>
                {
                    found = Some(map.next_value::<Text>()?.0);
                }
                "arrayValue" if found.is_none() => {
                    let a: ArrayValue = map.next_value()?;
                    let items: Vec<String> = list(a.values).into_iter().map(|v| v.0).collect();
                    found = Some(format!("[{}]", items.join(", ")));
                }
                _ => {
                    others.insert(key, map.next_value()?);
                }
            }
        }
        Ok(found.unwrap_or_else(|| Value::Object(others).to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        TextVisitor.visit_str(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        TextVisitor.visit_bool(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        TextVisitor.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        TextVisitor.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        TextVisitor.visit_f64(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<String, A::Error> {
        TextVisitor.visit_seq(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_values_render_as_the_views_show_them() {
        let t: Vec<Text> =
            serde_json::from_str(r#"["a", 72.5, 1.0, 5, true, null, [1,2], {"k":1}]"#).unwrap();
        let t: Vec<&str> = t.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            t,
            ["a", "72.5", "1.0", "5", "true", "", "[1,2]", r#"{"k":1}"#]
        );
        let v: Vec<AnyValue> = serde_json::from_str(
            r#"[{"stringValue":"s"},{"intValue":"42"},{"boolValue":true},
                {"arrayValue":{"values":[{"intValue":1},{"stringValue":"x"}]}},
                {"kvlistValue":{"values":[]}}, "plain"]"#,
        )
        .unwrap();
        let v: Vec<&str> = v.iter().map(|v| v.0.as_str()).collect();
        assert_eq!(
            v,
            [
                "s",
                "42",
                "true",
                "[1, x]",
                r#"{"kvlistValue":{"values":[]}}"#,
                "plain"
            ]
        );
        let n: Vec<Int> = serde_json::from_str(r#"["1544712660000000000", 7, null, "x"]"#).unwrap();
        assert_eq!(n, [Int(1544712660000000000), Int(7), Int(0), Int(0)]);
    }

    #[test]
    fn wrapped_otlp_documents_unwrap_to_their_batches() {
        let doc: OtlpDoc =
            serde_json::from_str(r#"{"trace":{"resourceSpans":[{"scopeSpans":[]}]}}"#).unwrap();
        assert_eq!(doc.into_batches().map(|b| b.len()), Some(1));
        let none: OtlpDoc = serde_json::from_str("{}").unwrap();
        assert!(none.into_batches().is_none());
    }
}
