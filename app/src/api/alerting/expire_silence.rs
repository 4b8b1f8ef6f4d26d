use crate::api::AppError;
use leptos::prelude::*;

/// Expires a silence in its cluster (tries each instance until one accepts).
#[server(endpoint = "expire_silence")]
pub async fn expire_silence(id: String, instances: Vec<String>) -> Result<(), AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;

    crate::api::require_editor()?;
    let backends = crate::api::backends()?;
    let mut last_error = None;
    for uid in &instances {
        let Some(ds) = backends.registry.by_uid(uid) else {
            continue;
        };
        match (AlertmanagerClient {
            http: &backends.http,
            ds: &ds,
        })
        .expire_silence(&id)
        .await
        {
            Ok(()) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.map(AppError::from).unwrap_or_else(|| {
        AppError::BadRequest("no Alertmanager of that cluster is configured".into())
    }))
}
