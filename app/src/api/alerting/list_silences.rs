//! The silences page's data: every cluster's silences searched, counted and paged on the server,
//! each with how many current alerts it mutes.

use crate::api::AppError;
use crate::model::alerting::board::SilencesPage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page's URL state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SilencesQuery {
    /// Text in a silence's matchers, author, comment or id (any case).
    pub search: String,
    /// `active`, `pending`, `expired`, or empty for all.
    pub state: String,
    /// From 0.
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterSilences {
    pub name: String,
    /// Datasource uids of the instances that answered (an expiry goes to the first that accepts).
    pub instances: Vec<String>,
    pub page: SilencesPage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilencesBoard {
    pub clusters: Vec<ClusterSilences>,
    pub unreachable: Vec<(String, String)>,
    pub now_ms: i64,
    pub as_of_ms: i64,
    /// How often the Alertmanagers are re-read while viewed (ms).
    pub reread_every_ms: u64,
    pub cannot_write: Option<String>,
}

/// Silences of every Alertmanager cluster matching `search` and `state`, a page at a time.
#[server(endpoint = "list_silences", input = leptos::server_fn::codec::Json)]
pub async fn list_silences(query: SilencesQuery) -> Result<SilencesBoard, AppError> {
    use crate::backend::alert_snapshot::fleet;
    use crate::components::alerting_rows::draw_silence_rows;
    use crate::model::alerting::board::{mutes, silences_page};
    use crate::model::datasource::DatasourceKind;

    let backends = crate::api::backends()?;
    let fleet = fleet(&backends, super::written_after())
        .await
        .ok_or(AppError::NoDatasource {
            kind: DatasourceKind::Alertmanager,
        })?;
    let now_ms = crate::api::now_ms();
    let cannot_write = crate::api::current_user().cannot_write();
    let clusters = fleet
        .clusters()
        .into_iter()
        .map(|c| {
            let mut page = silences_page(
                c.silences(),
                &mutes(c.alerts()),
                &query.search,
                &query.state,
                query.page as usize,
            );
            page.table =
                draw_silence_rows(page.rows.clone(), now_ms, c.uids(), cannot_write.clone());
            ClusterSilences {
                name: c.name(),
                instances: c.uids(),
                page,
            }
        })
        .collect();
    Ok(SilencesBoard {
        clusters,
        unreachable: fleet.unreachable,
        now_ms,
        as_of_ms: fleet.as_of_ms,
        reread_every_ms: fleet.reread_every_ms,
        cannot_write,
    })
}
