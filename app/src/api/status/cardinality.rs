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
    /// Counted in Prometheus' head block (VictoriaMetrics counts its whole index).
    pub head_block: bool,
    pub metrics: Vec<NameValue>,
    /// (label, distinct values, hint when it looks unbounded).
    pub labels_by_values: Vec<LabelRow>,
    /// `None` when the engine does not report it (VictoriaMetrics).
    pub labels_by_memory: Option<Vec<NameValue>>,
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
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::status::unbounded_hint;
    use crate::model::upstream::BackendError;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let tsdb = match client.tsdb_status().await {
        Err(BackendError::Status { status: 404, .. }) => {
            return Err(AppError::Upstream(format!(
                "{} has no /api/v1/status/tsdb: it was added in Prometheus 2.15; upgrade to see cardinality",
                ds.name
            )))
        }
        other => other?.data,
    };
    let per_metric = match metric
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(m) if !valid_metric(&m) => Some(Err(format!(
            "{m:?} is not a metric name; use letters, digits, _ and : (e.g. http_requests_total)"
        ))),
        Some(m) => Some(label_cardinality(&client, &m).await),
    };
    Ok(CardinalityView {
        datasource_name: ds.name.clone(),
        total_series: tsdb.series(),
        head_block: tsdb.head_stats.is_some(),
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

/// How many distinct values each label of `metric` has over the last hour, most first.
#[cfg(feature = "ssr")]
async fn label_cardinality(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
    metric: &str,
) -> Result<Vec<(NameValue, Option<String>)>, String> {
    use crate::model::prometheus::QueryData;
    use crate::model::status::unbounded_hint;

    let now = crate::api::now_ms() as f64 / 1000.0;
    let selector = format!("{{__name__={}}}", crate::model::links::quote(metric));
    let names = client
        .label_names(Some(&selector), now - 3600.0, now)
        .await
        .map_err(|e| e.to_string())?;
    let labels: Vec<String> = names.data.into_iter().filter(|n| n != "__name__").collect();
    if labels.is_empty() {
        return Err(format!(
            "no series of {metric} in the last hour; check the name (metrics are listed above)"
        ));
    }
    let queries = labels.iter().map(|l| {
        let q = format!("count(count by ({l}) ({selector}))");
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
                        .map(|(_, v)| v.0)
                        .filter(|v| v.is_finite())
                        .unwrap_or(0.0) as u64,
                    _ => 0,
                };
                let hint = unbounded_hint(&l, value, &[]);
                rows.push((NameValue { name: l, value }, hint));
            }
            Err(e) => error = Some(e.to_string()),
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0.value));
    match error {
        Some(e) if rows.is_empty() => Err(e),
        _ => Ok(rows),
    }
}
