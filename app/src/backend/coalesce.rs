//! Identical reads of one datasource in flight are sent once and their answer shared, and a
//! successful answer is kept a few seconds (bounded in bytes) for whoever asks just after: fifty
//! people opening the same dashboard at the start of an incident cost the backend one read per
//! panel query. Keyed by path and query string; a panel's range is step-aligned at both ends, so
//! everyone within one step asks exactly the same thing.

use futures::future::{BoxFuture, FutureExt, Shared};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::upstream::BackendError;

/// A read's status and body, shared by everyone who asked for it.
pub type Read = Result<(u16, Arc<Vec<u8>>), BackendError>;

/// How long an answer is served again.
pub const KEEP_FOR: Duration = Duration::from_secs(5);
/// Bytes of answers kept per datasource; an answer over a quarter of it is never kept (it would
/// evict everything else for one reader).
pub const KEEP_BYTES: usize = 64 << 20;

/// How a read was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Sent,
    Shared,
    Kept,
}

/// One datasource's reads in flight, its kept answers and how many of each kind it served.
#[derive(Default)]
pub struct Coalescer {
    inflight: Arc<Mutex<HashMap<String, Shared<BoxFuture<'static, Read>>>>>,
    kept: Arc<Mutex<Kept>>,
    counts: [AtomicU64; 3],
}

impl Coalescer {
    /// The answer to `key`: kept, shared with an identical read in flight, or from `send`.
    pub async fn read(
        &self,
        key: String,
        send: impl FnOnce() -> BoxFuture<'static, Read>,
    ) -> (Read, How) {
        if let Some((status, body)) = lock(&self.kept).get(&key, Instant::now()) {
            return (Ok((status, body)), self.count(How::Kept));
        }
        let (shared, how) = {
            let mut inflight = lock(&self.inflight);
            match inflight.get(&key) {
                Some(f) => (f.clone(), How::Shared),
                None => {
                    // The read removes itself when it completes, whoever polls it then (the
                    // first asker may have gone).
                    let (inflight_map, kept, k) =
                        (self.inflight.clone(), self.kept.clone(), key.clone());
                    let read = send();
                    let f = async move {
                        let out = read.await;
                        if let Ok((200, body)) = &out {
                            lock(&kept).put(&k, 200, body.clone(), Instant::now());
                        }
                        lock(&inflight_map).remove(&k);
                        out
                    }
                    .boxed()
                    .shared();
                    inflight.insert(key, f.clone());
                    (f, How::Sent)
                }
            }
        };
        (shared.await, self.count(how))
    }

    fn count(&self, how: How) -> How {
        self.counts[how as usize].fetch_add(1, Ordering::Relaxed);
        how
    }

    /// Reads (sent, shared with one in flight, answered from the kept ones) so far.
    pub fn counts(&self) -> (u64, u64, u64) {
        let c = |h: How| self.counts[h as usize].load(Ordering::Relaxed);
        (c(How::Sent), c(How::Shared), c(How::Kept))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Answers kept for [`KEEP_FOR`], oldest evicted first past [`KEEP_BYTES`].
#[derive(Default)]
struct Kept {
    answers: HashMap<String, Entry>,
    /// (sequence, key) in insertion order; an entry replaced since has a newer sequence.
    order: VecDeque<(u64, String)>,
    bytes: usize,
    next: u64,
}

struct Entry {
    seq: u64,
    at: Instant,
    status: u16,
    body: Arc<Vec<u8>>,
}

impl Kept {
    fn get(&mut self, key: &str, now: Instant) -> Option<(u16, Arc<Vec<u8>>)> {
        let e = self.answers.get(key)?;
        if now.duration_since(e.at) < KEEP_FOR {
            return Some((e.status, e.body.clone()));
        }
        self.remove(key);
        None
    }

    fn put(&mut self, key: &str, status: u16, body: Arc<Vec<u8>>, now: Instant) {
        if body.len() > KEEP_BYTES / 4 {
            return;
        }
        self.remove(key);
        // Expired first, then the oldest, until the new answer fits.
        while let Some((seq, k)) = self.order.front().cloned() {
            let current = self.answers.get(&k).filter(|e| e.seq == seq);
            let expired = current.is_none_or(|e| now.duration_since(e.at) >= KEEP_FOR);
            if !expired && self.bytes + body.len() <= KEEP_BYTES {
                break;
            }
            self.order.pop_front();
            if current.is_some() {
                self.remove(&k);
            }
        }
        self.next += 1;
        self.bytes += body.len();
        self.order.push_back((self.next, key.to_string()));
        self.answers.insert(
            key.to_string(),
            Entry {
                seq: self.next,
                at: now,
                status,
                body,
            },
        );
    }

    fn remove(&mut self, key: &str) {
        if let Some(e) = self.answers.remove(key) {
            self.bytes -= e.body.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Arc<Vec<u8>> {
        Arc::new(vec![b'x'; n])
    }

    #[test]
    fn kept_answers_expire_and_the_oldest_go_first_past_the_byte_bound() {
        let t0 = Instant::now();
        let mut k = Kept::default();
        k.put("a", 200, body(10), t0);
        assert_eq!(
            k.get("a", t0 + Duration::from_secs(4)).map(|x| x.1.len()),
            Some(10)
        );
        assert!(k.get("a", t0 + KEEP_FOR).is_none(), "expired");
        assert_eq!(k.bytes, 0);

        // Four answers of a quarter of the bound each fill it: a fifth evicts the oldest.
        let quarter = KEEP_BYTES / 4;
        for (i, key) in ["b", "c", "d", "e"].iter().enumerate() {
            k.put(
                key,
                200,
                body(quarter),
                t0 + Duration::from_millis(i as u64),
            );
        }
        assert_eq!(k.bytes, KEEP_BYTES);
        k.put("f", 200, body(quarter), t0 + Duration::from_millis(5));
        assert!(
            k.get("b", t0 + Duration::from_secs(1)).is_none(),
            "oldest evicted"
        );
        for key in ["c", "d", "e", "f"] {
            assert!(
                k.get(key, t0 + Duration::from_secs(1)).is_some(),
                "{key} kept"
            );
        }
        assert_eq!(k.bytes, KEEP_BYTES);
        // Too big to keep at all.
        k.put("huge", 200, body(KEEP_BYTES / 4 + 1), t0);
        assert!(k.get("huge", t0).is_none());
        // Replacing a key counts its bytes once.
        let before = k.bytes;
        k.put("c", 200, body(quarter), t0 + Duration::from_millis(9));
        assert_eq!(k.bytes, before);
    }

    #[tokio::test]
    async fn identical_reads_in_flight_are_sent_once_and_then_kept() {
        let c = Coalescer::default();
        let sends = Arc::new(AtomicU64::new(0));
        let send = |sends: Arc<AtomicU64>| {
            move || {
                async move {
                    sends.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok((200, body(3)))
                }
                .boxed()
            }
        };
        let reads = (0..8).map(|_| c.read("q".into(), send(sends.clone())));
        let answers = futures::future::join_all(reads).await;
        assert_eq!(sends.load(Ordering::SeqCst), 1);
        assert!(answers
            .iter()
            .all(|(r, _)| r.as_ref().unwrap().1.len() == 3));
        assert_eq!(c.counts(), (1, 7, 0));
        // Just after: from the kept answer; another query is sent.
        let (_, how) = c.read("q".into(), send(sends.clone())).await;
        assert_eq!(how, How::Kept);
        let (_, how) = c.read("other".into(), send(sends.clone())).await;
        assert_eq!(how, How::Sent);
        assert_eq!(sends.load(Ordering::SeqCst), 2);
        // A failure is shared but never kept.
        let failing = || {
            async {
                Err(BackendError::Timeout {
                    datasource: "p".into(),
                    seconds: 1,
                })
            }
            .boxed()
        };
        assert!(c.read("bad".into(), failing).await.0.is_err());
        assert_eq!(c.read("bad".into(), failing).await.1, How::Sent);
    }
}
