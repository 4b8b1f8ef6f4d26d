//! Prometheus API client (reads only). Decoding lives in `model::prometheus`.

use super::http::get_bytes;
use super::registry::Datasource;
use crate::model::prometheus::{BuildInfo, ExemplarSeries, QueryData};
use crate::model::upstream::{decode_envelope, Answer, BackendError};

pub struct PrometheusClient<'a> {
    pub http: &'a reqwest::Client,
    pub ds: &'a Datasource,
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

impl PrometheusClient<'_> {
    /// `GET /api/v1/query` at `time` (unix seconds), or at the server's now.
    pub async fn query(
        &self,
        expr: &str,
        time: Option<f64>,
    ) -> Result<Answer<QueryData>, BackendError> {
        let time = time.map(|t| format!("{t:.3}"));
        let mut pairs = vec![("query", expr)];
        if let Some(t) = &time {
            pairs.push(("time", t));
        }
        let (status, body) =
            get_bytes(self.http, self.ds, "api/v1/query", Some(&form(&pairs))).await?;
        decode_envelope(&self.ds.name, status, &body)
    }

    /// `GET /api/v1/query_range`.
    pub async fn query_range(
        &self,
        expr: &str,
        start: f64,
        end: f64,
        step_s: u32,
    ) -> Result<Answer<QueryData>, BackendError> {
        let (start, end, step) = (
            format!("{start:.3}"),
            format!("{end:.3}"),
            step_s.to_string(),
        );
        let q = form(&[
            ("query", expr),
            ("start", &start),
            ("end", &end),
            ("step", &step),
        ]);
        let (status, body) = get_bytes(self.http, self.ds, "api/v1/query_range", Some(&q)).await?;
        decode_envelope(&self.ds.name, status, &body)
    }

    /// `GET /api/v1/query_exemplars` over `start..end` (unix seconds).
    pub async fn query_exemplars(
        &self,
        expr: &str,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<ExemplarSeries>>, BackendError> {
        let (start, end) = (format!("{start:.3}"), format!("{end:.3}"));
        let q = form(&[("query", expr), ("start", &start), ("end", &end)]);
        let (status, body) =
            get_bytes(self.http, self.ds, "api/v1/query_exemplars", Some(&q)).await?;
        decode_envelope(&self.ds.name, status, &body)
    }

    /// `GET /api/v1/label/<label>/values`, optionally restricted by a series selector and range.
    pub async fn label_values(
        &self,
        label: &str,
        selector: Option<&str>,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<String>>, BackendError> {
        let label: String = url::form_urlencoded::byte_serialize(label.as_bytes()).collect();
        self.string_list(
            &format!("api/v1/label/{label}/values"),
            selector,
            start,
            end,
        )
        .await
    }

    /// `GET /api/v1/labels`, optionally restricted by a series selector and range.
    pub async fn label_names(
        &self,
        selector: Option<&str>,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<String>>, BackendError> {
        self.string_list("api/v1/labels", selector, start, end)
            .await
    }

    /// The label APIs: a list of strings for `match[]` over `start..end`.
    async fn string_list(
        &self,
        path: &str,
        selector: Option<&str>,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<String>>, BackendError> {
        let (start, end) = (format!("{start:.3}"), format!("{end:.3}"));
        let mut pairs = vec![("start", start.as_str()), ("end", end.as_str())];
        if let Some(sel) = selector {
            pairs.push(("match[]", sel));
        }
        let (status, body) = get_bytes(self.http, self.ds, path, Some(&form(&pairs))).await?;
        decode_envelope(&self.ds.name, status, &body)
    }

    pub async fn build_info(&self) -> Result<Answer<BuildInfo>, BackendError> {
        let (status, body) = get_bytes(self.http, self.ds, "api/v1/status/buildinfo", None).await?;
        decode_envelope(&self.ds.name, status, &body)
    }
}

/// Scrape pools of the default Prometheus with at least one target down (empty when it cannot
/// tell: this is a hint, never an error).
pub async fn pools_down(b: &super::Backends) -> Vec<String> {
    use crate::model::datasource::DatasourceKind;
    use crate::model::status::TargetsData;
    let Some(ds) = b.registry.default_of(DatasourceKind::Prometheus) else {
        return Vec::new();
    };
    let Ok((status, body)) = get_bytes(&b.http, &ds, "api/v1/targets", Some("state=active")).await
    else {
        return Vec::new();
    };
    let Ok(t) = decode_envelope::<TargetsData>(&ds.name, status, &body) else {
        return Vec::new();
    };
    let mut pools: Vec<String> = t
        .data
        .active_targets
        .into_iter()
        .filter(|t| t.health == "down")
        .map(|t| t.scrape_pool)
        .collect();
    pools.sort();
    pools.dedup();
    pools
}
