//! Numbers as people read them, outside panels: a sample value (Prometheus writes
//! `3.5243376463339493e-01`) and numbers inside free text (annotations templated with a raw
//! `{{ $value }}`), through the same formatter as panel values. Pure.

use crate::model::dashboard::units::format_value;

/// A Prometheus sample string as a panel would print it with no unit (`0.352`); text that is no
/// number stays as it is.
pub fn sample(raw: &str) -> String {
    match raw.trim().parse::<f64>() {
        Ok(v) => format_value(v, "", None),
        Err(_) => raw.to_string(),
    }
}

/// Free text with its long numbers (more than four decimals, or an exponent) shortened to what a
/// panel would print; short numbers, versions (`1.2.3`) and identifiers stay untouched.
pub fn tidy(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let starts_number = b[i].is_ascii_digit()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.' || b[i - 1] == b'_'));
        if !starts_number {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let mut decimals = 0;
        if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
            j += 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
                decimals += 1;
            }
        }
        let mut exponent = false;
        if j + 1 < b.len() && (b[j] == b'e' || b[j] == b'E') {
            let mut k = j + 1;
            if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
                k += 1;
            }
            if k < b.len() && b[k].is_ascii_digit() {
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                j = k;
                exponent = true;
            }
        }
        // A number followed by more dotted digits is a version, by `_` part of a name; a unit
        // right after it (`1.67s`) is fine.
        let glued = j < b.len()
            && (b[j] == b'_' || (b[j] == b'.' && b.get(j + 1).is_some_and(u8::is_ascii_digit)));
        let token = &text[i..j];
        match token.parse::<f64>() {
            Ok(v) if !glued && (decimals > 4 || exponent) => {
                out.push_str(&format_value(v, "none", Some(significant(v))))
            }
            _ => out.push_str(token),
        }
        i = j;
    }
    out
}

/// Decimals that keep four significant digits (at most six).
fn significant(v: f64) -> u32 {
    let a = v.abs();
    if a == 0.0 || a >= 1000.0 {
        return 0;
    }
    (3 - a.log10().floor() as i32).clamp(0, 6) as u32
}

/// `12345` → `12,345`: counts read at a glance.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_read_like_panel_values() {
        assert_eq!(sample("3.5243376463339493e-01"), "0.352");
        assert_eq!(sample("1250"), "1.25 K");
        assert_eq!(sample("NaN"), "NaN");
        assert_eq!(sample("not a number"), "not a number");
    }

    #[test]
    fn long_numbers_in_text_are_shortened_and_the_rest_kept() {
        assert_eq!(
            tidy("p95 latency is 1.6749999999999994s on executor-2"),
            "p95 latency is 1.675s on executor-2"
        );
        assert_eq!(
            tidy("error ratio 3.5243376463339493e-01"),
            "error ratio 0.3524"
        );
        assert_eq!(
            tidy("v1.2.3 build 20240101 at 0.5"),
            "v1.2.3 build 20240101 at 0.5"
        );
        assert_eq!(tidy("café 12345.678901 €"), "café 12346 €");
    }

    #[test]
    fn counts_group_their_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
