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

impl LokiClient<'_> {
    /// `GET /loki/api/v1/query_range` of a metric query over `from_ms..to_ms`, one sample per
    /// `step_s`.
    pub async fn query_range(
        &self,
        query: &str,
        from_ms: i64,
        to_ms: i64,
        step_s: u32,
    ) -> Result<Answer<LokiResult>, BackendError> {
        // Built before the request: the serializer is not Send.
        let q = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("query", query);
            window(&mut q, from_ms, to_ms);
            q.append_pair("step", &format!("{step_s}s"));
            q.finish()
        };
        let (status, body) =
            get_bytes(self.http, self.ds, "loki/api/v1/query_range", Some(&q)).await?;
        decode_loki_query(&self.ds.name, status, &body)
    }

    /// `GET /loki/api/v1/query_range` for lines between two nanosecond bounds (end exclusive), so
    /// that a window of lines continues exactly after the last one shown.
    pub async fn query_lines(
        &self,
        query: &str,
        start_ns: i128,
        end_ns: i128,
        limit: usize,
        direction: Direction,
    ) -> Result<Answer<LokiResult>, BackendError> {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("query", query)
            .append_pair("start", &start_ns.to_string())
            .append_pair("end", &end_ns.to_string())
            .append_pair("limit", &limit.to_string())
            .append_pair("direction", direction.as_str())
            .finish();
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
