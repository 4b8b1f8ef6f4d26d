//! The logs panel (`logs`): the newest lines of its Loki queries over the dashboard's range, as
//! many as a panel shows (at most [`PANEL_MAX_LINES`], fewer when the target's `maxLines` or the
//! datasource's says so), the exact count of lines in the range beside them ("showing N of M"),
//! and Explore for the rest. Options: `showTime`, `wrapLogMessage`, `sortOrder`, `showLabels`.
//! Pure.

use crate::model::logs::{level_of, parse_fields, LogLine};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A panel is a glance: past this many lines the user is sent to Explore, which pages.
pub const PANEL_MAX_LINES: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsOptions {
    pub show_time: bool,
    pub wrap: bool,
    /// Newest first (`sortOrder: Descending`, Grafana's default).
    pub newest_first: bool,
    pub show_labels: bool,
}

impl Default for LogsOptions {
    fn default() -> Self {
        Self {
            show_time: true,
            wrap: false,
            newest_first: true,
            show_labels: false,
        }
    }
}

impl LogsOptions {
    pub fn from_json(opts: &Value) -> Self {
        let d = Self::default();
        let flag = |k: &str, default: bool| opts.get(k).and_then(Value::as_bool).unwrap_or(default);
        Self {
            show_time: flag("showTime", d.show_time),
            wrap: flag("wrapLogMessage", d.wrap),
            newest_first: opts.get("sortOrder").and_then(Value::as_str) != Some("Ascending"),
            show_labels: flag("showLabels", d.show_labels),
        }
    }
}

/// Lines to read: the target's `maxLines`, else the datasource's, capped for a panel.
pub fn line_limit(target: Option<usize>, datasource: Option<usize>) -> usize {
    target
        .or(datasource)
        .unwrap_or(PANEL_MAX_LINES)
        .clamp(1, PANEL_MAX_LINES)
}

/// The LogQL that counts a log query's lines over `range_s` seconds (read at the range's end).
pub fn count_query(expr: &str, range_s: i64) -> String {
    format!(
        "sum(count_over_time({} [{}s]))",
        expr.trim(),
        range_s.max(1)
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelLine {
    pub ts_ns: String,
    pub level: String,
    pub line: String,
    /// `k=v …` of the stream labels.
    pub labels: String,
    /// Derived-field links (label, href): the trace a line names, first.
    pub links: Vec<(String, String)>,
}

impl PanelLine {
    pub fn of(l: LogLine, links: Vec<(String, String)>) -> Self {
        let level = level_of(&l.labels, &parse_fields(&l.line)).unwrap_or_default();
        Self {
            level,
            labels: l
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            ts_ns: l.ts_ns,
            line: l.line,
            links,
        }
    }

    pub fn ms(&self) -> i64 {
        self.ts_ns
            .parse::<i128>()
            .map_or(0, |n| (n / 1_000_000) as i64)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LogsPanel {
    pub lines: Vec<PanelLine>,
    /// Lines in the range, when the count could be read.
    pub total: Option<u64>,
}

impl LogsPanel {
    /// Another query's lines in the same panel: the newest `limit` of both, counts added (unknown
    /// if either is).
    pub fn merge(mut self, other: LogsPanel, limit: usize) -> Self {
        self.lines.extend(other.lines);
        let key = |l: &PanelLine| l.ts_ns.parse::<i128>().unwrap_or(0);
        self.lines.sort_by_key(|l| std::cmp::Reverse(key(l)));
        self.lines.truncate(limit);
        self.total = self.total.zip(other.total).map(|(a, b)| a + b);
        self
    }

    /// "showing N of M" when the panel shows less than all; None when it shows them all.
    pub fn showing(&self) -> Option<String> {
        let shown = self.lines.len() as u64;
        match self.total {
            Some(total) if total > shown => Some(format!(
                "showing {} of {} lines",
                shown,
                crate::model::numbers::thousands(total as usize)
            )),
            None if shown as usize >= PANEL_MAX_LINES => {
                Some(format!("showing the newest {shown} lines"))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_limit_is_the_targets_then_the_datasources_within_a_panel() {
        assert_eq!(line_limit(None, None), PANEL_MAX_LINES);
        assert_eq!(line_limit(Some(20), Some(1000)), 20);
        assert_eq!(line_limit(None, Some(5000)), PANEL_MAX_LINES);
        assert_eq!(line_limit(Some(0), None), 1);
    }

    #[test]
    fn lines_carry_their_level_and_labels_and_the_count_is_exact() {
        let l = LogLine {
            ts_ns: "1700000000123000000".into(),
            labels: [("service".to_string(), "planner".to_string())].into(),
            line: r#"{"level":"error","msg":"boom"}"#.into(),
        };
        let p = PanelLine::of(l, vec![]);
        assert_eq!(
            (p.level.as_str(), p.labels.as_str()),
            ("error", "service=planner")
        );
        assert_eq!(p.ms(), 1_700_000_000_123);
        assert_eq!(
            count_query(r#"{service="planner"} |= "x" "#, 3600),
            r#"sum(count_over_time({service="planner"} |= "x" [3600s]))"#
        );
        let panel = LogsPanel {
            lines: vec![p],
            total: Some(1_234),
        };
        assert_eq!(panel.showing().unwrap(), "showing 1 of 1,234 lines");
        let all = LogsPanel {
            total: Some(1),
            ..panel
        };
        assert_eq!(all.showing(), None);
    }

    #[test]
    fn grafanas_options_are_read() {
        let o = LogsOptions::from_json(
            &json!({"showTime": false, "sortOrder": "Ascending", "wrapLogMessage": true}),
        );
        assert_eq!(
            o,
            LogsOptions {
                show_time: false,
                wrap: true,
                newest_first: false,
                show_labels: false
            }
        );
    }
}
