//! Loki HTTP API client (reads only): range queries (log lines or metric series) and the label
//! APIs. Decoding lives in `model::logs`.

use super::http::get_bytes;
use super::registry::Datasource;
use crate::model::logs::{decode_loki_list, decode_loki_query, Direction, LokiResult};
use crate::model::upstream::{Answer, BackendError};

pub struct LokiClient<'a> {
    pub http: &'a reqwest::Client,
    pub ds: &'a Datasource,
}

/// What a range query asks Loki for: log lines (a limit and which end first) or metric samples
/// (one per step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeShape {
    Lines { limit: usize, direction: Direction },
    Samples { step_s: u32 },
}

impl LokiClient<'_> {
    /// `GET /loki/api/v1/query_range` over `from_ms..to_ms`.
    pub async fn query_range(
        &self,
        query: &str,
        from_ms: i64,
        to_ms: i64,
        shape: RangeShape,
    ) -> Result<Answer<LokiResult>, BackendError> {
        // Built before the request: the serializer is not Send.
        let q = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("query", query);
            window(&mut q, from_ms, to_ms);
            match shape {
                RangeShape::Lines { limit, direction } => q
                    .append_pair("limit", &limit.to_string())
                    .append_pair("direction", direction.as_str()),
                RangeShape::Samples { step_s } => q.append_pair("step", &format!("{step_s}s")),
            };
            q.finish()
        };
        let (status, body) =
            get_bytes(self.http, self.ds, "loki/api/v1/query_range", Some(&q)).await?;
        decode_loki_query(&self.ds.name, status, &body)
    }

    /// `GET /loki/api/v1/labels`: the stream label names seen in the window.
    pub async fn labels(&self, from_ms: i64, to_ms: i64) -> Result<Vec<String>, BackendError> {
        self.list("loki/api/v1/labels", from_ms, to_ms).await
    }

    /// `GET /loki/api/v1/label/<name>/values` in the window.
    pub async fn label_values(
        &self,
        name: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<String>, BackendError> {
        let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        self.list(&format!("loki/api/v1/label/{name}/values"), from_ms, to_ms)
            .await
    }

    async fn list(
        &self,
        path: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<String>, BackendError> {
        let q = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            window(&mut q, from_ms, to_ms);
            q.finish()
        };
        let (status, body) = get_bytes(self.http, self.ds, path, Some(&q)).await?;
        decode_loki_list(&self.ds.name, status, &body)
    }
}

/// Loki takes times in nanoseconds.
fn window(q: &mut url::form_urlencoded::Serializer<'_, String>, from_ms: i64, to_ms: i64) {
    q.append_pair("start", &(from_ms as i128 * 1_000_000).to_string())
        .append_pair("end", &(to_ms as i128 * 1_000_000).to_string());
}
