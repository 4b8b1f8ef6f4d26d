//! Series decimation for charts: min/max per pixel column (the M4 idea without the redundant
//! first/last points), so a series ships at most 2 points per horizontal pixel (3 where the column
//! also holds a gap) while every spike and dip a pixel column can show is kept. Pure.

/// A sample: epoch milliseconds and value (NaN for a gap).
pub type Point = (i64, f64);

/// Reduces `points` (sorted by time, within `from_ms..=to_ms`) to at most 2 per pixel column of a
/// `width_px` wide chart: the minimum and the maximum of each column, in time order. Gaps (NaN)
/// are kept once per column so lines still break where data is missing; a column with a gap keeps
/// its minimum and maximum too (3 points), since dropping either would hide a spike beside an
/// outage, which is exactly what the chart is looked at for.
pub fn min_max(points: &[Point], from_ms: i64, to_ms: i64, width_px: u32) -> Vec<Point> {
    let width = width_px.max(1) as i64;
    if points.len() <= 2 * width as usize {
        return points.to_vec();
    }
    let span = (to_ms - from_ms).max(1);
    let column = |t: i64| ((t - from_ms).clamp(0, span) * (width - 1) / span) as usize;
    let mut out = Vec::with_capacity(2 * width as usize);
    let mut i = 0;
    while i < points.len() {
        let col = column(points[i].0);
        let (mut lo, mut hi): (Option<Point>, Option<Point>) = (None, None);
        let mut gap: Option<Point> = None;
        while i < points.len() && column(points[i].0) == col {
            let p = points[i];
            if p.1.is_nan() {
                gap.get_or_insert(p);
            } else {
                if lo.is_none_or(|l| p.1 < l.1) {
                    lo = Some(p);
                }
                if hi.is_none_or(|h| p.1 > h.1) {
                    hi = Some(p);
                }
            }
            i += 1;
        }
        let mut col_points: Vec<Point> = Vec::with_capacity(2);
        match (lo, hi) {
            (Some(l), Some(h)) if l.0 == h.0 => col_points.push(l),
            (Some(l), Some(h)) => {
                col_points.push(l);
                col_points.push(h);
            }
            _ => {}
        }
        if let Some(g) = gap {
            col_points.push(g);
        }
        col_points.sort_by_key(|p| p.0);
        out.extend(col_points);
    }
    out
}

/// Markers thinned to one per `cell`-pixel square: for each occupied cell, the index of the
/// marker kept (the highest, i.e. smallest y: the slowest exemplar) and how many it stands for.
/// In first-seen cell order.
pub fn thin_markers(positions: &[(f64, f64)], cell: f64) -> Vec<(usize, usize)> {
    let cell = cell.max(1.0);
    let mut cells: Vec<((i64, i64), usize, usize)> = Vec::new();
    let mut index: std::collections::HashMap<(i64, i64), usize> = std::collections::HashMap::new();
    for (i, (x, y)) in positions.iter().enumerate() {
        let key = ((x / cell).floor() as i64, (y / cell).floor() as i64);
        match index.get(&key) {
            Some(&c) => {
                let entry = &mut cells[c];
                entry.2 += 1;
                if *y < positions[entry.1].1 {
                    entry.1 = i;
                }
            }
            None => {
                index.insert(key, cells.len());
                cells.push((key, i, 1));
            }
        }
    }
    cells.into_iter().map(|(_, i, n)| (i, n)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn markers_thin_to_one_per_cell_with_their_count() {
        let pos = [
            (1.0, 50.0),
            (3.0, 49.0),
            (7.9, 52.0),
            (9.0, 50.0),
            (100.0, 10.0),
        ];
        // Cells of 8 px: the first three share one, kept by the highest (y 49).
        assert_eq!(thin_markers(&pos, 8.0), vec![(1, 3), (3, 1), (4, 1)]);
        let many: Vec<(f64, f64)> = (0..1631).map(|i| (496.0 + (i % 5) as f64, 100.0)).collect();
        assert_eq!(
            thin_markers(&many, 8.0),
            vec![(0, 1631)],
            "1,631 overlapping markers make one"
        );
    }

    use super::*;

    #[test]
    fn keeps_at_most_two_points_per_pixel_and_the_extremes() {
        let pts: Vec<Point> = (0..10_000)
            .map(|i| {
                (
                    i as i64 * 1000,
                    if i == 5_123 {
                        1e6
                    } else if i == 7_777 {
                        -1e6
                    } else {
                        (i % 7) as f64
                    },
                )
            })
            .collect();
        let out = min_max(&pts, 0, 9_999_000, 300);
        assert!(out.len() <= 600, "{}", out.len());
        assert!(out.iter().any(|p| p.1 == 1e6), "the spike survives");
        assert!(out.iter().any(|p| p.1 == -1e6), "the dip survives");
        assert!(
            out.windows(2).all(|w| w[0].0 < w[1].0),
            "time order is kept"
        );
    }

    #[test]
    fn a_spike_beside_a_gap_survives() {
        // One pixel column (width 1 over 0..=3000) with a low value, a gap and a spike.
        let mut pts: Vec<Point> = vec![(0, 1.0), (1000, f64::NAN), (2000, 500.0), (3000, 2.0)];
        pts.extend((4..10).map(|i| (i * 1000, 1.5)));
        let out = min_max(&pts, 0, 9000, 1);
        assert!(out.iter().any(|p| p.1 == 500.0), "the spike: {out:?}");
        assert!(out.iter().any(|p| p.1 == 1.0), "the dip: {out:?}");
        assert!(out.iter().any(|p| p.1.is_nan()), "the gap: {out:?}");
    }

    #[test]
    fn small_series_are_untouched_and_gaps_kept() {
        let pts = vec![(0, 1.0), (1000, f64::NAN), (2000, 3.0)];
        assert_eq!(min_max(&pts, 0, 2000, 100).len(), 3);
        let many: Vec<Point> = (0..1000)
            .map(|i| {
                (
                    i,
                    if (400..500).contains(&i) {
                        f64::NAN
                    } else {
                        1.0
                    },
                )
            })
            .collect();
        let out = min_max(&many, 0, 999, 10);
        assert!(out.len() <= 30);
        assert!(
            out.iter().any(|p| p.1.is_nan()),
            "the gap survives decimation"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn series() -> impl Strategy<Value = Vec<Point>> {
        proptest::collection::vec(
            prop_oneof![9 => -1e6f64..1e6, 1 => Just(f64::NAN)],
            0..2_000,
        )
        .prop_map(|vals| {
            vals.into_iter()
                .enumerate()
                .map(|(i, v)| (i as i64 * 1000, v))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn every_column_keeps_its_extremes_and_gaps(pts in series(), width in 1u32..400) {
            let to = (pts.len().max(1) as i64 - 1) * 1000;
            let out = min_max(&pts, 0, to, width);
            if pts.len() <= 2 * width as usize {
                prop_assert_eq!(out.len(), pts.len());
                return Ok(());
            }
            let w = width as i64;
            let col = |t: i64| (t.clamp(0, to.max(1)) * (w - 1) / to.max(1)) as usize;
            let mut by_col: std::collections::BTreeMap<usize, (Vec<f64>, Vec<f64>)> = Default::default();
            for p in &pts {
                by_col.entry(col(p.0)).or_default().0.push(p.1);
            }
            for p in &out {
                by_col.entry(col(p.0)).or_default().1.push(p.1);
                prop_assert!(pts.iter().any(|q| q.0 == p.0), "only input points");
            }
            prop_assert!(out.windows(2).all(|w| w[0].0 < w[1].0), "time order");
            for (c, (input, kept)) in by_col {
                let values: Vec<f64> = input.iter().copied().filter(|v| !v.is_nan()).collect();
                let has_gap = input.iter().any(|v| v.is_nan());
                prop_assert!(kept.len() <= 2 + usize::from(has_gap), "column {}: {:?}", c, kept);
                prop_assert_eq!(kept.iter().any(|v| v.is_nan()), has_gap, "column {} gap", c);
                if let (Some(lo), Some(hi)) = (
                    values.iter().copied().reduce(f64::min),
                    values.iter().copied().reduce(f64::max),
                ) {
                    prop_assert!(kept.contains(&lo), "column {} min {}", c, lo);
                    prop_assert!(kept.contains(&hi), "column {} max {}", c, hi);
                }
            }
        }
    }
}
