//! Loki's read API over the simulated logs: `query_range`, `query`, `labels`, `label/<name>/values`
//! and `series`, with Loki's envelope, stats and plain-text errors.

use super::*;

pub fn loki_router(sim: SharedSim) -> Router {
    Router::new()
        .route("/ready", get(|| async { "ready" }))
        .route("/loki/api/v1/query_range", get(loki_query_range))
        .route("/loki/api/v1/query", get(loki_query))
        .route("/loki/api/v1/labels", get(loki_labels))
        .route("/loki/api/v1/label/{name}/values", get(loki_label_values))
        .route("/loki/api/v1/series", get(loki_series))
        .with_state(sim)
}

/// Loki accepts nanosecond epochs, second epochs (with fraction) and RFC 3339 (not here).
fn loki_time(v: Option<&str>, default_ns: i64) -> Result<i64, String> {
    let Some(v) = v else { return Ok(default_ns) };
    if let Ok(n) = v.parse::<i64>() {
        return Ok(if n > 100_000_000_000_000 {
            n
        } else {
            n * 1_000_000_000
        });
    }
    v.parse::<f64>().map(|s| (s * 1e9) as i64).map_err(|_| {
        format!("invalid parameter \"{v}\": could not parse time; use Unix nanoseconds or seconds")
    })
}

fn loki_step(v: Option<&str>, start: i64, end: i64) -> Result<i64, String> {
    match v {
        None => Ok(((end - start) / 250).max(1_000_000_000)),
        Some(v) => {
            let secs = crate::incidents::parse_duration_secs(v)
                .map_err(|_| format!("invalid parameter \"step\": {v:?} is not a duration"))?;
            Ok(secs as i64 * 1_000_000_000)
        }
    }
}

/// A served-for-ever line as one of the store's (iterator chains need one item type).
fn borrowed<'a>(line: &'static crate::store::LogLine) -> &'a crate::store::LogLine {
    line
}

fn stats(lines: usize) -> Value {
    json!({"summary": {"totalLinesProcessed": lines, "execTime": 0.001, "queueTime": 0.0, "totalEntriesReturned": lines}})
}

fn streams_result(
    sim: &Sim,
    q: &logql::LogQuery,
    start: i64,
    end: i64,
    limit: usize,
    forward: bool,
) -> Value {
    let mut streams: BTreeMap<BTreeMap<String, String>, Vec<(i64, String)>> = BTreeMap::new();
    let mut taken = 0;
    // The scale trace's lines are older than any simulated one.
    let scale = super::scale::scale_logs().map(borrowed);
    let iter: Box<dyn Iterator<Item = &crate::store::LogLine>> = if forward {
        Box::new(scale.chain(sim.stores.logs.iter()))
    } else {
        Box::new(sim.stores.logs.iter().rev().chain(scale.rev()))
    };
    for log in iter {
        if log.ts_ns < start || log.ts_ns >= end {
            continue;
        }
        if let Some(labels) = q.apply(&log.labels, &log.line) {
            streams
                .entry(labels)
                .or_default()
                .push((log.ts_ns, log.line.clone()));
            taken += 1;
            if taken >= limit {
                break;
            }
        }
    }
    let result: Vec<Value> = streams
        .into_iter()
        .map(|(labels, values)| {
            json!({"stream": labels, "values": values.into_iter().map(|(ts, l)| json!([ts.to_string(), l])).collect::<Vec<_>>()})
        })
        .collect();
    json!({"status": "success", "data": {"resultType": "streams", "result": result, "stats": stats(taken)}})
}

/// One metric series: its labels and (timestamp ns, value) points.
type MetricSeries = (BTreeMap<String, String>, Vec<(i64, f64)>);

/// Evaluates `count_over_time`/`rate` at each step, grouped per `sum by`.
fn metric_points(sim: &Sim, q: &Query, times: &[i64]) -> Vec<MetricSeries> {
    let Query::Metric {
        func,
        range_s,
        inner,
        sum_by,
    } = q
    else {
        return vec![];
    };
    let range_ns = (*range_s * 1e9) as i64;
    let (lo, hi) = (
        times.first().copied().unwrap_or(0) - range_ns,
        times.last().copied().unwrap_or(0),
    );
    let mut series: BTreeMap<BTreeMap<String, String>, Vec<i64>> = BTreeMap::new();
    for log in super::scale::scale_logs()
        .map(borrowed)
        .chain(&sim.stores.logs)
    {
        if log.ts_ns <= lo || log.ts_ns > hi {
            continue;
        }
        if let Some(labels) = inner.apply(&log.labels, &log.line) {
            let key = match sum_by {
                Some(by) => labels.into_iter().filter(|(k, _)| by.contains(k)).collect(),
                None => labels,
            };
            series.entry(key).or_default().push(log.ts_ns);
        }
    }
    series
        .into_iter()
        .map(|(labels, mut ts)| {
            ts.sort_unstable();
            let points = times
                .iter()
                .filter_map(|t| {
                    let from = ts.partition_point(|x| *x <= t - range_ns);
                    let to = ts.partition_point(|x| *x <= *t);
                    let n = (to - from) as f64;
                    (n > 0.0).then(|| {
                        (
                            *t,
                            if *func == RangeFn::Rate {
                                n / range_s
                            } else {
                                n
                            },
                        )
                    })
                })
                .collect();
            (labels, points)
        })
        .filter(|(_, p): &(_, Vec<_>)| !p.is_empty())
        .collect()
}

fn fmt_sample(ts_ns: i64, v: f64) -> Value {
    json!([ts_ns as f64 / 1e9, format!("{v}")])
}

/// The `query` parameter, parsed; Loki's wording for what is wrong.
fn parse_query_param(p: &[(String, String)]) -> Result<Query, String> {
    let query = param(p, "query").ok_or("query parameter is required")?;
    logql::parse(query)
}

async fn loki_query_range(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let parsed = match parse_query_param(&p) {
        Ok(q) => q,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    let now = now_ms() * 1_000_000;
    let (end, start) = match (
        loki_time(param(&p, "end"), now),
        loki_time(param(&p, "start"), now - 3_600_000_000_000),
    ) {
        (Ok(e), Ok(s)) => (e, s),
        (Err(e), _) | (_, Err(e)) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    if end < start {
        return text_error(
            StatusCode::BAD_REQUEST,
            "the query time range is invalid: end is before start",
        );
    }
    let limit = param(&p, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100usize);
    let forward = param(&p, "direction") == Some("forward");
    let sim = lock(&sim);
    match &parsed {
        Query::Logs(q) => Json(streams_result(&sim, q, start, end, limit, forward)).into_response(),
        Query::Metric { .. } => {
            let step = match loki_step(param(&p, "step"), start, end) {
                Ok(s) => s,
                Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
            };
            let times: Vec<i64> = (0..)
                .map(|i| start + i * step)
                .take_while(|t| *t <= end)
                .take(11_000)
                .collect();
            let result: Vec<Value> = metric_points(&sim, &parsed, &times)
                .into_iter()
                .map(|(m, pts)| json!({"metric": m, "values": pts.into_iter().map(|(t, v)| fmt_sample(t, v)).collect::<Vec<_>>()}))
                .collect();
            Json(json!({"status": "success", "data": {"resultType": "matrix", "result": result, "stats": stats(0)}})).into_response()
        }
    }
}

async fn loki_query(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let parsed = match parse_query_param(&p) {
        Ok(q) => q,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    if matches!(parsed, Query::Logs(_)) {
        return text_error(
            StatusCode::BAD_REQUEST,
            "log queries are not supported as an instant query type, please change your query to a range query type",
        );
    }
    let t = match loki_time(param(&p, "time"), now_ms() * 1_000_000) {
        Ok(t) => t,
        Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
    };
    let sim = lock(&sim);
    let result: Vec<Value> = metric_points(&sim, &parsed, &[t])
        .into_iter()
        .filter_map(|(m, pts)| {
            pts.first()
                .map(|(t, v)| json!({"metric": m, "value": fmt_sample(*t, *v)}))
        })
        .collect();
    Json(json!({"status": "success", "data": {"resultType": "vector", "result": result, "stats": stats(0)}})).into_response()
}

async fn loki_labels(State(sim): State<SharedSim>) -> Json<Value> {
    let sim = lock(&sim);
    let mut names: Vec<&String> = sim
        .stores
        .logs
        .iter()
        .flat_map(|l| l.labels.keys())
        .collect();
    names.sort();
    names.dedup();
    Json(json!({"status": "success", "data": names}))
}

async fn loki_label_values(State(sim): State<SharedSim>, Path(name): Path<String>) -> Json<Value> {
    let sim = lock(&sim);
    let mut values: Vec<&String> = sim
        .stores
        .logs
        .iter()
        .filter_map(|l| l.labels.get(&name))
        .collect();
    values.sort();
    values.dedup();
    Json(json!({"status": "success", "data": values}))
}

async fn loki_series(State(sim): State<SharedSim>, RawQuery(raw): RawQuery) -> Response {
    let p = params(raw);
    let selectors: Vec<&str> = p
        .iter()
        .filter(|(k, _)| k == "match[]" || k == "match")
        .map(|(_, v)| v.as_str())
        .collect();
    if selectors.is_empty() {
        return text_error(
            StatusCode::BAD_REQUEST,
            "at least one match[] selector is required",
        );
    }
    let mut queries = Vec::new();
    for s in selectors {
        match logql::parse(s) {
            Ok(Query::Logs(q)) => queries.push(q),
            Ok(_) => {
                return text_error(StatusCode::BAD_REQUEST, "match[] must be a stream selector")
            }
            Err(e) => return text_error(StatusCode::BAD_REQUEST, e),
        }
    }
    let sim = lock(&sim);
    let mut sets: Vec<&BTreeMap<String, String>> = sim
        .stores
        .logs
        .iter()
        .filter(|l| queries.iter().any(|q| q.apply(&l.labels, "").is_some()))
        .map(|l| &l.labels)
        .collect();
    sets.sort();
    sets.dedup();
    Json(json!({"status": "success", "data": sets})).into_response()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{get, sim_with_traffic};

    #[tokio::test]
    async fn lines_series_and_labels_answer_in_loki_shapes() {
        let (router, now) = sim_with_traffic(super::loki_router);
        let window = format!(
            "start={}&end={}",
            (now - 60_000) as i128 * 1_000_000,
            (now + 1_000) as i128 * 1_000_000
        );
        let (status, labels) = get(&router, &format!("/loki/api/v1/labels?{window}")).await;
        assert_eq!(
            (status.as_u16(), &labels["status"]),
            (200, &"success".into())
        );
        assert!(
            labels["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == "service"),
            "{labels}"
        );

        let lines = format!(
            "/loki/api/v1/query_range?query=%7Bservice%3D%22orchestrator%22%7D&limit=5&{window}"
        );
        let (status, answer) = get(&router, &lines).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["data"]["resultType"], "streams");
        let streams = answer["data"]["result"].as_array().unwrap();
        let count: usize = streams
            .iter()
            .map(|s| s["values"].as_array().unwrap().len())
            .sum();
        assert!(count > 0 && count <= 5, "{answer}");
        assert_eq!(streams[0]["stream"]["service"], "orchestrator");

        let rate = format!(
            "/loki/api/v1/query_range?query=sum%28count_over_time%28%7Bservice%3D%22orchestrator%22%7D%5B1m%5D%29%29&step=15s&{window}"
        );
        let (status, answer) = get(&router, &rate).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["data"]["resultType"], "matrix");

        // Loki answers a malformed query in plain text with 400.
        let (status, error) = get(&router, "/loki/api/v1/query_range?query=%7B").await;
        assert_eq!(status, 400);
        assert!(error.is_string(), "{error}");
    }
}
