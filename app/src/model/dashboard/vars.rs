//! Template variables: their JSON, the query forms of the Prometheus datasource
//! (`label_values`, `label_names`, `metrics`, `query_result`), regex/sort of options, choosing the
//! current value (URL, then saved, then first), and interpolation in the `$var`, `${var}`,
//! `[[var]]` and `${var:format}` forms with Prometheus escaping. Pure.

use super::super::duration::format_ms;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The value Grafana stores for "All".
pub const ALL: &str = "$__all";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VarKind {
    Query,
    Custom,
    Interval,
    Constant,
    Textbox,
    Datasource,
    /// adhoc, system, …: kept (and shown) but not interpolated.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarOption {
    pub text: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub label: String,
    pub kind: VarKind,
    /// Query text (query vars), comma list (custom/interval), value (constant/textbox), or the
    /// plugin type (datasource vars).
    pub query: String,
    pub regex: String,
    pub sort: u8,
    pub multi: bool,
    pub include_all: bool,
    pub all_value: Option<String>,
    /// Saved selection (`$__all` for All).
    pub current: Vec<String>,
    /// 0 never, 1 on load, 2 on time range change.
    pub refresh: u8,
    /// 0 shown, 1 label hidden, 2 hidden.
    pub hide: u8,
    pub datasource: Option<String>,
    pub auto: bool,
    pub auto_count: u32,
    pub auto_min: String,
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

impl Variable {
    pub fn from_json(v: &Value) -> Option<Self> {
        let name = v.get("name")?.as_str()?.to_string();
        let kind = match v.get("type").and_then(Value::as_str).unwrap_or("query") {
            "query" => VarKind::Query,
            "custom" => VarKind::Custom,
            "interval" => VarKind::Interval,
            "constant" => VarKind::Constant,
            "textbox" => VarKind::Textbox,
            "datasource" => VarKind::Datasource,
            _ => VarKind::Other,
        };
        // Newer exports wrap the query: {"query": "...", "refId": ...}.
        let query = match v.get("query") {
            Some(Value::Object(o)) => o.get("query").map(str_of).unwrap_or_default(),
            Some(q) => str_of(q),
            None => String::new(),
        };
        let current = match v.get("current").and_then(|c| c.get("value")) {
            Some(Value::Array(a)) => a.iter().map(str_of).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![str_of(other)],
        };
        let num = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0) as u8;
        Some(Self {
            label: v
                .get("label")
                .and_then(Value::as_str)
                .filter(|l| !l.is_empty())
                .unwrap_or(&name)
                .to_string(),
            name,
            kind,
            query,
            regex: v.get("regex").map(str_of).unwrap_or_default(),
            sort: num("sort"),
            multi: v.get("multi").and_then(Value::as_bool).unwrap_or(false),
            include_all: v
                .get("includeAll")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            all_value: v
                .get("allValue")
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|a| !a.is_empty()),
            current: current
                .into_iter()
                .filter(|c| !c.is_empty() || kind == VarKind::Textbox)
                .collect(),
            refresh: num("refresh"),
            hide: num("hide"),
            datasource: super::datasource_ref(v.get("datasource")),
            auto: v.get("auto").and_then(Value::as_bool).unwrap_or(false),
            auto_count: v.get("auto_count").and_then(Value::as_u64).unwrap_or(30) as u32,
            auto_min: v
                .get("auto_min")
                .and_then(Value::as_str)
                .unwrap_or("10s")
                .to_string(),
        })
    }

    /// Options of custom and interval variables (`a,b`, `text : value`, escaped commas).
    pub fn static_options(&self) -> Vec<VarOption> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut chars = self.query.chars().peekable();
        let mut parts = Vec::new();
        while let Some(c) = chars.next() {
            if c == '\\' && chars.peek() == Some(&',') {
                cur.push(',');
                chars.next();
            } else if c == ',' {
                parts.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        parts.push(cur);
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            let (text, value) = match p.split_once(" : ") {
                Some((t, v)) => (t.trim(), v.trim()),
                None => (p, p),
            };
            out.push(VarOption {
                text: text.into(),
                value: value.into(),
            });
        }
        out
    }
}

/// What a query variable asks Prometheus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarQuery {
    /// `label_values(label)` or `label_values(selector, label)`.
    LabelValues {
        selector: Option<String>,
        label: String,
    },
    /// `label_names()` or `label_names(selector)`.
    LabelNames { selector: Option<String> },
    /// `metrics(regex)`.
    Metrics(String),
    /// `query_result(expr)`: one option per result line `name{labels} value timestamp`.
    QueryResult(String),
    /// Anything else is run as a PromQL instant query too (Grafana's "classic query").
    Unknown(String),
}

fn call_args<'a>(q: &'a str, name: &str) -> Option<&'a str> {
    let rest = q.trim().strip_prefix(name)?.trim_start();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some(inner.trim())
}

/// Splits at the last top-level comma (selectors may contain commas inside braces).
fn split_last_comma(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut last = None;
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        match c {
            '"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
            '{' | '(' | '[' if !in_str => depth += 1,
            '}' | ')' | ']' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => last = Some(i),
            _ => {}
        }
    }
    last.map(|i| (s[..i].trim(), s[i + 1..].trim()))
}

pub fn parse_var_query(q: &str) -> VarQuery {
    let q = q.trim();
    if let Some(args) = call_args(q, "label_values") {
        return match split_last_comma(args) {
            Some((sel, label)) => VarQuery::LabelValues {
                selector: Some(sel.to_string()),
                label: label.to_string(),
            },
            None => VarQuery::LabelValues {
                selector: None,
                label: args.to_string(),
            },
        };
    }
    if let Some(args) = call_args(q, "label_names") {
        return VarQuery::LabelNames {
            selector: (!args.is_empty()).then(|| args.to_string()),
        };
    }
    if let Some(args) = call_args(q, "metrics") {
        return VarQuery::Metrics(args.to_string());
    }
    if let Some(args) = call_args(q, "query_result") {
        return VarQuery::QueryResult(args.to_string());
    }
    VarQuery::Unknown(q.to_string())
}

/// A selector for `/api/v1/series`: a bare metric name or a full `{…}`/`name{…}` selector.
pub fn series_selector(sel: &str) -> String {
    sel.trim().to_string()
}

/// Applies the variable's `regex` (`/pattern/flags`, first capture or `text`/`value` groups) and
/// `sort` to raw values, deduplicated.
pub fn shape_options(raw: Vec<String>, regex: &str, sort: u8) -> Result<Vec<VarOption>, String> {
    let re = if regex.trim().is_empty() {
        None
    } else {
        let r = regex.trim();
        let (body, flags) = match r.strip_prefix('/').and_then(|x| x.rsplit_once('/')) {
            Some((b, f)) => (b, f),
            None => (r, ""),
        };
        let pat = if flags.contains('i') {
            format!("(?i){body}")
        } else {
            body.to_string()
        };
        Some(
            regex_lite::Regex::new(&pat)
                .map_err(|e| format!("the variable regex {regex:?} is invalid: {e}"))?,
        )
    };
    let mut out: Vec<VarOption> = Vec::new();
    for v in raw {
        let opt = match &re {
            None => VarOption {
                text: v.clone(),
                value: v,
            },
            Some(re) => {
                let Some(c) = re.captures(&v) else { continue };
                let value = c
                    .name("value")
                    .or_else(|| c.get(1))
                    .or_else(|| c.get(0))
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default();
                let text = c
                    .name("text")
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_else(|| value.clone());
                VarOption { text, value }
            }
        };
        if !out.iter().any(|o| o.value == opt.value) {
            out.push(opt);
        }
    }
    let num = |o: &VarOption| o.text.parse::<f64>().unwrap_or(f64::NAN);
    match sort {
        1 => out.sort_by(|a, b| a.text.cmp(&b.text)),
        2 => out.sort_by(|a, b| b.text.cmp(&a.text)),
        3 | 7 => out.sort_by(|a, b| num(a).total_cmp(&num(b))),
        4 | 8 => out.sort_by(|a, b| num(b).total_cmp(&num(a))),
        5 => out.sort_by_key(|a| a.text.to_lowercase()),
        6 => out.sort_by_key(|b| std::cmp::Reverse(b.text.to_lowercase())),
        _ => {}
    }
    Ok(out)
}

/// One line of a `query_result` answer, as Grafana renders it for regex matching.
pub fn query_result_line(metric: &BTreeMap<String, String>, value: &str, ts_ms: i64) -> String {
    let name = metric.get("__name__").cloned().unwrap_or_default();
    let labels: Vec<String> = metric
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect();
    format!("{name}{{{}}} {value} {ts_ms}", labels.join(","))
}

/// The selection of a variable: URL values win, then the saved current value if it is still an
/// option, then the first option. Returns values (with [`ALL`] for All).
pub fn choose(var: &Variable, options: &[VarOption], url: &[String]) -> Vec<String> {
    let valid = |v: &String| {
        v == ALL && var.include_all
            || options.iter().any(|o| &o.value == v || &o.text == v)
            || matches!(var.kind, VarKind::Textbox | VarKind::Constant)
            || (var.kind == VarKind::Custom && options.is_empty())
    };
    let map_text = |v: &String| {
        options
            .iter()
            .find(|o| &o.text == v && &o.value != v)
            .map(|o| o.value.clone())
            .unwrap_or_else(|| v.clone())
    };
    let pick = |vals: &[String]| -> Vec<String> {
        let mut out: Vec<String> = vals
            .iter()
            .map(|v| {
                if v == "All" && var.include_all {
                    ALL.to_string()
                } else {
                    v.clone()
                }
            })
            .filter(valid)
            .map(|v| map_text(&v))
            .collect();
        if !var.multi {
            out.truncate(1);
        }
        out
    };
    if matches!(var.kind, VarKind::Constant) {
        return vec![var.query.clone()];
    }
    // URL values are taken even when not (yet) an option for textbox/query vars the user typed.
    let from_url: Vec<String> = if var.kind == VarKind::Textbox {
        url.iter().take(1).cloned().collect()
    } else {
        pick(url)
    };
    if !from_url.is_empty() {
        return from_url;
    }
    if var.kind == VarKind::Textbox {
        return vec![var
            .current
            .first()
            .cloned()
            .unwrap_or_else(|| var.query.clone())];
    }
    let saved = pick(&var.current);
    if !saved.is_empty() {
        return saved;
    }
    if var.include_all && var.kind == VarKind::Query && options.is_empty() {
        return vec![ALL.to_string()];
    }
    options
        .first()
        .map(|o| vec![o.value.clone()])
        .unwrap_or_default()
}

/// A variable's value as interpolation sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScopeValue {
    pub values: Vec<String>,
    /// Whether the selection is All (then `values` holds every option, or the custom all value).
    pub all: bool,
    pub custom_all: Option<String>,
    /// Multi-value or include-all variables are regex-escaped for Prometheus.
    pub regex_escape: bool,
}

impl ScopeValue {
    pub fn single(v: impl Into<String>) -> Self {
        Self {
            values: vec![v.into()],
            ..Default::default()
        }
    }
}

pub type Scope = BTreeMap<String, ScopeValue>;

/// Escapes regex metacharacters as Grafana's Prometheus datasource does for multi-values.
pub fn regex_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if "\\^$*+?.()|{}[]".contains(c) {
            out.push('\\');
            // Inside a PromQL double-quoted string a backslash must itself be escaped.
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn format_value(sv: &ScopeValue, format: Option<&str>) -> String {
    if sv.all {
        if let Some(custom) = &sv.custom_all {
            return custom.clone();
        }
    }
    let vals = &sv.values;
    match format {
        Some("raw") | Some("text") => vals.join(","),
        Some("csv") => vals.join(","),
        Some("pipe") => vals.join("|"),
        Some("json") => serde_json::to_string(vals).unwrap_or_default(),
        Some("doublequote") => vals
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(","),
        Some("singlequote") => vals
            .iter()
            .map(|v| format!("'{v}'"))
            .collect::<Vec<_>>()
            .join(","),
        Some("glob") => {
            if vals.len() == 1 {
                vals[0].clone()
            } else {
                format!("{{{}}}", vals.join(","))
            }
        }
        Some("percentencode") => crate::model::url_state::encode_component(&vals.join(",")),
        Some("regex") => regex_join(vals),
        _ if sv.regex_escape => regex_join(vals),
        _ => vals.join(","),
    }
}

fn regex_join(vals: &[String]) -> String {
    match vals.len() {
        0 => String::new(),
        1 => regex_escape(&vals[0]),
        _ => format!(
            "({})",
            vals.iter()
                .map(|v| regex_escape(v))
                .collect::<Vec<_>>()
                .join("|")
        ),
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Replaces variables in `text`. Unknown names are left as written, so PromQL's own `$` (there is
/// none) or a typo stays visible in the query and Prometheus' error names it.
pub fn interpolate(text: &str, scope: &Scope) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let b = text.as_bytes();
    while i < text.len() {
        let rest = &text[i..];
        let (name, format, consumed) = if let Some(r) = rest.strip_prefix("${") {
            match r.find('}') {
                Some(end) => {
                    let inner = &r[..end];
                    let (n, f) = match inner.split_once(':') {
                        Some((n, f)) => (n, Some(f)),
                        None => (inner, None),
                    };
                    (n, f, end + 3)
                }
                None => ("", None, 0),
            }
        } else if let Some(r) = rest.strip_prefix("[[") {
            match r.find("]]") {
                Some(end) => {
                    let inner = &r[..end];
                    let (n, f) = match inner.split_once(':') {
                        Some((n, f)) => (n, Some(f)),
                        None => (inner, None),
                    };
                    (n, f, end + 4)
                }
                None => ("", None, 0),
            }
        } else if let Some(r) = rest.strip_prefix('$') {
            let len = r.find(|c: char| !is_word(c)).unwrap_or(r.len());
            (&r[..len], None, len + 1)
        } else {
            ("", None, 0)
        };
        // `$__interval_ms` must not be read as `$__interval` + `_ms`: names are matched whole.
        if consumed > 0 && !name.is_empty() {
            if let Some(sv) = scope.get(name) {
                out.push_str(&format_value(sv, format));
                i += consumed;
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
        let _ = b;
    }
    out
}

/// A Grafana interval (`10s`, `1m`, or a minimum: `>30s`) in milliseconds.
pub fn interval_ms(text: &str) -> Option<i64> {
    super::super::duration::parse_ms(text.trim().trim_start_matches('>'))
}

/// The built-in variables of one panel query.
pub fn builtins(scope: &mut Scope, from_ms: i64, to_ms: i64, interval_ms: i64, scrape_ms: i64) {
    let range_ms = (to_ms - from_ms).max(0);
    let rate = (interval_ms + scrape_ms).max(4 * scrape_ms);
    for (k, v) in [
        ("__interval", format_ms(interval_ms.max(1))),
        // Grafana's Loki datasource: the step-sized range of metric queries.
        ("__auto", format_ms(interval_ms.max(1))),
        ("__interval_ms", interval_ms.to_string()),
        ("__range", format!("{}s", range_ms / 1000)),
        ("__range_s", (range_ms / 1000).to_string()),
        ("__range_ms", range_ms.to_string()),
        ("__rate_interval", format_ms(rate.max(1))),
        ("__from", from_ms.to_string()),
        ("__to", to_ms.to_string()),
    ] {
        scope.insert(k.to_string(), ScopeValue::single(v));
    }
}

/// The `auto` option of an interval variable: range ÷ `auto_count`, at least `auto_min`.
pub fn auto_interval(range_ms: i64, count: u32, min: &str) -> String {
    let raw = range_ms / i64::from(count.max(1));
    let min_ms = interval_ms(min).unwrap_or(10_000);
    const NICE: [i64; 14] = [
        1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000,
        10_800_000, 21_600_000, 43_200_000, 86_400_000,
    ];
    let nice = NICE.iter().copied().find(|n| *n >= raw).unwrap_or(raw);
    format_ms(nice.max(min_ms).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let mut s = Scope::new();
        s.insert("namespace".into(), ScopeValue::single("octollm-prod"));
        s.insert(
            "svc".into(),
            ScopeValue {
                values: vec!["planner".into(), "coder.v2".into()],
                regex_escape: true,
                ..Default::default()
            },
        );
        s.insert(
            "all".into(),
            ScopeValue {
                values: vec!["a".into(), "b".into()],
                all: true,
                custom_all: Some(".*".into()),
                regex_escape: true,
            },
        );
        builtins(&mut s, 0, 3_600_000, 30_000, 15_000);
        s
    }

    #[test]
    fn all_syntaxes_interpolate() {
        let s = scope();
        assert_eq!(
            interpolate(r#"up{namespace="$namespace"}"#, &s),
            r#"up{namespace="octollm-prod"}"#
        );
        assert_eq!(
            interpolate(r#"up{namespace="${namespace}"}"#, &s),
            r#"up{namespace="octollm-prod"}"#
        );
        assert_eq!(
            interpolate(r#"up{namespace="[[namespace]]"}"#, &s),
            r#"up{namespace="octollm-prod"}"#
        );
        assert_eq!(
            interpolate(r#"x{s=~"$svc"}"#, &s),
            r#"x{s=~"(planner|coder\\.v2)"}"#
        );
        assert_eq!(
            interpolate(r#"x{s=~"${svc:pipe}"}"#, &s),
            r#"x{s=~"planner|coder.v2"}"#
        );
        assert_eq!(
            interpolate(r#"x{s=~"${namespace:regex}"}"#, &s),
            r#"x{s=~"octollm-prod"}"#
        );
        assert_eq!(interpolate(r#"x{s=~"$all"}"#, &s), r#"x{s=~".*"}"#);
        assert_eq!(interpolate("rate(x[$__rate_interval])", &s), "rate(x[1m])");
        assert_eq!(
            interpolate("rate(x[$__interval]) $__interval_ms", &s),
            "rate(x[30s]) 30000"
        );
        assert_eq!(
            interpolate("increase(x[$__range]) $__range_s", &s),
            "increase(x[3600s]) 3600"
        );
        assert_eq!(interpolate("$unknown stays", &s), "$unknown stays");
        assert_eq!(interpolate("cost $ 5", &s), "cost $ 5");
    }

    #[test]
    fn var_queries_parse() {
        assert_eq!(
            parse_var_query("label_values(up{job=\"a\", x=~\"b,c\"}, instance)"),
            VarQuery::LabelValues {
                selector: Some("up{job=\"a\", x=~\"b,c\"}".into()),
                label: "instance".into()
            }
        );
        assert_eq!(
            parse_var_query("label_values(namespace)"),
            VarQuery::LabelValues {
                selector: None,
                label: "namespace".into()
            }
        );
        assert_eq!(
            parse_var_query("label_names()"),
            VarQuery::LabelNames { selector: None }
        );
        assert_eq!(
            parse_var_query("metrics(octollm_.*)"),
            VarQuery::Metrics("octollm_.*".into())
        );
        assert_eq!(
            parse_var_query("query_result(topk(3, up))"),
            VarQuery::QueryResult("topk(3, up)".into())
        );
        assert_eq!(parse_var_query("up"), VarQuery::Unknown("up".into()));
    }

    #[test]
    fn regex_and_sort_shape_options() {
        let raw = vec![
            "pod-10".into(),
            "pod-2".into(),
            "node-1".into(),
            "pod-2".into(),
        ];
        let o = shape_options(raw.clone(), "/pod-(\\d+)/", 3).unwrap();
        assert_eq!(
            o.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            ["2", "10"]
        );
        let o = shape_options(raw.clone(), "", 2).unwrap();
        assert_eq!(o[0].value, "pod-2");
        let o = shape_options(raw, "/(?<text>pod)-(?<value>\\d+)/", 0).unwrap();
        assert_eq!((o[0].text.as_str(), o[0].value.as_str()), ("pod", "10"));
        assert!(shape_options(vec![], "/(/", 0).is_err());
    }

    #[test]
    fn selection_prefers_url_then_saved_then_first() {
        let v = Variable::from_json(
            &json!({"name":"ns","type":"query","multi":true,"includeAll":true,
            "current":{"text":"b","value":["b"]},"query":{"query":"label_values(ns)","refId":"x"}}),
        )
        .unwrap();
        assert_eq!(v.query, "label_values(ns)");
        let opts: Vec<VarOption> = ["a", "b", "c"]
            .iter()
            .map(|s| VarOption {
                text: s.to_string(),
                value: s.to_string(),
            })
            .collect();
        assert_eq!(choose(&v, &opts, &["a".into(), "c".into()]), ["a", "c"]);
        assert_eq!(
            choose(&v, &opts, &["zzz".into()]),
            ["b"],
            "unknown URL values fall back"
        );
        assert_eq!(choose(&v, &opts, &["All".into()]), [ALL]);
        assert_eq!(choose(&v, &opts, &[]), ["b"]);
        let mut single = v.clone();
        single.multi = false;
        single.current = vec![];
        assert_eq!(choose(&single, &opts, &["a".into(), "c".into()]), ["a"]);
        single.include_all = false;
        assert_eq!(choose(&single, &opts, &[]), ["a"]);
    }

    #[test]
    fn custom_and_interval_options() {
        let v = Variable::from_json(
            &json!({"name":"lat","type":"custom","query":"native : -1,classic : 1, a\\,b"}),
        )
        .unwrap();
        let o = v.static_options();
        assert_eq!(
            o[0],
            VarOption {
                text: "native".into(),
                value: "-1".into()
            }
        );
        assert_eq!(o[2].value, "a,b");
        assert_eq!(auto_interval(86_400_000, 30, "10s"), "1h");
        assert_eq!(auto_interval(300_000, 30, "1m"), "1m");
        assert_eq!(interval_ms("5m"), Some(300_000));
        assert_eq!(interval_ms(">30s"), Some(30_000));
    }
}
