//! Grafana dashboard URL parameters: `from`/`to` (relative, epoch ms, ISO 8601), `time` +
//! `time.window`, repeated `var-<name>`, `viewPanel` (`12` or `panel-12`), `panelId`, and
//! Octoscope's `compare` (a time shift such as `1w`). Pure.

use super::Dashboard;
use crate::model::duration::parse_ms;
use crate::model::time_range::{parse_time, TimeRange};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct DashParams {
    pub from: String,
    pub to: String,
    pub range: TimeRange,
    pub vars: BTreeMap<String, Vec<String>>,
    pub view_panel: Option<u32>,
    /// `utc`, `browser`, or an IANA id (URL `timezone`, else the dashboard's; empty = browser).
    pub timezone: String,
    /// `compare`: each range query also drawn this long ago (`super::compare`).
    pub compare_ms: Option<i64>,
    /// Problems with the parameters, shown above the panels (the dashboard still renders).
    pub notices: Vec<String>,
}

/// `12` or `panel-12`.
pub fn parse_panel_id(v: &str) -> Option<u32> {
    v.trim().trim_start_matches("panel-").parse().ok()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

pub fn parse(pairs: &[(String, String)], d: &Dashboard, now_ms: i64) -> DashParams {
    let mut notices = Vec::new();
    let mut from = get(pairs, "from").unwrap_or(&d.time_from).to_string();
    let mut to = get(pairs, "to").unwrap_or(&d.time_to).to_string();
    if let Some(time) = get(pairs, "time") {
        match parse_time(time, now_ms) {
            Ok(center) => {
                let window = get(pairs, "time.window")
                    .and_then(|w| w.parse::<i64>().ok().or_else(|| parse_ms(w)))
                    .unwrap_or(3_600_000);
                from = (center - window / 2).to_string();
                to = (center + window / 2).to_string();
            }
            Err(e) => notices.push(format!("time={time}: {e}")),
        }
    }
    let range = match TimeRange::parse(&from, &to, now_ms) {
        Ok(r) => r,
        Err(e) => {
            notices.push(format!(
                "the time range {from} to {to} is not valid ({e}); showing the dashboard's default"
            ));
            from = d.time_from.clone();
            to = d.time_to.clone();
            TimeRange::parse(&from, &to, now_ms).unwrap_or(TimeRange {
                from_ms: now_ms - 6 * 3_600_000,
                to_ms: now_ms,
            })
        }
    };
    let mut vars: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in pairs {
        if let Some(name) = k.strip_prefix("var-") {
            vars.entry(name.to_string()).or_default().push(v.clone());
        }
    }
    let view_panel = get(pairs, "viewPanel").and_then(parse_panel_id);
    let timezone = match get(pairs, "timezone").unwrap_or(&d.timezone).trim() {
        "" | "browser" => "browser".to_string(),
        tz if tz.eq_ignore_ascii_case("utc") => "utc".to_string(),
        tz => tz.to_string(),
    };
    let compare_ms = match super::compare::parse(get(pairs, "compare").unwrap_or_default()) {
        Ok(shift) => shift,
        Err(e) => {
            notices.push(format!("{e}; showing no comparison"));
            None
        }
    };
    DashParams {
        compare_ms,
        timezone,
        from,
        to,
        range,
        vars,
        view_panel,
        notices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dash() -> Dashboard {
        super::super::import(
            r#"{"uid":"u","title":"T","time":{"from":"now-3h","to":"now"},"panels":[]}"#,
            "u",
        )
        .unwrap()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn defaults_relative_absolute_and_window() {
        let p = parse(&[], &dash(), NOW);
        assert_eq!(p.range.to_ms - p.range.from_ms, 3 * 3_600_000);
        let p = parse(
            &pairs(&[("from", "now-1h"), ("to", "now"), ("orgId", "1")]),
            &dash(),
            NOW,
        );
        assert_eq!(p.range.from_ms, NOW - 3_600_000);
        let p = parse(
            &pairs(&[("from", "1699990000000"), ("to", "2023-11-14T22:13:20Z")]),
            &dash(),
            NOW,
        );
        assert_eq!((p.range.from_ms, p.range.to_ms), (1_699_990_000_000, NOW));
        let p = parse(
            &pairs(&[("time", "1700000000000"), ("time.window", "600000")]),
            &dash(),
            NOW,
        );
        assert_eq!(
            (p.range.from_ms, p.range.to_ms),
            (NOW - 300_000, NOW + 300_000)
        );
        let p = parse(
            &pairs(&[("time", "now"), ("time.window", "10m")]),
            &dash(),
            NOW,
        );
        assert_eq!(p.range.to_ms - p.range.from_ms, 600_000);
    }

    #[test]
    fn bad_ranges_fall_back_with_a_notice() {
        let p = parse(&pairs(&[("from", "yesterday")]), &dash(), NOW);
        assert_eq!(p.range.to_ms - p.range.from_ms, 3 * 3_600_000);
        assert_eq!(p.notices.len(), 1);
        assert!(p.notices[0].contains("yesterday"));
    }

    #[test]
    fn variables_and_view_panel() {
        let p = parse(
            &pairs(&[
                ("var-ns", "a"),
                ("var-ns", "b"),
                ("var-x", "1"),
                ("viewPanel", "panel-12"),
            ]),
            &dash(),
            NOW,
        );
        assert_eq!(p.vars["ns"], ["a", "b"]);
        assert_eq!(p.view_panel, Some(12));
        assert_eq!(parse_panel_id("7"), Some(7));
        assert_eq!(
            p.timezone, "browser",
            "Grafana's empty timezone is the browser's"
        );
        let p = parse(&pairs(&[("timezone", "Europe/Paris")]), &dash(), NOW);
        assert_eq!(p.timezone, "Europe/Paris");
        let p = parse(&pairs(&[("timezone", "UTC")]), &dash(), NOW);
        assert_eq!(p.timezone, "utc");
    }

    #[test]
    fn compare_takes_a_shift_and_a_bad_one_is_a_notice() {
        let p = parse(&pairs(&[("compare", "1w")]), &dash(), NOW);
        assert_eq!(p.compare_ms, Some(604_800_000));
        assert!(p.notices.is_empty());
        let p = parse(&pairs(&[("compare", "lastweek")]), &dash(), NOW);
        assert_eq!(p.compare_ms, None);
        assert!(p.notices[0].contains("compare=lastweek"), "{:?}", p.notices);
        assert_eq!(parse(&[], &dash(), NOW).compare_ms, None);
    }
}
