use crate::api::AppError;
use crate::model::dashboard::data::DashboardView;
use leptos::prelude::*;

/// Renders dashboard `uid` for the URL parameters `params` (from/to, time/time.window,
/// var-*, viewPanel): variables resolved, every panel outside collapsed rows queried
/// concurrently. `panel` limits the queries to one panel (`/d-solo`, `viewPanel`).
// JSON input: an empty `params` list would vanish from a form-encoded body.
#[server(endpoint = "load_dashboard", input = leptos::server_fn::codec::Json)]
pub async fn load_dashboard(
    uid: String,
    params: Vec<(String, String)>,
    panel: Option<u32>,
) -> Result<DashboardView, AppError> {
    use crate::backend::panels::resolve_variables;
    use crate::model::dashboard::data::panels_to_query;
    use crate::model::dashboard::params;

    let backends = crate::api::backends()?;
    let entry = backends.dashboards.catalog().by_uid(&uid).ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no dashboard with uid {uid:?}; search for it below or check the link"
        ))
    })?;
    let d = entry.dashboard.as_ref();
    let mut p = params::parse(&params, d, crate::api::now_ms());
    let (timezone, utc_offset_min) = match p.timezone.as_str() {
        "utc" | "browser" => (p.timezone.clone(), 0),
        name => match crate::backend::timezone::utc_offset_minutes(name, p.range.to_ms) {
            Ok(off) => (name.to_string(), off),
            Err(e) => {
                p.notices.push(format!("{e}; showing UTC"));
                ("utc".to_string(), 0)
            }
        },
    };
    let (variables, scope) = resolve_variables(&backends, d, p.range, &p.vars).await;
    let expanded = crate::model::dashboard::repeat::expand(d, &scope);
    let d: &crate::model::dashboard::Dashboard = &expanded;
    let only = panel.or(p.view_panel);
    let panels = panels_to_query(d, only);
    let grid = crate::contexts::remembered_grid();
    let started = std::time::Instant::now();
    let data = super::run_drawn(&backends, &panels, &scope, &p, grid, only.is_some()).await;
    tracing::debug!(
        dashboard = %d.uid,
        panels = data.len(),
        ms = started.elapsed().as_secs_f64() * 1e3,
        "panels run"
    );
    // "No data" often means the exporter is down: say so where the user looks.
    let mut pools_down = Vec::new();
    if data
        .iter()
        .any(|d| d.error.is_none() && !d.queries.is_empty() && d.series.is_empty())
    {
        pools_down = crate::backend::prometheus::pools_down(&backends).await;
    }
    Ok(DashboardView {
        pools_down,
        dashboard: d.clone(),
        folder: entry.summary.folder.clone(),
        slug: entry.summary.slug.clone(),
        from: p.from,
        to: p.to,
        from_ms: p.range.from_ms,
        to_ms: p.range.to_ms,
        variables,
        panels: data,
        notices: p.notices,
        timezone,
        utc_offset_min,
        grid,
        held_panels: Vec::new(),
    })
}
