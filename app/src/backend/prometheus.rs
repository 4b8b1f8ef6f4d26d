//! Prometheus API client (reads only). Decoding lives in `model::prometheus`.

use super::http::{decode_aside, get_bytes, get_bytes_shared, BIG_ANSWER};
use super::registry::Datasource;
use crate::model::alerting::RulesData;
use crate::model::prometheus::fast_matrix::decode_matrix;
use crate::model::prometheus::{BuildInfo, ExemplarSeries, QueryData};
use crate::model::status::{AlertmanagerDiscovery, RuntimeInfo, TargetsData, TsdbStatus};
use crate::model::upstream::{decode_envelope, Answer, BackendError};

/// A refusal of a MetricsQL query says so (Prometheus alone says only "unknown function").
fn with_metricsql_hint(e: BackendError, expr: &str) -> BackendError {
    match e {
        BackendError::Api {
            datasource,
            error_type,
            message,
        } => {
            let message = match crate::model::prometheus::engines::metricsql_hint(expr, &message) {
                Some(hint) => format!("{message}; {hint}"),
                None => message,
            };
            BackendError::Api {
                datasource,
                error_type,
                message,
            }
        }
        other => other,
    }
}

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
    /// A data read's query string: `pairs`, then the datasource's `customQueryParameters`
    /// (Thanos' `dedup`, `partial_response`, `max_source_resolution`…).
    fn read_form(&self, pairs: &[(&str, &str)]) -> String {
        let mut all = pairs.to_vec();
        all.extend(
            self.ds
                .query_parameters
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        form(&all)
    }

    /// `GET /api/v1/query` at `time` (unix seconds), or at the server's now.
    pub async fn query(
        &self,
        expr: &str,
        time: Option<f64>,
    ) -> Result<Answer<QueryData>, BackendError> {
        let at = time.map(|t| format!("{t:.3}"));
        let mut pairs = vec![("query", expr)];
        if let Some(t) = &at {
            pairs.push(("time", t));
        }
        let query = self.read_form(&pairs);
        // At a given time the answer is the same for every viewer: shared (`coalesce`); at the
        // server's now it is read fresh.
        let (status, body) = match time {
            Some(_) => get_bytes_shared(self.http, self.ds, "api/v1/query", Some(&query)).await?,
            None => get_bytes(self.http, self.ds, "api/v1/query", Some(&query))
                .await
                .map(|(s, b)| (s, std::sync::Arc::new(b)))?,
        };
        decode_envelope(&self.ds.name, status, &body).map_err(|e| with_metricsql_hint(e, expr))
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
        let q = self.read_form(&[
            ("query", expr),
            ("start", &start),
            ("end", &end),
            ("step", &step),
        ]);
        let (status, body) =
            get_bytes_shared(self.http, self.ds, "api/v1/query_range", Some(&q)).await?;
        if status != 200 || body.len() < BIG_ANSWER {
            return decode_envelope(&self.ds.name, status, &body)
                .map_err(|e| with_metricsql_hint(e, expr));
        }
        // Decoding a large answer takes a core for a while: off the async workers, on all cores.
        let name = self.ds.name.clone();
        decode_aside(self.ds, body.len(), move || {
            match decode_matrix(&body, usize::MAX) {
                Some(series) => Ok(Answer {
                    data: QueryData::Matrix(series),
                    warnings: Vec::new(),
                }),
                None => decode_envelope(&name, status, &body),
            }
        })
        .await
    }

    /// `GET /api/v1/query_exemplars` over `start..end` (unix seconds).
    pub async fn query_exemplars(
        &self,
        expr: &str,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<ExemplarSeries>>, BackendError> {
        let (start, end) = (format!("{start:.3}"), format!("{end:.3}"));
        let q = self.read_form(&[("query", expr), ("start", &start), ("end", &end)]);
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

    /// `GET /api/v1/labels` over everything the TSDB holds (no range): which labels a series
    /// selector's series have ever had.
    pub async fn label_names_ever(
        &self,
        selector: &str,
    ) -> Result<Answer<Vec<String>>, BackendError> {
        self.read("api/v1/labels", &[("match[]", selector)]).await
    }

    /// `GET /api/v1/series` for `selector` over `start..end`: each series' labels.
    pub async fn series(
        &self,
        selector: &str,
        start: f64,
        end: f64,
    ) -> Result<Answer<Vec<std::collections::BTreeMap<String, String>>>, BackendError> {
        let (start, end) = (format!("{start:.3}"), format!("{end:.3}"));
        self.read(
            "api/v1/series",
            &[("match[]", selector), ("start", &start), ("end", &end)],
        )
        .await
    }

    /// What the rule lint needs to know about `names` over the last `lookback_s`: each metric's
    /// series labels and values, and every metric name (for "exported as" hints). Names are read
    /// concurrently; one that fails to read is left out (and so not judged).
    pub async fn series_facts(
        &self,
        names: &[String],
        lookback_s: f64,
    ) -> Result<crate::model::rule_lint::Facts, BackendError> {
        use crate::model::rule_lint::{Facts, SeriesFacts};
        let end = crate::api::now_ms() as f64 / 1000.0;
        let start = end - lookback_s;
        let all_names = self.label_values("__name__", None, start, end).await?.data;
        let reads = names.iter().map(|name| async move {
            let selector = format!("{{__name__=\"{name}\"}}");
            let answer = self.series(&selector, start, end).await.ok()?;
            let mut facts = SeriesFacts {
                series: answer.data.len(),
                ..SeriesFacts::default()
            };
            for labels in answer.data {
                for (k, v) in labels {
                    if k != "__name__" {
                        facts.labels.entry(k).or_default().insert(v);
                    }
                }
            }
            Some((name.clone(), facts))
        });
        Ok(Facts {
            metrics: futures::future::join_all(reads)
                .await
                .into_iter()
                .flatten()
                .collect(),
            all_names: all_names.into_iter().collect(),
        })
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
        self.read(path, &pairs).await
    }

    pub async fn build_info(&self) -> Result<Answer<BuildInfo>, BackendError> {
        self.get("api/v1/status/buildinfo", &[]).await
    }

    /// `GET /api/v1/rules`: every rule group, or only alerting rules.
    pub async fn rules(&self, alerting_only: bool) -> Result<Answer<RulesData>, BackendError> {
        let pairs: &[(&str, &str)] = if alerting_only {
            &[("type", "alert")]
        } else {
            &[]
        };
        self.get("api/v1/rules", pairs).await
    }

    /// `GET /api/v1/alertmanagers`: where this Prometheus sends alerts.
    pub async fn alertmanagers(&self) -> Result<Answer<AlertmanagerDiscovery>, BackendError> {
        self.get("api/v1/alertmanagers", &[]).await
    }

    /// `GET /api/v1/targets?state=active`.
    pub async fn targets(&self) -> Result<Answer<TargetsData>, BackendError> {
        self.get("api/v1/targets", &[("state", "active")]).await
    }

    /// `GET /api/v1/status/tsdb` (Prometheus 2.15 and later: older ones answer 404).
    pub async fn tsdb_status(&self) -> Result<Answer<TsdbStatus>, BackendError> {
        self.get("api/v1/status/tsdb", &[]).await
    }

    /// `GET /api/v1/status/runtimeinfo`.
    pub async fn runtime_info(&self) -> Result<Answer<RuntimeInfo>, BackendError> {
        self.get("api/v1/status/runtimeinfo", &[]).await
    }

    /// A data read (series, labels): the query string with the custom parameters.
    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Answer<T>, BackendError> {
        let query = self.read_form(pairs);
        let (status, body) = get_bytes(self.http, self.ds, path, Some(&query)).await?;
        decode_envelope(&self.ds.name, status, &body)
    }

    /// A status read (rules, targets, build info…): `pairs` only.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Answer<T>, BackendError> {
        let query = (!pairs.is_empty()).then(|| form(pairs));
        let (status, body) = get_bytes(self.http, self.ds, path, query.as_deref()).await?;
        decode_envelope(&self.ds.name, status, &body)
    }
}

/// Scrape pools of the default Prometheus with at least one target down (empty when it cannot
/// tell: this is a hint, never an error).
pub async fn pools_down(b: &super::Backends) -> Vec<String> {
    use crate::model::datasource::DatasourceKind;
    let Some(ds) = b.registry.default_of(DatasourceKind::Prometheus) else {
        return Vec::new();
    };
    let client = PrometheusClient {
        http: &b.http,
        ds: &ds,
    };
    let Ok(t) = client.targets().await else {
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
