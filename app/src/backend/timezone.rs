//! IANA time zone offsets for server-rendered time labels (the browser's own zone is applied
//! after hydration).

use chrono::{Offset, TimeZone};

/// Minutes east of UTC in zone `name` (an IANA id such as `Europe/Paris`) at `at_ms`.
pub fn utc_offset_minutes(name: &str, at_ms: i64) -> Result<i32, String> {
    let tz: chrono_tz::Tz = name.parse().map_err(|_| {
        format!("unknown time zone {name:?}; use utc, browser or an IANA id such as Europe/Paris")
    })?;
    let utc = chrono::DateTime::from_timestamp_millis(at_ms)
        .ok_or_else(|| format!("{at_ms} is out of range"))?
        .naive_utc();
    Ok(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc() / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_daylight_saving() {
        // 2026-01-15 and 2026-07-15, noon UTC.
        assert_eq!(
            utc_offset_minutes("Europe/Paris", 1_768_478_400_000),
            Ok(60)
        );
        assert_eq!(
            utc_offset_minutes("Europe/Paris", 1_784_116_800_000),
            Ok(120)
        );
        assert_eq!(
            utc_offset_minutes("Asia/Kolkata", 1_768_478_400_000),
            Ok(330)
        );
        assert!(utc_offset_minutes("Mars/Olympus", 0)
            .unwrap_err()
            .contains("unknown time zone"));
    }
}
