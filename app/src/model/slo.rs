//! SLOs: definitions in Octoscope's seed format and Sloth's `prometheus/v1` spec, their
//! validation, the error-ratio queries per window, the multi-window multi-burn-rate (MWMB) math
//! of the Google SRE workbook (chapter 5), and the Prometheus rules that alert on it. Pure: the
//! server reads the files and Prometheus; this module only turns values into decisions.

mod burn;
mod files;
mod rules;

pub use burn::{
    budget_remaining, budget_spent, budget_time_equivalent_s, burn_factor, burn_rate, burn_windows,
    evaluate, time_to_exhaustion_s, BurnWindow, PairState, Severity, Status,
};
pub use files::{
    from_seed, from_sloth, reject_duplicates, SeedFile, SeedIndicator, SeedIndicatorSpec,
    SeedLatency, SeedSlo, SlothAlertLabels, SlothAlerting, SlothFile, SlothSli, SlothSlo,
};
pub use rules::{ratio_record, rules_yaml};

use super::duration::format_s;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The placeholder a query uses for its range, as in Sloth (`rate(x[{{.window}}])`).
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// Windows the list shows burn rates over, whatever the SLO's own alerting windows are.
pub const DISPLAY_WINDOWS: [i64; 7] = [
    5 * 60,
    30 * 60,
    3_600,
    2 * 3_600,
    6 * 3_600,
    86_400,
    3 * 86_400,
];

const THIRTY_DAYS: i64 = 30 * 86_400;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum SloError {
    #[error("{file}: not valid YAML or not an SLO file: {detail}")]
    File { file: String, detail: String },
    #[error("objective {0} is outside (0, 100); write it as a percentage such as 99.9")]
    Objective(f64),
    #[error("window {0:?} is not a duration; use one such as 30d, 4w or 7d")]
    Window(String),
    #[error("the SLO has no name; give each SLO a unique `name`")]
    Name,
    #[error("SLO name {0:?} is used twice; names must be unique across provisioning/slos")]
    Duplicate(String),
    #[error("{0}")]
    Indicator(String),
    #[error("latency threshold {0:?} is not a number of seconds (such as 1 or 0.5) nor a duration (such as 1s or 500ms)")]
    Threshold(String),
}

/// What counts as a bad event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Indicator {
    /// Error and total event rates, both with `{{.window}}` in their range selectors.
    Ratio { errors: String, total: String },
    /// Good and total event rates: errors are total minus good.
    GoodTotal { good: String, total: String },
    /// Requests slower than `threshold_s` are bad: a histogram's bucket at the threshold over its
    /// count, so "95th percentile < 1s" is "95% of requests within 1s".
    Latency {
        metric: String,
        selector: String,
        threshold_s: f64,
    },
}

/// One SLO, validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    pub name: String,
    pub service: String,
    pub description: String,
    /// Percent, in (0, 100).
    pub objective: f64,
    pub window_s: i64,
    pub labels: BTreeMap<String, String>,
    pub indicator: Indicator,
    /// A latency query for the detail page's SLI charts (`{{.window}}` allowed).
    pub latency_query: Option<String>,
    pub alert_name: String,
    pub alert_labels: BTreeMap<String, String>,
    pub alert_annotations: BTreeMap<String, String>,
    pub page_labels: BTreeMap<String, String>,
    pub ticket_labels: BTreeMap<String, String>,
    /// The file it came from, relative to the SLO folder.
    pub source: String,
}

/// An entry of the SLO list: a working SLO or why one could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SloEntry {
    Ok(Box<Slo>),
    Invalid {
        name: String,
        source: String,
        error: String,
    },
}

// ---- Durations -------------------------------------------------------------------------------

/// A duration in whole seconds, more than zero (SLO windows; Prometheus' retention).
pub fn parse_window_s(text: &str) -> Result<i64, SloError> {
    super::duration::parse_ms(text)
        .map(|ms| ms / 1_000)
        .filter(|s| *s > 0)
        .ok_or_else(|| SloError::Window(text.to_string()))
}

/// A human reading of a duration in seconds: `43m`, `21.6h`, `3.2d`.
pub fn human_duration(secs: f64) -> String {
    if !secs.is_finite() {
        return "∞".into();
    }
    let s = secs.max(0.0);
    if s < 60.0 {
        format!("{s:.0}s")
    } else if s < 3_600.0 {
        format!("{:.0}m", s / 60.0)
    } else if s < 86_400.0 * 2.0 {
        format!("{:.1}h", s / 3_600.0)
    } else {
        format!("{:.1}d", s / 86_400.0)
    }
}

// ---- Queries ---------------------------------------------------------------------------------

fn with_window(q: &str, window_s: i64) -> String {
    q.replace(WINDOW_PLACEHOLDER, &format_s(window_s))
}

/// Label value of `threshold_s` as client libraries write `le`: `1` or `1.0`, `0.5`.
fn le_matcher(threshold_s: f64) -> String {
    if threshold_s.fract() == 0.0 {
        format!("le=~\"{0}|{0}\\\\.0\"", threshold_s as i64)
    } else {
        format!("le=\"{threshold_s}\"")
    }
}

impl Slo {
    /// Fraction of events allowed to fail: 0.001 for 99.9%.
    pub fn budget(&self) -> f64 {
        1.0 - self.objective / 100.0
    }

    /// PromQL for the error ratio (bad ÷ all events) over `window_s`. A missing error series
    /// counts as zero errors (`or on() vector(0)`); no traffic gives NaN, which never alerts.
    pub fn error_ratio_expr(&self, window_s: i64) -> String {
        match &self.indicator {
            Indicator::Ratio { errors, total } => format!(
                "(({}) or on() vector(0)) / ({})",
                with_window(errors, window_s),
                with_window(total, window_s)
            ),
            Indicator::GoodTotal { good, total } => format!(
                "1 - (({}) or on() vector(0)) / ({})",
                with_window(good, window_s),
                with_window(total, window_s)
            ),
            Indicator::Latency {
                metric,
                selector,
                threshold_s,
            } => {
                let w = format_s(window_s);
                let sep = if selector.is_empty() { "" } else { ", " };
                format!(
                    "1 - (sum(rate({metric}_bucket{{{selector}{sep}{le}}}[{w}])) or on() vector(0)) / sum(rate({metric}_count{{{selector}}}[{w}]))",
                    le = le_matcher(*threshold_s)
                )
            }
        }
    }

    /// PromQL for the event rate (per second) over `window_s`: the SLI's traffic.
    pub fn total_expr(&self, window_s: i64) -> String {
        match &self.indicator {
            Indicator::Ratio { total, .. } | Indicator::GoodTotal { total, .. } => {
                with_window(total, window_s)
            }
            Indicator::Latency {
                metric, selector, ..
            } => format!(
                "sum(rate({metric}_count{{{selector}}}[{}]))",
                format_s(window_s)
            ),
        }
    }

    /// PromQL for the bad-event rate (per second) over `window_s`.
    pub fn errors_expr(&self, window_s: i64) -> String {
        format!(
            "({}) * ({})",
            self.error_ratio_expr(window_s),
            self.total_expr(window_s)
        )
    }

    /// A latency query for the SLI charts: the definition's own, or the histogram's P95 for a
    /// latency indicator.
    pub fn latency_expr(&self, window_s: i64) -> Option<String> {
        if let Some(q) = &self.latency_query {
            return Some(with_window(q, window_s));
        }
        match &self.indicator {
            Indicator::Latency {
                metric, selector, ..
            } => Some(format!(
                "histogram_quantile({}, sum by (le) (rate({metric}_bucket{{{selector}}}[{}])))",
                rules::round6(self.objective / 100.0),
                format_s(window_s)
            )),
            _ => None,
        }
    }

    /// The windows the list, the status and the rules need, deduplicated and sorted.
    pub fn windows(&self) -> Vec<i64> {
        let mut w: Vec<i64> = DISPLAY_WINDOWS.to_vec();
        for p in burn_windows(self.window_s) {
            w.push(p.long_s);
            w.push(p.short_s);
        }
        w.push(self.window_s);
        w.sort_unstable();
        w.dedup();
        w
    }

    /// Every label the list can filter by: the SLO's labels plus `slo` and `service`.
    pub fn filter_labels(&self) -> BTreeMap<String, String> {
        let mut l = self.labels.clone();
        l.insert("slo".into(), self.name.clone());
        if !self.service.is_empty() {
            l.insert("service".into(), self.service.clone());
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slo(objective: f64, window: &str) -> Slo {
        let file = SeedFile {
            slos: vec![SeedSlo {
                name: "api-availability".into(),
                service: "orchestrator".into(),
                description: String::new(),
                objective: serde_json::json!(objective),
                window: Some(window.into()),
                labels: BTreeMap::new(),
                indicator: SeedIndicatorSpec::Queries(SeedIndicator {
                    errors: Some("sum(rate(e[{{.window}}]))".into()),
                    total: Some("sum(rate(t[{{.window}}]))".into()),
                    ..Default::default()
                }),
                alerting: None,
            }],
        };
        match from_seed(&file, "x.yaml").remove(0) {
            SloEntry::Ok(s) => *s,
            SloEntry::Invalid { error, .. } => panic!("{error}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn workbook_thresholds_for_thirty_days() {
        let w = burn_windows(30 * 86_400);
        let got: Vec<(i64, i64, f64)> = w.iter().map(|p| (p.long_s, p.short_s, p.factor)).collect();
        assert_eq!(got.len(), 4);
        assert_eq!((got[0].0, got[0].1), (3_600, 300));
        assert!(close(got[0].2, 14.4));
        assert_eq!((got[1].0, got[1].1), (21_600, 1_800));
        assert!(close(got[1].2, 6.0));
        assert_eq!((got[2].0, got[2].1), (86_400, 7_200));
        assert!(close(got[2].2, 3.0));
        assert_eq!((got[3].0, got[3].1), (259_200, 21_600));
        assert!(close(got[3].2, 1.0));
        assert_eq!(w[0].severity, Severity::Page);
        assert_eq!(w[3].severity, Severity::Ticket);
    }

    #[test]
    fn workbook_budget_consumption() {
        let month = 30 * 86_400;
        // 99.9% over 30d: 14.4× for 1h spends 2%; 6× for 6h spends 5%; 1× over 3d spends 10%.
        assert!(close(budget_spent(14.4, 3_600, month), 0.02));
        assert!(close(budget_spent(6.0, 6 * 3_600, month), 0.05));
        assert!(close(budget_spent(3.0, 86_400, month), 0.10));
        assert!(close(budget_spent(1.0, 3 * 86_400, month), 0.10));
        // A 0.1% error ratio against 99.9% burns at 1×; 1.44% at 14.4×.
        assert!(close(burn_rate(0.001, 99.9), 1.0));
        assert!(close(burn_rate(0.0144, 99.9), 14.4));
    }

    #[test]
    fn other_windows_scale_windows_not_thresholds() {
        let w = burn_windows(7 * 86_400);
        assert_eq!((w[0].long_s, w[0].short_s), (14 * 60, 60));
        assert_eq!((w[1].long_s, w[1].short_s), (84 * 60, 7 * 60));
        assert_eq!((w[3].long_s, w[3].short_s), (1008 * 60, 84 * 60));
        // Thresholds follow from the rounded windows: still the same budget shares.
        assert!((w[0].factor - 14.4).abs() < 0.1, "{}", w[0].factor);
        assert!(close(
            budget_spent(w[0].factor, w[0].long_s, 7 * 86_400),
            0.02
        ));
        assert!(close(
            budget_spent(w[3].factor, w[3].long_s, 7 * 86_400),
            0.10
        ));
    }

    #[test]
    fn budget_remaining_time_and_exhaustion() {
        let month = 30 * 86_400;
        // Half the allowed errors over the window: half the budget is left, 21.6 minutes of it.
        let left = budget_remaining(0.0005, 99.9);
        assert!(close(left, 0.5));
        assert!((budget_time_equivalent_s(1.0, 99.9, month) - 43.2 * 60.0).abs() < 1e-6);
        assert!((budget_time_equivalent_s(left, 99.9, month) - 21.6 * 60.0).abs() < 1e-6);
        // At 14.4× the whole budget lasts 50h (30d / 14.4); half of it 25h.
        assert!((time_to_exhaustion_s(1.0, 14.4, month).unwrap() - 50.0 * 3_600.0).abs() < 1e-6);
        assert!((time_to_exhaustion_s(left, 14.4, month).unwrap() - 25.0 * 3_600.0).abs() < 1e-6);
        assert_eq!(time_to_exhaustion_s(0.5, 0.0, month), None);
        assert_eq!(time_to_exhaustion_s(0.5, f64::NAN, month), None);
        assert_eq!(time_to_exhaustion_s(-0.2, 2.0, month), Some(0.0));
        assert!(budget_remaining(0.002, 99.9) < 0.0);
    }

    #[test]
    fn status_needs_both_windows_of_a_pair() {
        let s = slo(99.9, "30d");
        let burns = |pairs: &[(i64, f64)]| pairs.iter().copied().collect::<BTreeMap<i64, f64>>();
        // Long window over 14.4× but the short one recovered: not paging.
        let (st, pairs) = evaluate(
            &s,
            &burns(&[
                (3_600, 20.0),
                (300, 2.0),
                (21_600, 2.0),
                (1_800, 1.0),
                (86_400, 1.0),
                (7_200, 1.0),
                (259_200, 0.5),
            ]),
        );
        assert_eq!(st, Status::Ok);
        assert!(!pairs[0].firing());
        let (st, _) = evaluate(&s, &burns(&[(3_600, 20.0), (300, 30.0)]));
        assert_eq!(st, Status::Page);
        let (st, _) = evaluate(
            &s,
            &burns(&[(86_400, 3.5), (7_200, 4.0), (3_600, 3.0), (300, 3.0)]),
        );
        assert_eq!(st, Status::Ticket);
        let (st, _) = evaluate(&s, &burns(&[(3_600, f64::NAN), (300, f64::NAN)]));
        assert_eq!(st, Status::NoData);
        // Exactly at the threshold does not fire (Prometheus' `>` either).
        let (st, _) = evaluate(&s, &burns(&[(3_600, 14.4), (300, 14.4)]));
        assert_eq!(st, Status::Ok);
    }

    #[test]
    fn durations_parse_and_format_like_prometheus() {
        assert_eq!(parse_window_s("30d").unwrap(), 30 * 86_400);
        assert_eq!(parse_window_s("4w").unwrap(), 28 * 86_400);
        assert_eq!(parse_window_s("1h30m").unwrap(), 5_400);
        // One parser for every duration: decimals and bare seconds read as everywhere else.
        assert_eq!(parse_window_s("1.5h").unwrap(), 5_400);
        for bad in ["", "d", "-1d", "1x", "0d", "0.5s"] {
            assert!(parse_window_s(bad).is_err(), "{bad}");
        }
        assert_eq!(format_s(300), "5m");
        assert_eq!(format_s(5_400), "1h30m");
        assert_eq!(format_s(30 * 86_400), "30d");
        assert_eq!(format_s(60_480), "16h48m");
        assert_eq!(human_duration(43.2 * 60.0), "43m");
    }

    #[test]
    fn queries_substitute_the_window_and_treat_missing_errors_as_zero() {
        let s = slo(99.9, "30d");
        assert_eq!(
            s.error_ratio_expr(300),
            "((sum(rate(e[5m]))) or on() vector(0)) / (sum(rate(t[5m])))"
        );
        let lat = Slo {
            indicator: Indicator::Latency {
                metric: "http_request_duration_seconds".into(),
                selector: "job=\"orchestrator\"".into(),
                threshold_s: 1.0,
            },
            ..s.clone()
        };
        let e = lat.error_ratio_expr(3_600);
        assert!(
            e.contains(
                "http_request_duration_seconds_bucket{job=\"orchestrator\", le=~\"1|1\\\\.0\"}[1h]"
            ),
            "{e}"
        );
        assert!(
            e.contains("http_request_duration_seconds_count{job=\"orchestrator\"}[1h]"),
            "{e}"
        );
        assert!(lat
            .latency_expr(300)
            .unwrap()
            .starts_with("histogram_quantile(0.999"));
    }

    #[test]
    fn bad_definitions_are_listed_with_their_error_and_do_not_hide_others() {
        let text_slo = |name: &str, objective: serde_json::Value, window: &str| SeedSlo {
            name: name.into(),
            service: String::new(),
            description: String::new(),
            objective,
            window: Some(window.into()),
            labels: BTreeMap::new(),
            indicator: SeedIndicatorSpec::Queries(SeedIndicator {
                errors: Some("sum(rate(e[{{.window}}]))".into()),
                total: Some("sum(rate(t[{{.window}}]))".into()),
                ..Default::default()
            }),
            alerting: None,
        };
        let file = SeedFile {
            slos: vec![
                text_slo("ok", serde_json::json!(99.5), "30d"),
                text_slo("too-high", serde_json::json!(100), "30d"),
                text_slo("zero", serde_json::json!("0%"), "30d"),
                text_slo("bad-window", serde_json::json!(99), "a month"),
                text_slo("ok", serde_json::json!(99), "7d"),
            ],
        };
        let entries = reject_duplicates(from_seed(&file, "f.yaml"));
        let errors: Vec<String> = entries
            .iter()
            .map(|e| match e {
                SloEntry::Ok(s) => format!("ok:{}", s.name),
                SloEntry::Invalid { name, error, .. } => format!("{name}: {error}"),
            })
            .collect();
        assert_eq!(errors[0], "ok:ok");
        assert!(
            errors[1].starts_with("too-high: objective 100 is outside (0, 100)"),
            "{}",
            errors[1]
        );
        assert!(
            errors[2].starts_with("zero: objective 0 is outside"),
            "{}",
            errors[2]
        );
        assert!(
            errors[3].contains("window \"a month\" is not a duration"),
            "{}",
            errors[3]
        );
        assert!(errors[4].contains("used twice"), "{}", errors[4]);
        let no_window = SeedIndicator {
            errors: Some("sum(rate(e[5m]))".into()),
            total: Some("sum(rate(t[5m]))".into()),
            ..Default::default()
        };
        assert!(files::indicator_of(&no_window)
            .unwrap_err()
            .to_string()
            .contains("{{.window}}"));
    }

    /// The monitoring guide's SLO block, exactly as it is written there.
    const GUIDE_SLOS: &str = r#"# SLO Definitions
slos:
  - name: api_availability
    objective: 99.9%
    window: 30d
    indicator: |
      (
        sum(rate(http_requests_total{status!="error"}[30d]))
        /
        sum(rate(http_requests_total[30d]))
      )

  - name: api_latency
    objective: 95th percentile < 1s
    window: 30d
    indicator: |
      histogram_quantile(0.95,
        rate(http_request_duration_seconds_bucket[30d])
      )

  - name: task_success_rate
    objective: 95%
    window: 7d
    indicator: |
      (
        sum(rate(tasks_completed_total{status="success"}[7d]))
        /
        sum(rate(tasks_completed_total[7d]))
      )
"#;

    #[test]
    fn the_guides_slo_definitions_read_as_written() {
        let file: SeedFile = serde_yaml::from_str(GUIDE_SLOS).unwrap();
        let slos: Vec<Slo> = from_seed(&file, "octollm.yaml")
            .into_iter()
            .map(|e| match e {
                SloEntry::Ok(s) => *s,
                SloEntry::Invalid { name, error, .. } => panic!("{name}: {error}"),
            })
            .collect();
        let availability = &slos[0];
        assert_eq!(
            (availability.name.as_str(), availability.objective),
            ("api_availability", 99.9)
        );
        assert_eq!(availability.window_s, 30 * 86_400);
        assert_eq!(
            availability.indicator,
            Indicator::GoodTotal {
                good: r#"sum(rate(http_requests_total{status!="error"}[{{.window}}]))"#.into(),
                total: "sum(rate(http_requests_total[{{.window}}]))".into(),
            }
        );
        // "95th percentile < 1s": 95% of requests within the 1 s bucket, the curve kept as written.
        let latency = &slos[1];
        assert_eq!(latency.objective, 95.0);
        assert_eq!(
            latency.indicator,
            Indicator::Latency {
                metric: "http_request_duration_seconds".into(),
                selector: String::new(),
                threshold_s: 1.0,
            }
        );
        assert!(latency
            .latency_query
            .as_deref()
            .unwrap()
            .contains("rate(http_request_duration_seconds_bucket[{{.window}}])"));
        let tasks = &slos[2];
        assert_eq!((tasks.objective, tasks.window_s), (95.0, 7 * 86_400));
        assert!(
            matches!(&tasks.indicator, Indicator::GoodTotal { good, .. } if good == r#"sum(rate(tasks_completed_total{status="success"}[{{.window}}]))"#)
        );
        // An expression that is neither a ratio nor a quantile is named, not guessed at.
        let bad: SeedFile = serde_yaml::from_str(
            "slos:\n  - name: x\n    objective: 99%\n    indicator: sum(rate(a[5m]))\n",
        )
        .unwrap();
        match from_seed(&bad, "f.yaml").remove(0) {
            SloEntry::Invalid { error, .. } => {
                assert!(error.contains("must be a ratio"), "{error}")
            }
            SloEntry::Ok(_) => panic!("a bare sum is not an SLI"),
        }
    }

    #[test]
    fn rules_compare_each_pair_against_its_threshold() {
        let s = slo(99.9, "30d");
        let y = rules_yaml(&[&s]);
        assert!(y.contains("- record: slo:sli_error:ratio_rate5m"), "{y}");
        assert!(y.contains("- record: slo:sli_error:ratio_rate30d"), "{y}");
        assert!(y.contains("(slo:sli_error:ratio_rate1h{slo=\\\"api-availability\\\"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo=\\\"api-availability\\\"} > (14.4 * 0.001))"), "{y}");
        assert!(
            y.contains("(slo:sli_error:ratio_rate3d{slo=\\\"api-availability\\\"} > (1 * 0.001)"),
            "{y}"
        );
        assert!(y.contains("- alert: ApiAvailabilityBudgetBurn"), "{y}");
        assert!(y.contains("\"severity\": \"page\"") && y.contains("\"severity\": \"ticket\""));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn burning_at_the_burn_rate_spends_the_budget_in_the_window(
            objective in 90.0f64..99.999,
            ratio in 0.0f64..1.0,
            window_days in 1i64..90,
        ) {
            let window = window_days * 86_400;
            let burn = burn_rate(ratio, objective);
            prop_assert!(burn >= 0.0);
            // 1× burn spends the whole budget over the whole window.
            prop_assert!((budget_spent(1.0, window, window) - 1.0).abs() < 1e-9);
            // The remaining budget and the time to exhaustion agree: burning at `burn` for the
            // exhaustion time spends exactly what remains.
            let remaining = 0.5;
            if let Some(t) = time_to_exhaustion_s(remaining, burn, window) {
                prop_assert!((budget_spent(burn, t.round() as i64, window) - remaining).abs() < 1e-3 * burn.max(1.0));
            } else {
                prop_assert!(burn == 0.0);
            }
            // A whole window at the error ratio leaves 1 - burn of the budget.
            prop_assert!((budget_remaining(ratio, objective) - (1.0 - burn)).abs() < 1e-9);
        }

        #[test]
        fn alert_thresholds_spend_their_share_in_their_long_window(window_days in 1i64..90) {
            let window = window_days * 86_400;
            for w in burn_windows(window) {
                prop_assert!(w.short_s <= w.long_s && w.short_s > 0);
                prop_assert!((budget_spent(w.factor, w.long_s, window) - w.budget_share).abs() < 1e-9);
            }
        }
    }
}
