//! Fields of an answer only the server reads. The same types travel to the browser (server
//! functions, hydration data), but a field the browser never reads need not be decoded there:
//! its type's reader would be in the wasm for nothing (a panel's queries and transformations,
//! the list panels' options, a table's frames, the data of rows drawn on the server: README,
//! "Only what the browser reads").
//! The server still writes them (tests and the answers' other readers see them); the browser's
//! build steps over their bytes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `#[serde(default, deserialize_with = "crate::model::server_only::skip_in_browser")]`: the
/// server reads the field as its type does; the browser skips its value and holds the default.
/// Only for fields nothing in the browser reads (nor hydrates a view from: that would differ).
pub fn skip_in_browser<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    #[cfg(feature = "ssr")]
    return T::deserialize(d);
    #[cfg(not(feature = "ssr"))]
    skipped(d)
}

/// The browser's side of [`skip_in_browser`] (named apart so the server's tests run it too).
#[cfg_attr(feature = "ssr", allow(dead_code))]
fn skipped<'de, D: Deserializer<'de>, T: Default>(d: D) -> Result<T, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(T::default())
}

/// What the browser's build holds for a value only the server reads, where whether there is
/// one matters (`Option<Unread>`): `Some` when the answer had it, without reading it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unread;

impl<'de> Deserialize<'de> for Unread {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Unread)
    }
}

/// Never written: the browser sends none of these answers back. Required by the resources'
/// codec, which can write what it reads.
impl Serialize for Unread {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Answer {
        kept: u32,
        #[serde(default, deserialize_with = "skip_in_browser")]
        server_only: Vec<String>,
        unread: Option<Unread>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct InBrowser {
        kept: u32,
        #[serde(default, deserialize_with = "skipped")]
        server_only: Vec<String>,
    }

    #[test]
    fn the_browser_steps_over_the_value_whatever_it_is() {
        let a: InBrowser =
            serde_json::from_str(r#"{"server_only":{"not":["a list"]},"kept":3}"#).unwrap();
        assert_eq!(
            a,
            InBrowser {
                kept: 3,
                server_only: vec![]
            }
        );
    }

    #[test]
    fn the_server_reads_what_the_browser_skips() {
        let a: Answer =
            serde_json::from_str(r#"{"kept":1,"server_only":["a"],"unread":{"x":[1,2]}}"#).unwrap();
        assert_eq!(a.kept, 1);
        // Unit tests build the server's side (`ssr`).
        assert_eq!(a.server_only, vec!["a".to_string()]);
        assert_eq!(a.unread, Some(Unread));
        let none: Answer = serde_json::from_str(r#"{"kept":2,"unread":null}"#).unwrap();
        assert_eq!((none.server_only.len(), none.unread), (0, None));
    }
}
