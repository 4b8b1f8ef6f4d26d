//! What stands between the console and one datasource: a concurrency limit (requests beyond it
//! queue, up to the datasource timeout), a circuit breaker (a dead backend fails fast) and a
//! response size cap. Shared by server functions and the proxy.

use crate::model::breaker::{Breaker, BreakerPolicy};
use crate::model::upstream::BackendError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEFAULT_MAX_IN_FLIGHT: usize = 32;
pub const DEFAULT_MAX_RESPONSE_MB: u64 = 128;

pub struct DatasourceGuard {
    breaker: Mutex<Breaker>,
    permits: Arc<tokio::sync::Semaphore>,
    pub max_in_flight: usize,
    pub max_response_bytes: u64,
    /// Identical reads in flight shared, answers kept briefly.
    pub reads: super::coalesce::Coalescer,
    /// How long its calls took (`/metrics`).
    pub latency: super::timing::Latency,
}

/// Shared guard state of a datasource. Compares equal always: it is state, not configuration.
#[derive(Clone)]
pub struct Guard(pub Arc<DatasourceGuard>);

impl PartialEq for Guard {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("max_in_flight", &self.0.max_in_flight)
            .field("max_response_bytes", &self.0.max_response_bytes)
            .finish()
    }
}

impl Default for Guard {
    fn default() -> Self {
        Guard::new(DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RESPONSE_MB << 20)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Guard {
    pub fn new(max_in_flight: usize, max_response_bytes: u64) -> Self {
        Guard(Arc::new(DatasourceGuard {
            breaker: Mutex::new(Breaker::new(BreakerPolicy::default())),
            permits: Arc::new(tokio::sync::Semaphore::new(max_in_flight.max(1))),
            max_in_flight: max_in_flight.max(1),
            max_response_bytes,
            reads: Default::default(),
            latency: Default::default(),
        }))
    }

    /// Fails fast while the circuit is open.
    pub fn admit(&self, datasource: &str) -> Result<(), BackendError> {
        let mut b = self.0.breaker.lock().unwrap_or_else(|e| e.into_inner());
        b.admit(now_ms()).map_err(|ms| BackendError::CircuitOpen {
            datasource: datasource.to_string(),
            retry_in_s: (ms as u64).div_ceil(1000).max(1),
        })
    }

    /// A slot among the datasource's in-flight requests, waiting at most `wait`.
    pub async fn permit(
        &self,
        datasource: &str,
        wait: Duration,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, BackendError> {
        match tokio::time::timeout(wait, self.0.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(BackendError::Busy {
                datasource: datasource.to_string(),
                limit: self.0.max_in_flight,
            }),
        }
    }

    /// `ok`: the backend answered (any status but 502/503/504).
    pub fn record(&self, ok: bool) {
        let mut b = self.0.breaker.lock().unwrap_or_else(|e| e.into_inner());
        let was_open = b.is_open();
        b.record(ok, now_ms());
        if b.is_open() && !was_open {
            tracing::warn!(
                "circuit opened after {} failures in a row",
                b.policy.failures_to_open
            );
        } else if was_open && !b.is_open() {
            tracing::info!("circuit closed: the datasource answers again");
        }
    }

    pub fn is_open(&self) -> bool {
        self.0
            .breaker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_open()
    }
}

/// Whether an HTTP status means the backend itself is failing (for the breaker and retries).
pub fn is_backend_failure(status: u16) -> bool {
    matches!(status, 502..=504)
}

/// Whether an answer means the backend itself is failing, for the breaker: a 502/503/504, except
/// a Prometheus-style 503 whose `errorType` is `timeout` or `canceled`: that one query ran out of
/// the time its caller gave it (a `timeout=` parameter, a heavy expression), which says nothing
/// about the backend; counting it would let any viewer open the circuit for everyone.
pub fn is_backend_failure_answer(status: u16, body: &[u8]) -> bool {
    if !is_backend_failure(status) {
        return false;
    }
    if status != 503 {
        return true;
    }
    #[derive(serde::Deserialize)]
    struct ErrorEnvelope {
        #[serde(rename = "errorType")]
        error_type: Option<String>,
    }
    let query_level = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .and_then(|e| e.error_type)
        .is_some_and(|t| t == "timeout" || t == "canceled");
    !query_level
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_backends_own_failures_count() {
        assert!(is_backend_failure_answer(502, b""));
        assert!(is_backend_failure_answer(503, b"service unavailable"));
        assert!(is_backend_failure_answer(504, b"{}"));
        assert!(!is_backend_failure_answer(
            503,
            br#"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#
        ));
        assert!(!is_backend_failure_answer(
            503,
            br#"{"status":"error","errorType":"canceled","error":"context canceled"}"#
        ));
        assert!(!is_backend_failure_answer(400, b""));
        assert!(!is_backend_failure_answer(422, b""));
    }
}
