//! A trace laid out for reading: search-result summaries, the span tree in depth-first order with
//! depths, bar positions on the trace's time axis, orphans (parents missing from the trace)
//! flagged, and the critical path (the chain of spans that made the trace as long as it was).
//! Pure; the trace view renders these rows.

use super::traces::TraceView;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// One trace as a search result lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceHit {
    pub trace_id: String,
    pub root_service: String,
    pub root_operation: String,
    pub start_us: i64,
    pub duration_us: i64,
    pub spans: usize,
    pub errors: usize,
    /// Services with their span counts, most spans first.
    pub services: Vec<(String, usize)>,
}

/// The first span's start and the last span's end (µs).
fn bounds(t: &TraceView) -> (i64, i64) {
    let start = t.spans.iter().map(|s| s.start_us).min().unwrap_or(0);
    let end = t
        .spans
        .iter()
        .map(|s| s.start_us + s.duration_us)
        .max()
        .unwrap_or(start);
    (start, end)
}

pub fn summarize(t: &TraceView) -> TraceHit {
    let (start, end) = bounds(t);
    let ids: FxHashSet<&str> = t.spans.iter().map(|s| s.span_id.as_str()).collect();
    // The root: a span without a parent in the trace, earliest first.
    let root = t
        .spans
        .iter()
        .filter(|s| s.parent_id.as_deref().is_none_or(|p| !ids.contains(p)))
        .min_by_key(|s| s.start_us);
    let mut services: HashMap<&str, usize> = HashMap::new();
    for s in &t.spans {
        *services.entry(s.service.as_str()).or_default() += 1;
    }
    let mut services: Vec<(String, usize)> = services
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    TraceHit {
        trace_id: t.trace_id.clone(),
        root_service: root.map(|r| r.service.clone()).unwrap_or_default(),
        root_operation: root.map(|r| r.operation.clone()).unwrap_or_default(),
        start_us: start,
        duration_us: end - start,
        spans: t.spans.len(),
        errors: t.spans.iter().filter(|s| s.error).count(),
        services,
    }
}

/// How trace results are sorted (`sort=` in the URL), always the largest or newest first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TraceOrder {
    Start,
    Duration,
    Spans,
    Errors,
}

impl TraceOrder {
    pub fn parse(s: &str) -> TraceOrder {
        match s {
            "duration" => TraceOrder::Duration,
            "spans" => TraceOrder::Spans,
            "errors" => TraceOrder::Errors,
            _ => TraceOrder::Start,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            TraceOrder::Start => "start",
            TraceOrder::Duration => "duration",
            TraceOrder::Spans => "spans",
            TraceOrder::Errors => "errors",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TraceOrder::Start => "newest first",
            TraceOrder::Duration => "slowest first",
            TraceOrder::Spans => "most spans first",
            TraceOrder::Errors => "most errors first",
        }
    }
}

/// The hits in `order` (ties: newest first).
pub fn sorted_hits(hits: &[TraceHit], order: TraceOrder) -> Vec<TraceHit> {
    let mut out = hits.to_vec();
    out.sort_by_key(|h| {
        let key = match order {
            TraceOrder::Start => h.start_us,
            TraceOrder::Duration => h.duration_us,
            TraceOrder::Spans => h.spans as i64,
            TraceOrder::Errors => h.errors as i64,
        };
        (std::cmp::Reverse(key), std::cmp::Reverse(h.start_us))
    });
    out
}

/// Trace search results a page lists.
pub const HITS_PER_PAGE: usize = 50;

/// One dot of the duration-over-time scatter: every hit of a search, however many the list pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceDot {
    pub trace_id: String,
    pub start_us: i64,
    pub duration_us: i64,
    pub failed: bool,
    /// "orchestrator handle_task · 1.20s"
    pub label: String,
}

impl TraceDot {
    pub fn of(h: &TraceHit) -> TraceDot {
        TraceDot {
            trace_id: h.trace_id.clone(),
            start_us: h.start_us,
            duration_us: h.duration_us,
            failed: h.errors > 0,
            label: format!(
                "{} {} · {}",
                h.root_service,
                h.root_operation,
                format_us(h.duration_us)
            ),
        }
    }
}

/// Page `page` (from 0) of `hits` in `order`: the hits, where they start, and how many in all.
pub fn page_of_hits(hits: &[TraceHit], order: TraceOrder, page: usize) -> (Vec<TraceHit>, usize) {
    let sorted = sorted_hits(hits, order);
    let first =
        (page * HITS_PER_PAGE).min(sorted.len().saturating_sub(1) / HITS_PER_PAGE * HITS_PER_PAGE);
    (
        sorted.into_iter().skip(first).take(HITS_PER_PAGE).collect(),
        first,
    )
}

/// One row of the waterfall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Index into `TraceView::spans`.
    pub span: usize,
    pub depth: usize,
    /// Bar start and width as fractions of the trace's duration.
    pub offset: f64,
    pub width: f64,
    pub children: usize,
    /// Its parent is named but not in the trace.
    pub orphan: bool,
    pub critical: bool,
}

/// The span tree in depth-first order (children by start time), with orphans as extra roots.
pub fn layout(t: &TraceView) -> Vec<Row> {
    let n = t.spans.len();
    if n == 0 {
        return Vec::new();
    }
    let index: FxHashMap<&str, usize> = t
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.span_id.as_str(), i))
        .collect();
    // Start and duration side by side, read in place of the spans: sorting and walking 100,000
    // spans otherwise jumps around megabytes of span text, a cache miss per comparison.
    let times: Vec<(i64, i64)> = t
        .spans
        .iter()
        .map(|s| (s.start_us, s.duration_us))
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    let mut orphan = vec![false; n];
    for (i, s) in t.spans.iter().enumerate() {
        match s.parent_id.as_deref().map(|p| index.get(p)) {
            Some(Some(&p)) if p != i => children[p].push(i),
            Some(_) => {
                orphan[i] = true;
                roots.push(i);
            }
            None => roots.push(i),
        }
    }
    let by_start = |v: &mut Vec<usize>| v.sort_by_key(|&i| (times[i].0, i));
    for c in &mut children {
        by_start(c);
    }
    by_start(&mut roots);
    let critical = critical_path(&times, &children, &roots);
    let (start, end) = bounds(t);
    let total = (end - start).max(1) as f64;
    let mut rows = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    // Iterative DFS: deep traces must not overflow the stack.
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue; // a cycle in bad data: show each span once
        }
        let (span_start, duration) = times[i];
        rows.push(Row {
            span: i,
            depth,
            offset: (span_start - start) as f64 / total,
            width: (duration.max(0) as f64 / total).max(0.002),
            children: children[i].len(),
            orphan: orphan[i],
            critical: critical.contains(&i),
        });
        for &c in children[i].iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    // Spans only reachable through a cycle.
    let unreached: Vec<usize> = (0..n).filter(|&i| !seen[i]).collect();
    for i in unreached {
        rows.push(Row {
            span: i,
            depth: 0,
            offset: (times[i].0 - start) as f64 / total,
            width: 0.002,
            children: 0,
            orphan: true,
            critical: false,
        });
    }
    rows
}

/// The critical path: from the root that ends last, repeatedly step into the child that ends
/// last among those ending before the current span's end (the work the parent waited for).
fn critical_path(times: &[(i64, i64)], children: &[Vec<usize>], roots: &[usize]) -> HashSet<usize> {
    let end = |i: usize| times[i].0 + times[i].1;
    let mut path = HashSet::new();
    let Some(mut cur) = roots.iter().copied().max_by_key(|&r| (end(r), times[r].1)) else {
        return path;
    };
    while path.insert(cur) {
        let limit = end(cur);
        match children[cur]
            .iter()
            .copied()
            .filter(|&c| end(c) <= limit + 1)
            .max_by_key(|&c| (end(c), times[c].1))
        {
            Some(next) => cur = next,
            None => break,
        }
    }
    path
}

/// A stable colour per service (same service, same colour on every page).
pub fn service_color(service: &str) -> &'static str {
    const PALETTE: [&str; 10] = [
        "#3274d9", "#e0752d", "#56a64b", "#a352cc", "#e02f44", "#1f9e9e", "#c4a000", "#8f6d3f",
        "#d44a93", "#6e7781",
    ];
    let h = service
        .bytes()
        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    PALETTE[h as usize % PALETTE.len()]
}

/// Human duration of microseconds: `850µs`, `12.3ms`, `4.56s`.
pub fn format_us(us: i64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.1}ms", us as f64 / 1_000.0)
    } else {
        format!("{:.2}s", us as f64 / 1_000_000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::traces::SpanView;

    fn span(id: &str, parent: Option<&str>, start: i64, dur: i64) -> SpanView {
        SpanView {
            span_id: id.into(),
            parent_id: parent.map(String::from),
            service: format!("svc-{id}"),
            operation: format!("op-{id}"),
            start_us: start,
            duration_us: dur,
            error: id == "c",
            tags: vec![],
            process_tags: Default::default(),
            logs: vec![],
            references: vec![],
            warnings: vec![],
        }
    }

    fn trace(spans: Vec<SpanView>) -> TraceView {
        TraceView {
            trace_id: "t1".into(),
            spans,
            warnings: vec![],
        }
    }

    #[test]
    fn depth_first_rows_with_critical_path_and_orphans() {
        // a(0..100) → b(10..40), c(20..95) → d(30..90); e's parent is missing.
        let t = trace(vec![
            span("d", Some("c"), 30, 60),
            span("a", None, 0, 100),
            span("c", Some("a"), 20, 75),
            span("b", Some("a"), 10, 30),
            span("e", Some("zz"), 50, 5),
        ]);
        let rows = layout(&t);
        let order: Vec<(&str, usize)> = rows
            .iter()
            .map(|r| (t.spans[r.span].span_id.as_str(), r.depth))
            .collect();
        assert_eq!(order, [("a", 0), ("b", 1), ("c", 1), ("d", 2), ("e", 0)]);
        let critical: Vec<&str> = rows
            .iter()
            .filter(|r| r.critical)
            .map(|r| t.spans[r.span].span_id.as_str())
            .collect();
        assert_eq!(critical, ["a", "c", "d"]);
        let e = rows
            .iter()
            .find(|r| t.spans[r.span].span_id == "e")
            .unwrap();
        assert!(e.orphan);
        assert!((e.offset - 0.5).abs() < 1e-9);
        let a = &rows[0];
        assert_eq!((a.offset, a.width, a.children), (0.0, 1.0, 2));
    }

    #[test]
    fn summary_names_root_errors_and_services() {
        let t = trace(vec![
            span("b", Some("a"), 10, 30),
            span("a", None, 0, 100),
            span("c", Some("a"), 20, 75),
        ]);
        let h = summarize(&t);
        assert_eq!(
            (h.root_service.as_str(), h.root_operation.as_str()),
            ("svc-a", "op-a")
        );
        assert_eq!((h.spans, h.errors, h.duration_us), (3, 1, 100));
    }

    #[test]
    fn cycles_and_deep_chains_do_not_hang_or_overflow() {
        let t = trace(vec![
            span("x", Some("y"), 0, 10),
            span("y", Some("x"), 0, 10),
        ]);
        assert_eq!(layout(&t).len(), 2);
        let mut spans = vec![span("0", None, 0, 100_000)];
        for i in 1..10_000 {
            spans.push(span(
                &i.to_string(),
                Some(&(i - 1).to_string()),
                i,
                100_000 - i,
            ));
        }
        let rows = layout(&trace(spans));
        assert_eq!(rows.len(), 10_000);
        assert_eq!(rows[9_999].depth, 9_999);
        assert!(rows.iter().all(|r| r.critical));
    }

    #[test]
    fn search_hits_page_in_their_order() {
        let hits: Vec<TraceHit> = (0..120)
            .map(|i| TraceHit {
                trace_id: format!("t{i}"),
                root_service: "s".into(),
                root_operation: "op".into(),
                start_us: i,
                duration_us: (i * 7) % 120,
                spans: 1,
                errors: 0,
                services: vec![],
            })
            .collect();
        let (page, first) = page_of_hits(&hits, TraceOrder::Start, 0);
        assert_eq!((page.len(), first, page[0].start_us), (50, 0, 119));
        let (page, first) = page_of_hits(&hits, TraceOrder::Start, 2);
        assert_eq!((page.len(), first, page[19].start_us), (20, 100, 0));
        // Past the end: the last page.
        assert_eq!(page_of_hits(&hits, TraceOrder::Start, 9).1, 100);
        let (slowest, _) = page_of_hits(&hits, TraceOrder::Duration, 0);
        assert_eq!(slowest[0].duration_us, 119);
        assert_eq!(page_of_hits(&[], TraceOrder::Start, 3), (vec![], 0));
        assert_eq!(TraceOrder::parse("spans").param(), "spans");
    }

    #[test]
    fn durations_and_colours() {
        assert_eq!(format_us(850), "850µs");
        assert_eq!(format_us(12_345), "12.3ms");
        assert_eq!(format_us(4_560_000), "4.56s");
        assert_eq!(service_color("executor"), service_color("executor"));
    }
}
