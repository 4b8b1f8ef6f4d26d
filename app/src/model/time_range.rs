//! Grafana-style time ranges (`from=now-6h&to=now`, epoch milliseconds) resolved against a given
//! "now", and the query step that keeps a graph within a point budget. Pure: the caller passes the
//! clock in, so SSR and hydration agree.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TimeParseError {
    #[error("{0:?} is not a time; use now, now-6h, now-7d or epoch milliseconds")]
    Invalid(String),
    #[error("unknown unit {0:?}; use s, m, h, d, w, M or y")]
    Unit(String),
    #[error("the range ends before it starts; pick a 'from' earlier than 'to'")]
    Reversed,
}

/// Seconds in a unit as Grafana uses them in relative times (months and years are calendar-ish
/// approximations here; rounding to calendar boundaries comes with the dashboards module).
fn unit_seconds(unit: &str) -> Result<i64, TimeParseError> {
    match unit {
        // Months exist only in time expressions; the others are the durations' units.
        "M" => Ok(30 * 86_400),
        u => super::duration::unit_us(u)
            .filter(|us| *us >= 1_000_000)
            .map(|us| us / 1_000_000)
            .ok_or_else(|| TimeParseError::Unit(u.to_string())),
    }
}

/// Adds `n` units to `ms`; months and years move on the calendar (UTC), clamping the day.
fn add_units(ms: i64, n: i64, unit: &str) -> Result<i64, TimeParseError> {
    use super::timestamp::{civil_from_days, days_from_civil};
    if unit == "M" || unit == "y" {
        let months = if unit == "y" { n * 12 } else { n };
        let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
        let (y, m, d) = civil_from_days(days);
        let total = y * 12 + (m - 1) + months;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        let last_day = days_from_civil(ny + (nm / 12), nm % 12 + 1, 1) - days_from_civil(ny, nm, 1);
        return Ok(days_from_civil(ny, nm, d.min(last_day)) * 86_400_000 + rem);
    }
    Ok(ms + n * unit_seconds(unit)? * 1000)
}

/// Rounds down to the start of the unit (UTC; weeks start on Monday), or up to its last
/// millisecond, as Grafana's `now/d` does in `from` and `to`.
fn round_to(ms: i64, unit: &str, up: bool) -> Result<i64, TimeParseError> {
    use super::timestamp::{civil_from_days, days_from_civil};
    let days = ms.div_euclid(86_400_000);
    let start = match unit {
        "s" | "m" | "h" | "d" => {
            let size = unit_seconds(unit)? * 1000;
            ms.div_euclid(size) * size
        }
        // 1970-01-01 was a Thursday: Monday-based weeks are offset by 3 days.
        "w" => (days - (days + 3).rem_euclid(7)) * 86_400_000,
        "M" => {
            let (y, m, _) = civil_from_days(days);
            days_from_civil(y, m, 1) * 86_400_000
        }
        "y" => {
            let (y, _, _) = civil_from_days(days);
            days_from_civil(y, 1, 1) * 86_400_000
        }
        other => return Err(TimeParseError::Unit(other.to_string())),
    };
    if up {
        Ok(add_units(start, 1, unit)? - 1)
    } else {
        Ok(start)
    }
}

/// Resolves one end of a range to epoch milliseconds: `now`, `now-6h`, `now-1M/M`, `now/d`,
/// epoch milliseconds, or ISO 8601 (`2026-11-21T10:00:00Z`, `2026-11-21`). `round_up` is true
/// for the `to` end (`now/d` then means the end of today).
pub fn parse_time_end(expr: &str, now_ms: i64, round_up: bool) -> Result<i64, TimeParseError> {
    let e = expr.trim();
    if let Ok(ms) = e.parse::<i64>() {
        return Ok(ms);
    }
    if let Some(ms) = super::timestamp::parse_rfc3339(e) {
        return Ok(ms);
    }
    if e.len() == 10 {
        if let Some(ms) = super::timestamp::parse_rfc3339(&format!("{e}T00:00:00Z")) {
            return Ok(ms);
        }
    }
    let Some(rest) = e.strip_prefix("now") else {
        return Err(TimeParseError::Invalid(e.to_string()));
    };
    let (arith, round) = match rest.split_once('/') {
        Some((a, r)) => (a, Some(r)),
        None => (rest, None),
    };
    let mut t = now_ms;
    let mut body = arith;
    // Several terms are allowed: now-1d-6h.
    while !body.is_empty() {
        let sign = match body.as_bytes()[0] {
            b'-' => -1,
            b'+' => 1,
            _ => return Err(TimeParseError::Invalid(e.to_string())),
        };
        let rest = &body[1..];
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: i64 = if digits_end == 0 {
            return Err(TimeParseError::Invalid(e.to_string()));
        } else {
            rest[..digits_end]
                .parse()
                .map_err(|_| TimeParseError::Invalid(e.to_string()))?
        };
        let unit_len = rest[digits_end..]
            .find(['-', '+'])
            .unwrap_or(rest.len() - digits_end);
        let unit = &rest[digits_end..digits_end + unit_len];
        t = add_units(t, sign * n, unit)?;
        body = &rest[digits_end + unit_len..];
    }
    match round {
        Some(unit) => round_to(t, unit, round_up),
        None => Ok(t),
    }
}

/// Resolves the `from` end of a range (see [`parse_time_end`]).
pub fn parse_time(expr: &str, now_ms: i64) -> Result<i64, TimeParseError> {
    parse_time_end(expr, now_ms, false)
}

/// A resolved range in epoch milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl TimeRange {
    pub fn parse(from: &str, to: &str, now_ms: i64) -> Result<Self, TimeParseError> {
        let range = TimeRange {
            from_ms: parse_time(from, now_ms)?,
            to_ms: parse_time_end(to, now_ms, true)?,
        };
        if range.to_ms < range.from_ms {
            return Err(TimeParseError::Reversed);
        }
        Ok(range)
    }

    /// Step in seconds so the range has at most `max_points` samples, never below `min_step_s`.
    /// Rounded up to a "nice" value so neighbouring ranges share cache-friendly steps.
    pub fn step_seconds(&self, max_points: u32, min_step_s: u32) -> u32 {
        const NICE: [u32; 16] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400,
        ];
        let span_s = (self.to_ms.saturating_sub(self.from_ms).max(0) / 1000) as u64;
        let raw = span_s
            .div_ceil(max_points.max(1) as u64)
            .max(min_step_s.max(1) as u64);
        NICE.iter()
            .copied()
            .find(|n| *n as u64 >= raw)
            // An absurd range must not wrap to a tiny step (and so past the point limit).
            .unwrap_or(u32::try_from(raw).unwrap_or(u32::MAX))
    }
}

/// The range every page shows when its URL names none (a dashboard's own `time` wins there).
pub const DEFAULT_FROM: &str = "now-1h";
pub const DEFAULT_TO: &str = "now";

/// The quick ranges offered by the time picker: (`from` expression, label).
pub const QUICK_RANGES: &[(&str, &str)] = &[
    ("now-5m", "Last 5 minutes"),
    ("now-15m", "Last 15 minutes"),
    ("now-1h", "Last 1 hour"),
    ("now-6h", "Last 6 hours"),
    ("now-24h", "Last 24 hours"),
    ("now-7d", "Last 7 days"),
    ("now-30d", "Last 30 days"),
];

/// Auto-refresh choices: (`refresh` URL value, label). Empty means off.
pub const REFRESH_CHOICES: &[(&str, &str)] = &[
    ("", "Off"),
    ("5s", "5s"),
    ("10s", "10s"),
    ("30s", "30s"),
    ("1m", "1m"),
    ("5m", "5m"),
];

/// Parses a refresh interval (`30s`, `1m`) to milliseconds; `None` for off or nonsense.
pub fn refresh_millis(value: &str) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let digits_end = v.find(|c: char| !c.is_ascii_digit())?;
    let n: u64 = v[..digits_end].parse().ok()?;
    let unit = unit_seconds(&v[digits_end..]).ok()? as u64;
    (n > 0).then_some(n * unit * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn relative_and_absolute_times() {
        assert_eq!(parse_time("now", NOW), Ok(NOW));
        assert_eq!(parse_time("now-6h", NOW), Ok(NOW - 6 * 3_600_000));
        assert_eq!(parse_time("now+5m", NOW), Ok(NOW + 300_000));
        assert_eq!(parse_time("1699990000000", NOW), Ok(1_699_990_000_000));
        assert!(matches!(
            parse_time("now-6x", NOW),
            Err(TimeParseError::Unit(_))
        ));
        assert!(matches!(
            parse_time("yesterday", NOW),
            Err(TimeParseError::Invalid(_))
        ));
        assert!(matches!(
            parse_time("now-h", NOW),
            Err(TimeParseError::Invalid(_))
        ));
    }

    #[test]
    fn rounding_calendar_months_and_iso() {
        // 2023-11-14T22:13:20Z
        let day = 1_699_920_000_000; // 2023-11-14T00:00:00Z
        assert_eq!(parse_time("now/d", NOW), Ok(day));
        assert_eq!(parse_time_end("now/d", NOW, true), Ok(day + 86_400_000 - 1));
        // now-1M/M: October 2023 from its first millisecond...
        assert_eq!(parse_time("now-1M/M", NOW), Ok(1_696_118_400_000));
        // ...to its last.
        assert_eq!(
            parse_time_end("now-1M/M", NOW, true),
            Ok(1_698_796_800_000 - 1)
        );
        // Week of Monday 2023-11-13.
        assert_eq!(parse_time("now/w", NOW), Ok(day - 86_400_000));
        assert_eq!(parse_time("now-1d-6h", NOW), Ok(NOW - 30 * 3_600_000));
        assert_eq!(parse_time("2023-11-14T00:00:00Z", NOW), Ok(day));
        assert_eq!(parse_time("2023-11-14", NOW), Ok(day));
        // 31 March minus one month is the last day of February.
        let mar31 = super::super::timestamp::parse_rfc3339("2024-03-31T12:00:00Z").unwrap();
        assert_eq!(
            parse_time("now-1M", mar31).map(super::super::timestamp::rfc3339),
            Ok("2024-02-29T12:00:00.000Z".to_string())
        );
        assert!(parse_time("now/x", NOW).is_err());
    }

    #[test]
    fn reversed_ranges_are_refused() {
        assert_eq!(
            TimeRange::parse("now", "now-1h", NOW),
            Err(TimeParseError::Reversed)
        );
    }

    #[test]
    fn step_keeps_within_point_budget() {
        let r = TimeRange::parse("now-6h", "now", NOW).unwrap();
        let absurd = TimeRange {
            from_ms: i64::MIN,
            to_ms: i64::MAX,
        };
        assert_eq!(
            absurd.step_seconds(600, 1),
            u32::MAX,
            "no wrap to a tiny step"
        );
        let step = r.step_seconds(1000, 15);
        assert_eq!(step, 30, "6h / 1000 points = 21.6s, rounded up to 30s");
        assert!(21_600 / step <= 1000);
        let r = TimeRange::parse("now-5m", "now", NOW).unwrap();
        assert_eq!(
            r.step_seconds(1000, 15),
            15,
            "never below the scrape interval"
        );
    }

    #[test]
    fn refresh_values() {
        assert_eq!(refresh_millis("30s"), Some(30_000));
        assert_eq!(refresh_millis("1m"), Some(60_000));
        assert_eq!(refresh_millis(""), None);
        assert_eq!(refresh_millis("0s"), None);
        assert_eq!(refresh_millis("fast"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn steps_respect_the_point_budget_and_the_minimum(
            from in -4_000_000_000_000i64..4_000_000_000_000,
            span in 0i64..400_000_000_000,
            points in 1u32..20_000,
            min_step in 0u32..3_600,
        ) {
            let r = TimeRange { from_ms: from, to_ms: from + span };
            let step = r.step_seconds(points, min_step) as i64;
            prop_assert!(step >= min_step.max(1) as i64);
            prop_assert!((span / 1000) / step <= points as i64, "{} s / {} s > {}", span / 1000, step, points);
        }

        #[test]
        fn rounding_brackets_the_instant(now in 0i64..4_000_000_000_000, unit in prop::sample::select(vec!["m", "h", "d", "w", "M", "y"])) {
            let start = parse_time_end(&format!("now/{unit}"), now, false).unwrap();
            let end = parse_time_end(&format!("now/{unit}"), now, true).unwrap();
            prop_assert!(start <= now && now <= end, "{} <= {} <= {}", start, now, end);
            // Rounding is idempotent: the start of the unit rounds to itself.
            prop_assert_eq!(parse_time_end(&format!("now/{unit}"), start, false).unwrap(), start);
        }
    }
}
