//! Runs a dashboard: resolves template variables against their datasources (in order, so chained
//! variables see the earlier ones), then runs every panel query of the page concurrently with a
//! bound, each with its own step, and shapes the answers (gaps, series cap, decimation). A failing
//! query fails only its panel; its message is the backend's own.

use super::prometheus::PrometheusClient;
use super::{Backends, Datasource};
use crate::model::dashboard::data::PanelContent;
use crate::model::dashboard::data::{
    panel_width_px, shape, step_ms, to_series, ExploreQuery, PanelData, ResolvedVar, SeriesData,
};
use crate::model::dashboard::vars::{
    auto_interval, builtins, choose, interpolate, interval_ms, parse_var_query, query_result_line,
    shape_options, Scope, ScopeValue, VarKind, VarOption, VarQuery, ALL,
};
use crate::model::dashboard::{
    alertlist, compare, dashlist, frame, histogram, logs_panel, transform, Dashboard, Panel,
    PanelKind,
};
use crate::model::datasource::DatasourceKind;
use crate::model::prometheus::QueryData;
use crate::model::time_range::TimeRange;
use crate::model::upstream::BackendError;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Limits of one dashboard render (configurable in `[dashboards]`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_series: usize,
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_series: crate::model::dashboard::data::DEFAULT_MAX_SERIES,
            concurrency: 16,
        }
    }
}

/// Finds the datasource a panel, target or variable names: uid, name, a variable holding either,
/// or a plugin type; unresolved `${DS_…}` inputs of exported dashboards mean the default. A
/// reference to a datasource this console does not have (dashboards imported from another
/// Grafana) falls back to the default of its type, with a warning the panel shows.
pub fn find_datasource(
    b: &Backends,
    reference: Option<&str>,
    declared_type: Option<&str>,
    scope: &Scope,
) -> Result<(Arc<Datasource>, Option<String>), String> {
    let want = declared_type
        .and_then(DatasourceKind::from_grafana_type)
        .unwrap_or(DatasourceKind::Prometheus);
    let default = || {
        b.registry.default_of(want).ok_or_else(|| {
            format!("no {want} datasource is provisioned; add one under provisioning/datasources")
        })
    };
    let Some(r) = reference else {
        return default().map(|d| (d, None));
    };
    let r = interpolate(r, scope);
    if r.is_empty() || r.starts_with('$') || r == ALL {
        return default().map(|d| (d, None));
    }
    if let Some(ds) = b.registry.by_uid(&r) {
        return Ok((ds, None));
    }
    if let Some(ds) = b
        .registry
        .all()
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(&r))
    {
        return Ok((ds.clone(), None));
    }
    if let Some(kind) = DatasourceKind::from_grafana_type(&r) {
        return b
            .registry
            .default_of(kind)
            .map(|d| (d, None))
            .ok_or_else(|| format!("no {kind} datasource is provisioned"));
    }
    let ds = default().map_err(|e| format!("datasource {r:?} is not provisioned, and {e}"))?;
    let warning = format!(
        "datasource {r:?} is not provisioned here; showing {} instead (add {r:?} under provisioning/datasources to use it)",
        ds.name
    );
    Ok((ds, Some(warning)))
}

fn secs(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// The datasource's scrape interval (Grafana's `timeInterval`), 15 s when unset.
pub fn scrape_ms(ds: &Datasource) -> i64 {
    ds.json_data
        .get("timeInterval")
        .and_then(|t| interval_ms(t))
        .unwrap_or(15_000)
}

async fn query_options(
    b: &Backends,
    var: &crate::model::dashboard::vars::Variable,
    scope: &Scope,
    range: TimeRange,
) -> Result<Vec<VarOption>, String> {
    match var.kind {
        VarKind::Custom | VarKind::Interval => {
            let mut opts = var.static_options();
            if var.kind == VarKind::Interval && var.auto {
                opts.insert(
                    0,
                    VarOption {
                        text: "auto".into(),
                        value: auto_interval(
                            range.to_ms - range.from_ms,
                            var.auto_count,
                            &var.auto_min,
                        ),
                    },
                );
            }
            Ok(opts)
        }
        VarKind::Constant | VarKind::Textbox | VarKind::Other => Ok(Vec::new()),
        VarKind::Datasource => {
            let kind = DatasourceKind::from_grafana_type(&var.query);
            let mut of_kind: Vec<&Arc<Datasource>> = b
                .registry
                .all()
                .iter()
                .filter(|d| Some(d.kind) == kind)
                .collect();
            // As Grafana: with no saved value the variable takes the type's default datasource
            // (`isDefault`), then the first of the type; the first option is what it takes.
            of_kind.sort_by_key(|d| !d.is_default);
            let raw: Vec<(String, String)> = of_kind
                .iter()
                .map(|d| (d.name.clone(), d.uid.clone()))
                .collect();
            let names: Vec<String> = raw.iter().map(|(n, _)| n.clone()).collect();
            let shaped = shape_options(names, &var.regex, 0)?;
            Ok(shaped
                .into_iter()
                .filter_map(|o| {
                    raw.iter()
                        .find(|(n, _)| *n == o.value)
                        .map(|(n, uid)| VarOption {
                            text: n.clone(),
                            value: uid.clone(),
                        })
                })
                .collect())
        }
        VarKind::Query => {
            let (ds, _) = find_datasource(b, var.datasource.as_deref(), None, scope)?;
            if ds.kind != DatasourceKind::Prometheus {
                return Err(format!(
                    "query variables on {} datasources are not supported yet; use a Prometheus label_values query",
                    ds.kind
                ));
            }
            let client = PrometheusClient {
                http: &b.http,
                ds: &ds,
            };
            let mut scope = scope.clone();
            builtins(
                &mut scope,
                range.from_ms,
                range.to_ms,
                15_000,
                scrape_ms(&ds),
            );
            let q = interpolate(&var.query, &scope);
            let (start, end) = (secs(range.from_ms), secs(range.to_ms));
            let raw: Vec<String> = match parse_var_query(&q) {
                VarQuery::LabelValues { selector, label } => {
                    client
                        .label_values(&label, selector.as_deref(), start, end)
                        .await
                        .map_err(|e| e.to_string())?
                        .data
                }
                VarQuery::LabelNames { selector } => {
                    client
                        .label_names(selector.as_deref(), start, end)
                        .await
                        .map_err(|e| e.to_string())?
                        .data
                }
                VarQuery::Metrics(re) => {
                    let names = client
                        .label_values("__name__", None, start, end)
                        .await
                        .map_err(|e| e.to_string())?
                        .data;
                    let re =
                        regex_lite::Regex::new(&re).map_err(|e| format!("metrics({re}): {e}"))?;
                    names.into_iter().filter(|n| re.is_match(n)).collect()
                }
                VarQuery::QueryResult(expr) | VarQuery::Unknown(expr) => {
                    let ans = client
                        .query(&expr, Some(end))
                        .await
                        .map_err(|e| e.to_string())?;
                    match ans.data {
                        QueryData::Vector(v) => v
                            .into_iter()
                            .map(|s| {
                                let (t, val) = s
                                    .value
                                    .map(|(t, v)| (t, v.to_string()))
                                    .unwrap_or((end, String::new()));
                                query_result_line(&s.metric, &val, (t * 1000.0) as i64)
                            })
                            .collect(),
                        QueryData::Scalar((t, v)) => {
                            vec![format!("scalar {v} {}", (t * 1000.0) as i64)]
                        }
                        QueryData::String((t, v)) => {
                            vec![format!("scalar {v} {}", (t * 1000.0) as i64)]
                        }
                        QueryData::Matrix(_) => {
                            return Err(
                                "query_result needs an instant vector; drop the range selector"
                                    .into(),
                            )
                        }
                    }
                }
            };
            shape_options(raw, &var.regex, var.sort)
        }
    }
}

/// Resolves every variable in order. URL values (`var-<name>`) win over saved ones.
pub async fn resolve_variables(
    b: &Backends,
    d: &Dashboard,
    range: TimeRange,
    url: &BTreeMap<String, Vec<String>>,
) -> (Vec<ResolvedVar>, Scope) {
    let mut scope = Scope::new();
    let mut out = Vec::new();
    for var in &d.variables {
        let (options, error) = match query_options(b, var, &scope, range).await {
            Ok(o) => (o, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let url_vals = url.get(&var.name).cloned().unwrap_or_default();
        let selected = choose(var, &options, &url_vals);
        let all = selected.iter().any(|s| s == ALL);
        let values: Vec<String> = if all {
            options.iter().map(|o| o.value.clone()).collect()
        } else {
            selected.clone()
        };
        if var.kind != VarKind::Other {
            scope.insert(
                var.name.clone(),
                ScopeValue {
                    values,
                    all,
                    custom_all: var.all_value.clone(),
                    regex_escape: var.multi || var.include_all,
                },
            );
        }
        out.push(ResolvedVar {
            name: var.name.clone(),
            label: var.label.clone(),
            kind: var.kind,
            hide: var.hide,
            multi: var.multi,
            include_all: var.include_all,
            options,
            selected,
            error,
        });
    }
    (out, scope)
}

#[derive(Clone)]
struct Job {
    panel_id: u32,
    ref_id: String,
    legend: String,
    expr: String,
    /// The query with the dashboard's variables filled and the built-ins (`$__rate_interval`)
    /// left for Explore to fill at its own range.
    explore_expr: String,
    instant: bool,
    ds: Arc<Datasource>,
    step_ms: i64,
    width_px: u32,
    /// Read this long ago (`compare`), drawn on the current axis; 0 for the current read.
    shift_ms: i64,
}

struct JobResult {
    panel_id: u32,
    ref_id: String,
    expr: String,
    explore: ExploreQuery,
    step_ms: i64,
    instant: bool,
    width_px: u32,
    shift_ms: i64,
    result: Result<(Vec<SeriesData>, Vec<String>), String>,
}

/// Loki metric queries answer with Prometheus' matrix shape; log queries (streams) cannot be
/// drawn as series.
async fn loki_range(
    b: &Backends,
    job: &Job,
    range: TimeRange,
) -> Result<(QueryData, Vec<String>), BackendError> {
    use super::loki::LokiClient;
    use crate::model::logs::LokiResult;
    let step_s = (job.step_ms / 1000).max(1) as u32;
    let answer = LokiClient {
        http: &b.http,
        ds: &job.ds,
    }
    .query_range(&job.expr, range.from_ms, range.to_ms, step_s)
    .await?;
    let data = match answer.data {
        LokiResult::Matrix(series) => QueryData::Matrix(series),
        LokiResult::Vector(samples) => QueryData::Vector(samples),
        LokiResult::Streams(_) => return Err(BackendError::Api {
            datasource: job.ds.name.clone(),
            error_type: "log query".into(),
            message: "this LogQL query returns log lines, not numbers; wrap it in rate(…[$__interval]) or open it in Explore".into(),
        }),
    };
    Ok((data, answer.warnings))
}

async fn run_job(b: &Backends, job: Job, range: TimeRange) -> JobResult {
    let started = std::time::Instant::now();
    let range = TimeRange {
        from_ms: range.from_ms - job.shift_ms,
        to_ms: range.to_ms - job.shift_ms,
    };
    let answer = match job.ds.kind {
        DatasourceKind::Prometheus => {
            let client = PrometheusClient {
                http: &b.http,
                ds: &job.ds,
            };
            if job.instant {
                // On the step (at most 15 s back, so a long range's "now" stays recent), like
                // a range's end: viewers within it ask the same query and share its answer.
                let grain = job.step_ms.clamp(1, 15_000);
                let at = range.to_ms.div_euclid(grain) * grain;
                client
                    .query(&job.expr, Some(secs(at)))
                    .await
                    .map(|a| (a.data, a.warnings))
            } else {
                // Both ends aligned to the step (as Grafana does): neighbouring refreshes ask
                // for the same samples, and everyone opening the dashboard within one step asks
                // the same query, which is then sent once (`backend::coalesce`).
                let (start, end) = (
                    range.from_ms.div_euclid(job.step_ms) * job.step_ms,
                    range.to_ms.div_euclid(job.step_ms) * job.step_ms,
                );
                client
                    .query_range(
                        &job.expr,
                        secs(start),
                        secs(end),
                        (job.step_ms / 1000) as u32,
                    )
                    .await
                    .map(|a| (a.data, a.warnings))
            }
        }
        DatasourceKind::Loki => loki_range(b, &job, range).await,
        other => Err(BackendError::Api {
            datasource: job.ds.name.clone(),
            error_type: "unsupported".into(),
            message: format!("dashboard panels cannot query {other} datasources; use Explore"),
        }),
    };
    let read_ms = started.elapsed().as_secs_f64() * 1e3;
    let result = answer
        .map(|(data, warnings)| {
            let mut series = to_series(data, &job.ref_id, &job.legend, job.step_ms);
            if job.shift_ms > 0 {
                compare::shift_series(&mut series, job.shift_ms);
            }
            (series, warnings)
        })
        .map_err(|e| e.to_string());
    tracing::debug!(
        panel = job.panel_id,
        read_ms,
        total_ms = started.elapsed().as_secs_f64() * 1e3,
        "panel query"
    );
    JobResult {
        panel_id: job.panel_id,
        explore: ExploreQuery {
            logs: job.ds.kind == DatasourceKind::Loki,
            datasource: job.ds.uid.clone(),
            expr: job.explore_expr,
        },
        expr: job.expr,
        step_ms: job.step_ms,
        instant: job.instant,
        width_px: job.width_px,
        shift_ms: job.shift_ms,
        result,
        ref_id: job.ref_id,
    }
}

/// One Loki query of a logs panel: the newest lines and the count of all of them in the range.
struct LogJob {
    /// The panel's place in the render's output.
    index: usize,
    ds: Arc<Datasource>,
    expr: String,
    limit: usize,
}

async fn run_logs(
    b: &Backends,
    j: LogJob,
    range: TimeRange,
) -> (usize, usize, Result<logs_panel::LogsPanel, String>) {
    use super::loki::LokiClient;
    use crate::model::datasource::correlations::CompiledFields;
    use crate::model::logs::{flatten_streams, Direction, LokiResult};
    let client = LokiClient {
        http: &b.http,
        ds: &j.ds,
    };
    let range_s = ((range.to_ms - range.from_ms) / 1000).max(1);
    let count_q = logs_panel::count_query(&j.expr, range_s);
    let ns = |ms: i64| ms as i128 * 1_000_000;
    let (lines, count) = futures::join!(
        client.query_lines(
            &j.expr,
            ns(range.from_ms),
            ns(range.to_ms) + 1,
            j.limit,
            Direction::Backward
        ),
        client.query_range(&count_q, range.to_ms, range.to_ms, range_s as u32)
    );
    let result = match lines.map(|a| a.data) {
        Err(e) => Err(e.to_string()),
        Ok(LokiResult::Streams(streams)) => {
            let derived = CompiledFields::new(&j.ds.correlations.derived_fields);
            let time = format!("from={}&to={}", range.from_ms, range.to_ms);
            let lines = flatten_streams(streams, j.limit, Direction::Backward)
                .into_iter()
                .map(|l| {
                    let links = derived
                        .links(&l.line, &l.labels, &time)
                        .into_iter()
                        .map(|k| (k.label, k.href))
                        .collect();
                    logs_panel::PanelLine::of(l, links)
                })
                .collect();
            // The exact count; unknown (not zero) when Loki could not say.
            let total = match count.map(|a| a.data) {
                Ok(LokiResult::Matrix(series)) => Some(
                    series
                        .iter()
                        .filter_map(|s| s.values.last())
                        .map(|v| v.1 .0.max(0.0) as u64)
                        .sum(),
                ),
                Ok(LokiResult::Vector(samples)) => Some(
                    samples
                        .iter()
                        .filter_map(|s| s.value.as_ref())
                        .map(|v| v.1 .0.max(0.0) as u64)
                        .sum(),
                ),
                _ => None,
            };
            Ok(logs_panel::LogsPanel { lines, total })
        }
        Ok(_) => Err(format!(
            "{} answered numbers: a logs panel shows lines, so use a log query (no rate() or count_over_time()) or a time series panel",
            j.ds.name
        )),
    };
    (j.index, j.limit, result)
}

/// The alert list panel from every Alertmanager's snapshot (or the one cluster the panel's
/// datasource names); instances that did not answer are named.
async fn alert_list(b: &Backends, p: &Panel, data: &mut PanelData) {
    use crate::model::alerting::MergedGroup;
    let Some(fleet) = super::alert_snapshot::fleet(b, 0).await else {
        data.error = Some(
            "no Alertmanager datasource is provisioned; add one under provisioning/datasources"
                .into(),
        );
        return;
    };
    for (name, why) in &fleet.unreachable {
        data.warnings.push(format!("{name} did not answer: {why}"));
    }
    // Only a reference that names an Alertmanager picks its cluster; Grafana's own alerting
    // (`-- Grafana --`, none) means all of them.
    let only = p
        .datasource
        .as_deref()
        .and_then(|r| {
            b.registry
                .by_uid(r)
                .or_else(|| b.registry.all().iter().find(|d| d.name == r).cloned())
        })
        .filter(|d| d.kind == DatasourceKind::Alertmanager)
        .map(|d| d.uid.clone());
    let merged = fleet.merged();
    let groups: Vec<&MergedGroup> = merged
        .iter()
        .filter(|c| only.as_ref().is_none_or(|uid| c.uids.contains(uid)))
        .flat_map(|c| c.groups.iter())
        .collect();
    let list = alertlist::select(&groups, &p.options.alertlist);
    data.warnings.extend(list.filter_error.clone());
    data.content = Some(PanelContent::Alerts(list));
}

/// What one render asks of its panels.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub range: TimeRange,
    /// `compare`: each range query also read this long ago.
    pub compare_ms: Option<i64>,
    /// The dashboard's width; `solo` panels use all of it.
    pub page_width_px: u32,
    pub solo: bool,
    pub limits: Limits,
}

/// Runs the queries of `panels` concurrently (at most `limits.concurrency` at a time).
pub async fn run_panels(
    b: &Backends,
    panels: &[&Panel],
    scope: &Scope,
    options: RunOptions,
) -> Vec<PanelData> {
    let RunOptions {
        range,
        compare_ms,
        page_width_px,
        solo,
        limits,
    } = options;
    let mut out: Vec<PanelData> = Vec::new();
    let mut jobs = Vec::new();
    let mut log_jobs = Vec::new();
    for p in panels {
        // A repeat's copy sees its own value of the repeat variable.
        let copy_scope = p
            .repeat_value
            .as_ref()
            .map(|_| crate::model::dashboard::repeat::scope_for(scope, p));
        let scope = copy_scope.as_ref().unwrap_or(scope);
        let mut data = PanelData {
            panel_id: p.id,
            warnings: p
                .transformations_warning()
                .into_iter()
                .chain(p.repeat_warning())
                .collect(),
            ..Default::default()
        };
        if p.kind == PanelKind::AlertList {
            alert_list(b, p, &mut data).await;
        }
        if p.kind == PanelKind::DashList {
            let o = &p.options.dashlist;
            data.warnings.extend(o.warnings());
            let all = b.dashboards.catalog().summaries();
            data.content = Some(PanelContent::Dashboards(dashlist::select(&all, o)));
        }
        if !p.kind.queries() {
            out.push(data);
            continue;
        }
        let width_px = if solo {
            page_width_px
        } else {
            panel_width_px(p.grid.w, page_width_px)
        };
        for t in p
            .targets
            .iter()
            .filter(|t| !t.hide && !t.expr.trim().is_empty())
        {
            let (reference, declared) = match &t.datasource {
                Some(d) => (Some(d.as_str()), t.datasource_type.as_deref()),
                None => (p.datasource.as_deref(), p.datasource_type.as_deref()),
            };
            let ds = match find_datasource(b, reference, declared, scope) {
                Ok((ds, warning)) => {
                    if let Some(w) = warning {
                        if !data.warnings.contains(&w) {
                            data.warnings.push(w);
                        }
                    }
                    ds
                }
                Err(e) => {
                    data.error.get_or_insert(e);
                    continue;
                }
            };
            let min_interval = [&t.interval, &p.interval]
                .iter()
                .filter_map(|i| interval_ms(&interpolate(i, scope)))
                .max()
                .unwrap_or(0)
                .max(scrape_ms(&ds));
            // As Grafana: `maxDataPoints` replaces the width (a panel may ask for more points
            // than pixels; decimation then keeps each pixel's min and max).
            let max_points = p.max_data_points.unwrap_or(width_px);
            let step = step_ms(range.to_ms - range.from_ms, max_points, min_interval);
            let mut s = scope.clone();
            builtins(&mut s, range.from_ms, range.to_ms, step, scrape_ms(&ds));
            if p.kind == PanelKind::Logs && ds.kind == DatasourceKind::Loki {
                let explore = ExploreQuery {
                    logs: true,
                    datasource: ds.uid.clone(),
                    expr: interpolate(&t.expr, scope),
                };
                data.explore.get_or_insert(explore);
                let expr = interpolate(&t.expr, &s);
                data.queries.push((t.ref_id.clone(), expr.clone()));
                let ds_max = ds
                    .json_data
                    .get("maxLines")
                    .and_then(|m| m.trim().parse().ok());
                log_jobs.push(LogJob {
                    index: out.len(),
                    limit: logs_panel::line_limit(t.max_lines, ds_max),
                    ds,
                    expr,
                });
                continue;
            }
            let instant = t.instant;
            let job = Job {
                panel_id: p.id,
                ref_id: t.ref_id.clone(),
                legend: t.legend_format.clone(),
                expr: interpolate(&t.expr, &s),
                explore_expr: interpolate(&t.expr, scope),
                instant,
                ds,
                step_ms: step,
                width_px,
                shift_ms: 0,
            };
            // A comparison is drawn under a time axis: instant queries have none.
            if let Some(shift_ms) = compare_ms.filter(|_| !instant) {
                jobs.push(Job {
                    shift_ms,
                    ..job.clone()
                });
            }
            jobs.push(job);
        }
        out.push(data);
    }
    let (results, logs): (Vec<JobResult>, Vec<_>) = futures::join!(
        futures::stream::iter(jobs)
            .map(|job| run_job(b, job, range))
            .buffer_unordered(limits.concurrency.max(1))
            .collect(),
        futures::future::join_all(log_jobs.into_iter().map(|j| run_logs(b, j, range)))
    );
    for (index, limit, answer) in logs {
        let data = &mut out[index];
        match answer {
            Ok(read) => {
                data.content = Some(match data.content.take() {
                    Some(PanelContent::Logs(before)) => {
                        PanelContent::Logs(before.merge(read, limit))
                    }
                    _ => PanelContent::Logs(read),
                });
            }
            Err(e) => {
                data.error.get_or_insert(e);
            }
        }
    }
    // Reassemble in panel and target order.
    let mut by_panel: BTreeMap<u32, Vec<JobResult>> = BTreeMap::new();
    for r in results {
        by_panel.entry(r.panel_id).or_default().push(r);
    }
    for (data, panel) in out.iter_mut().zip(panels) {
        let Some(mut results) = by_panel.remove(&data.panel_id) else {
            continue;
        };
        // Current reads first (their series lead the legend), then the comparisons.
        results.sort_by(|a, b| (a.shift_ms, &a.ref_id).cmp(&(b.shift_ms, &b.ref_id)));
        let multi = results.iter().filter(|r| r.shift_ms == 0).count() > 1;
        let mut series = Vec::new();
        let mut width_px = 800;
        for r in results {
            if r.shift_ms > 0 {
                // A failed comparison leaves the current series drawn and says why.
                match r.result {
                    Ok((s, w)) => {
                        series.extend(s);
                        data.warnings.extend(w);
                    }
                    Err(e) => data.warnings.push(format!(
                        "the comparison{} of query {} failed: {e}",
                        compare::suffix(r.shift_ms),
                        r.ref_id
                    )),
                }
                continue;
            }
            data.queries.push((r.ref_id.clone(), r.expr.clone()));
            if data.explore.is_none() {
                data.explore = Some(r.explore.clone());
            }
            data.step_ms = data.step_ms.max(r.step_ms);
            data.instant |= r.instant;
            width_px = r.width_px;
            match r.result {
                Ok((s, w)) => {
                    series.extend(s);
                    data.warnings.extend(w);
                }
                Err(e) => {
                    let msg = if multi {
                        format!("query {}: {e}", r.ref_id)
                    } else {
                        e
                    };
                    data.error.get_or_insert(msg);
                }
            }
        }
        if panel.kind == PanelKind::Table || !panel.transformations.is_empty() {
            // Tables and transformations read every point as returned, before decimation.
            data.total_series = series.len();
            data.points_received = series.iter().map(|s| s.points.len()).sum();
            series.retain(|s| s.shift_ms == 0);
            let reducer = panel.options.reducer;
            let frames = if panel.transformations.is_empty() {
                vec![frame::default_table(&series, reducer)]
            } else {
                let table_refs: Vec<&str> = panel
                    .targets
                    .iter()
                    .filter(|t| t.format_table)
                    .map(|t| t.ref_id.as_str())
                    .collect();
                let queries = panel.targets.iter().filter(|t| !t.hide).count();
                let input = frame::query_frames(&series, &table_refs, reducer, queries);
                let (frames, notes) = transform::apply(&panel.transformations, input);
                data.warnings.extend(notes);
                frames
            };
            if panel.kind == PanelKind::Table {
                data.content = frame::TableData::bounded(frames).map(PanelContent::Table);
                continue;
            }
            match frame::frames_to_series(&frames, panel.kind.draws_time()) {
                Ok(s) => series = s,
                Err(e) => {
                    data.error.get_or_insert(e);
                    continue;
                }
            }
        }
        if panel.kind == PanelKind::Histogram {
            // Counted from the points as read: decimation keeps extremes and would skew them.
            data.total_series = series.len();
            data.points_received = series.iter().map(|s| s.points.len()).sum();
            let current: Vec<SeriesData> = series.into_iter().filter(|s| s.shift_ms == 0).collect();
            let h = histogram::build(&current, &panel.options.histogram);
            data.warnings
                .extend(h.as_ref().and_then(|h| h.widened.clone()));
            data.content = h.map(PanelContent::Histogram);
            continue;
        }
        if compare_ms.is_some() {
            compare::mark_last(&mut series);
        }
        let shaped = shape(
            series,
            range.from_ms,
            range.to_ms,
            width_px,
            limits.max_series,
        );
        data.total_series = shaped.total;
        data.points_received = shaped.received;
        data.points_sent = shaped.series.iter().map(|s| s.points.len()).sum();
        data.series = shaped.series;
        data.others = shaped.others;
    }
    out
}
