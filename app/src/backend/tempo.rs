//! Tempo HTTP API client (reads only): the service list, search and one trace. Decoding lives in
//! `model::traces`.

use super::http::{get_bytes, get_bytes_within, unexpected_status};
use super::jaeger::duration_bounds;
use super::registry::Datasource;
use crate::model::traces::{
    decode_tempo_search, decode_tempo_tag_values, decode_tempo_trace, TraceSearchParams, TraceView,
};
use crate::model::upstream::BackendError;
use crate::model::waterfall::TraceHit;

pub struct TempoClient<'a> {
    pub http: &'a reqwest::Client,
    pub ds: &'a Datasource,
}

impl TempoClient<'_> {
    /// The values of `service.name`, sorted.
    pub async fn services(&self) -> Result<Vec<String>, BackendError> {
        let body = self
            .read("api/search/tag/service.name/values", None)
            .await?;
        decode_tempo_tag_values(&body).map_err(|e| e.into_backend(&self.ds.name))
    }

    /// The traces matching `p` (Tempo has no operation filter: the root name is a tag), newest
    /// first. Span and error counts are not in Tempo's search answer: they stay 0.
    pub async fn search(&self, p: &TraceSearchParams) -> Result<Vec<TraceHit>, BackendError> {
        let body = self.read("api/search", Some(&search_query(p))).await?;
        let mut hits: Vec<TraceHit> = decode_tempo_search(&body)
            .map_err(|e| e.into_backend(&self.ds.name))?
            .into_iter()
            .map(|s| TraceHit {
                trace_id: s.trace_id,
                root_service: s.root_service,
                root_operation: s.root_name,
                start_us: s.start_ns.parse::<i64>().unwrap_or(0) / 1000,
                duration_us: s.duration_ms.unwrap_or(0) as i64 * 1000,
                spans: 0,
                errors: 0,
                services: Vec::new(),
            })
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.start_us));
        Ok(hits)
    }

    /// One trace by id; `None` when Tempo does not know it. Reads at most `budget` bytes.
    pub async fn trace(&self, id: &str, budget: u64) -> Result<Option<TraceView>, BackendError> {
        let path = format!("api/traces/{id}");
        match get_bytes_within(self.http, self.ds, &path, None, budget).await? {
            (404, _) => Ok(None),
            (200, body) => decode_tempo_trace(&body)
                .map(|t| Some(t).filter(|t| !t.spans.is_empty()))
                .map_err(|e| e.into_backend(&self.ds.name)),
            (status, body) => Err(unexpected_status(self.ds, status, &body)),
        }
    }

    async fn read(&self, path: &str, query: Option<&str>) -> Result<Vec<u8>, BackendError> {
        match get_bytes(self.http, self.ds, path, query).await? {
            (200, body) => Ok(body),
            (status, body) => Err(unexpected_status(self.ds, status, &body)),
        }
    }
}

/// `GET /api/search`: tags as `key=value` pairs (the service is `service.name`), times in seconds.
fn search_query(p: &TraceSearchParams) -> String {
    let mut tags = format!("service.name={}", p.service);
    for (k, v) in &p.tags {
        tags.push_str(&format!(" {k}={v}"));
    }
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("tags", &tags)
        .append_pair("start", &(p.from_ms / 1000).to_string())
        .append_pair("end", &(p.to_ms / 1000).to_string())
        .append_pair("limit", &p.limit.to_string());
    duration_bounds(&mut q, p);
    q.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_puts_the_service_among_the_tags_and_speaks_seconds() {
        let p = TraceSearchParams {
            service: "planner".into(),
            operation: None,
            tags: vec![("error".into(), "true".into())],
            min_duration: None,
            max_duration: Some(2_000_000),
            limit: 20,
            from_ms: 10_000,
            to_ms: 70_000,
        };
        assert_eq!(
            search_query(&p),
            "tags=service.name%3Dplanner+error%3Dtrue&start=10&end=70&limit=20&maxDuration=2s"
        );
    }
}
