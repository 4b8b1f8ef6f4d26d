use crate::api::AppError;
use crate::model::logs::Volume;
use leptos::prelude::*;

/// Bars in the log volume histogram at most.
pub const VOLUME_BARS: u32 = 60;

/// The log volume of a LogQL log query over `from`..`to`: lines per level per bucket, from
/// Loki's `sum by (level) (count_over_time(…))`. Fails on its own, so the lines still show.
#[server(endpoint = "logs_volume")]
pub async fn logs_volume(
    query: String,
    from: String,
    to: String,
    datasource: Option<String>,
) -> Result<Volume, AppError> {
    use crate::backend::loki::LokiClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::logs::{volume_from_matrix, volume_query, LokiResult};
    use crate::model::time_range::TimeRange;
    use crate::model::upstream::BackendError;

    let query = query.trim().to_string();
    if query.is_empty() {
        return Err(AppError::BadRequest("the query is empty".into()));
    }
    let range = TimeRange::parse(&from, &to, crate::api::now_ms())
        .map_err(|e| AppError::BadRequest(format!("the time range is not valid: {e}")))?;
    let step_s = range.step_seconds(VOLUME_BARS, 1);
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Loki, datasource)?;
    // Buckets aligned to the step, so bars do not shift as `now` moves.
    let step_ms = step_s as i64 * 1000;
    let start_ms = range.from_ms.div_euclid(step_ms) * step_ms + step_ms;
    let end_ms = (range.to_ms.div_euclid(step_ms) + 1) * step_ms;
    let answer = LokiClient {
        http: &backends.http,
        ds: &ds,
    }
    .query_range(&volume_query(&query, step_s), start_ms, end_ms, step_s)
    .await?;
    match answer.data {
        LokiResult::Matrix(series) => Ok(Volume {
            from_ms: range.from_ms,
            to_ms: range.to_ms,
            ..volume_from_matrix(&series, step_s)
        }),
        _ => Err(BackendError::Decode {
            datasource: ds.name.clone(),
            message: "the volume query's answer is not a matrix".into(),
        }
        .into()),
    }
}
