//! The embedding protocol, version 1: how a portal page that frames the console talks to it with
//! `postMessage`. The host sets the time range, variables, theme, timezone and comparison; the
//! embedded page reports that it is ready, its content height (for auto-resize), zooms and
//! clicks. Messages from origins outside `[embedding] allowed_origins` are ignored. Pure: the
//! browser side is `components::embed`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const VERSION: u32 = 1;

/// A variable's value(s) as the host sends them: one string or a list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum VarValue {
    One(String),
    Many(Vec<String>),
}

/// `{"type": "octoscope:set", "version": 1, …}`: every field optional; what is absent stays.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Set {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub version: Option<u32>,
    pub from: Option<String>,
    pub to: Option<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, VarValue>,
    pub theme: Option<String>,
    pub timezone: Option<String>,
    /// A time shift (`1w`), or `""` to stop comparing.
    pub compare: Option<String>,
}

/// What the embedded page tells its host.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Report {
    /// Hydrated and listening; `path` and `search` say what it shows.
    #[serde(rename = "octoscope:ready")]
    Ready {
        version: u32,
        path: String,
        search: String,
        height: u32,
    },
    /// The content's height changed (px): size the iframe to it.
    #[serde(rename = "octoscope:resize")]
    Resize { version: u32, height: u32 },
    /// The user zoomed (dragged over a chart): the new range, as the URL now has it.
    #[serde(rename = "octoscope:zoom")]
    Zoom {
        version: u32,
        from: String,
        to: String,
    },
    /// The user clicked a chart: the panel, the series nearest the pointer, the time (epoch ms).
    #[serde(rename = "octoscope:click")]
    Click {
        version: u32,
        panel: u32,
        series: Option<String>,
        time: i64,
    },
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Reads a host message (its JSON). A message of another type or a newer version is refused
/// with the reason (the page logs it); unknown fields are refused too, so a typo is seen.
pub fn parse_set(json: &str) -> Result<Set, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a JSON object: {e}"))?;
    let kind = value["type"].as_str().unwrap_or_default();
    if kind != "octoscope:set" {
        return Err(format!(
            "unknown message type {kind:?}; this page takes \"octoscope:set\""
        ));
    }
    let set: Set = serde_json::from_value(value).map_err(|e| format!("octoscope:set: {e}"))?;
    if let Some(v) = set.version.filter(|v| *v > VERSION) {
        return Err(format!(
            "octoscope:set version {v} is newer than this console's ({VERSION})"
        ));
    }
    if let Some(t) = set.theme.as_deref() {
        if !matches!(t, "light" | "dark" | "system") {
            return Err(format!("theme {t:?}: use light, dark or system"));
        }
    }
    Ok(set)
}

/// The page's URL parameters after `set`: each field it names replaced (a variable's values
/// replaced whole), the others kept in order. `system` theme and an empty compare remove theirs.
pub fn apply(pairs: &[(String, String)], set: &Set) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| {
            let replaced = |name: &str, given: bool| given && k == name;
            !(replaced("from", set.from.is_some())
                || replaced("to", set.to.is_some())
                || replaced("theme", set.theme.is_some())
                || replaced("timezone", set.timezone.is_some())
                || replaced("compare", set.compare.is_some())
                || k.strip_prefix("var-")
                    .is_some_and(|n| set.vars.contains_key(n)))
        })
        .cloned()
        .collect();
    let mut push = |k: &str, v: &str| out.push((k.to_string(), v.to_string()));
    for (k, v) in [
        ("from", &set.from),
        ("to", &set.to),
        ("timezone", &set.timezone),
    ] {
        if let Some(v) = v {
            push(k, v);
        }
    }
    if let Some(t) = set.theme.as_deref().filter(|t| *t != "system") {
        push("theme", t);
    }
    if let Some(c) = set.compare.as_deref().filter(|c| !c.is_empty()) {
        push("compare", c);
    }
    for (name, value) in &set.vars {
        let key = format!("var-{name}");
        match value {
            VarValue::One(v) => push(&key, v),
            VarValue::Many(vs) => vs.iter().for_each(|v| push(&key, v)),
        }
    }
    out
}

/// Whether `origin` (a `MessageEvent`'s) is one of `allowed` (scheme, host and port exactly;
/// a trailing slash in the setting is tolerated).
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    !origin.is_empty()
        && origin != "null"
        && allowed.iter().any(|a| a.trim_end_matches('/') == origin)
}

/// The origin of the page framing this one, when it is an allowed one: the browser's
/// `location.ancestorOrigins[0]`, else the origin of `document.referrer`. Reports go only there.
pub fn host_origin(ancestor: Option<&str>, referrer: &str, allowed: &[String]) -> Option<String> {
    let from_referrer = || {
        let (scheme, rest) = referrer.split_once("://")?;
        let host = rest.split(['/', '?', '#']).next()?;
        Some(format!("{scheme}://{host}"))
    };
    ancestor
        .map(str::to_string)
        .or_else(from_referrer)
        .filter(|o| origin_allowed(o, allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_set_replaces_what_it_names_and_keeps_the_rest() {
        let set = parse_set(
            r#"{"type":"octoscope:set","version":1,"from":"now-30m","to":"now","vars":{"namespace":"octollm-staging","pod":["a","b"]},"theme":"dark"}"#,
        )
        .unwrap();
        let url = pairs(&[
            ("kiosk", ""),
            ("from", "now-1h"),
            ("var-namespace", "octollm-prod"),
            ("var-pod", "x"),
            ("timezone", "utc"),
        ]);
        assert_eq!(
            apply(&url, &set),
            pairs(&[
                ("kiosk", ""),
                ("timezone", "utc"),
                ("from", "now-30m"),
                ("to", "now"),
                ("theme", "dark"),
                ("var-namespace", "octollm-staging"),
                ("var-pod", "a"),
                ("var-pod", "b"),
            ])
        );
        let off = parse_set(r#"{"type":"octoscope:set","theme":"system","compare":""}"#).unwrap();
        assert_eq!(
            apply(&pairs(&[("theme", "light"), ("compare", "1w")]), &off),
            vec![]
        );
    }

    #[test]
    fn other_messages_newer_versions_and_typos_are_refused_with_the_reason() {
        assert!(parse_set(r#"{"type":"resize"}"#)
            .unwrap_err()
            .contains("octoscope:set"));
        assert!(parse_set(r#"{"type":"octoscope:set","version":2}"#)
            .unwrap_err()
            .contains("newer"));
        assert!(parse_set(r#"{"type":"octoscope:set","form":"now-1h"}"#)
            .unwrap_err()
            .contains("form"));
        assert!(parse_set(r#"{"type":"octoscope:set","theme":"pink"}"#).is_err());
        assert!(parse_set("not json").is_err());
    }

    #[test]
    fn only_listed_origins_are_heard_and_reported_to() {
        let allowed = vec!["http://127.0.0.1:3101/".to_string()];
        assert!(origin_allowed("http://127.0.0.1:3101", &allowed));
        assert!(!origin_allowed("http://localhost:3101", &allowed));
        assert!(!origin_allowed("null", &allowed));
        assert_eq!(
            host_origin(None, "http://127.0.0.1:3101/portal?x=1", &allowed).as_deref(),
            Some("http://127.0.0.1:3101")
        );
        assert_eq!(host_origin(Some("http://evil.example"), "", &allowed), None);
        assert_eq!(host_origin(None, "", &allowed), None);
    }

    #[test]
    fn reports_are_tagged_json() {
        let r = Report::Zoom {
            version: VERSION,
            from: "1".into(),
            to: "2".into(),
        };
        assert_eq!(
            r.to_json(),
            r#"{"type":"octoscope:zoom","version":1,"from":"1","to":"2"}"#
        );
    }
}
