//! Server functions that read a trace datasource (Jaeger v1/v3 or Tempo, through
//! `backend::traces::TraceStore`): trace search and one trace.

use crate::api::AppError;
use crate::model::traces::{TraceQuery, TraceView};
use crate::model::waterfall::{Row, TraceHit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSearch {
    pub datasource_name: String,
    pub datasource_uid: String,
    pub services: Vec<String>,
    /// The chosen service's operations (Jaeger; empty when unknown: the field stays free text).
    pub operations: Vec<String>,
    pub hits: Vec<TraceHit>,
    /// Why the service list could not be read (the search may still work).
    pub services_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceDetail {
    pub datasource_name: String,
    pub trace: TraceView,
    pub rows: Vec<Row>,
    pub hit: TraceHit,
    /// The datasource's `tracesToLogsV2`, or the defaults.
    pub traces_to_logs: crate::model::datasource::correlations::TracesToLogs,
}

/// The trace datasource named by `uid`, else the default Jaeger, else the default Tempo.
#[cfg(feature = "ssr")]
fn trace_datasource(
    backends: &crate::backend::Backends,
    uid: Option<String>,
) -> Result<std::sync::Arc<crate::backend::Datasource>, AppError> {
    use crate::model::datasource::DatasourceKind;
    match uid.filter(|u| !u.is_empty()) {
        Some(uid) => backends
            .registry
            .by_uid(&uid)
            .filter(|d| matches!(d.kind, DatasourceKind::Jaeger | DatasourceKind::Tempo))
            .ok_or(AppError::UnknownDatasource { uid }),
        None => backends
            .registry
            .default_of(DatasourceKind::Jaeger)
            .or_else(|| backends.registry.default_of(DatasourceKind::Tempo))
            .ok_or(AppError::NoDatasource {
                kind: DatasourceKind::Jaeger,
            }),
    }
}

/// Searches traces by service, operation, tags, duration bounds and limit over `from`..`to`.
/// An empty `service` only lists the services.
#[server(endpoint = "search_traces", input = leptos::server_fn::codec::Json)]
pub async fn search_traces(query: TraceQuery) -> Result<TraceSearch, AppError> {
    use crate::backend::traces::TraceStore;
    use crate::model::upstream::BackendError;

    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, query.datasource.clone())?;
    let params = query
        .check(crate::api::now_ms())
        .map_err(AppError::BadRequest)?;
    let store = TraceStore::of(&backends.http, &ds).expect("trace_datasource picks trace kinds");
    // A service list the backend cannot give is said in place; a backend that is not there at
    // all fails the whole search.
    let (services, services_error) = match store.services().await {
        Ok(services) => (services, None),
        Err(
            e @ (BackendError::Status { .. }
            | BackendError::Decode { .. }
            | BackendError::Api { .. }),
        ) => (Vec::new(), Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let (operations, hits) = if params.service.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let (operations, hits) =
            futures::join!(store.operations(&params.service), store.search(&params));
        // Without operations the form keeps a free-text field.
        (operations.unwrap_or_default(), hits?)
    };
    Ok(TraceSearch {
        datasource_name: ds.name.clone(),
        datasource_uid: ds.uid.clone(),
        services,
        operations,
        hits,
        services_error,
    })
}

/// One trace by id, laid out as a waterfall. Not found → "trace not found in <datasource>" (404).
#[server(endpoint = "get_trace")]
pub async fn get_trace(
    trace_id: String,
    datasource: Option<String>,
) -> Result<TraceDetail, AppError> {
    use crate::backend::traces::{TraceStore, MAX_TRACE_BYTES};
    use crate::model::traces::normalize_trace_id;
    use crate::model::upstream::BackendError;
    use crate::model::waterfall::{layout, summarize};

    let id = normalize_trace_id(&trace_id).ok_or_else(|| AppError::BadRequest(format!(
        "{trace_id:?} is not a trace id; trace ids are hexadecimal (up to 32 characters) or at most 64 letters, digits, '-' and '_'"
    )))?;
    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, datasource)?;
    let store = TraceStore::of(&backends.http, &ds).expect("trace_datasource picks trace kinds");
    let trace = match store.trace(&id).await {
        Ok(Some(trace)) => trace,
        Ok(None) => return Err(AppError::NotFound(format!("trace {id} not found in {}", ds.name))),
        Err(BackendError::TooLarge { datasource, .. }) => {
            return Err(AppError::Upstream(format!(
                "trace {id} in {datasource} is larger than {} MB, more than this console opens at once (decoding costs ~30× its size in memory); open it in {datasource}'s own UI",
                MAX_TRACE_BYTES >> 20
            )))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(TraceDetail {
        datasource_name: ds.name.clone(),
        rows: layout(&trace),
        hit: summarize(&trace),
        trace,
        traces_to_logs: ds.correlations.traces_to_logs.clone().unwrap_or_default(),
    })
}
