//! The TraceQL subset the Tempo stand-in answers: one spanset `{ cond && cond … }` where a
//! condition compares `resource.service.name`, `name`, `status`, `duration`, `kind` or a span
//! attribute (`span.http.status_code`, `.task.id`) with `=`, `!=`, `>`, `>=`, `<`, `<=`, `=~`.
//! A trace matches when one of its spans meets every condition.

use crate::store::{Span, TagValue, Trace};
use regex::Regex;

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Num(f64),
    Re(Regex),
}

#[derive(Debug, Clone)]
struct Cond {
    field: String,
    op: String,
    value: Value,
}

#[derive(Debug, Clone, Default)]
pub struct SpanSet {
    conds: Vec<Cond>,
}

fn duration_secs(s: &str) -> Option<f64> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let n: f64 = s[..split].parse().ok()?;
    let mult = match &s[split..] {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    Some(n * mult)
}

pub fn parse(q: &str) -> Result<SpanSet, String> {
    let q = q.trim();
    let inner = q
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or_else(|| format!("parse error: expected a spanset in braces, got {q:?}"))?
        .trim();
    let mut set = SpanSet::default();
    if inner.is_empty() {
        return Ok(set);
    }
    for part in inner.split("&&") {
        let part = part.trim();
        let op = ["!=", ">=", "<=", "=~", "=", ">", "<"]
            .into_iter()
            .find(|op| part.contains(op))
            .ok_or_else(|| format!("parse error: no comparison in {part:?}"))?;
        let (field, raw) = part.split_once(op).expect("op is in part");
        let raw = raw.trim();
        let value = if let Some(s) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            if op == "=~" {
                Value::Re(
                    Regex::new(&format!("^(?:{s})$"))
                        .map_err(|e| format!("parse error: invalid regex: {e}"))?,
                )
            } else {
                Value::Str(s.to_string())
            }
        } else if let Ok(n) = raw.parse::<f64>() {
            Value::Num(n)
        } else if let Some(d) = duration_secs(raw) {
            Value::Num(d)
        } else {
            // Bare keywords: status = error, kind = server.
            Value::Str(raw.to_string())
        };
        set.conds.push(Cond {
            field: field.trim().to_string(),
            op: op.to_string(),
            value,
        });
    }
    Ok(set)
}

fn span_field(span: &Span, field: &str) -> Option<Value> {
    match field {
        "resource.service.name" | ".service.name" => Some(Value::Str(span.service.to_string())),
        "name" => Some(Value::Str(span.operation.clone())),
        "status" => Some(Value::Str(
            if span.error { "error" } else { "unset" }.into(),
        )),
        "duration" => Some(Value::Num(span.duration_us as f64 / 1e6)),
        "kind" => Some(Value::Str(format!("{:?}", span.kind).to_lowercase())),
        other => {
            let key = other
                .strip_prefix("span.")
                .or_else(|| other.strip_prefix('.'))
                .unwrap_or(other);
            span.tags
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| match v {
                    TagValue::Str(s) => Value::Str(s.clone()),
                    TagValue::Int(i) => Value::Num(*i as f64),
                    TagValue::Float(f) => Value::Num(*f),
                    TagValue::Bool(b) => Value::Str(b.to_string()),
                })
        }
    }
}

impl Cond {
    fn matches(&self, span: &Span) -> bool {
        let Some(actual) = span_field(span, &self.field) else {
            return false;
        };
        match (&actual, &self.value, self.op.as_str()) {
            (Value::Str(a), Value::Re(r), "=~") => r.is_match(a),
            (Value::Str(a), Value::Str(b), "=") => a == b,
            (Value::Str(a), Value::Str(b), "!=") => a != b,
            (Value::Num(a), Value::Num(b), op) => match op {
                "=" => a == b,
                "!=" => a != b,
                ">" => a > b,
                ">=" => a >= b,
                "<" => a < b,
                "<=" => a <= b,
                _ => false,
            },
            _ => false,
        }
    }
}

impl SpanSet {
    pub fn matches(&self, trace: &Trace) -> bool {
        trace
            .spans
            .iter()
            .any(|s| self.conds.iter().all(|c| c.matches(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SpanKind;

    fn trace() -> Trace {
        let span = |svc: &'static str, err: bool, dur: i64| Span {
            span_id: "01".into(),
            parent_id: None,
            service: svc,
            operation: "POST /api/v1/plan".into(),
            kind: SpanKind::Server,
            start_us: 0,
            duration_us: dur,
            error: err,
            tags: vec![(
                "http.status_code".into(),
                TagValue::Int(if err { 500 } else { 200 }),
            )],
            events: vec![],
        };
        Trace {
            trace_id: "ab".into(),
            spans: vec![
                span("orchestrator", false, 2_000_000),
                span("planner", true, 1_500_000),
            ],
        }
    }

    #[test]
    fn spanset_conditions_hold_on_one_span() {
        let t = trace();
        assert!(parse("{}").unwrap().matches(&t));
        assert!(
            parse(r#"{ resource.service.name = "planner" && status = error }"#)
                .unwrap()
                .matches(&t)
        );
        assert!(
            !parse(r#"{ resource.service.name = "orchestrator" && status = error }"#)
                .unwrap()
                .matches(&t)
        );
        assert!(parse(r#"{ duration > 1.8s }"#).unwrap().matches(&t));
        assert!(parse(r#"{ span.http.status_code >= 500 }"#)
            .unwrap()
            .matches(&t));
        assert!(parse(r#"{ name =~ "POST .*" }"#).unwrap().matches(&t));
        assert!(!parse(r#"{ duration > 3s }"#).unwrap().matches(&t));
        assert!(parse("resource.service.name = x").is_err());
    }
}
