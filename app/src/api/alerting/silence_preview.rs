//! The silence form's side panel: the clusters a silence can go to, and the current alerts the
//! draft's matchers match (counted over all, the first few shown).

use crate::api::AppError;
use crate::model::alerting::Labels;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Alerts listed in the preview at most; the count covers all.
pub const PREVIEW_ALERTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilencePreview {
    /// (cluster name, its instances' datasource uids).
    pub clusters: Vec<(String, Vec<String>)>,
    pub unreachable: Vec<(String, String)>,
    pub cannot_write: Option<String>,
    /// Distinct current alerts the matchers match, over every cluster.
    pub matched: usize,
    /// The first of them (at most [`PREVIEW_ALERTS`]).
    pub alerts: Vec<Labels>,
    /// Why the matchers cannot be read yet (then nothing is matched).
    pub matcher_error: Option<String>,
}

/// The clusters to choose from and what the draft `matchers` (one per line) match now.
#[server(endpoint = "preview_silence")]
pub async fn preview_silence(matchers: String) -> Result<SilencePreview, AppError> {
    use crate::backend::alert_snapshot::fleet;
    use crate::model::datasource::DatasourceKind;
    use crate::model::matchers::matches_all;

    let backends = crate::api::backends()?;
    let fleet = fleet(&backends, super::written_after())
        .await
        .ok_or(AppError::NoDatasource {
            kind: DatasourceKind::Alertmanager,
        })?;
    let (parsed, matcher_error) = match crate::model::silence::draft_matchers(&matchers) {
        Ok(m) => (m, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut seen = std::collections::HashSet::new();
    let mut matched = 0;
    let mut alerts = Vec::new();
    let clusters = fleet.clusters();
    for a in clusters.iter().flat_map(|c| c.alerts()) {
        if !parsed.is_empty() && matches_all(&parsed, &a.labels) && seen.insert(&a.fingerprint) {
            matched += 1;
            if alerts.len() < PREVIEW_ALERTS {
                alerts.push(a.labels.clone());
            }
        }
    }
    Ok(SilencePreview {
        clusters: clusters.iter().map(|c| (c.name(), c.uids())).collect(),
        unreachable: fleet.unreachable.clone(),
        cannot_write: crate::api::current_user().cannot_write(),
        matched,
        alerts,
        matcher_error,
    })
}
