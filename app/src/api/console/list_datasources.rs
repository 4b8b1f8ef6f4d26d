use crate::api::AppError;
use crate::model::datasource::DatasourceOverview;
use leptos::prelude::*;

/// The provisioned datasources (no secrets) and any provisioning problems.
#[server(endpoint = "list_datasources")]
pub async fn list_datasources() -> Result<DatasourceOverview, AppError> {
    Ok(crate::api::backends()?.registry.overview())
}
