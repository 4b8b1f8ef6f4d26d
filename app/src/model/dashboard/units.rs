//! Writing a value for display in a Grafana unit (`percentunit`, `s`, `bytes`, `reqps`,
//! `currencyUSD`, `suffix:…`) with the panel's decimals. Pure.

pub(super) fn trim_float(v: f64) -> String {
    let s = format!("{v}");
    s
}

/// Formats with `decimals` or, when unset, as many as the magnitude needs (at most 3).
fn fixed(v: f64, decimals: Option<u32>) -> String {
    let d = decimals.unwrap_or_else(|| {
        let a = v.abs();
        if a == 0.0 || a >= 100.0 {
            0
        } else if a >= 10.0 {
            1
        } else if a >= 1.0 {
            2
        } else {
            3
        }
    });
    let s = format!("{v:.*}", d as usize);
    if decimals.is_none() && s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn scaled(v: f64, base: f64, units: &[&str], decimals: Option<u32>) -> String {
    let mut i = 0;
    let mut x = v;
    while x.abs() >= base && i + 1 < units.len() {
        x /= base;
        i += 1;
    }
    format!("{} {}", fixed(x, decimals), units[i])
}

/// Durations scale up from the given unit (ms → s → min → hour → day) and down below 1.
fn duration(v: f64, unit_s: f64, decimals: Option<u32>) -> String {
    let secs = v * unit_s;
    let a = secs.abs();
    let (x, u) = if a == 0.0 {
        (0.0, if unit_s < 1.0 { "ms" } else { "s" })
    } else if a < 1e-6 {
        (secs * 1e9, "ns")
    } else if a < 1e-3 {
        (secs * 1e6, "µs")
    } else if a < 1.0 {
        (secs * 1e3, "ms")
    } else if a < 60.0 {
        (secs, "s")
    } else if a < 3600.0 {
        (secs / 60.0, "min")
    } else if a < 86_400.0 {
        (secs / 3600.0, "hour")
    } else if a < 7.0 * 86_400.0 {
        (secs / 86_400.0, "day")
    } else {
        (secs / (7.0 * 86_400.0), "week")
    };
    format!("{} {u}", fixed(x, decimals))
}

/// Formats a value with a Grafana unit id. NaN and infinities are spelled out.
pub fn format_value(v: f64, unit: &str, decimals: Option<u32>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if let Some(sfx) = unit.strip_prefix("suffix:") {
        return format!("{}{sfx}", fixed(v, decimals));
    }
    if let Some(pfx) = unit.strip_prefix("prefix:") {
        return format!("{pfx}{}", fixed(v, decimals));
    }
    const SI: [&str; 5] = ["", "K", "Mil", "Bil", "Tri"];
    match unit {
        "percent" => format!("{}%", fixed(v, decimals)),
        "percentunit" => format!("{}%", fixed(v * 100.0, decimals)),
        "s" | "dtdurations" => duration(v, 1.0, decimals),
        "ms" => duration(v, 1e-3, decimals),
        "µs" | "us" => duration(v, 1e-6, decimals),
        "ns" => duration(v, 1e-9, decimals),
        "m" => duration(v, 60.0, decimals),
        "h" => duration(v, 3600.0, decimals),
        "d" => duration(v, 86_400.0, decimals),
        "bytes" => scaled(
            v,
            1024.0,
            &["B", "KiB", "MiB", "GiB", "TiB", "PiB"],
            decimals,
        ),
        "decbytes" => scaled(v, 1000.0, &["B", "kB", "MB", "GB", "TB", "PB"], decimals),
        "bits" => scaled(v, 1024.0, &["b", "Kib", "Mib", "Gib", "Tib"], decimals),
        "decbits" => scaled(v, 1000.0, &["b", "kb", "Mb", "Gb", "Tb"], decimals),
        "Bps" | "binBps" => scaled(v, 1024.0, &["B/s", "KiB/s", "MiB/s", "GiB/s"], decimals),
        "bps" | "binbps" => scaled(v, 1024.0, &["b/s", "Kib/s", "Mib/s", "Gib/s"], decimals),
        "reqps" => format!("{} req/s", fixed(v, decimals)),
        "rps" => format!("{} rd/s", fixed(v, decimals)),
        "wps" => format!("{} wr/s", fixed(v, decimals)),
        "ops" => format!("{} ops/s", fixed(v, decimals)),
        "iops" => format!("{} io/s", fixed(v, decimals)),
        "cps" => format!("{} c/s", fixed(v, decimals)),
        "pps" => format!("{} p/s", fixed(v, decimals)),
        "currencyUSD" => format!("${}", fixed(v, decimals.or(Some(2)))),
        "currencyEUR" => format!("€{}", fixed(v, decimals.or(Some(2)))),
        "none" => fixed(v, decimals),
        "bool" => (if v != 0.0 { "True" } else { "False" }).into(),
        "short" | "" => {
            let s = scaled(v, 1000.0, &SI, decimals);
            s.trim_end().to_string()
        }
        // Unknown ids show the number as is, like Grafana does.
        _ => fixed(v, decimals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(format_value(0.953, "percentunit", Some(1)), "95.3%");
        assert_eq!(format_value(42.0, "percent", None), "42%");
        assert_eq!(format_value(0.25, "s", None), "250 ms");
        assert_eq!(format_value(90.0, "s", None), "1.5 min");
        assert_eq!(format_value(1500.0, "ms", None), "1.5 s");
        assert_eq!(format_value(1536.0, "bytes", None), "1.5 KiB");
        assert_eq!(format_value(2_000_000.0, "decbytes", None), "2 MB");
        assert_eq!(format_value(12.345, "reqps", Some(1)), "12.3 req/s");
        assert_eq!(format_value(1234.5, "short", None), "1.23 K");
        assert_eq!(format_value(7.0, "short", None), "7");
        assert_eq!(format_value(3.5, "currencyUSD", None), "$3.50");
        assert_eq!(format_value(3.0, "suffix: tok", None), "3 tok");
        assert_eq!(format_value(3.0, "prefix:~", None), "~3");
        assert_eq!(format_value(f64::NAN, "s", None), "NaN");
        assert_eq!(format_value(f64::INFINITY, "s", None), "+Inf");
    }
}
