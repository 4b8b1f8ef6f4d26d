use crate::api::AppError;
use crate::model::logs::LogLine;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsAnswer {
    pub datasource_name: String,
    #[serde(with = "crate::model::logs::wire_lines")]
    pub lines: Vec<LogLine>,
    /// True when Loki had more lines than the limit in the range.
    pub truncated: bool,
    /// Where the next window starts (`cursor=`), when there is one.
    pub next: Option<String>,
    pub warnings: Vec<String>,
    /// The Loki datasource's `derivedFields` (none: the default trace id link).
    pub derived_fields: Vec<crate::model::datasource::correlations::DerivedField>,
    /// The indexed (stream) label names in the range, from Loki's `labels` API: a line's labels
    /// also hold fields a parser (`| json`) extracted, which select no stream. Empty when Loki
    /// did not say (then every label is used).
    pub stream_labels: Vec<String>,
}

/// Runs a LogQL log query over `from`..`to` (Grafana time expressions) against `datasource`
/// (uid) or the default Loki: one window of at most `limit` lines (default 100, at most 5000),
/// newest first unless `direction` is `forward`, continuing after `cursor` (the previous
/// window's `next`) when given.
#[server(endpoint = "query_logs")]
pub async fn query_logs(
    query: String,
    from: String,
    to: String,
    datasource: Option<String>,
    direction: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
) -> Result<LogsAnswer, AppError> {
    use crate::backend::loki::LokiClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::logs::{
        flatten_streams, next_cursor, parse_cursor, parse_limit, skip_seen, window_after,
        Direction, LokiResult,
    };
    use crate::model::time_range::TimeRange;

    let query = query.trim().to_string();
    if query.is_empty() {
        return Err(AppError::BadRequest(
            "the query is empty; type a LogQL selector such as {service=\"orchestrator\"}".into(),
        ));
    }
    let direction = Direction::parse(direction.as_deref());
    let limit = parse_limit(limit.as_deref()).map_err(AppError::BadRequest)?;
    let cursor = cursor
        .filter(|c| !c.is_empty())
        .map(|c| parse_cursor(&c))
        .transpose()
        .map_err(AppError::BadRequest)?;
    let range = TimeRange::parse(&from, &to, crate::api::now_ms())
        .map_err(|e| AppError::BadRequest(format!("the time range is not valid: {e}")))?;
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Loki, datasource)?;
    let loki = LokiClient {
        http: &backends.http,
        ds: &ds,
    };
    // The lines already shown at the cursor come again (Loki bounds by timestamp), and one line
    // more than the limit says whether there are more.
    let seen = cursor.map_or(0, |c| c.1);
    let (start_ns, end_ns) = window_after(
        cursor,
        direction,
        range.from_ms as i128 * 1_000_000,
        range.to_ms as i128 * 1_000_000,
    );
    let (answer, names) = futures::join!(
        loki.query_lines(&query, start_ns, end_ns, limit + seen + 1, direction),
        loki.labels(range.from_ms, range.to_ms),
    );
    let answer = answer?;
    // Only "Show context" needs the names: without them it falls back to every label.
    let stream_labels = names.unwrap_or_else(|e| {
        tracing::debug!(error = %e, "Loki label names");
        Vec::new()
    });
    let LokiResult::Streams(streams) = answer.data else {
        return Err(AppError::BadRequest(
            "this is a metric query (it returns numbers); open it in a dashboard panel, or drop the rate()/count_over_time() to see the lines".into(),
        ));
    };
    let mut lines = skip_seen(
        flatten_streams(streams, limit + seen + 1, direction),
        cursor,
    );
    let truncated = lines.len() > limit;
    lines.truncate(limit);
    let next = if truncated { next_cursor(&lines) } else { None };
    Ok(LogsAnswer {
        datasource_name: ds.name.clone(),
        lines,
        truncated,
        next,
        warnings: answer.warnings,
        derived_fields: ds.correlations.derived_fields.clone(),
        stream_labels,
    })
}
