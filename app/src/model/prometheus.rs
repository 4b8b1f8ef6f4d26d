//! Prometheus HTTP API shapes and the one place its `{status, data, errorType, error, warnings}`
//! envelope is decoded. Pure: bytes in, typed result or typed error out.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// What went wrong talking to a backend. Serializable so server functions can hand it to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Error)]
pub enum BackendError {
    #[error("{datasource} is unreachable ({message}); check that it is running and that its URL in provisioning is right")]
    Unreachable { datasource: String, message: String },
    #[error("{datasource} did not answer within {seconds}s; narrow the query or raise the datasource timeout")]
    Timeout { datasource: String, seconds: u64 },
    #[error("{datasource} failed several times in a row, so the console stopped asking for now; it retries by itself in {retry_in_s}s")]
    CircuitOpen { datasource: String, retry_in_s: u64 },
    #[error("{datasource} already has {limit} requests in flight from this console and none finished in time; try again in a moment or narrow the dashboard")]
    Busy { datasource: String, limit: usize },
    #[error("{datasource} sent more than {limit_mb} MB; narrow the query (fewer series, a larger step) or raise octoscopeMaxResponseMB")]
    TooLarge { datasource: String, limit_mb: u64 },
    #[error("{datasource} answered HTTP {status}: {body}")]
    Status {
        datasource: String,
        status: u16,
        body: String,
    },
    #[error("{datasource} is a {kind} datasource, not an Alertmanager; choose one of the Alertmanager datasources")]
    NotAlertmanager { datasource: String, kind: String },
    #[error("{datasource} sent a response Octoscope could not read ({message})")]
    Decode { datasource: String, message: String },
    #[error("{datasource} rejected the query ({error_type}): {message}")]
    Api {
        datasource: String,
        error_type: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

/// A successful answer with the warnings Prometheus attached (never dropped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer<T> {
    pub data: T,
    pub warnings: Vec<String>,
}

/// Decodes a Prometheus-style envelope. Error envelopes come with 4xx/5xx statuses, so the body is
/// read before the status is judged: the backend's own message is what the user needs to see.
pub fn decode_envelope<T: DeserializeOwned>(
    datasource: &str,
    http_status: u16,
    body: &[u8],
) -> Result<Answer<T>, BackendError> {
    let envelope: Envelope<T> = match serde_json::from_slice(body) {
        Ok(env) => env,
        Err(e) if (200..300).contains(&http_status) => {
            return Err(BackendError::Decode {
                datasource: datasource.into(),
                message: e.to_string(),
            })
        }
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            return Err(BackendError::Status {
                datasource: datasource.into(),
                status: http_status,
                body: text
                    .chars()
                    .take(500)
                    .collect::<String>()
                    .trim()
                    .to_string(),
            });
        }
    };
    if envelope.status != "success" {
        return Err(BackendError::Api {
            datasource: datasource.into(),
            error_type: envelope.error_type.unwrap_or_else(|| "unknown".into()),
            message: envelope.error.unwrap_or_else(|| "no error message".into()),
        });
    }
    let mut warnings = envelope.warnings;
    warnings.extend(envelope.infos.into_iter().map(|i| format!("info: {i}")));
    match envelope.data {
        Some(data) => Ok(Answer { data, warnings }),
        None => Err(BackendError::Decode {
            datasource: datasource.into(),
            message: "success without data".into(),
        }),
    }
}

/// A sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`); unreadable is NaN.
pub fn parse_sample(v: &str) -> f64 {
    match v {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// `[unix seconds, "value"]` as Prometheus writes sample pairs (the value is a string so that
/// NaN and ±Inf survive JSON).
pub type SamplePair = (f64, String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstantSample {
    pub metric: BTreeMap<String, String>,
    #[serde(default)]
    pub value: Option<SamplePair>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeSeries {
    pub metric: BTreeMap<String, String>,
    #[serde(default)]
    pub values: Vec<SamplePair>,
}

/// `data` of `/api/v1/query` and `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryData {
    Vector(Vec<InstantSample>),
    Matrix(Vec<RangeSeries>),
    Scalar(SamplePair),
    String(SamplePair),
}

/// `data` of `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    pub version: String,
    #[serde(default)]
    pub revision: String,
}

/// `data` of `/api/v1/query_exemplars`: the exemplars of each series the query selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemplarSeries {
    #[serde(default)]
    pub series_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exemplar {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// As Prometheus writes it: a string.
    pub value: String,
    /// Unix seconds.
    pub timestamp: f64,
}

/// Renders a series' labels as `name{a="b", …}` for tables and legends.
pub fn series_name(metric: &BTreeMap<String, String>) -> String {
    let name = metric.get("__name__").cloned().unwrap_or_default();
    let labels: Vec<String> = metric
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}={}", crate::model::links::quote(v)))
        .collect();
    if labels.is_empty() && !name.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", labels.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = include_str!("../../../tests/fixtures/prometheus/query-vector-up.json");
    const MATRIX: &str =
        include_str!("../../../tests/fixtures/prometheus/query-range-matrix-up.json");

    #[test]
    fn decodes_upstream_exemplars_sample() {
        let body = include_str!("../../../tests/fixtures/prometheus/query-exemplars-docs.json");
        let ans: Answer<Vec<ExemplarSeries>> =
            decode_envelope("prom", 200, body.as_bytes()).unwrap();
        assert_eq!(ans.data.len(), 2);
        let foo = &ans.data[1];
        assert_eq!(foo.series_labels["service"], "foo");
        assert_eq!(foo.exemplars.len(), 2);
        assert_eq!(foo.exemplars[0].labels["trace_id"], "Olp9XHlq763ccsfa");
        assert_eq!(parse_sample(&foo.exemplars[1].value), 20.0);
        assert_eq!(foo.exemplars[1].timestamp, 1600096965.489);
    }

    #[test]
    fn decodes_upstream_vector_sample() {
        let ans: Answer<QueryData> = decode_envelope("prom", 200, VECTOR.as_bytes()).unwrap();
        let QueryData::Vector(samples) = ans.data else {
            panic!("expected vector")
        };
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].metric["job"], "prometheus");
        assert_eq!(samples[0].value.as_ref().unwrap().1, "1");
        assert_eq!(
            series_name(&samples[0].metric),
            "up{instance=\"localhost:9090\", job=\"prometheus\"}"
        );
    }

    #[test]
    fn decodes_upstream_matrix_sample() {
        let ans: Answer<QueryData> = decode_envelope("prom", 200, MATRIX.as_bytes()).unwrap();
        let QueryData::Matrix(series) = ans.data else {
            panic!("expected matrix")
        };
        assert_eq!(series.len(), 2);
        assert_eq!(series[1].values.len(), 3);
        assert_eq!(series[1].values[0].0, 1435781430.781);
    }

    #[test]
    fn api_errors_keep_the_backend_message() {
        let body = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 4: unexpected end of input"}"#;
        let err = decode_envelope::<QueryData>("Prometheus", 400, body).unwrap_err();
        assert_eq!(
            err,
            BackendError::Api {
                datasource: "Prometheus".into(),
                error_type: "bad_data".into(),
                message: "parse error at char 4: unexpected end of input".into()
            }
        );
        assert!(err.to_string().contains("unexpected end of input"));
    }

    #[test]
    fn warnings_are_kept() {
        let body = br#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]},"warnings":["w1"],"infos":["i1"]}"#;
        let ans: Answer<QueryData> = decode_envelope("p", 200, body).unwrap();
        assert_eq!(ans.warnings, vec!["w1".to_string(), "info: i1".to_string()]);
        assert_eq!(ans.data, QueryData::Scalar((1.0, "2".into())));
    }

    #[test]
    fn non_json_errors_become_status_errors() {
        let err = decode_envelope::<QueryData>("p", 502, b"Bad Gateway").unwrap_err();
        assert!(matches!(err, BackendError::Status { status: 502, .. }));
        let err = decode_envelope::<QueryData>("p", 200, b"<html>").unwrap_err();
        assert!(matches!(err, BackendError::Decode { .. }));
    }
}
