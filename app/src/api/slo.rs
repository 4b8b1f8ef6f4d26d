//! Server functions of the SLO pages: the list with burn rates now, and one SLO in detail.

use crate::api::AppError;
use crate::model::decimate::Point;
use crate::model::slo::{PairState, Status};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One SLO as the list shows it. Values are `None` when there is no traffic to judge by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloRow {
    pub name: String,
    pub service: String,
    pub description: String,
    pub source: String,
    pub labels: BTreeMap<String, String>,
    pub objective: f64,
    pub window_s: i64,
    /// Good events ÷ all events over the window.
    pub sli: Option<f64>,
    /// Fraction of the budget left (negative when overspent).
    pub remaining: Option<f64>,
    /// The remaining budget as time of total failure.
    pub remaining_time_s: Option<f64>,
    /// Burn rate (×) over each display window, in `DISPLAY_WINDOWS` order.
    pub burns: Vec<(i64, Option<f64>)>,
    pub status: Status,
    pub pairs: Vec<PairState>,
    /// At the burn rate of the fastest-burning firing pair's long window (else the 1h burn).
    pub exhaustion_s: Option<f64>,
    /// The definition is broken or Prometheus refused its queries.
    pub error: Option<String>,
    /// The window is longer than Prometheus keeps data.
    pub retention_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloList {
    pub datasource_name: String,
    pub rows: Vec<SloRow>,
    /// Why the label filter could not be read (the list is then unfiltered).
    pub filter_error: Option<String>,
    /// SLOs before filtering.
    pub total: usize,
}

#[cfg(feature = "ssr")]
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[cfg(feature = "ssr")]
fn invalid_row(name: String, source: String, error: String) -> SloRow {
    SloRow {
        name,
        service: String::new(),
        description: String::new(),
        source,
        labels: BTreeMap::new(),
        objective: 0.0,
        window_s: 0,
        sli: None,
        remaining: None,
        remaining_time_s: None,
        burns: Vec::new(),
        status: Status::NoData,
        pairs: Vec::new(),
        exhaustion_s: None,
        error: Some(error),
        retention_note: None,
    }
}

/// Evaluates one SLO now: error ratios over every window it needs in one query.
#[cfg(feature = "ssr")]
async fn evaluate_row(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
    slo: &crate::model::slo::Slo,
    retention_s: Option<i64>,
    now_s: f64,
) -> SloRow {
    use crate::model::duration::format_s;
    use crate::model::slo::{
        budget_remaining, budget_time_equivalent_s, burn_rate, evaluate, time_to_exhaustion_s,
        DISPLAY_WINDOWS,
    };
    let mut row = invalid_row(slo.name.clone(), slo.source.clone(), String::new());
    row.error = None;
    row.service = slo.service.clone();
    row.description = slo.description.clone();
    row.labels = slo.filter_labels();
    row.objective = slo.objective;
    row.window_s = slo.window_s;
    row.retention_note = retention_s.filter(|r| *r < slo.window_s).map(|r| {
        format!(
            "Prometheus keeps {} of data: the SLI covers only that part of the {} window",
            format_s(r),
            format_s(slo.window_s)
        )
    });
    let ratios = match crate::backend::slo::error_ratios(client, slo, &slo.windows(), now_s).await {
        Ok(r) => r,
        Err(e) => {
            row.error = Some(format!("Prometheus refused the SLI query: {e}"));
            return row;
        }
    };
    let burns: BTreeMap<i64, f64> = ratios
        .iter()
        .map(|(w, r)| (*w, burn_rate(*r, slo.objective)))
        .collect();
    let (status, pairs) = evaluate(slo, &burns);
    let window_ratio = ratios.get(&slo.window_s).copied().unwrap_or(f64::NAN);
    row.sli = finite(1.0 - window_ratio);
    row.remaining = finite(budget_remaining(window_ratio, slo.objective));
    row.remaining_time_s = row
        .remaining
        .map(|r| budget_time_equivalent_s(r, slo.objective, slo.window_s));
    row.burns = DISPLAY_WINDOWS
        .iter()
        .map(|w| (*w, burns.get(w).copied().and_then(finite)))
        .collect();
    // The pace that matters: the fastest firing pair's long window, else the last hour's.
    let pace = pairs
        .iter()
        .filter(|p| p.firing())
        .filter_map(|p| p.long_burn)
        .fold(None, |acc: Option<f64>, b| {
            Some(acc.map_or(b, |a| a.max(b)))
        })
        .or_else(|| burns.get(&3_600).copied().and_then(finite));
    row.exhaustion_s = match (row.remaining, pace) {
        (Some(r), Some(b)) => time_to_exhaustion_s(r, b, slo.window_s),
        _ => None,
    };
    row.status = status;
    row.pairs = pairs;
    row
}

/// Every SLO of `provisioning/slos`, evaluated now, sorted by remaining budget (least first;
/// broken ones last), filtered by label matchers (`team="platform"`, `service=~"orch.*"`).
#[server(endpoint = "list_slos")]
pub async fn list_slos(filter: String) -> Result<SloList, AppError> {
    use crate::model::datasource::DatasourceKind;
    use crate::model::matchers::{matches_all, parse_matchers};
    use crate::model::slo::SloEntry;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, None)?;
    let entries = backends.slos();
    let total = entries.len();
    let (matchers, filter_error) = match parse_matchers(&filter) {
        Ok(m) => (m, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let client = crate::backend::prometheus::PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let retention = crate::backend::slo::retention_s(&backends.http, &ds).await;
    let now_s = crate::api::now_ms() as f64 / 1000.0;
    let futures = entries.into_iter().filter_map(|e| match e {
        SloEntry::Ok(slo) => matches_all(&matchers, &slo.filter_labels()).then(|| {
            let client = &client;
            futures::future::Either::Left(async move {
                evaluate_row(client, &slo, retention, now_s).await
            })
        }),
        SloEntry::Invalid {
            name,
            source,
            error,
        } => {
            let mut labels = BTreeMap::new();
            labels.insert("slo".to_string(), name.clone());
            matches_all(&matchers, &labels).then(|| {
                futures::future::Either::Right(std::future::ready(invalid_row(name, source, error)))
            })
        }
    });
    let mut rows = futures::future::join_all(futures).await;
    rows.sort_by(|a, b| {
        let key = |r: &SloRow| (r.error.is_some(), r.remaining.is_none());
        key(a).cmp(&key(b)).then(
            a.remaining
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.remaining.unwrap_or(f64::INFINITY)),
        )
    });
    Ok(SloList {
        datasource_name: ds.name.clone(),
        rows,
        filter_error,
        total,
    })
}

/// A chart's worth of data: one or more named lines and an optional threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloChart {
    pub title: String,
    pub unit: String,
    pub series: Vec<(String, Vec<Point>)>,
    pub threshold: Option<f64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloLinks {
    pub alerts: String,
    pub dashboard: Option<String>,
    pub logs: Option<String>,
    pub traces: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloReport {
    pub row: SloRow,
    pub from_ms: i64,
    pub to_ms: i64,
    pub burndown: SloChart,
    pub burndown_from_ms: i64,
    /// One per alerting window pair, in the workbook's order.
    pub burn_charts: Vec<SloChart>,
    pub traffic: SloChart,
    pub errors: SloChart,
    pub latency: Option<SloChart>,
    /// Alerts of this SLO firing in Prometheus now (`alertname`, `severity`).
    pub firing_alerts: Vec<(String, String)>,
    /// The window with the highest burn rate now (seconds), for the links.
    pub worst_window_s: i64,
    pub links: SloLinks,
    pub rule_yaml: String,
}

/// One SLO with charts over `from`..`to` (the burndown always spans the SLO window).
#[server(endpoint = "slo_detail")]
pub async fn slo_detail(name: String, from: String, to: String) -> Result<SloReport, AppError> {
    use crate::model::datasource::DatasourceKind;
    use crate::model::slo::rules_yaml;
    use crate::model::time_range::{TimeRange, DEFAULT_FROM, DEFAULT_TO};

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, None)?;
    let slo = find_slo(&backends, &name)?;
    let now_ms = crate::api::now_ms();
    let range = TimeRange::parse(
        if from.is_empty() { DEFAULT_FROM } else { &from },
        if to.is_empty() { DEFAULT_TO } else { &to },
        now_ms,
    )
    .map_err(|e| AppError::BadRequest(format!("the time range is not valid: {e}")))?;
    let client = crate::backend::prometheus::PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let retention = crate::backend::slo::retention_s(&backends.http, &ds).await;
    let row = evaluate_row(&client, &slo, retention, now_ms as f64 / 1000.0).await;
    // The burndown spans the SLO window, but not before the oldest sample.
    let burndown_from_ms =
        (now_ms - slo.window_s * 1000).max(lowest_sample_ms(&client).await.unwrap_or(0));
    let charts = Charts {
        client: &client,
        from_s: range.from_ms as f64 / 1000.0,
        to_s: range.to_ms as f64 / 1000.0,
        step_s: range.step_seconds(240, 5),
    };
    let burn_charts = charts.burn_pairs(&slo);
    let burndown = burndown(&client, &slo, burndown_from_ms, now_ms);
    let traffic = charts.chart(
        "Traffic (events/s)".into(),
        "reqps",
        vec![("total".into(), slo.total_expr(300))],
        None,
    );
    let errors = charts.chart(
        "Errors (events/s)".into(),
        "reqps",
        vec![("errors".into(), slo.errors_expr(300))],
        None,
    );
    let latency = async {
        match slo.latency_expr(300) {
            Some(e) => Some(
                charts
                    .chart("Latency".into(), "s", vec![("latency".into(), e)], None)
                    .await,
            ),
            None => None,
        }
    };
    let (burn_charts, burndown, traffic, errors, latency, firing_alerts) = futures::join!(
        burn_charts,
        burndown,
        traffic,
        errors,
        latency,
        firing_alerts(&client, &slo.name)
    );
    let worst_window_s = row
        .burns
        .iter()
        .filter_map(|(w, b)| b.map(|b| (*w, b)))
        // Ties (a young history reads the same in every window): the shortest one.
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(w, _)| w)
        .unwrap_or(3_600);
    let links = links_for(&slo, &backends, now_ms, worst_window_s);
    Ok(SloReport {
        row,
        from_ms: range.from_ms,
        to_ms: range.to_ms,
        burndown,
        burndown_from_ms,
        burn_charts,
        traffic,
        errors,
        latency,
        firing_alerts,
        worst_window_s,
        links,
        rule_yaml: rules_yaml(&[&slo]),
    })
}

/// The SLO named `name`; an invalid definition is the caller's to fix, an unknown name a 404.
#[cfg(feature = "ssr")]
fn find_slo(
    backends: &crate::backend::Backends,
    name: &str,
) -> Result<Box<crate::model::slo::Slo>, AppError> {
    use crate::model::slo::SloEntry;
    backends
        .slos()
        .into_iter()
        .find_map(|e| match e {
            SloEntry::Ok(s) if s.name == name => Some(Ok(s)),
            SloEntry::Invalid {
                name: n,
                source,
                error,
            } if n == name => Some(Err(AppError::BadRequest(format!(
                "SLO {n:?} in {source} cannot be used: {error}"
            )))),
            _ => None,
        })
        .unwrap_or_else(|| {
            Err(AppError::NotFound(format!(
                "there is no SLO named {name:?}; pick one from the SLO list"
            )))
        })
}

/// The oldest sample Prometheus holds (ms), if it says.
#[cfg(feature = "ssr")]
async fn lowest_sample_ms(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
) -> Option<i64> {
    use crate::model::prometheus::QueryData;
    let answer = client
        .query("min(prometheus_tsdb_lowest_timestamp_seconds)", None)
        .await
        .ok()?;
    match answer.data {
        QueryData::Vector(v) => v
            .first()
            .and_then(|s| s.value.as_ref())
            .map(|(_, v)| (v.0 * 1000.0) as i64),
        _ => None,
    }
}

/// Charts of the detail page's range: one range query per series; a failing one says why in
/// its chart.
#[cfg(feature = "ssr")]
struct Charts<'a> {
    client: &'a crate::backend::prometheus::PrometheusClient<'a>,
    from_s: f64,
    to_s: f64,
    step_s: u32,
}

#[cfg(feature = "ssr")]
impl Charts<'_> {
    /// One chart per alerting window pair: both windows' burn rates against the pair's factor.
    async fn burn_pairs(&self, slo: &crate::model::slo::Slo) -> Vec<SloChart> {
        use crate::model::duration::format_s;
        use crate::model::slo::burn_windows;
        let budget = slo.budget();
        futures::future::join_all(burn_windows(slo.window_s).into_iter().map(|p| {
            let series = [p.long_s, p.short_s].map(|w| {
                (
                    format!("{} burn rate", format_s(w)),
                    format!("({}) / {budget}", slo.error_ratio_expr(w)),
                )
            });
            let title = format!(
                "{} · {} & {} at {:.1}×",
                p.severity.as_str(),
                format_s(p.long_s),
                format_s(p.short_s),
                p.factor
            );
            self.chart(title, "×", series.to_vec(), Some(p.factor))
        }))
        .await
    }

    async fn chart(
        &self,
        title: String,
        unit: &str,
        queries: Vec<(String, String)>,
        threshold: Option<f64>,
    ) -> SloChart {
        let mut series = Vec::new();
        let mut error = None;
        for (label, expr) in queries {
            match self
                .client
                .query_range(&expr, self.from_s, self.to_s, self.step_s)
                .await
            {
                Ok(a) => series.push((label, first_series(a.data))),
                Err(e) => error = Some(e.to_string()),
            }
        }
        SloChart {
            title,
            unit: unit.to_string(),
            series,
            threshold,
            error,
        }
    }
}

/// The error budget left over the whole SLO window, from `from_ms` to now.
#[cfg(feature = "ssr")]
async fn burndown(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
    slo: &crate::model::slo::Slo,
    from_ms: i64,
    now_ms: i64,
) -> SloChart {
    use crate::model::duration::format_s;
    let span_s = ((now_ms - from_ms) / 1000).max(60);
    let step = (span_s / 200).max(5) as u32;
    let expr = format!(
        "1 - ({}) / {}",
        slo.error_ratio_expr(slo.window_s),
        slo.budget()
    );
    let (series, error) = match client
        .query_range(&expr, from_ms as f64 / 1000.0, now_ms as f64 / 1000.0, step)
        .await
    {
        Ok(a) => (
            vec![("budget remaining".to_string(), first_series(a.data))],
            None,
        ),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    SloChart {
        title: format!("Error budget over the {} window", format_s(slo.window_s)),
        unit: "percentunit".into(),
        series,
        threshold: Some(0.0),
        error,
    }
}

/// Alerts of this SLO firing now: (`alertname`, `severity`); none when Prometheus cannot say.
#[cfg(feature = "ssr")]
async fn firing_alerts(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
    slo_name: &str,
) -> Vec<(String, String)> {
    use crate::model::prometheus::QueryData;
    let q = format!(
        "ALERTS{{alertstate=\"firing\", slo={}}}",
        crate::model::links::quote(slo_name)
    );
    match client.query(&q, None).await.map(|a| a.data) {
        Ok(QueryData::Vector(v)) => v
            .into_iter()
            .map(|s| {
                let label = |k: &str| s.metric.get(k).cloned().unwrap_or_default();
                (label("alertname"), label("severity"))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The first series of a range answer as finite points (NaN, no traffic, becomes a gap).
#[cfg(feature = "ssr")]
fn first_series(data: crate::model::prometheus::QueryData) -> Vec<Point> {
    use crate::model::prometheus::QueryData;
    match data {
        QueryData::Matrix(m) => m
            .into_iter()
            .next()
            .map(|s| {
                s.values
                    .iter()
                    .map(|(t, v)| ((t * 1000.0) as i64, v.0))
                    .filter(|(_, v)| v.is_finite())
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Onward links: the SLO's alerts, the dashboard that reads its metrics, and logs and traces of
/// its service over the worst-burning window.
#[cfg(feature = "ssr")]
fn links_for(
    slo: &crate::model::slo::Slo,
    backends: &crate::backend::Backends,
    now_ms: i64,
    worst_window_s: i64,
) -> SloLinks {
    use crate::model::links::{self, Hop};
    use crate::model::url_state::encode_component;
    let from = now_ms - worst_window_s * 1000;
    let hop = Hop::range(&from.to_string(), &now_ms.to_string());
    let alerts = format!(
        "/alerting/list?matchers={}",
        encode_component(&format!("slo={}", links::quote(&slo.name)))
    );
    let service = (!slo.service.is_empty()).then_some(slo.service.as_str());
    let labels: BTreeMap<String, String> = service
        .map(|s| ("service".to_string(), s.to_string()))
        .into_iter()
        .collect();
    let index = backends.dashboards.catalog().index();
    let dashboard = crate::model::links::alerts::dashboard_for(
        &BTreeMap::new(),
        Some(&slo.total_expr(300)),
        &index,
    )
    .map(|d| d.link(&labels, Some(from + 5 * 60_000), Some(now_ms)));
    let logs = links::logs_selector(&labels)
        .map(|sel| links::explore_logs(&format!("{sel} |= \"error\""), &hop));
    let traces = service.map(|s| links::explore_traces(Some(s), Some("error=true"), &hop));
    SloLinks {
        alerts,
        dashboard,
        logs,
        traces,
    }
}
