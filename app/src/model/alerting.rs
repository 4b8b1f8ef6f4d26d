//! Alerting shapes and logic: Prometheus rule groups (`/api/v1/rules`), Alertmanager v2 alert
//! groups and silences, merging the instances of one Alertmanager cluster by fingerprint, and the
//! filters the alerting pages offer. Pure.

pub mod board;

use super::matchers::{matches_all, MatchType, Matcher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a read of the Alertmanagers serves the alert pages, unless they are slow to answer.
pub const SNAPSHOT_MAX_AGE_MS: u64 = 5_000;

/// The cookie a write to Alertmanager through the console sets: when (server ms) this user last
/// wrote. Every replica reads again, for that user, a snapshot begun before it, so the author of
/// a silence sees it whichever replica answers next.
pub const WRITTEN_COOKIE: &str = "octoscope_written";
/// How long after a write its author's reads insist on a newer snapshot.
pub const WRITTEN_FOR_MS: i64 = 120_000;

/// When this request's user last wrote, from its `Cookie` header: 0 when there is no such
/// cookie, or it is older than [`WRITTEN_FOR_MS`] or in the future (a forged one cannot make
/// every read a fresh one).
pub fn written_at(cookie_header: Option<&str>, now_ms: i64) -> i64 {
    cookie_header
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .filter(|(name, _)| *name == WRITTEN_COOKIE)
        .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
        .filter(|at| (now_ms - WRITTEN_FOR_MS..=now_ms).contains(at))
        .max()
        .unwrap_or(0)
}

/// The alert pages' freshness line: when the Alertmanagers were read and, when they answer so
/// slowly that they are re-read less often than usual, how often.
pub fn snapshot_note(as_of_ms: i64, now_ms: i64, reread_every_ms: u64) -> String {
    let read = format!(
        "Alertmanager read {} ago",
        super::timestamp::age(as_of_ms, now_ms)
    );
    if reread_every_ms > SNAPSHOT_MAX_AGE_MS {
        let every = super::timestamp::age(0, reread_every_ms as i64);
        format!("{read}; re-read every {every}, as it is slow to answer")
    } else {
        read
    }
}

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesData {
    #[serde(default)]
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroup {
    pub name: String,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub interval: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Rule {
    Alerting(AlertingRule),
    Recording(RecordingRule),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertingRule {
    pub name: String,
    pub query: String,
    /// `for`, in seconds.
    #[serde(default)]
    pub duration: f64,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    #[serde(default)]
    pub alerts: Vec<RuleAlert>,
    #[serde(default)]
    pub health: String,
    #[serde(rename = "lastError", default)]
    pub last_error: Option<String>,
    #[serde(rename = "lastEvaluation", default)]
    pub last_evaluation: Option<String>,
    #[serde(default = "inactive")]
    pub state: String,
}

fn inactive() -> String {
    "inactive".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingRule {
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub health: String,
    #[serde(rename = "lastError", default)]
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleAlert {
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    #[serde(default)]
    pub state: String,
    #[serde(rename = "activeAt", default)]
    pub active_at: Option<String>,
    #[serde(default)]
    pub value: String,
}

/// Counts of alerting rules per state, for the filter chips.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCounts {
    pub firing: usize,
    pub pending: usize,
    pub inactive: usize,
}

impl StateCounts {
    /// Counts one alerting rule in its state (anything but firing or pending is inactive).
    pub fn add(&mut self, state: &str) {
        match state {
            "firing" => self.firing += 1,
            "pending" => self.pending += 1,
            _ => self.inactive += 1,
        }
    }
}

/// Keeps the alerting rules whose state is in `states` (empty = all), whose labels (or one of
/// whose alerts' labels) satisfy `matchers`, and whose name, query or annotations contain `text`.
/// Groups left empty are dropped; counts are over the rules that pass matchers and text.
pub fn filter_rules(
    groups: &[RuleGroup],
    states: &[String],
    matchers: &[Matcher],
    text: &str,
) -> (Vec<RuleGroup>, StateCounts) {
    let text = text.trim().to_lowercase();
    let mut counts = StateCounts::default();
    let mut out = Vec::new();
    for g in groups {
        let rules: Vec<Rule> = g
            .rules
            .iter()
            .filter(|r| {
                let Rule::Alerting(a) = r else { return false };
                let mut rule_labels = a.labels.clone();
                rule_labels.insert("alertname".into(), a.name.clone());
                let label_ok = matchers.is_empty()
                    || matches_all(matchers, &rule_labels)
                    || a.alerts.iter().any(|al| matches_all(matchers, &al.labels));
                let text_ok = text.is_empty()
                    || a.name.to_lowercase().contains(&text)
                    || a.query.to_lowercase().contains(&text)
                    || g.name.to_lowercase().contains(&text)
                    || a.annotations
                        .values()
                        .any(|v| v.to_lowercase().contains(&text));
                if !(label_ok && text_ok) {
                    return false;
                }
                counts.add(&a.state);
                states.is_empty() || states.contains(&a.state)
            })
            .cloned()
            .collect();
        if !rules.is_empty() {
            out.push(RuleGroup { rules, ..g.clone() });
        }
    }
    (out, counts)
}

// ---------------------------------------------------------------------------------------------
// Alertmanager v2

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Receiver {
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmAlertStatus {
    pub state: String,
    #[serde(rename = "silencedBy", default, skip_serializing_if = "Vec::is_empty")]
    pub silenced_by: Vec<String>,
    #[serde(rename = "inhibitedBy", default, skip_serializing_if = "Vec::is_empty")]
    pub inhibited_by: Vec<String>,
    /// Alertmanager ≥ 0.28: time-interval mutes.
    #[serde(rename = "mutedBy", default, skip_serializing_if = "Vec::is_empty")]
    pub muted_by: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmAlert {
    pub fingerprint: String,
    #[serde(default)]
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    #[serde(rename = "endsAt", default)]
    pub ends_at: String,
    #[serde(rename = "generatorURL", default)]
    pub generator_url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<Receiver>,
    pub status: AmAlertStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmGroup {
    #[serde(default)]
    pub labels: Labels,
    pub receiver: Receiver,
    #[serde(default)]
    pub alerts: Vec<AmAlert>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmMatcher {
    pub name: String,
    pub value: String,
    #[serde(rename = "isRegex")]
    pub is_regex: bool,
    /// Absent before Alertmanager 0.22: then always an equality.
    #[serde(rename = "isEqual", default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl AmMatcher {
    pub fn to_matcher(&self) -> Matcher {
        let kind = match (self.is_regex, self.is_equal) {
            (false, true) => MatchType::Equal,
            (false, false) => MatchType::NotEqual,
            (true, true) => MatchType::Regex,
            (true, false) => MatchType::NotRegex,
        };
        Matcher {
            name: self.name.clone(),
            value: self.value.clone(),
            kind,
        }
    }

    pub fn from_matcher(m: &Matcher) -> Self {
        AmMatcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: m.kind.is_regex(),
            is_equal: m.kind.is_equal(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilenceState {
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub id: String,
    pub status: SilenceState,
    #[serde(default)]
    pub comment: String,
    #[serde(rename = "createdBy", default)]
    pub created_by: String,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    #[serde(default)]
    pub matchers: Vec<AmMatcher>,
}

impl Silence {
    pub fn matchers(&self) -> Vec<Matcher> {
        self.matchers.iter().map(AmMatcher::to_matcher).collect()
    }
    pub fn matches(&self, labels: &Labels) -> bool {
        matches_all(&self.matchers(), labels)
    }
}

/// An alert as seen across the instances of one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedAlert {
    pub alert: AmAlert,
    /// Which instances (datasource names) reported it.
    pub seen_by: Vec<String>,
    /// The dashboard to open for it (annotation, or one whose panels read its metrics).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard: Option<String>,
    /// The rule's page in Prometheus' own UI, only when a Prometheus datasource declares the
    /// external URL its generator links use (`jsonData.octoscopeExternalUrl`): Prometheus
    /// otherwise writes its own hostname, which a browser rarely reaches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus_url: Option<String>,
}

impl MergedAlert {
    /// Its active window in epoch ms: (start, end). Alertmanager sets `endsAt` in the future for
    /// active alerts, so an end is only given once it has passed.
    pub fn window(&self, now_ms: i64) -> (Option<i64>, Option<i64>) {
        use crate::model::timestamp::parse_rfc3339;
        (
            parse_rfc3339(&self.alert.starts_at),
            parse_rfc3339(&self.alert.ends_at).filter(|e| *e < now_ms),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedGroup {
    pub cluster: String,
    pub receiver: String,
    pub labels: Labels,
    pub alerts: Vec<MergedAlert>,
}

/// Group key: receiver name and the group's labels.
type GroupKey = (String, Vec<(String, String)>);

/// What one Alertmanager instance reported.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceReport {
    pub name: String,
    pub uid: String,
    pub peers: Vec<String>,
    pub groups: Vec<AmGroup>,
    pub silences: Vec<Silence>,
}

/// The instances of one gossip cluster, as they reported (borrowed: a fleet's reports are
/// large and shared by every viewer).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterReport<'a> {
    pub members: Vec<&'a InstanceReport>,
}

impl ClusterReport<'_> {
    /// The cluster as the pages name it: its instances' names joined.
    pub fn name(&self) -> String {
        self.members
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// Its instances' datasource uids, in provisioning order.
    pub fn uids(&self) -> Vec<String> {
        self.members.iter().map(|r| r.uid.clone()).collect()
    }

    /// The first instance's silences (gossip gives every peer the same).
    pub fn silences(&self) -> &[Silence] {
        self.members.first().map_or(&[], |r| &r.silences)
    }

    /// Every instance's alerts as reported: an alert appears once per instance and receiver.
    pub fn alerts(&self) -> impl Iterator<Item = &AmAlert> {
        self.members
            .iter()
            .flat_map(|r| &r.groups)
            .flat_map(|g| &g.alerts)
    }

    /// Its groups merged across instances (see [`merge_cluster`]).
    pub fn merged(&self) -> Vec<MergedGroup> {
        merge_cluster(&self.name(), &self.members)
    }
}

/// Instances sharing any peer belong to the same gossip cluster; clusters keep the order of
/// their first instance.
pub fn group_clusters<'a>(
    reports: impl IntoIterator<Item = &'a InstanceReport>,
) -> Vec<ClusterReport<'a>> {
    let mut clusters: Vec<ClusterReport<'a>> = Vec::new();
    for r in reports {
        match clusters.iter_mut().find(|c| {
            c.members
                .iter()
                .any(|m| m.peers.iter().any(|p| r.peers.contains(p)))
        }) {
            Some(c) => c.members.push(r),
            None => clusters.push(ClusterReport { members: vec![r] }),
        }
    }
    clusters
}

/// Merges the groups reported by each instance of one cluster: same receiver and group labels
/// make one group and alerts are de-duplicated by fingerprint. Silenced-by and inhibited-by are
/// unioned, so an alert one peer already mutes shows as suppressed while gossip catches up.
pub fn merge_cluster(cluster: &str, instances: &[&InstanceReport]) -> Vec<MergedGroup> {
    let mut groups: BTreeMap<GroupKey, BTreeMap<String, MergedAlert>> = BTreeMap::new();
    for r in instances {
        let instance = &r.name;
        for g in &r.groups {
            let key = (
                g.receiver.name.clone(),
                g.labels.clone().into_iter().collect(),
            );
            let alerts = groups.entry(key).or_default();
            for a in &g.alerts {
                let entry = alerts
                    .entry(a.fingerprint.clone())
                    .or_insert_with(|| MergedAlert {
                        alert: a.clone(),
                        seen_by: vec![],
                        dashboard: None,
                        prometheus_url: None,
                    });
                if !entry.seen_by.contains(instance) {
                    entry.seen_by.push(instance.clone());
                }
                for s in &a.status.silenced_by {
                    if !entry.alert.status.silenced_by.contains(s) {
                        entry.alert.status.silenced_by.push(s.clone());
                    }
                }
                for s in &a.status.inhibited_by {
                    if !entry.alert.status.inhibited_by.contains(s) {
                        entry.alert.status.inhibited_by.push(s.clone());
                    }
                }
                if !entry.alert.status.silenced_by.is_empty()
                    || !entry.alert.status.inhibited_by.is_empty()
                {
                    entry.alert.status.state = "suppressed".into();
                }
            }
        }
    }
    groups
        .into_iter()
        .map(|((receiver, labels), alerts)| MergedGroup {
            cluster: cluster.to_string(),
            receiver,
            labels: labels.into_iter().collect(),
            alerts: alerts.into_values().collect(),
        })
        .collect()
}

/// Regroups a cluster's alerts for display: by the value of label `by`, or, when `by` is empty, by
/// the route's group labels. One group routed to several receivers (`continue: true`) is shown
/// once; alerts are de-duplicated by fingerprint and filtered by `matchers`.
pub fn regroup<'a>(
    groups: &'a [MergedGroup],
    matchers: &[Matcher],
    by: &str,
) -> Vec<(Labels, Vec<&'a MergedAlert>)> {
    use std::collections::{HashMap, HashSet};
    let by = by.trim();
    // Borrowed, and indexed rather than scanned: a fleet has thousands of groups and tens of
    // thousands of alerts, and only the page's few are copied.
    let mut out: Vec<(Labels, Vec<&MergedAlert>)> = Vec::new();
    let mut by_labels: HashMap<&Labels, usize> = HashMap::new();
    let mut by_value: HashMap<&str, usize> = HashMap::new();
    let mut seen: HashSet<(usize, &str)> = HashSet::new();
    let mut slot = |labels: Labels| {
        out.push((labels, Vec::new()));
        out.len() - 1
    };
    let mut members: Vec<(usize, &MergedAlert)> = Vec::new();
    for g in groups {
        let mut own = None;
        for a in g
            .alerts
            .iter()
            .filter(|a| matches_all(matchers, &a.alert.labels))
        {
            let i = if by.is_empty() {
                *own.get_or_insert_with(|| {
                    *by_labels
                        .entry(&g.labels)
                        .or_insert_with(|| slot(g.labels.clone()))
                })
            } else {
                let value = a.alert.labels.get(by).map(String::as_str).unwrap_or("");
                *by_value.entry(value).or_insert_with(|| {
                    slot([(by.to_string(), value.to_string())].into_iter().collect())
                })
            };
            if seen.insert((i, a.alert.fingerprint.as_str())) {
                members.push((i, a));
            }
        }
    }
    for (i, a) in members {
        out[i].1.push(a);
    }
    out
}

/// Triage order of a `severity` label: critical (or page) first, then error, warning, info,
/// anything else, and none last.
pub fn severity_rank(severity: Option<&str>) -> u8 {
    const RANKS: [&[&str]; 4] = [
        &["critical", "page", "p1"],
        &["error", "high", "p2"],
        &["warning", "warn", "medium", "p3"],
        &["info", "low", "p4"],
    ];
    // Compared in place, not lowercased into a copy: this ranks every alert of a fleet.
    let Some(s) = severity else { return 5 };
    RANKS
        .iter()
        .position(|names| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
        .map_or(4, |r| r as u8)
}

fn alert_rank(a: &MergedAlert) -> (u8, bool, &str) {
    (
        severity_rank(a.alert.labels.get("severity").map(String::as_str)),
        // Suppressed (silenced or inhibited) alerts after the active ones.
        a.alert.status.state != "active",
        // RFC 3339 in one zone sorts as time: the oldest first.
        &a.alert.starts_at,
    )
}

/// Groups in triage order: the most severe first, then the one firing longest; inside a group
/// the same order, active before suppressed.
pub fn triage_order(groups: &mut [(Labels, Vec<&MergedAlert>)]) {
    for (_, alerts) in groups.iter_mut() {
        alerts.sort_by(|a, b| alert_rank(a).cmp(&alert_rank(b)));
    }
    groups.sort_by(|(_, a), (_, b)| {
        let (a, b) = (
            a.first().map(|a| alert_rank(a)),
            b.first().map(|b| alert_rank(b)),
        );
        a.cmp(&b)
    });
}

/// The most severe `severity` among alerts (the group's colour).
pub fn worst_severity(alerts: &[&MergedAlert]) -> Option<String> {
    alerts
        .iter()
        .filter_map(|a| a.alert.labels.get("severity"))
        .min_by_key(|s| severity_rank(Some(s)))
        .cloned()
}

/// The PromQL selector of firing `ALERTS` series that a silence with these matchers would mute.
/// Alertmanager matchers and PromQL label matchers share operators and (anchored RE2) semantics.
pub fn alerts_history_selector(matchers: &[Matcher]) -> String {
    let mut parts = vec!["alertstate=\"firing\"".to_string()];
    parts.extend(matchers.iter().map(|m| m.to_string()));
    format!("ALERTS{{{}}}", parts.join(", "))
}

/// Labels a silence is prefilled with from an alert: all of them; the user removes volatile ones.
pub fn silence_matchers_for(labels: &Labels) -> Vec<Matcher> {
    labels
        .iter()
        .map(|(k, v)| Matcher {
            name: k.clone(),
            value: v.clone(),
            kind: MatchType::Equal,
        })
        .collect()
}

/// An Alertmanager silence id: a UUID (36 characters, hex digits and dashes in the 8-4-4-4-12
/// pattern). Only a valid one becomes part of a request path, so no text from a browser can steer
/// a write elsewhere on the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceId(String);

impl SilenceId {
    pub fn parse(id: &str) -> Result<SilenceId, String> {
        let id = id.trim();
        let groups: Vec<&str> = id.split('-').collect();
        let shape_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
            && groups
                .iter()
                .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        if shape_ok {
            Ok(SilenceId(id.to_ascii_lowercase()))
        } else {
            Err(format!(
                "{id:?} is not an Alertmanager silence id (a UUID such as 3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192); copy it from the silences list"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The CSS class of a severity (`severity-critical`, …; unknown ones are `other`).
pub fn severity_class(severity: &str) -> &'static str {
    match severity_rank(Some(severity).filter(|s| !s.is_empty())) {
        0 => "critical",
        1 => "error",
        2 => "warning",
        3 => "info",
        4 => "other",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmalert_rules_read_like_prometheus_rules() {
        // vmalert's answer proxied by VictoriaMetrics: the guide's rule files, one alert firing.
        let body =
            include_str!("../../../tests/fixtures/victoriametrics/rules-vmalert-proxied.json");
        let env: serde_json::Value = serde_json::from_str(body).unwrap();
        let rules: RulesData = serde_json::from_value(env["data"].clone()).unwrap();
        assert_eq!(rules.groups.len(), 11);
        let availability = &rules.groups[0];
        assert_eq!(
            (availability.name.as_str(), availability.file.as_str()),
            ("octollm_availability", "rules/alerts.yml")
        );
        let alerting: Vec<&AlertingRule> = rules
            .groups
            .iter()
            .flat_map(|g| &g.rules)
            .filter_map(|r| match r {
                Rule::Alerting(a) => Some(a),
                Rule::Recording(_) => None,
            })
            .collect();
        assert!(alerting.iter().any(|a| a.name == "ServiceDown"));
        let firing = alerting.iter().find(|a| a.state == "firing").unwrap();
        assert!(!firing.alerts.is_empty() && firing.alerts[0].active_at.is_some());
        let recording = rules
            .groups
            .iter()
            .flat_map(|g| &g.rules)
            .any(|r| matches!(r, Rule::Recording(_)));
        assert!(recording, "recording rules (state \"\") read too");
    }

    #[test]
    fn a_recent_write_is_read_from_its_cookie_and_a_stale_or_forged_one_ignored() {
        let now = 1_000_000;
        let h = |v: &str| written_at(Some(v), now);
        assert_eq!(h("a=1; octoscope_written=999000; b=2"), 999_000);
        assert_eq!(h("octoscope_written=999000"), 999_000);
        assert_eq!(h("octoscope_written=1000001"), 0, "in the future");
        assert_eq!(h("octoscope_written=800000"), 0, "older than two minutes");
        assert_eq!(h("octoscope_written=x"), 0);
        assert_eq!(h("other_written=999000"), 0);
        assert_eq!(written_at(None, now), 0);
    }

    #[test]
    fn the_snapshot_note_names_a_slow_alertmanagers_reread_interval() {
        assert_eq!(
            snapshot_note(10_000, 22_000, SNAPSHOT_MAX_AGE_MS),
            "Alertmanager read 12s ago"
        );
        assert_eq!(
            snapshot_note(10_000, 22_000, 44_000),
            "Alertmanager read 12s ago; re-read every 44s, as it is slow to answer"
        );
    }

    /// An instance that reported `groups` (and no peers or silences).
    fn report(name: &str, groups: Vec<AmGroup>) -> InstanceReport {
        InstanceReport {
            name: name.into(),
            uid: name.to_lowercase(),
            peers: Vec::new(),
            groups,
            silences: Vec::new(),
        }
    }

    #[test]
    fn only_uuids_are_silence_ids() {
        let id = SilenceId::parse(" 3F0C9E2A-1b4d-4e8f-9a7c-2d5e6f708192 ").unwrap();
        assert_eq!(id.as_str(), "3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192");
        for bad in [
            "",
            "../../api/v1/admin/tsdb/delete_series?match[]=up",
            "3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f70819",
            "3f0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192/../x",
            "3f0c9e2a_1b4d-4e8f-9a7c-2d5e6f708192",
            "zf0c9e2a-1b4d-4e8f-9a7c-2d5e6f708192",
        ] {
            assert!(SilenceId::parse(bad).is_err(), "{bad}");
        }
    }

    fn alert(fp: &str, severity: Option<&str>, state: &str, starts: &str) -> MergedAlert {
        let mut labels = Labels::new();
        labels.insert("alertname".into(), fp.into());
        if let Some(s) = severity {
            labels.insert("severity".into(), s.into());
        }
        MergedAlert {
            alert: AmAlert {
                fingerprint: fp.into(),
                labels,
                annotations: Labels::new(),
                starts_at: starts.into(),
                ends_at: String::new(),
                generator_url: String::new(),
                receivers: vec![],
                status: AmAlertStatus {
                    state: state.into(),
                    silenced_by: vec![],
                    inhibited_by: vec![],
                    muted_by: vec![],
                },
            },
            seen_by: vec![],
            dashboard: None,
            prometheus_url: None,
        }
    }

    #[test]
    fn triage_puts_critical_first_then_the_oldest() {
        let group = |name: &str, alerts: Vec<MergedAlert>| {
            ([("g".to_string(), name.to_string())].into(), alerts)
        };
        let owned: Vec<(Labels, Vec<MergedAlert>)> = vec![
            group(
                "slo",
                vec![alert(
                    "budget",
                    Some("warning"),
                    "active",
                    "2026-11-30T07:00:00Z",
                )],
            ),
            group(
                "none",
                vec![alert("watchdog", None, "active", "2026-11-30T01:00:00Z")],
            ),
            group(
                "api",
                vec![
                    alert(
                        "muted",
                        Some("critical"),
                        "suppressed",
                        "2026-11-30T05:00:00Z",
                    ),
                    alert("errors", Some("critical"), "active", "2026-11-30T08:00:00Z"),
                    alert("slow", Some("warning"), "active", "2026-11-30T02:00:00Z"),
                ],
            ),
            group(
                "old-slo",
                vec![alert(
                    "burn",
                    Some("warning"),
                    "active",
                    "2026-11-30T06:00:00Z",
                )],
            ),
        ];
        let mut groups: Vec<(Labels, Vec<&MergedAlert>)> = owned
            .iter()
            .map(|(l, a)| (l.clone(), a.iter().collect()))
            .collect();
        triage_order(&mut groups);
        assert_eq!(severity_rank(Some("CRITICAL")), 0, "any case");
        assert_eq!(severity_rank(Some("sev9")), 4);
        let names: Vec<&str> = groups.iter().map(|(l, _)| l["g"].as_str()).collect();
        assert_eq!(names, ["api", "old-slo", "slo", "none"]);
        let inside: Vec<&str> = groups[0]
            .1
            .iter()
            .map(|a| a.alert.fingerprint.as_str())
            .collect();
        assert_eq!(
            inside,
            ["errors", "muted", "slow"],
            "active before suppressed, then warnings"
        );
        assert_eq!(worst_severity(&groups[0].1).as_deref(), Some("critical"));
    }

    use crate::model::fixture;
    use crate::model::matchers::parse_matchers;
    use crate::model::upstream::{decode_envelope, Answer};

    #[test]
    fn decodes_upstream_rules_and_filters_them() {
        let a: Answer<RulesData> =
            decode_envelope("p", 200, &fixture("prometheus/rules-docs.json")).unwrap();
        let groups = a.data.groups;
        let Rule::Alerting(rule) = &groups[0].rules[0] else {
            panic!("first rule is alerting")
        };
        assert_eq!(rule.name, "HighRequestLatency");
        assert_eq!(rule.alerts[0].labels["severity"], "page");
        assert!(groups[0]
            .rules
            .iter()
            .any(|r| matches!(r, Rule::Recording(_))));
        let (kept, counts) = filter_rules(
            &groups,
            &[],
            &parse_matchers(r#"severity="page""#).unwrap(),
            "",
        );
        assert_eq!(kept[0].rules.len(), 1, "recording rules are not listed");
        assert_eq!(counts.firing + counts.pending + counts.inactive, 1);
        let (kept, _) = filter_rules(
            &groups,
            &[],
            &parse_matchers(r#"severity="none""#).unwrap(),
            "",
        );
        assert!(kept.is_empty());
        let (kept, _) = filter_rules(&groups, &[], &[], "request latency");
        assert_eq!(kept.len(), 1, "free text searches annotations");
        let (kept, _) = filter_rules(&groups, &["inactive".into()], &[], "");
        assert!(kept.iter().all(|g| g
            .rules
            .iter()
            .all(|r| matches!(r, Rule::Alerting(a) if a.state == "inactive"))));
    }

    #[test]
    fn decodes_upstream_groups_and_silences() {
        let groups: Vec<AmGroup> =
            serde_json::from_slice(&fixture("alertmanager/alerts-groups-v0.31.0.json")).unwrap();
        assert_eq!(groups.len(), 10);
        assert_eq!(groups[0].alerts[0].fingerprint, "aae7a1432b5d2f1b");
        for name in [
            "alertmanager/silences-v0.31.0.json",
            "alertmanager/silences-v0.27.0.json",
        ] {
            let silences: Vec<Silence> = serde_json::from_slice(&fixture(name)).unwrap();
            assert!(!silences.is_empty());
            assert_eq!(silences[0].created_by, "john@example.com");
            let mut labels = Labels::new();
            labels.insert("instance".into(), "web1".into());
            assert!(silences[0].matches(&labels));
        }
    }

    #[test]
    fn a_group_routed_to_two_receivers_shows_once() {
        let groups: Vec<AmGroup> =
            serde_json::from_slice(&fixture("alertmanager/alerts-groups-v0.31.0.json")).unwrap();
        let mut twice = groups[0].clone();
        twice.receiver.name = "another-receiver".into();
        twice.alerts[0].status.silenced_by = vec!["s1".into()];
        let am = report("am", vec![groups[0].clone(), twice]);
        let merged = merge_cluster("c", &[&am]);
        assert_eq!(
            merged.len(),
            2,
            "Alertmanager reports one group per receiver"
        );
        let shown = regroup(&merged, &[], "");
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].1.len(), groups[0].alerts.len());
        let mutes = board::mutes(merged.iter().flat_map(|g| &g.alerts).map(|a| &a.alert));
        assert_eq!(mutes["s1"], 1, "counted once");
        let by_cluster = regroup(
            &merged,
            &parse_matchers(r#"alertname=~"Free.*""#).unwrap(),
            "cluster",
        );
        assert_eq!(by_cluster[0].0["cluster"], "staging");
        assert!(regroup(&merged, &parse_matchers(r#"alertname="Nope""#).unwrap(), "").is_empty());
    }

    #[test]
    fn history_selector_is_promql() {
        let m = parse_matchers(r#"alertname="HighErrorRate", service=~"orch.*""#).unwrap();
        assert_eq!(
            alerts_history_selector(&m),
            r#"ALERTS{alertstate="firing", alertname="HighErrorRate", service=~"orch.*"}"#
        );
    }

    #[test]
    fn merges_a_cluster_by_fingerprint() {
        let groups: Vec<AmGroup> =
            serde_json::from_slice(&fixture("alertmanager/alerts-groups-v0.31.0.json")).unwrap();
        let mut peer = groups.clone();
        peer[0].alerts[0].status.silenced_by = vec!["s1".into()];
        let (am1, am2) = (report("am-1", groups.clone()), report("am-2", peer));
        let merged = merge_cluster("demo", &[&am1, &am2]);
        let total: usize = groups.iter().map(|g| g.alerts.len()).sum();
        let merged_total: usize = merged.iter().map(|g| g.alerts.len()).sum();
        assert_eq!(merged_total, total, "each alert once");
        let group = merged
            .iter()
            .find(|g| g.receiver == groups[0].receiver.name && g.labels == groups[0].labels)
            .unwrap();
        let first = group
            .alerts
            .iter()
            .find(|a| a.alert.fingerprint == "aae7a1432b5d2f1b")
            .unwrap();
        assert_eq!(first.seen_by, vec!["am-1".to_string(), "am-2".to_string()]);
        assert_eq!(
            first.alert.status.state, "suppressed",
            "silenced on one peer is silenced"
        );
    }

    #[test]
    fn instances_sharing_a_peer_are_one_cluster() {
        let with_peers = |name: &str, peers: &[&str]| InstanceReport {
            peers: peers.iter().map(|p| p.to_string()).collect(),
            ..report(name, Vec::new())
        };
        let reports = [
            with_peers("AM1", &["a", "b"]),
            with_peers("Lone", &["z"]),
            with_peers("AM2", &["b", "a"]),
        ];
        let clusters = group_clusters(&reports);
        let uids: Vec<Vec<String>> = clusters.iter().map(|c| c.uids()).collect();
        assert_eq!(uids, vec![vec!["am1", "am2"], vec!["lone"]]);
    }
}
