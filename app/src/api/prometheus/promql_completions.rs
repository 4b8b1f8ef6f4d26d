use crate::api::AppError;
use crate::model::promql_complete::CompletionContext;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Suggestions for the PromQL editor at its cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Completions {
    pub context: Option<CompletionContext>,
    pub items: Vec<String>,
}

/// Suggestions shown at most.
#[cfg(feature = "ssr")]
const LIMIT: usize = 40;

/// Completes the text left of the editor's cursor with metric and function names, label names
/// or label values from Prometheus' label APIs over the last 6 hours.
#[server(endpoint = "promql_completions")]
pub async fn promql_completions(
    before: String,
    datasource: Option<String>,
) -> Result<Completions, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::promql_complete::{context_at, rank, FUNCTIONS};

    let Some(context) = context_at(&before) else {
        return Ok(Completions {
            context: None,
            items: Vec::new(),
        });
    };
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let end = crate::api::now_ms() as f64 / 1000.0;
    let start = end - 6.0 * 3600.0;
    let selector = |metric: &Option<String>| {
        metric
            .as_ref()
            .map(|m| format!("{{__name__={}}}", crate::model::links::quote(m)))
    };
    let items = match &context {
        CompletionContext::Metric { prefix } => {
            let names = client
                .label_values("__name__", None, start, end)
                .await?
                .data;
            let mut items = rank(
                names
                    .into_iter()
                    .chain(FUNCTIONS.iter().map(|f| f.to_string())),
                prefix,
                LIMIT,
            );
            items.dedup();
            items
        }
        CompletionContext::LabelName { metric, prefix, .. } => {
            let names = client
                .label_names(selector(metric).as_deref(), start, end)
                .await?
                .data;
            rank(names.into_iter().filter(|n| n != "__name__"), prefix, LIMIT)
        }
        CompletionContext::LabelValue {
            metric,
            label,
            prefix,
        } => {
            let values = client
                .label_values(label, selector(metric).as_deref(), start, end)
                .await?
                .data;
            rank(values, prefix, LIMIT)
        }
    };
    Ok(Completions {
        context: Some(context),
        items,
    })
}
