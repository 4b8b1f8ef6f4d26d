//! What to complete at the cursor of a PromQL editor: a metric (or function) name, a label name
//! inside `{…}` or a `by (…)` clause, or a label value inside quotes. Pure: the server function
//! asks Prometheus for the candidates; the editor applies the choice.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompletionContext {
    /// A metric or function name starting with `prefix`.
    Metric { prefix: String },
    /// A label name of `metric` (any metric when None) starting with `prefix`; `selector`
    /// inside `{…}` (a matcher follows), else in a `by (…)` list.
    LabelName {
        metric: Option<String>,
        prefix: String,
        selector: bool,
    },
    /// A value of `label` (of `metric`) starting with `prefix`, inside quotes.
    LabelValue {
        metric: Option<String>,
        label: String,
        prefix: String,
    },
}

impl CompletionContext {
    pub fn prefix(&self) -> &str {
        match self {
            CompletionContext::Metric { prefix }
            | CompletionContext::LabelName { prefix, .. }
            | CompletionContext::LabelValue { prefix, .. } => prefix,
        }
    }
}

/// PromQL functions and aggregations offered beside metric names.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "avg",
    "avg_over_time",
    "bottomk",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count",
    "count_over_time",
    "count_values",
    "day_of_month",
    "day_of_week",
    "delta",
    "deriv",
    "exp",
    "floor",
    "group",
    "histogram_quantile",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log2",
    "log10",
    "max",
    "max_over_time",
    "min",
    "min_over_time",
    "minute",
    "month",
    "predict_linear",
    "present_over_time",
    "quantile",
    "quantile_over_time",
    "rate",
    "resets",
    "round",
    "scalar",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev",
    "stddev_over_time",
    "stdvar",
    "sum",
    "sum_over_time",
    "time",
    "timestamp",
    "topk",
    "vector",
    "year",
];

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The identifier ending at the end of `s`.
fn trailing_ident(s: &str) -> &str {
    let start = s
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_ident(*c))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    &s[start..]
}

/// The context at the end of `before` (the text left of the cursor); None where nothing
/// sensible completes (inside a number, a duration, after a closing quote).
pub fn context_at(before: &str) -> Option<CompletionContext> {
    // One pass: where the innermost open `{` and `(` are, and whether we are inside a string.
    let mut brace: Option<usize> = None;
    let mut parens: Vec<usize> = Vec::new();
    let mut quote: Option<(char, usize)> = None;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        if let Some((q, _)) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some((c, i)),
            '{' => brace = Some(i),
            '}' => brace = None,
            '(' => parens.push(i),
            ')' => {
                parens.pop();
            }
            '[' | ']' => {}
            _ => {}
        }
    }
    if let Some(b) = brace {
        let metric = Some(trailing_ident(&before[..b]))
            .filter(|m| !m.is_empty())
            .map(String::from);
        let inside = &before[b + 1..];
        if let Some((_, q)) = quote {
            // `label op "prefix`: the label is the identifier before the operator.
            let head = before[b + 1..q].trim_end();
            let head = head
                .strip_suffix("=~")
                .or_else(|| head.strip_suffix("!~"))
                .or_else(|| head.strip_suffix("!="))
                .or_else(|| head.strip_suffix('='))?
                .trim_end();
            let label = trailing_ident(head);
            if label.is_empty() {
                return None;
            }
            return Some(CompletionContext::LabelValue {
                metric,
                label: label.to_string(),
                prefix: before[q + 1..].to_string(),
            });
        }
        let segment = inside.rsplit(',').next().unwrap_or("").trim_start();
        if segment.chars().all(is_ident) {
            return Some(CompletionContext::LabelName {
                metric,
                prefix: segment.to_string(),
                selector: true,
            });
        }
        return None;
    }
    if quote.is_some() {
        return None;
    }
    // `by (`, `without (`, `on (`, `ignoring (`, `group_left (`: label names.
    if let Some(&p) = parens.last() {
        let head = before[..p].trim_end();
        let word = trailing_ident(head);
        if matches!(
            word,
            "by" | "without" | "on" | "ignoring" | "group_left" | "group_right"
        ) {
            let segment = before[p + 1..]
                .rsplit(',')
                .next()
                .unwrap_or("")
                .trim_start();
            if segment.chars().all(is_ident) {
                return Some(CompletionContext::LabelName {
                    metric: None,
                    prefix: segment.to_string(),
                    selector: false,
                });
            }
            return None;
        }
    }
    let word = trailing_ident(before);
    // Inside a range `[5m` or a number there is nothing to complete.
    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if before[..before.len() - word.len()].ends_with('[') {
        return None;
    }
    Some(CompletionContext::Metric {
        prefix: word.to_string(),
    })
}

/// Candidates that start with the prefix first, then those containing it, at most `limit`.
pub fn rank(
    candidates: impl IntoIterator<Item = String>,
    prefix: &str,
    limit: usize,
) -> Vec<String> {
    let lower = prefix.to_lowercase();
    let mut starts = Vec::new();
    let mut contains = Vec::new();
    for c in candidates {
        let l = c.to_lowercase();
        if l == lower {
            continue;
        }
        if l.starts_with(&lower) {
            starts.push(c);
        } else if !lower.is_empty() && l.contains(&lower) {
            contains.push(c);
        }
    }
    starts.sort();
    starts.dedup();
    contains.sort();
    contains.dedup();
    starts.into_iter().chain(contains).take(limit).collect()
}

/// The text left of the cursor after choosing `item` in `ctx`: the prefix is replaced, a
/// label name gets its `=""` ready for the value, a value gets its closing quote.
/// The context to apply an item of `listed` in, for the text as it is now: the list may answer
/// an earlier keystroke (the user typed on while it was read), so its prefix can be stale. None
/// when the cursor is no longer in a token of the list's kind.
pub fn current_context(before: &str, listed: &CompletionContext) -> Option<CompletionContext> {
    context_at(before).filter(|now| std::mem::discriminant(now) == std::mem::discriminant(listed))
}

pub fn apply(before: &str, ctx: &CompletionContext, item: &str) -> String {
    let head = &before[..before.len() - ctx.prefix().len()];
    match ctx {
        CompletionContext::Metric { .. } => format!("{head}{item}"),
        CompletionContext::LabelName { selector: true, .. } => format!("{head}{item}=\""),
        CompletionContext::LabelName {
            selector: false, ..
        } => format!("{head}{item}"),
        CompletionContext::LabelValue { .. } => {
            let escaped = item.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{head}{escaped}\"")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(p: &str) -> Option<CompletionContext> {
        Some(CompletionContext::Metric { prefix: p.into() })
    }

    #[test]
    fn an_item_from_a_list_read_for_an_earlier_keystroke_replaces_the_token_as_typed_now() {
        let listed = context_at("http_requests_total{ser").unwrap();
        let now = "http_requests_total{serv";
        let ctx = current_context(now, &listed).unwrap();
        assert_eq!(
            apply(now, &ctx, "service"),
            r#"http_requests_total{service=""#
        );
        // The cursor left the token's kind: nothing to apply.
        assert_eq!(
            current_context(r#"http_requests_total{service=""#, &listed),
            None
        );
    }

    #[test]
    fn contexts() {
        assert_eq!(context_at("http_req"), metric("http_req"));
        assert_eq!(context_at("sum(rate(http_req"), metric("http_req"));
        assert_eq!(
            context_at("http_requests_total{"),
            Some(CompletionContext::LabelName {
                metric: Some("http_requests_total".into()),
                prefix: "".into(),
                selector: true
            })
        );
        assert_eq!(
            context_at(r#"http_requests_total{job="a", ser"#),
            Some(CompletionContext::LabelName {
                metric: Some("http_requests_total".into()),
                prefix: "ser".into(),
                selector: true
            })
        );
        assert_eq!(
            context_at(r#"rate(http_requests_total{service=~"orch"#),
            Some(CompletionContext::LabelValue {
                metric: Some("http_requests_total".into()),
                label: "service".into(),
                prefix: "orch".into()
            })
        );
        assert_eq!(
            context_at(r#"{job != ""#),
            Some(CompletionContext::LabelValue {
                metric: None,
                label: "job".into(),
                prefix: "".into()
            })
        );
        assert_eq!(
            context_at("sum by (serv"),
            Some(CompletionContext::LabelName {
                metric: None,
                prefix: "serv".into(),
                selector: false
            })
        );
        assert_eq!(context_at("rate(x[5m"), None, "a duration");
        assert_eq!(context_at("x > 0.5"), None, "a number");
        assert_eq!(
            context_at(r#"x{a="b"} + y{c="d\"e"#).map(|c| c.prefix().to_string()),
            Some("d\\\"e".into())
        );
        assert_eq!(context_at(r#"x{a="b"}"#), None);
        assert_eq!(context_at(""), None);
        // LogQL: a stream selector without a metric, then a line filter.
        let logql = r#"{serv"#;
        let ctx = context_at(logql).unwrap();
        assert_eq!(
            ctx,
            CompletionContext::LabelName {
                metric: None,
                prefix: "serv".into(),
                selector: true
            }
        );
        assert_eq!(apply(logql, &ctx, "service"), r#"{service=""#);
        assert_eq!(context_at(r#"{service="executor"} |= "err"#), None);
    }

    #[test]
    fn ranking_and_applying() {
        let names = [
            "up",
            "http_requests_total",
            "process_http_x",
            "http_request_duration_seconds_bucket",
        ]
        .map(String::from);
        assert_eq!(
            rank(names.clone(), "http", 10),
            vec![
                "http_request_duration_seconds_bucket",
                "http_requests_total",
                "process_http_x"
            ]
        );
        assert_eq!(rank(names, "http", 1).len(), 1);
        let ctx = context_at(r#"rate(http_requests_total{serv"#).unwrap();
        assert_eq!(
            apply(r#"rate(http_requests_total{serv"#, &ctx, "service"),
            r#"rate(http_requests_total{service=""#
        );
        let ctx = context_at(r#"x{service="orch"#).unwrap();
        assert_eq!(
            apply(r#"x{service="orch"#, &ctx, "orchestrator"),
            r#"x{service="orchestrator""#
        );
        let ctx = context_at("sum(rate(http_r").unwrap();
        assert_eq!(
            apply("sum(rate(http_r", &ctx, "http_requests_total"),
            "sum(rate(http_requests_total"
        );
    }
}
