//! Why a rule can never fire, or always does, told from its expression and the series Prometheus
//! holds: a metric name no series has, a regex matcher no value matches, a binary operation whose
//! sides can never pair up, a ratio that divides each series by itself. Pure: the caller reads
//! the series facts ([`SeriesFacts`]) and shows the findings next to the rule.

use super::promql::{parse, Expr, LabelList, MatchOp, Selector};
use std::collections::{BTreeMap, BTreeSet};

/// What Prometheus holds for one metric name over the lookback: its series' labels and values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesFacts {
    pub series: usize,
    /// Label name → the values seen (`__name__` excluded).
    pub labels: BTreeMap<String, BTreeSet<String>>,
}

/// Everything the lint may ask: facts per metric name it looked up, and every metric name.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub metrics: BTreeMap<String, SeriesFacts>,
    pub all_names: BTreeSet<String>,
}

/// Metric names to look up for `exprs` (each selector's name), sorted and unique.
pub fn names_to_read<'a>(exprs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for e in exprs {
        if let Ok(parsed) = parse(e) {
            out.extend(
                parsed
                    .selectors()
                    .into_iter()
                    .filter_map(|s| s.metric.clone()),
            );
        }
    }
    out.into_iter().collect()
}

fn quoted(values: &BTreeSet<String>) -> String {
    const SHOWN: usize = 6;
    let mut list: Vec<&str> = values.iter().take(SHOWN).map(String::as_str).collect();
    if values.len() > SHOWN {
        list.push("…");
    }
    list.join(", ")
}

fn names(labels: &BTreeSet<String>) -> String {
    labels.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// Another name the metric is exported under: `x_total` for a counter named `x`, or `x` for
/// `x_total`.
fn exported_as(name: &str, all: &BTreeSet<String>) -> Option<String> {
    let candidate = match name.strip_suffix("_total") {
        Some(base) => base.to_string(),
        None => format!("{name}_total"),
    };
    all.contains(&candidate).then_some(candidate)
}

fn selector_findings(s: &Selector, facts: &Facts, out: &mut Vec<String>) {
    let Some(name) = &s.metric else { return };
    let Some(f) = facts.metrics.get(name) else {
        return;
    };
    if f.series == 0 {
        let mut msg = format!("no series is named {name}, so this part never matches");
        if let Some(other) = exported_as(name, &facts.all_names) {
            msg.push_str(&format!(" (the metric is exported as {other})"));
        }
        out.push(msg);
        return;
    }
    for m in &s.matchers {
        let values = f.labels.get(&m.label);
        match (m.op, values) {
            // An equality on a label no series has matches nothing (an empty value matches all).
            (MatchOp::Eq, None) if !m.value.is_empty() => out.push(format!(
                "no {name} series has a {} label, so {}=\"{}\" matches nothing",
                m.label, m.label, m.value
            )),
            (MatchOp::Re, Some(values)) => {
                let Ok(re) = regex_lite::Regex::new(&format!("^(?:{})$", m.value)) else {
                    continue;
                };
                if !values.iter().any(|v| re.is_match(v)) {
                    out.push(format!(
                        "{}=~\"{}\" matches none of {name}'s {} values ({})",
                        m.label,
                        m.value,
                        m.label,
                        quoted(values)
                    ));
                }
            }
            _ => {}
        }
    }
}

const ONE_TO_ONE: [&str; 12] = [
    "+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", "and",
];

fn binary_findings(e: &Expr, facts: &Facts, out: &mut Vec<String>) {
    let Expr::Binary {
        op,
        lhs,
        rhs,
        matching,
    } = e
    else {
        return;
    };
    if !(ONE_TO_ONE.contains(&op.as_str()) || op == ">=" || op == "<=") || matching.many {
        return;
    }
    if lhs.is_scalar() || rhs.is_scalar() {
        return;
    }
    let labels_of = |s: &Selector| -> Option<BTreeSet<String>> {
        let f = facts.metrics.get(s.metric.as_deref()?)?;
        (f.series > 0).then(|| f.labels.keys().cloned().collect())
    };
    let (Some(mut left), Some(mut right)) =
        (lhs.output_labels(&labels_of), rhs.output_labels(&labels_of))
    else {
        return;
    };
    match &matching.labels {
        Some(LabelList {
            include: true,
            labels,
        }) => {
            let on: BTreeSet<String> = labels.iter().cloned().collect();
            left.retain(|l| on.contains(l));
            right.retain(|l| on.contains(l));
        }
        Some(LabelList {
            include: false,
            labels,
        }) => {
            for l in labels {
                left.remove(l);
                right.remove(l);
            }
        }
        None => {}
    }
    if left != right {
        let only_left: BTreeSet<String> = left.difference(&right).cloned().collect();
        let only_right: BTreeSet<String> = right.difference(&left).cloned().collect();
        let mut sides = Vec::new();
        if !only_left.is_empty() {
            sides.push(format!("only the left side has {}", names(&only_left)));
        }
        if !only_right.is_empty() {
            sides.push(format!("only the right side has {}", names(&only_right)));
        }
        let differing: BTreeSet<String> = only_left.union(&only_right).cloned().collect();
        out.push(format!(
            "`{op}` pairs series with exactly the same labels, but {}: no pair ever matches, so this never fires. Match on what they share with ignoring({}) or on(…)",
            sides.join(" and "),
            names(&differing)
        ));
        return;
    }
    // The same metric on both sides of `/`, the left narrowed by `label="value"` with the label
    // kept: every left series is divided by itself.
    if op != "/" || matching.labels.is_some() {
        return;
    }
    let (l, r) = (lhs.selectors(), rhs.selectors());
    let ([ls], [rs]) = (l.as_slice(), r.as_slice()) else {
        return;
    };
    if ls.metric.is_none() || ls.metric != rs.metric {
        return;
    }
    for m in &ls.matchers {
        let narrowed_left_only = m.op == MatchOp::Eq
            && !rs.matchers.iter().any(|o| o.label == m.label)
            && left.contains(&m.label);
        if narrowed_left_only {
            out.push(format!(
                "both sides keep the {label} label, so each {label}=\"{value}\" series is divided by itself: the ratio is 1 whenever there is any, and this fires on the first one. Aggregate it away on both sides, e.g. sum without ({label}) (…) / sum without ({label}) (…)",
                label = m.label,
                value = m.value
            ));
        }
    }
}

/// Why `expr` can never fire or always does, in words; empty when nothing is wrong (or the
/// expression is beyond this parser).
pub fn lint(expr: &str, facts: &Facts) -> Vec<String> {
    let Ok(parsed) = parse(expr) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    parsed.walk(&mut |e| match e {
        Expr::Selector(s) => selector_findings(s, facts, &mut out),
        Expr::Binary { .. } => binary_findings(e, facts, &mut out),
        _ => {}
    });
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A metric and its labels with their values, as a test writes them.
    type Metric<'a> = (&'a str, &'a [(&'a str, &'a [&'a str])]);

    fn facts(metrics: &[Metric<'_>]) -> Facts {
        let mut f = Facts::default();
        for (name, labels) in metrics {
            let labels: BTreeMap<String, BTreeSet<String>> = labels
                .iter()
                .map(|(l, vs)| (l.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                .collect();
            f.all_names.insert(name.to_string());
            f.metrics.insert(
                name.to_string(),
                SeriesFacts {
                    series: if labels.is_empty() { 0 } else { 3 },
                    labels,
                },
            );
        }
        f
    }

    const HTTP: Metric<'static> = (
        "http_requests_total",
        &[
            ("job", &["orchestrator"]),
            ("instance", &["a:8000"]),
            ("endpoint", &["/api/v1/tasks"]),
            ("method", &["POST"]),
            ("status", &["error", "success"]),
        ],
    );

    #[test]
    fn a_ratio_of_a_series_to_itself_is_named() {
        let f = facts(&[HTTP]);
        let found = lint(
            r#"rate(http_requests_total{status="error"}[5m]) / rate(http_requests_total[5m]) > 0.05"#,
            &f,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("each status=\"error\" series is divided by itself"));
        // Aggregated first, the same ratio is sound.
        assert!(lint(
            r#"sum(rate(http_requests_total{status="error"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05"#,
            &f
        )
        .is_empty());
        assert!(lint(
            r#"sum without (status) (rate(http_requests_total{status="error"}[5m])) / sum without (status) (rate(http_requests_total[5m]))"#,
            &f
        )
        .is_empty());
    }

    #[test]
    fn sides_that_never_pair_are_named() {
        let f = facts(&[
            (
                "pg_stat_database_numbackends",
                &[
                    ("datid", &["1"]),
                    ("datname", &["octollm"]),
                    ("job", &["postgres"]),
                    ("instance", &["db:9187"]),
                ],
            ),
            (
                "pg_settings_max_connections",
                &[("job", &["postgres"]), ("instance", &["db:9187"])],
            ),
        ]);
        let found = lint(
            "(pg_stat_database_numbackends / pg_settings_max_connections) > 0.8",
            &f,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("only the left side has datid, datname")
                && found[0].contains("ignoring(datid, datname)"),
            "{}",
            found[0]
        );
        assert!(lint(
            "pg_stat_database_numbackends / ignoring(datid, datname) group_left pg_settings_max_connections",
            &f
        )
        .is_empty());
        assert!(lint(
            "pg_stat_database_numbackends / ignoring(datid, datname) pg_settings_max_connections",
            &f
        )
        .is_empty());
    }

    #[test]
    fn names_and_values_that_match_nothing_are_named() {
        let f = facts(&[HTTP, ("llm_api_cost_dollars", &[])]);
        let mut f = f;
        f.all_names.insert("llm_api_cost_dollars_total".into());
        let found = lint("rate(llm_api_cost_dollars[1h]) > 10", &f);
        assert_eq!(
            found,
            ["no series is named llm_api_cost_dollars, so this part never matches (the metric is exported as llm_api_cost_dollars_total)"]
        );
        let found = lint(r#"sum(rate(http_requests_total{status=~"5.."}[5m]))"#, &f);
        assert_eq!(
            found,
            ["status=~\"5..\" matches none of http_requests_total's status values (error, success)"]
        );
        assert!(lint(r#"http_requests_total{status=~"err.*"}"#, &f).is_empty());
        assert!(lint(r#"http_requests_total{namespace="prod"}"#, &f)[0]
            .contains("has a namespace label"));
        // Metrics the caller did not look up are not judged.
        assert!(lint("rate(other_total[5m]) / rate(more_total[5m])", &f).is_empty());
        assert!(lint("sum(rate(x[5m]", &f).is_empty());
    }

    #[test]
    fn names_to_read_lists_each_metric_once() {
        assert_eq!(
            names_to_read(["rate(a[5m]) / rate(b[5m])", "a > 1", "not ( valid",]),
            ["a", "b"]
        );
    }
}
