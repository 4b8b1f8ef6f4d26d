//! Grafana's transformations, applied in the order a panel lists them to the frames its queries
//! returned. Fields are named as the user sees them (display names), as Grafana's editors name
//! them; merge keys on fields' own names, as Grafana's does. A transformation Octoscope does not
//! run, or one whose options it cannot read, is named on the panel and the rest still apply.

use super::frame::{Cell, Field, Frame, Kind, Values};
use super::strings;
use super::Reducer;
use regex_lite::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Transform {
    Organize {
        /// `includeByName`: when not empty, only these.
        include: Vec<String>,
        exclude: Vec<String>,
        index: BTreeMap<String, i64>,
        rename: BTreeMap<String, String>,
    },
    Merge,
    JoinByField {
        /// None: each frame's first time field.
        by: Option<String>,
        inner: bool,
    },
    Reduce {
        reducers: Vec<Reducer>,
        /// `mode: reduceFields`: each frame keeps its fields, each reduced to one value.
        fields: bool,
        include_time: bool,
        labels_to_fields: bool,
    },
    LabelsToFields {
        rows: bool,
        keep: Option<Vec<String>>,
        value_label: Option<String>,
    },
    CalculateField {
        calc: Calc,
        alias: Option<String>,
        replace: bool,
    },
    GroupBy {
        group: Vec<String>,
        /// Field, then its calculations.
        aggregate: Vec<(String, Vec<Reducer>)>,
    },
    SortBy {
        field: String,
        desc: bool,
    },
    FilterFieldsByName {
        include_names: Vec<String>,
        include_pattern: Option<String>,
        exclude_names: Vec<String>,
        exclude_pattern: Option<String>,
    },
    FilterByValue {
        filters: Vec<ValueFilter>,
        include: bool,
        all: bool,
    },
    SeriesToRows,
    RenameByRegex {
        regex: String,
        replace: String,
    },
    Limit {
        rows: usize,
    },
    /// Named on the panel, never silently skipped.
    Unsupported {
        id: String,
        why: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Calc {
    Binary {
        left: Operand,
        op: BinaryOp,
        right: Operand,
    },
    /// Each row reduced over the number fields (or the named ones).
    ReduceRow {
        reducer: Reducer,
        include: Vec<String>,
    },
    /// The row number, from 0.
    Index,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Operand {
    Field(String),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl BinaryOp {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "+" => BinaryOp::Add,
            "-" => BinaryOp::Sub,
            "*" => BinaryOp::Mul,
            "/" => BinaryOp::Div,
            "%" => BinaryOp::Mod,
            "^" => BinaryOp::Pow,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
        }
    }

    fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
            BinaryOp::Mod => a % b,
            BinaryOp::Pow => a.powf(b),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueFilter {
    pub field: String,
    pub test: ValueTest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ValueTest {
    Greater(f64),
    GreaterOrEqual(f64),
    Lower(f64),
    LowerOrEqual(f64),
    Equal(String),
    NotEqual(String),
    IsNull,
    IsNotNull,
    Regex(String),
    /// Strictly between, as Grafana's range matcher.
    Range(f64, f64),
}

impl ValueTest {
    fn parse(id: &str, o: &Value) -> Result<Self, String> {
        let num = |k: &str| -> Result<f64, String> {
            match o.get(k) {
                Some(Value::Number(n)) => n.as_f64().ok_or_else(|| format!("{k} is not a number")),
                Some(Value::String(s)) => s
                    .trim()
                    .parse()
                    .map_err(|_| format!("{k} {s:?} is not a number")),
                _ => Err(format!("no {k}")),
            }
        };
        let text = |k: &str| match o.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(v) if !v.is_null() => v.to_string(),
            _ => String::new(),
        };
        Ok(match id {
            "greater" => ValueTest::Greater(num("value")?),
            "greaterOrEqual" => ValueTest::GreaterOrEqual(num("value")?),
            "lower" => ValueTest::Lower(num("value")?),
            "lowerOrEqual" => ValueTest::LowerOrEqual(num("value")?),
            "equal" => ValueTest::Equal(text("value")),
            "notEqual" => ValueTest::NotEqual(text("value")),
            "isNull" => ValueTest::IsNull,
            "isNotNull" => ValueTest::IsNotNull,
            "regex" => ValueTest::Regex(text("value")),
            "range" => ValueTest::Range(num("from")?, num("to")?),
            other => return Err(format!("the value test {other:?} is not run")),
        })
    }

    fn matches(&self, cell: &Cell, regex: Option<&Regex>) -> bool {
        let n = cell.number();
        let same = |v: &str| match (n, v.trim().parse::<f64>()) {
            (Some(a), Ok(b)) => a == b,
            _ => *cell != Cell::Null && cell.key() == v,
        };
        match self {
            ValueTest::Greater(v) => n.is_some_and(|n| n > *v),
            ValueTest::GreaterOrEqual(v) => n.is_some_and(|n| n >= *v),
            ValueTest::Lower(v) => n.is_some_and(|n| n < *v),
            ValueTest::LowerOrEqual(v) => n.is_some_and(|n| n <= *v),
            ValueTest::Equal(v) => same(v),
            ValueTest::NotEqual(v) => !same(v),
            ValueTest::IsNull => *cell == Cell::Null,
            ValueTest::IsNotNull => *cell != Cell::Null,
            ValueTest::Regex(_) => regex.is_some_and(|r| r.is_match(&cell.key())),
            ValueTest::Range(a, b) => n.is_some_and(|n| n > *a && n < *b),
        }
    }
}

/// The ids this module runs, in the order the README lists them.
pub const SUPPORTED: [&str; 13] = [
    "organize",
    "merge",
    "joinByField",
    "reduce",
    "labelsToFields",
    "calculateField",
    "groupBy",
    "sortBy",
    "filterFieldsByName",
    "filterByValue",
    "seriesToRows",
    "renameByRegex",
    "limit",
];

/// A panel's enabled transformations, in order (Grafana skips disabled ones too).
pub fn parse_all(list: Option<&Value>) -> Vec<Transform> {
    list.and_then(Value::as_array)
        .map(|ts| {
            ts.iter()
                .filter(|t| t.get("disabled").and_then(Value::as_bool) != Some(true))
                .map(parse)
                .collect()
        })
        .unwrap_or_default()
}

/// One transformation (`{"id", "options"}`); what cannot be run is `Unsupported`, saying why.
pub fn parse(t: &Value) -> Transform {
    let id = t.get("id").and_then(Value::as_str).unwrap_or("");
    let o = t.get("options").cloned().unwrap_or(Value::Null);
    let unsupported = |why: String| Transform::Unsupported {
        id: id.to_string(),
        why,
    };
    if t.get("filter").is_some_and(|f| !f.is_null()) {
        return unsupported("its \"filter\" (apply to some queries only) is not run".into());
    }
    let str_at = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .map(String::from)
            .filter(|s| !s.is_empty())
    };
    let flags = |k: &str| -> Vec<String> {
        o.get(k)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| v.as_bool() == Some(true))
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let reducers = |v: &Value, key: &str| -> Result<Vec<Reducer>, String> {
        strings(v, key)
            .iter()
            .map(|r| {
                Reducer::parse(r).ok_or_else(|| format!("the calculation {r:?} is not computed"))
            })
            .collect()
    };
    match id {
        "organize" => Transform::Organize {
            include: flags("includeByName"),
            exclude: flags("excludeByName"),
            index: o
                .get("indexByName")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_i64()?)))
                        .collect()
                })
                .unwrap_or_default(),
            rename: o
                .get("renameByName")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| {
                            Some((k.clone(), v.as_str().filter(|s| !s.is_empty())?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        },
        "merge" => Transform::Merge,
        "joinByField" | "seriesToColumns" => {
            let mode = str_at(&o, "mode").unwrap_or_else(|| "outer".into());
            match mode.as_str() {
                "outer" | "inner" => Transform::JoinByField {
                    by: str_at(&o, "byField"),
                    inner: mode == "inner",
                },
                other => unsupported(format!(
                    "the join mode {other:?} is not run (outer and inner are)"
                )),
            }
        }
        "reduce" => {
            let mode = str_at(&o, "mode").unwrap_or_else(|| "seriesToRows".into());
            match (reducers(&o, "reducers"), mode.as_str()) {
                (Err(e), _) => unsupported(e),
                (Ok(r), "seriesToRows" | "reduceFields") => Transform::Reduce {
                    reducers: if r.is_empty() { vec![Reducer::Max] } else { r },
                    fields: mode == "reduceFields",
                    include_time: o.get("includeTimeField").and_then(Value::as_bool) == Some(true),
                    labels_to_fields: o.get("labelsToFields").and_then(Value::as_bool)
                        == Some(true),
                },
                (_, other) => unsupported(format!("the reduce mode {other:?} is not run")),
            }
        }
        "labelsToFields" => Transform::LabelsToFields {
            rows: str_at(&o, "mode").as_deref() == Some("rows"),
            keep: o.get("keepLabels").map(|_| strings(&o, "keepLabels")),
            value_label: str_at(&o, "valueLabel"),
        },
        "calculateField" => {
            let mode = str_at(&o, "mode").unwrap_or_else(|| "reduceRow".into());
            let calc = match mode.as_str() {
                "reduceRow" => {
                    let r = o.get("reduce").cloned().unwrap_or(Value::Null);
                    let id = str_at(&r, "reducer").unwrap_or_else(|| "sum".into());
                    match Reducer::parse(&id) {
                        Some(reducer) => Ok(Calc::ReduceRow {
                            reducer,
                            include: strings(&r, "include"),
                        }),
                        None => Err(format!("the calculation {id:?} is not computed")),
                    }
                }
                "binary" => {
                    let b = o.get("binary").cloned().unwrap_or(Value::Null);
                    let op = str_at(&b, "operator").unwrap_or_else(|| "+".into());
                    match (
                        operand(b.get("left")),
                        BinaryOp::parse(&op),
                        operand(b.get("right")),
                    ) {
                        (Some(left), Some(op), Some(right)) => Ok(Calc::Binary { left, op, right }),
                        (_, None, _) => Err(format!("the operator {op:?} is not run")),
                        _ => Err("an operand is missing".into()),
                    }
                }
                "index" => Ok(Calc::Index),
                other => Err(format!(
                    "the mode {other:?} is not run (reduceRow, binary and index are)"
                )),
            };
            match calc {
                Ok(calc) => Transform::CalculateField {
                    calc,
                    alias: str_at(&o, "alias"),
                    replace: o.get("replaceFields").and_then(Value::as_bool) == Some(true),
                },
                Err(e) => unsupported(e),
            }
        }
        "groupBy" => {
            let mut group = Vec::new();
            let mut aggregate = Vec::new();
            let fields = o
                .get("fields")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (name, f) in fields {
                match f.get("operation").and_then(Value::as_str) {
                    Some("groupby") => group.push(name),
                    Some("aggregate") => match reducers(&f, "aggregations") {
                        Ok(r) => aggregate.push((name, r)),
                        Err(e) => return unsupported(e),
                    },
                    _ => {}
                }
            }
            Transform::GroupBy { group, aggregate }
        }
        "sortBy" => {
            let first = o
                .get("sort")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned();
            match first.as_ref().and_then(|s| str_at(s, "field")) {
                Some(field) => Transform::SortBy {
                    desc: first.and_then(|s| s.get("desc").and_then(Value::as_bool)) == Some(true),
                    field,
                },
                None => unsupported("no field to sort by".into()),
            }
        }
        "filterFieldsByName" => {
            if o.get("byVariable").and_then(Value::as_bool) == Some(true) {
                return unsupported("filtering by a variable is not run".into());
            }
            let inc = o.get("include").cloned().unwrap_or(Value::Null);
            let exc = o.get("exclude").cloned().unwrap_or(Value::Null);
            Transform::FilterFieldsByName {
                include_names: strings(&inc, "names"),
                include_pattern: str_at(&inc, "pattern"),
                exclude_names: strings(&exc, "names"),
                exclude_pattern: str_at(&exc, "pattern"),
            }
        }
        "filterByValue" => {
            let mut filters = Vec::new();
            for f in o
                .get("filters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let config = f.get("config").cloned().unwrap_or(Value::Null);
                let test_id = str_at(&config, "id").unwrap_or_default();
                let opts = config.get("options").cloned().unwrap_or(Value::Null);
                match ValueTest::parse(&test_id, &opts) {
                    Ok(test) => filters.push(ValueFilter {
                        field: str_at(f, "fieldName").unwrap_or_default(),
                        test,
                    }),
                    Err(e) => return unsupported(e),
                }
            }
            Transform::FilterByValue {
                filters,
                include: str_at(&o, "type").as_deref() != Some("exclude"),
                all: str_at(&o, "match").as_deref() == Some("all"),
            }
        }
        "seriesToRows" => Transform::SeriesToRows,
        "renameByRegex" => match (
            str_at(&o, "regex"),
            o.get("renamePattern").and_then(Value::as_str),
        ) {
            (Some(regex), Some(replace)) => Transform::RenameByRegex {
                regex,
                replace: replace.to_string(),
            },
            _ => unsupported("needs regex and renamePattern".into()),
        },
        "limit" => {
            let n = match o.get("limitField") {
                None | Some(Value::Null) => Some(10),
                Some(Value::Number(n)) => n.as_u64().map(|n| n as usize),
                Some(Value::String(s)) => s.trim().parse().ok(),
                _ => None,
            };
            match n {
                Some(rows) => Transform::Limit { rows },
                None => unsupported("limitField is not a number of rows".into()),
            }
        }
        "" => unsupported("it has no id".into()),
        _ => unsupported("Octoscope does not run it".into()),
    }
}

/// An operand of a binary calculation: a field name, a number, or Grafana 11's
/// `{"matcher": {"id": "byName", "options": NAME}}` / `{"fixed": NAME-OR-NUMBER}`.
fn operand(v: Option<&Value>) -> Option<Operand> {
    let text = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => return n.as_f64().map(Operand::Number),
        o => o
            .pointer("/matcher/options")
            .or_else(|| o.get("fixed"))
            .and_then(Value::as_str)?
            .to_string(),
    };
    Some(match text.trim().parse::<f64>() {
        Ok(n) => Operand::Number(n),
        Err(_) => Operand::Field(text),
    })
}

impl Transform {
    pub fn id(&self) -> &str {
        match self {
            Transform::Organize { .. } => "organize",
            Transform::Merge => "merge",
            Transform::JoinByField { .. } => "joinByField",
            Transform::Reduce { .. } => "reduce",
            Transform::LabelsToFields { .. } => "labelsToFields",
            Transform::CalculateField { .. } => "calculateField",
            Transform::GroupBy { .. } => "groupBy",
            Transform::SortBy { .. } => "sortBy",
            Transform::FilterFieldsByName { .. } => "filterFieldsByName",
            Transform::FilterByValue { .. } => "filterByValue",
            Transform::SeriesToRows => "seriesToRows",
            Transform::RenameByRegex { .. } => "renameByRegex",
            Transform::Limit { .. } => "limit",
            Transform::Unsupported { id, .. } => id,
        }
    }
}

/// What a panel says about the transformations it cannot run, if any.
pub fn warning(ts: &[Transform]) -> Option<String> {
    let named: Vec<String> = ts
        .iter()
        .filter_map(|t| match t {
            Transform::Unsupported { id, why } => {
                Some(format!("{} ({why})", if id.is_empty() { "?" } else { id }))
            }
            _ => None,
        })
        .collect();
    (!named.is_empty()).then(|| {
        format!(
            "not applied: the transformation{} {}; the others are",
            if named.len() == 1 { "" } else { "s" },
            named.join(", ")
        )
    })
}

/// Runs the transformations in order. A step whose options do not fit the data (a pattern
/// that does not compile) is skipped and said in the returned notes.
pub fn apply(ts: &[Transform], mut frames: Vec<Frame>) -> (Vec<Frame>, Vec<String>) {
    let mut notes = Vec::new();
    for t in ts {
        match run(t, frames.clone()) {
            Ok(out) => frames = out,
            Err(e) => notes.push(format!("{}: {e}", t.id())),
        }
        frames.iter_mut().for_each(unique_names);
    }
    (frames, notes)
}

/// Fields shown by their own name that share it in a frame are numbered from 1 (`Time 1`,
/// `Time 2`), as Grafana names them, so organize and filters can tell them apart.
fn unique_names(f: &mut Frame) {
    let plain = |x: &Field| x.display == x.name;
    let names: Vec<Option<String>> = f
        .fields
        .iter()
        .map(|x| plain(x).then(|| x.name.clone()))
        .collect();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (x, n) in f.fields.iter_mut().zip(&names) {
        let Some(n) = n else { continue };
        if names.iter().flatten().filter(|m| *m == n).count() > 1 {
            let i = seen.entry(n.as_str()).or_insert(0);
            *i += 1;
            x.display = format!("{n} {i}");
        }
    }
}

fn run(t: &Transform, frames: Vec<Frame>) -> Result<Vec<Frame>, String> {
    Ok(match t {
        Transform::Organize {
            include,
            exclude,
            index,
            rename,
        } => frames
            .into_iter()
            .map(|f| organize(f, include, exclude, index, rename))
            .collect(),
        Transform::Merge => merge(frames),
        Transform::JoinByField { by, inner } => join(frames, by.as_deref(), *inner),
        Transform::Reduce {
            reducers,
            fields,
            include_time,
            labels_to_fields,
        } => {
            if *fields {
                frames
                    .into_iter()
                    .map(|f| reduce_fields(f, reducers, *include_time))
                    .collect()
            } else {
                vec![reduce_rows(&frames, reducers, *labels_to_fields)]
            }
        }
        Transform::LabelsToFields {
            rows,
            keep,
            value_label,
        } => frames
            .into_iter()
            .map(|f| {
                if *rows {
                    labels_to_rows(f)
                } else {
                    labels_to_columns(f, keep.as_deref(), value_label.as_deref())
                }
            })
            .collect(),
        Transform::CalculateField {
            calc,
            alias,
            replace,
        } => frames
            .into_iter()
            .map(|f| calculate(f, calc, alias.as_deref(), *replace))
            .collect(),
        Transform::GroupBy { group, aggregate } => frames
            .into_iter()
            .map(|f| group_by(f, group, aggregate))
            .collect(),
        Transform::SortBy { field, desc } => frames
            .into_iter()
            .map(|f| sort_by(f, field, *desc))
            .collect(),
        Transform::FilterFieldsByName {
            include_names,
            include_pattern,
            exclude_names,
            exclude_pattern,
        } => {
            let inc = compile(include_pattern.as_deref())?;
            let exc = compile(exclude_pattern.as_deref())?;
            let keep = |f: &Field| {
                let included = (include_names.is_empty() && inc.is_none())
                    || include_names.iter().any(|n| f.is(n))
                    || inc.as_ref().is_some_and(|r| r.is_match(&f.display));
                let excluded = exclude_names.iter().any(|n| f.is(n))
                    || exc.as_ref().is_some_and(|r| r.is_match(&f.display));
                included && !excluded
            };
            frames
                .into_iter()
                .map(|mut f| {
                    f.fields.retain(|x| keep(x));
                    f
                })
                .filter(|f| !f.fields.is_empty())
                .collect()
        }
        Transform::FilterByValue {
            filters,
            include,
            all,
        } => {
            let mut regexes = HashMap::new();
            for f in filters {
                if let ValueTest::Regex(p) = &f.test {
                    regexes.insert(p.clone(), compile(Some(p))?.expect("a pattern"));
                }
            }
            frames
                .into_iter()
                .map(|f| filter_by_value(f, filters, &regexes, *include, *all))
                .collect()
        }
        Transform::SeriesToRows => series_to_rows(frames),
        Transform::RenameByRegex { regex, replace } => {
            let r = compile(Some(regex))?.expect("a pattern");
            let replace = js_replacement(replace);
            frames
                .into_iter()
                .map(|mut f| {
                    for x in &mut f.fields {
                        x.display = r.replacen(&x.display, 1, replace.as_str()).into_owned();
                    }
                    f
                })
                .collect()
        }
        Transform::Limit { rows } => frames
            .into_iter()
            .map(|f| {
                let keep: Vec<usize> = (0..f.rows().min(*rows)).collect();
                f.pick(&keep)
            })
            .collect(),
        Transform::Unsupported { .. } => frames,
    })
}

/// A pattern as Grafana takes one: plain, or `/pattern/flags` (`i` honoured).
fn compile(p: Option<&str>) -> Result<Option<Regex>, String> {
    let Some(p) = p else { return Ok(None) };
    let (body, flags) = match p.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
        Some((body, flags)) => (body, flags),
        None => (p, ""),
    };
    let body = if flags.contains('i') {
        format!("(?i){body}")
    } else {
        body.to_string()
    };
    Regex::new(&body)
        .map(Some)
        .map_err(|e| format!("the pattern {p:?} does not compile ({e}); fix it in the dashboard"))
}

/// JavaScript's `$1` in a replacement is `${1}` here (`$1a` would name a group "1a").
fn js_replacement(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            let mut n = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(*d);
                chars.next();
            }
            out.push_str(&format!("${{{n}}}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn organize(
    mut f: Frame,
    include: &[String],
    exclude: &[String],
    index: &BTreeMap<String, i64>,
    rename: &BTreeMap<String, String>,
) -> Frame {
    f.fields.retain(|x| {
        (include.is_empty() || include.iter().any(|n| x.is(n))) && !exclude.iter().any(|n| x.is(n))
    });
    // Fields the order does not name go last, in their order (a stable sort).
    let at = |x: &Field| {
        index
            .get(&x.display)
            .or_else(|| index.get(&x.name))
            .copied()
            .unwrap_or(i64::MAX)
    };
    f.fields.sort_by_key(|x| at(x));
    for x in &mut f.fields {
        if let Some(to) = rename.get(&x.display).or_else(|| rename.get(&x.name)) {
            x.display = to.clone();
        }
    }
    f
}

/// Grafana's merge: one frame with every field (by name); the fields every frame has are the
/// key, and rows with the same key whose values do not conflict become one row.
fn merge(frames: Vec<Frame>) -> Vec<Frame> {
    let data: Vec<&Frame> = frames.iter().filter(|f| !f.fields.is_empty()).collect();
    if data.len() <= 1 {
        return frames;
    }
    let mut names: Vec<(String, Kind)> = Vec::new();
    for f in &data {
        for x in &f.fields {
            if !names.iter().any(|(n, _)| *n == x.name) {
                names.push((x.name.clone(), x.values.kind()));
            }
        }
    }
    let key_names: Vec<&str> = names
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| data.iter().all(|f| f.fields.iter().any(|x| x.name == *n)))
        .collect();
    if key_names.is_empty() {
        return frames;
    }
    // Rows as name → value, kept in first-seen order of their key.
    let mut rows: Vec<(String, HashMap<String, Cell>)> = Vec::new();
    for f in &data {
        for i in 0..f.rows() {
            let row: HashMap<String, Cell> = f
                .fields
                .iter()
                .map(|x| (x.name.clone(), x.values.get(i)))
                .collect();
            let key: String = key_names.iter().map(|k| row[*k].key() + "\u{1f}").collect();
            let mergeable = |existing: &HashMap<String, Cell>| {
                row.iter().all(|(k, v)| match existing.get(k) {
                    None | Some(Cell::Null) => true,
                    Some(e) => e == v,
                })
            };
            match rows.iter_mut().find(|(k, e)| *k == key && mergeable(e)) {
                Some((_, e)) => e.extend(row),
                None => rows.push((key, row)),
            }
        }
    }
    let fields = names
        .iter()
        .map(|(n, kind)| {
            let cells = rows
                .iter()
                .map(|(_, r)| r.get(n).cloned().unwrap_or(Cell::Null));
            let first = data
                .iter()
                .flat_map(|f| &f.fields)
                .find(|x| x.name == *n)
                .expect("a named field");
            Field {
                display: n.clone(),
                labels: BTreeMap::new(),
                ..first.with_values(Values::collect(*kind, cells))
            }
        })
        .collect();
    vec![Frame {
        name: String::new(),
        fields,
    }]
}

/// Joins frames on one field (each frame's first time field by default): the key field, then
/// every other field of each frame. Outer keeps every key, sorted; inner the keys all frames
/// have. Frames without the field are left out, as in Grafana; a key's first row in a frame
/// is the one joined.
fn join(frames: Vec<Frame>, by: Option<&str>, inner: bool) -> Vec<Frame> {
    let key_of = |f: &Frame| -> Option<usize> {
        match by {
            Some(name) => f.fields.iter().position(|x| x.is(name)),
            None => f.fields.iter().position(|x| x.values.kind() == Kind::Time),
        }
    };
    let joined: Vec<(&Frame, usize)> = frames
        .iter()
        .filter_map(|f| Some((f, key_of(f)?)))
        .collect();
    if joined.is_empty() {
        return frames;
    }
    if joined.len() == 1 && frames.len() == 1 {
        return frames;
    }
    let mut keys: Vec<Cell> = Vec::new();
    let mut index: Vec<HashMap<String, usize>> = Vec::new();
    for (f, k) in &joined {
        let mut at = HashMap::new();
        for i in 0..f.rows() {
            let c = f.fields[*k].values.get(i);
            at.entry(c.key()).or_insert(i);
            if !keys.contains(&c) {
                keys.push(c);
            }
        }
        index.push(at);
    }
    if inner {
        keys.retain(|c| index.iter().all(|at| at.contains_key(&c.key())));
    }
    keys.sort_by(Cell::compare);
    let (first, first_key) = joined[0];
    let mut fields = vec![first.fields[first_key].with_values(Values::collect(
        first.fields[first_key].values.kind(),
        keys.iter().cloned(),
    ))];
    for ((f, k), at) in joined.iter().zip(&index) {
        let rows: Vec<Option<usize>> = keys.iter().map(|c| at.get(&c.key()).copied()).collect();
        for (j, x) in f.fields.iter().enumerate() {
            if j != *k {
                fields.push(x.with_values(x.values.pick(&rows)));
            }
        }
    }
    vec![Frame {
        name: String::new(),
        fields,
    }]
}

fn number_fields(f: &Frame) -> impl Iterator<Item = &Field> {
    f.fields.iter().filter(|x| x.values.kind() == Kind::Number)
}

/// Grafana's default reduce: one row per number field of every frame (`Field`, then a column per
/// calculation, titled as Grafana titles it). `labels_to_fields` splits the labels into columns.
fn reduce_rows(frames: &[Frame], reducers: &[Reducer], labels_to_fields: bool) -> Frame {
    let fields: Vec<&Field> = frames.iter().flat_map(number_fields).collect();
    let mut out = Vec::new();
    if labels_to_fields {
        let mut labels: Vec<&String> = fields.iter().flat_map(|x| x.labels.keys()).collect();
        labels.sort();
        labels.dedup();
        out.push(Field::new(
            "Field",
            Values::Text(fields.iter().map(|x| Some(x.name.clone())).collect()),
        ));
        out.extend(labels.iter().map(|l| {
            Field::new(
                l.as_str(),
                Values::Text(fields.iter().map(|x| x.labels.get(*l).cloned()).collect()),
            )
        }));
    } else {
        out.push(Field::new(
            "Field",
            Values::Text(fields.iter().map(|x| Some(x.display.clone())).collect()),
        ));
    }
    out.extend(reducers.iter().map(|r| {
        Field::new(
            r.title(),
            Values::Number(
                fields
                    .iter()
                    .map(|x| r.apply(&x.values.numbers()))
                    .collect(),
            ),
        )
    }));
    Frame {
        name: String::new(),
        fields: out,
    }
}

/// `mode: reduceFields`: the frame keeps its number fields (and its time, if asked), each one
/// value; several calculations give a field each, named with the calculation.
fn reduce_fields(f: Frame, reducers: &[Reducer], include_time: bool) -> Frame {
    let mut out = Vec::new();
    for x in &f.fields {
        match x.values.kind() {
            Kind::Time if include_time => {
                out.push(x.with_values(x.values.pick(&[f.rows().checked_sub(1)])));
            }
            Kind::Number => {
                for r in reducers {
                    let mut y = x.with_values(Values::Number(vec![r.apply(&x.values.numbers())]));
                    if reducers.len() > 1 {
                        y.display = format!("{} {}", x.display, r.title());
                        y.name = format!("{} {}", x.name, r.title());
                    }
                    out.push(y);
                }
            }
            _ => {}
        }
    }
    Frame {
        name: f.name,
        fields: out,
    }
}

/// Each labelled field's labels become text columns (before it, each once per frame); the
/// value field loses its labels and is named `Value`, or by its `value_label` label's value.
fn labels_to_columns(f: Frame, keep: Option<&[String]>, value_label: Option<&str>) -> Frame {
    let rows = f.rows();
    let mut out: Vec<Field> = Vec::new();
    for x in f.fields {
        if x.labels.is_empty() {
            out.push(x);
            continue;
        }
        for (k, v) in &x.labels {
            let kept = keep.is_none_or(|keep| keep.contains(k));
            if !kept || Some(k.as_str()) == value_label || out.iter().any(|o| o.name == *k) {
                continue;
            }
            out.push(Field::new(
                k.as_str(),
                Values::Text(vec![Some(v.clone()); rows]),
            ));
        }
        let name = value_label
            .and_then(|l| x.labels.get(l).cloned())
            .unwrap_or_else(|| x.name.clone());
        out.push(Field {
            display: name.clone(),
            name,
            labels: BTreeMap::new(),
            ..x
        });
    }
    Frame {
        name: f.name,
        fields: out,
    }
}

/// `mode: rows`: a frame of its fields' labels, one `label`, `value` row per label.
fn labels_to_rows(f: Frame) -> Frame {
    let pairs: Vec<(String, String)> = f
        .fields
        .iter()
        .flat_map(|x| x.labels.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    Frame {
        name: f.name,
        fields: vec![
            Field::new(
                "label",
                Values::Text(pairs.iter().map(|p| Some(p.0.clone())).collect()),
            ),
            Field::new(
                "value",
                Values::Text(pairs.iter().map(|p| Some(p.1.clone())).collect()),
            ),
        ],
    }
}

fn calculate(mut f: Frame, calc: &Calc, alias: Option<&str>, replace: bool) -> Frame {
    let rows = f.rows();
    let (title, values): (String, Vec<Option<f64>>) = match calc {
        Calc::Binary { left, op, right } => {
            let side = |o: &Operand| -> (String, Vec<f64>) {
                match o {
                    Operand::Number(n) => (n.to_string(), vec![*n; rows]),
                    Operand::Field(name) => (
                        name.clone(),
                        f.field(name)
                            .map_or(vec![f64::NAN; rows], |x| x.values.numbers()),
                    ),
                }
            };
            let ((l, a), (r, b)) = (side(left), side(right));
            let values = a
                .iter()
                .zip(&b)
                .map(|(a, b)| Some(op.apply(*a, *b)).filter(|v| !v.is_nan()))
                .collect();
            (format!("{l} {} {r}", op.symbol()), values)
        }
        Calc::ReduceRow { reducer, include } => {
            let cols: Vec<Vec<f64>> = number_fields(&f)
                .filter(|x| include.is_empty() || include.iter().any(|n| x.is(n)))
                .map(|x| x.values.numbers())
                .collect();
            let values = (0..rows)
                .map(|i| reducer.apply(&cols.iter().map(|c| c[i]).collect::<Vec<f64>>()))
                .collect();
            (reducer.title().to_string(), values)
        }
        Calc::Index => (
            "Row".to_string(),
            (0..rows).map(|i| Some(i as f64)).collect(),
        ),
    };
    let name = alias.map(str::to_string).unwrap_or(title);
    if replace {
        f.fields.retain(|x| x.values.kind() == Kind::Time);
    }
    f.fields.push(Field::new(name, Values::Number(values)));
    f
}

/// Rows grouped by the group fields' values (in first-seen order), each aggregated field
/// reduced per group into `name (calculation)`. A frame without every group field passes as is.
fn group_by(f: Frame, group: &[String], aggregate: &[(String, Vec<Reducer>)]) -> Frame {
    let Some(keys): Option<Vec<&Field>> = group.iter().map(|g| f.field(g)).collect() else {
        return f;
    };
    if keys.is_empty() {
        return f;
    }
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for i in 0..f.rows() {
        let key: String = keys
            .iter()
            .map(|k| k.values.get(i).key() + "\u{1f}")
            .collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let firsts: Vec<usize> = groups.iter().map(|(_, r)| r[0]).collect();
    let mut out: Vec<Field> = keys
        .iter()
        .map(|k| {
            k.with_values(
                k.values
                    .pick(&firsts.iter().copied().map(Some).collect::<Vec<_>>()),
            )
        })
        .collect();
    for (name, reducers) in aggregate {
        let Some(x) = f.field(name) else { continue };
        let all = x.values.numbers();
        for r in reducers {
            let values = groups
                .iter()
                .map(|(_, rows)| r.apply(&rows.iter().map(|i| all[*i]).collect::<Vec<f64>>()))
                .collect();
            out.push(Field::new(
                format!("{} ({})", x.display, r.id()),
                Values::Number(values),
            ));
        }
    }
    Frame {
        name: f.name,
        fields: out,
    }
}

fn sort_by(f: Frame, field: &str, desc: bool) -> Frame {
    let Some(x) = f.field(field) else { return f };
    let mut order: Vec<usize> = (0..f.rows()).collect();
    order.sort_by(|a, b| {
        let o = x.values.get(*a).compare(&x.values.get(*b));
        if desc {
            o.reverse()
        } else {
            o
        }
    });
    f.pick(&order)
}

fn filter_by_value(
    f: Frame,
    filters: &[ValueFilter],
    regexes: &HashMap<String, Regex>,
    include: bool,
    all: bool,
) -> Frame {
    let tests: Vec<(&Field, &ValueFilter)> = filters
        .iter()
        .filter_map(|t| Some((f.field(&t.field)?, t)))
        .collect();
    if tests.is_empty() {
        return f;
    }
    let keep: Vec<usize> = (0..f.rows())
        .filter(|i| {
            let hit = |(x, t): &(&Field, &ValueFilter)| {
                let regex = match &t.test {
                    ValueTest::Regex(p) => regexes.get(p),
                    _ => None,
                };
                t.test.matches(&x.values.get(*i), regex)
            };
            let matched = if all {
                tests.iter().all(hit)
            } else {
                tests.iter().any(hit)
            };
            matched == include
        })
        .collect();
    f.pick(&keep)
}

/// Every frame's number fields as rows of one frame: `Time`, `Metric` (the field's name as
/// shown), `Value`, newest first as in Grafana.
fn series_to_rows(frames: Vec<Frame>) -> Vec<Frame> {
    let mut rows: Vec<(i64, String, Option<f64>)> = Vec::new();
    for f in &frames {
        let Some(Values::Time(times)) = f.time_field().map(|t| &t.values) else {
            continue;
        };
        for x in number_fields(f) {
            for (i, t) in times.iter().enumerate() {
                if let Some(t) = t {
                    rows.push((*t, x.display.clone(), x.values.get(i).number()));
                }
            }
        }
    }
    if rows.is_empty() {
        return frames;
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    vec![Frame {
        name: String::new(),
        fields: vec![
            Field::new(
                "Time",
                Values::Time(rows.iter().map(|r| Some(r.0)).collect()),
            ),
            Field::new(
                "Metric",
                Values::Text(rows.iter().map(|r| Some(r.1.clone())).collect()),
            ),
            Field::new("Value", Values::Number(rows.iter().map(|r| r.2).collect())),
        ],
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::frame::{series, series_frames, table_frames};
    use serde_json::json;

    fn names(f: &Frame) -> Vec<&str> {
        f.fields.iter().map(|x| x.display.as_str()).collect()
    }

    fn text(f: &Frame, name: &str) -> Vec<String> {
        let x = f
            .field(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", names(f)));
        (0..f.rows()).map(|i| x.values.get(i).key()).collect()
    }

    fn nums(f: &Frame, name: &str) -> Vec<Option<f64>> {
        let x = f
            .field(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", names(f)));
        (0..f.rows()).map(|i| x.values.get(i).number()).collect()
    }

    fn run_json(ts: Value, frames: Vec<Frame>) -> Vec<Frame> {
        let ts = parse_all(Some(&ts));
        assert_eq!(warning(&ts), None);
        let (out, notes) = apply(&ts, frames);
        assert!(notes.is_empty(), "{notes:?}");
        out
    }

    /// kube-prometheus "Node Exporter / Nodes", disk space usage: two table queries merged,
    /// grouped by mount point, two calculated columns, renamed and sorted (options verbatim).
    #[test]
    fn the_node_exporter_disk_table_chain_as_kube_prometheus_writes_it() {
        let s = [
            series(
                "",
                "A",
                &[("mountpoint", "/"), ("device", "vda")],
                &[(1000, 100.0), (2000, 100.0)],
            ),
            series(
                "",
                "A",
                &[("mountpoint", "/boot"), ("device", "vda1")],
                &[(2000, 10.0)],
            ),
            series(
                "",
                "B",
                &[("mountpoint", "/"), ("device", "vda")],
                &[(2000, 40.0)],
            ),
            series(
                "",
                "B",
                &[("mountpoint", "/boot"), ("device", "vda1")],
                &[(2000, 9.0)],
            ),
        ];
        let ts = json!([
            {"id": "groupBy", "options": {"fields": {"Value #A": {"aggregations": ["lastNotNull"], "operation": "aggregate"}, "Value #B": {"aggregations": ["lastNotNull"], "operation": "aggregate"}, "mountpoint": {"aggregations": [], "operation": "groupby"}}}},
            {"id": "merge"},
            {"id": "calculateField", "options": {"alias": "Used", "binary": {"left": "Value #A (lastNotNull)", "operator": "-", "reducer": "sum", "right": "Value #B (lastNotNull)"}, "mode": "binary", "reduce": {"reducer": "sum"}}},
            {"id": "calculateField", "options": {"alias": "Used, %", "binary": {"left": "Used", "operator": "/", "reducer": "sum", "right": "Value #A (lastNotNull)"}, "mode": "binary", "reduce": {"reducer": "sum"}}},
            {"id": "organize", "options": {"excludeByName": {}, "indexByName": {}, "renameByName": {"Value #A (lastNotNull)": "Size", "Value #B (lastNotNull)": "Available", "mountpoint": "Mounted on"}}},
            {"id": "sortBy", "options": {"fields": {}, "sort": [{"field": "Mounted on"}]}}
        ]);
        let out = run_json(ts, table_frames(&s, Reducer::LastNotNull, 2));
        assert_eq!(out.len(), 1);
        let t = &out[0];
        assert_eq!(
            names(t),
            ["Mounted on", "Size", "Available", "Used", "Used, %"]
        );
        assert_eq!(text(t, "Mounted on"), ["/", "/boot"]);
        assert_eq!(nums(t, "Used"), [Some(60.0), Some(1.0)]);
        assert_eq!(nums(t, "Used, %"), [Some(0.6), Some(0.1)]);
    }

    /// kube-prometheus "Grafana Overview" build info: labels to columns, merged, organized.
    #[test]
    fn labels_to_fields_then_merge_makes_one_row_per_series() {
        let s = [
            series(
                "a",
                "A",
                &[("instance", "g1"), ("version", "11")],
                &[(1000, 1.0)],
            ),
            series(
                "b",
                "A",
                &[("instance", "g2"), ("version", "12")],
                &[(1000, 1.0)],
            ),
        ];
        let ts = json!([
            {"id": "labelsToFields", "options": {}},
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": true, "Value": true}, "indexByName": {"version": 0, "instance": 1}}}
        ]);
        let out = run_json(ts, series_frames(&s));
        assert_eq!(names(&out[0]), ["version", "instance"]);
        assert_eq!(text(&out[0], "instance"), ["g1", "g2"]);
    }

    #[test]
    fn join_by_field_outer_keeps_every_key_and_inner_only_shared_ones_with_numbered_twins() {
        let a = Frame {
            name: "A".into(),
            fields: vec![
                Field::new(
                    "workload",
                    Values::Text(vec![Some("api".into()), Some("db".into())]),
                ),
                Field::new("Value #A", Values::Number(vec![Some(1.0), Some(2.0)])),
                Field::new("Time", Values::Time(vec![Some(5), Some(5)])),
            ],
        };
        let b = Frame {
            name: "B".into(),
            fields: vec![
                Field::new(
                    "workload",
                    Values::Text(vec![Some("api".into()), Some("web".into())]),
                ),
                Field::new("Value #B", Values::Number(vec![Some(10.0), Some(30.0)])),
                Field::new("Time", Values::Time(vec![Some(5), Some(5)])),
            ],
        };
        let outer = run_json(
            json!([{"id": "joinByField", "options": {"byField": "workload", "mode": "outer"}}]),
            vec![a.clone(), b.clone()],
        );
        assert_eq!(
            names(&outer[0]),
            ["workload", "Value #A", "Time 1", "Value #B", "Time 2"]
        );
        assert_eq!(text(&outer[0], "workload"), ["api", "db", "web"]);
        assert_eq!(nums(&outer[0], "Value #B"), [Some(10.0), None, Some(30.0)]);
        let inner = run_json(
            json!([{"id": "joinByField", "options": {"byField": "workload", "mode": "inner"}}]),
            vec![a, b],
        );
        assert_eq!(text(&inner[0], "workload"), ["api"]);
    }

    #[test]
    fn join_on_time_lines_up_two_series() {
        let s = [
            series("up", "A", &[], &[(1000, 1.0), (2000, 2.0)]),
            series("down", "B", &[], &[(2000, 5.0), (3000, 6.0)]),
        ];
        let out = run_json(
            json!([{"id": "joinByField", "options": {}}]),
            series_frames(&s),
        );
        assert_eq!(names(&out[0]), ["Time", "up", "down"]);
        assert_eq!(nums(&out[0], "down"), [None, Some(5.0), Some(6.0)]);
    }

    #[test]
    fn reduce_series_to_rows_titles_columns_as_grafana_does() {
        let s = [
            series("api", "A", &[("job", "api")], &[(1000, 1.0), (2000, 3.0)]),
            series("db", "A", &[("job", "db")], &[(1000, 5.0), (2000, 7.0)]),
        ];
        let out = run_json(
            json!([{"id": "reduce", "options": {"reducers": ["max", "mean", "lastNotNull"]}}]),
            series_frames(&s),
        );
        assert_eq!(names(&out[0]), ["Field", "Max", "Mean", "Last *"]);
        assert_eq!(text(&out[0], "Field"), ["api", "db"]);
        assert_eq!(nums(&out[0], "Mean"), [Some(2.0), Some(6.0)]);
        let labelled = run_json(
            json!([{"id": "reduce", "options": {"reducers": ["max"], "labelsToFields": true}}]),
            series_frames(&s),
        );
        assert_eq!(names(&labelled[0]), ["Field", "job", "Max"]);
        let fields = run_json(
            json!([{"id": "reduce", "options": {"reducers": ["sum"], "mode": "reduceFields"}}]),
            series_frames(&s),
        );
        assert_eq!((fields.len(), names(&fields[0])), (2, vec!["api"]));
        assert_eq!(nums(&fields[1], "db"), [Some(12.0)]);
    }

    #[test]
    fn labels_to_fields_can_name_the_value_by_a_label_or_list_labels_as_rows() {
        let s = [series(
            "x",
            "A",
            &[("job", "api"), ("le", "0.5")],
            &[(1000, 1.0)],
        )];
        let out = run_json(
            json!([{"id": "labelsToFields", "options": {"valueLabel": "le", "keepLabels": ["job", "le"]}}]),
            series_frames(&s),
        );
        assert_eq!(names(&out[0]), ["Time", "job", "0.5"]);
        let rows = run_json(
            json!([{"id": "labelsToFields", "options": {"mode": "rows"}}]),
            series_frames(&s),
        );
        assert_eq!(text(&rows[0], "label"), ["job", "le"]);
        assert_eq!(text(&rows[0], "value"), ["api", "0.5"]);
    }

    #[test]
    fn calculate_field_reduces_rows_adds_an_index_and_takes_grafana_11_operands() {
        let f = Frame {
            name: String::new(),
            fields: vec![
                Field::new("Time", Values::Time(vec![Some(1), Some(2)])),
                Field::new("a", Values::Number(vec![Some(1.0), Some(2.0)])),
                Field::new("b", Values::Number(vec![Some(10.0), None])),
            ],
        };
        let out = run_json(
            json!([{"id": "calculateField", "options": {"mode": "reduceRow", "reduce": {"reducer": "sum"}}}]),
            vec![f.clone()],
        );
        assert_eq!(nums(&out[0], "Total"), [Some(11.0), Some(2.0)]);
        let out = run_json(
            json!([{"id": "calculateField", "options": {"mode": "binary", "binary": {"left": {"matcher": {"id": "byName", "options": "a"}}, "operator": "*", "right": {"fixed": "100"}}, "replaceFields": true}}]),
            vec![f.clone()],
        );
        assert_eq!(names(&out[0]), ["Time", "a * 100"]);
        assert_eq!(nums(&out[0], "a * 100"), [Some(100.0), Some(200.0)]);
        let out = run_json(
            json!([{"id": "calculateField", "options": {"mode": "index", "alias": "n"}}]),
            vec![f],
        );
        assert_eq!(nums(&out[0], "n"), [Some(0.0), Some(1.0)]);
    }

    #[test]
    fn filters_sort_rename_limit_and_series_to_rows() {
        let s = [
            series("api", "A", &[], &[(1000, 1.0), (2000, 9.0)]),
            series("db", "B", &[], &[(1000, 5.0)]),
        ];
        let rows = run_json(
            json!([{"id": "seriesToRows", "options": {}}]),
            series_frames(&s),
        );
        assert_eq!(names(&rows[0]), ["Time", "Metric", "Value"]);
        assert_eq!(text(&rows[0], "Metric")[0], "api", "newest first");
        let kept = run_json(
            json!([
                {"id": "seriesToRows"},
                {"id": "filterByValue", "options": {"filters": [{"fieldName": "Value", "config": {"id": "greater", "options": {"value": 2}}}], "type": "include", "match": "any"}},
                {"id": "sortBy", "options": {"sort": [{"field": "Value", "desc": true}]}},
                {"id": "limit", "options": {"limitField": 1}},
                {"id": "renameByRegex", "options": {"regex": "(Met)ric", "renamePattern": "$1a"}},
                {"id": "filterFieldsByName", "options": {"include": {"pattern": "Meta|Value"}}}
            ]),
            series_frames(&s),
        );
        assert_eq!(names(&kept[0]), ["Meta", "Value"]);
        assert_eq!(nums(&kept[0], "Value"), [Some(9.0)]);
        let excluded = run_json(
            json!([{"id": "seriesToRows"}, {"id": "filterByValue", "options": {"filters": [{"fieldName": "Metric", "config": {"id": "regex", "options": {"value": "^d"}}}], "type": "exclude"}}]),
            series_frames(&s),
        );
        assert_eq!(text(&excluded[0], "Metric"), ["api", "api"]);
    }

    #[test]
    fn unknown_transformations_and_options_are_named_and_the_rest_still_apply() {
        let ts = parse_all(Some(&json!([
            {"id": "prepareTimeSeries", "options": {"format": "multi"}},
            {"id": "merge", "disabled": true},
            {"id": "reduce", "options": {"reducers": ["p95"]}},
            {"id": "calculateField", "options": {"mode": "cumulativeFunctions"}},
            {"id": "limit", "options": {"limitField": 1}}
        ])));
        assert_eq!(
            ts.len(),
            4,
            "a disabled one is skipped, as Grafana skips it"
        );
        let w = warning(&ts).unwrap();
        assert!(
            w.contains("prepareTimeSeries (Octoscope does not run it)"),
            "{w}"
        );
        assert!(
            w.contains("reduce (the calculation \"p95\" is not computed)"),
            "{w}"
        );
        assert!(
            w.contains("calculateField (the mode \"cumulativeFunctions\" is not run"),
            "{w}"
        );
        let s = [series("api", "A", &[], &[(1000, 1.0), (2000, 2.0)])];
        let (out, notes) = apply(&ts, series_frames(&s));
        assert!(notes.is_empty());
        assert_eq!(out[0].rows(), 1, "limit still applied");
        let bad = parse_all(Some(
            &json!([{"id": "renameByRegex", "options": {"regex": "(", "renamePattern": "x"}}]),
        ));
        let (out, notes) = apply(&bad, series_frames(&s));
        assert_eq!(out[0].rows(), 2);
        assert!(
            notes[0].starts_with("renameByRegex: the pattern \"(\" does not compile"),
            "{notes:?}"
        );
    }

    #[test]
    fn every_supported_id_parses_to_itself() {
        for id in SUPPORTED {
            let t = parse(
                &json!({"id": id, "options": {"sort": [{"field": "x"}], "regex": "a", "renamePattern": "b"}}),
            );
            assert_eq!(t.id(), id);
            assert!(!matches!(t, Transform::Unsupported { .. }), "{id}: {t:?}");
        }
    }
}
