use crate::api::AppError;
use leptos::prelude::*;

/// Expires a silence in its cluster (tries each instance until one accepts). Only Alertmanager
/// datasources are asked, and only with a valid silence id.
#[server(endpoint = "expire_silence")]
pub async fn expire_silence(id: String, instances: Vec<String>) -> Result<(), AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::model::alerting::SilenceId;

    crate::api::require_editor()?;
    let id = SilenceId::parse(&id).map_err(AppError::BadRequest)?;
    let backends = crate::api::backends()?;
    let mut last_error = None;
    for uid in &instances {
        let Some(ds) = backends.registry.by_uid(uid) else {
            continue;
        };
        let result = match AlertmanagerClient::new(&backends.http, &ds) {
            Ok(client) => client.expire_silence(&id).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                for uid in &instances {
                    backends.alert_snapshots.invalidate(uid);
                }
                super::mark_written();
                return Ok(());
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.map(AppError::from).unwrap_or_else(|| {
        AppError::NotFound(
            "no Alertmanager of that cluster is configured; reload the silences page".into(),
        )
    }))
}
