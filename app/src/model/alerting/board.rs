//! What the alert pages show of a fleet, bounded by the screen: a page of groups (the first few
//! open with their first alerts, the rest collapsed to their counts), one group's alerts a page at
//! a time, a page of silences; counts are always over everything that matched. Pure.

use super::{
    filter_rules, regroup, severity_rank, triage_order, AmAlert, Labels, MergedAlert, MergedGroup,
    Rule, RuleGroup, Silence, StateCounts,
};
use crate::model::matchers::Matcher;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Groups per page.
pub const GROUPS_PER_PAGE: usize = 50;
/// Groups of a page shown open, with their first alerts (the first screen).
pub const OPEN_GROUPS: usize = 10;
/// Alerts shown in an open group on the overview.
pub const ALERTS_PER_GROUP: usize = 20;
/// Alerts per page of one group.
pub const ALERTS_PER_PAGE: usize = 100;
/// Silences per page.
pub const SILENCES_PER_PAGE: usize = 50;

/// Alerts counted by severity (triage order) and by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub total: usize,
    /// (severity or "none", alerts), most severe first.
    pub by_severity: Vec<(String, usize)>,
    pub active: usize,
    /// Silenced or inhibited.
    pub suppressed: usize,
}

impl Counts {
    pub fn of<'a>(alerts: impl IntoIterator<Item = &'a AmAlert>) -> Counts {
        let mut by: BTreeMap<(u8, &str), usize> = BTreeMap::new();
        let mut c = Counts::default();
        for a in alerts {
            c.total += 1;
            if a.status.state == "active" {
                c.active += 1;
            } else {
                c.suppressed += 1;
            }
            let sev = a
                .labels
                .get("severity")
                .map(String::as_str)
                .filter(|s| !s.is_empty());
            *by.entry((severity_rank(sev), sev.unwrap_or("none")))
                .or_default() += 1;
        }
        c.by_severity = by
            .into_iter()
            .map(|((_, s), n)| (s.to_string(), n))
            .collect();
        c
    }
}

/// One group as a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    /// Stable id of the group's labels, for `?group=` links.
    pub id: String,
    pub labels: Labels,
    pub counts: Counts,
    pub worst_severity: String,
    /// The alerts shown: the first ones of an open group, a page of the chosen group, none
    /// when collapsed. The page shows them through `rows` and never reads them in the browser.
    #[serde(with = "crate::model::drawn::held", default)]
    pub alerts: Vec<MergedAlert>,
    /// How many alerts are shown (`alerts.len()`, which hydration data leaves out).
    pub shown: usize,
    /// Index of the first alert shown among the group's.
    pub first_alert: usize,
    /// The alerts' table rows, drawn on the server (the page fills them in).
    #[serde(default)]
    pub rows: crate::model::drawn::Drawn,
}

/// A cluster's page of groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupsPage {
    /// Over every alert that matched the filter (de-duplicated by fingerprint).
    pub counts: Counts,
    pub total_groups: usize,
    /// Index of the first group shown.
    pub first_group: usize,
    pub groups: Vec<GroupView>,
}

/// A short stable id of some strings (FNV-1a, hex): the same group gets the same id on every
/// refresh and every replica.
fn stable_id<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The id of an alert group (its labels), for `?group=` links.
pub fn group_id(labels: &Labels) -> String {
    stable_id(labels.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
}

/// Rule groups per page, and how many of a page show their rules.
pub const RULE_GROUPS_PER_PAGE: usize = 50;
pub const OPEN_RULE_GROUPS: usize = 10;

/// One Prometheus rule group as a page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroupView {
    /// Stable id of file and name, for `?group=` links.
    pub id: String,
    pub name: String,
    pub file: String,
    /// Its alerting rules that matched, by state.
    pub counts: StateCounts,
    /// The rules shown: all of an open group's, none when collapsed.
    pub rules: Vec<Rule>,
}

/// A page of rule groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RulesPage {
    /// Alerting rules matching the labels and text, by state (before the state filter).
    pub counts: StateCounts,
    /// Groups with a rule that matched every filter.
    pub total_groups: usize,
    pub first_group: usize,
    pub groups: Vec<RuleGroupView>,
}

/// The id of a rule group.
pub fn rule_group_id(file: &str, name: &str) -> String {
    stable_id([file, name])
}

/// Page `page` (from 0) of the rule groups with alerting rules that match `states`, `matchers` and
/// `text`: the first [`OPEN_RULE_GROUPS`] with their rules, the rest as counts. With `only`, that
/// group alone, open.
pub fn rules_page(
    groups: &[RuleGroup],
    states: &[String],
    matchers: &[Matcher],
    text: &str,
    page: usize,
    only: Option<&str>,
) -> RulesPage {
    let (matched, counts) = filter_rules(groups, states, matchers, text);
    let total_groups = matched.len();
    let view = |g: RuleGroup, open: bool| {
        let mut c = StateCounts::default();
        for r in &g.rules {
            if let Rule::Alerting(a) = r {
                c.add(&a.state);
            }
        }
        RuleGroupView {
            id: rule_group_id(&g.file, &g.name),
            name: g.name,
            file: g.file,
            counts: c,
            rules: if open { g.rules } else { Vec::new() },
        }
    };
    if let Some(id) = only {
        return RulesPage {
            counts,
            total_groups,
            first_group: 0,
            groups: matched
                .into_iter()
                .filter(|g| rule_group_id(&g.file, &g.name) == id)
                .map(|g| view(g, true))
                .collect(),
        };
    }
    let first_group = (page * RULE_GROUPS_PER_PAGE).min(total_groups);
    RulesPage {
        counts,
        total_groups,
        first_group,
        groups: matched
            .into_iter()
            .skip(first_group)
            .take(RULE_GROUPS_PER_PAGE)
            .enumerate()
            .map(|(i, g)| view(g, i < OPEN_RULE_GROUPS))
            .collect(),
    }
}

/// Page `page` (from 0) of a cluster's groups after filtering by `matchers` and regrouping by
/// `by`, in triage order. With `only`, that group alone, its alerts paged by `page` instead.
pub fn groups_page(
    groups: &[MergedGroup],
    matchers: &[Matcher],
    by: &str,
    page: usize,
    only: Option<&str>,
) -> GroupsPage {
    let mut all = regroup(groups, matchers, by);
    triage_order(&mut all);
    let counts = Counts::of(
        all.iter()
            .flat_map(|(_, alerts)| alerts.iter().copied())
            .unique_by_fingerprint()
            .map(|a| &a.alert),
    );
    let total_groups = all.len();
    let view = |labels: Labels, alerts: Vec<&MergedAlert>, first: usize, take: usize| {
        let worst_severity = super::worst_severity(&alerts).unwrap_or_default();
        let shown = alerts.len().saturating_sub(first).min(take);
        GroupView {
            id: group_id(&labels),
            counts: Counts::of(alerts.iter().map(|a| &a.alert)),
            worst_severity,
            first_alert: first.min(alerts.len()),
            // Only what the page shows is copied.
            alerts: alerts.into_iter().skip(first).take(take).cloned().collect(),
            shown,
            rows: Default::default(),
            labels,
        }
    };
    if let Some(id) = only {
        let groups: Vec<GroupView> = all
            .into_iter()
            .filter(|(labels, _)| group_id(labels) == id)
            .map(|(labels, alerts)| view(labels, alerts, page * ALERTS_PER_PAGE, ALERTS_PER_PAGE))
            .collect();
        return GroupsPage {
            counts,
            total_groups,
            first_group: 0,
            groups,
        };
    }
    let first_group = (page * GROUPS_PER_PAGE).min(total_groups);
    let groups = all
        .into_iter()
        .skip(first_group)
        .take(GROUPS_PER_PAGE)
        .enumerate()
        .map(|(i, (labels, alerts))| {
            let shown = if i < OPEN_GROUPS { ALERTS_PER_GROUP } else { 0 };
            view(labels, alerts, 0, shown)
        })
        .collect();
    GroupsPage {
        counts,
        total_groups,
        first_group,
        groups,
    }
}

trait UniqueByFingerprint<'a>: Iterator<Item = &'a MergedAlert> + Sized {
    /// An alert routed to several receivers is in several groups: count it once.
    fn unique_by_fingerprint(self) -> impl Iterator<Item = &'a MergedAlert> {
        let mut seen = HashSet::new();
        self.filter(move |a| seen.insert(a.alert.fingerprint.as_str()))
    }
}

impl<'a, I: Iterator<Item = &'a MergedAlert>> UniqueByFingerprint<'a> for I {}

/// How many distinct current alerts each silence mutes, in one pass over the alerts as reported
/// (an alert reported by several instances or receivers counts once per silence).
pub fn mutes<'a>(alerts: impl IntoIterator<Item = &'a AmAlert>) -> HashMap<String, usize> {
    let mut out: HashMap<String, usize> = HashMap::new();
    let mut seen = HashSet::new();
    for a in alerts {
        for id in &a.status.silenced_by {
            if seen.insert((a.fingerprint.as_str(), id.as_str())) {
                *out.entry(id.clone()).or_default() += 1;
            }
        }
    }
    out
}

/// A silence as the list shows it, with how many current alerts it mutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilenceRow {
    pub silence: Silence,
    pub mutes: usize,
}

/// A cluster's page of silences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SilencesPage {
    /// Every silence of the cluster by state (`active`, `pending`, `expired`), before the search.
    pub by_state: Vec<(String, usize)>,
    /// Silences that matched the search and state.
    pub matched: usize,
    pub first: usize,
    /// The page's silences; the page shows them through `table` and never reads them in the
    /// browser.
    #[serde(with = "crate::model::drawn::held", default)]
    pub rows: Vec<SilenceRow>,
    /// How many are shown (`rows.len()`, which hydration data leaves out).
    pub shown: usize,
    /// The rows drawn on the server (the page fills them in).
    #[serde(default)]
    pub table: crate::model::drawn::Drawn,
}

/// Does `s` match the search text: a substring (any case) of its matchers, author, comment or id.
pub fn silence_matches(s: &Silence, search: &str) -> bool {
    let needle = search.trim().to_lowercase();
    if needle.is_empty() {
        return true;
    }
    let matchers = s
        .matchers()
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    [matchers.as_str(), &s.created_by, &s.comment, &s.id]
        .iter()
        .any(|t| t.to_lowercase().contains(&needle))
}

/// Page `page` (from 0) of `silences` that match `search` and `state` (empty: every one not
/// expired; `all`; or one state), active and pending first, then expired; newest end first.
pub fn silences_page(
    silences: &[Silence],
    mutes: &HashMap<String, usize>,
    search: &str,
    state: &str,
    page: usize,
) -> SilencesPage {
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for s in silences {
        *by_state.entry(s.status.state.as_str()).or_default() += 1;
    }
    let state = state.trim();
    let mut hits: Vec<&Silence> = silences
        .iter()
        .filter(|s| match state {
            "" => s.status.state != "expired",
            "all" => true,
            one => s.status.state == one,
        })
        .filter(|s| silence_matches(s, search))
        .collect();
    hits.sort_by(|a, b| {
        let rank = |s: &Silence| u8::from(s.status.state == "expired");
        rank(a)
            .cmp(&rank(b))
            .then_with(|| b.ends_at.cmp(&a.ends_at))
    });
    let first = (page * SILENCES_PER_PAGE).min(hits.len());
    let rows: Vec<SilenceRow> = hits
        .iter()
        .skip(first)
        .take(SILENCES_PER_PAGE)
        .map(|s| SilenceRow {
            silence: (*s).clone(),
            mutes: mutes.get(&s.id).copied().unwrap_or(0),
        })
        .collect();
    SilencesPage {
        by_state: by_state
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect(),
        matched: hits.len(),
        first,
        shown: rows.len(),
        rows,
        table: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerting::AmAlertStatus;

    fn alert(fp: &str, service: &str, severity: &str, state: &str) -> MergedAlert {
        let labels: Labels = [
            ("alertname".to_string(), "HighErrorRate".to_string()),
            ("service".to_string(), service.to_string()),
            ("severity".to_string(), severity.to_string()),
        ]
        .into();
        MergedAlert {
            alert: AmAlert {
                labels,
                fingerprint: fp.to_string(),
                status: AmAlertStatus {
                    state: state.to_string(),
                    ..Default::default()
                },
                ..Default::default()
            },
            seen_by: vec!["am".into()],
            dashboard: None,
            prometheus_url: None,
        }
    }

    /// `services` groups (one per service) of `per` alerts each; every third alert critical.
    fn fleet(services: usize, per: usize) -> Vec<MergedGroup> {
        (0..services)
            .map(|s| {
                let service = format!("svc-{s:03}");
                MergedGroup {
                    cluster: "c".into(),
                    receiver: "r".into(),
                    labels: [("service".to_string(), service.clone())].into(),
                    alerts: (0..per)
                        .map(|i| {
                            let sev = if i.is_multiple_of(3) {
                                "critical"
                            } else {
                                "warning"
                            };
                            let state = if i.is_multiple_of(5) {
                                "suppressed"
                            } else {
                                "active"
                            };
                            alert(&format!("{s}-{i}"), &service, sev, state)
                        })
                        .collect(),
                }
            })
            .collect()
    }

    #[test]
    fn a_page_holds_fifty_groups_the_first_ten_open_and_counts_stay_exact() {
        let groups = fleet(120, 30);
        let page = groups_page(&groups, &[], "", 0, None);
        assert_eq!(page.total_groups, 120);
        assert_eq!(page.groups.len(), GROUPS_PER_PAGE);
        assert_eq!(page.counts.total, 3_600);
        assert_eq!(
            page.counts.by_severity,
            vec![("critical".into(), 1_200), ("warning".into(), 2_400)]
        );
        assert_eq!((page.counts.active, page.counts.suppressed), (2_880, 720));
        let open: Vec<usize> = page.groups.iter().map(|g| g.alerts.len()).collect();
        assert_eq!(open[..OPEN_GROUPS], [ALERTS_PER_GROUP; OPEN_GROUPS]);
        assert!(open[OPEN_GROUPS..].iter().all(|n| *n == 0));
        assert!(page.groups.iter().all(|g| g.counts.total == 30));
        let last = groups_page(&groups, &[], "", 2, None);
        assert_eq!((last.first_group, last.groups.len()), (100, 20));
        let beyond = groups_page(&groups, &[], "", 9, None);
        assert!(beyond.groups.is_empty());
    }

    #[test]
    fn one_group_pages_its_alerts_and_the_filter_counts_what_it_keeps() {
        let groups = fleet(20, 250);
        let id = group_id(&groups[7].labels);
        let second = groups_page(&groups, &[], "", 1, Some(&id));
        assert_eq!(second.groups.len(), 1);
        assert_eq!(second.groups[0].labels["service"], "svc-007");
        assert_eq!(
            (second.groups[0].first_alert, second.groups[0].alerts.len()),
            (100, 100)
        );
        let critical = crate::model::matchers::parse_matchers(r#"severity="critical""#).unwrap();
        let page = groups_page(&groups, &critical, "", 0, None);
        assert_eq!(page.counts.total, 20 * 84);
        assert_eq!(page.counts.by_severity, vec![("critical".into(), 20 * 84)]);
    }

    #[test]
    fn group_ids_are_stable_and_distinct() {
        let a: Labels = [("service".to_string(), "a".to_string())].into();
        let b: Labels = [("service".to_string(), "b".to_string())].into();
        assert_eq!(group_id(&a), group_id(&a.clone()));
        assert_ne!(group_id(&a), group_id(&b));
        assert_eq!(group_id(&a).len(), 16);
    }

    #[test]
    fn silences_are_searched_counted_and_paged() {
        let silence = |i: usize, state: &str| -> Silence {
            serde_json::from_value(serde_json::json!({
                "id": format!("id-{i}"),
                "matchers": [{"name": "service", "value": format!("svc-{i}"), "isRegex": false, "isEqual": true}],
                "startsAt": "2026-11-30T00:00:00Z",
                "endsAt": format!("2026-12-{:02}T00:00:00Z", 1 + i % 28),
                "createdBy": if i.is_multiple_of(2) { "alice" } else { "bob" },
                "comment": format!("maintenance {i}"),
                "status": {"state": state}
            }))
            .unwrap()
        };
        let silences: Vec<Silence> = (0..130)
            .map(|i| silence(i, if i < 100 { "active" } else { "expired" }))
            .collect();
        let mutes: HashMap<String, usize> = [("id-3".to_string(), 7)].into();
        let all = silences_page(&silences, &mutes, "", "all", 0);
        assert_eq!(
            all.by_state,
            vec![("active".into(), 100), ("expired".into(), 30)]
        );
        assert_eq!((all.matched, all.rows.len()), (130, SILENCES_PER_PAGE));
        assert!(all.rows.iter().all(|r| r.silence.status.state == "active"));
        assert_eq!(silences_page(&silences, &mutes, "", "", 0).matched, 100);
        let bob = silences_page(&silences, &mutes, "BOB", "active", 0);
        assert_eq!(bob.matched, 50);
        let one = silences_page(&silences, &mutes, "svc-3\"", "all", 0);
        assert_eq!((one.matched, one.rows[0].mutes), (1, 7));
        let last = silences_page(&silences, &mutes, "", "all", 2);
        assert_eq!((last.first, last.rows.len()), (100, 30));
    }

    #[test]
    fn rule_groups_are_paged_with_the_first_open_and_counts_over_all() {
        let rule = |name: String, state: &str| -> Rule {
            serde_json::from_value(serde_json::json!({
                "type": "alerting", "name": name, "query": "up == 0", "state": state,
                "labels": {"severity": "warning"}
            }))
            .unwrap()
        };
        let groups: Vec<RuleGroup> = (0..120)
            .map(|g| RuleGroup {
                name: format!("group-{g:03}"),
                file: format!("/rules/file-{}.yml", g % 4),
                interval: 15.0,
                rules: (0..10)
                    .map(|r| {
                        rule(
                            format!("Rule{g}x{r}"),
                            if r == 0 { "firing" } else { "inactive" },
                        )
                    })
                    .collect(),
            })
            .collect();
        let page = rules_page(&groups, &[], &[], "", 0, None);
        assert_eq!(page.total_groups, 120);
        assert_eq!((page.counts.firing, page.counts.inactive), (120, 1_080));
        assert_eq!(page.groups.len(), RULE_GROUPS_PER_PAGE);
        assert!(page.groups[..OPEN_RULE_GROUPS]
            .iter()
            .all(|g| g.rules.len() == 10));
        assert!(page.groups[OPEN_RULE_GROUPS..]
            .iter()
            .all(|g| g.rules.is_empty()));
        assert!(page
            .groups
            .iter()
            .all(|g| g.counts.firing == 1 && g.counts.inactive == 9));
        let last = rules_page(&groups, &[], &[], "", 2, None);
        assert_eq!((last.first_group, last.groups.len()), (100, 20));
        let firing = rules_page(&groups, &["firing".into()], &[], "", 0, None);
        assert_eq!(firing.total_groups, 120);
        assert_eq!(firing.groups[0].rules.len(), 1);
        let id = rule_group_id("/rules/file-3.yml", "group-107");
        let one = rules_page(&groups, &[], &[], "", 0, Some(&id));
        assert_eq!(one.groups.len(), 1);
        assert_eq!(one.groups[0].rules.len(), 10);
        let searched = rules_page(&groups, &[], &[], "rule42x", 0, None);
        assert_eq!((searched.total_groups, searched.counts.firing), (1, 1));
    }
}
