use crate::api::AppError;
use crate::model::routing::{AmConfig, RouteTest};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromPipeline {
    pub name: String,
    pub rule_files: Vec<String>,
    /// Alertmanagers Prometheus sends to (active) and those it dropped.
    pub alertmanagers: Vec<String>,
    pub dropped: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmPipeline {
    pub name: String,
    pub version: String,
    pub uptime: String,
    pub cluster_status: String,
    pub peers: Vec<String>,
    pub config: Option<AmConfig>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineView {
    pub prometheus: PromPipeline,
    pub alertmanagers: Vec<AmPipeline>,
    /// Label sets of alerts active now, to test with one click.
    pub live: Vec<String>,
    /// With labels: where the alert goes in each distinct routing tree (the instances of a
    /// cluster share theirs), or why it cannot be tested.
    pub test: Option<Result<Vec<RouteTest>, String>>,
}

/// The alert pipeline: Prometheus' rule files and Alertmanagers, each Alertmanager's cluster and
/// routing tree; with `labels`, where an alert with those labels would go.
#[server(endpoint = "alert_pipeline")]
pub async fn alert_pipeline(labels: String) -> Result<PipelineView, AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;
    use crate::model::links::matchers_text;
    use crate::model::routing::test_route;

    let backends = crate::api::backends()?;
    let prom = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, None)?;
    let prometheus = prom_pipeline(&PrometheusClient {
        http: &backends.http,
        ds: &prom,
    })
    .await;
    let mut alertmanagers = Vec::new();
    // Each distinct configuration (a cluster's instances share one) with the alerts and
    // silences of the first instance that has it: what the route tester reads.
    let mut tested: Vec<(Vec<String>, AmConfig, Vec<_>, Vec<_>)> = Vec::new();
    for ds in backends.registry.of_kind(DatasourceKind::Alertmanager) {
        let client = AlertmanagerClient::new(&backends.http, ds)?;
        let am = am_pipeline(&client, &ds.name).await;
        if let Some(config) = &am.config {
            match tested.iter_mut().find(|t| &t.1 == config) {
                Some(t) => t.0.push(ds.name.clone()),
                None => {
                    let firing: Vec<_> = match client.groups().await {
                        Ok(groups) => groups
                            .into_iter()
                            .flat_map(|g| g.alerts)
                            .map(|a| a.labels)
                            .collect(),
                        Err(_) => Vec::new(),
                    };
                    let silences = client.silences().await.unwrap_or_default();
                    tested.push((vec![ds.name.clone()], config.clone(), firing, silences));
                }
            }
        }
        alertmanagers.push(am);
    }
    let mut live: Vec<String> = Vec::new();
    for l in tested.iter().flat_map(|t| &t.2) {
        let text = matchers_text(l);
        if !live.contains(&text) {
            live.push(text);
        }
    }
    let test = (!labels.trim().is_empty()).then(|| {
        if tested.is_empty() {
            return Err(
                "no Alertmanager answered with its configuration; the route cannot be tested"
                    .into(),
            );
        }
        tested
            .iter()
            .map(|(names, config, firing, silences)| {
                test_route(&labels, &names.join(", "), config, firing, silences)
            })
            .collect::<Result<Vec<_>, String>>()
    });
    Ok(PipelineView {
        prometheus,
        alertmanagers,
        live,
        test,
    })
}

/// Prometheus' rule files and where it sends alerts; a failure is said in the card.
#[cfg(feature = "ssr")]
async fn prom_pipeline(client: &crate::backend::prometheus::PrometheusClient<'_>) -> PromPipeline {
    let mut prometheus = PromPipeline {
        name: client.ds.name.clone(),
        rule_files: Vec::new(),
        alertmanagers: Vec::new(),
        dropped: Vec::new(),
        error: None,
    };
    let (rules, discovery) = futures::join!(client.rules(false), client.alertmanagers());
    match rules {
        Ok(r) => {
            let mut files: Vec<String> = r.data.groups.into_iter().map(|g| g.file).collect();
            files.sort();
            files.dedup();
            prometheus.rule_files = files;
        }
        Err(e) => prometheus.error = Some(e.to_string()),
    }
    match discovery {
        Ok(a) => {
            let urls = |list: Vec<crate::model::status::AlertmanagerUrl>| {
                list.into_iter().map(|a| a.url).collect()
            };
            prometheus.alertmanagers = urls(a.data.active_alertmanagers);
            prometheus.dropped = urls(a.data.dropped_alertmanagers);
        }
        Err(e) => {
            prometheus.error.get_or_insert(e.to_string());
        }
    }
    prometheus
}

/// One Alertmanager's version, cluster and routing configuration; a failure is said in the card.
#[cfg(feature = "ssr")]
async fn am_pipeline(
    client: &crate::backend::alertmanager::AlertmanagerClient<'_>,
    name: &str,
) -> AmPipeline {
    use crate::model::routing::parse_config;
    let mut am = AmPipeline {
        name: name.to_string(),
        version: String::new(),
        uptime: String::new(),
        cluster_status: String::new(),
        peers: Vec::new(),
        config: None,
        error: None,
    };
    match client.status().await {
        Ok(status) => {
            am.version = status.version_info.version;
            am.uptime = status.uptime;
            am.cluster_status = status.cluster.status;
            am.peers = status
                .cluster
                .peers
                .into_iter()
                .map(|p| p.address)
                .collect();
            match serde_yaml::from_str::<serde_json::Value>(&status.config.original)
                .map_err(|e| format!("the configuration is not valid YAML: {e}"))
                .and_then(|y| parse_config(&y))
            {
                Ok(c) => am.config = Some(c),
                Err(e) => am.error = Some(e),
            }
        }
        Err(e) => am.error = Some(e.to_string()),
    }
    am
}
