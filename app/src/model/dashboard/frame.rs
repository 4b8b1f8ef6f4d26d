//! Data frames, as Grafana's transformations see a query's answer: named fields (columns) of
//! equal length. Built from the series a panel read (a frame per series, or per query with
//! `format: table`), transformed (`transform.rs`), then drawn as a table or turned back into
//! series for the other panels.

use super::data::SeriesData;
use super::Reducer;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub name: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The field's own name (`Time`, `Value`, a label name): what merge keys on.
    pub name: String,
    /// What the user sees and what organize, filters and joins name: the legend name of a
    /// series, else the name.
    pub display: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The query it came from; empty for a computed field (field overrides match by both).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ref_id: String,
    pub values: Values,
}

/// A field's values, one type per field as in Grafana.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Values {
    /// Epoch milliseconds.
    Time(Vec<Option<i64>>),
    #[serde(with = "wire_numbers")]
    Number(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

/// One value of a field, for the row-wise rules (sort, filter, group, join).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Time(i64),
    Num(f64),
    Text(String),
}

impl Cell {
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Num(v) => Some(*v),
            Cell::Time(t) => Some(*t as f64),
            Cell::Text(s) => s.trim().parse().ok(),
            Cell::Null => None,
        }
    }

    /// The value as text, the way keys compare (groupBy, merge, join).
    pub fn key(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Time(t) => t.to_string(),
            Cell::Num(v) => v.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }

    /// Nulls last, numbers by value, text by text; a number before text.
    pub fn compare(&self, other: &Cell) -> Ordering {
        match (self, other) {
            (Cell::Null, Cell::Null) => Ordering::Equal,
            (Cell::Null, _) => Ordering::Greater,
            (_, Cell::Null) => Ordering::Less,
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            (Cell::Text(_), _) => Ordering::Greater,
            (_, Cell::Text(_)) => Ordering::Less,
            (a, b) => a
                .number()
                .unwrap_or(f64::NAN)
                .total_cmp(&b.number().unwrap_or(f64::NAN)),
        }
    }
}

/// Which kind of values a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Time,
    Number,
    Text,
}

impl Values {
    pub fn kind(&self) -> Kind {
        match self {
            Values::Time(_) => Kind::Time,
            Values::Number(_) => Kind::Number,
            Values::Text(_) => Kind::Text,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Time(v) => v.len(),
            Values::Number(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Cell {
        let cell = match self {
            Values::Time(v) => v.get(i).copied().flatten().map(Cell::Time),
            Values::Number(v) => v.get(i).copied().flatten().map(Cell::Num),
            Values::Text(v) => v.get(i).cloned().flatten().map(Cell::Text),
        };
        cell.unwrap_or(Cell::Null)
    }

    /// The values at these rows, in this order; `None` is a null (an outer join's gap).
    pub fn pick(&self, rows: &[Option<usize>]) -> Values {
        Values::collect(
            self.kind(),
            rows.iter().map(|r| match r {
                Some(i) => self.get(*i),
                None => Cell::Null,
            }),
        )
    }

    /// Values of one kind from cells; a cell of another kind is converted (text when it cannot).
    pub fn collect(kind: Kind, cells: impl IntoIterator<Item = Cell>) -> Values {
        let cells: Vec<Cell> = cells.into_iter().collect();
        let fits = |c: &Cell| {
            matches!(
                (kind, c),
                (_, Cell::Null)
                    | (Kind::Time, Cell::Time(_))
                    | (Kind::Number, Cell::Num(_) | Cell::Time(_))
                    | (Kind::Text, _)
            )
        };
        let kind = if cells.iter().all(fits) {
            kind
        } else {
            Kind::Text
        };
        match kind {
            Kind::Time => Values::Time(
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Time(t) => Some(*t),
                        _ => None,
                    })
                    .collect(),
            ),
            Kind::Number => Values::Number(cells.iter().map(Cell::number).collect()),
            Kind::Text => Values::Text(
                cells
                    .iter()
                    .map(|c| (*c != Cell::Null).then(|| c.key()))
                    .collect(),
            ),
        }
    }

    /// The numbers, a null as NaN (what the reducers read).
    pub fn numbers(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| self.get(i).number().unwrap_or(f64::NAN))
            .collect()
    }
}

impl Field {
    pub fn new(name: impl Into<String>, values: Values) -> Self {
        let name = name.into();
        Field {
            display: name.clone(),
            name,
            labels: BTreeMap::new(),
            ref_id: String::new(),
            values,
        }
    }

    /// The same field with other values (name, labels and query kept).
    pub fn with_values(&self, values: Values) -> Field {
        Field {
            values,
            ..self.clone()
        }
    }

    /// Whether a rule naming `name` means this field: by what the user sees, or its own name.
    pub fn is(&self, name: &str) -> bool {
        self.display == name || self.name == name
    }
}

impl Frame {
    pub fn rows(&self) -> usize {
        self.fields.first().map_or(0, |f| f.values.len())
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.is(name))
    }

    pub fn time_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.values.kind() == Kind::Time)
    }

    /// Keeps these rows, in this order.
    pub fn pick(&self, rows: &[usize]) -> Frame {
        let rows: Vec<Option<usize>> = rows.iter().copied().map(Some).collect();
        Frame {
            name: self.name.clone(),
            fields: self
                .fields
                .iter()
                .map(|f| f.with_values(f.values.pick(&rows)))
                .collect(),
        }
    }
}

/// A frame per series, as Grafana's Prometheus answers a time series query: `Time` and a
/// `Value` field carrying the labels and shown by its legend name.
pub fn series_frames(series: &[SeriesData]) -> Vec<Frame> {
    series
        .iter()
        .map(|s| Frame {
            name: s.name.clone(),
            fields: vec![
                Field::new(
                    "Time",
                    Values::Time(s.points.iter().map(|(t, _)| Some(*t)).collect()),
                ),
                Field {
                    name: "Value".into(),
                    display: s.name.clone(),
                    labels: s.labels.clone(),
                    ref_id: s.ref_id.clone(),
                    values: Values::Number(
                        s.points
                            .iter()
                            .map(|(_, v)| (!v.is_nan()).then_some(*v))
                            .collect(),
                    ),
                },
            ],
        })
        .collect()
}

/// A frame per query, as Grafana's Prometheus answers `format: table`: `Time`, a column per
/// label (sorted), and the value (`Value`, or `Value #A` when the panel has several queries).
/// A series of several points is one row, reduced by `reducer` at its last time.
pub fn table_frames(series: &[SeriesData], reducer: Reducer, queries: usize) -> Vec<Frame> {
    let refs = refs_in_order(series);
    refs.into_iter()
        .map(|r| {
            let rows: Vec<&SeriesData> = series.iter().filter(|s| s.ref_id == r).collect();
            let mut labels: Vec<&String> = rows.iter().flat_map(|s| s.labels.keys()).collect();
            labels.sort();
            labels.dedup();
            let value_name = if queries > 1 {
                format!("Value #{r}")
            } else {
                "Value".to_string()
            };
            let mut fields = vec![Field::new(
                "Time",
                Values::Time(rows.iter().map(|s| s.points.last().map(|p| p.0)).collect()),
            )];
            fields.extend(labels.iter().map(|l| {
                Field::new(
                    l.as_str(),
                    Values::Text(rows.iter().map(|s| s.labels.get(*l).cloned()).collect()),
                )
            }));
            let values = rows.iter().map(|s| reducer.apply(&points_values(s)));
            fields.push(Field {
                ref_id: r.to_string(),
                ..Field::new(value_name, Values::Number(values.collect()))
            });
            Frame {
                name: r.to_string(),
                fields,
            }
        })
        .collect()
}

/// The queries of these series, in the order they first come.
fn refs_in_order(series: &[SeriesData]) -> Vec<&str> {
    let mut refs: Vec<&str> = Vec::new();
    for s in series {
        if !refs.contains(&s.ref_id.as_str()) {
            refs.push(&s.ref_id);
        }
    }
    refs
}

fn points_values(s: &SeriesData) -> Vec<f64> {
    s.points.iter().map(|p| p.1).collect()
}

/// A table panel without transformations: a row per label set, label columns sorted, and each
/// query's reduced value side by side (`Value`, or `Value #A`, `Value #B`, …). Series of
/// several queries that differ only in `__name__` share a row.
pub fn default_table(series: &[SeriesData], reducer: Reducer) -> Frame {
    let mut refs: Vec<&str> = series.iter().map(|s| s.ref_id.as_str()).collect();
    refs.sort();
    refs.dedup();
    let multi = refs.len() > 1;
    // (labels, each query's value)
    type Row<'a> = (BTreeMap<String, String>, BTreeMap<&'a str, f64>);
    let mut rows: Vec<Row> = Vec::new();
    for s in series {
        let v = reducer.apply(&points_values(s)).unwrap_or(f64::NAN);
        let mut key = s.labels.clone();
        if multi {
            key.remove("__name__");
        }
        match rows.iter_mut().find(|(k, _)| *k == key) {
            Some((_, vals)) => {
                vals.insert(&s.ref_id, v);
            }
            None => rows.push((key, [(s.ref_id.as_str(), v)].into_iter().collect())),
        }
    }
    let mut labels: Vec<&String> = rows.iter().flat_map(|(k, _)| k.keys()).collect();
    labels.sort();
    labels.dedup();
    let mut fields: Vec<Field> = labels
        .iter()
        .map(|l| {
            Field::new(
                l.as_str(),
                Values::Text(rows.iter().map(|(k, _)| k.get(*l).cloned()).collect()),
            )
        })
        .collect();
    fields.extend(refs.iter().map(|r| {
        let name = if multi {
            format!("Value #{r}")
        } else {
            "Value".to_string()
        };
        let values = rows
            .iter()
            .map(|(_, v)| v.get(r).copied().filter(|v| !v.is_nan()));
        Field {
            ref_id: r.to_string(),
            ..Field::new(name, Values::Number(values.collect()))
        }
    }));
    Frame {
        name: String::new(),
        fields,
    }
}

/// The frames Grafana's Prometheus answers, query by query in the order the series come: a
/// table frame for a query in `table_refs` (`format: table`), else a frame per series.
pub fn query_frames(
    series: &[SeriesData],
    table_refs: &[&str],
    reducer: Reducer,
    queries: usize,
) -> Vec<Frame> {
    let refs = refs_in_order(series);
    refs.into_iter()
        .flat_map(|r| {
            let own: Vec<SeriesData> = series.iter().filter(|s| s.ref_id == r).cloned().collect();
            if table_refs.contains(&r) {
                table_frames(&own, reducer, queries)
            } else {
                series_frames(&own)
            }
        })
        .collect()
}

/// Rows a table panel sends at most per frame; the count before is kept and said.
pub const MAX_TABLE_ROWS: usize = 500;

/// A table panel's body: its frames (one is shown at a time, as in Grafana), each cut to
/// `MAX_TABLE_ROWS`, with each frame's row count before the cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableData {
    pub frames: Vec<Frame>,
    pub total_rows: Vec<usize>,
}

impl TableData {
    /// `None` when no frame has a row (the panel says "No data").
    pub fn bounded(frames: Vec<Frame>) -> Option<TableData> {
        let frames: Vec<Frame> = frames.into_iter().filter(|f| f.rows() > 0).collect();
        if frames.is_empty() {
            return None;
        }
        let total_rows = frames.iter().map(Frame::rows).collect();
        let frames = frames
            .into_iter()
            .map(|f| {
                if f.rows() > MAX_TABLE_ROWS {
                    f.pick(&(0..MAX_TABLE_ROWS).collect::<Vec<_>>())
                } else {
                    f
                }
            })
            .collect();
        Some(TableData { frames, total_rows })
    }
}

/// Frames back into series for the panels that draw series: each number field against its
/// frame's time field. A frame without one (after a reduce, say) gives each number field a
/// series of its values in row order, one second apart, so stat and gauge panels can reduce
/// them; `None` when a panel that needs time finds none.
pub fn frames_to_series(frames: &[Frame], needs_time: bool) -> Result<Vec<SeriesData>, String> {
    let mut out = Vec::new();
    for frame in frames {
        let times: Vec<Option<i64>> = match frame.time_field() {
            Some(Field {
                values: Values::Time(t),
                ..
            }) => t.clone(),
            _ if needs_time => {
                return Err(format!(
                    "the transformations leave {} without a time field: a time series panel cannot draw it; show it as a table",
                    if frame.name.is_empty() {
                        "the data".to_string()
                    } else {
                        format!("\"{}\"", frame.name)
                    }
                ))
            }
            _ => (0..frame.rows()).map(|i| Some(i as i64 * 1000)).collect(),
        };
        for f in &frame.fields {
            if f.values.kind() != Kind::Number {
                continue;
            }
            let values = f.values.numbers();
            let mut points: Vec<(i64, f64)> = times
                .iter()
                .zip(values)
                .filter_map(|(t, v)| t.map(|t| (t, v)))
                .collect();
            points.sort_by_key(|p| p.0);
            out.push(SeriesData {
                name: f.display.clone(),
                labels: f.labels.clone(),
                ref_id: f.ref_id.clone(),
                points,
                shift_ms: 0,
                compare_last: None,
            });
        }
    }
    Ok(out)
}

/// JSON has no NaN or infinities: a non-finite number travels as Prometheus spells it.
mod wire_numbers {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Num(f64),
        Text(String),
        Null,
    }

    pub fn serialize<S: Serializer>(values: &[Option<f64>], s: S) -> Result<S::Ok, S::Error> {
        values
            .iter()
            .map(|v| match v {
                None => Wire::Null,
                Some(v) if v.is_finite() => Wire::Num(*v),
                Some(v) if v.is_nan() => Wire::Text("NaN".into()),
                Some(v) if *v > 0.0 => Wire::Text("+Inf".into()),
                Some(_) => Wire::Text("-Inf".into()),
            })
            .collect::<Vec<_>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<f64>>, D::Error> {
        Ok(Vec::<Wire>::deserialize(d)?
            .into_iter()
            .map(|w| match w {
                Wire::Num(v) => Some(v),
                Wire::Text(t) => Some(match t.as_str() {
                    "+Inf" => f64::INFINITY,
                    "-Inf" => f64::NEG_INFINITY,
                    _ => f64::NAN,
                }),
                Wire::Null => None,
            })
            .collect())
    }
}

/// A series for tests: legend name, query, labels, points.
#[cfg(test)]
pub(crate) fn series(
    name: &str,
    r: &str,
    labels: &[(&str, &str)],
    points: &[(i64, f64)],
) -> SeriesData {
    SeriesData {
        name: name.into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ref_id: r.into(),
        points: points.to_vec(),
        shift_ms: 0,
        compare_last: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_a_frame_of_time_and_value_shown_by_its_legend_name() {
        let f = &series_frames(&[series(
            "api",
            "A",
            &[("job", "api")],
            &[(1000, 1.0), (2000, f64::NAN)],
        )])[0];
        assert_eq!(
            f.fields[0].values,
            Values::Time(vec![Some(1000), Some(2000)])
        );
        assert_eq!(
            (f.fields[1].name.as_str(), f.fields[1].display.as_str()),
            ("Value", "api")
        );
        assert_eq!(
            f.fields[1].values,
            Values::Number(vec![Some(1.0), None]),
            "NaN is null"
        );
        assert_eq!(f.fields[1].labels["job"], "api");
    }

    #[test]
    fn a_table_frame_per_query_has_time_sorted_labels_and_a_value_named_by_query() {
        let s = [
            series(
                "a",
                "A",
                &[("job", "x"), ("instance", "i1")],
                &[(1000, 1.0), (2000, 3.0)],
            ),
            series("b", "A", &[("job", "y")], &[(2000, 2.0)]),
            series("c", "B", &[("job", "x")], &[(2000, 9.0)]),
        ];
        let frames = table_frames(&s, Reducer::LastNotNull, 2);
        assert_eq!(frames.len(), 2);
        let names: Vec<&str> = frames[0].fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Time", "instance", "job", "Value #A"]);
        assert_eq!(
            frames[0].fields[1].values,
            Values::Text(vec![Some("i1".into()), None])
        );
        assert_eq!(
            frames[0].fields[3].values,
            Values::Number(vec![Some(3.0), Some(2.0)])
        );
        assert_eq!(
            table_frames(&s[..1], Reducer::Max, 1)[0].fields[3].name,
            "Value"
        );
    }

    #[test]
    fn the_default_table_puts_each_querys_value_beside_the_same_labels() {
        let s = [
            series("a", "A", &[("__name__", "up"), ("job", "x")], &[(1, 1.0)]),
            series(
                "b",
                "B",
                &[("__name__", "other"), ("job", "x")],
                &[(1, 5.0)],
            ),
            series("c", "B", &[("job", "y")], &[(1, 6.0)]),
        ];
        let t = default_table(&s, Reducer::LastNotNull);
        let names: Vec<&str> = t.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["job", "Value #A", "Value #B"]);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.fields[1].values, Values::Number(vec![Some(1.0), None]));
        assert_eq!(
            t.fields[2].values,
            Values::Number(vec![Some(5.0), Some(6.0)])
        );
    }

    #[test]
    fn frames_become_series_again_and_a_panel_that_needs_time_says_when_there_is_none() {
        let s = [series(
            "api",
            "A",
            &[("job", "api")],
            &[(2000, 2.0), (1000, 1.0)],
        )];
        let back = frames_to_series(&series_frames(&s), true).unwrap();
        assert_eq!(back[0].name, "api");
        assert_eq!(back[0].points, vec![(1000, 1.0), (2000, 2.0)]);
        let no_time = Frame {
            name: "A".into(),
            fields: vec![Field::new(
                "Max",
                Values::Number(vec![Some(4.0), Some(5.0)]),
            )],
        };
        let err = frames_to_series(std::slice::from_ref(&no_time), true).unwrap_err();
        assert!(err.contains("without a time field"), "{err}");
        let stat = frames_to_series(&[no_time], false).unwrap();
        assert_eq!(stat[0].points, vec![(0, 4.0), (1000, 5.0)]);
    }

    #[test]
    fn query_frames_follow_each_querys_format_and_a_table_sends_a_bounded_count_of_rows() {
        let s = [
            series("a", "A", &[("job", "x")], &[(1, 1.0)]),
            series("b", "A", &[("job", "y")], &[(1, 2.0)]),
            series("c", "B", &[("job", "x")], &[(1, 3.0)]),
        ];
        let frames = query_frames(&s, &["B"], Reducer::LastNotNull, 2);
        let names: Vec<&str> = frames.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "B"], "two series frames, then B's table");
        let many: Vec<SeriesData> = (0..MAX_TABLE_ROWS + 7)
            .map(|i| series("s", "A", &[("i", &i.to_string())], &[(1, i as f64)]))
            .collect();
        let t = TableData::bounded(vec![default_table(&many, Reducer::LastNotNull)]).unwrap();
        assert_eq!(
            (t.frames[0].rows(), t.total_rows[0]),
            (MAX_TABLE_ROWS, MAX_TABLE_ROWS + 7)
        );
        assert_eq!(
            TableData::bounded(vec![default_table(&[], Reducer::LastNotNull)]),
            None
        );
    }

    #[test]
    fn numbers_travel_with_their_infinities_and_nulls() {
        let v = Values::Number(vec![Some(1.5), None, Some(f64::INFINITY)]);
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#"{"Number":[1.5,null,"+Inf"]}"#);
        assert_eq!(serde_json::from_str::<Values>(&json).unwrap(), v);
    }

    #[test]
    fn cells_sort_numbers_by_value_then_text_then_nulls() {
        let mut c = vec![
            Cell::Null,
            Cell::Text("b".into()),
            Cell::Num(10.0),
            Cell::Num(9.0),
        ];
        c.sort_by(Cell::compare);
        assert_eq!(
            c,
            [
                Cell::Num(9.0),
                Cell::Num(10.0),
                Cell::Text("b".into()),
                Cell::Null
            ]
        );
        assert_eq!(
            Values::collect(Kind::Number, [Cell::Num(1.0), Cell::Text("x".into())]),
            Values::Text(vec![Some("1".into()), Some("x".into())]),
            "a field that cannot be numbers is text"
        );
    }
}
