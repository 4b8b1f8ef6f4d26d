//! The alert groups page's data: every Alertmanager cluster merged, filtered, grouped and paged
//! on the server, so the page carries one screen of groups whatever the fleet holds.

use crate::api::AppError;
use crate::model::alerting::board::GroupsPage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page's URL state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupsQuery {
    /// Label matchers (`severity="critical", service=~"orch.*"`).
    pub filter: String,
    /// A label to group by instead of the routes' grouping.
    pub group_by: String,
    /// Page of groups (from 0), or of the chosen group's alerts.
    pub page: u32,
    /// One group's id: that group alone, all its alerts paged.
    pub group: String,
}

/// One Alertmanager cluster (instances that gossip with each other), merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterGroups {
    pub name: String,
    /// Datasource uids of the instances that answered, in provisioning order.
    pub instances: Vec<String>,
    pub page: GroupsPage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupsBoard {
    pub clusters: Vec<ClusterGroups>,
    /// (datasource name, why) for instances that did not answer.
    pub unreachable: Vec<(String, String)>,
    /// Server time of the answer (ages render identically in SSR and hydration).
    pub now_ms: i64,
    /// When the Alertmanagers were read (the snapshot shared by every viewer).
    pub as_of_ms: i64,
    /// How often the Alertmanagers are re-read while viewed (ms).
    pub reread_every_ms: u64,
    /// Why the filter could not be read (the groups are then unfiltered).
    pub filter_error: Option<String>,
    /// May this user create and expire silences, and if not, why.
    pub cannot_write: Option<String>,
}

/// Alert groups from every provisioned Alertmanager, a page at a time: instances of one cluster
/// are merged (alerts de-duplicated by fingerprint), filtered by `filter`, regrouped by
/// `group_by`, in triage order; counts are over every alert that matched.
#[server(endpoint = "alert_groups", input = leptos::server_fn::codec::Json)]
pub async fn alert_groups(query: GroupsQuery) -> Result<GroupsBoard, AppError> {
    use crate::backend::alert_snapshot::fleet;
    use crate::components::alerting_rows::draw_alert_rows;
    use crate::model::alerting::board::groups_page;
    use crate::model::datasource::DatasourceKind;
    use crate::model::matchers::parse_matchers;

    let backends = crate::api::backends()?;
    let fleet = fleet(&backends, super::written_after())
        .await
        .ok_or(AppError::NoDatasource {
            kind: DatasourceKind::Alertmanager,
        })?;
    let (matchers, filter_error) = match parse_matchers(&query.filter) {
        Ok(m) => (m, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let only = Some(query.group.as_str()).filter(|g| !g.is_empty());
    let links = AlertLinks::of(&backends);
    let clusters = fleet
        .merged()
        .iter()
        .map(|c| {
            let mut page = groups_page(
                &c.groups,
                &matchers,
                &query.group_by,
                query.page as usize,
                only,
            );
            for g in &mut page.groups {
                g.alerts.iter_mut().for_each(|a| links.add(a));
                g.rows = draw_alert_rows(g.alerts.clone(), links.now_ms, c.uids.clone());
            }
            ClusterGroups {
                name: c.name.clone(),
                instances: c.uids.clone(),
                page,
            }
        })
        .collect();
    Ok(GroupsBoard {
        clusters,
        unreachable: fleet.unreachable,
        now_ms: links.now_ms,
        as_of_ms: fleet.as_of_ms,
        reread_every_ms: fleet.reread_every_ms,
        filter_error,
        cannot_write: crate::api::current_user().cannot_write(),
    })
}

/// What an alert's onward links need: the dashboards' index and the Prometheus URLs a browser
/// reaches (`jsonData.octoscopeExternalUrl`).
#[cfg(feature = "ssr")]
pub(crate) struct AlertLinks {
    index: Vec<crate::model::links::alerts::DashboardIndex>,
    external_urls: Vec<String>,
    now_ms: i64,
}

#[cfg(feature = "ssr")]
impl AlertLinks {
    pub(crate) fn of(backends: &crate::backend::Backends) -> Self {
        use crate::model::datasource::DatasourceKind;
        AlertLinks {
            index: backends.dashboards.catalog().index(),
            external_urls: backends
                .registry
                .of_kind(DatasourceKind::Prometheus)
                .filter_map(|d| d.json_data.get("octoscopeExternalUrl"))
                .filter(|u| !u.is_empty())
                .cloned()
                .collect(),
            now_ms: crate::api::now_ms(),
        }
    }

    /// The dashboard for the alert over its window, and its Prometheus graph when reachable.
    pub(crate) fn add(&self, a: &mut crate::model::alerting::MergedAlert) {
        use crate::model::links::alerts::{dashboard_for, expr_from_generator_url};
        let expr = expr_from_generator_url(&a.alert.generator_url);
        let (starts, ends) = a.window(self.now_ms);
        a.dashboard = dashboard_for(&a.alert.annotations, expr.as_deref(), &self.index)
            .map(|d| d.link(&a.alert.labels, starts, ends));
        a.prometheus_url = self
            .external_urls
            .iter()
            .any(|u| a.alert.generator_url.starts_with(u.as_str()))
            .then(|| a.alert.generator_url.clone());
    }
}
