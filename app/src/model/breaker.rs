//! A circuit breaker per datasource, as pure state: a dead backend fails fast instead of making
//! every panel wait for its timeout, and one probe per cool-down finds out when it is back.
//!
//! Closed → (N failures in a row) → Open → (cool-down elapsed) → HalfOpen: one probe request is
//! let through; its success closes the circuit, its failure opens it for another cool-down.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerPolicy {
    /// Consecutive failures that open the circuit.
    pub failures_to_open: u32,
    /// How long an open circuit refuses requests before letting a probe through.
    pub cool_down_ms: i64,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failures_to_open: 5,
            cool_down_ms: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BreakerState {
    Closed { failures: u32 },
    Open { until_ms: i64 },
    HalfOpen { probe_since_ms: i64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Breaker {
    pub policy: BreakerPolicy,
    pub state: BreakerState,
}

impl Breaker {
    pub fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            state: BreakerState::Closed { failures: 0 },
        }
    }

    /// May a request go now? `Err(ms)` says how long until the next try.
    pub fn admit(&mut self, now_ms: i64) -> Result<(), i64> {
        match self.state {
            BreakerState::Closed { .. } => Ok(()),
            BreakerState::Open { until_ms } if now_ms >= until_ms => {
                self.state = BreakerState::HalfOpen {
                    probe_since_ms: now_ms,
                };
                Ok(())
            }
            BreakerState::Open { until_ms } => Err(until_ms - now_ms),
            // A probe that never reported back (its task was dropped) must not wedge the
            // circuit: after a cool-down another probe may go.
            BreakerState::HalfOpen { probe_since_ms }
                if now_ms - probe_since_ms >= self.policy.cool_down_ms =>
            {
                self.state = BreakerState::HalfOpen {
                    probe_since_ms: now_ms,
                };
                Ok(())
            }
            BreakerState::HalfOpen { probe_since_ms } => {
                Err(probe_since_ms + self.policy.cool_down_ms - now_ms)
            }
        }
    }

    /// Records how an admitted request ended (`ok`: the backend answered, whatever the status
    /// of the query; a failure is a transport error or a 502/503/504).
    pub fn record(&mut self, ok: bool, now_ms: i64) {
        self.state = match (self.state, ok) {
            (_, true) => BreakerState::Closed { failures: 0 },
            (BreakerState::Closed { failures }, false)
                if failures + 1 < self.policy.failures_to_open =>
            {
                BreakerState::Closed {
                    failures: failures + 1,
                }
            }
            (_, false) => BreakerState::Open {
                until_ms: now_ms + self.policy.cool_down_ms,
            },
        };
    }

    pub fn is_open(&self) -> bool {
        !matches!(self.state, BreakerState::Closed { .. })
    }
}

/// Backoff before retry `attempt` (0-based) of an idempotent read: 100 ms, 300 ms, 900 ms…
pub fn backoff_ms(attempt: u32) -> u64 {
    100 * 3u64.saturating_pow(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Breaker {
        Breaker::new(BreakerPolicy {
            failures_to_open: 3,
            cool_down_ms: 1_000,
        })
    }

    #[test]
    fn opens_after_consecutive_failures_only() {
        let mut b = breaker();
        b.record(false, 0);
        b.record(false, 1);
        b.record(true, 2);
        b.record(false, 3);
        b.record(false, 4);
        assert!(b.admit(5).is_ok(), "a success in between resets the count");
        b.record(false, 5);
        assert_eq!(b.state, BreakerState::Open { until_ms: 1_005 });
        assert_eq!(b.admit(100), Err(905));
    }

    #[test]
    fn one_probe_after_the_cool_down_decides() {
        let mut b = breaker();
        for t in 0..3 {
            b.record(false, t);
        }
        assert!(b.admit(1_002).is_ok(), "the probe");
        assert!(b.admit(1_003).is_err(), "only one probe at a time");
        b.record(false, 1_010);
        assert_eq!(b.admit(1_500), Err(510), "a failed probe re-opens");
        assert!(b.admit(2_010).is_ok());
        b.record(true, 2_020);
        assert!(!b.is_open());
        assert!(b.admit(2_021).is_ok() && b.admit(2_022).is_ok());
    }

    #[test]
    fn a_lost_probe_does_not_wedge_the_circuit() {
        let mut b = breaker();
        for t in 0..3 {
            b.record(false, t);
        }
        assert!(b.admit(1_002).is_ok());
        // The probe's task was cancelled and never recorded.
        assert!(b.admit(1_500).is_err());
        assert!(b.admit(2_002).is_ok());
    }

    #[test]
    fn backoff_grows() {
        assert_eq!((0..3).map(backoff_ms).collect::<Vec<_>>(), [100, 300, 900]);
    }
}
