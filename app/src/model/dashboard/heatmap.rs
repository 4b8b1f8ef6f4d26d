//! Heatmap rows from query series: Prometheus histogram buckets (series with an `le` label,
//! cumulative) become one row per bucket bound, summed over their other labels and made
//! per-bucket (each bound minus the one below, as Grafana's `format: heatmap` does), lowest bound
//! first; series without `le` are a row each, as they are. Pure.

use super::data::SeriesData;
use crate::model::decimate::Point;
use std::collections::BTreeMap;

/// `le` as a number for ordering (`+Inf` last); None when it is not one.
fn bound(le: &str) -> Option<f64> {
    match le.trim() {
        "+Inf" | "Inf" | "inf" => Some(f64::INFINITY),
        v => v.parse().ok(),
    }
}

pub fn rows(series: &[SeriesData]) -> Vec<(String, Vec<Point>)> {
    let buckets = !series.is_empty()
        && series
            .iter()
            .all(|s| s.labels.get("le").and_then(|le| bound(le)).is_some());
    if !buckets {
        return series
            .iter()
            .map(|s| (s.name.clone(), s.points.clone()))
            .collect();
    }
    // le → time → summed count.
    let mut by_le: Vec<(f64, String, BTreeMap<i64, f64>)> = Vec::new();
    for s in series {
        let le = s.labels["le"].clone();
        let b = bound(&le).unwrap_or(f64::INFINITY);
        let i = match by_le.iter().position(|(x, _, _)| *x == b) {
            Some(i) => i,
            None => {
                by_le.push((b, le, BTreeMap::new()));
                by_le.len() - 1
            }
        };
        for &(t, v) in &s.points {
            if v.is_finite() {
                *by_le[i].2.entry(t).or_default() += v;
            }
        }
    }
    by_le.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::with_capacity(by_le.len());
    let mut below: BTreeMap<i64, f64> = BTreeMap::new();
    for (_, le, counts) in by_le {
        let points = counts
            .iter()
            .map(|(t, v)| (*t, (v - below.get(t).copied().unwrap_or(0.0)).max(0.0)))
            .collect();
        below = counts;
        out.push((le, points));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::labels;

    fn s(le: &str, pod: &str, points: Vec<Point>) -> SeriesData {
        SeriesData {
            name: format!("{le} {pod}"),
            labels: labels(&[("le", le), ("pod", pod)]),
            ref_id: "A".into(),
            points,
            shift_ms: 0,
            compare_last: None,
        }
    }

    #[test]
    fn cumulative_buckets_become_per_bucket_rows_lowest_first_summed_over_labels() {
        let series = vec![
            s("+Inf", "a", vec![(0, 10.0)]),
            s("0.5", "a", vec![(0, 7.0)]),
            s("0.1", "a", vec![(0, 3.0)]),
            s("0.1", "b", vec![(0, 1.0)]),
            s("0.5", "b", vec![(0, 1.0)]),
            s("+Inf", "b", vec![(0, 2.0)]),
        ];
        let r = rows(&series);
        let names: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["0.1", "0.5", "+Inf"]);
        assert_eq!(r[0].1, vec![(0, 4.0)]);
        assert_eq!(r[1].1, vec![(0, 4.0)], "8 up to 0.5, 4 of them up to 0.1");
        assert_eq!(r[2].1, vec![(0, 4.0)]);
    }

    #[test]
    fn series_without_buckets_are_rows_as_they_are() {
        let mut plain = s("x", "a", vec![(0, 1.0)]);
        plain.labels.remove("le");
        let r = rows(&[plain.clone()]);
        assert_eq!(r, vec![(plain.name, vec![(0, 1.0)])]);
        assert!(rows(&[]).is_empty());
    }
}
