//! Server-only side of the app: provisioned datasources and the HTTP clients that reach them.
//! Compiled only with the `ssr` feature; server functions and the axum server share it.

pub mod alert_snapshot;
pub mod alertmanager;
pub mod coalesce;
pub mod dashboards;
pub mod guard;
pub mod health;
pub mod http;
pub mod jaeger;
pub mod loki;
pub mod panels;
pub mod playlists;
pub mod prometheus;
pub mod provisioning;
pub mod registry;
pub mod slo;
pub mod tempo;
pub mod timezone;
pub mod timing;
pub mod trace_cache;
pub mod traces;

pub use registry::{Datasource, DatasourceRegistry};

use std::sync::Arc;

/// Everything a server function needs to reach the backends; provided as Leptos context.
#[derive(Clone)]
pub struct Backends {
    pub registry: Arc<DatasourceRegistry>,
    pub http: reqwest::Client,
    pub dashboards: Arc<dashboards::DashboardStore>,
    pub limits: panels::Limits,
    /// `<provisioning>/slos`, read on every SLO request.
    pub slo_dir: Option<std::path::PathBuf>,
    /// `<provisioning>/playlists`, read on every playlist request.
    pub playlist_dir: Option<std::path::PathBuf>,
    /// What each Alertmanager reported, shared by every viewer for a few seconds.
    pub alert_snapshots: Arc<alert_snapshot::AlertSnapshots>,
    /// Traces laid out once and read a window at a time.
    pub traces: Arc<trace_cache::TraceCache>,
}

impl Backends {
    pub fn new(registry: DatasourceRegistry) -> Self {
        Self {
            registry: Arc::new(registry),
            http: http::client(),
            dashboards: Arc::new(dashboards::DashboardStore::empty()),
            limits: panels::Limits::default(),
            slo_dir: None,
            playlist_dir: None,
            alert_snapshots: Arc::new(alert_snapshot::AlertSnapshots::default()),
            traces: Arc::new(trace_cache::TraceCache::default()),
        }
    }

    pub fn with_dashboards(
        mut self,
        store: dashboards::DashboardStore,
        limits: panels::Limits,
    ) -> Self {
        self.dashboards = Arc::new(store);
        self.limits = limits;
        self
    }

    pub fn with_slos(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.slo_dir = dir;
        self
    }

    pub fn with_playlists(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.playlist_dir = dir;
        self
    }

    /// The playlists of `<provisioning>/playlists` as they are on disk now (none without one).
    pub fn playlists(&self) -> Vec<crate::model::playlist::Entry> {
        self.playlist_dir
            .as_deref()
            .map(playlists::load_dir)
            .unwrap_or_default()
    }

    /// The SLOs of `<provisioning>/slos` as they are on disk now (none without a folder).
    pub fn slos(&self) -> Vec<crate::model::slo::SloEntry> {
        self.slo_dir
            .as_deref()
            .map(slo::load_dir)
            .unwrap_or_default()
    }
}
