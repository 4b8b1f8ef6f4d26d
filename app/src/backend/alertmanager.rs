//! Alertmanager v2 API client: alert groups, status (for cluster membership), silences.

use super::http::{get_bytes, request, transport_error};
use super::registry::Datasource;
use crate::model::alerting::{AmGroup, AmMatcher, Silence};
use crate::model::prometheus::BackendError;
use serde::de::DeserializeOwned;

pub struct AlertmanagerClient<'a> {
    pub http: &'a reqwest::Client,
    pub ds: &'a Datasource,
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

impl AlertmanagerClient<'_> {
    /// Sends a write and reads the whole answer, mapping transport failures.
    async fn send(&self, req: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), BackendError> {
        let resp = req.send().await.map_err(|e| transport_error(self.ds, &e))?;
        let status = resp.status().as_u16();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error(self.ds, &e))?;
        Ok((status, bytes.to_vec()))
    }

    pub async fn groups(&self) -> Result<Vec<AmGroup>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/alerts/groups", None).await?;
        decode(self.ds, status, &body)
    }

    /// Names of the cluster's peers (sorted), or just this instance when clustering is off.
    pub async fn cluster_peers(&self) -> Result<Vec<String>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/status", None).await?;
        let v: serde_json::Value = decode(self.ds, status, &body)?;
        let mut peers: Vec<String> = v["cluster"]["peers"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(|x| x["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        peers.sort();
        if peers.is_empty() {
            peers.push(self.ds.url.to_string());
        }
        Ok(peers)
    }

    pub async fn silences(&self) -> Result<Vec<Silence>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v2/silences", None).await?;
        decode(self.ds, status, &body)
    }

    /// Creates (or, with `id`, replaces) a silence; returns the new silence id.
    pub async fn post_silence(
        &self,
        id: Option<&str>,
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
            body["id"] = serde_json::json!(id);
        }
        let post = request(
            self.http,
            self.ds,
            reqwest::Method::POST,
            "api/v2/silences",
            None,
        )
        .json(&body);
        let (status, bytes) = self.send(post).await?;
        let v: serde_json::Value = decode(self.ds, status, &bytes)?;
        Ok(v["silenceID"].as_str().unwrap_or_default().to_string())
    }

    pub async fn expire_silence(&self, id: &str) -> Result<(), BackendError> {
        let delete = request(
            self.http,
            self.ds,
            reqwest::Method::DELETE,
            &format!("api/v2/silence/{id}"),
            None,
        );
        let (status, bytes) = self.send(delete).await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            decode::<serde_json::Value>(self.ds, status, &bytes).map(|_| ())
        }
    }
}
