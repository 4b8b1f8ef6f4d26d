//! What each Alertmanager reports (peers, alert groups, silences), read at most once per
//! `max_age` into a shared snapshot. Alertmanager's group API takes seconds at fleet size, so
//! concurrent viewers and refreshes share one read (single flight) instead of multiplying the
//! load, and, as karma does, a page is answered from the last read while the next one runs
//! (a snapshot past `max_age` but within `max_stale` is served at once and re-read behind it; the
//! page shows its age). A write (silence created or expired) drops the snapshot of that instance,
//! so its author waits for a fresh read and sees the change at once. A slow Alertmanager is read
//! less often ([`fresh_for`]): the console keeps it busy a tenth of the time at most.

use super::alertmanager::AlertmanagerClient;
use super::registry::Datasource;
use crate::model::alerting::{
    group_clusters, ClusterReport, InstanceReport, MergedGroup, SNAPSHOT_MAX_AGE_MS,
};
use crate::model::upstream::BackendError;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a read serves before the next request starts another.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_millis(SNAPSHOT_MAX_AGE_MS);
/// How old a snapshot may be and still answer while the next read runs; older, the viewer waits.
pub const DEFAULT_MAX_STALE: Duration = Duration::from_secs(60);
/// A read serves at least this many times as long as it took.
const COST_FACTOR: u32 = 10;

/// How long a read that took `took` serves: `max_age`, or ten times the read when that is
/// longer. At 10,000 alerts Alertmanager's group API takes ~4 s of its CPU; re-read every 5 s
/// it would do little else while anyone watches (and, on a shared machine, starve the viewer's
/// browser), so such a snapshot serves ~40 s, as the page says.
pub fn fresh_for(max_age: Duration, took: Duration) -> Duration {
    max_age.max(took * COST_FACTOR)
}

/// One instance's report as of `read_at_ms` (wall clock, for the page's "as of").
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub read_at_ms: i64,
    /// How long the read took.
    pub took: Duration,
    pub report: Result<InstanceReport, BackendError>,
}

/// One instance: its last read (when, at which generation), the generation, which a write bumps
/// so that a read started before the write no longer counts, and the single flight.
#[derive(Debug, Default)]
struct SlotState {
    generation: AtomicU64,
    last: Mutex<Option<(Instant, u64, Arc<Snapshot>)>>,
    reading: tokio::sync::Mutex<()>,
}

type Slot = Arc<SlotState>;

impl SlotState {
    /// The last read if it still counts (no write since), with its age.
    fn last(&self) -> Option<(Duration, Arc<Snapshot>)> {
        let generation = self.generation.load(Ordering::SeqCst);
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(_, seen, _)| *seen == generation)
            .map(|(at, _, snap)| (at.elapsed(), snap.clone()))
    }

    /// Reads `ds` now and keeps the answer (under the single flight's lock, held by the caller).
    async fn read_now(&self, http: &reqwest::Client, ds: &Datasource) -> Arc<Snapshot> {
        let generation = self.generation.load(Ordering::SeqCst);
        let (read_at_ms, started) = (crate::api::now_ms(), Instant::now());
        let report = read(http, ds).await;
        let snap = Arc::new(Snapshot {
            read_at_ms,
            took: started.elapsed(),
            report,
        });
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), generation, snap.clone()));
        snap
    }
}

/// The snapshots of every Alertmanager instance, keyed by datasource uid.
#[derive(Debug)]
pub struct AlertSnapshots {
    max_age: Duration,
    max_stale: Duration,
    slots: Mutex<HashMap<String, Slot>>,
    merged: Arc<Mutex<Option<MergedMemo>>>,
}

/// One cluster's alert groups, its instances' reports merged.
#[derive(Debug)]
pub struct MergedCluster {
    pub name: String,
    /// Datasource uids of the instances that answered, in provisioning order.
    pub uids: Vec<String>,
    pub groups: Vec<MergedGroup>,
}

/// The clusters merged from one set of snapshots: merging tens of thousands of alerts is done
/// once per read, not once per view. Holding the snapshots keeps their identity unambiguous.
#[derive(Debug)]
struct MergedMemo {
    of: Vec<Arc<Snapshot>>,
    clusters: Arc<Vec<MergedCluster>>,
}

impl Default for AlertSnapshots {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_AGE, DEFAULT_MAX_STALE)
    }
}

impl AlertSnapshots {
    pub fn new(max_age: Duration, max_stale: Duration) -> Self {
        Self {
            max_age,
            max_stale,
            slots: Mutex::new(HashMap::new()),
            merged: Arc::default(),
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

    /// `ds`'s report: the last read while younger than `max_age`; past it but within
    /// `max_stale`, the last read too, while one re-read runs behind it; otherwise (none yet,
    /// too old, a write since, or begun before `after_ms`: a write through another replica) a
    /// read now, shared with whoever else waits for it.
    pub async fn get(
        &self,
        http: &reqwest::Client,
        ds: &Datasource,
        after_ms: i64,
    ) -> Arc<Snapshot> {
        let slot = self.slot(&ds.uid);
        let max_age = self.max_age;
        let last = slot.last().filter(|(_, s)| s.read_at_ms >= after_ms);
        if let Some((age, snap)) = last {
            let fresh = fresh_for(max_age, snap.took);
            if age < fresh {
                return snap;
            }
            if age < self.max_stale.max(fresh * 2) {
                let (slot, http, ds) = (slot.clone(), http.clone(), ds.clone());
                tokio::spawn(async move {
                    // One re-read at a time; a viewer arriving meanwhile keeps the last one.
                    let Ok(_reading) = slot.reading.try_lock() else {
                        return;
                    };
                    if slot
                        .last()
                        .is_none_or(|(age, s)| age >= fresh_for(max_age, s.took))
                    {
                        slot.read_now(&http, &ds).await;
                    }
                });
                return snap;
            }
        }
        let _reading = slot.reading.lock().await;
        // Whoever held the lock may just have read.
        if let Some((age, snap)) = slot.last() {
            if age < fresh_for(max_age, snap.took) && snap.read_at_ms >= after_ms {
                return snap;
            }
        }
        slot.read_now(http, ds).await
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
    merged: Arc<Mutex<Option<MergedMemo>>>,
    /// (datasource name, why) for instances that did not answer.
    pub unreachable: Vec<(String, String)>,
    /// When the oldest snapshot used was read (ms): the page says how fresh it is.
    pub as_of_ms: i64,
    /// How often the slowest instance is re-read while viewed (ms; see [`fresh_for`]).
    pub reread_every_ms: u64,
}

impl Fleet {
    /// The instances that answered, grouped into gossip clusters.
    pub fn clusters(&self) -> Vec<ClusterReport<'_>> {
        group_clusters(self.snapshots.iter().filter_map(|s| s.report.as_ref().ok()))
    }

    /// Each cluster's groups merged, computed once for these snapshots and shared by every view
    /// of them (a viewer arriving while it is computed waits for it).
    pub fn merged(&self) -> Arc<Vec<MergedCluster>> {
        let mut memo = self.merged.lock().unwrap_or_else(|p| p.into_inner());
        let same = |m: &&MergedMemo| {
            m.of.len() == self.snapshots.len()
                && m.of
                    .iter()
                    .zip(&self.snapshots)
                    .all(|(a, b)| Arc::ptr_eq(a, b))
        };
        if let Some(m) = memo.as_ref().filter(same) {
            return m.clusters.clone();
        }
        let clusters = Arc::new(
            self.clusters()
                .into_iter()
                .map(|c| MergedCluster {
                    name: c.name(),
                    uids: c.uids(),
                    groups: c.merged(),
                })
                .collect(),
        );
        *memo = Some(MergedMemo {
            of: self.snapshots.clone(),
            clusters: Arc::clone(&clusters),
        });
        clusters
    }
}

/// Reads every provisioned Alertmanager (concurrently, through the snapshots), none read before
/// `after_ms` (when this user last wrote, [`crate::model::alerting::written_at`]). `None` when
/// no Alertmanager is provisioned.
pub async fn fleet(b: &super::Backends, after_ms: i64) -> Option<Fleet> {
    use crate::model::datasource::DatasourceKind;
    let instances: Vec<_> = b.registry.of_kind(DatasourceKind::Alertmanager).collect();
    if instances.is_empty() {
        return None;
    }
    // Concurrently: a dead instance costs one timeout, not one per instance before it.
    let snapshots = futures::future::join_all(
        instances
            .iter()
            .map(|ds| b.alert_snapshots.get(&b.http, ds, after_ms)),
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
    let max_age = b.alert_snapshots.max_age;
    let reread_every_ms = snapshots
        .iter()
        .map(|s| fresh_for(max_age, s.took).as_millis() as u64)
        .max()
        .unwrap_or(0);
    Some(Fleet {
        snapshots,
        merged: b.alert_snapshots.merged.clone(),
        unreachable,
        as_of_ms,
        reread_every_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_read_serves_max_age_and_a_slow_one_ten_times_its_own_time() {
        let age = Duration::from_secs(5);
        assert_eq!(fresh_for(age, Duration::from_millis(30)), age);
        assert_eq!(fresh_for(age, Duration::from_millis(500)), age);
        assert_eq!(
            fresh_for(age, Duration::from_millis(4_400)),
            Duration::from_secs(44)
        );
    }
}
