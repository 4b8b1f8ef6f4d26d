use crate::api::AppError;
use crate::model::status::Pool;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetsView {
    pub datasource_name: String,
    pub pools: Vec<Pool>,
    /// Counts over every target, before the filters.
    pub up: usize,
    pub down: usize,
    /// Why the label filter could not be read (the list is then unfiltered).
    pub matcher_error: Option<String>,
}

/// Scrape targets of the default (or named) Prometheus, grouped by scrape pool, filtered by
/// `health` (up, down, unknown or empty) and label `matchers` (`job="arms", service=~"p.*"`).
#[server(endpoint = "list_targets")]
pub async fn list_targets(
    health: String,
    matchers: String,
    datasource: Option<String>,
) -> Result<TargetsView, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::matchers::parse_matchers;
    use crate::model::status::group_targets;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let data = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    }
    .targets()
    .await?
    .data;
    let (parsed, matcher_error) = if matchers.trim().is_empty() {
        (Vec::new(), None)
    } else {
        match parse_matchers(&matchers) {
            Ok(m) => (m, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        }
    };
    let up = data
        .active_targets
        .iter()
        .filter(|t| t.health == "up")
        .count();
    let down = data
        .active_targets
        .iter()
        .filter(|t| t.health == "down")
        .count();
    Ok(TargetsView {
        datasource_name: ds.name.clone(),
        pools: group_targets(data.active_targets, health.trim(), &parsed),
        up,
        down,
        matcher_error,
    })
}
