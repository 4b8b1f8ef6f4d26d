//! A laid-out trace kept on the server and read a window at a time. A 100,000-span trace is
//! too large to send (Jaeger's UI breaks at 20–40k spans); the page gets the rows that fit on the
//! screen plus the tree's shape (children, descendants and errors under each span, the critical
//! path), and asks again when the user scrolls, expands, collapses or finds a span. Pure.

use super::traces::{SpanView, TraceView};
use super::waterfall::{layout, service_color, summarize, Row, TraceHit};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Rows a window holds at most (the page asks for about three screens).
pub const MAX_WINDOW: usize = 500;
/// Traces up to this many spans open fully; larger ones open their first levels only.
pub const OPEN_ALL_UP_TO: usize = 2_000;
/// How deep a large trace opens at first (the root, its children and their children show).
pub const LARGE_OPEN_DEPTH: u32 = 2;
/// Vertical buckets of the minimap: one per pixel row of its 120 px.
pub const MINIMAP_BUCKETS: usize = 120;
/// Spans a "find" answers with at most (the count stays exact).
pub const MAX_MATCHES: usize = 1_000;

/// Which spans are open: those shallower than `open_depth`, flipped for the spans in `toggled`
/// (so "collapse all", "expand all" and a few clicks stay a few numbers on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fold {
    pub open_depth: u32,
    /// Span indices whose state is the opposite of what `open_depth` says.
    pub toggled: Vec<usize>,
}

impl Fold {
    pub fn all_open() -> Fold {
        Fold {
            open_depth: u32::MAX,
            toggled: Vec::new(),
        }
    }

    pub fn all_closed() -> Fold {
        Fold {
            open_depth: 0,
            toggled: Vec::new(),
        }
    }

    /// How a trace of `spans` spans opens first.
    pub fn initial(spans: usize) -> Fold {
        if spans <= OPEN_ALL_UP_TO {
            Fold::all_open()
        } else {
            Fold {
                open_depth: LARGE_OPEN_DEPTH,
                toggled: Vec::new(),
            }
        }
    }

    /// The same fold with `span` flipped.
    pub fn toggle(&self, span: usize) -> Fold {
        let mut next = self.clone();
        next.flip(span);
        next
    }

    fn flip(&mut self, span: usize) {
        match self.toggled.iter().position(|&s| s == span) {
            Some(i) => {
                self.toggled.remove(i);
            }
            None => self.toggled.push(span),
        }
    }

    fn toggled_set(&self) -> HashSet<usize> {
        self.toggled.iter().copied().collect()
    }
}

/// One row as the page draws it. On the wire it is an array in field order (`Serialize` and
/// `Deserialize` below): a window is most of a trace page's data, and its field names were half
/// of it.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowRow {
    /// Index into the trace's spans: what toggle, select and details name.
    pub span: usize,
    pub depth: usize,
    pub offset: f64,
    pub width: f64,
    pub children: usize,
    /// Spans under it, at any depth (what a closed row hides).
    pub descendants: usize,
    /// Failed spans under it, at any depth.
    pub errors_below: usize,
    pub open: bool,
    pub orphan: bool,
    pub critical: bool,
    pub service: String,
    pub operation: String,
    pub duration_us: i64,
    pub error: bool,
}

/// Rows `offset..offset + rows.len()` of the `visible` rows under `fold`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceWindow {
    pub fold: Fold,
    pub offset: usize,
    pub visible: usize,
    pub rows: Vec<WindowRow>,
    /// Where a revealed span now is among the visible rows.
    pub revealed_at: Option<usize>,
}

/// One pixel row of the minimap: the spans of consecutive rows, drawn as one bar. An array on
/// the wire, as `WindowRow` is.
#[derive(Debug, Clone, PartialEq)]
pub struct MinimapBucket {
    pub start: f64,
    pub end: f64,
    /// The colour of the bucket's longest span's service.
    pub color: String,
    pub error: bool,
}

/// Fractions of the trace's duration drawn as CSS percentages: single precision (a millionth of
/// the bar) is more than a screen shows, in half the digits.
fn fraction(f: f64) -> f32 {
    f as f32
}

/// A row as read from the wire: its fields in order (the fractions written in single precision,
/// read back as before). Read as a tuple, not by a derived struct reader: the browser's
/// serde_json reads structs from objects only (vendor/README.md).
type RowWire = (
    usize,
    usize,
    f64,
    f64,
    usize,
    usize,
    usize,
    bool,
    bool,
    bool,
    String,
    String,
    i64,
    bool,
);

impl Serialize for WindowRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // `RowWire`'s order.
        (
            self.span,
            self.depth,
            fraction(self.offset),
            fraction(self.width),
            self.children,
            self.descendants,
            self.errors_below,
            self.open,
            self.orphan,
            self.critical,
            &self.service,
            &self.operation,
            self.duration_us,
            self.error,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for WindowRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = RowWire::deserialize(d)?;
        Ok(WindowRow {
            span: r.0,
            depth: r.1,
            offset: r.2,
            width: r.3,
            children: r.4,
            descendants: r.5,
            errors_below: r.6,
            open: r.7,
            orphan: r.8,
            critical: r.9,
            service: r.10,
            operation: r.11,
            duration_us: r.12,
            error: r.13,
        })
    }
}

impl Serialize for MinimapBucket {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            fraction(self.start),
            fraction(self.end),
            &self.color,
            self.error,
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for MinimapBucket {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The same tuple `Serialize` writes (see `RowWire`).
        let (start, end, color, error) = <(f64, f64, String, bool)>::deserialize(d)?;
        Ok(MinimapBucket {
            start,
            end,
            color,
            error,
        })
    }
}

/// Spans matching a find, in row order: the first `MAX_MATCHES`, the count exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanMatches {
    pub total: usize,
    pub spans: Vec<usize>,
}

/// A trace with its rows and the per-row facts windows are cut from.
#[derive(Debug)]
pub struct LaidTrace {
    pub trace: TraceView,
    pub hit: TraceHit,
    rows: Vec<Row>,
    /// Per row: rows in its subtree including itself (rows are depth-first, so a subtree is the
    /// next `subtree[i]` rows).
    subtree: Vec<usize>,
    errors_below: Vec<usize>,
    /// Per span: its row.
    row_of_span: Vec<usize>,
    /// Per row: its parent's row.
    parent_row: Vec<Option<usize>>,
}

impl LaidTrace {
    pub fn new(trace: TraceView) -> LaidTrace {
        let rows = layout(&trace);
        let hit = summarize(&trace);
        let n = rows.len();
        let mut subtree = vec![1usize; n];
        let mut errors_below = vec![0usize; n];
        let mut parent_row = vec![None; n];
        let mut row_of_span = vec![0usize; trace.spans.len()];
        let error: Vec<bool> = trace.spans.iter().map(|s| s.error).collect();
        // Rows on the path from the root to the current row; a row's parent is the nearest
        // shallower row before it.
        let mut path: Vec<usize> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            row_of_span[r.span] = i;
            while path.last().is_some_and(|&p| rows[p].depth >= r.depth) {
                path.pop();
            }
            parent_row[i] = path.last().copied();
            path.push(i);
        }
        // Children come after their parent: one pass from the end adds each subtree to its
        // parent's (linear however deep the trace is).
        for i in (0..n).rev() {
            if let Some(p) = parent_row[i] {
                subtree[p] += subtree[i];
                errors_below[p] += errors_below[i] + error[rows[i].span] as usize;
            }
        }
        LaidTrace {
            trace,
            hit,
            rows,
            subtree,
            errors_below,
            row_of_span,
            parent_row,
        }
    }

    pub fn spans(&self) -> usize {
        self.trace.spans.len()
    }

    pub fn orphans(&self) -> usize {
        self.rows.iter().filter(|r| r.orphan).count()
    }

    fn is_open(&self, row: usize, toggled: &HashSet<usize>, fold: &Fold) -> bool {
        let r = &self.rows[row];
        (r.depth < fold.open_depth as usize) != toggled.contains(&r.span)
    }

    /// The rows shown under `fold`: depth-first, skipping what a closed row hides.
    pub fn visible(&self, fold: &Fold) -> Vec<usize> {
        self.visible_with(fold, &fold.toggled_set())
    }

    fn visible_with(&self, fold: &Fold, toggled: &HashSet<usize>) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.rows.len() {
            out.push(i);
            i += if self.is_open(i, toggled, fold) {
                1
            } else {
                self.subtree[i]
            };
        }
        out
    }

    /// `fold` with every ancestor of `span` open, so that the span shows.
    pub fn reveal(&self, fold: &Fold, span: usize) -> Fold {
        let mut next = fold.clone();
        let Some(&row) = self.row_of_span.get(span) else {
            return next;
        };
        // Flipping one ancestor does not change whether another is open.
        let toggled = fold.toggled_set();
        let mut up = self.parent_row[row];
        while let Some(p) = up {
            if !self.is_open(p, &toggled, fold) {
                next.flip(self.rows[p].span);
            }
            up = self.parent_row[p];
        }
        next
    }

    /// Up to `limit` visible rows from `offset` (clamped so the window is full when it can
    /// be); with `reveal`, the fold first opens to that span and the window centres on it.
    pub fn window(
        &self,
        fold: &Fold,
        offset: usize,
        limit: usize,
        reveal: Option<usize>,
    ) -> TraceWindow {
        let fold = match reveal {
            Some(span) => self.reveal(fold, span),
            None => fold.clone(),
        };
        let toggled = fold.toggled_set();
        let visible = self.visible_with(&fold, &toggled);
        let limit = limit.clamp(1, MAX_WINDOW);
        let revealed_at = reveal.and_then(|span| {
            let row = *self.row_of_span.get(span)?;
            visible.binary_search(&row).ok()
        });
        let offset = match revealed_at {
            Some(at) => at.saturating_sub(limit / 4),
            None => offset,
        }
        .min(visible.len().saturating_sub(limit));
        let rows = visible
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| {
                let r = &self.rows[i];
                let s = &self.trace.spans[r.span];
                WindowRow {
                    span: r.span,
                    depth: r.depth,
                    offset: r.offset,
                    width: r.width,
                    children: r.children,
                    descendants: self.subtree[i] - 1,
                    errors_below: self.errors_below[i],
                    open: r.children > 0 && self.is_open(i, &toggled, &fold),
                    orphan: r.orphan,
                    critical: r.critical,
                    service: s.service.clone(),
                    operation: s.operation.clone(),
                    duration_us: s.duration_us,
                    error: s.error,
                }
            })
            .collect();
        TraceWindow {
            visible: visible.len(),
            offset,
            rows,
            revealed_at,
            fold,
        }
    }

    /// The whole trace in `MINIMAP_BUCKETS` bars, rows in depth-first order.
    pub fn minimap(&self) -> Vec<MinimapBucket> {
        let n = self.rows.len();
        if n == 0 {
            return Vec::new();
        }
        let per = n.div_ceil(MINIMAP_BUCKETS);
        self.rows
            .chunks(per)
            .map(|chunk| {
                let longest = chunk
                    .iter()
                    .max_by(|a, b| a.width.total_cmp(&b.width))
                    .expect("chunks are not empty");
                MinimapBucket {
                    start: chunk.iter().map(|r| r.offset).fold(f64::MAX, f64::min),
                    end: chunk.iter().map(|r| r.offset + r.width).fold(0.0, f64::max),
                    color: service_color(&self.trace.spans[longest.span].service).to_string(),
                    error: chunk.iter().any(|r| self.trace.spans[r.span].error),
                }
            })
            .collect()
    }

    /// Spans matching every word of `query` (case-insensitive): a word matches the service,
    /// the operation, the span id, or a tag as `key=value` (a word with `=` compares the whole
    /// key and the value's start); the word `error` matches failed spans.
    pub fn find(&self, query: &str) -> SpanMatches {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return SpanMatches {
                total: 0,
                spans: Vec::new(),
            };
        }
        let mut spans = Vec::new();
        let mut total = 0;
        for r in &self.rows {
            let s = &self.trace.spans[r.span];
            if words.iter().all(|w| span_matches(s, w)) {
                total += 1;
                if spans.len() < MAX_MATCHES {
                    spans.push(r.span);
                }
            }
        }
        SpanMatches { total, spans }
    }
}

fn span_matches(s: &SpanView, word: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(word);
    if word == "error" && s.error {
        return true;
    }
    if let Some((key, value)) = word.split_once('=') {
        return s
            .tags
            .iter()
            .chain(s.process_tags.iter())
            .any(|(k, v)| k.to_lowercase() == key && v.to_lowercase().starts_with(value));
    }
    has(&s.service)
        || has(&s.operation)
        || s.span_id.to_lowercase() == word
        || s.tags.iter().any(|(k, v)| has(k) || has(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_buckets_travel_as_arrays_and_come_back_equal() {
        // Every field distinct, so a field order that differed between the two sides would show.
        let row = WindowRow {
            span: 1,
            depth: 2,
            offset: 0.25,
            width: 0.5,
            children: 3,
            descendants: 4,
            errors_below: 5,
            open: true,
            orphan: false,
            critical: true,
            service: "planner".into(),
            operation: "plan".into(),
            duration_us: 6,
            error: false,
        };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(
            json,
            r#"[1,2,0.25,0.5,3,4,5,true,false,true,"planner","plan",6,false]"#
        );
        assert_eq!(serde_json::from_str::<WindowRow>(&json).unwrap(), row);
        let bucket = MinimapBucket {
            start: 0.125,
            end: 0.75,
            color: "#1f9e9e".into(),
            error: true,
        };
        let json = serde_json::to_string(&bucket).unwrap();
        assert_eq!(json, r##"[0.125,0.75,"#1f9e9e",true]"##);
        assert_eq!(
            serde_json::from_str::<MinimapBucket>(&json).unwrap(),
            bucket
        );
        // A third of the trace keeps the digits a screen can show, not seventeen.
        let third = serde_json::to_string(&MinimapBucket {
            start: 1.0 / 3.0,
            ..bucket
        })
        .unwrap();
        assert!(third.starts_with("[0.33333334,"), "{third}");
    }

    fn span(id: usize, parent: Option<usize>, start: i64, dur: i64, error: bool) -> SpanView {
        SpanView {
            span_id: format!("{id:x}"),
            parent_id: parent.map(|p| format!("{p:x}")),
            service: format!("svc-{}", id % 3),
            operation: format!("op-{id}"),
            start_us: start,
            duration_us: dur,
            error,
            tags: vec![(
                "http.status_code".into(),
                if error { "500" } else { "200" }.into(),
            )],
            process_tags: Default::default(),
            logs: vec![],
            references: vec![],
            warnings: vec![],
        }
    }

    /// A root with `wide` children, each with `wide` children (1 + wide + wide² spans); the
    /// last grandchild failed.
    fn tree(wide: usize) -> LaidTrace {
        let mut spans = vec![span(0, None, 0, 1_000_000, false)];
        let mut next = 1;
        for c in 0..wide {
            let child = next;
            spans.push(span(child, Some(0), c as i64 * 10, 500, false));
            next += 1;
            for g in 0..wide {
                let last = c == wide - 1 && g == wide - 1;
                spans.push(span(next, Some(child), c as i64 * 10 + g as i64, 50, last));
                next += 1;
            }
        }
        LaidTrace::new(TraceView {
            trace_id: "t".into(),
            spans,
            warnings: vec![],
        })
    }

    #[test]
    fn subtree_sizes_and_errors_below_are_exact() {
        let t = tree(4);
        let w = t.window(&Fold::all_open(), 0, 100, None);
        assert_eq!(w.visible, 21);
        assert_eq!(w.rows.len(), 21);
        let root = &w.rows[0];
        assert_eq!(
            (root.children, root.descendants, root.errors_below),
            (4, 20, 1)
        );
        let last_child = w.rows.iter().rfind(|r| r.depth == 1).unwrap();
        assert_eq!((last_child.descendants, last_child.errors_below), (4, 1));
        assert!(w.rows.iter().all(|r| r.open == (r.children > 0)));
    }

    #[test]
    fn closed_rows_hide_their_subtree_and_toggles_flip_them() {
        let t = tree(4);
        let closed = Fold::all_closed();
        assert_eq!(t.visible(&closed).len(), 1);
        let root = t.window(&closed, 0, 10, None).rows[0].clone();
        assert!(!root.open);
        let opened = closed.toggle(root.span);
        assert_eq!(t.visible(&opened).len(), 5);
        assert_eq!(opened.toggle(root.span), closed);
        // Depth 1 opens the root only.
        let one = Fold {
            open_depth: 1,
            toggled: vec![],
        };
        assert_eq!(t.visible(&one).len(), 5);
    }

    #[test]
    fn windows_page_through_the_visible_rows_and_clamp_at_the_end() {
        let t = tree(10); // 111 spans
        let w = t.window(&Fold::all_open(), 50, 20, None);
        assert_eq!((w.offset, w.rows.len(), w.visible), (50, 20, 111));
        let end = t.window(&Fold::all_open(), 200, 20, None);
        assert_eq!((end.offset, end.rows.len()), (91, 20));
        let all: Vec<usize> = (0..6)
            .flat_map(|k| t.window(&Fold::all_open(), k * 20, 20, None).rows)
            .map(|r| r.span)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(all.len(), 111);
    }

    #[test]
    fn find_counts_exactly_and_reveal_opens_the_path() {
        let t = tree(10);
        let errors = t.find("error");
        assert_eq!(errors.total, 1);
        let failed = errors.spans[0];
        assert_eq!(t.find("http.status_code=500").spans, vec![failed]);
        assert_eq!(t.find("svc-1").total, 37);
        // op-1, op-10…19, op-100…110 of svc-1: 1, 10, 13, 16, 19, 100, 103, 106, 109.
        assert_eq!(t.find("svc-1 OP-1").total, 9);
        assert_eq!(t.find("  ").total, 0);
        let closed = Fold::all_closed();
        let w = t.window(&closed, 0, 10, Some(failed));
        let at = w.revealed_at.expect("the failed span shows");
        assert_eq!(w.visible, 1 + 10 + 10);
        assert!(w.rows.iter().any(|r| r.span == failed && r.error));
        assert!(at >= w.offset && at < w.offset + w.rows.len());
        assert_eq!(
            w.fold.toggled.len(),
            2,
            "the root and the failed span's parent"
        );
    }

    #[test]
    fn a_deep_chain_counts_everything_under_its_root() {
        let n = 50_000;
        let spans = (0..n)
            .map(|i| span(i, i.checked_sub(1), i as i64, (n - i) as i64, i == n - 1))
            .collect();
        let t = LaidTrace::new(TraceView {
            trace_id: "t".into(),
            spans,
            warnings: vec![],
        });
        let root = &t.window(&Fold::all_closed(), 0, 1, None).rows[0];
        assert_eq!((root.descendants, root.errors_below), (n - 1, 1));
        let w = t.window(&Fold::all_closed(), 0, 10, Some(n - 1));
        assert_eq!(
            w.visible, n,
            "revealing the last span opens the whole chain"
        );
    }

    #[test]
    fn large_traces_open_their_first_levels_only() {
        assert_eq!(Fold::initial(100), Fold::all_open());
        assert_eq!(Fold::initial(100_000).open_depth, LARGE_OPEN_DEPTH);
    }

    #[test]
    fn the_minimap_has_a_bar_per_bucket_and_marks_errors() {
        let t = tree(20); // 421 rows → 4 rows a bucket
        let m = t.minimap();
        assert_eq!(m.len(), 106);
        assert_eq!(m.iter().filter(|b| b.error).count(), 1);
        assert!(m.iter().all(|b| b.start <= b.end && b.end <= 1.0 + 1e-9));
        assert_eq!(tree(2).minimap().len(), 7);
    }
}
