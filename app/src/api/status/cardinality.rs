use crate::api::AppError;
use crate::model::status::NameValue;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// (label, distinct values, hint when it looks unbounded).
pub type LabelRow = (NameValue, Option<String>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardinalityView {
    pub datasource_name: String,
    pub total_series: u64,
    pub metrics: Vec<NameValue>,
    /// (label, distinct values, hint when it looks unbounded).
    pub labels_by_values: Vec<LabelRow>,
    pub labels_by_memory: Vec<NameValue>,
    pub pairs: Vec<NameValue>,
    /// `count by (label)` for the chosen metric: (label, distinct values, hint).
    pub per_metric: Option<Result<Vec<LabelRow>, String>>,
}

#[cfg(feature = "ssr")]
fn valid_metric(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// TSDB cardinality of the default (or named) Prometheus; with `metric`, how many distinct values
/// each of its labels has.
#[server(endpoint = "cardinality")]
pub async fn cardinality(
    metric: Option<String>,
    datasource: Option<String>,
) -> Result<CardinalityView, AppError> {
    use crate::backend::http::get_bytes;
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::prometheus::QueryData;
    use crate::model::status::{unbounded_hint, TsdbStatus};
    use crate::model::upstream::decode_envelope;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let (status, body) = get_bytes(&backends.http, &ds, "api/v1/status/tsdb", None).await?;
    if status == 404 {
        return Err(AppError::BadRequest(format!(
            "{} has no /api/v1/status/tsdb: it was added in Prometheus 2.15; upgrade to see cardinality",
            ds.name
        )));
    }
    let tsdb = decode_envelope::<TsdbStatus>(&ds.name, status, &body)?.data;
    let per_metric = match metric
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(m) if !valid_metric(&m) => Some(Err(format!(
            "{m:?} is not a metric name; use letters, digits, _ and : (e.g. http_requests_total)"
        ))),
        Some(m) => {
            let client = PrometheusClient {
                http: &backends.http,
                ds: &ds,
            };
            let now = crate::api::now_ms() as f64 / 1000.0;
            let selector = format!("{{__name__=\"{m}\"}}");
            match client.label_names(Some(&selector), now - 3600.0, now).await {
                Err(e) => Some(Err(e.to_string())),
                Ok(names) if names.data.iter().all(|n| n == "__name__") => Some(Err(format!(
                    "no series of {m} in the last hour; check the name (metrics are listed above)"
                ))),
                Ok(names) => {
                    let labels: Vec<String> =
                        names.data.into_iter().filter(|n| n != "__name__").collect();
                    let queries = labels.iter().map(|l| {
                        let q = format!("count(count by ({l}) ({selector}))");
                        let client = &client;
                        async move { client.query(&q, None).await }
                    });
                    let answers = futures::future::join_all(queries).await;
                    let mut rows = Vec::new();
                    let mut error = None;
                    for (l, a) in labels.into_iter().zip(answers) {
                        match a {
                            Ok(a) => {
                                let value = match a.data {
                                    QueryData::Vector(v) => v
                                        .first()
                                        .and_then(|s| s.value.as_ref())
                                        .and_then(|(_, v)| v.parse::<f64>().ok())
                                        .unwrap_or(0.0)
                                        as u64,
                                    _ => 0,
                                };
                                let hint = unbounded_hint(&l, value, &[]);
                                rows.push((NameValue { name: l, value }, hint));
                            }
                            Err(e) => error = Some(e.to_string()),
                        }
                    }
                    rows.sort_by_key(|r| std::cmp::Reverse(r.0.value));
                    Some(match error {
                        Some(e) if rows.is_empty() => Err(e),
                        _ => Ok(rows),
                    })
                }
            }
        }
    };
    Ok(CardinalityView {
        datasource_name: ds.name.clone(),
        total_series: tsdb.head_stats.num_series,
        labels_by_values: tsdb
            .label_value_count_by_label_name
            .into_iter()
            .map(|nv| {
                let hint = unbounded_hint(&nv.name, nv.value, &[]);
                (nv, hint)
            })
            .collect(),
        metrics: tsdb.series_count_by_metric_name,
        labels_by_memory: tsdb.memory_in_bytes_by_label_name,
        pairs: tsdb.series_count_by_label_value_pair,
        per_metric,
    })
}
