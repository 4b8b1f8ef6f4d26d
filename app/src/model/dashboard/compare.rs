//! Time-shift compare (`compare=1w`): each range query runs again over the same range that long
//! ago, and its series are drawn dashed under the current ones on the current time axis, named
//! "… (1w ago)", with the difference from the current value in the tooltip and legend. Pure.

use super::data::SeriesData;
use crate::model::duration::{format_ms, parse_ms};

/// The longest shift accepted: two years back is as far as any retention a console meets.
pub const MAX_SHIFT_MS: i64 = 2 * 366 * 86_400_000;

/// The URL's `compare` value as a shift in milliseconds; an empty value means none.
pub fn parse(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.is_empty() || t == "0" || t.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match parse_ms(t) {
        Some(ms) if ms > 0 && ms <= MAX_SHIFT_MS => Ok(Some(ms)),
        Some(0) => Ok(None),
        Some(_) => Err(format!(
            "compare={t} reaches back further than two years; use a shorter shift such as 1w"
        )),
        None => Err(format!(
            "compare={t} is not a duration; write it like 1d, 1w or 30d"
        )),
    }
}

/// The legend suffix of a shifted series: ` (1w ago)`.
pub fn suffix(shift_ms: i64) -> String {
    format!(" ({} ago)", format_ms(shift_ms))
}

/// Moves series read `shift_ms` ago onto the current time axis and names them as such.
pub fn shift_series(series: &mut [SeriesData], shift_ms: i64) {
    for s in series {
        for p in &mut s.points {
            p.0 += shift_ms;
        }
        s.name.push_str(&suffix(shift_ms));
        s.shift_ms = shift_ms;
    }
}

/// The current series a shifted one compares with: same query and labels, not shifted.
pub fn counterpart<'a>(shifted: &SeriesData, all: &'a [SeriesData]) -> Option<&'a SeriesData> {
    all.iter()
        .find(|s| s.shift_ms == 0 && s.ref_id == shifted.ref_id && s.labels == shifted.labels)
}

/// Sets each comparison's `compare_last`: the current series' last value and the comparison's
/// value at that same time.
pub fn mark_last(series: &mut [SeriesData]) {
    let marks: Vec<Option<(f64, f64)>> = series
        .iter()
        .map(|s| {
            if s.shift_ms == 0 {
                return None;
            }
            let now = counterpart(s, series)?;
            let &(t, v) = now.points.iter().rev().find(|p| p.1.is_finite())?;
            let then = value_at(&s.points, t);
            then.is_finite().then_some((v, then))
        })
        .collect();
    for (s, m) in series.iter_mut().zip(marks) {
        s.compare_last = m;
    }
}

/// The value of `points` at `t`: the last point at or before it (NaN in a gap or before the
/// first point).
pub fn value_at(points: &[crate::model::decimate::Point], t: i64) -> f64 {
    match points.partition_point(|p| p.0 <= t) {
        0 => f64::NAN,
        i => points[i - 1].1,
    }
}

/// "now − then" as the tooltip and legend show it: the difference, and its share of `then`
/// when that is not zero (`+12 (+4.5%)`); `None` when either value is missing.
pub fn delta(now: f64, then: f64, format: impl Fn(f64) -> String) -> Option<String> {
    if !(now.is_finite() && then.is_finite()) {
        return None;
    }
    let diff = now - then;
    let sign = if diff > 0.0 { "+" } else { "" };
    let mut out = format!("{sign}{}", format(diff));
    if then != 0.0 {
        let pct = diff / then.abs() * 100.0;
        let sign = if pct > 0.0 { "+" } else { "" };
        out.push_str(&format!(" ({sign}{pct:.1}%)"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels;

    fn series(name: &str, shift_ms: i64, points: Vec<(i64, f64)>) -> SeriesData {
        SeriesData {
            name: name.into(),
            labels: labels(&[("job", name)]),
            ref_id: "A".into(),
            points,
            shift_ms,
            compare_last: None,
        }
    }

    #[test]
    fn shifts_parse_from_durations_and_bad_ones_say_how_to_write_them() {
        assert_eq!(parse("1w"), Ok(Some(604_800_000)));
        assert_eq!(parse("1d12h"), Ok(Some(129_600_000)));
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("off"), Ok(None));
        assert!(parse("yesterday").unwrap_err().contains("1d, 1w"));
        assert!(parse("5y").unwrap_err().contains("two years"));
    }

    #[test]
    fn shifted_series_land_on_the_current_axis_named_by_their_shift() {
        let mut s = vec![series("api", 0, vec![(1_000, 1.0), (2_000, 2.0)])];
        shift_series(&mut s, 86_400_000);
        assert_eq!(s[0].name, "api (1d ago)");
        assert_eq!(s[0].points, vec![(86_401_000, 1.0), (86_402_000, 2.0)]);
        assert_eq!(s[0].shift_ms, 86_400_000);
    }

    #[test]
    fn a_shifted_series_finds_its_current_one_by_query_and_labels() {
        let now = series("api", 0, vec![(1_000, 5.0)]);
        let other = series("db", 0, vec![(1_000, 9.0)]);
        let mut then = vec![series("api", 0, vec![(1_000, 4.0)])];
        shift_series(&mut then, 1);
        let all = vec![now.clone(), other, then[0].clone()];
        assert_eq!(counterpart(&then[0], &all), Some(&now));
    }

    #[test]
    fn the_legend_compares_the_last_current_value_with_then() {
        let now = series(
            "api",
            0,
            vec![(1_000, 5.0), (2_000, 6.0), (3_000, f64::NAN)],
        );
        let then = series("api", 7, vec![(1_000, 4.0), (2_000, 3.0)]);
        let mut all = vec![now, then];
        mark_last(&mut all);
        assert_eq!(all[0].compare_last, None, "the current series has none");
        assert_eq!(all[1].compare_last, Some((6.0, 3.0)));
    }

    #[test]
    fn values_at_a_time_and_their_difference() {
        let pts = vec![(1_000, 1.0), (2_000, f64::NAN), (3_000, 3.0)];
        assert!(value_at(&pts, 500).is_nan());
        assert_eq!(value_at(&pts, 1_500), 1.0);
        assert!(value_at(&pts, 2_500).is_nan(), "a gap stays a gap");
        assert_eq!(value_at(&pts, 9_000), 3.0);
        let f = |v: f64| format!("{v:.0}");
        assert_eq!(delta(12.0, 10.0, f).as_deref(), Some("+2 (+20.0%)"));
        assert_eq!(delta(8.0, 10.0, f).as_deref(), Some("-2 (-20.0%)"));
        assert_eq!(delta(3.0, 0.0, f).as_deref(), Some("+3"));
        assert_eq!(delta(f64::NAN, 1.0, f), None);
    }
}
