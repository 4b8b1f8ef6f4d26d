use crate::api::AppError;
use crate::model::dashboard::data::PanelData;
use leptos::prelude::*;

/// Queries the panels of a collapsed row when it is opened (they did not run on load).
#[server(endpoint = "load_row", input = leptos::server_fn::codec::Json)]
pub async fn load_row(
    uid: String,
    params: Vec<(String, String)>,
    row: u32,
) -> Result<Vec<PanelData>, AppError> {
    use crate::backend::panels::{resolve_variables, run_panels};
    use crate::model::dashboard::params;

    let backends = crate::api::backends()?;
    let entry = backends
        .dashboards
        .catalog()
        .by_uid(&uid)
        .ok_or_else(|| AppError::NotFound(format!("there is no dashboard with uid {uid:?}")))?;
    let d = entry.dashboard.as_ref();
    let row =
        d.panels.iter().find(|p| p.id == row).ok_or_else(|| {
            AppError::NotFound(format!("the dashboard has no row {row}; reload it"))
        })?;
    let p = params::parse(&params, d, crate::api::now_ms());
    let (_, scope) = resolve_variables(&backends, d, p.range, &p.vars).await;
    let panels: Vec<_> = row.children.iter().collect();
    Ok(run_panels(
        &backends,
        &panels,
        &scope,
        p.range,
        crate::contexts::GridWidth::remembered().px,
        false,
        backends.limits,
    )
    .await)
}

/// One panel's data as its dashboard draws it (`solo`: filling the page, as `/d-solo` and
/// `viewPanel`), for a chart whose points stayed on the server until it needed them. `params`
/// carry the absolute range the page was drawn for.
#[server(endpoint = "load_panel", input = leptos::server_fn::codec::Json)]
pub async fn load_panel(
    uid: String,
    params: Vec<(String, String)>,
    panel: u32,
    solo: bool,
) -> Result<PanelData, AppError> {
    use crate::backend::panels::{resolve_variables, run_panels};
    use crate::model::dashboard::params;

    let backends = crate::api::backends()?;
    let entry = backends
        .dashboards
        .catalog()
        .by_uid(&uid)
        .ok_or_else(|| AppError::NotFound(format!("there is no dashboard with uid {uid:?}")))?;
    let d = entry.dashboard.as_ref();
    let p = d.panel(panel).ok_or_else(|| {
        AppError::NotFound(format!("the dashboard has no panel {panel}; reload it"))
    })?;
    let range = params::parse(&params, d, crate::api::now_ms());
    let (_, scope) = resolve_variables(&backends, d, range.range, &range.vars).await;
    run_panels(
        &backends,
        &[p],
        &scope,
        range.range,
        crate::contexts::GridWidth::remembered().px,
        solo,
        backends.limits,
    )
    .await
    .pop()
    .ok_or_else(|| AppError::NotFound(format!("panel {panel} queries nothing")))
}
