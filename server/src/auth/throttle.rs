//! Sign-in backoff: after a few failures for one user name or one client address, each further
//! attempt must wait twice as long as the last (up to a cap). A pure state machine; the caller
//! passes the clock in.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any waiting.
    pub free_failures: u32,
    /// The first wait, doubled with every further failure.
    pub base_ms: i64,
    pub max_ms: i64,
    /// Entries untouched this long are forgotten.
    pub forget_after_ms: i64,
    /// At most this many keys are remembered (a flood of made-up names must not grow memory).
    pub max_entries: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            base_ms: 1_000,
            max_ms: 15 * 60_000,
            forget_after_ms: 24 * 3_600_000,
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    blocked_until_ms: i64,
    last_ms: i64,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    pub policy: ThrottlePolicy,
    entries: HashMap<String, Entry>,
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            entries: HashMap::new(),
        }
    }

    /// `Err(seconds)` when any of `keys` must still wait that long before another attempt.
    pub fn check(&self, keys: &[String], now_ms: i64) -> Result<(), u64> {
        let wait = keys
            .iter()
            .filter_map(|k| self.entries.get(k))
            .map(|e| e.blocked_until_ms - now_ms)
            .max()
            .unwrap_or(0);
        if wait > 0 {
            Err((wait as u64).div_ceil(1000))
        } else {
            Ok(())
        }
    }

    pub fn failed(&mut self, keys: &[String], now_ms: i64) {
        if self.entries.len() + keys.len() > self.policy.max_entries {
            let forget = now_ms - self.policy.forget_after_ms;
            self.entries
                .retain(|_, e| e.last_ms > forget || e.blocked_until_ms > now_ms);
            if self.entries.len() + keys.len() > self.policy.max_entries {
                // Still full: keep only those waiting now.
                self.entries.retain(|_, e| e.blocked_until_ms > now_ms);
            }
        }
        let p = self.policy;
        for key in keys {
            let e = self.entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                blocked_until_ms: 0,
                last_ms: now_ms,
            });
            if now_ms - e.last_ms > p.forget_after_ms {
                e.failures = 0;
            }
            e.failures += 1;
            e.last_ms = now_ms;
            if e.failures > p.free_failures {
                let doublings = (e.failures - p.free_failures - 1).min(30);
                let wait = p.base_ms.saturating_mul(1 << doublings).min(p.max_ms);
                e.blocked_until_ms = now_ms + wait;
            }
        }
    }

    pub fn succeeded(&mut self, keys: &[String]) {
        for key in keys {
            self.entries.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        vec!["user:alice".into(), "addr:10.0.0.1".into()]
    }

    #[test]
    fn waits_double_after_the_free_failures_and_success_clears() {
        let mut t = LoginThrottle::default();
        let k = keys();
        for i in 0..5 {
            assert!(t.check(&k, i).is_ok());
            t.failed(&k, i);
        }
        assert!(t.check(&k, 5).is_ok(), "five failures are free");
        t.failed(&k, 5);
        assert_eq!(t.check(&k, 6), Err(1));
        t.failed(&k, 1_010);
        assert_eq!(t.check(&k, 1_010), Err(2));
        t.failed(&k, 3_010);
        assert_eq!(t.check(&k, 3_010), Err(4));
        // Another address guessing the same user also waits.
        assert!(t
            .check(&["user:alice".into(), "addr:10.9.9.9".into()], 3_011)
            .is_err());
        t.succeeded(&k);
        assert!(t.check(&k, 3_011).is_ok());
    }

    #[test]
    fn waits_are_capped_and_memory_is_bounded() {
        let mut t = LoginThrottle::new(ThrottlePolicy {
            max_entries: 10,
            ..Default::default()
        });
        let k = keys();
        for i in 0..60 {
            t.failed(&k, i);
        }
        assert_eq!(t.check(&k, 60), Err(15 * 60));
        for i in 0..100 {
            t.failed(&[format!("user:made-up-{i}")], 100);
        }
        assert!(t.entries.len() <= 10, "{}", t.entries.len());
        assert!(t.check(&k, 61).is_err(), "the blocked keys are kept");
    }
}
