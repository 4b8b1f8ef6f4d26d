use crate::api::AppError;
use crate::model::alerting::{MergedGroup, Silence};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One Alertmanager cluster (instances that gossip with each other), merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    pub name: String,
    /// Datasource uids of the instances that answered, in provisioning order.
    pub instances: Vec<String>,
    pub groups: Vec<MergedGroup>,
    pub silences: Vec<Silence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertingOverview {
    pub clusters: Vec<ClusterView>,
    /// (datasource name, why) for instances that did not answer.
    pub unreachable: Vec<(String, String)>,
    /// Server time of the answer (ages render identically in SSR and hydration).
    pub now_ms: i64,
    /// May this user create and expire silences, and if not, why.
    pub cannot_write: Option<String>,
}

/// Alert groups and silences from every provisioned Alertmanager. Instances of one cluster are
/// merged (alerts de-duplicated by fingerprint); separate clusters stay apart.
#[server(endpoint = "list_alert_groups")]
pub async fn list_alert_groups() -> Result<AlertingOverview, AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::model::alerting::{group_clusters, merge_cluster, ClusterReport, InstanceReport};
    use crate::model::datasource::DatasourceKind;

    let backends = crate::api::backends()?;
    let instances: Vec<_> = backends
        .registry
        .of_kind(DatasourceKind::Alertmanager)
        .cloned()
        .collect();
    if instances.is_empty() {
        return Err(AppError::NoDatasource {
            kind: DatasourceKind::Alertmanager,
        });
    }
    let fetches = instances.iter().map(|ds| {
        let http = backends.http.clone();
        async move {
            let client = AlertmanagerClient::new(&http, ds)?;
            Ok::<_, crate::model::upstream::BackendError>(InstanceReport {
                name: ds.name.clone(),
                uid: ds.uid.clone(),
                peers: client.cluster_peers().await?,
                groups: client.groups().await?,
                silences: client.silences().await?,
            })
        }
    });
    // Concurrently: a dead instance costs one timeout, not one per instance before it.
    let mut reports = Vec::new();
    let mut unreachable = Vec::new();
    for (ds, result) in instances
        .iter()
        .zip(futures::future::join_all(fetches).await)
    {
        match result {
            Ok(report) => reports.push(report),
            Err(e) => unreachable.push((ds.name.clone(), e.to_string())),
        }
    }
    let index = backends.dashboards.catalog().index();
    let external_urls: Vec<String> = backends
        .registry
        .of_kind(DatasourceKind::Prometheus)
        .filter_map(|d| d.json_data.get("octoscopeExternalUrl"))
        .filter(|u| !u.is_empty())
        .cloned()
        .collect();
    let now_ms = crate::api::now_ms();
    let clusters = group_clusters(reports)
        .into_iter()
        .map(
            |ClusterReport {
                 reported,
                 uids,
                 silences,
             }| {
                let name = reported
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(" + ");
                let mut groups = merge_cluster(&name, &reported);
                for a in groups.iter_mut().flat_map(|g| g.alerts.iter_mut()) {
                    add_links(a, &index, &external_urls, now_ms);
                }
                ClusterView {
                    groups,
                    name,
                    instances: uids,
                    silences,
                }
            },
        )
        .collect();
    Ok(AlertingOverview {
        clusters,
        unreachable,
        now_ms,
        cannot_write: crate::api::current_user().cannot_write(),
    })
}

/// An alert's onward links: the dashboard for it over its window, and its Prometheus graph when
/// that Prometheus is reachable by the user (`jsonData.octoscopeExternalUrl`).
#[cfg(feature = "ssr")]
fn add_links(
    a: &mut crate::model::alerting::MergedAlert,
    index: &[crate::model::links::alerts::DashboardIndex],
    external_urls: &[String],
    now_ms: i64,
) {
    use crate::model::links::alerts::{dashboard_for, expr_from_generator_url};
    let expr = expr_from_generator_url(&a.alert.generator_url);
    let (starts, ends) = a.window(now_ms);
    a.dashboard = dashboard_for(&a.alert.annotations, expr.as_deref(), index)
        .map(|d| d.link(&a.alert.labels, starts, ends));
    a.prometheus_url = external_urls
        .iter()
        .any(|u| a.alert.generator_url.starts_with(u.as_str()))
        .then(|| a.alert.generator_url.clone());
}
