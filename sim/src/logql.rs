//! The LogQL subset the stand-in answers: stream selectors (`=`, `!=`, `=~`, `!~`), line filters
//! (`|=`, `!=`, `|~`, `!~`), `| json`, `| logfmt` and field filters after them
//! (`| level="error"`, `| status_code >= 500`), and the metric forms `count_over_time`/`rate` over
//! a range, optionally inside `sum`, `sum by (…) (…)` or `sum(…) by (…)`. Errors read like Loki's.

use regex::Regex;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub enum MatchOp {
    Eq(String),
    Ne(String),
    Re(Regex),
    NotRe(Regex),
}

impl MatchOp {
    fn matches(&self, v: &str) -> bool {
        match self {
            MatchOp::Eq(s) => v == s,
            MatchOp::Ne(s) => v != s,
            MatchOp::Re(r) => r.is_match(v),
            MatchOp::NotRe(r) => !r.is_match(v),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Stage {
    Contains(String),
    NotContains(String),
    Matches(Regex),
    NotMatches(Regex),
    Json,
    Logfmt,
    Field { name: String, op: FieldOp },
}

#[derive(Debug, Clone)]
pub enum FieldOp {
    Str(MatchOp),
    Num(&'static str, f64),
}

#[derive(Debug, Clone)]
pub struct LogQuery {
    pub selector: Vec<(String, MatchOp)>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeFn {
    CountOverTime,
    Rate,
}

#[derive(Debug, Clone)]
pub enum Query {
    Logs(LogQuery),
    Metric {
        func: RangeFn,
        range_s: f64,
        inner: LogQuery,
        sum_by: Option<Vec<String>>,
    },
}

pub type ParseError = String;

fn anchored(re: &str) -> Result<Regex, ParseError> {
    // Loki (like Prometheus) anchors label matcher regexes.
    Regex::new(&format!("^(?:{re})$"))
        .map_err(|e| format!("parse error : invalid regex {re:?}: {e}"))
}

struct Cursor<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        while self.s[self.pos..].starts_with(char::is_whitespace) {
            self.pos += self.s[self.pos..]
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(1);
        }
    }
    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.ws();
        let rest = &self.s[self.pos..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        self.pos += end;
        Some(rest[..end].to_string())
    }
    fn string(&mut self) -> Result<String, ParseError> {
        self.ws();
        let rest = &self.s[self.pos..];
        let quote = rest
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '`')
            .ok_or_else(|| self.err("expected a quoted string"))?;
        let mut out = String::new();
        let mut chars = rest[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += 1 + i + 1;
                return Ok(out);
            }
            if c == '\\' && quote == '"' {
                if let Some((_, n)) = chars.next() {
                    out.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                continue;
            }
            out.push(c);
        }
        Err(self.err("unterminated string"))
    }
    fn number(&mut self) -> Option<f64> {
        self.ws();
        let rest = &self.s[self.pos..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..end].parse().ok()?;
        self.pos += end;
        // Durations in field filters (`duration > 1s`) become seconds; milliseconds stay numbers.
        for (unit, mult) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)] {
            if self.s[self.pos..].starts_with(unit) {
                self.pos += unit.len();
                return Some(n * mult);
            }
        }
        Some(n)
    }
    fn err(&self, what: &str) -> ParseError {
        format!(
            "parse error at line 1, col {}: syntax error: {what}",
            self.pos + 1
        )
    }
    fn done(&mut self) -> bool {
        self.ws();
        self.pos >= self.s.len()
    }
}

fn parse_selector(c: &mut Cursor) -> Result<Vec<(String, MatchOp)>, ParseError> {
    if !c.eat("{") {
        return Err(c.err("unexpected input, expecting {"));
    }
    let mut out = Vec::new();
    loop {
        if c.eat("}") {
            break;
        }
        let name = c.ident().ok_or_else(|| c.err("expected a label name"))?;
        let op = if c.eat("=~") {
            MatchOp::Re(anchored(&c.string()?)?)
        } else if c.eat("!~") {
            MatchOp::NotRe(anchored(&c.string()?)?)
        } else if c.eat("!=") {
            MatchOp::Ne(c.string()?)
        } else if c.eat("=") {
            MatchOp::Eq(c.string()?)
        } else {
            return Err(c.err("expected =, !=, =~ or !~"));
        };
        out.push((name, op));
        c.eat(",");
    }
    if out.is_empty() || out.iter().all(|(_, op)| op.matches("")) {
        return Err("parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will".into());
    }
    Ok(out)
}

fn parse_log_query(c: &mut Cursor) -> Result<LogQuery, ParseError> {
    let selector = parse_selector(c)?;
    let mut stages = Vec::new();
    loop {
        if c.eat("|=") {
            stages.push(Stage::Contains(c.string()?));
        } else if c.eat("!=") {
            stages.push(Stage::NotContains(c.string()?));
        } else if c.eat("|~") {
            let re = c.string()?;
            stages.push(Stage::Matches(
                Regex::new(&re).map_err(|e| format!("parse error : invalid regex {re:?}: {e}"))?,
            ));
        } else if c.eat("!~") {
            let re = c.string()?;
            stages.push(Stage::NotMatches(
                Regex::new(&re).map_err(|e| format!("parse error : invalid regex {re:?}: {e}"))?,
            ));
        } else if c.eat("|") {
            let name = c.ident().ok_or_else(|| c.err("expected a stage after |"))?;
            if name == "json" {
                stages.push(Stage::Json);
                continue;
            }
            if name == "logfmt" {
                stages.push(Stage::Logfmt);
                continue;
            }
            let op = if c.eat("=~") {
                FieldOp::Str(MatchOp::Re(anchored(&c.string()?)?))
            } else if c.eat("!~") {
                FieldOp::Str(MatchOp::NotRe(anchored(&c.string()?)?))
            } else if c.eat(">=") {
                FieldOp::Num(">=", c.number().ok_or_else(|| c.err("expected a number"))?)
            } else if c.eat("<=") {
                FieldOp::Num("<=", c.number().ok_or_else(|| c.err("expected a number"))?)
            } else if c.eat(">") {
                FieldOp::Num(">", c.number().ok_or_else(|| c.err("expected a number"))?)
            } else if c.eat("<") {
                FieldOp::Num("<", c.number().ok_or_else(|| c.err("expected a number"))?)
            } else if c.eat("!=") {
                match c.number() {
                    Some(n) => FieldOp::Num("!=", n),
                    None => FieldOp::Str(MatchOp::Ne(c.string()?)),
                }
            } else if c.eat("==") || c.eat("=") {
                match c.number() {
                    Some(n) => FieldOp::Num("==", n),
                    None => FieldOp::Str(MatchOp::Eq(c.string()?)),
                }
            } else {
                return Err(c.err(&format!(
                    "unsupported stage | {name}; this stand-in supports | json, | logfmt and field filters"
                )));
            };
            stages.push(Stage::Field { name, op });
        } else {
            break;
        }
    }
    Ok(LogQuery { selector, stages })
}

/// `(a, b)` after `by`.
fn parse_label_list(c: &mut Cursor) -> Result<Vec<String>, ParseError> {
    if !c.eat("(") {
        return Err(c.err("expected ( after by"));
    }
    let mut labels = Vec::new();
    while let Some(l) = c.ident() {
        labels.push(l);
        c.eat(",");
    }
    if !c.eat(")") {
        return Err(c.err("expected )"));
    }
    Ok(labels)
}

fn parse_range(c: &mut Cursor) -> Result<f64, ParseError> {
    if !c.eat("[") {
        return Err(c.err("expected a range such as [5m]"));
    }
    let n = c.number().ok_or_else(|| c.err("expected a duration"))?;
    if !c.eat("]") {
        return Err(c.err("expected ]"));
    }
    Ok(n)
}

pub fn parse(query: &str) -> Result<Query, ParseError> {
    let mut c = Cursor {
        s: query.trim(),
        pos: 0,
    };
    let mut sum_by = None;
    let mut wrapped = false;
    if c.eat("sum") {
        let mut by = Vec::new();
        if c.eat("by") {
            by = parse_label_list(&mut c)?;
        }
        if !c.eat("(") {
            return Err(c.err("expected ("));
        }
        sum_by = Some(by);
        wrapped = true;
    }
    let func = if c.eat("count_over_time") {
        Some(RangeFn::CountOverTime)
    } else if c.eat("rate") {
        Some(RangeFn::Rate)
    } else {
        None
    };
    let q = match func {
        Some(func) => {
            if !c.eat("(") {
                return Err(c.err("expected ("));
            }
            let inner = parse_log_query(&mut c)?;
            let range_s = parse_range(&mut c)?;
            if !c.eat(")") {
                return Err(c.err("expected )"));
            }
            Query::Metric {
                func,
                range_s,
                inner,
                sum_by: sum_by.clone(),
            }
        }
        None if wrapped => return Err(c.err("sum needs count_over_time(...) or rate(...)")),
        None => Query::Logs(parse_log_query(&mut c)?),
    };
    if wrapped && !c.eat(")") {
        return Err(c.err("expected )"));
    }
    // `sum(…) by (labels)`: the grouping may follow the call too.
    let q = match q {
        Query::Metric {
            func,
            range_s,
            inner,
            sum_by: Some(by),
        } if by.is_empty() && c.eat("by") => Query::Metric {
            func,
            range_s,
            inner,
            sum_by: Some(parse_label_list(&mut c)?),
        },
        other => other,
    };
    if !c.done() {
        return Err(c.err(&format!("unexpected {:?}", &c.s[c.pos..])));
    }
    Ok(q)
}

impl LogQuery {
    /// Returns the stream labels (with `| json` fields added, as Loki does) when the line passes.
    pub fn apply(
        &self,
        labels: &BTreeMap<String, String>,
        line: &str,
    ) -> Option<BTreeMap<String, String>> {
        if !self
            .selector
            .iter()
            .all(|(k, op)| op.matches(labels.get(k).map(String::as_str).unwrap_or("")))
        {
            return None;
        }
        let mut out = labels.clone();
        for stage in &self.stages {
            let pass = match stage {
                Stage::Contains(s) => line.contains(s.as_str()),
                Stage::NotContains(s) => !line.contains(s.as_str()),
                Stage::Matches(r) => r.is_match(line),
                Stage::NotMatches(r) => !r.is_match(line),
                Stage::Json => {
                    if let Ok(serde_json::Value::Object(map)) =
                        serde_json::from_str::<serde_json::Value>(line)
                    {
                        for (k, v) in map {
                            let v = match v {
                                serde_json::Value::String(s) => s,
                                other => other.to_string(),
                            };
                            // Loki suffixes extracted labels that clash with stream labels.
                            let key = if labels.contains_key(&k) {
                                format!("{k}_extracted")
                            } else {
                                k
                            };
                            out.insert(key, v);
                        }
                    }
                    true
                }
                Stage::Logfmt => {
                    // key=value or key="quoted value" pairs; keys clash like json's.
                    let mut rest = line.trim();
                    while !rest.is_empty() {
                        let Some(eq) = rest.find('=') else { break };
                        let key = rest[..eq].trim().to_string();
                        let after = &rest[eq + 1..];
                        let (value, next) = if let Some(q) = after.strip_prefix('"') {
                            let end = q.find('"').unwrap_or(q.len());
                            (q[..end].to_string(), q.get(end + 1..).unwrap_or(""))
                        } else {
                            let end = after.find(' ').unwrap_or(after.len());
                            (after[..end].to_string(), &after[end..])
                        };
                        if !key.is_empty() && !key.contains(' ') {
                            let key = if labels.contains_key(&key) {
                                format!("{key}_extracted")
                            } else {
                                key
                            };
                            out.insert(key, value);
                        }
                        rest = next.trim_start();
                    }
                    true
                }
                Stage::Field { name, op } => {
                    let v = out.get(name).map(String::as_str).unwrap_or("");
                    match op {
                        FieldOp::Str(m) => m.matches(v),
                        FieldOp::Num(cmp, n) => v.parse::<f64>().is_ok_and(|x| match *cmp {
                            ">" => x > *n,
                            ">=" => x >= *n,
                            "<" => x < *n,
                            "<=" => x <= *n,
                            "!=" => x != *n,
                            _ => x == *n,
                        }),
                    }
                }
            };
            if !pass {
                return None;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<String, String> {
        [("service", "planner"), ("level", "error")]
            .into_iter()
            .map(|(a, b)| (a.into(), b.into()))
            .collect()
    }
    const LINE: &str = r#"{"level":"error","service":"planner","message":"planner failed","status_code":500,"duration_ms":812.5}"#;

    fn run(q: &str) -> Option<BTreeMap<String, String>> {
        match parse(q).unwrap() {
            Query::Logs(l) => l.apply(&labels(), LINE),
            Query::Metric { .. } => panic!("not a log query"),
        }
    }

    #[test]
    fn selectors_and_filters() {
        assert!(run(r#"{service="planner"}"#).is_some());
        assert!(run(r#"{service=~"plan.*", level!="info"}"#).is_some());
        assert!(
            run(r#"{service=~"plan"}"#).is_none(),
            "regex matchers are anchored"
        );
        assert!(run(r#"{service="planner"} |= "failed""#).is_some());
        assert!(run(r#"{service="planner"} != "failed""#).is_none());
        assert!(run(r#"{service="planner"} |~ "fail(ed)?""#).is_some());
        let out = run(r#"{service="planner"} | json | status_code >= 500 | message=~".*failed""#)
            .unwrap();
        assert_eq!(out["status_code"], "500");
        assert_eq!(out["level_extracted"], "error");
        assert!(run(r#"{service="planner"} | json | duration_ms > 1000"#).is_none());
        assert!(run(r#"{service="planner"} | json | duration_ms > 500"#).is_some());
    }

    #[test]
    fn metric_queries() {
        let q =
            parse(r#"sum by (level) (count_over_time({service="planner"} |= "x" [5m]))"#).unwrap();
        let Query::Metric {
            func,
            range_s,
            sum_by,
            ..
        } = q
        else {
            panic!()
        };
        assert_eq!(func, RangeFn::CountOverTime);
        assert_eq!(range_s, 300.0);
        assert_eq!(sum_by, Some(vec!["level".to_string()]));
        assert!(matches!(
            parse(r#"rate({service="x"}[1m])"#).unwrap(),
            Query::Metric {
                func: RangeFn::Rate,
                ..
            }
        ));
    }

    #[test]
    fn logfmt_and_trailing_by() {
        let l: BTreeMap<String, String> = [("service".to_string(), "planner".to_string())].into();
        let q = parse(r#"{service="planner"} | logfmt | level="warn""#).unwrap();
        let Query::Logs(q) = q else { panic!() };
        assert!(q
            .apply(&l, r#"level=warn msg="slow plan" ms=900"#)
            .is_some());
        assert!(q.apply(&l, "level=info msg=ok").is_none());
        match parse(r#"sum(rate({service="planner"} |logfmt| __error__="" [1m])) by (level)"#)
            .unwrap()
        {
            Query::Metric { sum_by, .. } => assert_eq!(sum_by, Some(vec!["level".to_string()])),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_read_like_loki() {
        assert!(parse(r#"{service=~".*"}"#)
            .unwrap_err()
            .contains("empty-compatible"));
        assert!(parse(r#"{service="x""#)
            .unwrap_err()
            .starts_with("parse error"));
        assert!(parse(r#"{service="x"} | pattern "<ip>""#)
            .unwrap_err()
            .contains("pattern"));
        assert!(parse(r#"{service=~"("}"#)
            .unwrap_err()
            .contains("invalid regex"));
    }
}
