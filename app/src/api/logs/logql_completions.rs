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
    use crate::backend::http::get_bytes;
    use crate::model::datasource::DatasourceKind;
    use crate::model::logs::decode_loki_list;
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
    let end_ns = crate::api::now_ms() as i128 * 1_000_000;
    let start_ns = end_ns - 6 * 3600 * 1_000_000_000i128;
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("start", &start_ns.to_string())
        .append_pair("end", &end_ns.to_string())
        .finish();
    let path = match &context {
        CompletionContext::LabelValue { label, .. } => format!(
            "loki/api/v1/label/{}/values",
            url::form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>()
        ),
        _ => "loki/api/v1/labels".to_string(),
    };
    let (status, body) = get_bytes(&backends.http, &ds, &path, Some(&q)).await?;
    let list: Vec<String> = decode_loki_list(&ds.name, status, &body)?;
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
