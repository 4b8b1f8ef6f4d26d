//! HTML the server drew for a page's static parts (the rows of an alert table): it travels in
//! server-function answers, which a client-side navigation or a refresh puts into the page, but
//! not in the page's hydration data. The first HTML already holds it, and hydration leaves an
//! `inner_html` the server wrote untouched, so the browser never needs the rows' data at all.
//!
//! A resource opts in with the [`HeldBack`] codec; while it encodes, [`Drawn`] values and fields
//! marked `#[serde(with = "crate::model::drawn::held", default)]` are written empty.

use leptos::server::codee;
use serde::{Deserialize, Serialize, Serializer};
use std::cell::Cell;

thread_local! {
    /// Set while a resource is encoded for hydration.
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

fn holding() -> bool {
    HOLDING.with(Cell::get)
}

/// HTML drawn on the server by the app's own views (escaped like any view), shown with
/// `inner_html`. Empty in hydration data.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Drawn(pub String);

impl Serialize for Drawn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        held::serialize(&self.0, s)
    }
}

/// `#[serde(with = "crate::model::drawn::held", default)]` for data the page shows only through
/// something [`Drawn`]: sent in answers (API clients and tests read it), its empty default in
/// hydration data; the browser never reads it, so its build skips the value
/// (`server_only::skip_in_browser`).
pub mod held {
    use serde::{Serialize, Serializer};

    pub fn serialize<T: Serialize + Default, S: Serializer>(
        v: &T,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if super::holding() {
            T::default().serialize(s)
        } else {
            v.serialize(s)
        }
    }

    pub use crate::model::server_only::skip_in_browser as deserialize;
}

/// Encodes `v` as JSON with everything drawn left out.
pub fn encode_held<T: Serialize>(v: &T) -> serde_json::Result<String> {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            HOLDING.with(|h| h.set(self.0));
        }
    }
    let _reset = Reset(HOLDING.with(|h| h.replace(true)));
    serde_json::to_string(v)
}

/// The hydration codec of resources whose answers carry [`Drawn`] HTML: JSON without it.
pub struct HeldBack;

impl<T: Serialize> codee::Encoder<T> for HeldBack {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(v: &T) -> Result<String, serde_json::Error> {
        encode_held(v)
    }
}

impl<T: serde::de::DeserializeOwned> codee::Decoder<T> for HeldBack {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(v: &str) -> Result<T, serde_json::Error> {
        crate::model::json::decode(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Page {
        rows: Drawn,
        #[serde(with = "held", default)]
        alerts: Vec<String>,
        shown: usize,
    }

    fn page() -> Page {
        Page {
            rows: Drawn("<tr><td>HighErrorRate</td></tr>".into()),
            alerts: vec!["HighErrorRate".into()],
            shown: 1,
        }
    }

    #[test]
    fn answers_carry_the_drawn_html_and_its_data() {
        let json = serde_json::to_string(&page()).unwrap();
        let back: Page = serde_json::from_str(&json).unwrap();
        assert_eq!(back, page());
    }

    #[test]
    fn hydration_data_leaves_out_what_was_drawn_and_keeps_the_rest() {
        let json = <HeldBack as codee::Encoder<Page>>::encode(&page()).unwrap();
        assert!(!json.contains("HighErrorRate"), "{json}");
        let back: Page = <HeldBack as codee::Decoder<Page>>::decode(&json).unwrap();
        assert_eq!(
            back,
            Page {
                shown: 1,
                ..Page::default()
            }
        );
        // Holding ends with the encoding: the next answer is whole again.
        assert!(serde_json::to_string(&page())
            .unwrap()
            .contains("HighErrorRate"));
    }
}
