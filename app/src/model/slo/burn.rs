//! The multi-window multi-burn-rate math of the Google SRE workbook (chapter 5): burn rates,
//! budget spent and left, alerting window pairs and an SLO's status from them.

use super::*;

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
