use crate::api::AppError;
use crate::model::alerting::RuleGroup;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesOverview {
    pub datasource_name: String,
    pub groups: Vec<RuleGroup>,
    pub warnings: Vec<String>,
    /// Server time of the answer, so ages render the same on the server and in the browser.
    pub now_ms: i64,
    /// Alert rule name → the dashboard to open for it (annotation, or one reading its metrics).
    pub dashboards: std::collections::BTreeMap<String, String>,
}

/// Every rule group of the default (or named) Prometheus, with rule states and active alerts.
#[server(endpoint = "list_rules")]
pub async fn list_rules(datasource: Option<String>) -> Result<RulesOverview, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let answer = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    }
    .rules(true)
    .await?;
    let index = backends.dashboards.catalog().index();
    let mut dashboards = std::collections::BTreeMap::new();
    for rule in answer.data.groups.iter().flat_map(|g| g.rules.iter()) {
        if let crate::model::alerting::Rule::Alerting(a) = rule {
            if let Some(url) =
                crate::model::links::alerts::dashboard_for(&a.annotations, Some(&a.query), &index)
            {
                dashboards.insert(a.name.clone(), url.link(&a.labels, None, None));
            }
        }
    }
    Ok(RulesOverview {
        dashboards,
        datasource_name: ds.name.clone(),
        groups: answer.data.groups,
        warnings: answer.warnings,
        now_ms: crate::api::now_ms(),
    })
}
