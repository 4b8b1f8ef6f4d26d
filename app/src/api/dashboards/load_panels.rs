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
    use crate::model::dashboard::data::DEFAULT_PAGE_WIDTH_PX;
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
        DEFAULT_PAGE_WIDTH_PX,
        false,
        backends.limits,
    )
    .await)
}
