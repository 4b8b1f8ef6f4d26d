use crate::api::AppError;
use crate::model::dashboard::compat::Finding;
use leptos::prelude::*;

/// The compatibility report of the provisioned dashboards (their files as they are on disk):
/// each file with what it has that is not rendered.
#[server(endpoint = "dashboard_compatibility")]
pub async fn dashboard_compatibility() -> Result<Vec<(String, Vec<Finding>)>, AppError> {
    let backends = crate::api::backends()?;
    let catalog = backends.dashboards.catalog();
    let mut files: Vec<std::path::PathBuf> = catalog
        .entries
        .iter()
        .map(|e| std::path::PathBuf::from(&e.summary.file))
        .collect();
    files.sort();
    files.dedup();
    Ok(crate::backend::dashboards::compatibility(&files))
}
