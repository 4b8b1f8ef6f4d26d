//! RFC 3339 timestamps (as Alertmanager and Prometheus write them) to and from epoch
//! milliseconds, without a date library, plus short "age" strings. Pure.

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `2026-11-22T01:02:03.456Z`
pub fn rfc3339(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.frac]]` with `Z`, `±HH:MM` or no zone (then UTC).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| s.get(a..b)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (h, mi) = (num(11, 13)?, num(14, 16)?);
    let mut pos = 16;
    let mut sec = 0;
    let mut frac_ms = 0;
    if s.as_bytes().get(16) == Some(&b':') {
        sec = num(17, 19)?;
        pos = 19;
        if s.as_bytes().get(19) == Some(&b'.') {
            let digits: String = s[20..].chars().take_while(char::is_ascii_digit).collect();
            frac_ms = format!("{:0<3}", &digits[..digits.len().min(3)])
                .parse()
                .ok()?;
            pos = 20 + digits.len();
        }
    }
    let offset_min = match &s[pos..] {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = if zone.starts_with('-') {
                -1
            } else if zone.starts_with('+') {
                1
            } else {
                return None;
            };
            let oh: i64 = zone.get(1..3)?.parse().ok()?;
            let om: i64 = zone.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om)
        }
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(
        ((days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_min * 60) * 1000)
            + frac_ms,
    )
}

/// `3m`, `2h 5m`, `4d 3h`: how long ago (or until) `ms` is from `now_ms`.
pub fn age(ms: i64, now_ms: i64) -> String {
    let s = (now_ms - ms).abs() / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, s / 60 % 60),
        _ => format!("{}d {}h", s / 86_400, s / 3600 % 24),
    }
}

/// The display zone chosen in the top bar: UTC, or the browser's zone as a fixed offset
/// (minutes east of UTC) so the server renders exactly what the browser will.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Local(i32),
}

/// Longest real offsets are UTC−12 and UTC+14.
const MAX_OFFSET_MIN: i32 = 14 * 60;

impl Zone {
    /// From the `octoscope_tz` cookie value: `utc`, or `local:<minutes east of UTC>`. Anything
    /// else (a stale or hand-edited cookie) means UTC.
    pub fn from_cookie(value: Option<&str>) -> Zone {
        let local = value
            .and_then(|v| v.trim().strip_prefix("local:"))
            .and_then(|m| m.parse::<i32>().ok())
            .filter(|m| m.abs() <= MAX_OFFSET_MIN);
        local.map(Zone::Local).unwrap_or(Zone::Utc)
    }

    pub fn cookie_value(self) -> String {
        match self {
            Zone::Utc => "utc".into(),
            Zone::Local(m) => format!("local:{m}"),
        }
    }

    pub fn offset_min(self) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Local(m) => m,
        }
    }

    pub fn is_local(self) -> bool {
        matches!(self, Zone::Local(_))
    }

    /// `UTC`, `UTC+05:30`, `UTC-04:00`: always the exact offset the times are shown in.
    pub fn label(self) -> String {
        zone_label(self.offset_min())
    }

    /// `2026-11-22 08:34:05 UTC+05:30`
    pub fn stamp(self, ms: i64) -> String {
        format!("{} {}", zoned(ms, self.offset_min()), self.label())
    }
}

/// `UTC` for offset 0, else `UTC±HH:MM`.
pub fn zone_label(offset_min: i32) -> String {
    if offset_min == 0 {
        return "UTC".into();
    }
    let sign = if offset_min < 0 { '-' } else { '+' };
    let m = offset_min.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// `2026-11-22 03:04:05` in the zone `offset_min` minutes east of UTC (no zone suffix).
pub fn zoned(ms: i64, offset_min: i32) -> String {
    zoned_millis(ms, offset_min)[..19].to_string()
}

/// `2026-11-22 03:04:05.678` in the zone `offset_min` minutes east of UTC (no zone suffix).
pub fn zoned_millis(ms: i64, offset_min: i32) -> String {
    let s = rfc3339(ms + offset_min as i64 * 60_000).replace('T', " ");
    s.trim_end_matches('Z').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let ms = 1_773_233_318_409; // 2026-03-11T12:48:38.409Z
        assert_eq!(rfc3339(ms), "2026-03-11T12:48:38.409Z");
        assert_eq!(parse_rfc3339("2026-03-11T12:48:38.409Z"), Some(ms));
        assert_eq!(
            parse_rfc3339("2018-07-04T20:27:12.60602144+02:00"),
            Some(1_530_728_832_606)
        );
        assert_eq!(
            parse_rfc3339("2063-01-01T00:00:00.000Z")
                .map(rfc3339)
                .as_deref(),
            Some("2063-01-01T00:00:00.000Z")
        );
        assert_eq!(
            parse_rfc3339("2026-11-22T03:00"),
            Some(parse_rfc3339("2026-11-22T03:00:00Z").unwrap())
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00Z"), None);
    }

    #[test]
    fn ages() {
        assert_eq!(age(0, 42_000), "42s");
        assert_eq!(age(0, 3_900_000), "1h 5m");
        assert_eq!(age(0, 90_000_000), "1d 1h");
    }

    #[test]
    fn zones_from_the_cookie_and_their_labels() {
        assert_eq!(Zone::from_cookie(None), Zone::Utc);
        assert_eq!(Zone::from_cookie(Some("utc")), Zone::Utc);
        assert_eq!(Zone::from_cookie(Some("local:330")), Zone::Local(330));
        assert_eq!(Zone::from_cookie(Some("local:-240")), Zone::Local(-240));
        assert_eq!(
            Zone::from_cookie(Some("local:9999")),
            Zone::Utc,
            "out of range"
        );
        assert_eq!(Zone::from_cookie(Some("local:abc")), Zone::Utc);
        assert_eq!(
            Zone::from_cookie(Some(&Zone::Local(60).cookie_value())),
            Zone::Local(60)
        );
        assert_eq!(zone_label(0), "UTC");
        assert_eq!(zone_label(330), "UTC+05:30");
        assert_eq!(zone_label(-570), "UTC-09:30");
        let ms = 1_773_233_318_409; // 2026-03-11T12:48:38.409Z
        assert_eq!(Zone::Utc.stamp(ms), "2026-03-11 12:48:38 UTC");
        assert_eq!(Zone::Local(330).stamp(ms), "2026-03-11 18:18:38 UTC+05:30");
        assert_eq!(
            Zone::Local(-780).stamp(ms),
            "2026-03-10 23:48:38 UTC-13:00",
            "across midnight"
        );
        assert_eq!(zoned_millis(ms, 0), "2026-03-11 12:48:38.409");
    }
}
