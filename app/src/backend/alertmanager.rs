//! Alertmanager v2 API client: alert groups, status (for cluster membership), silences.

use super::http::{decode_aside, get_bytes, request, transport_error};
use super::registry::Datasource;
use crate::model::alerting::{AmGroup, AmMatcher, Silence, SilenceId};
use crate::model::datasource::DatasourceKind;
use crate::model::status::AmStatus;
use crate::model::upstream::BackendError;
use serde::de::DeserializeOwned;

/// The only way the console talks to an Alertmanager, and the only place it writes to any
/// backend: it exists only for datasources of kind Alertmanager, and builds every path itself.
pub struct AlertmanagerClient<'a> {
    http: &'a reqwest::Client,
    ds: &'a Datasource,
}

fn decode<T: DeserializeOwned>(
    ds: &Datasource,
    status: u16,
    body: &[u8],
) -> Result<T, BackendError> {
    if !(200..300).contains(&status) {
        // Alertmanager's v2 errors are a JSON string or plain text; either way, show it.
        let text = String::from_utf8_lossy(body);
        let message =
            serde_json::from_str::<String>(&text).unwrap_or_else(|_| text.trim().to_string());
        return Err(BackendError::Api {
            datasource: ds.name.clone(),
            error_type: format!("HTTP {status}"),
            message,
        });
    }
    serde_json::from_slice(body).map_err(|e| BackendError::Decode {
        datasource: ds.name.clone(),
        message: e.to_string(),
    })
}

impl<'a> AlertmanagerClient<'a> {
    /// A client for `ds`, refused unless it is an Alertmanager (writes must never reach a
    /// Prometheus or Loki with their credentials).
    pub fn new(http: &'a reqwest::Client, ds: &'a Datasource) -> Result<Self, BackendError> {
        if ds.kind != DatasourceKind::Alertmanager {
            return Err(BackendError::NotAlertmanager {
                datasource: ds.name.clone(),
                kind: ds.kind.as_str().to_string(),
            });
        }
        Ok(Self { http, ds })
    }

    /// Sends a write and reads the whole answer, mapping transport failures.
    /// Sends a write (`what`: its method and path, for the request's timing).
    async fn send(
        &self,
        what: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<(u16, Vec<u8>), BackendError> {
        let (into, started) = (super::timing::current(), std::time::Instant::now());
        let out = async {
            let resp = req.send().await.map_err(|e| transport_error(self.ds, &e))?;
            let status = resp.status().as_u16();
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| transport_error(self.ds, &e))?;
            Ok((status, bytes.to_vec()))
        }
        .await;
        super::timing::record(
            into.as_ref(),
            self.ds,
            what,
            super::http::answered(&out),
            started.elapsed(),
        );
        out
    }

    pub async fn groups(&self) -> Result<Vec<AmGroup>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/alerts/groups", None).await?;
        let ds = self.ds.clone();
        decode_aside(self.ds, body.len(), move || decode(&ds, status, &body)).await
    }

    /// `GET /api/v2/status`: version, uptime, cluster and loaded configuration.
    pub async fn status(&self) -> Result<AmStatus, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/status", None).await?;
        decode(self.ds, status, &body)
    }

    /// Names of the cluster's peers (sorted), or just this instance when clustering is off.
    pub async fn cluster_peers(&self) -> Result<Vec<String>, BackendError> {
        let mut peers: Vec<String> = self
            .status()
            .await?
            .cluster
            .peers
            .into_iter()
            .map(|p| p.name)
            .filter(|n| !n.is_empty())
            .collect();
        peers.sort();
        if peers.is_empty() {
            peers.push(self.ds.display_url());
        }
        Ok(peers)
    }

    pub async fn silences(&self) -> Result<Vec<Silence>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/silences", None).await?;
        let ds = self.ds.clone();
        decode_aside(self.ds, body.len(), move || decode(&ds, status, &body)).await
    }

    /// Creates (or, with `id`, replaces) a silence; returns the new silence id.
    pub async fn post_silence(
        &self,
        id: Option<&SilenceId>,
        matchers: &[AmMatcher],
        starts_at: &str,
        ends_at: &str,
        created_by: &str,
        comment: &str,
    ) -> Result<String, BackendError> {
        let mut body = serde_json::json!({
            "matchers": matchers, "startsAt": starts_at, "endsAt": ends_at,
            "createdBy": created_by, "comment": comment,
        });
        if let Some(id) = id {
            body["id"] = serde_json::json!(id.as_str());
        }
        let post = request(
            self.http,
            self.ds,
            reqwest::Method::POST,
            "api/v2/silences",
            None,
        )
        .json(&body);
        let (status, bytes) = self.send("POST api/v2/silences", post).await?;
        let v: serde_json::Value = decode(self.ds, status, &bytes)?;
        Ok(v["silenceID"].as_str().unwrap_or_default().to_string())
    }

    pub async fn expire_silence(&self, id: &SilenceId) -> Result<(), BackendError> {
        let delete = request(
            self.http,
            self.ds,
            reqwest::Method::DELETE,
            &format!("api/v2/silence/{}", id.as_str()),
            None,
        );
        let (status, bytes) = self.send("DELETE api/v2/silence", delete).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            decode::<serde_json::Value>(self.ds, status, &bytes).map(|_| ())
        }
    }
}

/// Alertmanager's `/api/v2/status` with the secrets of its configuration replaced: every value
/// under `global` and `receivers` except receiver names (webhook URLs carry tokens, and
/// `/status/alerting` shows routes and receiver names only). Everything else is kept.
pub fn redact_status(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut status: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(original) = status["config"]["original"].as_str() {
        let mut config: serde_yaml::Value = serde_yaml::from_str(original)
            .map_err(|e| format!("the configuration is not YAML: {e}"))?;
        if let serde_yaml::Value::Mapping(top) = &mut config {
            for (key, value) in top.iter_mut() {
                if matches!(key.as_str(), Some("global" | "receivers")) {
                    redact_values(value);
                }
            }
        }
        let text = serde_yaml::to_string(&config).map_err(|e| e.to_string())?;
        status["config"]["original"] = serde_json::Value::String(text);
    }
    serde_json::to_vec(&status).map_err(|e| e.to_string())
}

fn redact_values(value: &mut serde_yaml::Value) {
    use serde_yaml::Value;
    match value {
        Value::Mapping(m) => {
            for (k, v) in m.iter_mut() {
                if matches!(k.as_str(), Some("name" | "send_resolved")) {
                    continue;
                }
                redact_values(v);
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(redact_values),
        Value::Tagged(t) => redact_values(&mut t.value),
        Value::Null | Value::Bool(_) => {}
        other => *other = Value::String("<redacted>".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keeps_routes_and_hides_receiver_secrets() {
        let original = "global:\n  slack_api_url: https://hooks.slack.com/services/T0/B0/XYZ\nroute:\n  receiver: team\n  group_by: [alertname]\nreceivers:\n  - name: team\n    webhook_configs:\n      - url: http://127.0.0.1:9/hook?token=abc\n        send_resolved: true\n";
        let body = serde_json::json!({"config": {"original": original}, "versionInfo": {"version": "0.25.0"}});
        let out = redact_status(&serde_json::to_vec(&body).unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let text = v["config"]["original"].as_str().unwrap();
        assert!(
            !text.contains("XYZ") && !text.contains("token=abc"),
            "{text}"
        );
        assert!(
            text.contains("name: team") && text.contains("group_by"),
            "{text}"
        );
        assert!(text.contains("send_resolved: true"), "{text}");
        assert_eq!(v["versionInfo"]["version"], "0.25.0");
    }
}
