//! The alert list panel (`alertlist`) over Alertmanager's v2 alerts: Grafana's options (`maxItems`,
//! `alertName`, `alertInstanceLabelFilter`, `sortOrder`, `viewMode`, `stateFilter.firing`; the
//! legacy panel's `limit`, `stateFilter: ["alerting"]`) plus two keys of Octoscope's own in the same
//! `stateFilter` object, `silenced` and `inhibited` (default on): suppressed alerts are listed as
//! such, or hidden and counted, which Grafana's panel cannot do (grafana#43855, #107335). Pure.

use crate::model::alerting::{severity_rank, MergedAlert, MergedGroup};
use crate::model::matchers::{matches_all, parse_matchers, Matcher};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;

/// Grafana's default `maxItems`.
const DEFAULT_MAX_ITEMS: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertSort {
    NameAsc,
    NameDesc,
    /// Severity, then the oldest first.
    Importance,
    OldestFirst,
    NewestFirst,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertListOptions {
    pub max_items: usize,
    /// Part of the alert name (any case).
    pub name: String,
    /// Label matchers as Alertmanager writes them (`{severity="critical"}`).
    pub label_filter: String,
    pub firing: bool,
    pub silenced: bool,
    pub inhibited: bool,
    pub sort: AlertSort,
    /// `viewMode: stat`: only the count.
    pub stat: bool,
}

impl Default for AlertListOptions {
    fn default() -> Self {
        Self {
            max_items: DEFAULT_MAX_ITEMS,
            name: String::new(),
            label_filter: String::new(),
            firing: true,
            silenced: true,
            inhibited: true,
            sort: AlertSort::NameAsc,
            stat: false,
        }
    }
}

impl AlertListOptions {
    pub fn from_json(opts: &Value, panel: &Value) -> Self {
        let d = Self::default();
        let str_of = |v: &Value, k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let state = opts.get("stateFilter").or_else(|| panel.get("stateFilter"));
        let flag = |k: &str, default: bool| {
            state
                .and_then(|s| s.get(k))
                .and_then(Value::as_bool)
                .unwrap_or(default)
        };
        // The legacy panel lists states: firing is on when "alerting" is among them (or none).
        let firing = match state {
            Some(Value::Array(states)) => {
                states.is_empty() || states.iter().any(|s| s == "alerting")
            }
            _ => flag("firing", d.firing),
        };
        Self {
            max_items: opts
                .get("maxItems")
                .or_else(|| panel.get("limit"))
                .and_then(Value::as_u64)
                .map_or(d.max_items, |m| m as usize),
            name: str_of(opts, "alertName"),
            label_filter: str_of(opts, "alertInstanceLabelFilter"),
            firing,
            silenced: flag("silenced", d.silenced),
            inhibited: flag("inhibited", d.inhibited),
            sort: match opts.get("sortOrder").and_then(Value::as_u64) {
                Some(2) => AlertSort::NameDesc,
                Some(3) => AlertSort::Importance,
                Some(4) => AlertSort::OldestFirst,
                Some(5) => AlertSort::NewestFirst,
                _ => d.sort,
            },
            stat: opts.get("viewMode").and_then(Value::as_str) == Some("stat"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shown {
    Firing,
    Silenced,
    Inhibited,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertItem {
    pub name: String,
    pub severity: String,
    pub state: Shown,
    pub starts_at: String,
    pub summary: String,
    /// The labels besides the name, as `k=v` (what tells instances apart).
    pub labels: String,
    /// The alert groups page showing this alert.
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AlertList {
    pub items: Vec<AlertItem>,
    /// Alerts passing every filter (more than `items` when `maxItems` cut the list).
    pub matched: usize,
    /// Alerts matching name and labels that the state filter hides, by state.
    pub hidden_silenced: usize,
    pub hidden_inhibited: usize,
    pub hidden_firing: usize,
    /// Why the label filter was not applied, if it could not be read.
    pub filter_error: Option<String>,
}

fn shown(a: &MergedAlert) -> Shown {
    let s = &a.alert.status;
    if s.state == "active" || s.state.is_empty() {
        Shown::Firing
    } else if !s.silenced_by.is_empty() || !s.muted_by.is_empty() {
        Shown::Silenced
    } else if !s.inhibited_by.is_empty() {
        Shown::Inhibited
    } else {
        // "unprocessed": not yet routed, so not suppressed either.
        Shown::Firing
    }
}

/// Every alert of `groups` once (an alert routed to two receivers is in two groups), filtered,
/// sorted and cut to `maxItems`.
pub fn select(groups: &[&MergedGroup], o: &AlertListOptions) -> AlertList {
    let (matchers, filter_error): (Vec<Matcher>, Option<String>) =
        match o.label_filter.trim() {
            "" => (Vec::new(), None),
            text => match parse_matchers(text) {
                Ok(m) => (m, None),
                Err(e) => (
                    Vec::new(),
                    Some(format!(
                        "the label filter {text:?} is not Alertmanager matchers ({e}); showing alerts of any labels"
                    )),
                ),
            },
        };
    let name = o.name.to_lowercase();
    let mut seen = HashSet::new();
    let mut out = AlertList {
        filter_error,
        ..Default::default()
    };
    let mut kept: Vec<(&MergedAlert, Shown)> = Vec::new();
    for a in groups.iter().flat_map(|g| g.alerts.iter()) {
        let labels = &a.alert.labels;
        let alertname = labels.get("alertname").map(String::as_str).unwrap_or("");
        if !seen.insert(a.alert.fingerprint.as_str())
            || !alertname.to_lowercase().contains(&name)
            || !matches_all(&matchers, labels)
        {
            continue;
        }
        let state = shown(a);
        let (on, hidden) = match state {
            Shown::Firing => (o.firing, &mut out.hidden_firing),
            Shown::Silenced => (o.silenced, &mut out.hidden_silenced),
            Shown::Inhibited => (o.inhibited, &mut out.hidden_inhibited),
        };
        if on {
            kept.push((a, state));
        } else {
            *hidden += 1;
        }
    }
    let key_name = |a: &MergedAlert| a.alert.labels.get("alertname").cloned().unwrap_or_default();
    match o.sort {
        AlertSort::NameAsc => kept.sort_by_key(|(a, _)| key_name(a)),
        AlertSort::NameDesc => kept.sort_by_key(|(a, _)| std::cmp::Reverse(key_name(a))),
        AlertSort::Importance => kept.sort_by(|(a, _), (b, _)| {
            let rank =
                |x: &MergedAlert| severity_rank(x.alert.labels.get("severity").map(String::as_str));
            (rank(a), &a.alert.starts_at).cmp(&(rank(b), &b.alert.starts_at))
        }),
        AlertSort::OldestFirst => {
            kept.sort_by(|(a, _), (b, _)| a.alert.starts_at.cmp(&b.alert.starts_at))
        }
        AlertSort::NewestFirst => {
            kept.sort_by(|(a, _), (b, _)| b.alert.starts_at.cmp(&a.alert.starts_at))
        }
    }
    out.matched = kept.len();
    out.items = kept
        .into_iter()
        .take(if o.stat { 0 } else { o.max_items })
        .map(|(a, state)| {
            let l = &a.alert.labels;
            AlertItem {
                name: l.get("alertname").cloned().unwrap_or_default(),
                severity: l.get("severity").cloned().unwrap_or_default(),
                state,
                starts_at: a.alert.starts_at.clone(),
                summary: a
                    .alert
                    .annotations
                    .get("summary")
                    .or_else(|| a.alert.annotations.get("description"))
                    .cloned()
                    .unwrap_or_default(),
                labels: l
                    .iter()
                    .filter(|(k, _)| *k != "alertname" && *k != "severity")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                href: crate::model::links::alert_groups(&crate::model::links::matchers_text(l)),
            }
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alerting::{AmAlert, AmAlertStatus};
    use serde_json::json;

    fn alert(fp: &str, name: &str, severity: &str, status: AmAlertStatus, at: &str) -> MergedAlert {
        MergedAlert {
            alert: AmAlert {
                fingerprint: fp.into(),
                labels: [
                    ("alertname", name),
                    ("severity", severity),
                    ("service", "planner"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
                starts_at: at.into(),
                status,
                ..Default::default()
            },
            seen_by: vec![],
            dashboard: None,
            prometheus_url: None,
        }
    }

    fn status(state: &str, silenced: &[&str], inhibited: &[&str]) -> AmAlertStatus {
        AmAlertStatus {
            state: state.into(),
            silenced_by: silenced.iter().map(|s| s.to_string()).collect(),
            inhibited_by: inhibited.iter().map(|s| s.to_string()).collect(),
            muted_by: vec![],
        }
    }

    fn groups() -> Vec<MergedGroup> {
        let alerts = vec![
            alert(
                "1",
                "HighErrorRate",
                "critical",
                status("active", &[], &[]),
                "2026-12-01T10:00:00Z",
            ),
            alert(
                "2",
                "ServiceDown",
                "critical",
                status("suppressed", &["s1"], &[]),
                "2026-12-01T09:00:00Z",
            ),
            alert(
                "3",
                "ArmDown",
                "warning",
                status("suppressed", &[], &["1"]),
                "2026-12-01T11:00:00Z",
            ),
            alert(
                "4",
                "DiskSpaceLow",
                "warning",
                status("active", &[], &[]),
                "2026-12-01T08:00:00Z",
            ),
        ];
        let group = |alerts: Vec<MergedAlert>| MergedGroup {
            cluster: "c".into(),
            receiver: "r".into(),
            labels: Default::default(),
            alerts,
        };
        // Alert 1 is routed to a second receiver too: listed once.
        vec![group(alerts.clone()), group(vec![alerts[0].clone()])]
    }

    fn names(l: &AlertList) -> Vec<(&str, Shown)> {
        l.items.iter().map(|i| (i.name.as_str(), i.state)).collect()
    }

    #[test]
    fn silenced_and_inhibited_alerts_are_listed_as_such_once_each() {
        let g = groups();
        let l = select(&g.iter().collect::<Vec<_>>(), &AlertListOptions::default());
        assert_eq!(l.matched, 4);
        assert_eq!(
            names(&l),
            [
                ("ArmDown", Shown::Inhibited),
                ("DiskSpaceLow", Shown::Firing),
                ("HighErrorRate", Shown::Firing),
                ("ServiceDown", Shown::Silenced)
            ]
        );
    }

    #[test]
    fn suppressed_alerts_can_be_hidden_and_are_counted() {
        let g = groups();
        let o = AlertListOptions::from_json(
            &json!({"stateFilter": {"firing": true, "silenced": false, "inhibited": false}, "sortOrder": 3, "maxItems": 1}),
            &json!({}),
        );
        let l = select(&g.iter().collect::<Vec<_>>(), &o);
        assert_eq!(
            (l.matched, l.hidden_silenced, l.hidden_inhibited),
            (2, 1, 1)
        );
        // Importance: both critical-or-warning firing ones; critical first.
        assert_eq!(names(&l), [("HighErrorRate", Shown::Firing)]);
    }

    #[test]
    fn name_and_label_filters_and_newest_first() {
        let g = groups();
        let o = AlertListOptions::from_json(
            &json!({"alertName": "down", "alertInstanceLabelFilter": "{severity=\"warning\"}", "sortOrder": 5}),
            &json!({}),
        );
        let l = select(&g.iter().collect::<Vec<_>>(), &o);
        assert_eq!(names(&l), [("ArmDown", Shown::Inhibited)]);
        let bad = AlertListOptions {
            label_filter: "{severity=".into(),
            ..Default::default()
        };
        let l = select(&g.iter().collect::<Vec<_>>(), &bad);
        assert_eq!(l.matched, 4);
        assert!(l
            .filter_error
            .unwrap()
            .contains("not Alertmanager matchers"));
    }

    #[test]
    fn the_legacy_panel_and_stat_view_are_read() {
        let legacy = AlertListOptions::from_json(
            &json!({}),
            &json!({"limit": 5, "stateFilter": ["no_data"]}),
        );
        assert_eq!((legacy.max_items, legacy.firing), (5, false));
        let stat = AlertListOptions::from_json(&json!({"viewMode": "stat"}), &json!({}));
        let g = groups();
        let l = select(&g.iter().collect::<Vec<_>>(), &stat);
        assert_eq!((l.matched, l.items.len()), (4, 0));
    }
}
