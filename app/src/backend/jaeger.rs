//! Jaeger query API client (reads only): v1 (`/api/…`, the Jaeger UI's JSON) and v3 (`/api/v3/…`,
//! OTLP JSON), the generation detected once per datasource. Decoding lives in `model::traces`.

use super::http::{get_bytes, get_bytes_within, unexpected_status};
use super::registry::{Datasource, JaegerApi};
use crate::model::duration::format_go_us;
use crate::model::timestamp::rfc3339;
use crate::model::traces::{
    decode_jaeger_traces, decode_operations, decode_otlp_traces, decode_services, proto_duration,
    TraceDecodeError, TraceSearchParams, TraceView,
};
use crate::model::upstream::BackendError;
use crate::model::waterfall::{summarize, TraceHit};

pub struct JaegerClient<'a> {
    pub http: &'a reqwest::Client,
    pub ds: &'a Datasource,
}

impl JaegerClient<'_> {
    /// v1 unless `/api/services` is missing (404) and `/api/v3/services` answers; remembered per
    /// datasource once known.
    pub async fn api(&self) -> Result<JaegerApi, BackendError> {
        if let Some(api) = self.ds.jaeger_api.get() {
            return Ok(api);
        }
        let (status, _) = get_bytes(self.http, self.ds, "api/services", None).await?;
        let api = match status {
            200 => JaegerApi::V1,
            404 => match get_bytes(self.http, self.ds, "api/v3/services", None).await? {
                (200, _) => JaegerApi::V3,
                // Neither answers: report v1's error where it happens, detect again next time.
                _ => return Ok(JaegerApi::V1),
            },
            _ => return Ok(JaegerApi::V1),
        };
        tracing::info!(datasource = %self.ds.name, ?api, "Jaeger API detected");
        self.ds.jaeger_api.set(api);
        Ok(api)
    }

    /// The services Jaeger has seen, sorted.
    pub async fn services(&self) -> Result<Vec<String>, BackendError> {
        let path = match self.api().await? {
            JaegerApi::V1 => "api/services",
            JaegerApi::V3 => "api/v3/services",
        };
        let body = self.read(path, None).await?;
        let mut services = decode_services(&body).map_err(|e| e.into_backend(&self.ds.name))?;
        services.sort();
        Ok(services)
    }

    /// A service's operation names, sorted and without repeats (one per span kind in v1).
    pub async fn operations(&self, service: &str) -> Result<Vec<String>, BackendError> {
        let enc: String = url::form_urlencoded::byte_serialize(service.as_bytes()).collect();
        let body = match self.api().await? {
            JaegerApi::V1 => {
                self.read(&format!("api/services/{enc}/operations"), None)
                    .await?
            }
            JaegerApi::V3 => {
                self.read("api/v3/operations", Some(&format!("service={enc}")))
                    .await?
            }
        };
        let mut names: Vec<String> = decode_operations(&body)
            .map_err(|e| e.into_backend(&self.ds.name))?
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The traces matching `p`, newest first.
    pub async fn search(&self, p: &TraceSearchParams) -> Result<Vec<TraceHit>, BackendError> {
        let api = self.api().await?;
        let (path, query) = match api {
            JaegerApi::V1 => ("api/traces", v1_search(p)),
            JaegerApi::V3 => ("api/v3/traces", v3_search(p)),
        };
        let (status, body) = get_bytes(self.http, self.ds, path, Some(&query)).await?;
        let traces = match (api, status) {
            // API v3 answers an empty search with 404: nothing found, not a failure.
            (JaegerApi::V3, 404) => Ok(Vec::new()),
            (JaegerApi::V3, 200) => decode_otlp_traces(&body),
            // v1 error envelopes carry the reason, whatever the status; other bodies do not.
            (JaegerApi::V1, _) => match decode_jaeger_traces(&body) {
                Err(TraceDecodeError::Json(_)) if status != 200 => {
                    return Err(unexpected_status(self.ds, status, &body))
                }
                other => other,
            },
            (JaegerApi::V3, _) => return Err(unexpected_status(self.ds, status, &body)),
        }
        .map_err(|e| e.into_backend(&self.ds.name))?;
        let mut hits: Vec<TraceHit> = traces.iter().map(summarize).collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.start_us));
        Ok(hits)
    }

    /// One trace by id; `None` when Jaeger does not know it. Reads at most `budget` bytes.
    pub async fn trace(&self, id: &str, budget: u64) -> Result<Option<TraceView>, BackendError> {
        let api = self.api().await?;
        let path = match api {
            JaegerApi::V1 => format!("api/traces/{id}"),
            JaegerApi::V3 => format!("api/v3/traces/{id}"),
        };
        let (status, body) = get_bytes_within(self.http, self.ds, &path, None, budget).await?;
        match status {
            404 => return Ok(None),
            200 => {}
            _ => return Err(unexpected_status(self.ds, status, &body)),
        }
        let decoded = match api {
            JaegerApi::V1 => decode_jaeger_traces(&body),
            JaegerApi::V3 => decode_otlp_traces(&body),
        };
        match decoded {
            Ok(traces) => Ok(traces.into_iter().next().filter(|t| !t.spans.is_empty())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into_backend(&self.ds.name)),
        }
    }

    /// A 200 answer's body; any other status is the backend's failure.
    async fn read(&self, path: &str, query: Option<&str>) -> Result<Vec<u8>, BackendError> {
        match get_bytes(self.http, self.ds, path, query).await? {
            (200, body) => Ok(body),
            (status, body) => Err(unexpected_status(self.ds, status, &body)),
        }
    }
}

/// `GET /api/traces` (v1): times in µs, tags as a JSON object.
fn v1_search(p: &TraceSearchParams) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("service", &p.service)
        .append_pair("start", &(p.from_ms * 1000).to_string())
        .append_pair("end", &(p.to_ms * 1000).to_string())
        .append_pair("limit", &p.limit.to_string());
    if let Some(op) = &p.operation {
        q.append_pair("operation", op);
    }
    if !p.tags.is_empty() {
        let tags: serde_json::Map<String, serde_json::Value> = p
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        q.append_pair("tags", &serde_json::Value::Object(tags).to_string());
    }
    duration_bounds(&mut q, p);
    q.finish()
}

/// `GET /api/v3/traces`: RFC 3339 times, attributes one by one, protobuf durations.
fn v3_search(p: &TraceSearchParams) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("query.service_name", &p.service)
        .append_pair("query.start_time_min", &rfc3339(p.from_ms))
        .append_pair("query.start_time_max", &rfc3339(p.to_ms))
        // search_depth in current Jaeger, num_traces before it was renamed.
        .append_pair("query.search_depth", &p.limit.to_string())
        .append_pair("query.num_traces", &p.limit.to_string());
    if let Some(op) = &p.operation {
        q.append_pair("query.operation_name", op);
    }
    for (k, v) in &p.tags {
        q.append_pair(&format!("query.attributes[{k}]"), v);
    }
    for (k, v) in [
        ("query.duration_min", &p.min_duration),
        ("query.duration_max", &p.max_duration),
    ] {
        if let Some(us) = v {
            q.append_pair(k, &proto_duration(*us));
        }
    }
    q.finish()
}

/// The duration bounds as Jaeger v1 and Tempo both spell them.
pub(super) fn duration_bounds(
    q: &mut url::form_urlencoded::Serializer<'_, String>,
    p: &TraceSearchParams,
) {
    for (k, v) in [
        ("minDuration", &p.min_duration),
        ("maxDuration", &p.max_duration),
    ] {
        if let Some(us) = v {
            q.append_pair(k, &format_go_us(*us));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> TraceSearchParams {
        TraceSearchParams {
            service: "planner".into(),
            operation: Some("plan".into()),
            tags: vec![("error".into(), "true".into())],
            min_duration: Some(100_000),
            max_duration: None,
            limit: 5,
            from_ms: 1_000,
            to_ms: 2_000,
        }
    }

    #[test]
    fn v1_search_speaks_microseconds_and_json_tags() {
        let q = v1_search(&params());
        assert_eq!(
            q,
            "service=planner&start=1000000&end=2000000&limit=5&operation=plan\
             &tags=%7B%22error%22%3A%22true%22%7D&minDuration=100ms"
        );
    }

    #[test]
    fn v3_search_speaks_rfc3339_attributes_and_protobuf_durations() {
        let q = v3_search(&params());
        assert!(
            q.contains("query.start_time_min=1970-01-01T00%3A00%3A01"),
            "{q}"
        );
        assert!(q.contains("query.attributes%5Berror%5D=true"), "{q}");
        assert!(q.contains("query.duration_min=0.100000s"), "{q}");
        assert!(q.contains("query.search_depth=5&query.num_traces=5"), "{q}");
    }
}
