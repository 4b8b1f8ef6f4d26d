//! Charts as SVG strings. Plotters draws areas, bars, points, threshold areas and the grid; this
//! module writes the lines (compact relative paths on whole pixels), threshold lines and axis
//! labels, so the same function renders on the server for the first HTML and in the browser
//! when data, size or the visible series change. Pure: no IO.

use crate::model::dashboard::field::{css_color, DrawStyle, Stacking, ThresholdsStyle};
use crate::model::dashboard::units::format_value;
use crate::model::decimate::Point;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What a chart shows, for screen readers: its series by name (the first few).
fn chart_title(series: &[ChartSeries]) -> String {
    match series.len() {
        0 => "Time series chart, no data".to_string(),
        n => {
            let names: Vec<&str> = series.iter().take(5).map(|s| s.name.as_str()).collect();
            let more = if n > 5 {
                format!(" and {} more", n - 5)
            } else {
                String::new()
            };
            format!("Time series chart of {}{more}", names.join(", "))
        }
    }
}

/// One series as the chart draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub color: String,
    pub points: Vec<Point>,
    pub draw: DrawStyle,
    pub fill_opacity: f64,
    pub line_width: f64,
    pub show_points: bool,
    pub negative_y: bool,
    /// A comparison (`compare=1w`): a dashed line, never filled or stacked.
    pub dashed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub width: u32,
    pub height: u32,
    pub from_ms: i64,
    pub to_ms: i64,
    pub series: Vec<ChartSeries>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub log_base: Option<u32>,
    pub stacking: Stacking,
    /// Absolute threshold steps (value, colour) and how to show them.
    pub thresholds: Vec<(Option<f64>, String)>,
    pub thresholds_style: ThresholdsStyle,
    pub unit: String,
    pub decimals: Option<u32>,
    /// Minutes east of UTC used for time labels.
    pub utc_offset_min: i32,
}

/// Where the plot area is, so pointer positions map back to time and value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Geometry {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub from_ms: i64,
    pub to_ms: i64,
    /// The value axis (after the log transform, when there is one).
    pub lo: f64,
    pub hi: f64,
    pub log_base: Option<f64>,
}

impl Geometry {
    /// Vertical position of value `v` (SVG pixels), or None off a log axis.
    pub fn y_of(&self, v: f64) -> Option<f64> {
        let t = match self.log_base {
            Some(b) if v > 0.0 => v.log(b),
            Some(_) => return None,
            None => v,
        };
        let f = (t - self.lo) / (self.hi - self.lo).max(f64::MIN_POSITIVE);
        f.is_finite()
            .then(|| self.top + self.height * (1.0 - f.clamp(0.0, 1.0)))
    }

    /// Time at horizontal position `x` (SVG pixels), clamped to the range.
    pub fn time_at(&self, x: f64) -> i64 {
        let f = ((x - self.left) / self.width.max(1.0)).clamp(0.0, 1.0);
        self.from_ms + ((self.to_ms - self.from_ms) as f64 * f) as i64
    }

    pub fn x_of(&self, t: i64) -> f64 {
        self.left
            + (t - self.from_ms) as f64 / (self.to_ms - self.from_ms).max(1) as f64 * self.width
    }
}

const LEFT: u32 = 64;
const BOTTOM: u32 = 22;
const TOP: u32 = 8;
const RIGHT: u32 = 12;

/// Parses `#rgb`, `#rrggbb`, `rgb()`/`rgba()` and palette names into an RGB colour and alpha.
pub fn rgb(color: &str) -> (RGBColor, f64) {
    let c = css_color(color);
    let hex = |s: &str| u8::from_str_radix(s, 16).ok();
    if let Some(h) = c.strip_prefix('#') {
        let parsed = match h.len() {
            3 => (|| {
                let d = |i: usize| hex(&h[i..i + 1].repeat(2));
                Some((d(0)?, d(1)?, d(2)?))
            })(),
            6 | 8 => (|| Some((hex(&h[0..2])?, hex(&h[2..4])?, hex(&h[4..6])?)))(),
            _ => None,
        };
        if let Some((r, g, b)) = parsed {
            return (RGBColor(r, g, b), 1.0);
        }
    }
    if let Some(inner) = c
        .strip_prefix("rgba(")
        .or_else(|| c.strip_prefix("rgb("))
        .and_then(|r| r.strip_suffix(')'))
    {
        let parts: Vec<f64> = inner
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        if parts.len() >= 3 {
            let a = parts.get(3).copied().unwrap_or(1.0);
            return (
                RGBColor(parts[0] as u8, parts[1] as u8, parts[2] as u8),
                a.clamp(0.0, 1.0),
            );
        }
    }
    (RGBColor(128, 128, 128), 1.0)
}

/// "Nice" tick values covering `lo..hi` (about `count` of them).
pub fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / count.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 && out.len() < 50 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// Time ticks at a round interval so that about `count` fit.
pub fn time_ticks(from_ms: i64, to_ms: i64, count: usize, offset_ms: i64) -> Vec<i64> {
    const STEPS: [i64; 17] = [
        1_000,
        5_000,
        10_000,
        15_000,
        30_000,
        60_000,
        300_000,
        600_000,
        900_000,
        1_800_000,
        3_600_000,
        7_200_000,
        10_800_000,
        21_600_000,
        43_200_000,
        86_400_000,
        604_800_000,
    ];
    let raw = (to_ms - from_ms).max(1) / count.max(1) as i64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| *s >= raw)
        .unwrap_or(raw.max(1));
    let mut t = (from_ms + offset_ms).div_euclid(step) * step - offset_ms;
    if t < from_ms {
        t += step;
    }
    let mut out = Vec::new();
    while t <= to_ms && out.len() < 40 {
        out.push(t);
        t += step;
    }
    out
}

/// `HH:MM` for short ranges, `MM-DD HH:MM` for ranges over a day.
pub fn time_label(ms: i64, range_ms: i64, offset_min: i32) -> String {
    let local = ms + offset_min as i64 * 60_000;
    let iso = crate::model::timestamp::rfc3339(local);
    if range_ms > 86_400_000 {
        format!("{} {}", &iso[5..10], &iso[11..16])
    } else if range_ms < 300_000 {
        iso[11..19].to_string()
    } else {
        iso[11..16].to_string()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Values after stacking (normal or percent), aligned by timestamp across series.
fn stacked(series: &[ChartSeries], stacking: Stacking) -> Vec<Vec<Point>> {
    if stacking == Stacking::None {
        return series
            .iter()
            .map(|s| {
                s.points
                    .iter()
                    .map(|(t, v)| (*t, if s.negative_y { -v } else { *v }))
                    .collect()
            })
            .collect();
    }
    let mut totals: BTreeMap<i64, f64> = BTreeMap::new();
    if stacking == Stacking::Percent {
        for s in series.iter().filter(|s| !s.dashed) {
            for (t, v) in &s.points {
                if v.is_finite() {
                    *totals.entry(*t).or_default() += v;
                }
            }
        }
    }
    let mut base: BTreeMap<i64, f64> = BTreeMap::new();
    series
        .iter()
        .map(|s| {
            if s.dashed {
                return s.points.clone();
            }
            s.points
                .iter()
                .map(|(t, v)| {
                    if !v.is_finite() {
                        return (*t, f64::NAN);
                    }
                    let v = match stacking {
                        Stacking::Percent => {
                            let tot = totals.get(t).copied().unwrap_or(0.0);
                            if tot == 0.0 {
                                0.0
                            } else {
                                v / tot
                            }
                        }
                        _ => *v,
                    };
                    let b = base.entry(*t).or_default();
                    *b += v;
                    (*t, *b)
                })
                .collect()
        })
        .collect()
}

/// Renders a time series chart. Returns the SVG markup and the plot geometry.
pub fn timeseries_svg(spec: &ChartSpec) -> (String, Geometry) {
    let (w, h) = (spec.width.max(120), spec.height.max(60));
    let values = stacked(&spec.series, spec.stacking);
    let log = spec.log_base.filter(|b| *b >= 2).map(f64::from);
    let tf = |v: f64| match log {
        Some(b) if v > 0.0 => v.log(b),
        Some(_) => f64::NAN,
        None => v,
    };
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in &values {
        for (_, v) in s {
            let v = tf(*v);
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let bars = spec.series.iter().any(|s| s.draw == DrawStyle::Bars);
    if log.is_none() && (bars || spec.series.iter().any(|s| s.fill_opacity > 0.0)) {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if let Some(m) = spec.min {
        lo = tf(m).min(lo).max(tf(m));
    }
    if let Some(m) = spec.max {
        hi = tf(m);
    }
    if spec.stacking == Stacking::Percent {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        // A flat series: zero sits on the axis, anything else gets room around it.
        (lo, hi) = if lo == 0.0 {
            (0.0, 1.0)
        } else {
            (lo - lo.abs() * 0.1, hi + lo.abs() * 0.1)
        };
    } else if spec.max.is_none() && spec.stacking != Stacking::Percent {
        hi += (hi - lo) * 0.05;
    }
    let (from, to) = (spec.from_ms, spec.to_ms.max(spec.from_ms + 1));
    let geometry = Geometry {
        left: LEFT as f64,
        top: TOP as f64,
        width: (w - LEFT - RIGHT) as f64,
        height: (h - TOP - BOTTOM) as f64,
        from_ms: from,
        to_ms: to,
        lo,
        hi,
        log_base: log,
    };
    // Pixel height of a (transformed) value: lines, threshold lines and labels share it.
    let y_px = |v: f64| geometry.top + geometry.height * (1.0 - (v - lo) / (hi - lo));
    let y_ticks = match log {
        Some(_) => (lo.floor() as i64..=hi.ceil() as i64)
            .map(|e| e as f64)
            .collect(),
        None => nice_ticks(lo, hi, ((h as usize) / 40).max(2)),
    };
    let offset_ms = spec.utc_offset_min as i64 * 60_000;
    let x_ticks = time_ticks(from, to, ((w as usize) / 110).max(2), offset_ms);

    let mut body = String::new();
    // Lines are written here rather than by plotters: relative moves on whole pixels, a point
    // that lands on the pixel before it dropped. A 50-series panel is mostly its lines.
    let mut lines = String::new();
    {
        let root = SVGBackend::with_string(&mut body, (w, h)).into_drawing_area();
        let area = root.margin(TOP, BOTTOM, LEFT, RIGHT);
        let mut chart = ChartBuilder::on(&area)
            .build_cartesian_2d(from..to, lo..hi)
            .expect("a non-empty range always builds");
        let grid = RGBColor(128, 128, 128).mix(0.18);
        for y in &y_ticks {
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                vec![(from, *y), (to, *y)],
                grid.stroke_width(1),
            )));
        }
        for x in &x_ticks {
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                vec![(*x, lo), (*x, hi)],
                grid.stroke_width(1),
            )));
        }
        // Threshold areas under the data, lines over it.
        let steps: Vec<(f64, f64, String)> = spec
            .thresholds
            .iter()
            .enumerate()
            .map(|(i, (v, c))| {
                let start = v.map(tf).unwrap_or(lo).max(lo);
                let end = spec
                    .thresholds
                    .get(i + 1)
                    .and_then(|n| n.0)
                    .map(tf)
                    .unwrap_or(hi)
                    .min(hi);
                (start, end, c.clone())
            })
            .collect();
        if matches!(
            spec.thresholds_style,
            ThresholdsStyle::Area | ThresholdsStyle::LineAndArea
        ) {
            for (start, end, c) in &steps {
                let (color, a) = rgb(c);
                if end > start && c != "transparent" {
                    let _ = chart.draw_series(std::iter::once(Rectangle::new(
                        [(from, *start), (to, *end)],
                        color.mix(0.12 * a).filled(),
                    )));
                }
            }
        }
        let step_ms = values
            .iter()
            .filter_map(|s| s.windows(2).map(|w| w[1].0 - w[0].0).min())
            .min()
            .unwrap_or((to - from) / 100)
            .max(1);
        for (i, s) in spec.series.iter().enumerate().rev() {
            let (color, alpha) = rgb(&s.color);
            let pts: Vec<(i64, f64)> = values[i].iter().map(|(t, v)| (*t, tf(*v))).collect();
            let segments = pts
                .split(|(_, v)| !v.is_finite())
                .filter(|seg| !seg.is_empty());
            match s.draw {
                DrawStyle::Bars => {
                    let n = spec.series.len().max(1) as i64;
                    let bw = (step_ms * 8 / 10 / n).max(1);
                    let base = if spec.stacking != Stacking::None && i > 0 {
                        Some(&values[i - 1])
                    } else {
                        None
                    };
                    let _ = chart.draw_series(
                        pts.iter()
                            .enumerate()
                            .filter(|(_, (_, v))| v.is_finite())
                            .map(|(k, (t, v))| {
                                let bottom = base
                                    .and_then(|b| b.get(k))
                                    .map(|p| tf(p.1))
                                    .filter(|v| v.is_finite())
                                    .unwrap_or(0.0f64.max(lo));
                                let x0 = if spec.stacking == Stacking::None {
                                    t - step_ms * 4 / 10 + bw * i as i64
                                } else {
                                    t - bw / 2
                                };
                                let x1 = x0
                                    + if spec.stacking == Stacking::None {
                                        bw
                                    } else {
                                        step_ms * 8 / 10
                                    };
                                Rectangle::new(
                                    [(x0, bottom), (x1, *v)],
                                    color.mix(alpha * 0.85).filled(),
                                )
                            }),
                    );
                }
                DrawStyle::Line | DrawStyle::Points => {
                    for seg in segments {
                        if s.draw == DrawStyle::Line {
                            if s.fill_opacity > 0.0 {
                                let fill_base = if spec.stacking != Stacking::None && i > 0 {
                                    values[i - 1]
                                        .iter()
                                        .filter(|(t, _)| {
                                            *t >= seg[0].0 && *t <= seg[seg.len() - 1].0
                                        })
                                        .map(|(t, v)| (*t, tf(*v)))
                                        .collect::<Vec<_>>()
                                } else {
                                    vec![
                                        (seg[seg.len() - 1].0, lo.max(0.0f64.min(hi))),
                                        (seg[0].0, lo.max(0.0f64.min(hi))),
                                    ]
                                };
                                let mut poly: Vec<(i64, f64)> = seg.to_vec();
                                if spec.stacking != Stacking::None && i > 0 {
                                    poly.extend(fill_base.into_iter().rev());
                                } else {
                                    poly.extend(fill_base);
                                }
                                let _ = chart.draw_series(std::iter::once(Polygon::new(
                                    poly,
                                    color.mix(alpha * s.fill_opacity / 100.0).filled(),
                                )));
                            }
                            if s.line_width > 0.0 {
                                line_path(
                                    &mut lines,
                                    seg.iter().map(|(t, v)| (geometry.x_of(*t), y_px(*v))),
                                    color,
                                    alpha,
                                    s.line_width.round().max(1.0),
                                    s.dashed,
                                );
                            }
                        }
                        if s.draw == DrawStyle::Points || s.show_points || seg.len() == 1 {
                            let _ = chart.draw_series(
                                seg.iter()
                                    .map(|p| Circle::new(*p, 2, color.mix(alpha).filled())),
                            );
                        }
                    }
                }
            }
        }
        if matches!(
            spec.thresholds_style,
            ThresholdsStyle::Line | ThresholdsStyle::LineAndArea
        ) {
            // Over the data, as before the lines moved out of plotters.
            for (start, _, c) in steps.iter().skip(1) {
                let (color, _) = rgb(c);
                let y = y_px(*start);
                line_path(
                    &mut lines,
                    [(geometry.left, y), (geometry.left + geometry.width, y)].into_iter(),
                    color,
                    1.0,
                    1.0,
                    false,
                );
            }
        }
        let _ = root.present();
    }
    // Plotters writes `<svg width=… height=… viewBox=…>`: keep its content, own the wrapper. A
    // drawing a few percent off its box (the server's guess of the layout) fills it.
    let inner_start = body.find('>').map(|i| i + 1).unwrap_or(0);
    let inner_end = body.rfind("</svg>").unwrap_or(body.len());
    let mut svg = format!(
        r#"<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img"><title>{}</title>"#,
        crate::model::html::escape_html(&chart_title(&spec.series))
    );
    svg.push_str(&body[inner_start..inner_end]);
    svg.push_str(&lines);
    svg.push_str(r#"<g class="axis" font-size="11" fill="currentColor">"#);
    for y in &y_ticks {
        let value = match log {
            Some(b) => b.powf(*y),
            None => *y,
        };
        let label = if spec.stacking == Stacking::Percent {
            format_value(value, "percentunit", Some(0))
        } else {
            format_value(value, &spec.unit, spec.decimals)
        };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            LEFT - 6,
            y_px(*y),
            escape(&label)
        );
    }
    for x in &x_ticks {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            geometry.x_of(*x),
            h - 6,
            escape(&time_label(*x, to - from, spec.utc_offset_min))
        );
    }
    // The axis says its zone, in the corner under the value labels.
    let _ = write!(
        svg,
        r#"<text x="2" y="{}" text-anchor="start" class="axis-zone" font-size="9">{}</text>"#,
        h - 6,
        crate::model::timestamp::zone_label(spec.utc_offset_min)
    );
    svg.push_str("</g></svg>");
    (svg, geometry)
}

/// Appends one line as an SVG path: the first point absolute, then relative moves between whole
/// pixels, skipping points on the same pixel as the one before.
fn line_path(
    out: &mut String,
    points: impl Iterator<Item = (f64, f64)>,
    color: RGBColor,
    alpha: f64,
    width: f64,
    dashed: bool,
) {
    let mut d = String::new();
    let mut last: Option<(i64, i64)> = None;
    for (x, y) in points {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let p = (x.round() as i64, y.round() as i64);
        match last {
            None => {
                let _ = write!(d, "M{} {}", p.0, p.1);
            }
            Some(prev) if prev == p => continue,
            Some(prev) => {
                let (dx, dy) = (p.0 - prev.0, p.1 - prev.1);
                // A negative number needs no separator before it.
                let sep = if dy < 0 { "" } else { " " };
                let _ = write!(d, "l{dx}{sep}{dy}");
            }
        }
        last = Some(p);
    }
    if last.is_none() {
        return;
    }
    if d.find('l').is_none() {
        // One pixel: a dot, as a zero-length line with round caps draws.
        d.push_str("l0 0");
    }
    let dash = match dashed {
        true => r#" stroke-dasharray="6 4" class="series shifted""#,
        false => r#" class="series""#,
    };
    let _ = write!(
        out,
        r##"<path{dash} d="{d}" fill="none" stroke="#{:02X}{:02X}{:02X}" stroke-opacity="{alpha:.2}" stroke-width="{width}" stroke-linejoin="round" stroke-linecap="round"/>"##,
        color.0, color.1, color.2
    );
}

/// A small area sparkline for stat panels (no axes).
pub fn sparkline_svg(points: &[Point], color: &str, width: u32, height: u32) -> String {
    let finite: Vec<&Point> = points.iter().filter(|p| p.1.is_finite()).collect();
    if finite.len() < 2 {
        return String::new();
    }
    let (t0, t1) = (finite[0].0, finite[finite.len() - 1].0.max(finite[0].0 + 1));
    let lo = finite
        .iter()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min)
        .min(0.0);
    let hi = finite.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    let mut body = String::new();
    {
        let root = SVGBackend::with_string(&mut body, (width, height)).into_drawing_area();
        if let Ok(mut chart) = ChartBuilder::on(&root).build_cartesian_2d(t0..t1, lo..hi) {
            let (c, a) = rgb(color);
            let pts: Vec<(i64, f64)> = finite.iter().map(|p| (p.0, p.1)).collect();
            let mut poly = pts.clone();
            poly.push((t1, lo));
            poly.push((t0, lo));
            let _ = chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(a * 0.2).filled())));
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                pts,
                c.mix(a).stroke_width(1),
            )));
        }
        let _ = root.present();
    }
    let inner_start = body.find('>').map(|i| i + 1).unwrap_or(0);
    let inner_end = body.rfind("</svg>").unwrap_or(body.len());
    format!(
        r#"<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">{}</svg>"#,
        &body[inner_start..inner_end]
    )
}

/// State timeline (`merge`: equal neighbours joined into one span, with the state's text) or
/// status history (one cell per point): a row per series over `from_ms..to_ms`, each span
/// coloured by `display` (value → text and colour, from the panel's mappings and thresholds).
/// Gaps (NaN) stay empty; a point lasts until the next one (the last one a step).
pub fn states_svg(
    rows: &[(String, Vec<Point>)],
    display: impl Fn(f64) -> (String, String),
    from_ms: i64,
    to_ms: i64,
    (width, height): (u32, u32),
    merge: bool,
) -> String {
    const LABEL: f64 = 110.0;
    let (w, h) = (width.max(160) as f64, height.max(40) as f64);
    let span = (to_ms - from_ms).max(1) as f64;
    let x = |t: i64| LABEL + (t - from_ms).clamp(0, to_ms - from_ms) as f64 / span * (w - LABEL);
    let row_h = (h - 4.0) / rows.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg class="states-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img"><title>{}</title>"#,
        if merge {
            "State timeline"
        } else {
            "Status history"
        }
    );
    for (i, (name, points)) in rows.iter().enumerate() {
        let y = 2.0 + i as f64 * row_h;
        let _ = write!(
            svg,
            r#"<text x="4" y="{:.1}" dominant-baseline="middle" font-size="11" fill="currentColor">{}</text>"#,
            y + row_h / 2.0,
            escape(name)
        );
        let step = points
            .windows(2)
            .map(|p| p[1].0 - p[0].0)
            .min()
            .unwrap_or(span as i64 / 50);
        // (start, end, text, colour) spans.
        let mut spans: Vec<(i64, i64, String, String)> = Vec::new();
        for (k, &(t, v)) in points.iter().enumerate() {
            let end = points.get(k + 1).map_or(t + step, |n| n.0);
            if !v.is_finite() {
                continue;
            }
            let (text, color) = display(v);
            match spans.last_mut() {
                Some(last) if merge && last.1 == t && last.2 == text && last.3 == color => {
                    last.1 = end
                }
                _ => spans.push((t, end, text, color)),
            }
        }
        for (t0, t1, text, color) in spans {
            let (x0, x1) = (x(t0), x(t1));
            if x1 <= x0 {
                continue;
            }
            let gap = if merge { 0.0 } else { 1.0 };
            let _ = write!(
                svg,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" data-testid="state"><title>{}: {}</title></rect>"#,
                y + 1.0,
                (x1 - x0 - gap).max(0.5),
                (row_h - 2.0).max(1.0),
                css_color(&color),
                escape(name),
                escape(&text)
            );
            if merge && x1 - x0 > 8.0 * text.chars().count() as f64 + 8.0 {
                let _ = write!(
                    svg,
                    r#"<text x="{:.1}" y="{:.1}" dominant-baseline="middle" font-size="11" fill="{}">{}</text>"#,
                    x0 + 4.0,
                    y + row_h / 2.0,
                    crate::model::dashboard::field::text_on(&css_color(&color)),
                    escape(&text)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A heatmap: a row per bucket (bottom to top, in the order given), a cell per point, its
/// opacity the value's share of the largest (`buckets`: name and points, already per bucket).
pub fn heatmap_svg(
    buckets: &[(String, Vec<Point>)],
    color: &str,
    from_ms: i64,
    to_ms: i64,
    (width, height): (u32, u32),
) -> String {
    const LABEL: f64 = 60.0;
    let (w, h) = (width.max(160) as f64, height.max(40) as f64);
    let span = (to_ms - from_ms).max(1) as f64;
    let x = |t: i64| LABEL + (t - from_ms).clamp(0, to_ms - from_ms) as f64 / span * (w - LABEL);
    let max = buckets
        .iter()
        .flat_map(|b| b.1.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let row_h = (h - 4.0) / buckets.len().max(1) as f64;
    let fill = css_color(color);
    let mut svg = format!(
        r#"<svg class="heatmap-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img"><title>Heatmap</title>"#
    );
    // Label every row when they fit, else about every 14 px.
    let every = ((14.0 / row_h).ceil() as usize).max(1);
    for (i, (name, points)) in buckets.iter().enumerate() {
        let y = h - 2.0 - (i + 1) as f64 * row_h;
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle" font-size="10" fill="currentColor">{}</text>"#,
                LABEL - 4.0,
                y + row_h / 2.0,
                escape(name)
            );
        }
        let step = points
            .windows(2)
            .map(|p| p[1].0 - p[0].0)
            .min()
            .unwrap_or(span as i64 / 50);
        for (k, &(t, v)) in points.iter().enumerate() {
            if !v.is_finite() || v <= 0.0 || max <= 0.0 {
                continue;
            }
            let end = points.get(k + 1).map_or(t + step, |n| n.0);
            let (x0, x1) = (x(t), x(end));
            if x1 <= x0 {
                continue;
            }
            let _ = write!(
                svg,
                r#"<rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}" fill-opacity="{:.2}" data-testid="heat-cell"><title>{}: {}</title></rect>"#,
                (x1 - x0).max(0.5),
                row_h.max(1.0),
                0.1 + 0.9 * v / max,
                escape(name),
                crate::model::dashboard::units::format_value(v, "", None)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A bar chart by category: one bar per (name, value, colour, text), from zero (negative bars
/// hang below it), names under the bars, texts above them.
pub fn bars_svg(bars: &[(String, f64, String, String)], (width, height): (u32, u32)) -> String {
    let (w, h) = (width.max(120) as f64, height.max(60) as f64);
    let (top, bottom) = (16.0, 18.0);
    let finite = || bars.iter().map(|b| b.1).filter(|v| v.is_finite());
    let hi = finite().fold(0.0f64, f64::max);
    let lo = finite().fold(0.0f64, f64::min);
    let span = (hi - lo).max(f64::EPSILON);
    let y = |v: f64| top + (hi - v) / span * (h - top - bottom);
    let slot = w / bars.len().max(1) as f64;
    let mut svg = format!(
        r#"<svg class="bars-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" preserveAspectRatio="none" role="img"><title>Bar chart</title>"#
    );
    for (i, (name, v, color, text)) in bars.iter().enumerate() {
        let x0 = i as f64 * slot + slot * 0.15;
        let bw = slot * 0.7;
        if v.is_finite() {
            let (y0, y1) = (y(v.max(0.0)), y(v.min(0.0)));
            let _ = write!(
                svg,
                r#"<rect x="{x0:.1}" y="{y0:.1}" width="{bw:.1}" height="{:.1}" fill="{}" data-testid="bar-rect"><title>{}: {}</title></rect>"#,
                (y1 - y0).max(0.5),
                css_color(color),
                escape(name),
                escape(text)
            );
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="currentColor">{}</text>"#,
                x0 + bw / 2.0,
                y0 - 3.0,
                escape(text)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="currentColor">{}</text>"#,
            x0 + bw / 2.0,
            h - 4.0,
            escape(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A histogram: a column per bucket, each series' count stacked in its colour, bucket bounds
/// under the columns (labelled by `label`, about six of them) and the highest count on the left.
pub fn histogram_svg(
    h: &crate::model::dashboard::histogram::Histogram,
    colors: &[String],
    label: impl Fn(f64) -> String,
    (width, height): (u32, u32),
) -> String {
    const LEFT: f64 = 36.0;
    let (w, ht) = (width.max(160) as f64, height.max(60) as f64);
    let (top, bottom) = (6.0, 18.0);
    let len = h.counts.first().map_or(0, |c| c.1.len());
    let totals: Vec<u64> = (0..len)
        .map(|i| h.counts.iter().map(|c| c.1[i]).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = (w - LEFT) / len.max(1) as f64;
    let y = |n: f64| top + (1.0 - n / max) * (ht - top - bottom);
    let mut svg = format!(
        r#"<svg class="histogram-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{ht}" viewBox="0 0 {w} {ht}" preserveAspectRatio="none" role="img"><title>Histogram of {} values</title>"#,
        h.values
    );
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10" fill="currentColor">{max}</text><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="10" fill="currentColor">0</text>"#,
        LEFT - 4.0,
        top + 8.0,
        LEFT - 4.0,
        ht - bottom
    );
    let every = len.div_ceil(6).max(1);
    for i in 0..len {
        let (lo, hi) = (
            h.start + i as f64 * h.size,
            h.start + (i + 1) as f64 * h.size,
        );
        let x0 = LEFT + i as f64 * slot;
        let mut below = 0u64;
        for (k, (name, counts)) in h.counts.iter().enumerate() {
            let n = counts[i];
            if n == 0 {
                continue;
            }
            let (y0, y1) = (y((below + n) as f64), y(below as f64));
            below += n;
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="{}" data-testid="histogram-bar"><title>{} – {}: {}{n}</title></rect>"#,
                x0 + 0.5,
                (slot - 1.0).max(0.5),
                (y1 - y0).max(0.5),
                css_color(&colors[k % colors.len().max(1)]),
                escape(&label(lo)),
                escape(&label(hi)),
                match h.counts.len() {
                    1 => String::new(),
                    _ => format!("{} ", escape(name)),
                },
            );
        }
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{x0:.1}" y="{:.1}" font-size="10" fill="currentColor">{}</text>"#,
                ht - 4.0,
                escape(&label(lo))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A pie (or, with `donut`, a ring) of `slices` (value, colour, title), clockwise from 12
/// o'clock in the order given; non-positive and missing values take no room.
pub fn pie_svg(slices: &[(f64, String, String)], donut: bool) -> String {
    let (cx, cy, r) = (100.0, 100.0, 92.0);
    let total: f64 = slices
        .iter()
        .map(|s| s.0)
        .filter(|v| v.is_finite() && *v > 0.0)
        .sum();
    let mut svg = String::from(
        r#"<svg class="pie-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img"><title>Pie chart</title>"#,
    );
    if total > 0.0 {
        let mut at = -std::f64::consts::FRAC_PI_2;
        for (v, color, title) in slices.iter().filter(|s| s.0.is_finite() && s.0 > 0.0) {
            let share = v / total;
            let title = crate::model::html::escape_html(title);
            if share >= 0.9999 {
                let _ = write!(
                    svg,
                    r#"<circle cx="{cx}" cy="{cy}" r="{r}" fill="{}" data-testid="pie-slice"><title>{title}</title></circle>"#,
                    css_color(color)
                );
                break;
            }
            let end = at + share * std::f64::consts::TAU;
            let (x0, y0) = (cx + r * at.cos(), cy + r * at.sin());
            let (x1, y1) = (cx + r * end.cos(), cy + r * end.sin());
            let large = u8::from(share > 0.5);
            let _ = write!(
                svg,
                r#"<path d="M{cx} {cy}L{x0:.2} {y0:.2}A{r} {r} 0 {large} 1 {x1:.2} {y1:.2}Z" fill="{}" stroke="var(--bg, #fff)" stroke-width="1" data-testid="pie-slice"><title>{title}</title></path>"#,
                css_color(color)
            );
            at = end;
        }
        if donut {
            let _ = write!(
                svg,
                r#"<circle cx="{cx}" cy="{cy}" r="{:.1}" fill="var(--bg, #fff)"/>"#,
                r * 0.55
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A gauge: a 240° arc with threshold-coloured bands and the value's arc.
pub fn gauge_svg(
    value: Option<f64>,
    min: f64,
    max: f64,
    steps: &[(Option<f64>, String)],
    color: &str,
) -> String {
    let (cx, cy, r) = (100.0, 100.0, 80.0);
    let span = (max - min).max(f64::EPSILON);
    let angle = |v: f64| {
        let f = ((v - min) / span).clamp(0.0, 1.0);
        (150.0 + 240.0 * f).to_radians()
    };
    let arc = |a0: f64, a1: f64, radius: f64| {
        let (x0, y0) = (cx + radius * a0.cos(), cy + radius * a0.sin());
        let (x1, y1) = (cx + radius * a1.cos(), cy + radius * a1.sin());
        let large = if (a1 - a0).to_degrees() > 180.0 { 1 } else { 0 };
        format!("M {x0:.2} {y0:.2} A {radius} {radius} 0 {large} 1 {x1:.2} {y1:.2}")
    };
    let mut svg = String::from(
        r#"<svg class="gauge-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 170" role="img"><title>Gauge</title>"#,
    );
    for (i, (v, c)) in steps.iter().enumerate() {
        let start = v.unwrap_or(min).max(min);
        let end = steps.get(i + 1).and_then(|n| n.0).unwrap_or(max).min(max);
        if end > start {
            let _ = write!(
                svg,
                r#"<path d="{}" stroke="{}" stroke-width="5" fill="none"/>"#,
                arc(angle(start), angle(end), r + 9.0),
                css_color(c)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<path d="{}" stroke="rgba(128,128,128,0.2)" stroke-width="14" fill="none"/>"#,
        arc(angle(min), angle(max), r)
    );
    if let Some(v) = value.filter(|v| v.is_finite()) {
        if v > min {
            let _ = write!(
                svg,
                r#"<path d="{}" stroke="{}" stroke-width="14" fill="none"/>"#,
                arc(angle(min), angle(v).max(angle(min) + 0.001), r),
                css_color(color)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(series: Vec<ChartSeries>) -> ChartSpec {
        ChartSpec {
            width: 600,
            height: 200,
            from_ms: 0,
            to_ms: 3_600_000,
            series,
            min: None,
            max: None,
            log_base: None,
            stacking: Stacking::None,
            thresholds: vec![(None, "green".into()), (Some(5.0), "red".into())],
            thresholds_style: ThresholdsStyle::LineAndArea,
            unit: "reqps".into(),
            decimals: None,
            utc_offset_min: 0,
        }
    }

    fn line(name: &str, color: &str, n: i64) -> ChartSeries {
        ChartSeries {
            name: name.into(),
            color: color.into(),
            points: (0..n).map(|i| (i * 60_000, (i % 10) as f64)).collect(),
            draw: DrawStyle::Line,
            fill_opacity: 10.0,
            line_width: 1.0,
            show_points: false,
            negative_y: false,
            dashed: false,
        }
    }

    #[test]
    fn renders_series_axes_and_thresholds() {
        let (svg, g) = timeseries_svg(&spec(vec![line("a", "#ff0000", 60), line("b", "blue", 60)]));
        assert!(svg.starts_with("<svg class=\"chart-svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("req/s"), "y labels carry the unit");
        assert!(svg.contains(">00:30<"), "time labels");
        assert!(
            svg.contains("#FF0000") || svg.contains("#ff0000") || svg.contains("rgb(255,0,0)"),
            "series colour: {}",
            &svg[..400]
        );
        assert_eq!(g.time_at(g.left), 0);
        assert_eq!(g.time_at(g.left + g.width), 3_600_000);
        assert!((g.x_of(1_800_000) - (g.left + g.width / 2.0)).abs() < 1e-6);
    }

    #[test]
    fn stacking_adds_up_and_percent_normalises() {
        let a = line("a", "red", 3);
        let b = line("b", "blue", 3);
        let s = stacked(&[a.clone(), b.clone()], Stacking::Normal);
        assert_eq!(s[1][2].1, 4.0);
        let p = stacked(&[a, b], Stacking::Percent);
        assert_eq!(p[1][2].1, 1.0);
        assert_eq!(p[0][2].1, 0.5);
    }

    #[test]
    fn ticks() {
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(
            time_ticks(0, 3_600_000, 4, 0),
            vec![0, 900_000, 1_800_000, 2_700_000, 3_600_000]
        );
        assert_eq!(time_label(90_000_000, 3_600_000, 60), "02:00");
    }

    #[test]
    fn gaps_break_lines_and_colors_parse() {
        let mut s = line("a", "red", 10);
        s.points[5].1 = f64::NAN;
        s.fill_opacity = 0.0;
        let (svg, _) = timeseries_svg(&spec(vec![s]));
        assert!(svg.matches("<polyline").count() + svg.matches("<path").count() >= 2);
        assert_eq!(rgb("#abc").0, RGBColor(0xaa, 0xbb, 0xcc));
        assert_eq!(rgb("rgba(10, 20, 30, 0.5)"), (RGBColor(10, 20, 30), 0.5));
        assert_eq!(rgb("red").0, RGBColor(0xf2, 0x49, 0x5c));
    }

    #[test]
    fn lines_are_relative_moves_between_whole_pixels() {
        let mut out = String::new();
        let pts = [
            (10.2, 20.0),
            (10.4, 20.3),
            (11.0, 18.0),
            (13.0, 25.0),
            (f64::NAN, 1.0),
        ];
        line_path(
            &mut out,
            pts.into_iter(),
            RGBColor(1, 2, 255),
            0.5,
            1.0,
            false,
        );
        // (10.4, 20.3) rounds onto the pixel before it and is dropped; NaN is skipped.
        assert!(out.contains(r#"d="M10 20l1-2l2 7""#), "{out}");
        assert!(
            out.contains(r##"stroke="#0102FF" stroke-opacity="0.50""##),
            "{out}"
        );
        let mut dot = String::new();
        line_path(
            &mut dot,
            [(5.0, 5.0)].into_iter(),
            RGBColor(0, 0, 0),
            1.0,
            1.0,
            true,
        );
        assert!(dot.contains(r#"stroke-dasharray="6 4" class="series shifted""#));
        assert!(dot.contains(r#"d="M5 5l0 0""#), "{dot}");
        let mut none = String::new();
        line_path(
            &mut none,
            std::iter::empty(),
            RGBColor(0, 0, 0),
            1.0,
            1.0,
            false,
        );
        assert!(none.is_empty());
    }

    #[test]
    fn states_join_equal_neighbours_in_a_timeline_and_not_in_a_history() {
        let rows = vec![(
            "api".to_string(),
            vec![(0, 1.0), (10, 1.0), (20, 0.0), (30, f64::NAN), (40, 1.0)],
        )];
        let display = |v: f64| match v > 0.5 {
            true => ("up".to_string(), "green".to_string()),
            false => ("down".to_string(), "red".to_string()),
        };
        let timeline = states_svg(&rows, display, 0, 50, (400, 60), true);
        // up 0–20, down 20–30, (gap), up 40–50.
        assert_eq!(
            timeline.matches("data-testid=\"state\"").count(),
            3,
            "{timeline}"
        );
        assert!(timeline.contains("<title>api: down</title>"));
        let history = states_svg(&rows, display, 0, 50, (400, 60), false);
        assert_eq!(
            history.matches("data-testid=\"state\"").count(),
            4,
            "{history}"
        );
    }

    #[test]
    fn bars_stand_on_zero_one_per_category() {
        let bar = |n: &str, v: f64| (n.to_string(), v, "green".to_string(), format!("{v}"));
        let svg = bars_svg(
            &[
                bar("planner", 4.0),
                bar("coder", 2.0),
                bar("none", f64::NAN),
            ],
            (300, 134),
        );
        assert_eq!(svg.matches("data-testid=\"bar-rect\"").count(), 2, "{svg}");
        // 100 px of plot: 4 is the full height, 2 half of it, both down to y = 116.
        assert!(
            svg.contains(r#"y="16.0" width="70.0" height="100.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"y="66.0" width="70.0" height="50.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(">none<"),
            "a missing value keeps its name: {svg}"
        );
    }

    #[test]
    fn histogram_columns_stack_each_series_count_and_name_their_bounds() {
        let h = crate::model::dashboard::histogram::Histogram {
            start: 0.0,
            size: 0.5,
            counts: vec![("a".into(), vec![2, 0]), ("b".into(), vec![2, 1])],
            values: 5,
            widened: None,
        };
        let svg = histogram_svg(
            &h,
            &["red".into(), "blue".into()],
            |v| format!("{v}s"),
            (236, 124),
        );
        // Zero counts draw nothing: three rectangles, the first column twice as tall.
        assert_eq!(
            svg.matches("data-testid=\"histogram-bar\"").count(),
            3,
            "{svg}"
        );
        assert!(svg.contains("<title>0s – 0.5s: a 2</title>"), "{svg}");
        assert!(svg.contains("<title>0.5s – 1s: b 1</title>"), "{svg}");
        // 100 px of plot for the highest column (4): b's 2 sits on a's 2.
        assert!(
            svg.contains(r#"y="6.0" width="99.0" height="50.0""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"y="56.0" width="99.0" height="50.0""#),
            "{svg}"
        );
        assert!(svg.contains("Histogram of 5 values"));
    }

    #[test]
    fn heat_cells_fade_with_their_share_of_the_largest() {
        let buckets = vec![
            ("0.1".to_string(), vec![(0, 2.0), (10, 0.0)]),
            ("+Inf".to_string(), vec![(0, 8.0), (10, 4.0)]),
        ];
        let svg = heatmap_svg(&buckets, "blue", 0, 20, (300, 100));
        // Zero draws nothing: three cells.
        assert_eq!(svg.matches("data-testid=\"heat-cell\"").count(), 3, "{svg}");
        assert!(
            svg.contains(r#"fill-opacity="1.00""#),
            "the largest is solid: {svg}"
        );
        assert!(svg.contains(r#"fill-opacity="0.33""#), "2 of 8: {svg}");
        assert!(svg.contains(">+Inf<"));
    }

    #[test]
    fn pie_slices_share_the_circle_and_a_single_value_is_whole() {
        let slice = |v: f64, c: &str| (v, c.to_string(), format!("{c} {v}"));
        let svg = pie_svg(
            &[slice(1.0, "red"), slice(3.0, "blue"), slice(0.0, "green")],
            false,
        );
        assert_eq!(svg.matches("data-testid=\"pie-slice\"").count(), 2, "{svg}");
        // A quarter from 12 o'clock to 3 o'clock, then the large arc for the other three.
        assert!(
            svg.contains("M100 100L100.00 8.00A92 92 0 0 1 192.00 100.00Z"),
            "{svg}"
        );
        assert!(svg.contains("A92 92 0 1 1 100.00 8.00Z"), "{svg}");
        let whole = pie_svg(&[slice(5.0, "red")], true);
        assert!(
            whole.contains("<circle cx=\"100\" cy=\"100\" r=\"92\""),
            "{whole}"
        );
        assert!(whole.contains("r=\"50.6\""), "donut hole: {whole}");
        assert!(!pie_svg(&[slice(0.0, "red")], false).contains("pie-slice"));
        let escaped = pie_svg(&[(1.0, "red".into(), "<b>".into())], false);
        assert!(escaped.contains("&lt;b&gt;"));
    }

    #[test]
    fn gauge_and_sparkline() {
        let g = gauge_svg(
            Some(75.0),
            0.0,
            100.0,
            &[(None, "green".into()), (Some(80.0), "red".into())],
            "green",
        );
        assert_eq!(g.matches("<path").count(), 4);
        assert!(sparkline_svg(&[(0, 1.0)], "red", 100, 30).is_empty());
        assert!(
            sparkline_svg(&[(0, 1.0), (1, 2.0)], "red", 100, 30).contains("<polygon")
                || sparkline_svg(&[(0, 1.0), (1, 2.0)], "red", 100, 30).contains("<path")
        );
    }
}
