use crate::api::AppError;
use crate::model::silence::{DraftErrors, SilenceDraft};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SilenceOutcome {
    /// Created in the first chosen cluster (`id`, by `alertmanager`) and in `also` for every
    /// further cluster; clusters that refused are in `failed` with their reason.
    Created {
        id: String,
        alertmanager: String,
        also: Vec<(String, String)>,
        failed: Vec<(String, String)>,
    },
    /// The form needs fixing; nothing was sent.
    Invalid(DraftErrors),
}

/// Validates the draft, then sends it to each chosen cluster: `clusters` holds one entry per
/// cluster, the comma-separated datasource uids of its instances. Within a cluster the first
/// instance that accepts it is enough (gossip spreads it to the others).
#[server(endpoint = "create_silence")]
pub async fn create_silence(
    draft: SilenceDraft,
    clusters: Vec<String>,
) -> Result<SilenceOutcome, AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::model::alerting::AmMatcher;
    use crate::model::timestamp::rfc3339;

    let user = crate::api::require_editor()?;
    let now = crate::api::now_ms();
    let valid = match crate::model::silence::validate(&draft, now) {
        Ok(v) => v,
        Err(errors) => return Ok(SilenceOutcome::Invalid(errors)),
    };
    let backends = crate::api::backends()?;
    // A signed-in user is who created it; only the anonymous console takes the form's name.
    let created_by = if user.is_anonymous() {
        valid.created_by.clone()
    } else {
        user.name.clone()
    };
    let matchers: Vec<AmMatcher> = valid.matchers.iter().map(AmMatcher::from_matcher).collect();
    let mut created: Vec<(String, String)> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut last_error = None;
    for cluster in clusters.iter().filter(|c| !c.trim().is_empty()) {
        let mut done = false;
        let mut cluster_error = None;
        for uid in cluster.split(',').map(str::trim).filter(|u| !u.is_empty()) {
            let Some(ds) = backends.registry.by_uid(uid) else {
                continue;
            };
            let client = match AlertmanagerClient::new(&backends.http, &ds) {
                Ok(c) => c,
                Err(e) => {
                    cluster_error = Some(e);
                    continue;
                }
            };
            match client
                .post_silence(
                    None,
                    &matchers,
                    &rfc3339(valid.starts_ms),
                    &rfc3339(valid.ends_ms),
                    &created_by,
                    &valid.comment,
                )
                .await
            {
                Ok(id) => {
                    created.push((ds.name.clone(), id));
                    done = true;
                    break;
                }
                Err(e) => cluster_error = Some(e),
            }
        }
        if !done {
            if let Some(e) = cluster_error {
                failed.push((cluster.clone(), e.to_string()));
                last_error = Some(e);
            }
        }
    }
    // The author's next page shows the silence: the clusters written to are read again.
    for uid in clusters.iter().flat_map(|c| c.split(',')).map(str::trim) {
        backends.alert_snapshots.invalidate(uid);
    }
    if created.is_empty() {
        return Err(match last_error {
            Some(e) => e.into(),
            None => AppError::BadRequest(
                "choose at least one Alertmanager cluster to create the silence in".into(),
            ),
        });
    }
    // …and so do the other replicas, for this user (the write cookie).
    super::mark_written();
    let (alertmanager, id) = created.remove(0);
    Ok(SilenceOutcome::Created {
        id,
        alertmanager,
        also: created,
        failed,
    })
}
