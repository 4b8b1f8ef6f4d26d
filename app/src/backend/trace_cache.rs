//! Traces read once and kept laid out, so that scrolling, expanding and finding in a
//! 100,000-span trace cost a window cut, not another read and decode of tens of megabytes. One
//! read per trace however many ask at once (single flight); a failed read is not kept, so the next
//! request tries again. Bounded by spans held, least recently used out first.

use crate::model::trace_window::LaidTrace;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Frees traces on a thread of their own: a 100,000-span trace is millions of allocations, tens
/// of milliseconds to free, which the request that evicted it should not wait for.
fn drop_aside(entries: Vec<Entry>) {
    if !entries.is_empty() {
        std::thread::spawn(move || drop(entries));
    }
}

/// How long a trace serves before it is read again (spans still arriving show up by then).
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// Spans held over all cached traces: one fleet-size trace. A decoded span with its row costs
/// ~1.1 KB, so ~130 MB at most; the bench at 63e2007 held two 100,000-span traces (250,000 then)
/// and the server's RSS after its load run rose from 141 to 827 MB.
pub const DEFAULT_MAX_SPANS: usize = 120_000;

type Cell = Arc<tokio::sync::OnceCell<Arc<LaidTrace>>>;

struct Entry {
    key: (String, String),
    created: Instant,
    used: Instant,
    cell: Cell,
}

pub struct TraceCache {
    ttl: Duration,
    max_spans: usize,
    entries: Mutex<Vec<Entry>>,
}

impl Default for TraceCache {
    fn default() -> Self {
        Self::new(DEFAULT_TTL, DEFAULT_MAX_SPANS)
    }
}

impl std::fmt::Debug for TraceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCache")
            .field("ttl", &self.ttl)
            .field("max_spans", &self.max_spans)
            .finish_non_exhaustive()
    }
}

impl TraceCache {
    pub fn new(ttl: Duration, max_spans: usize) -> Self {
        Self {
            ttl,
            max_spans,
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The cell for (datasource, trace): the live one, else a new empty one. Drops expired
    /// entries.
    fn cell(&self, datasource: &str, trace_id: &str) -> Cell {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let (live, expired) = std::mem::take(&mut *entries)
            .into_iter()
            .partition(|e| now.duration_since(e.created) < self.ttl);
        *entries = live;
        drop_aside(expired);
        if let Some(e) = entries
            .iter_mut()
            .find(|e| e.key.0 == datasource && e.key.1 == trace_id)
        {
            e.used = now;
            return e.cell.clone();
        }
        let cell = Cell::default();
        entries.push(Entry {
            key: (datasource.to_string(), trace_id.to_string()),
            created: now,
            used: now,
            cell: cell.clone(),
        });
        cell
    }

    /// Past `max_spans`, drops the least recently used loaded traces other than `keep` (the one
    /// just read, which is kept even alone over the budget: the viewer is looking at it).
    fn trim(&self, keep: &Cell) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut evicted = Vec::new();
        let spans = |e: &Entry| e.cell.get().map_or(0, |t| t.spans());
        while entries.iter().map(spans).sum::<usize>() > self.max_spans {
            let oldest = (0..entries.len())
                .filter(|&i| entries[i].cell.initialized() && !Arc::ptr_eq(&entries[i].cell, keep))
                .min_by_key(|&i| entries[i].used);
            match oldest {
                Some(i) => evicted.push(entries.remove(i)),
                None => break,
            }
        }
        drop(entries);
        drop_aside(evicted);
    }

    /// The laid-out trace, read by `load` unless a live copy is held or a read is in flight.
    pub async fn get_or_load<E, F, Fut>(
        &self,
        datasource: &str,
        trace_id: &str,
        load: F,
    ) -> Result<Arc<LaidTrace>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<LaidTrace, E>>,
    {
        let cell = self.cell(datasource, trace_id);
        let laid = cell
            .get_or_try_init(|| async { load().await.map(Arc::new) })
            .await?
            .clone();
        self.trim(&cell);
        Ok(laid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::traces::{SpanView, TraceView};
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn trace(spans: usize) -> LaidTrace {
        LaidTrace::new(TraceView {
            trace_id: "t".into(),
            spans: (0..spans)
                .map(|i| SpanView {
                    span_id: format!("{i:x}"),
                    parent_id: (i > 0).then(|| "0".to_string()),
                    service: "svc".into(),
                    operation: "op".into(),
                    start_us: i as i64,
                    duration_us: 10,
                    error: false,
                    tags: vec![],
                    process_tags: Default::default(),
                    logs: vec![],
                    references: vec![],
                    warnings: vec![],
                })
                .collect(),
            warnings: vec![],
        })
    }

    #[tokio::test]
    async fn concurrent_viewers_share_one_read() {
        let cache = TraceCache::default();
        let reads = AtomicUsize::new(0);
        let load = || async {
            reads.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, String>(trace(3))
        };
        let (a, b, c) = tokio::join!(
            cache.get_or_load("jaeger", "t", load),
            cache.get_or_load("jaeger", "t", load),
            cache.get_or_load("jaeger", "t", load),
        );
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));
        assert_eq!(c.unwrap().spans(), 3);
        // Another datasource is another trace.
        cache.get_or_load("tempo", "t", load).await.unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_read_is_not_kept() {
        let cache = TraceCache::default();
        let failed = cache
            .get_or_load("jaeger", "t", || async { Err::<LaidTrace, _>("down") })
            .await;
        assert_eq!(failed.unwrap_err(), "down");
        let again = cache
            .get_or_load("jaeger", "t", || async { Ok::<_, &str>(trace(2)) })
            .await;
        assert_eq!(again.unwrap().spans(), 2);
    }

    /// The trace ids the cache holds, oldest first.
    fn held(cache: &TraceCache) -> Vec<String> {
        let entries = cache.entries.lock().unwrap();
        entries.iter().map(|e| e.key.1.clone()).collect()
    }

    #[tokio::test]
    async fn the_least_recently_used_trace_goes_past_the_span_budget() {
        let cache = TraceCache::new(DEFAULT_TTL, 10);
        let ok = |n| move || async move { Ok::<_, ()>(trace(n)) };
        cache.get_or_load("ds", "a", ok(6)).await.unwrap();
        cache.get_or_load("ds", "b", ok(6)).await.unwrap();
        cache.get_or_load("ds", "b", ok(6)).await.unwrap();
        // 12 > 10 spans once b is read: a goes; c fits beside b.
        cache.get_or_load("ds", "c", ok(2)).await.unwrap();
        assert_eq!(held(&cache), ["b", "c"]);
        // A trace larger than the whole budget is kept while it is the one being read.
        cache.get_or_load("ds", "huge", ok(50)).await.unwrap();
        assert_eq!(held(&cache), ["huge"]);
    }

    #[tokio::test]
    async fn expired_traces_are_read_again() {
        let cache = TraceCache::new(Duration::from_millis(20), DEFAULT_MAX_SPANS);
        let reads = AtomicUsize::new(0);
        let load = || async {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(trace(1))
        };
        cache.get_or_load("ds", "a", load).await.unwrap();
        cache.get_or_load("ds", "a", load).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
        cache.get_or_load("ds", "a", load).await.unwrap();
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }
}
