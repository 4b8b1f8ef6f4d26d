//! What every backend answers and how talking to one fails: the `{status, data, errorType, error,
//! warnings}` envelope Prometheus and Loki share, decoded in this one place, and `BackendError`,
//! which carries a failure of any backend to the user with the backend's name. Pure.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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
    #[error("{datasource} does not serve {path} (VictoriaMetrics and some other Prometheus-compatible engines lack it); this part needs Prometheus, the rest works")]
    Unsupported { datasource: String, path: String },
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

impl BackendError {
    /// The HTTP status the console answers with when this failure ends a request: the backend's
    /// fault is a bad gateway (504 when it was slow, 503 while the console holds back), except a
    /// query the backend refused as malformed (`bad_data`) or a datasource of the wrong kind,
    /// which are the caller's to fix (400).
    pub fn http_status(&self) -> u16 {
        match self {
            BackendError::Timeout { .. } => 504,
            BackendError::CircuitOpen { .. } | BackendError::Busy { .. } => 503,
            BackendError::Api { error_type, .. } if error_type == "bad_data" => 400,
            BackendError::NotAlertmanager { .. } => 400,
            BackendError::Unsupported { .. } => 501,
            BackendError::Unreachable { .. }
            | BackendError::TooLarge { .. }
            | BackendError::Status { .. }
            | BackendError::Decode { .. }
            | BackendError::Api { .. } => 502,
        }
    }
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
            if let Some(path) = super::prometheus::engines::unsupported_path(http_status, &text) {
                return Err(BackendError::Unsupported {
                    datasource: datasource.into(),
                    path,
                });
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::prometheus::QueryData;

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
        assert_eq!(
            ans.data,
            QueryData::Scalar((1.0, crate::model::prometheus::Sample(2.0)))
        );
    }

    #[test]
    fn an_endpoint_victoriametrics_lacks_is_named() {
        let body = b"remoteAddr: \"127.0.0.1:60790\"; requestURI: /api/v1/alertmanagers; unsupported path requested: \"/api/v1/alertmanagers\"\n";
        let err = decode_envelope::<QueryData>("VictoriaMetrics", 400, body).unwrap_err();
        assert_eq!(
            err,
            BackendError::Unsupported {
                datasource: "VictoriaMetrics".into(),
                path: "/api/v1/alertmanagers".into()
            }
        );
        assert!(err
            .to_string()
            .starts_with("VictoriaMetrics does not serve /api/v1/alertmanagers"));
        assert_eq!(err.http_status(), 501);
    }

    #[test]
    fn non_json_errors_become_status_errors() {
        let err = decode_envelope::<QueryData>("p", 502, b"Bad Gateway").unwrap_err();
        assert!(matches!(err, BackendError::Status { status: 502, .. }));
        let err = decode_envelope::<QueryData>("p", 200, b"<html>").unwrap_err();
        assert!(matches!(err, BackendError::Decode { .. }));
    }

    #[test]
    fn statuses_say_whose_fault_it_was() {
        let ds = || "Prometheus".to_string();
        let api = |t: &str| BackendError::Api {
            datasource: ds(),
            error_type: t.into(),
            message: "m".into(),
        };
        assert_eq!(api("bad_data").http_status(), 400);
        assert_eq!(api("execution").http_status(), 502);
        let slow = BackendError::Timeout {
            datasource: ds(),
            seconds: 1,
        };
        assert_eq!(slow.http_status(), 504);
        let down = BackendError::Unreachable {
            datasource: ds(),
            message: "connection refused".into(),
        };
        assert_eq!(down.http_status(), 502);
        let held = BackendError::CircuitOpen {
            datasource: ds(),
            retry_in_s: 5,
        };
        assert_eq!(held.http_status(), 503);
    }
}
