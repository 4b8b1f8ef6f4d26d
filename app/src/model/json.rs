//! One JSON reader for everything the browser decodes. A server function's answer is read from
//! bytes (`serde_json::from_slice`, server_fn's JSON codec) and a resource's hydration data was
//! read from a string (`from_str`, codee's JSON codec): each reader is an instantiation of its
//! own of every `Deserialize` impl the data reaches, so the wasm carried every page's decoding
//! twice. Resources take the [`Json`] codec (or one that decodes through [`decode`]), which reads
//! hydration data as bytes too.

use leptos::server::codee;
use serde::{de::DeserializeOwned, Serialize};

/// Reads JSON as server-function answers are read: from bytes.
pub fn decode<T: DeserializeOwned>(v: &str) -> serde_json::Result<T> {
    serde_json::from_slice(v.as_bytes())
}

/// The resources' codec: JSON, decoded by [`decode`].
pub struct Json;

impl<T: Serialize> codee::Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(v: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(v)
    }
}

impl<T: DeserializeOwned> codee::Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(v: &str) -> Result<T, serde_json::Error> {
        decode(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_it_writes_and_says_where_json_is_broken() {
        let v = vec![("a".to_string(), 1.5)];
        let s = <Json as codee::Encoder<_>>::encode(&v).unwrap();
        assert_eq!(
            <Json as codee::Decoder<Vec<(String, f64)>>>::decode(&s).unwrap(),
            v
        );
        let err = decode::<Vec<u8>>("[1,").unwrap_err();
        assert!(err.to_string().contains("column 3"), "{err}");
    }
}
