use crate::api::prometheus::Completions;
use crate::api::AppError;
use leptos::prelude::*;

/// Completes the text left of the LogQL editor's cursor: stream selector label names inside
/// `{…}` (and `by (…)`) and label values inside quotes, from Loki's `labels` and
/// `label/<name>/values` over the last 6 hours.
#[server(endpoint = "logql_completions")]
pub async fn logql_completions(
    before: String,
    datasource: Option<String>,
) -> Result<Completions, AppError> {
    use crate::backend::loki::LokiClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::promql_complete::{context_at, rank, CompletionContext};

    const LIMIT: usize = 40;
    // LogQL has no metric names to complete: only the selector's labels and values.
    let context = context_at(&before).filter(|c| !matches!(c, CompletionContext::Metric { .. }));
    let Some(context) = context else {
        return Ok(Completions {
            context: None,
            items: Vec::new(),
        });
    };
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Loki, datasource)?;
    let to_ms = crate::api::now_ms();
    let from_ms = to_ms - 6 * 3_600_000;
    let loki = LokiClient {
        http: &backends.http,
        ds: &ds,
    };
    let list = match &context {
        CompletionContext::LabelValue { label, .. } => {
            loki.label_values(label, from_ms, to_ms).await?
        }
        _ => loki.labels(from_ms, to_ms).await?,
    };
    let items = rank(
        list.into_iter().filter(|l| l != "__name__"),
        context.prefix(),
        LIMIT,
    );
    Ok(Completions {
        context: Some(context),
        items,
    })
}
