//! What each Alertmanager reports (peers, alert groups, silences), read at most once per
//! `max_age` into a shared snapshot. Alertmanager's group API takes seconds at fleet size, so
//! concurrent viewers and refreshes share one read (single flight: whoever comes while a read is
//! in flight waits for it) instead of multiplying the load. A write (silence created or expired)
//! drops the snapshot of that instance, so its author sees the change at once.

use super::alertmanager::AlertmanagerClient;
use super::registry::Datasource;
use crate::model::alerting::{group_clusters, ClusterReport, InstanceReport};
use crate::model::upstream::BackendError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a read serves before the next request reads again.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

/// One instance's report as of `read_at_ms` (wall clock, for the page's "as of").
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub read_at_ms: i64,
    pub report: Result<InstanceReport, BackendError>,
}

/// One instance: its last read (when, at which generation) and the generation, which a write
/// bumps so that a read started before the write no longer counts.
#[derive(Debug, Default)]
struct SlotState {
    generation: AtomicU64,
    last: tokio::sync::Mutex<Option<(Instant, u64, Arc<Snapshot>)>>,
}

type Slot = Arc<SlotState>;

/// The snapshots of every Alertmanager instance, keyed by datasource uid.
#[derive(Debug)]
pub struct AlertSnapshots {
    max_age: Duration,
    slots: Mutex<HashMap<String, Slot>>,
}

impl Default for AlertSnapshots {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_AGE)
    }
}

impl AlertSnapshots {
    pub fn new(max_age: Duration) -> Self {
        Self {
            max_age,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, uid: &str) -> Slot {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(uid.to_string())
            .or_default()
            .clone()
    }

    /// `ds`'s report, read now only if the last one is older than `max_age` or predates a write.
    /// Holding the slot's lock across the read is the single flight.
    pub async fn get(&self, http: &reqwest::Client, ds: &Datasource) -> Arc<Snapshot> {
        let slot = self.slot(&ds.uid);
        let mut last = slot.last.lock().await;
        let generation = slot.generation.load(Ordering::SeqCst);
        if let Some((at, seen, snap)) = last.as_ref() {
            if at.elapsed() < self.max_age && *seen == generation {
                return snap.clone();
            }
        }
        let snap = Arc::new(Snapshot {
            read_at_ms: crate::api::now_ms(),
            report: read(http, ds).await,
        });
        *last = Some((Instant::now(), generation, snap.clone()));
        snap
    }

    /// Makes the next request read `uid` again (after a write to it).
    pub fn invalidate(&self, uid: &str) {
        self.slot(uid).generation.fetch_add(1, Ordering::SeqCst);
    }
}

async fn read(http: &reqwest::Client, ds: &Datasource) -> Result<InstanceReport, BackendError> {
    let client = AlertmanagerClient::new(http, ds)?;
    let (peers, groups, silences) =
        futures::join!(client.cluster_peers(), client.groups(), client.silences());
    Ok(InstanceReport {
        name: ds.name.clone(),
        uid: ds.uid.clone(),
        peers: peers?,
        groups: groups?,
        silences: silences?,
    })
}

/// Every Alertmanager instance's snapshot, shared, not copied: a request reads them in place.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    snapshots: Vec<Arc<Snapshot>>,
    /// (datasource name, why) for instances that did not answer.
    pub unreachable: Vec<(String, String)>,
    /// When the oldest snapshot used was read (ms): the page says how fresh it is.
    pub as_of_ms: i64,
}

impl Fleet {
    /// The instances that answered, grouped into gossip clusters.
    pub fn clusters(&self) -> Vec<ClusterReport<'_>> {
        group_clusters(self.snapshots.iter().filter_map(|s| s.report.as_ref().ok()))
    }
}

/// Reads every provisioned Alertmanager (concurrently, through the snapshots). `None` when no
/// Alertmanager is provisioned.
pub async fn fleet(b: &super::Backends) -> Option<Fleet> {
    use crate::model::datasource::DatasourceKind;
    let instances: Vec<_> = b.registry.of_kind(DatasourceKind::Alertmanager).collect();
    if instances.is_empty() {
        return None;
    }
    // Concurrently: a dead instance costs one timeout, not one per instance before it.
    let snapshots = futures::future::join_all(
        instances
            .iter()
            .map(|ds| b.alert_snapshots.get(&b.http, ds)),
    )
    .await;
    let unreachable = instances
        .iter()
        .zip(&snapshots)
        .filter_map(|(ds, snap)| {
            snap.report
                .as_ref()
                .err()
                .map(|e| (ds.name.clone(), e.to_string()))
        })
        .collect();
    let as_of_ms = snapshots.iter().map(|s| s.read_at_ms).min().unwrap_or(0);
    Some(Fleet {
        snapshots,
        unreachable,
        as_of_ms,
    })
}
