//! Incidents the simulator can inject, and validation of requests to start them.

use crate::catalog;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// 30% of the target's calls fail.
    ErrorSpike,
    /// The target's latency goes up tenfold.
    LatencySpike,
    /// The target stops answering, `/metrics` included, so `up == 0`.
    ServiceDown,
    /// LLM calls through the target use twenty times the tokens.
    CostSpike,
    /// Bursts of security violations and PII detections at the target.
    SecurityViolation,
    /// The target's container memory climbs towards its limit.
    MemoryLeak,
    /// A small sustained error rate (3%) that burns the error budget without paging at once.
    BudgetBurn,
    /// The target's pod restarts every few seconds and is intermittently down.
    CrashLoop,
    /// The target's container burns more than a core.
    CpuSpike,
    /// A node's root filesystem fills up to 95% (targets `node-0` … `node-2`).
    DiskFull,
    /// PostgreSQL's backends climb to 90% of `max_connections` (target `postgres`).
    ConnectionSurge,
    /// PII detections at the target run at about 15 per second for each PII type.
    PiiLeak,
    /// Almost no tasks arrive at the target (the orchestrator), so completions nearly stop.
    TaskStall,
    /// The target's background errors (1 call in 10,000) stop; incidents still fail calls. A
    /// rule that fires on any error, as the guide's HighErrorRate does, clears and stays clear.
    Calm,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 14] = [
        IncidentKind::ErrorSpike,
        IncidentKind::LatencySpike,
        IncidentKind::ServiceDown,
        IncidentKind::CostSpike,
        IncidentKind::SecurityViolation,
        IncidentKind::MemoryLeak,
        IncidentKind::BudgetBurn,
        IncidentKind::CrashLoop,
        IncidentKind::CpuSpike,
        IncidentKind::DiskFull,
        IncidentKind::ConnectionSurge,
        IncidentKind::PiiLeak,
        IncidentKind::TaskStall,
        IncidentKind::Calm,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::ErrorSpike => "error_spike",
            IncidentKind::LatencySpike => "latency_spike",
            IncidentKind::ServiceDown => "service_down",
            IncidentKind::CostSpike => "cost_spike",
            IncidentKind::SecurityViolation => "security_violation",
            IncidentKind::MemoryLeak => "memory_leak",
            IncidentKind::BudgetBurn => "budget_burn",
            IncidentKind::CrashLoop => "crash_loop",
            IncidentKind::CpuSpike => "cpu_spike",
            IncidentKind::DiskFull => "disk_full",
            IncidentKind::ConnectionSurge => "connection_surge",
            IncidentKind::PiiLeak => "pii_leak",
            IncidentKind::TaskStall => "task_stall",
            IncidentKind::Calm => "calm",
        }
    }

    /// What the kind can be aimed at: a service, or for the infrastructure kinds a node or a
    /// datastore (`service_down` also stops `postgres` and `redis`, so `pg_up`/`redis_up` read 0).
    pub fn targets(self) -> Vec<&'static str> {
        let services = catalog::SERVICES.iter().map(|s| s.name);
        match self {
            IncidentKind::DiskFull => catalog::NODES.to_vec(),
            IncidentKind::ConnectionSurge => vec!["postgres"],
            IncidentKind::TaskStall => vec!["orchestrator"],
            IncidentKind::ServiceDown => services.chain(catalog::DATASTORES).collect(),
            _ => services.collect(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: u64,
    pub kind: IncidentKind,
    pub target: String,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    /// Unix milliseconds; `None` runs until deleted.
    pub ends_at_ms: Option<i64>,
}

/// The body of `POST /sim/incidents`. `duration` is `"90s"`, `"10m"`, `"1h"` or seconds.
#[derive(Debug, Clone, Deserialize)]
pub struct IncidentRequest {
    pub kind: String,
    pub target: String,
    #[serde(default)]
    pub duration: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IncidentError {
    #[error("unknown incident kind {0:?}; use one of error_spike, latency_spike, service_down, cost_spike, security_violation, memory_leak, budget_burn, crash_loop, cpu_spike, disk_full, connection_surge, pii_leak, task_stall, calm")]
    Kind(String),
    #[error("{kind} cannot target {target:?}; use one of {}", .allowed.join(", "))]
    Target {
        kind: &'static str,
        target: String,
        allowed: Vec<&'static str>,
    },
    #[error("duration {0:?} is not valid; use a positive duration such as 90s, 10m or 1h (or omit it to run until deleted)")]
    Duration(String),
}

/// Parses `90s`, `10m`, `1h`, `2d` or a plain number of seconds; refuses zero and negatives.
pub fn parse_duration_secs(text: &str) -> Result<u64, IncidentError> {
    let t = text.trim();
    let bad = || IncidentError::Duration(text.to_string());
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return Err(bad()),
    };
    let secs = n * mult;
    if secs.is_nan() || secs < 1.0 || !secs.is_finite() {
        return Err(bad());
    }
    Ok(secs as u64)
}

impl IncidentRequest {
    /// Validates the request into (kind, target, duration in seconds).
    pub fn validate(&self) -> Result<(IncidentKind, String, Option<u64>), IncidentError> {
        let kind = IncidentKind::parse(&self.kind)
            .ok_or_else(|| IncidentError::Kind(self.kind.clone()))?;
        let allowed = kind.targets();
        if !allowed.contains(&self.target.as_str()) {
            return Err(IncidentError::Target {
                kind: kind.as_str(),
                target: self.target.clone(),
                allowed,
            });
        }
        let duration = match &self.duration {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => {
                let v = n.as_f64().unwrap_or(-1.0);
                if v < 1.0 {
                    return Err(IncidentError::Duration(n.to_string()));
                }
                Some(v as u64)
            }
            Some(serde_json::Value::String(s)) => Some(parse_duration_secs(s)?),
            Some(other) => return Err(IncidentError::Duration(other.to_string())),
        };
        Ok((kind, self.target.clone(), duration))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(kind: &str, target: &str, duration: Option<serde_json::Value>) -> IncidentRequest {
        IncidentRequest {
            kind: kind.into(),
            target: target.into(),
            duration,
        }
    }

    #[test]
    fn validates_kind_target_and_duration() {
        let (k, t, d) = req("service_down", "reflex-layer", Some("10m".into()))
            .validate()
            .unwrap();
        assert_eq!(
            (k, t.as_str(), d),
            (IncidentKind::ServiceDown, "reflex-layer", Some(600))
        );
        assert_eq!(
            req("error_spike", "planner", Some(serde_json::json!(90)))
                .validate()
                .unwrap()
                .2,
            Some(90)
        );
        assert_eq!(
            req("error_spike", "planner", None).validate().unwrap().2,
            None
        );
        assert!(matches!(
            req("meteor", "planner", None).validate(),
            Err(IncidentError::Kind(_))
        ));
        assert!(matches!(
            req("error_spike", "mainframe", None).validate(),
            Err(IncidentError::Target { .. })
        ));
        // Infrastructure kinds take their own targets, and only those.
        assert!(req("service_down", "postgres", None).validate().is_ok());
        assert!(req("disk_full", "node-1", None).validate().is_ok());
        let err = req("disk_full", "planner", None).validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "disk_full cannot target \"planner\"; use one of node-0, node-1, node-2"
        );
        assert!(req("error_spike", "postgres", None).validate().is_err());
        assert!(matches!(
            req("error_spike", "planner", Some("-5m".into())).validate(),
            Err(IncidentError::Duration(_))
        ));
        assert!(matches!(
            req("error_spike", "planner", Some(serde_json::json!(-3))).validate(),
            Err(IncidentError::Duration(_))
        ));
        assert!(matches!(
            req("error_spike", "planner", Some("0s".into())).validate(),
            Err(IncidentError::Duration(_))
        ));
        assert!(matches!(
            req("error_spike", "planner", Some("soon".into())).validate(),
            Err(IncidentError::Duration(_))
        ));
    }

    #[test]
    fn every_kind_round_trips() {
        for k in IncidentKind::ALL {
            assert_eq!(IncidentKind::parse(k.as_str()), Some(k));
        }
    }
}
