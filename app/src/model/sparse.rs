//! Structs on the wire with only what differs from their `Default` (`#[serde(serialize_with =
//! "…")]`): a dashboard's panels are mostly default options, and every page that draws one
//! carries its spec for hydration. The reader is the type's own derived `Deserialize` with
//! `#[serde(default)]` on the struct: serde fills every field that did not come from the
//! struct's `Default`, so a default that is not zero (a legend shown, bars horizontal) stays
//! right. Reading it that way, rather than laying the fields over the default as JSON values,
//! keeps one reader per type in the wasm (the one every answer is read with). One level deep: a
//! field is sent whole or not at all, so enums and maps are never merged; nested structs that are
//! worth it use `sparse` on their own field (and `#[serde(default)]` on their own struct).

use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

fn fields<T: Serialize>(v: &T) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(v).map_err(|e| e.to_string())? {
        Value::Object(m) => Ok(m),
        other => Err(format!("sparse is for structs, not {other}")),
    }
}

/// The default's fields: what the sent value is compared with (made once per list).
fn base<T: Serialize + Default>() -> Result<Map<String, Value>, String> {
    fields(&T::default())
}

/// The fields of `v` that differ from `base`'s.
fn diff<T: Serialize>(base: &Map<String, Value>, v: &T) -> Result<Map<String, Value>, String> {
    let mut m = fields(v)?;
    m.retain(|k, v| base.get(k) != Some(v));
    Ok(m)
}

pub fn serialize<T: Serialize + Default, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    base::<T>()
        .and_then(|b| diff(&b, v))
        .map_err(S::Error::custom)?
        .serialize(s)
}

/// A list of such structs, each sparse.
pub mod vec {
    use super::*;

    pub fn serialize<T: Serialize + Default, S: Serializer>(
        v: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        // Only for a list with something in it: a default Panel's own (empty) children would
        // otherwise write the default again, without end.
        if v.is_empty() {
            return s.collect_seq(std::iter::empty::<()>());
        }
        let base = base::<T>().map_err(S::Error::custom)?;
        v.iter()
            .map(|v| diff(&base, v))
            .collect::<Result<Vec<_>, _>>()
            .map_err(S::Error::custom)?
            .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Line,
        Bars { horizontal: bool },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Options {
        legend: bool,
        unit: String,
        shape: Shape,
        labels: BTreeMap<String, String>,
    }

    impl Default for Options {
        fn default() -> Self {
            Options {
                legend: true,
                unit: String::new(),
                shape: Shape::Bars { horizontal: true },
                labels: BTreeMap::from([("a".into(), "1".into())]),
            }
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Panel {
        #[serde(serialize_with = "super::serialize")]
        options: Options,
        #[serde(serialize_with = "super::vec::serialize")]
        more: Vec<Options>,
    }

    #[test]
    fn only_changed_fields_travel_and_the_rest_come_back_as_their_defaults() {
        let changed = Options {
            legend: false,
            shape: Shape::Line,
            labels: BTreeMap::from([("b".into(), "2".into())]),
            ..Options::default()
        };
        let panel = Panel {
            options: Options::default(),
            more: vec![changed.clone(), Options::default()],
        };
        let json = serde_json::to_string(&panel).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            serde_json::json!({
                "options": {},
                "more": [{"legend": false, "shape": "Line", "labels": {"b": "2"}}, {}]
            })
        );
        // A field sent replaces the default's whole: the map is not merged with {"a":"1"}.
        assert_eq!(serde_json::from_str::<Panel>(&json).unwrap(), panel);
    }

    #[test]
    fn what_is_not_an_object_of_fields_is_refused_saying_what_was_expected() {
        let err = serde_json::from_str::<Panel>(r#"{"options":"x","more":[]}"#).unwrap_err();
        assert!(err.to_string().contains("struct Options"), "{err}");
    }
}
