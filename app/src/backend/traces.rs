//! Whichever trace backend a datasource is: one interface over the Jaeger and Tempo clients, so
//! server functions never branch on the API dialect.

use super::jaeger::JaegerClient;
use super::registry::Datasource;
use super::tempo::TempoClient;
use crate::model::datasource::DatasourceKind;
use crate::model::traces::{TraceSearchParams, TraceView};
use crate::model::upstream::BackendError;
use crate::model::waterfall::TraceHit;

/// Largest trace answer read. A 100,000-span trace is ~43 MB of Jaeger JSON; it is decoded once
/// into the trace cache (the JSON tree while decoding costs several times its size, the kept
/// spans about its size) and only windows of it go to pages.
pub const MAX_TRACE_BYTES: u64 = 64 << 20;

pub enum TraceStore<'a> {
    Jaeger(JaegerClient<'a>),
    Tempo(TempoClient<'a>),
}

impl<'a> TraceStore<'a> {
    /// The client for `ds`; `None` when it is not a trace datasource.
    pub fn of(http: &'a reqwest::Client, ds: &'a Datasource) -> Option<Self> {
        match ds.kind {
            DatasourceKind::Jaeger => Some(TraceStore::Jaeger(JaegerClient { http, ds })),
            DatasourceKind::Tempo => Some(TraceStore::Tempo(TempoClient { http, ds })),
            _ => None,
        }
    }

    pub async fn services(&self) -> Result<Vec<String>, BackendError> {
        match self {
            TraceStore::Jaeger(c) => c.services().await,
            TraceStore::Tempo(c) => c.services().await,
        }
    }

    /// A service's operations (Jaeger); empty for Tempo, whose search has no operation filter.
    pub async fn operations(&self, service: &str) -> Result<Vec<String>, BackendError> {
        match self {
            TraceStore::Jaeger(c) => c.operations(service).await,
            TraceStore::Tempo(_) => Ok(Vec::new()),
        }
    }

    pub async fn search(&self, p: &TraceSearchParams) -> Result<Vec<TraceHit>, BackendError> {
        match self {
            TraceStore::Jaeger(c) => c.search(p).await,
            TraceStore::Tempo(c) => c.search(p).await,
        }
    }

    /// One trace by id (already normalised), or `None` when the backend does not know it.
    pub async fn trace(&self, id: &str) -> Result<Option<TraceView>, BackendError> {
        match self {
            TraceStore::Jaeger(c) => c.trace(id, MAX_TRACE_BYTES).await,
            TraceStore::Tempo(c) => c.trace(id, MAX_TRACE_BYTES).await,
        }
    }
}
