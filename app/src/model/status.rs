//! Troubleshooting data from Prometheus: scrape targets (`/api/v1/targets`) grouped by scrape pool
//! with health counts, and TSDB cardinality (`/api/v1/status/tsdb`) with shares of the total and
//! hints for labels that look unbounded. Pure.

use super::matchers::{matches_all, Matcher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    #[serde(default)]
    pub discovered_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub scrape_pool: String,
    pub scrape_url: String,
    #[serde(default)]
    pub last_error: String,
    #[serde(default)]
    pub last_scrape: String,
    #[serde(default)]
    pub last_scrape_duration: f64,
    pub health: String,
    #[serde(default)]
    pub scrape_interval: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetsData {
    #[serde(default)]
    pub active_targets: Vec<Target>,
}

/// `/api/v1/alertmanagers`: where Prometheus sends alerts, and the ones it dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerDiscovery {
    #[serde(default)]
    pub active_alertmanagers: Vec<AlertmanagerUrl>,
    #[serde(default)]
    pub dropped_alertmanagers: Vec<AlertmanagerUrl>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertmanagerUrl {
    pub url: String,
}

/// `/api/v1/status/runtimeinfo`, the part the console reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeInfo {
    #[serde(default)]
    pub storage_retention: String,
}

/// Alertmanager's `/api/v2/status`: version, uptime, cluster and the configuration as loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmStatus {
    #[serde(default)]
    pub version_info: AmVersion,
    #[serde(default)]
    pub uptime: String,
    #[serde(default)]
    pub cluster: AmCluster,
    #[serde(default)]
    pub config: AmLoadedConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmVersion {
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmCluster {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub peers: Vec<AmPeer>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmPeer {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmLoadedConfig {
    /// The YAML as Alertmanager loaded it (secrets already masked by Alertmanager).
    #[serde(default)]
    pub original: String,
}

/// One scrape pool (job) with its targets and health counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pool {
    pub name: String,
    pub up: usize,
    pub down: usize,
    pub unknown: usize,
    pub targets: Vec<Target>,
}

/// Groups targets by scrape pool, keeping those whose health is `health` (empty = any) and whose
/// labels match every matcher. Pools with a target down come first.
pub fn group_targets(targets: Vec<Target>, health: &str, matchers: &[Matcher]) -> Vec<Pool> {
    let mut pools: BTreeMap<String, Pool> = BTreeMap::new();
    for t in targets {
        if !health.is_empty() && t.health != health {
            continue;
        }
        if !matches_all(matchers, &t.labels) {
            continue;
        }
        let p = pools.entry(t.scrape_pool.clone()).or_insert_with(|| Pool {
            name: t.scrape_pool.clone(),
            up: 0,
            down: 0,
            unknown: 0,
            targets: Vec::new(),
        });
        match t.health.as_str() {
            "up" => p.up += 1,
            "down" => p.down += 1,
            _ => p.unknown += 1,
        }
        p.targets.push(t);
    }
    let mut out: Vec<Pool> = pools.into_values().collect();
    out.sort_by_key(|p| (p.down == 0, p.name.clone()));
    for p in &mut out {
        p.targets.sort_by(|a, b| {
            (a.health == "up", &a.scrape_url).cmp(&(b.health == "up", &b.scrape_url))
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeadStats {
    pub num_series: u64,
    #[serde(default)]
    pub num_label_pairs: u64,
}

/// `data` of `/api/v1/status/tsdb`, as Prometheus (`headStats`) and VictoriaMetrics
/// (`totalSeries`, no memory figures) write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TsdbStatus {
    #[serde(default)]
    pub head_stats: Option<HeadStats>,
    #[serde(default)]
    pub total_series: Option<u64>,
    #[serde(default)]
    pub series_count_by_metric_name: Vec<NameValue>,
    #[serde(default)]
    pub label_value_count_by_label_name: Vec<NameValue>,
    /// Absent from VictoriaMetrics' answer.
    #[serde(default)]
    pub memory_in_bytes_by_label_name: Option<Vec<NameValue>>,
    #[serde(default)]
    pub series_count_by_label_value_pair: Vec<NameValue>,
}

impl TsdbStatus {
    /// Series in the head block (Prometheus) or in the index (VictoriaMetrics).
    pub fn series(&self) -> u64 {
        self.head_stats
            .as_ref()
            .map(|h| h.num_series)
            .or(self.total_series)
            .unwrap_or(0)
    }
}

/// Share of `value` in `total`, as a percentage.
pub fn share(value: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        value as f64 * 100.0 / total as f64
    }
}

/// Why a label looks unbounded (ids, timestamps, addresses, paths grow without limit), if it does.
pub fn unbounded_hint(label: &str, value_count: u64, sample_values: &[String]) -> Option<String> {
    let l = label.to_ascii_lowercase();
    const NAMES: [&str; 12] = [
        "id",
        "uuid",
        "guid",
        "timestamp",
        "time",
        "ts",
        "trace_id",
        "span_id",
        "request_id",
        "session",
        "email",
        "user",
    ];
    if NAMES
        .iter()
        .any(|n| l == *n || l.ends_with(&format!("_{n}")))
    {
        return Some(format!(
            "{label} sounds like a per-request value (ids, times, users): every new value is a new series; drop it with relabelling or move it to logs/traces"
        ));
    }
    let uuid_like = |v: &str| {
        v.len() >= 16
            && v.chars()
                .filter(|c| c.is_ascii_hexdigit() || *c == '-')
                .count()
                == v.len()
    };
    let numeric = |v: &str| v.len() >= 9 && v.chars().all(|c| c.is_ascii_digit());
    let odd = sample_values
        .iter()
        .filter(|v| uuid_like(v) || numeric(v))
        .count();
    if !sample_values.is_empty() && odd * 2 >= sample_values.len() {
        return Some(format!(
            "{label}'s values look like ids or timestamps: unbounded; drop or hash them before they reach Prometheus"
        ));
    }
    (value_count >= 1000).then(|| {
        format!("{label} has {value_count} values: check that it is bounded (no ids, paths or user input)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::matchers::parse_matchers;

    #[test]
    fn tsdb_status_reads_prometheus_and_victoriametrics() {
        let prom = r#"{"headStats":{"numSeries":508,"numLabelPairs":1234,"chunkCount":937},"seriesCountByMetricName":[{"name":"up","value":8}],"memoryInBytesByLabelName":[{"name":"__name__","value":1024}]}"#;
        let t: TsdbStatus = serde_json::from_str(prom).unwrap();
        assert_eq!(t.series(), 508);
        assert_eq!(t.memory_in_bytes_by_label_name.map(|m| m.len()), Some(1));
        let vm = include_str!("../../../tests/fixtures/victoriametrics/status-tsdb-topN5.json");
        let env: serde_json::Value = serde_json::from_str(vm).unwrap();
        let t: TsdbStatus = serde_json::from_value(env["data"].clone()).unwrap();
        assert_eq!(t.series(), 2084);
        assert!(t.head_stats.is_none() && t.memory_in_bytes_by_label_name.is_none());
        assert_eq!(t.series_count_by_metric_name[0].name, "flag");
        assert_eq!(t.series_count_by_metric_name.len(), 5);
    }

    fn target(pool: &str, url: &str, health: &str) -> Target {
        Target {
            discovered_labels: BTreeMap::new(),
            labels: [
                ("job".to_string(), pool.to_string()),
                ("service".to_string(), url.to_string()),
            ]
            .into(),
            scrape_pool: pool.into(),
            scrape_url: format!("http://{url}/metrics"),
            last_error: if health == "down" {
                "connection refused".into()
            } else {
                String::new()
            },
            last_scrape: String::new(),
            last_scrape_duration: 0.001,
            health: health.into(),
            scrape_interval: "15s".into(),
        }
    }

    #[test]
    fn pools_group_count_and_put_trouble_first() {
        let t = vec![
            target("arms", "planner", "down"),
            target("arms", "coder", "up"),
            target("alpha", "a", "up"),
        ];
        let pools = group_targets(t.clone(), "", &[]);
        assert_eq!(pools[0].name, "arms");
        assert_eq!((pools[0].up, pools[0].down), (1, 1));
        assert_eq!(pools[0].targets[0].health, "down", "down targets first");
        assert_eq!(group_targets(t.clone(), "down", &[]).len(), 1);
        let m = parse_matchers(r#"service="coder""#).unwrap();
        let only = group_targets(t, "", &m);
        assert_eq!((only.len(), only[0].targets.len()), (1, 1));
    }

    #[test]
    fn decodes_prometheus_answers() {
        let body = br#"{"status":"success","data":{"headStats":{"numSeries":10,"numLabelPairs":5,"chunkCount":1,"minTime":0,"maxTime":1},"seriesCountByMetricName":[{"name":"a_bucket","value":8}],"labelValueCountByLabelName":[],"memoryInBytesByLabelName":[],"seriesCountByLabelValuePair":[]}}"#;
        let s: crate::model::upstream::Answer<TsdbStatus> =
            crate::model::upstream::decode_envelope("p", 200, body).unwrap();
        assert_eq!(s.data.series_count_by_metric_name[0].value, 8);
        assert_eq!(share(8, s.data.series()), 80.0);
    }

    #[test]
    fn unbounded_labels_are_flagged() {
        assert!(unbounded_hint("request_id", 3, &[]).is_some());
        assert!(unbounded_hint("trace_id", 3, &[]).is_some());
        assert!(unbounded_hint(
            "x",
            2,
            &[
                "3f2a9c1e-77b1-4c1a-9d8e-123456789abc".into(),
                "a1b2c3d4e5f60718".into()
            ]
        )
        .is_some());
        assert!(unbounded_hint("path", 5000, &[]).is_some());
        assert_eq!(unbounded_hint("service", 8, &["planner".into()]), None);
    }

    #[test]
    fn decodes_alertmanager_status_sample() {
        let body = crate::model::fixture("alertmanager/status-v0.27.0.json");
        let s: AmStatus = serde_json::from_slice(&body).unwrap();
        assert_eq!(s.cluster.status, "ready");
        assert_eq!(s.cluster.peers[0].address, "172.17.0.2:9094");
        assert_eq!(s.version_info.version, "0.27.0");
        assert!(s.config.original.starts_with("global:"));
        assert_eq!(s.uptime, "2024-02-29T09:39:36.791Z");
    }
}
