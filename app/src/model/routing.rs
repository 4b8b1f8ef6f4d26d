//! Alertmanager's routing tree and inhibit rules, read from its configuration (the YAML in
//! `/api/v2/status`), and the route tester: which routes an alert with given labels matches,
//! which receivers get it, which inhibit rules could suppress it. Secrets never leave here:
//! receivers keep only their name and integration types. Pure.

use super::matchers::{matches_all, parse_matchers, MatchType, Matcher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteNode {
    pub receiver: String,
    pub matchers: Vec<Matcher>,
    pub group_by: Vec<String>,
    pub group_wait: Option<String>,
    pub group_interval: Option<String>,
    pub repeat_interval: Option<String>,
    pub cont: bool,
    pub routes: Vec<RouteNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InhibitRule {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiverInfo {
    pub name: String,
    /// Integration types (`webhook`, `pagerduty`, `slack`, …), never their URLs or keys.
    pub integrations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmConfig {
    pub route: RouteNode,
    pub inhibit_rules: Vec<InhibitRule>,
    pub receivers: Vec<ReceiverInfo>,
}

fn str_list(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Matchers of a route or inhibit rule: `matchers:` (strings), and the deprecated `match:` /
/// `match_re:` maps, under the given key prefix (`""`, `source_`, `target_`).
fn matchers_of(v: &serde_json::Value, prefix: &str) -> Result<Vec<Matcher>, String> {
    let mut out = Vec::new();
    for m in str_list(v.get(format!("{prefix}matchers"))) {
        out.extend(parse_matchers(&m).map_err(|e| format!("matcher {m:?}: {e}"))?);
    }
    for (key, kind) in [
        (format!("{prefix}match"), MatchType::Equal),
        (format!("{prefix}match_re"), MatchType::Regex),
    ] {
        if let Some(obj) = v.get(&key).and_then(|m| m.as_object()) {
            for (name, value) in obj {
                let value = value.as_str().unwrap_or_default();
                out.push(
                    Matcher::new(name, kind, value).map_err(|e| format!("{key}.{name}: {e}"))?,
                );
            }
        }
    }
    Ok(out)
}

fn route_of(v: &serde_json::Value, parent: Option<&RouteNode>) -> Result<RouteNode, String> {
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    // Unset settings are inherited from the parent route, as Alertmanager does.
    let mut node = RouteNode {
        receiver: text("receiver")
            .or_else(|| parent.map(|p| p.receiver.clone()))
            .unwrap_or_default(),
        matchers: matchers_of(v, "")?,
        group_by: match v.get("group_by") {
            Some(g) => str_list(Some(g)),
            None => parent.map(|p| p.group_by.clone()).unwrap_or_default(),
        },
        group_wait: text("group_wait").or_else(|| parent.and_then(|p| p.group_wait.clone())),
        group_interval: text("group_interval")
            .or_else(|| parent.and_then(|p| p.group_interval.clone())),
        repeat_interval: text("repeat_interval")
            .or_else(|| parent.and_then(|p| p.repeat_interval.clone())),
        cont: v.get("continue").and_then(|c| c.as_bool()).unwrap_or(false),
        routes: Vec::new(),
    };
    let children = v
        .get("routes")
        .and_then(|r| r.as_array())
        .cloned()
        .unwrap_or_default();
    let mut routes = Vec::new();
    for c in &children {
        routes.push(route_of(c, Some(&node))?);
    }
    node.routes = routes;
    Ok(node)
}

/// Reads the configuration (already parsed from YAML into JSON values).
pub fn parse_config(v: &serde_json::Value) -> Result<AmConfig, String> {
    let route = route_of(
        v.get("route").ok_or("the configuration has no route")?,
        None,
    )?;
    let mut inhibit_rules = Vec::new();
    for r in v
        .get("inhibit_rules")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
    {
        inhibit_rules.push(InhibitRule {
            source: matchers_of(r, "source_")?,
            target: matchers_of(r, "target_")?,
            equal: str_list(r.get("equal")),
        });
    }
    let receivers = v
        .get("receivers")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .map(|r| ReceiverInfo {
            name: r
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string(),
            integrations: r
                .as_object()
                .map(|o| {
                    o.keys()
                        .filter_map(|k| k.strip_suffix("_configs").map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(AmConfig {
        route,
        inhibit_rules,
        receivers,
    })
}

/// One matched route: its path of child indexes from the root, and its receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteMatch {
    pub path: Vec<usize>,
    /// Each route's matchers from the root's first child down (`severity="critical"`).
    pub route: Vec<String>,
    pub receiver: String,
    pub group_by: Vec<String>,
    /// As the route sets or inherits them, else Alertmanager's defaults (30s, 5m, 4h).
    pub group_wait: String,
    pub group_interval: String,
    pub repeat_interval: String,
}

/// Alertmanager's matching: the root always matches; children are tried in order, a matching
/// child is descended into and stops its siblings unless it has `continue: true`; a node whose
/// children all miss is itself the match.
pub fn route_alert(root: &RouteNode, labels: &BTreeMap<String, String>) -> Vec<RouteMatch> {
    fn walk(
        node: &RouteNode,
        path: &mut Vec<usize>,
        route: &mut Vec<String>,
        labels: &BTreeMap<String, String>,
        out: &mut Vec<RouteMatch>,
    ) {
        let mut matched_child = false;
        for (i, child) in node.routes.iter().enumerate() {
            if !matches_all(&child.matchers, labels) {
                continue;
            }
            matched_child = true;
            path.push(i);
            route.push(
                child
                    .matchers
                    .iter()
                    .map(|m| m.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            walk(child, path, route, labels, out);
            path.pop();
            route.pop();
            if !child.cont {
                break;
            }
        }
        if !matched_child {
            let or = |v: &Option<String>, default: &str| v.clone().unwrap_or(default.into());
            out.push(RouteMatch {
                path: path.clone(),
                route: route.clone(),
                receiver: node.receiver.clone(),
                group_by: node.group_by.clone(),
                group_wait: or(&node.group_wait, "30s"),
                group_interval: or(&node.group_interval, "5m"),
                repeat_interval: or(&node.repeat_interval, "4h"),
            });
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut Vec::new(), labels, &mut out);
    out
}

/// Inhibit rules that target this alert, with the source alerts (label sets) that would
/// suppress it now (same values for every `equal` label).
pub fn inhibitions<'a>(
    rules: &'a [InhibitRule],
    labels: &BTreeMap<String, String>,
    firing: &'a [BTreeMap<String, String>],
) -> Vec<(&'a InhibitRule, Vec<&'a BTreeMap<String, String>>)> {
    rules
        .iter()
        .filter(|r| matches_all(&r.target, labels))
        .map(|r| {
            let sources = firing
                .iter()
                .filter(|s| matches_all(&r.source, s))
                .filter(|s| r.equal.iter().all(|e| s.get(e) == labels.get(e)))
                // An alert never inhibits itself.
                .filter(|s| *s != labels)
                .collect();
            (r, sources)
        })
        .collect()
}

/// Parses `a="b", c=d` label pairs for the route tester (only `=`: an alert has values).
pub fn parse_label_pairs(text: &str) -> Result<BTreeMap<String, String>, String> {
    let ms = parse_matchers(text).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for m in ms {
        if m.kind != MatchType::Equal {
            return Err(format!(
                "{} uses {}: an alert has plain values, write {}=\"value\"",
                m.name,
                m.kind.op(),
                m.name
            ));
        }
        out.insert(m.name.clone(), m.value.clone());
    }
    if out.is_empty() {
        return Err("type at least one label, such as severity=\"critical\"".into());
    }
    Ok(out)
}

/// Where an alert with given labels would go in one Alertmanager, and what would stop it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTest {
    pub alertmanager: String,
    pub matches: Vec<RouteMatch>,
    /// (inhibit rule as text, firing alerts that would suppress this one now).
    pub inhibitions: Vec<(String, Vec<String>)>,
    /// (silence id, comment) of active silences that would mute it.
    pub silences: Vec<(String, String)>,
}

/// Tests the label set typed as `labels` (`severity="page", service="planner"`) against the
/// configuration of Alertmanager `alertmanager`, with the alerts firing and silences there now.
pub fn test_route(
    labels: &str,
    alertmanager: &str,
    config: &AmConfig,
    firing: &[BTreeMap<String, String>],
    silences: &[super::alerting::Silence],
) -> Result<RouteTest, String> {
    use super::links::matchers_text;
    let l = parse_label_pairs(labels)?;
    let text = |ms: &[Matcher]| {
        ms.iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(RouteTest {
        alertmanager: alertmanager.to_string(),
        matches: route_alert(&config.route, &l),
        inhibitions: inhibitions(&config.inhibit_rules, &l, firing)
            .into_iter()
            .map(|(r, sources)| {
                (
                    format!(
                        "source {{{}}} → target {{{}}}, equal [{}]",
                        text(&r.source),
                        text(&r.target),
                        r.equal.join(", ")
                    ),
                    sources.into_iter().map(matchers_text).collect(),
                )
            })
            .collect(),
        silences: silences
            .iter()
            .filter(|s| s.status.state == "active" && s.matches(&l))
            .map(|s| (s.id.clone(), s.comment.clone()))
            .collect(),
    })
}

// The tests read YAML, which only the server build links.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn demo() -> AmConfig {
        let text = std::fs::read_to_string(format!(
            "{}/../deploy/demo/alertmanager.yml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let yaml: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        parse_config(&yaml).unwrap()
    }

    fn labels(text: &str) -> BTreeMap<String, String> {
        parse_label_pairs(text).unwrap()
    }

    #[test]
    fn critical_pages_pagerduty_and_continues_to_slack() {
        // The monitoring guide's routing tree, as the demo ships it.
        let c = demo();
        let m = route_alert(
            &c.route,
            &labels(r#"alertname="ServiceDown", severity="critical", service="planner""#),
        );
        let receivers: Vec<&str> = m.iter().map(|r| r.receiver.as_str()).collect();
        assert_eq!(receivers, ["pagerduty", "slack"]);
        assert_eq!(
            m[0].group_by,
            ["alertname", "severity"],
            "inherited from the root"
        );
        // The guide's root timings, inherited; the route path as its matchers.
        let timings = |r: &RouteMatch| {
            (
                r.group_wait.clone(),
                r.group_interval.clone(),
                r.repeat_interval.clone(),
            )
        };
        assert_eq!(timings(&m[0]), ("10s".into(), "10s".into(), "12h".into()));
        assert_eq!(m[0].route, [r#"severity="critical""#]);
        assert_eq!(m[1].route, [r#"severity=~"warning|critical""#]);
        let m = route_alert(&c.route, &labels(r#"severity="warning""#));
        assert_eq!(
            m.iter().map(|r| r.receiver.as_str()).collect::<Vec<_>>(),
            ["slack"]
        );
        let m = route_alert(&c.route, &labels(r#"severity="page""#));
        assert_eq!(
            (m[0].receiver.as_str(), m[0].path.len()),
            ("team-notifications", 0)
        );
    }

    #[test]
    fn inhibit_rules_and_receivers_without_secrets() {
        let c = demo();
        assert_eq!(c.inhibit_rules.len(), 1);
        let kinds: Vec<(&str, Vec<String>)> = c
            .receivers
            .iter()
            .map(|r| (r.name.as_str(), r.integrations.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("team-notifications", vec!["email".to_string()]),
                ("slack", vec!["slack".to_string()]),
                ("pagerduty", vec!["pagerduty".to_string()]),
            ]
        );
        let target = labels(r#"alertname="HighErrorRate", severity="warning", instance="a:1""#);
        let firing = vec![
            labels(r#"alertname="HighErrorRate", severity="critical", instance="b:1""#),
            labels(r#"alertname="HighErrorRate", severity="critical", instance="a:1""#),
        ];
        let inh = inhibitions(&c.inhibit_rules, &target, &firing);
        // Critical mutes warning only for the same alertname and instance.
        let active: Vec<usize> = inh.iter().map(|(_, s)| s.len()).collect();
        assert_eq!(active, [1]);
    }

    #[test]
    fn label_pairs_are_validated() {
        assert!(parse_label_pairs(r#"severity=~"crit.*""#)
            .unwrap_err()
            .contains("plain values"));
        assert!(parse_label_pairs("").is_err());
        assert!(parse_label_pairs(r#"severity="critical" x"#).is_err());
    }

    #[test]
    fn legacy_match_and_inheritance() {
        let v: serde_json::Value = serde_yaml::from_str(
            "route:\n  receiver: a\n  group_wait: 1s\n  routes:\n    - match: {team: db}\n      receiver: b\n      routes:\n        - match_re: {severity: 'crit.*'}\n          receiver: c\nreceivers: [{name: a}, {name: b, slack_configs: [{api_url: 'https://secret'}]}, {name: c}]\n",
        )
        .unwrap();
        let c = parse_config(&v).unwrap();
        let m = route_alert(&c.route, &labels(r#"team="db", severity="critical""#));
        assert_eq!(
            (m[0].receiver.as_str(), m[0].path.clone()),
            ("c", vec![0, 0])
        );
        assert_eq!(
            c.route.routes[0].routes[0].group_wait.as_deref(),
            Some("1s")
        );
        // Unset anywhere on the path: Alertmanager's defaults.
        assert_eq!(
            (
                m[0].group_wait.as_str(),
                m[0].group_interval.as_str(),
                m[0].repeat_interval.as_str()
            ),
            ("1s", "5m", "4h")
        );
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            !json.contains("secret"),
            "receiver URLs never leave the server"
        );
    }
}
