//! The histogram panel: every value of the queried series counted into buckets of equal width, as
//! Grafana's histogram does (`bucketSize`, `bucketCount`, `bucketOffset`, `combine`). Built on
//! the server from the points as read (decimation would skew the counts), so the page gets the
//! counts rather than the series. Pure.

use super::data::SeriesData;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Buckets Grafana aims for when the panel does not set a size.
const DEFAULT_BUCKET_COUNT: u32 = 30;
/// More buckets than a panel has pixels for would be drawn as nothing; wider ones are used.
pub const MAX_BUCKETS: usize = 200;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistogramOptions {
    pub bucket_size: Option<f64>,
    pub bucket_count: Option<u32>,
    pub bucket_offset: f64,
    /// One histogram of every series' values rather than one per series.
    pub combine: bool,
}

impl HistogramOptions {
    /// From the panel's `options` as Grafana writes them.
    pub fn from_json(opts: &Value) -> Self {
        let num = |k: &str| opts.get(k).and_then(Value::as_f64);
        Self {
            bucket_size: num("bucketSize").filter(|s| s.is_finite() && *s > 0.0),
            bucket_count: num("bucketCount").filter(|c| *c >= 1.0).map(|c| c as u32),
            bucket_offset: num("bucketOffset").unwrap_or(0.0),
            combine: opts.get("combine").and_then(Value::as_bool) == Some(true),
        }
    }
}

/// Counts per bucket: bucket `i` holds values in `[start + i·size, start + (i+1)·size)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub start: f64,
    pub size: f64,
    /// (series name, its count per bucket); one entry named "All" when combined.
    pub counts: Vec<(String, Vec<u64>)>,
    /// Values counted (NaN and infinities are not).
    pub values: u64,
    /// Why the buckets are wider than the panel asked, if they are.
    pub widened: Option<String>,
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
fn nice(raw: f64) -> f64 {
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * p)
}

pub fn build(series: &[SeriesData], opts: &HistogramOptions) -> Option<Histogram> {
    let finite = |s: &SeriesData| {
        s.points
            .iter()
            .map(|p| p.1)
            .filter(|v| v.is_finite())
            .collect::<Vec<f64>>()
    };
    let sets: Vec<(String, Vec<f64>)> = if opts.combine {
        vec![("All".to_string(), series.iter().flat_map(finite).collect())]
    } else {
        series.iter().map(|s| (s.name.clone(), finite(s))).collect()
    };
    let values = sets.iter().map(|(_, v)| v.len() as u64).sum();
    let (lo, hi) = sets
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    let auto = || {
        let count = opts.bucket_count.unwrap_or(DEFAULT_BUCKET_COUNT).max(1);
        match hi - lo {
            r if r > 0.0 => nice(r / count as f64),
            _ => nice(lo.abs().max(1.0) / 10.0),
        }
    };
    let mut size = opts.bucket_size.unwrap_or_else(auto);
    let offset = opts.bucket_offset;
    let index = |v: f64, size: f64| ((v - offset) / size).floor();
    let mut widened = None;
    if index(hi, size) - index(lo, size) + 1.0 > MAX_BUCKETS as f64 {
        let asked = size;
        size = nice((hi - lo) / (MAX_BUCKETS - 1) as f64);
        widened = Some(format!(
            "bucket size {asked} would make more than {MAX_BUCKETS} buckets; showing buckets of {size}"
        ));
    }
    let first = index(lo, size);
    let len = (index(hi, size) - first) as usize + 1;
    let counts = sets
        .into_iter()
        .map(|(name, values)| {
            let mut c = vec![0u64; len];
            for v in values {
                c[((index(v, size) - first) as usize).min(len - 1)] += 1;
            }
            (name, c)
        })
        .collect();
    Some(Histogram {
        start: first * size + offset,
        size,
        values,
        counts,
        widened,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, values: &[f64]) -> SeriesData {
        SeriesData {
            name: name.into(),
            labels: Default::default(),
            ref_id: "A".into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * 1000, *v))
                .collect(),
            shift_ms: 0,
            compare_last: None,
        }
    }

    #[test]
    fn values_fall_into_buckets_of_the_asked_size_from_the_offset() {
        let opts = HistogramOptions {
            bucket_size: Some(10.0),
            bucket_offset: 5.0,
            ..Default::default()
        };
        let h = build(&[series("a", &[5.0, 14.9, 15.0, 33.0, f64::NAN])], &opts).unwrap();
        assert_eq!((h.start, h.size), (5.0, 10.0));
        assert_eq!(h.counts, vec![("a".to_string(), vec![2, 1, 1])]);
        assert_eq!(h.values, 4);
        assert!(h.widened.is_none());
    }

    #[test]
    fn without_a_size_about_thirty_nice_buckets_cover_the_values() {
        let values: Vec<f64> = (0..=300).map(|i| i as f64 * 0.01).collect();
        let h = build(&[series("a", &values)], &HistogramOptions::default()).unwrap();
        assert_eq!(h.size, 0.1);
        assert_eq!(h.start, 0.0);
        assert_eq!(h.counts[0].1.len(), 31);
        assert_eq!(h.counts[0].1.iter().sum::<u64>(), 301);
    }

    #[test]
    fn series_are_counted_apart_unless_combined() {
        let s = [series("a", &[1.0, 2.0]), series("b", &[2.0])];
        let opts = HistogramOptions {
            bucket_size: Some(1.0),
            ..Default::default()
        };
        let apart = build(&s, &opts).unwrap();
        assert_eq!(
            apart.counts,
            vec![("a".into(), vec![1, 1]), ("b".into(), vec![0, 1])]
        );
        let combined = build(
            &s,
            &HistogramOptions {
                combine: true,
                ..opts
            },
        )
        .unwrap();
        assert_eq!(combined.counts, vec![("All".into(), vec![1, 2])]);
    }

    #[test]
    fn a_tiny_size_is_widened_and_says_so_and_no_values_is_no_histogram() {
        let opts = HistogramOptions {
            bucket_size: Some(0.001),
            ..Default::default()
        };
        let h = build(&[series("a", &[0.0, 100.0])], &opts).unwrap();
        assert!(h.counts[0].1.len() <= MAX_BUCKETS);
        assert!(h.widened.as_deref().unwrap().contains("0.001"), "{h:?}");
        assert!(build(&[series("a", &[f64::NAN])], &opts).is_none());
    }

    #[test]
    fn grafanas_options_are_read_and_nonsense_ignored() {
        let o = HistogramOptions::from_json(&serde_json::json!({
            "bucketSize": -1, "bucketCount": 12, "bucketOffset": 2.5, "combine": true
        }));
        assert_eq!(
            o,
            HistogramOptions {
                bucket_size: None,
                bucket_count: Some(12),
                bucket_offset: 2.5,
                combine: true
            }
        );
    }
}
