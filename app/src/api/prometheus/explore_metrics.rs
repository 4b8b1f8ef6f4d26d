use crate::api::AppError;
use crate::model::datasource::correlations::ExemplarDestination;
use crate::model::prometheus::{ExemplarSeries, QueryData};
use crate::model::upstream::Answer;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Points per series in the Explore graph at most (the step follows the range).
pub const EXPLORE_POINTS: u32 = 600;

/// Explore's metrics answer: the graph (range query), the table (instant query at the range's
/// end) and the exemplars of the range with where their trace ids lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsAnswer {
    pub datasource_uid: String,
    pub datasource_name: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub step_s: u32,
    pub range: Answer<QueryData>,
    pub instant: Answer<QueryData>,
    pub exemplars: Vec<ExemplarSeries>,
    /// Why exemplars are missing, when Prometheus refused them (the graph still shows).
    pub exemplars_error: Option<String>,
    pub exemplar_destinations: Vec<ExemplarDestination>,
    /// `compare`: the shift and the same range query that long ago (its points still at their
    /// own times), or why it failed (the graph still shows).
    #[serde(default)]
    pub compare: Option<(i64, Result<QueryData, String>)>,
}

/// Checks PromQL with `promql-parser` so a typo is explained at the editor and never reaches
/// Prometheus.
#[cfg(feature = "ssr")]
pub fn check_promql(expr: &str) -> Result<(), AppError> {
    use crate::model::prometheus::engines::metricsql_hint;
    match promql_parser::parser::parse(expr) {
        Ok(_) => Ok(()),
        // MetricsQL is not PromQL: the datasource judges it (VictoriaMetrics runs it; Prometheus
        // refuses it, and the console adds why).
        Err(e) if metricsql_hint(expr, &e).is_some() => Ok(()),
        Err(e) => Err(AppError::BadRequest(format!(
            "PromQL syntax error: {e}. Fix the query; it was not sent to Prometheus"
        ))),
    }
}

/// Runs a PromQL query for Explore over `from`..`to` against `datasource` (uid) or the default
/// Prometheus; with `compare` (`1w`), the range query again that long ago.
#[server(endpoint = "explore_metrics")]
pub async fn explore_metrics(
    query: String,
    from: String,
    to: String,
    datasource: Option<String>,
    compare: Option<String>,
) -> Result<MetricsAnswer, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::time_range::TimeRange;

    let query = query.trim().to_string();
    if query.is_empty() {
        return Err(AppError::BadRequest(
            "the query is empty; type a PromQL expression such as up".into(),
        ));
    }
    let range = TimeRange::parse(&from, &to, crate::api::now_ms())
        .map_err(|e| AppError::BadRequest(format!("the time range is not valid: {e}")))?;
    let shift_ms = crate::model::dashboard::compare::parse(compare.as_deref().unwrap_or_default())
        .map_err(AppError::BadRequest)?;
    let step_s = range.step_seconds(EXPLORE_POINTS, 1);
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    // A panel's query arrives with Grafana's built-ins (`$__rate_interval`): filled here for
    // Explore's own range and step, as the panel fills them for its own.
    let query = if query.contains('$') {
        use crate::model::dashboard::vars::{builtins, interpolate, Scope};
        let mut scope = Scope::new();
        let scrape = crate::backend::panels::scrape_ms(&ds);
        builtins(
            &mut scope,
            range.from_ms,
            range.to_ms,
            step_s as i64 * 1000,
            scrape,
        );
        interpolate(&query, &scope)
    } else {
        query
    };
    check_promql(&query)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let (start, end) = (range.from_ms as f64 / 1000.0, range.to_ms as f64 / 1000.0);
    let then = async {
        let shift_s = shift_ms? as f64 / 1000.0;
        let answer = client
            .query_range(&query, start - shift_s, end - shift_s, step_s)
            .await;
        Some(answer.map(|a| a.data).map_err(|e| e.to_string()))
    };
    let (graph, table, exemplars, then) = futures::join!(
        client.query_range(&query, start, end, step_s),
        client.query(&query, Some(end)),
        client.query_exemplars(&query, start, end),
        then,
    );
    // The instant query carries the backend's message for a query Prometheus rejects; the
    // graph is then rejected for the same reason.
    let instant = table?;
    let range_answer = match graph {
        Ok(g) => g,
        // A string or scalar query has no range form worth a graph: show the table alone.
        Err(e) if matches!(instant.data, QueryData::Scalar(_) | QueryData::String(_)) => {
            tracing::debug!(error = %e, "range query of a scalar");
            Answer {
                data: QueryData::Matrix(Vec::new()),
                warnings: Vec::new(),
            }
        }
        Err(e) => return Err(e.into()),
    };
    let (exemplars, exemplars_error) = match exemplars {
        Ok(a) => (a.data, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    Ok(MetricsAnswer {
        datasource_uid: ds.uid.clone(),
        datasource_name: ds.name.clone(),
        from_ms: range.from_ms,
        to_ms: range.to_ms,
        step_s,
        range: range_answer,
        instant,
        exemplars,
        exemplars_error,
        exemplar_destinations: ds.correlations.exemplar_destinations.clone(),
        compare: shift_ms.zip(then),
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::check_promql;

    #[test]
    fn metricsql_reaches_the_datasource_and_typos_do_not() {
        assert!(check_promql("rollup_rate(http_requests_total[5m])").is_ok());
        assert!(check_promql("with (f = {job=\"arms\"}) up{f}").is_ok());
        assert!(check_promql("rat(up[5m])").is_err());
        assert!(check_promql("sum(rate(up[5m]").is_err());
    }
}
