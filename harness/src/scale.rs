//! Fleet-size fixtures, loaded into real Alertmanagers through their v2 API: thousands of alerts
//! over many services and alert names, and thousands of silences. The integration tests load a
//! size that proves paging and counting; `cargo xtask scale up` and the bench load the full fleet.

use crate::{http_post_json, HarnessError};
use std::time::{SystemTime, UNIX_EPOCH};

/// The alert fleet: `alerts` alerts spread over `services` services and `names` alert names; one
/// in `CRITICAL_EVERY` critical, the rest warning. Alert `i` is on service `svc-{i % services}` and has
/// `instance="inst-{i}"`, so silence `i` of [`load_silences`] mutes exactly alert `i`.
#[derive(Debug, Clone, Copy)]
pub struct AlertFleet {
    pub alerts: usize,
    pub services: usize,
    pub names: usize,
}

/// One alert in ten is critical: a bad day, not a third of the fleet paging at once. The guide's
/// inhibit rule (critical mutes warning of the same alertname and instance) makes Alertmanager
/// 0.25 compare every warning with every critical at each flush (`inhibit.go` `hasEqual` copies
/// the source list per target), every `group_interval` (10 s as written): with a third critical
/// (3,334 × 6,666 per flush) both demo Alertmanagers stayed near a full core and answered
/// `/api/v2/alerts/groups` in 38 to over 200 s, so the anchor itself could not be read.
pub const CRITICAL_EVERY: usize = 10;

impl AlertFleet {
    /// The issue's size: 10,000 alerts, 200 services, 50 alert names.
    pub const FULL: AlertFleet = AlertFleet {
        alerts: 10_000,
        services: 200,
        names: 50,
    };

    /// Alerts of service `svc-{s}`.
    pub fn per_service(&self, s: usize) -> usize {
        (0..self.alerts).filter(|i| i % self.services == s).count()
    }

    /// Critical alerts over the whole fleet.
    pub fn critical(&self) -> usize {
        (0..self.alerts).filter(|i| i % CRITICAL_EVERY == 0).count()
    }
}

/// Posts the fleet's alerts to the Alertmanager at `addr` (`127.0.0.1:PORT`) in batches of 500.
/// They end in two hours, so they stay active through a test or a bench run.
pub fn load_alerts(addr: &str, fleet: &AlertFleet) -> Result<(), HarnessError> {
    let now = now_s();
    let ends = rfc3339(now + 7_200);
    for start in (0..fleet.alerts).step_by(500) {
        let batch: Vec<String> = (start..(start + 500).min(fleet.alerts))
            .map(|i| {
                let severity = if i % CRITICAL_EVERY == 0 {
                    "critical"
                } else {
                    "warning"
                };
                format!(
                    r#"{{"labels":{{"alertname":"ScaleAlert{name:02}","service":"svc-{svc:03}","severity":"{severity}","instance":"inst-{i}","fleet":"scale"}},"annotations":{{"summary":"scale alert {i} on svc-{svc:03}"}},"startsAt":"{starts}","endsAt":"{ends}","generatorURL":"http://prometheus.invalid/graph?g0.expr=up"}}"#,
                    name = i % fleet.names,
                    svc = i % fleet.services,
                    starts = rfc3339(now - (i as i64 % 3_600)),
                )
            })
            .collect();
        post(addr, "/api/v2/alerts", &format!("[{}]", batch.join(",")))?;
    }
    Ok(())
}

/// Posts `count` silences to the Alertmanager at `addr`: silence `i` mutes `instance="inst-{i}"`
/// for two hours, created by one of seven authors (`scale-0`…`scale-6`).
pub fn load_silences(addr: &str, count: usize) -> Result<(), HarnessError> {
    let now = now_s();
    let (starts, ends) = (rfc3339(now - 60), rfc3339(now + 7_200));
    for i in 0..count {
        let body = format!(
            r#"{{"matchers":[{{"name":"instance","value":"inst-{i}","isRegex":false,"isEqual":true}}],"startsAt":"{starts}","endsAt":"{ends}","createdBy":"scale-{author}","comment":"scale silence {i}"}}"#,
            author = i % 7,
        );
        post(addr, "/api/v2/silences", &body)?;
    }
    Ok(())
}

/// A Prometheus rule file of `groups` groups with `per_group` alerting rules each: rule 0 of every
/// group fires at once (`vector(1)`), the others never do. Rule `r` of group `g` is
/// `ScaleRule{g}x{r}`; `promtool check rules` accepts the file.
pub fn rules_file(groups: usize, per_group: usize) -> String {
    let mut out = String::from("groups:\n");
    for g in 0..groups {
        out.push_str(&format!("  - name: scale-{g:04}\n    rules:\n"));
        for r in 0..per_group {
            let expr = if r == 0 { "vector(1)" } else { "vector(0) > 1" };
            out.push_str(&format!(
                "      - alert: ScaleRule{g}x{r}\n        expr: {expr}\n        labels:\n          severity: warning\n          service: svc-{svc:03}\n        annotations:\n          summary: scale rule {r} of group {g}\n",
                svc = g % 50
            ));
        }
    }
    out
}

fn post(addr: &str, path: &str, body: &str) -> Result<(), HarnessError> {
    let (status, answer) = http_post_json(addr, path, body)
        .map_err(|e| HarnessError::Other(format!("POST {addr}{path}: {e}")))?;
    if status != 200 {
        return Err(HarnessError::Other(format!(
            "POST {addr}{path} answered {status}: {answer}"
        )));
    }
    Ok(())
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Unix seconds as RFC 3339 UTC (`2026-11-30T12:00:00Z`), as Alertmanager's API takes times.
pub fn rfc3339(secs: i64) -> String {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn the_fleet_counts_what_it_posts() {
        let f = AlertFleet {
            alerts: 600,
            services: 120,
            names: 7,
        };
        assert_eq!(f.per_service(7), 5);
        assert_eq!(f.critical(), 60, "one in ten");
    }
}
