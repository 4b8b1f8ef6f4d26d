//! Revoked sessions: single tokens (logout) until they would have expired, and whole users
//! (an admin's revoke) for tokens issued before a moment. Kept in memory and, when
//! `[auth] revocations_file` is set, appended to that file and re-read when it changes, so every
//! replica sharing the file refuses the same tokens.
//!
//! The file has one entry a line: `token <id> <expires unix>` or `user <name> <not-before unix>`.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct RevocationList {
    /// Token id → when it expires anyway (then it can be forgotten).
    tokens: HashMap<String, u64>,
    /// User → tokens issued before this are refused.
    users: HashMap<String, u64>,
}

impl RevocationList {
    /// Reads the file format; unknown lines are skipped, expired tokens forgotten.
    pub fn parse(text: &str, now_unix: u64) -> RevocationList {
        let mut list = RevocationList::default();
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            match (
                parts.next(),
                parts.next(),
                parts.next().and_then(|t| t.parse().ok()),
            ) {
                (Some("token"), Some(id), Some(expires)) if expires > now_unix => {
                    list.tokens.insert(id.to_string(), expires);
                }
                (Some("user"), Some(name), Some(not_before)) => {
                    let at = list.users.entry(name.to_string()).or_insert(0);
                    *at = (*at).max(not_before);
                }
                _ => {}
            }
        }
        list
    }

    pub fn revoke_token(&mut self, id: &str, expires_unix: u64) -> String {
        self.tokens.insert(id.to_string(), expires_unix);
        format!("token {id} {expires_unix}\n")
    }

    pub fn revoke_user(&mut self, name: &str, now_unix: u64) -> String {
        self.users.insert(name.to_string(), now_unix);
        format!("user {name} {now_unix}\n")
    }

    pub fn is_revoked(&self, name: &str, id: &str, issued_unix: u64) -> bool {
        self.tokens.contains_key(id) || self.users.get(name).is_some_and(|nb| issued_unix < *nb)
    }

    fn merge(&mut self, other: RevocationList) {
        self.tokens.extend(other.tokens);
        for (name, at) in other.users {
            let e = self.users.entry(name).or_insert(0);
            *e = (*e).max(at);
        }
    }
}

/// The revocation list of this process, shared through `file` when one is configured.
pub struct Revocations {
    file: Option<PathBuf>,
    state: Mutex<State>,
}

struct State {
    list: RevocationList,
    /// The file's modification time and length when last read.
    seen: Option<(SystemTime, u64)>,
    checked: Option<Instant>,
}

impl Revocations {
    pub fn new(file: Option<PathBuf>) -> Self {
        let r = Self {
            file,
            state: Mutex::new(State {
                list: RevocationList::default(),
                seen: None,
                checked: None,
            }),
        };
        r.refresh(true);
        r
    }

    /// Re-reads the file when it changed (at most once a second unless `force`).
    pub fn refresh(&self, force: bool) {
        let Some(path) = &self.file else { return };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !force
            && state
                .checked
                .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        state.checked = Some(Instant::now());
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        if state.seen == Some(stamp) {
            return;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => {
                state
                    .list
                    .merge(RevocationList::parse(&text, super::now_unix()));
                state.seen = Some(stamp);
            }
            Err(e) => {
                tracing::error!(file = %path.display(), "cannot read the revocations file: {e}")
            }
        }
    }

    pub fn is_revoked(&self, name: &str, id: &str, issued_unix: u64) -> bool {
        self.refresh(false);
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .list
            .is_revoked(name, id, issued_unix)
    }

    pub fn revoke_token(&self, id: &str, expires_unix: u64) {
        self.record(|list| list.revoke_token(id, expires_unix));
    }

    pub fn revoke_user(&self, name: &str, now_unix: u64) {
        self.record(|list| list.revoke_user(name, now_unix));
    }

    /// Applies one revocation in memory, then appends its line to the shared file.
    fn record(&self, revoke: impl FnOnce(&mut RevocationList) -> String) {
        let line = revoke(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()).list);
        self.append(&line);
    }

    fn append(&self, line: &str) {
        let Some(path) = &self.file else { return };
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = written {
            tracing::error!(file = %path.display(), "cannot record a revocation in the shared file ({e}); other replicas still accept that session");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_users_are_revoked_and_expired_tokens_forgotten() {
        let list = RevocationList::parse(
            "token abc 200\ntoken old 50\nuser alice 100\nuser alice 90\ngarbage\n",
            100,
        );
        assert!(list.is_revoked("bob", "abc", 150));
        assert!(!list.tokens.contains_key("old"), "expired: forgotten");
        assert!(
            list.is_revoked("alice", "x", 99),
            "issued before the revoke"
        );
        assert!(!list.is_revoked("alice", "x", 100), "issued at or after it");
        assert!(!list.is_revoked("bob", "x", 1));
    }

    #[test]
    fn a_shared_file_carries_revocations_between_replicas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("revoked");
        let a = Revocations::new(Some(path.clone()));
        let b = Revocations::new(Some(path.clone()));
        a.revoke_token("tok1", u64::MAX);
        b.refresh(true);
        assert!(b.is_revoked("alice", "tok1", 1));
        b.revoke_user("carol", 500);
        a.refresh(true);
        assert!(a.is_revoked("carol", "other", 499));
    }
}
