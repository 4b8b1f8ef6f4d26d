//! Reachability checks for `/api/health`: one cheap read per datasource kind.

use super::http::get_bytes;
use super::registry::Datasource;
use crate::model::datasource::DatasourceKind;
use crate::model::upstream::BackendError;
use std::time::Instant;

/// A read every backend of the kind answers cheaply when healthy.
pub fn probe_path(kind: DatasourceKind) -> &'static str {
    match kind {
        DatasourceKind::Prometheus => "api/v1/status/buildinfo",
        DatasourceKind::Alertmanager => "api/v2/status",
        DatasourceKind::Loki => "ready",
        DatasourceKind::Jaeger => "api/services",
        DatasourceKind::Tempo => "ready",
    }
}

/// Returns the round-trip in milliseconds, or why the datasource is not usable.
pub async fn probe(http: &reqwest::Client, ds: &Datasource) -> Result<u64, BackendError> {
    let started = Instant::now();
    let (status, body) = get_bytes(http, ds, probe_path(ds.kind), None).await?;
    if !(200..300).contains(&status) {
        return Err(BackendError::Status {
            datasource: ds.name.clone(),
            status,
            body: String::from_utf8_lossy(&body).chars().take(300).collect(),
        });
    }
    Ok(started.elapsed().as_millis() as u64)
}
