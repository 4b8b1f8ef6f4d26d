//! The silence form's draft and its validation, field by field, before anything is sent to
//! Alertmanager. Pure: the caller passes "now".

use super::matchers::{parse_matchers, Matcher};
use super::timestamp::parse_rfc3339;
use serde::{Deserialize, Serialize};

/// What the user typed, kept verbatim so a failed submit loses nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SilenceDraft {
    /// One matcher per line (or comma-separated): `alertname="HighErrorRate"`.
    pub matchers: String,
    /// Empty for now, else a time in the display zone (`2026-11-22T03:00`) or with its own
    /// offset (RFC 3339).
    pub starts_at: String,
    /// Any duration: `1h`, `2h30m`, `90m`, `2d`; ignored when `ends_at` is set.
    pub duration: String,
    pub ends_at: String,
    pub created_by: String,
    pub comment: String,
    /// Id of the silence this draft edits (Alertmanager expires it and creates the new one).
    #[serde(default)]
    pub replaces: String,
    /// The display zone the times are typed in (minutes east of UTC; 0 is UTC).
    #[serde(default)]
    pub utc_offset_min: i32,
}

/// A typed time: with its own offset (`Z`, `+02:00`) as written, else read in the zone
/// `offset_min` minutes east of UTC.
pub fn parse_in_zone(text: &str, offset_min: i32) -> Option<i64> {
    let t = text.trim();
    let has_zone = t.len() > 16 && {
        let tail = &t[16..];
        tail.ends_with(['Z', 'z']) || tail.contains(['+', '-'])
    };
    let ms = parse_rfc3339(t)?;
    Some(if has_zone {
        ms
    } else {
        ms - i64::from(offset_min) * 60_000
    })
}

/// The window a draft asks for, `(start, end)`, or what to fix: start empty = now; end from
/// the end time, else start + duration. Errors land on the field they concern.
pub fn draft_window(d: &SilenceDraft, now_ms: i64) -> (Option<i64>, Option<i64>, DraftErrors) {
    let mut errors = DraftErrors::default();
    let zone = crate::model::timestamp::zone_label(d.utc_offset_min);
    let example =
        |ms: i64| crate::model::timestamp::zoned(ms, d.utc_offset_min)[..16].replace(" ", "T");
    let starts_ms = if d.starts_at.trim().is_empty() {
        Some(now_ms)
    } else {
        let s = parse_in_zone(&d.starts_at, d.utc_offset_min);
        if s.is_none() {
            errors.starts_at = Some(format!(
                "use a time like {} ({zone}), or leave empty for now",
                example(now_ms + 3_600_000)
            ));
        }
        s
    };
    let ends_ms = if !d.ends_at.trim().is_empty() {
        let e = parse_in_zone(&d.ends_at, d.utc_offset_min);
        if e.is_none() {
            errors.ends_at = Some(format!(
                "use a time like {} ({zone})",
                example(now_ms + 4 * 3_600_000)
            ));
        }
        e
    } else {
        match super::duration::parse_ms(&d.duration).filter(|ms| *ms > 0) {
            Some(ms) => starts_ms.map(|s| s + ms),
            None => {
                errors.ends_at = Some(format!(
                    "{:?} is not a duration; write one such as 2h30m, 90m or 2d, or give an end time",
                    d.duration.trim()
                ));
                None
            }
        }
    };
    if let (Some(s), Some(e)) = (starts_ms, ends_ms) {
        if e <= s {
            errors.ends_at = Some("the end must be after the start".into());
        } else if e <= now_ms {
            errors.ends_at =
                Some("the end is in the past; this silence would never be active".into());
        }
    }
    (starts_ms, ends_ms, errors)
}

/// One message per field that needs fixing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftErrors {
    pub matchers: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub created_by: Option<String>,
    pub comment: Option<String>,
}

impl DraftErrors {
    pub fn is_empty(&self) -> bool {
        *self == DraftErrors::default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidSilence {
    pub matchers: Vec<Matcher>,
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub created_by: String,
    pub comment: String,
}

/// The matchers typed so far (lines and commas); errors name the offending line.
pub fn draft_matchers(text: &str) -> Result<Vec<Matcher>, String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.extend(parse_matchers(line).map_err(|e| format!("{line}: {e}"))?);
    }
    Ok(out)
}

pub fn validate(d: &SilenceDraft, now_ms: i64) -> Result<ValidSilence, DraftErrors> {
    let mut errors = DraftErrors::default();
    let matchers = match draft_matchers(&d.matchers) {
        Ok(m) if m.is_empty() => {
            errors.matchers =
                Some("add at least one matcher, such as alertname=\"HighErrorRate\"".into());
            vec![]
        }
        // Alertmanager refuses silences whose every matcher matches the empty string.
        Ok(m) if m.iter().all(|x| x.matches_value("")) => {
            errors.matchers = Some(
                "these matchers would match every alert; add one that needs a non-empty value"
                    .into(),
            );
            m
        }
        Ok(m) => m,
        Err(e) => {
            errors.matchers = Some(e);
            vec![]
        }
    };
    let (starts_ms, ends_ms, time_errors) = draft_window(d, now_ms);
    errors.starts_at = time_errors.starts_at;
    errors.ends_at = time_errors.ends_at;
    if d.created_by.trim().is_empty() {
        errors.created_by = Some("say who is creating the silence".into());
    }
    if d.comment.trim().is_empty() {
        errors.comment = Some("say why (a ticket, the maintenance window)".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ValidSilence {
        matchers,
        starts_ms: starts_ms.unwrap_or(now_ms),
        ends_ms: ends_ms.unwrap_or(now_ms),
        created_by: d.created_by.trim().to_string(),
        comment: d.comment.trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    const NOW: i64 = 1_800_000_000_000;

    fn draft(matchers: &str) -> SilenceDraft {
        SilenceDraft {
            matchers: matchers.into(),
            duration: "4h".into(),
            created_by: "oncall".into(),
            comment: "maintenance".into(),
            ..Default::default()
        }
    }

    #[test]
    fn valid_drafts() {
        let v = validate(
            &draft("alertname=\"HighErrorRate\"\nservice=~\"orch.*\""),
            NOW,
        )
        .unwrap();
        assert_eq!(v.matchers.len(), 2);
        assert_eq!((v.starts_ms, v.ends_ms), (NOW, NOW + 4 * 3_600_000));
        let mut d = draft("alertname=X");
        d.ends_at = crate::model::timestamp::rfc3339(NOW + 60_000);
        assert_eq!(validate(&d, NOW).unwrap().ends_ms, NOW + 60_000);
    }

    #[test]
    fn times_are_read_in_the_display_zone_and_any_duration_works() {
        // 1_800_000_000_000 is 2027-01-15T08:00:00Z.
        let mut d = draft("a=b");
        d.utc_offset_min = 60;
        d.starts_at = "2027-01-15T10:00".into();
        d.duration = "2h30m".into();
        let v = validate(&d, NOW).unwrap();
        assert_eq!(v.starts_ms, NOW + 3_600_000, "10:00 at UTC+1 is 09:00 UTC");
        assert_eq!(v.ends_ms, v.starts_ms + 9_000_000);
        d.starts_at = "2027-01-15T10:00Z".into();
        assert_eq!(
            validate(&d, NOW).unwrap().starts_ms,
            NOW + 2 * 3_600_000,
            "an explicit zone wins"
        );
        d.starts_at = "tomorrow".into();
        let e = validate(&d, NOW).unwrap_err().starts_at.unwrap();
        assert!(
            e.contains("2027-01-15T10:00") && e.contains("UTC+01:00"),
            "{e}"
        );
    }

    #[test]
    fn each_problem_is_reported_on_its_field() {
        let e = validate(&SilenceDraft::default(), NOW).unwrap_err();
        assert!(
            e.matchers.is_some()
                && e.ends_at.is_some()
                && e.created_by.is_some()
                && e.comment.is_some()
        );
        assert!(validate(&draft("job=~\"arm(\""), NOW)
            .unwrap_err()
            .matchers
            .unwrap()
            .contains("does not compile"));
        assert!(validate(&draft("job=~\".*\""), NOW)
            .unwrap_err()
            .matchers
            .unwrap()
            .contains("every alert"));
        let mut d = draft("a=b");
        d.starts_at = crate::model::timestamp::rfc3339(NOW + 7_200_000);
        d.ends_at = crate::model::timestamp::rfc3339(NOW + 3_600_000);
        assert_eq!(
            validate(&d, NOW).unwrap_err().ends_at.unwrap(),
            "the end must be after the start"
        );
        let mut d = draft("a=b");
        d.duration = "soon".into();
        assert!(validate(&d, NOW).unwrap_err().ends_at.is_some());
    }
}
