use crate::api::AppError;
use crate::model::silence::{DraftErrors, SilenceDraft};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SilenceOutcome {
    Created {
        id: String,
        alertmanager: String,
    },
    /// The form needs fixing; nothing was sent.
    Invalid(DraftErrors),
}

/// Validates the draft, then sends it to the first Alertmanager of the cluster (given by one of
/// its datasource uids) that accepts it; gossip spreads it to the others.
#[server(endpoint = "create_silence")]
pub async fn create_silence(
    draft: SilenceDraft,
    instances: Vec<String>,
) -> Result<SilenceOutcome, AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::model::alerting::AmMatcher;
    use crate::model::timestamp::rfc3339;

    crate::api::require_editor()?;
    let now = crate::api::now_ms();
    let valid = match crate::model::silence::validate(&draft, now) {
        Ok(v) => v,
        Err(errors) => return Ok(SilenceOutcome::Invalid(errors)),
    };
    let backends = crate::api::backends()?;
    let matchers: Vec<AmMatcher> = valid.matchers.iter().map(AmMatcher::from_matcher).collect();
    let mut last_error = None;
    for uid in &instances {
        let Some(ds) = backends.registry.by_uid(uid) else {
            continue;
        };
        let client = AlertmanagerClient {
            http: &backends.http,
            ds: &ds,
        };
        match client
            .post_silence(
                None,
                &matchers,
                &rfc3339(valid.starts_ms),
                &rfc3339(valid.ends_ms),
                &valid.created_by,
                &valid.comment,
            )
            .await
        {
            Ok(id) => {
                return Ok(SilenceOutcome::Created {
                    id,
                    alertmanager: ds.name.clone(),
                })
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(match last_error {
        Some(e) => e.into(),
        None => {
            AppError::BadRequest("choose an Alertmanager cluster to create the silence in".into())
        }
    })
}
