//! Server functions that read Jaeger (v1 query API) or Tempo: trace search and one trace.

use crate::api::AppError;
use crate::model::traces::TraceView;
use crate::model::waterfall::{Row, TraceHit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSearch {
    pub datasource_name: String,
    pub datasource_uid: String,
    pub services: Vec<String>,
    /// The chosen service's operations (Jaeger; empty when unknown: the field stays free text).
    pub operations: Vec<String>,
    pub hits: Vec<TraceHit>,
    /// Why the service list could not be read (the search may still work).
    pub services_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceDetail {
    pub datasource_name: String,
    pub trace: TraceView,
    pub rows: Vec<Row>,
    pub hit: TraceHit,
    /// The datasource's `tracesToLogsV2`, or the defaults.
    pub traces_to_logs: crate::model::correlation::TracesToLogs,
}

/// Turns `error=true http.status_code=500` (or JSON) into Jaeger's `tags` JSON object.
pub fn tags_json(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    if t.starts_with('{') {
        return serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t)
            .map(|_| t.to_string())
            .map_err(|e| format!("tags are not a JSON object: {e}"));
    }
    let mut map = serde_json::Map::new();
    for pair in t.split_whitespace() {
        let (k, v) = pair.split_once('=').ok_or_else(|| {
            format!("tag {pair:?} has no value; write key=value pairs such as error=true")
        })?;
        map.insert(
            k.to_string(),
            serde_json::Value::String(v.trim_matches('"').to_string()),
        );
    }
    Ok(serde_json::Value::Object(map).to_string())
}

/// Jaeger's and Tempo's duration syntax: a number and one of us, µs, ms, s, m, h.
pub fn valid_duration(d: &str) -> bool {
    let split = d
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(d.len());
    let (num, unit) = d.split_at(split);
    num.parse::<f64>().is_ok_and(|n| n >= 0.0)
        && matches!(unit, "us" | "µs" | "ms" | "s" | "m" | "h")
}

/// Adds the non-empty duration bounds (both Jaeger and Tempo call them this).
#[cfg(feature = "ssr")]
fn durations(q: &mut url::form_urlencoded::Serializer<'_, String>, min: &str, max: &str) {
    for (k, v) in [("minDuration", min), ("maxDuration", max)] {
        if !v.trim().is_empty() {
            q.append_pair(k, v.trim());
        }
    }
}

/// The trace datasource named by `uid`, else the default Jaeger, else the default Tempo.
#[cfg(feature = "ssr")]
fn trace_datasource(
    backends: &crate::backend::Backends,
    uid: Option<String>,
) -> Result<std::sync::Arc<crate::backend::Datasource>, AppError> {
    use crate::model::datasource::DatasourceKind;
    match uid.filter(|u| !u.is_empty()) {
        Some(uid) => backends
            .registry
            .by_uid(&uid)
            .filter(|d| matches!(d.kind, DatasourceKind::Jaeger | DatasourceKind::Tempo))
            .ok_or(AppError::UnknownDatasource { uid }),
        None => backends
            .registry
            .default_of(DatasourceKind::Jaeger)
            .or_else(|| backends.registry.default_of(DatasourceKind::Tempo))
            .ok_or(AppError::NoDatasource {
                kind: DatasourceKind::Jaeger,
            }),
    }
}

/// Which API a Jaeger datasource speaks: v1 unless `/api/services` is missing (404) and
/// `/api/v3/services` answers. Remembered per datasource once known.
#[cfg(feature = "ssr")]
async fn jaeger_api(
    http: &reqwest::Client,
    ds: &crate::backend::Datasource,
) -> Result<crate::backend::registry::JaegerApi, AppError> {
    use crate::backend::http::get_bytes;
    use crate::backend::registry::JaegerApi;
    if let Some(api) = ds.jaeger_api.get() {
        return Ok(api);
    }
    let (status, _) = get_bytes(http, ds, "api/services", None).await?;
    let api = match status {
        200 => JaegerApi::V1,
        404 => match get_bytes(http, ds, "api/v3/services", None).await? {
            (200, _) => JaegerApi::V3,
            // Neither answers: report v1's error where it happens, detect again next time.
            _ => return Ok(JaegerApi::V1),
        },
        _ => return Ok(JaegerApi::V1),
    };
    tracing::info!(datasource = %ds.name, ?api, "Jaeger API detected");
    ds.jaeger_api.set(api);
    Ok(api)
}

/// A trace id as backends key it: hex ids lowercased (Tempo prints them upper case); other ids
/// (some instrumentations and Jaeger's own samples use words) kept as they are, limited to
/// characters that cannot leave the URL path segment.
pub fn normalize_trace_id(id: &str) -> Option<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 {
        return None;
    }
    if id.len() <= 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Some(id.to_ascii_lowercase());
    }
    id.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        .then(|| id.to_string())
}

/// `100ms`, `1.2s`, `250us` → protobuf Duration JSON (`0.100000s`), as API v3 takes it.
pub fn proto_duration(d: &str) -> Option<String> {
    let d = d.trim();
    let split = d.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = d.split_at(split);
    let n: f64 = num.parse().ok()?;
    let us = n * match unit {
        "us" | "µs" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        "h" => 3600e6,
        _ => return None,
    };
    let us = us.round() as i64;
    Some(format!("{}.{:06}s", us / 1_000_000, us % 1_000_000))
}

#[cfg(feature = "ssr")]
fn invalid(ds: &crate::backend::Datasource, detail: impl std::fmt::Display) -> AppError {
    tracing::warn!(datasource = %ds.name, %detail, "invalid trace response");
    AppError::BadRequest(format!(
        "invalid response from {}; the detail is in the server log",
        ds.name
    ))
}

/// A trace search, as the Explore URL spells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceQuery {
    pub service: String,
    pub operation: String,
    /// `key=value` pairs or a JSON object.
    pub tags: String,
    pub min_duration: String,
    pub max_duration: String,
    pub limit: String,
    pub from: String,
    pub to: String,
    pub datasource: Option<String>,
}

/// Searches traces by service, operation, tags, duration bounds and limit over `from`..`to`.
/// An empty `service` only lists the services.
#[server(endpoint = "search_traces", input = leptos::server_fn::codec::Json)]
pub async fn search_traces(query: TraceQuery) -> Result<TraceSearch, AppError> {
    use crate::backend::http::get_bytes;
    use crate::model::datasource::DatasourceKind;
    use crate::model::time_range::TimeRange;
    use crate::model::traces::{decode_jaeger_traces, decode_services, decode_tempo_search};
    use crate::model::waterfall::summarize;

    let TraceQuery {
        service,
        operation,
        tags,
        min_duration,
        max_duration,
        limit,
        from,
        to,
        datasource,
    } = query;
    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, datasource)?;
    let range = TimeRange::parse(&from, &to, crate::api::now_ms())
        .map_err(|e| AppError::BadRequest(format!("the time range is not valid: {e}")))?;
    let limit: u32 = match limit.trim() {
        "" => 20,
        l => l
            .parse()
            .ok()
            .filter(|n| (1..=1500).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!("limit {l:?} is not a number from 1 to 1500"))
            })?,
    };
    let tags = tags_json(&tags).map_err(AppError::BadRequest)?;
    for d in [&min_duration, &max_duration] {
        if !d.trim().is_empty() && !valid_duration(d.trim()) {
            return Err(AppError::BadRequest(format!(
                "duration {d:?} is not valid; use values such as 100ms, 1.2s or 1m"
            )));
        }
    }
    let v3 = ds.kind == DatasourceKind::Jaeger
        && jaeger_api(&backends.http, &ds).await? == crate::backend::registry::JaegerApi::V3;
    let services_path = match ds.kind {
        DatasourceKind::Tempo => "api/search/tag/service.name/values",
        _ if v3 => "api/v3/services",
        _ => "api/services",
    };
    let (services, services_error) = match get_bytes(&backends.http, &ds, services_path, None).await
    {
        Ok((200, body)) => match ds.kind {
            DatasourceKind::Tempo => (
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| {
                        v["tagValues"].as_array().map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().or(t["value"].as_str()))
                                .map(String::from)
                                .collect()
                        })
                    })
                    .unwrap_or_default(),
                None,
            ),
            _ => match decode_services(&body) {
                Ok(mut s) => {
                    s.sort();
                    (s, None)
                }
                Err(e) => (Vec::new(), Some(e.to_string())),
            },
        },
        Ok((status, body)) => (
            Vec::new(),
            Some(format!(
                "{} answered {status}: {}",
                ds.name,
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )),
        ),
        Err(e) => return Err(e.into()),
    };
    if service.trim().is_empty() {
        return Ok(TraceSearch {
            datasource_name: ds.name.clone(),
            datasource_uid: ds.uid.clone(),
            services,
            operations: Vec::new(),
            hits: Vec::new(),
            services_error,
        });
    }
    let operations = operations_of(&backends, &ds, service.trim(), v3).await;
    let hits = match ds.kind {
        DatasourceKind::Tempo => {
            let mut tempo_tags = format!("service.name={}", service.trim());
            if !tags.is_empty() {
                if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&tags) {
                    for (k, v) in m {
                        tempo_tags.push_str(&format!(" {k}={}", v.as_str().unwrap_or_default()));
                    }
                }
            }
            // Built before the request: the serializer is not Send.
            let query = {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("tags", &tempo_tags)
                    .append_pair("start", &(range.from_ms / 1000).to_string())
                    .append_pair("end", &(range.to_ms / 1000).to_string())
                    .append_pair("limit", &limit.to_string());
                durations(&mut q, &min_duration, &max_duration);
                q.finish()
            };
            let (status, body) = get_bytes(&backends.http, &ds, "api/search", Some(&query)).await?;
            if status != 200 {
                return Err(AppError::BadRequest(format!(
                    "{} refused the search ({status}): {}",
                    ds.name,
                    String::from_utf8_lossy(&body).trim()
                )));
            }
            decode_tempo_search(&body)
                .map_err(|e| invalid(&ds, e))?
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
                .collect()
        }
        _ if v3 => {
            use crate::model::timestamp::rfc3339;
            let query = {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("query.service_name", service.trim())
                    .append_pair("query.start_time_min", &rfc3339(range.from_ms))
                    .append_pair("query.start_time_max", &rfc3339(range.to_ms))
                    // search_depth in current Jaeger, num_traces before it was renamed.
                    .append_pair("query.search_depth", &limit.to_string())
                    .append_pair("query.num_traces", &limit.to_string());
                if !operation.trim().is_empty() {
                    q.append_pair("query.operation_name", operation.trim());
                }
                if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(&tags) {
                    for (k, v) in m {
                        q.append_pair(
                            &format!("query.attributes[{k}]"),
                            v.as_str().unwrap_or_default(),
                        );
                    }
                }
                for (k, v) in [
                    ("query.duration_min", &min_duration),
                    ("query.duration_max", &max_duration),
                ] {
                    if let Some(d) = proto_duration(v) {
                        q.append_pair(k, &d);
                    }
                }
                q.finish()
            };
            let (status, body) =
                get_bytes(&backends.http, &ds, "api/v3/traces", Some(&query)).await?;
            match status {
                // API v3 answers an empty search with 404: nothing found, not a failure.
                404 => Vec::new(),
                200 => crate::model::traces::decode_otlp_traces(&body)
                    .map_err(|e| invalid(&ds, e))?
                    .iter()
                    .map(summarize)
                    .collect(),
                _ => {
                    return Err(AppError::BadRequest(format!(
                        "{} refused the search ({status}): {}",
                        ds.name,
                        String::from_utf8_lossy(&body)
                            .chars()
                            .take(300)
                            .collect::<String>()
                    )))
                }
            }
        }
        _ => {
            let query = {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("service", service.trim())
                    .append_pair("start", &(range.from_ms * 1000).to_string())
                    .append_pair("end", &(range.to_ms * 1000).to_string())
                    .append_pair("limit", &limit.to_string());
                if !operation.trim().is_empty() {
                    q.append_pair("operation", operation.trim());
                }
                if !tags.is_empty() {
                    q.append_pair("tags", &tags);
                }
                durations(&mut q, &min_duration, &max_duration);
                q.finish()
            };
            let (status, body) = get_bytes(&backends.http, &ds, "api/traces", Some(&query)).await?;
            match decode_jaeger_traces(&body) {
                Ok(traces) if status == 200 => traces.iter().map(summarize).collect(),
                Ok(_) => Vec::new(),
                Err(crate::model::traces::TraceDecodeError::Backend(msg)) => {
                    return Err(AppError::BadRequest(format!(
                        "{} refused the search: {msg}",
                        ds.name
                    )))
                }
                Err(e) => return Err(invalid(&ds, e)),
            }
        }
    };
    let mut hits: Vec<TraceHit> = hits;
    hits.sort_by_key(|h| std::cmp::Reverse(h.start_us));
    Ok(TraceSearch {
        datasource_name: ds.name.clone(),
        datasource_uid: ds.uid.clone(),
        services,
        operations,
        hits,
        services_error,
    })
}

/// A Jaeger service's operation names, sorted; empty for Tempo or when Jaeger cannot say (the
/// search form then keeps a free-text field).
#[cfg(feature = "ssr")]
async fn operations_of(
    backends: &crate::backend::Backends,
    ds: &crate::backend::Datasource,
    service: &str,
    v3: bool,
) -> Vec<String> {
    use crate::model::datasource::DatasourceKind;
    if ds.kind != DatasourceKind::Jaeger {
        return Vec::new();
    }
    let enc: String = url::form_urlencoded::byte_serialize(service.as_bytes()).collect();
    let (path, query) = if v3 {
        (
            "api/v3/operations".to_string(),
            Some(format!("service={enc}")),
        )
    } else {
        (format!("api/services/{enc}/operations"), None)
    };
    match crate::backend::http::get_bytes(&backends.http, ds, &path, query.as_deref()).await {
        Ok((200, body)) => {
            let mut names: Vec<String> = crate::model::traces::decode_operations(&body)
                .map(|ops| ops.into_iter().map(|(name, _)| name).collect())
                .unwrap_or_default();
            names.sort();
            names.dedup();
            names
        }
        other => {
            tracing::debug!(?other, "Jaeger operations");
            Vec::new()
        }
    }
}

/// Largest trace answer read: a 66 MB trace once took the process to 2.2 GB.
pub const MAX_TRACE_BYTES: u64 = 16 << 20;

/// One trace by id, laid out as a waterfall. Not found → "trace not found in <datasource>".
#[server(endpoint = "get_trace")]
pub async fn get_trace(
    trace_id: String,
    datasource: Option<String>,
) -> Result<TraceDetail, AppError> {
    use crate::backend::http::get_bytes_within;
    use crate::model::datasource::DatasourceKind;
    use crate::model::prometheus::BackendError;
    use crate::model::traces::{decode_jaeger_traces, decode_tempo_trace};
    use crate::model::waterfall::{layout, summarize};

    let id = match normalize_trace_id(&trace_id) {
        Some(id) => id,
        None => {
            return Err(AppError::BadRequest(format!(
                "{trace_id:?} is not a trace id; trace ids are hexadecimal (up to 32 characters) or at most 64 letters, digits, '-' and '_'"
            )))
        }
    };
    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, datasource)?;
    let not_found = || AppError::NotFound(format!("trace {id} not found in {}", ds.name));
    let v3 = ds.kind == DatasourceKind::Jaeger
        && jaeger_api(&backends.http, &ds).await? == crate::backend::registry::JaegerApi::V3;
    let path = if v3 {
        format!("api/v3/traces/{id}")
    } else {
        format!("api/traces/{id}")
    };
    let (status, body) =
        match get_bytes_within(&backends.http, &ds, &path, None, MAX_TRACE_BYTES).await {
            Err(BackendError::TooLarge { datasource, .. }) => {
                return Err(AppError::BadRequest(format!(
                    "trace {id} in {datasource} is larger than {} MB, more than this console opens at once (decoding costs ~30× its size in memory); open it in {datasource}'s own UI",
                    MAX_TRACE_BYTES >> 20
                )))
            }
            other => other?,
        };
    if status == 404 {
        return Err(not_found());
    }
    if status != 200 {
        return Err(AppError::BadRequest(format!(
            "{} answered {status}: {}",
            ds.name,
            String::from_utf8_lossy(&body)
                .chars()
                .take(300)
                .collect::<String>()
        )));
    }
    let trace = match ds.kind {
        DatasourceKind::Tempo => decode_tempo_trace(&body).map_err(|e| invalid(&ds, e))?,
        _ if v3 => match crate::model::traces::decode_otlp_traces(&body) {
            Ok(mut t) if !t.is_empty() => t.remove(0),
            Ok(_) => return Err(not_found()),
            Err(crate::model::traces::TraceDecodeError::Backend(msg))
                if msg.to_ascii_lowercase().contains("not found") =>
            {
                return Err(not_found())
            }
            Err(e) => return Err(invalid(&ds, e)),
        },
        _ => match decode_jaeger_traces(&body) {
            Ok(mut t) if !t.is_empty() => t.remove(0),
            Ok(_) => return Err(not_found()),
            Err(crate::model::traces::TraceDecodeError::Backend(msg))
                if msg.to_ascii_lowercase().contains("not found") =>
            {
                return Err(not_found())
            }
            Err(e) => return Err(invalid(&ds, e)),
        },
    };
    if trace.spans.is_empty() {
        return Err(not_found());
    }
    let rows = layout(&trace);
    let hit = summarize(&trace);
    Ok(TraceDetail {
        datasource_name: ds.name.clone(),
        trace,
        rows,
        hit,
        traces_to_logs: ds.correlations.traces_to_logs.clone().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_normalised_and_checked() {
        assert_eq!(
            normalize_trace_id(" 5B8EFFF798038103D269B633813FC60C ").as_deref(),
            Some("5b8efff798038103d269b633813fc60c")
        );
        assert_eq!(
            normalize_trace_id("trace-123").as_deref(),
            Some("trace-123")
        );
        assert_eq!(normalize_trace_id("Trace_A").as_deref(), Some("Trace_A"));
        assert_eq!(normalize_trace_id(""), None);
        assert_eq!(normalize_trace_id("../admin"), None);
        assert_eq!(normalize_trace_id("a/b"), None);
        assert_eq!(normalize_trace_id("a%2fb"), None);
        assert_eq!(normalize_trace_id(&"a".repeat(65)), None);
    }

    #[test]
    fn durations_become_protobuf_durations_for_api_v3() {
        assert_eq!(proto_duration("100ms").as_deref(), Some("0.100000s"));
        assert_eq!(proto_duration("1.2s").as_deref(), Some("1.200000s"));
        assert_eq!(proto_duration("250us").as_deref(), Some("0.000250s"));
        assert_eq!(proto_duration("2m").as_deref(), Some("120.000000s"));
        assert_eq!(proto_duration(""), None);
        assert_eq!(proto_duration("fast"), None);
        assert_eq!(proto_duration("10 parsecs"), None);
    }
}
