//! SLOs: definitions in Octoscope's seed format and Sloth's `prometheus/v1` spec, their
//! validation, the error-ratio queries per window, the multi-window multi-burn-rate (MWMB) math
//! of the Google SRE workbook (chapter 5), and the Prometheus rules that alert on it. Pure: the
//! server reads the files and Prometheus; this module only turns values into decisions.

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

// ---- File formats ----------------------------------------------------------------------------

/// Octoscope's seed format: `slos: [{name, objective, window, indicator, …}]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedFile {
    pub slos: Vec<SeedSlo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedSlo {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub description: String,
    pub objective: serde_json::Value,
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub indicator: SeedIndicator,
    #[serde(default)]
    pub alerting: Option<SlothAlerting>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeedIndicator {
    #[serde(default, alias = "error_query")]
    pub errors: Option<String>,
    #[serde(default, alias = "good_query")]
    pub good: Option<String>,
    #[serde(default, alias = "total_query")]
    pub total: Option<String>,
    #[serde(default)]
    pub latency: Option<SeedLatency>,
    #[serde(default)]
    pub latency_query: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedLatency {
    /// The histogram's base name (`http_request_duration_seconds`).
    pub metric: String,
    /// Label matchers without braces: `job="orchestrator", endpoint!="/health"`.
    #[serde(default)]
    pub selector: String,
    /// Seconds (`1`, `0.5`) or a duration (`1s`, `500ms`).
    pub threshold: serde_json::Value,
}

/// Sloth's `prometheus/v1` spec (`version`, `service`, `labels`, `slos`).
#[derive(Debug, Clone, Deserialize)]
pub struct SlothFile {
    pub version: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub slos: Vec<SlothSlo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SlothSlo {
    #[serde(default)]
    pub name: String,
    pub objective: serde_json::Value,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub sli: SlothSli,
    #[serde(default)]
    pub alerting: Option<SlothAlerting>,
    /// Not in Sloth's spec (it takes the period from a flag); accepted so files can say it.
    #[serde(default)]
    pub window: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothSli {
    #[serde(default)]
    pub events: Option<SeedIndicator>,
    #[serde(default)]
    pub raw: Option<serde_json::Value>,
    #[serde(default)]
    pub plugin: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothAlerting {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub page_alert: Option<SlothAlertLabels>,
    #[serde(default)]
    pub ticket_alert: Option<SlothAlertLabels>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothAlertLabels {
    #[serde(default)]
    pub disable: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

fn objective_of(v: &serde_json::Value) -> Result<f64, SloError> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(f64::NAN);
    if n.is_finite() && n > 0.0 && n < 100.0 {
        Ok(n)
    } else {
        Err(SloError::Objective(n))
    }
}

fn threshold_of(v: &serde_json::Value) -> Result<f64, SloError> {
    let bad = || SloError::Threshold(v.to_string().trim_matches('"').to_string());
    let s = match v {
        serde_json::Value::Number(n) => return n.as_f64().filter(|n| *n > 0.0).ok_or_else(bad),
        serde_json::Value::String(s) => s.trim(),
        _ => return Err(bad()),
    };
    if let Ok(n) = s.parse::<f64>() {
        return if n > 0.0 { Ok(n) } else { Err(bad()) };
    }
    if let Some(ms) = s.strip_suffix("ms") {
        return ms
            .parse::<f64>()
            .ok()
            .filter(|n| *n > 0.0)
            .map(|n| n / 1000.0)
            .ok_or_else(bad);
    }
    parse_duration(s).map(|n| n as f64).map_err(|_| bad())
}

/// CamelCase of `api-availability` → `ApiAvailability`, for alert names.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn indicator_of(i: &SeedIndicator) -> Result<Indicator, SloError> {
    if let Some(l) = &i.latency {
        if l.metric.trim().is_empty() {
            return Err(SloError::Indicator(
                "the latency indicator needs `metric`, the histogram's base name".into(),
            ));
        }
        return Ok(Indicator::Latency {
            metric: l.metric.trim().to_string(),
            selector: l.selector.trim().trim_matches(['{', '}']).to_string(),
            threshold_s: threshold_of(&l.threshold)?,
        });
    }
    let need_window = |q: &str, what: &str| {
        if q.contains(WINDOW_PLACEHOLDER) {
            Ok(q.trim().to_string())
        } else {
            Err(SloError::Indicator(format!(
                "the {what} query has no {WINDOW_PLACEHOLDER} range; write it as rate(metric[{WINDOW_PLACEHOLDER}])"
            )))
        }
    };
    match (&i.errors, &i.good, &i.total) {
        (Some(e), None, Some(t)) => Ok(Indicator::Ratio {
            errors: need_window(e, "error")?,
            total: need_window(t, "total")?,
        }),
        (None, Some(g), Some(t)) => Ok(Indicator::GoodTotal {
            good: need_window(g, "good")?,
            total: need_window(t, "total")?,
        }),
        _ => Err(SloError::Indicator(
            "the indicator needs `errors` and `total` queries, `good` and `total`, or `latency` (metric, selector, threshold)".into(),
        )),
    }
}

struct Common<'a> {
    source: &'a str,
    name: &'a str,
    service: &'a str,
    description: &'a str,
    objective: &'a serde_json::Value,
    window: Option<&'a str>,
    labels: BTreeMap<String, String>,
    indicator: Result<Indicator, SloError>,
    latency_query: Option<String>,
    alerting: Option<&'a SlothAlerting>,
}

fn build(c: Common<'_>) -> SloEntry {
    let invalid = |e: SloError| SloEntry::Invalid {
        name: if c.name.is_empty() {
            format!("{} (unnamed)", c.source)
        } else {
            c.name.to_string()
        },
        source: c.source.to_string(),
        error: e.to_string(),
    };
    let result = (|| {
        if c.name.trim().is_empty() {
            return Err(SloError::Name);
        }
        let objective = objective_of(c.objective)?;
        let window_s = match c.window {
            None => THIRTY_DAYS,
            Some(w) => parse_duration(w).map_err(|_| SloError::Window(w.to_string()))?,
        };
        let indicator = c.indicator.clone()?;
        let alerting = c.alerting.cloned().unwrap_or_default();
        let mut page_labels = BTreeMap::from([("severity".to_string(), "page".to_string())]);
        let mut ticket_labels = BTreeMap::from([("severity".to_string(), "ticket".to_string())]);
        if let Some(p) = &alerting.page_alert {
            page_labels.extend(p.labels.clone());
        }
        if let Some(t) = &alerting.ticket_alert {
            ticket_labels.extend(t.labels.clone());
        }
        let mut labels = c.labels.clone();
        if !c.service.is_empty() {
            labels
                .entry("service".into())
                .or_insert(c.service.to_string());
        }
        Ok(Slo {
            name: c.name.trim().to_string(),
            service: c.service.to_string(),
            description: c.description.to_string(),
            objective,
            window_s,
            labels,
            indicator,
            latency_query: c.latency_query.clone(),
            alert_name: alerting
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("{}BudgetBurn", camel(c.name))),
            alert_labels: alerting.labels.clone(),
            alert_annotations: alerting.annotations.clone(),
            page_labels,
            ticket_labels,
            source: c.source.to_string(),
        })
    })();
    match result {
        Ok(s) => SloEntry::Ok(Box::new(s)),
        Err(e) => invalid(e),
    }
}

/// The SLOs of a seed-format file; each entry stands or falls on its own.
pub fn from_seed(file: &SeedFile, source: &str) -> Vec<SloEntry> {
    file.slos
        .iter()
        .map(|s| {
            build(Common {
                source,
                name: &s.name,
                service: &s.service,
                description: &s.description,
                objective: &s.objective,
                window: s.window.as_deref(),
                labels: s.labels.clone(),
                indicator: indicator_of(&s.indicator),
                latency_query: s.indicator.latency_query.clone(),
                alerting: s.alerting.as_ref(),
            })
        })
        .collect()
}

/// The SLOs of a Sloth `prometheus/v1` file. Only `sli.events` can be evaluated per window;
/// `raw` and `plugin` SLIs are listed with that error.
pub fn from_sloth(file: &SlothFile, source: &str) -> Vec<SloEntry> {
    file.slos
        .iter()
        .map(|s| {
            let mut labels = file.labels.clone();
            labels.extend(s.labels.clone());
            let indicator = match &s.sli.events {
                Some(e) => indicator_of(e),
                None if s.sli.raw.is_some() || s.sli.plugin.is_some() => Err(SloError::Indicator(
                    "only `sli.events` (error_query, total_query) SLIs are supported; rewrite `raw` or `plugin` SLIs as events".into(),
                )),
                None => Err(SloError::Indicator(
                    "the SLO has no `sli.events` with error_query and total_query".into(),
                )),
            };
            build(Common {
                source,
                name: &s.name,
                service: &file.service,
                description: &s.description,
                objective: &s.objective,
                window: s.window.as_deref(),
                labels,
                indicator,
                latency_query: s.sli.events.as_ref().and_then(|e| e.latency_query.clone()),
                alerting: s.alerting.as_ref(),
            })
        })
        .collect()
}

/// Marks every SLO whose name was already seen as invalid (the first one wins).
pub fn reject_duplicates(entries: Vec<SloEntry>) -> Vec<SloEntry> {
    let mut seen = std::collections::BTreeSet::new();
    entries
        .into_iter()
        .map(|e| match e {
            SloEntry::Ok(s) if !seen.insert(s.name.clone()) => SloEntry::Invalid {
                name: s.name.clone(),
                source: s.source.clone(),
                error: SloError::Duplicate(s.name.clone()).to_string(),
            },
            other => other,
        })
        .collect()
}

// ---- Durations -------------------------------------------------------------------------------

/// Parses Prometheus-style durations: `30d`, `4w`, `1h30m`, `90s`, `1y` (365d). Seconds.
pub fn parse_duration(text: &str) -> Result<i64, SloError> {
    let t = text.trim();
    let bad = || SloError::Window(text.to_string());
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = if rest.starts_with("ms") {
            2
        } else {
            rest.chars().next().map(char::len_utf8).unwrap_or(0)
        };
        let mult = match &rest[..unit_len] {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            "y" => 365 * 86_400,
            _ => return Err(bad()),
        };
        total = total
            .checked_add(n.checked_mul(mult).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        rest = &rest[unit_len..];
    }
    if total <= 0 {
        return Err(bad());
    }
    Ok(total)
}

/// Formats seconds the way Prometheus writes ranges: `5m`, `1h`, `1h30m`, `30d`, `3d`.
pub fn format_duration(secs: i64) -> String {
    if secs <= 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
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
    q.replace(WINDOW_PLACEHOLDER, &format_duration(window_s))
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
                let w = format_duration(window_s);
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
                format_duration(window_s)
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
                round6(self.objective / 100.0),
                format_duration(window_s)
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

// ---- Burn-rate math --------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Ticket,
    Page,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One MWMB alerting condition: both windows burn faster than `factor`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurnWindow {
    pub severity: Severity,
    pub long_s: i64,
    pub short_s: i64,
    /// Burn-rate threshold (×): spending `budget_share` of the budget within `long_s`.
    pub factor: f64,
    /// Fraction of the whole budget spent in `long_s` at exactly `factor`.
    pub budget_share: f64,
}

/// The workbook's table for a 30-day SLO: (severity, long window, short window, budget share).
const WORKBOOK: [(Severity, i64, i64, f64); 4] = [
    (Severity::Page, 3_600, 5 * 60, 0.02),
    (Severity::Page, 6 * 3_600, 30 * 60, 0.05),
    (Severity::Ticket, 86_400, 2 * 3_600, 0.10),
    (Severity::Ticket, 3 * 86_400, 6 * 3_600, 0.10),
];

/// The burn-rate threshold that spends `share` of the budget in `long_s` of a `window_s` SLO.
pub fn burn_factor(share: f64, window_s: i64, long_s: i64) -> f64 {
    share * window_s as f64 / long_s as f64
}

/// The alerting windows for an SLO window. A 30-day SLO gets the workbook's windows and
/// thresholds (14.4×, 6×, 3×, 1×). Other SLO windows scale the alert windows by
/// `window / 30d` (whole minutes, at least one), which keeps the same budget shares and so the
/// same thresholds, as Pyrra does: a 7-day SLO pages on 14m & 1m instead of 1h & 5m.
pub fn burn_windows(window_s: i64) -> Vec<BurnWindow> {
    let scale = |s: i64| -> i64 {
        if window_s == THIRTY_DAYS {
            s
        } else {
            let scaled = (s as f64 * window_s as f64 / THIRTY_DAYS as f64 / 60.0).round() as i64;
            scaled.max(1) * 60
        }
    };
    WORKBOOK
        .iter()
        .map(|&(severity, long, short, share)| {
            let long_s = scale(long);
            BurnWindow {
                severity,
                long_s,
                short_s: scale(short).min(long_s),
                factor: burn_factor(share, window_s, long_s),
                budget_share: share,
            }
        })
        .collect()
}

/// Burn rate (×) of an error ratio: 1× spends the budget exactly over the SLO window.
pub fn burn_rate(error_ratio: f64, objective_pct: f64) -> f64 {
    error_ratio / (1.0 - objective_pct / 100.0)
}

/// Fraction of the whole budget spent by burning at `burn` for `duration_s` of a `window_s` SLO.
pub fn budget_spent(burn: f64, duration_s: i64, window_s: i64) -> f64 {
    burn * duration_s as f64 / window_s as f64
}

/// Fraction of the budget left after an error ratio over the whole window (negative when overspent).
pub fn budget_remaining(error_ratio_over_window: f64, objective_pct: f64) -> f64 {
    1.0 - burn_rate(error_ratio_over_window, objective_pct)
}

/// The remaining budget as time of total failure: 99.9% over 30d allows 43.2 minutes.
pub fn budget_time_equivalent_s(remaining: f64, objective_pct: f64, window_s: i64) -> f64 {
    remaining * (1.0 - objective_pct / 100.0) * window_s as f64
}

/// Seconds until the budget is gone at a constant `burn`, or `None` when it is not burning.
pub fn time_to_exhaustion_s(remaining: f64, burn: f64, window_s: i64) -> Option<f64> {
    if !burn.is_finite() || burn <= 0.0 || !remaining.is_finite() {
        return None;
    }
    Some((remaining.max(0.0)) * window_s as f64 / burn)
}

/// What one condition says now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairState {
    pub window: BurnWindow,
    pub long_burn: Option<f64>,
    pub short_burn: Option<f64>,
}

impl PairState {
    /// Both windows over the threshold. No traffic (NaN or missing) never fires.
    pub fn firing(&self) -> bool {
        matches!((self.long_burn, self.short_burn),
            (Some(l), Some(s)) if l > self.window.factor && s > self.window.factor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    NoData,
    Ok,
    Ticket,
    Page,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NoData => "no data",
            Status::Ok => "ok",
            Status::Ticket => "ticket",
            Status::Page => "page",
        }
    }
}

/// Evaluates the SLO's conditions from burn rates by window (seconds → ×).
pub fn evaluate(slo: &Slo, burns: &BTreeMap<i64, f64>) -> (Status, Vec<PairState>) {
    let get = |w: i64| burns.get(&w).copied().filter(|b| b.is_finite());
    let pairs: Vec<PairState> = burn_windows(slo.window_s)
        .into_iter()
        .map(|window| PairState {
            window,
            long_burn: get(window.long_s),
            short_burn: get(window.short_s),
        })
        .collect();
    let status = if pairs.iter().all(|p| p.long_burn.is_none()) {
        Status::NoData
    } else if pairs
        .iter()
        .any(|p| p.firing() && p.window.severity == Severity::Page)
    {
        Status::Page
    } else if pairs.iter().any(PairState::firing) {
        Status::Ticket
    } else {
        Status::Ok
    };
    (status, pairs)
}

// ---- Rules -----------------------------------------------------------------------------------

/// The recording rule name of the error ratio over `window_s` (Sloth's naming).
pub fn ratio_record(window_s: i64) -> String {
    format!("slo:sli_error:ratio_rate{}", format_duration(window_s))
}

/// A YAML double-quoted scalar.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn push_map(out: &mut String, indent: &str, key: &str, map: &BTreeMap<String, String>) {
    if map.is_empty() {
        return;
    }
    out.push_str(&format!("{indent}{key}:\n"));
    for (k, v) in map {
        out.push_str(&format!("{indent}  {}: {}\n", q(k), q(v)));
    }
}

/// Prometheus rule groups for the SLOs: per SLO, the error ratio over every window it needs
/// (recording rules labelled `slo`), its objective, and one alert per severity that fires when
/// any of its window pairs burns over its threshold: the same comparison as [`evaluate`].
pub fn rules_yaml(slos: &[&Slo]) -> String {
    let mut out = String::from(
        "# Generated by `octoscope slo rules` from provisioning/slos; do not edit by hand.\ngroups:\n",
    );
    for slo in slos {
        let sel = format!("{{slo={}}}", q(&slo.name));
        let mut static_labels = BTreeMap::from([("slo".to_string(), slo.name.clone())]);
        if !slo.service.is_empty() {
            static_labels.insert("slo_service".into(), slo.service.clone());
        }
        out.push_str(&format!(
            "  - name: {}\n    rules:\n",
            q(&format!("slo-{}", slo.name))
        ));
        for w in slo.windows() {
            out.push_str(&format!("      - record: {}\n", ratio_record(w)));
            out.push_str(&format!("        expr: {}\n", q(&slo.error_ratio_expr(w))));
            push_map(&mut out, "        ", "labels", &static_labels);
        }
        out.push_str("      - record: slo:objective:ratio\n");
        out.push_str(&format!(
            "        expr: vector({})\n",
            slo.objective / 100.0
        ));
        push_map(&mut out, "        ", "labels", &static_labels);
        for severity in [Severity::Page, Severity::Ticket] {
            let pairs: Vec<BurnWindow> = burn_windows(slo.window_s)
                .into_iter()
                .filter(|p| p.severity == severity)
                .collect();
            let expr = pairs
                .iter()
                .map(|p| {
                    format!(
                        "({long}{sel} > ({f} * {b}) and {short}{sel} > ({f} * {b}))",
                        long = ratio_record(p.long_s),
                        short = ratio_record(p.short_s),
                        f = round6(p.factor),
                        b = round6(slo.budget()),
                    )
                })
                .collect::<Vec<_>>()
                .join(" or ");
            let mut labels = slo.alert_labels.clone();
            labels.extend(static_labels.clone());
            labels.extend(match severity {
                Severity::Page => slo.page_labels.clone(),
                Severity::Ticket => slo.ticket_labels.clone(),
            });
            let mut annotations = BTreeMap::from([
                (
                    "summary".to_string(),
                    format!(
                        "{} error budget is burning too fast ({} alert)",
                        slo.name,
                        severity.as_str()
                    ),
                ),
                (
                    "description".to_string(),
                    format!(
                        "{} ({}% over {}): the error budget burns faster than the {} thresholds of the multi-window multi-burn-rate table",
                        slo.name,
                        slo.objective,
                        format_duration(slo.window_s),
                        severity.as_str()
                    ),
                ),
            ]);
            annotations.extend(slo.alert_annotations.clone());
            out.push_str(&format!("      - alert: {}\n", slo.alert_name));
            out.push_str(&format!("        expr: {}\n", q(&expr)));
            // The workbook's `for` is short: the short window already filters blips.
            out.push_str(&format!(
                "        for: {}\n",
                if severity == Severity::Page {
                    "2m"
                } else {
                    "15m"
                }
            ));
            push_map(&mut out, "        ", "labels", &labels);
            push_map(&mut out, "        ", "annotations", &annotations);
        }
    }
    out
}

fn round6(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
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
                indicator: SeedIndicator {
                    errors: Some("sum(rate(e[{{.window}}]))".into()),
                    total: Some("sum(rate(t[{{.window}}]))".into()),
                    ..Default::default()
                },
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
        assert_eq!(parse_duration("30d").unwrap(), 30 * 86_400);
        assert_eq!(parse_duration("4w").unwrap(), 28 * 86_400);
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400);
        for bad in ["", "30", "d", "-1d", "1x", "0d", "1.5h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(300), "5m");
        assert_eq!(format_duration(5_400), "1h30m");
        assert_eq!(format_duration(30 * 86_400), "30d");
        assert_eq!(format_duration(60_480), "16h48m");
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
            indicator: SeedIndicator {
                errors: Some("sum(rate(e[{{.window}}]))".into()),
                total: Some("sum(rate(t[{{.window}}]))".into()),
                ..Default::default()
            },
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
        assert!(indicator_of(&no_window)
            .unwrap_err()
            .to_string()
            .contains("{{.window}}"));
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
