use crate::api::AppError;
use crate::model::dashboard::data::LoadedPanels;
#[cfg(feature = "ssr")]
use crate::model::dashboard::{data::PanelData, Dashboard, Panel};
use leptos::prelude::*;

/// Queries the panels of a collapsed row when it is opened (they did not run on load), with
/// their definitions: the page's hydration data carries only their places.
#[server(endpoint = "load_row", input = leptos::server_fn::codec::Json)]
pub async fn load_row(
    uid: String,
    params: Vec<(String, String)>,
    row: u32,
) -> Result<LoadedPanels, AppError> {
    let mut panels = Vec::new();
    let data = run_some(&uid, &params, false, |d| {
        let row = d.panels.iter().find(|p| p.id == row).ok_or_else(|| {
            AppError::NotFound(format!("the dashboard has no row {row}; reload it"))
        })?;
        panels = row.children.clone();
        Ok(row.children.iter().collect())
    })
    .await?;
    Ok(LoadedPanels { panels, data })
}

/// One panel with its definition and data as its dashboard draws it (`solo`: filling the page,
/// as `/d-solo` and `viewPanel`), for a chart the first page had as the server's drawing, when
/// it wakes (`components::panel::live`). `params` carry the absolute range the page was drawn
/// for, so the chart shows the points it was drawn from.
#[server(endpoint = "load_panel", input = leptos::server_fn::codec::Json)]
pub async fn load_panel(
    uid: String,
    params: Vec<(String, String)>,
    panel: u32,
    solo: bool,
) -> Result<LoadedPanels, AppError> {
    let mut panels = Vec::new();
    let data = run_some(&uid, &params, solo, |d| {
        let p = d.panel(panel).ok_or_else(|| {
            AppError::NotFound(format!("the dashboard has no panel {panel}; reload it"))
        })?;
        panels.push(p.clone());
        Ok(vec![p])
    })
    .await?;
    if data.is_empty() {
        return Err(AppError::NotFound(format!("panel {panel} queries nothing")));
    }
    Ok(LoadedPanels { panels, data })
}

/// Runs the panels `pick` chooses from dashboard `uid`, with its variables resolved for
/// `params`, on the grid this browser remembered, and draws the bodies the browser does not.
#[cfg(feature = "ssr")]
async fn run_some(
    uid: &str,
    params: &[(String, String)],
    solo: bool,
    pick: impl for<'d> FnOnce(&'d Dashboard) -> Result<Vec<&'d Panel>, AppError>,
) -> Result<Vec<PanelData>, AppError> {
    use crate::backend::panels::resolve_variables;
    use crate::model::dashboard::params;

    let backends = crate::api::backends()?;
    let entry = backends
        .dashboards
        .catalog()
        .by_uid(uid)
        .ok_or_else(|| AppError::NotFound(format!("there is no dashboard with uid {uid:?}")))?;
    let d = entry.dashboard.as_ref();
    let p = params::parse(params, d, crate::api::now_ms());
    let (_, scope) = resolve_variables(&backends, d, p.range, &p.vars).await;
    // Repeats are expanded as the page drew them, so a copy's id finds that copy.
    let d = crate::model::dashboard::repeat::expand(d, &scope);
    let panels = pick(d.as_ref())?;
    let grid = crate::contexts::remembered_grid();
    Ok(run_drawn(&backends, &panels, &scope, &p, grid, solo).await)
}

/// Runs `panels` for the parsed URL `p` on `grid` (`solo`: filling the page), and draws the
/// bodies the browser does not draw (`components::panel::draw_bodies`).
#[cfg(feature = "ssr")]
pub(super) async fn run_drawn(
    backends: &crate::backend::Backends,
    panels: &[&Panel],
    scope: &crate::model::dashboard::vars::Scope,
    p: &crate::model::dashboard::params::DashParams,
    grid: crate::model::dashboard::data::GridWidth,
    solo: bool,
) -> Vec<PanelData> {
    use crate::backend::panels::{run_panels, RunOptions};
    let options = RunOptions {
        range: p.range,
        compare_ms: p.compare_ms,
        page_width_px: grid.px,
        solo,
        limits: backends.limits,
    };
    let mut data = run_panels(backends, panels, scope, options).await;
    crate::components::panel::draw_bodies(
        panels,
        &mut data,
        (p.range.from_ms, p.range.to_ms),
        &crate::model::links::Hop::range(&p.from, &p.to),
        solo,
        grid,
    );
    data
}
