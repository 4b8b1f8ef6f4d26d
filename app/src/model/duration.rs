//! Lengths of time as people and backends write them, parsed and written in this one place:
//! `90s`, `1h30m`, `1.5h`, `250ms`, `100us`, `2d`, `1w`, `1y` (365 days). Every caller (silence
//! durations, SLO windows, dashboard intervals, trace duration bounds, Prometheus' retention)
//! accepts the same units. Pure.

/// Microseconds in each unit, longest spelling first so `ms` is not read as `m` + `s`.
const UNITS: [(&str, i64); 9] = [
    ("ms", 1_000),
    ("us", 1),
    ("µs", 1),
    ("s", 1_000_000),
    ("m", 60_000_000),
    ("h", 3_600_000_000),
    ("d", 86_400_000_000),
    ("w", 604_800_000_000),
    ("y", 31_536_000_000_000),
];

/// Microseconds in one `unit` (`s`, `m`, `h`, …), if it is one.
pub fn unit_us(unit: &str) -> Option<i64> {
    UNITS.iter().find(|(u, _)| *u == unit).map(|(_, us)| *us)
}

/// Parses a duration to microseconds: one or more `<number><unit>` parts (`1h30m`, `1.5s`), or a
/// bare number of seconds (Grafana's intervals). `None` for anything else, negatives included.
pub fn parse_us(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.parse::<f64>().is_ok() {
        return part_us(t, 1_000_000);
    }
    let mut total: i64 = 0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        rest = &rest[digits..];
        let (unit, size) = UNITS.iter().find(|(u, _)| rest.starts_with(u))?;
        total = total.checked_add(part_us(number, *size)?)?;
        rest = &rest[unit.len()..];
    }
    Some(total)
}

/// `number` units of `size` µs: whole numbers exactly (no float rounding at large values),
/// decimals to the nearest microsecond; `None` when negative, malformed or past `i64`.
fn part_us(number: &str, size: i64) -> Option<i64> {
    if let Ok(n) = number.parse::<i64>() {
        return (n >= 0).then(|| n.checked_mul(size)).flatten();
    }
    let n: f64 = number.parse().ok()?;
    let us = n * size as f64;
    (us.is_finite() && us >= 0.0 && us < i64::MAX as f64).then(|| us.round() as i64)
}

/// [`parse_us`] in milliseconds.
pub fn parse_ms(text: &str) -> Option<i64> {
    parse_us(text).map(|us| us / 1_000)
}

/// Writes milliseconds the way Prometheus and Grafana read them: `5m`, `1h30m`, `30d`, `1s500ms`;
/// `0s` for nothing.
pub fn format_ms(ms: i64) -> String {
    if ms <= 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

/// [`format_ms`] of whole seconds (SLO windows).
pub fn format_s(secs: i64) -> String {
    format_ms(secs.saturating_mul(1_000))
}

/// Writes microseconds in Go's `time.ParseDuration` syntax (Jaeger and Tempo parse bounds with
/// it): the largest unit that keeps the value whole, `100ms`, `1500us`, `2m`.
pub fn format_go_us(us: i64) -> String {
    [
        ("h", 3_600_000_000),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
    ]
    .iter()
    .find(|(_, size)| us != 0 && us % size == 0)
    .map(|(unit, size)| format!("{}{unit}", us / size))
    .unwrap_or_else(|| format!("{us}us"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_callers_units_parse() {
        let ms = |t: &str| parse_ms(t);
        // Silences: `90m`, `4h`, `2d`, `1h30m`, weeks.
        assert_eq!(ms("90m"), Some(5_400_000));
        assert_eq!(ms("1h30m"), Some(5_400_000));
        assert_eq!(ms("2d"), Some(172_800_000));
        assert_eq!(ms("1w"), Some(604_800_000));
        // SLO windows and Prometheus' retention: `30d`, `4w`, `1y`, `15d`.
        assert_eq!(ms("30d"), Some(2_592_000_000));
        assert_eq!(ms("1y"), Some(31_536_000_000));
        // Dashboard intervals: `500ms`, a bare number of seconds, decimals.
        assert_eq!(ms("500ms"), Some(500));
        assert_eq!(ms("15"), Some(15_000));
        assert_eq!(ms("1.5h"), Some(5_400_000));
        // Trace bounds: microseconds.
        assert_eq!(parse_us("250us"), Some(250));
        assert_eq!(parse_us("250µs"), Some(250));
        assert_eq!(parse_us("1.2s"), Some(1_200_000));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "fast",
            "10 parsecs",
            "5x",
            "h",
            "-5m",
            "1h-",
            "m5",
            "1e400s",
        ] {
            assert_eq!(parse_us(bad), None, "{bad}");
        }
    }

    #[test]
    fn written_as_prometheus_reads_them() {
        assert_eq!(format_ms(0), "0s");
        assert_eq!(format_ms(300_000), "5m");
        assert_eq!(format_ms(5_400_000), "1h30m");
        assert_eq!(format_ms(2_592_000_000), "30d");
        assert_eq!(format_ms(1_500), "1s500ms");
        for text in ["5m", "1h30m", "30d", "1s500ms", "1d4h"] {
            assert_eq!(format_ms(parse_ms(text).unwrap()), text);
        }
    }

    #[test]
    fn written_as_go_reads_them() {
        assert_eq!(format_go_us(100_000), "100ms");
        assert_eq!(format_go_us(1_500), "1500us");
        assert_eq!(format_go_us(120_000_000), "2m");
        assert_eq!(format_go_us(0), "0us");
    }
}
