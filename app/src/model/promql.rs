//! A PromQL parser for reading expressions Prometheus has already accepted (rule expressions),
//! enough to reason about their selectors and how their binary operations match series. It is
//! not a validator: anything it cannot read is an `Err`, and callers then say nothing.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Eq,
    Ne,
    Re,
    Nre,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::Nre => "!~",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatcher {
    pub label: String,
    pub op: MatchOp,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub metric: Option<String>,
    pub matchers: Vec<LabelMatcher>,
}

/// `by (…)` / `without (…)` of an aggregation, `on (…)` / `ignoring (…)` of a binary operation.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelList {
    /// `by` or `on` when true; `without` or `ignoring` when false.
    pub include: bool,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    pub labels: Option<LabelList>,
    /// `group_left` / `group_right` present.
    pub many: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Str(String),
    Selector(Selector),
    /// `expr[5m]`, `expr[5m:1m]`, `expr offset 5m`: the same series, for this reasoning.
    Range(Box<Expr>),
    Call {
        func: String,
        args: Vec<Expr>,
    },
    Aggregate {
        op: String,
        grouping: Option<LabelList>,
        args: Vec<Expr>,
    },
    Binary {
        op: String,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        matching: Matching,
    },
    Neg(Box<Expr>),
}

pub const AGGREGATIONS: [&str; 14] = [
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "stddev",
    "stdvar",
    "group",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "limitk",
    "limit_ratio",
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A number or a duration (`0.95`, `5m`, `1h30m`).
    Num(String),
    Str(String),
    Punct(&'static str),
}

const PUNCTS: [&str; 21] = [
    "==", "!=", ">=", "<=", "=~", "!~", "(", ")", "{", "}", "[", "]", ",", "+", "-", "*", "/", "%",
    "^", ">", "<",
];

fn lex(src: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if matches!(c, '"' | '\'' | '`') {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && c != '`' && i + 1 < chars.len() {
                    i += 1;
                    s.push(match chars[i] {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    s.push(chars[i]);
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err("unterminated string".into());
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num(chars[start..i].iter().collect()));
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | ':'))
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let p = PUNCTS
                .iter()
                .find(|p| rest.starts_with(**p))
                .or_else(|| (c == '=').then_some(&"="))
                .or_else(|| (c == '@').then_some(&"@"))
                .or_else(|| (c == ':').then_some(&":"))
                .ok_or_else(|| format!("unexpected {c:?}"))?;
            i += p.chars().count();
            out.push(Tok::Punct(p));
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

/// Binary operators by precedence, lowest first.
const LEVELS: [&[&str]; 5] = [
    &["or"],
    &["and", "unless"],
    &["==", "!=", ">", "<", ">=", "<="],
    &["+", "-"],
    &["*", "/", "%", "atan2"],
];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_ident(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(format!("expected {p}"))
        }
    }

    fn op_at(&self, level: usize) -> Option<String> {
        match self.peek()? {
            Tok::Punct(p) if LEVELS[level].contains(p) => Some(p.to_string()),
            Tok::Ident(w) if LEVELS[level].contains(&w.to_ascii_lowercase().as_str()) => {
                Some(w.to_ascii_lowercase())
            }
            _ => None,
        }
    }

    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        if level == LEVELS.len() {
            return self.power();
        }
        let mut lhs = self.binary(level + 1)?;
        while let Some(op) = self.op_at(level) {
            self.pos += 1;
            let matching = self.matching()?;
            let rhs = self.binary(level + 1)?;
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
                matching,
            };
        }
        Ok(lhs)
    }

    fn power(&mut self) -> Result<Expr, String> {
        let base = self.unary()?;
        if self.eat_punct("^") {
            let matching = self.matching()?;
            let exp = self.power()?;
            return Ok(Expr::Binary {
                op: "^".into(),
                lhs: Box::new(base),
                rhs: Box::new(exp),
                matching,
            });
        }
        Ok(base)
    }

    fn matching(&mut self) -> Result<Matching, String> {
        self.eat_ident("bool");
        let mut m = Matching {
            labels: None,
            many: false,
        };
        for (word, include) in [("on", true), ("ignoring", false)] {
            if self.eat_ident(word) {
                m.labels = Some(LabelList {
                    include,
                    labels: self.label_list()?,
                });
            }
        }
        for word in ["group_left", "group_right"] {
            if self.eat_ident(word) {
                m.many = true;
                if matches!(self.peek(), Some(Tok::Punct("("))) {
                    self.label_list()?;
                }
            }
        }
        Ok(m)
    }

    fn label_list(&mut self) -> Result<Vec<String>, String> {
        self.expect("(")?;
        let mut out = Vec::new();
        while !self.eat_punct(")") {
            match self.next() {
                Some(Tok::Ident(l)) | Some(Tok::Str(l)) => out.push(l),
                _ => return Err("expected a label name".into()),
            }
            self.eat_punct(",");
        }
        Ok(out)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat_punct("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_punct("+") {
            return self.unary();
        }
        let mut e = self.primary()?;
        // Postfix: range or subquery, offset, @.
        loop {
            if self.eat_punct("[") {
                while !self.eat_punct("]") {
                    if self.next().is_none() {
                        return Err("unclosed [".into());
                    }
                }
                e = Expr::Range(Box::new(e));
            } else if self.eat_ident("offset") {
                self.eat_punct("-");
                self.next();
            } else if self.eat_punct("@") {
                self.eat_punct("-");
                match self.next() {
                    Some(Tok::Ident(_)) => {
                        self.expect("(")?;
                        self.expect(")")?;
                    }
                    Some(_) => {}
                    None => return Err("@ needs a time".into()),
                }
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<Vec<Expr>, String> {
        self.expect("(")?;
        let mut args = Vec::new();
        while !self.eat_punct(")") {
            args.push(self.binary(0)?);
            if !self.eat_punct(",") {
                self.expect(")")?;
                break;
            }
        }
        Ok(args)
    }

    fn grouping(&mut self) -> Result<Option<LabelList>, String> {
        for (word, include) in [("by", true), ("without", false)] {
            if self.eat_ident(word) {
                return Ok(Some(LabelList {
                    include,
                    labels: self.label_list()?,
                }));
            }
        }
        Ok(None)
    }

    fn matchers(&mut self) -> Result<Vec<LabelMatcher>, String> {
        let mut out = Vec::new();
        while !self.eat_punct("}") {
            let label = match self.next() {
                Some(Tok::Ident(l)) | Some(Tok::Str(l)) => l,
                _ => return Err("expected a label matcher".into()),
            };
            let op = match self.next() {
                Some(Tok::Punct("=")) => MatchOp::Eq,
                Some(Tok::Punct("!=")) => MatchOp::Ne,
                Some(Tok::Punct("=~")) => MatchOp::Re,
                Some(Tok::Punct("!~")) => MatchOp::Nre,
                _ => return Err("expected =, !=, =~ or !~".into()),
            };
            let Some(Tok::Str(value)) = self.next() else {
                return Err("expected a quoted value".into());
            };
            out.push(LabelMatcher { label, op, value });
            self.eat_punct(",");
        }
        Ok(out)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Num(n)) => n
                .parse::<f64>()
                .map(Expr::Number)
                .map_err(|_| format!("{n} is not a number")),
            Some(Tok::Str(s)) => Ok(Expr::Str(s)),
            Some(Tok::Punct("(")) => {
                let e = self.binary(0)?;
                self.expect(")")?;
                Ok(e)
            }
            Some(Tok::Punct("{")) => Ok(Expr::Selector(Selector {
                metric: None,
                matchers: self.matchers()?,
            })),
            Some(Tok::Ident(word)) => {
                let lower = word.to_ascii_lowercase();
                if AGGREGATIONS.contains(&lower.as_str()) {
                    let mut grouping = self.grouping()?;
                    let args = self.args()?;
                    if grouping.is_none() {
                        grouping = self.grouping()?;
                    }
                    return Ok(Expr::Aggregate {
                        op: lower,
                        grouping,
                        args,
                    });
                }
                if matches!(self.peek(), Some(Tok::Punct("("))) {
                    return Ok(Expr::Call {
                        func: word,
                        args: self.args()?,
                    });
                }
                if lower == "inf" || lower == "nan" {
                    return Ok(Expr::Number(if lower == "inf" {
                        f64::INFINITY
                    } else {
                        f64::NAN
                    }));
                }
                let matchers = if self.eat_punct("{") {
                    self.matchers()?
                } else {
                    Vec::new()
                };
                Ok(Expr::Selector(Selector {
                    metric: Some(word),
                    matchers,
                }))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Parses a PromQL expression.
pub fn parse(src: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
    };
    let e = p.binary(0)?;
    if p.pos < p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.pos]));
    }
    Ok(e)
}

impl Expr {
    /// Every selector in the expression, left to right.
    pub fn selectors(&self) -> Vec<&Selector> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Selector(s) = e {
                out.push(s);
            }
        });
        out
    }

    /// Visits this expression and every one inside it, outermost first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Range(e) | Expr::Neg(e) => e.walk(f),
            Expr::Call { args, .. } | Expr::Aggregate { args, .. } => {
                args.iter().for_each(|a| a.walk(f))
            }
            Expr::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            Expr::Number(_) | Expr::Str(_) | Expr::Selector(_) => {}
        }
    }

    /// Whether the expression is a scalar (a number, `scalar()`, `time()`).
    pub fn is_scalar(&self) -> bool {
        match self {
            Expr::Number(_) => true,
            Expr::Neg(e) => e.is_scalar(),
            Expr::Call { func, .. } => matches!(func.as_str(), "scalar" | "time" | "pi"),
            Expr::Binary { lhs, rhs, .. } => lhs.is_scalar() && rhs.is_scalar(),
            _ => false,
        }
    }

    /// The label names of the series this expression returns, given the label names of each
    /// metric's series (`None` when it cannot be told: an unknown metric or function).
    pub fn output_labels(
        &self,
        labels_of: &impl Fn(&Selector) -> Option<BTreeSet<String>>,
    ) -> Option<BTreeSet<String>> {
        match self {
            Expr::Selector(s) => labels_of(s),
            Expr::Range(e) | Expr::Neg(e) => e.output_labels(labels_of),
            Expr::Number(_) | Expr::Str(_) => None,
            Expr::Call { func, args } => {
                let vector = args
                    .iter()
                    .find(|a| !a.is_scalar() && !matches!(a, Expr::Str(_)))?;
                let mut inner = vector.output_labels(labels_of)?;
                match func.as_str() {
                    "histogram_quantile" => {
                        inner.remove("le");
                    }
                    "label_replace" | "label_join" => {
                        if let Some(Expr::Str(dst)) = args.get(1) {
                            inner.insert(dst.clone());
                        }
                    }
                    "absent" | "absent_over_time" | "vector" | "scalar" | "time" => return None,
                    _ => {}
                }
                Some(inner)
            }
            Expr::Aggregate { op, grouping, args } => {
                let inner = args.last()?.output_labels(labels_of);
                if matches!(op.as_str(), "topk" | "bottomk" | "limitk" | "limit_ratio") {
                    return inner;
                }
                match grouping {
                    Some(LabelList {
                        include: true,
                        labels,
                    }) => Some(labels.iter().cloned().collect()),
                    Some(LabelList {
                        include: false,
                        labels,
                    }) => inner.map(|mut i| {
                        labels.iter().for_each(|l| {
                            i.remove(l);
                        });
                        i
                    }),
                    None => Some(BTreeSet::new()),
                }
            }
            Expr::Binary { op, lhs, rhs, .. } => {
                if op == "or" {
                    return None;
                }
                if lhs.is_scalar() {
                    rhs.output_labels(labels_of)
                } else {
                    lhs.output_labels(labels_of)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_guides_rule_expressions() {
        let e = parse(r#"rate(http_requests_total{status="error"}[5m]) / rate(http_requests_total[5m]) > 0.05"#).unwrap();
        let Expr::Binary { op, lhs, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(op, ">");
        assert!(matches!(lhs.as_ref(), Expr::Binary { op, .. } if op == "/"));
        let names: Vec<_> = e
            .selectors()
            .iter()
            .map(|s| (s.metric.clone().unwrap(), s.matchers.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("http_requests_total".to_string(), 1),
                ("http_requests_total".to_string(), 0)
            ]
        );
        for src in [
            r#"up{job=~"orchestrator|reflex-layer"} == 0"#,
            "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 5",
            r#"(node_filesystem_avail_bytes{mountpoint="/"} / node_filesystem_size_bytes{mountpoint="/"}) < 0.1"#,
            "(\n  1 - (\n    sum(rate(http_requests_total{status!=\"error\"}[1h]))\n    /\n    sum(rate(http_requests_total[1h]))\n  )\n) > 0.001  # 99.9% SLO allows 0.1% error budget\n",
            r#"sum by (job) (rate(x[5m] offset 1h)) / on(job) group_left(le) sum without (instance) (y) ^ 2"#,
            r#"max_over_time(rate(a[5m])[1h:1m]) and absent(b{c!~"d"}) unless -c @ end()"#,
        ] {
            parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        }
        assert!(parse("sum(rate(x[5m])").is_err());
        assert!(parse(r#"x{a="b}"#).is_err());
    }

    #[test]
    fn output_labels_follow_aggregations_and_functions() {
        let labels = |s: &Selector| -> Option<BTreeSet<String>> {
            match s.metric.as_deref()? {
                "h_bucket" => Some(["le", "job", "path"].map(String::from).into()),
                "x" => Some(["job", "instance"].map(String::from).into()),
                _ => None,
            }
        };
        let out = |src: &str| parse(src).unwrap().output_labels(&labels);
        assert_eq!(
            out("histogram_quantile(0.9, rate(h_bucket[5m]))"),
            Some(["job", "path"].map(String::from).into())
        );
        assert_eq!(
            out("sum by (le) (rate(h_bucket[5m]))"),
            Some(["le".to_string()].into())
        );
        assert_eq!(out("sum(x)"), Some(BTreeSet::new()));
        assert_eq!(
            out("sum without (instance) (x) * 2"),
            Some(["job".to_string()].into())
        );
        assert_eq!(out("unknown_metric"), None);
        assert_eq!(out("x or unknown_metric"), None);
    }
}
