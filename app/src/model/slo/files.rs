//! SLO definition files: the seed format (`slos: [...]`, as the monitoring guide writes it: an
//! `indicator` expression and objectives such as `99.9%` or `95th percentile < 1s`, or with
//! separate queries) and Sloth's `prometheus/v1` spec, validated into [`Slo`]s; a broken entry
//! stays in the list with its reason.

use super::*;

/// Octoscope's seed format: `slos: [{name, objective, window, indicator, …}]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedFile {
    pub slos: Vec<SeedSlo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedSlo {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub description: String,
    pub objective: serde_json::Value,
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub indicator: SeedIndicatorSpec,
    #[serde(default)]
    pub alerting: Option<SlothAlerting>,
}

/// The guide's `indicator: |` expression, or separate queries.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SeedIndicatorSpec {
    Expr(String),
    Queries(SeedIndicator),
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeedIndicator {
    #[serde(default, alias = "error_query")]
    pub errors: Option<String>,
    #[serde(default, alias = "good_query")]
    pub good: Option<String>,
    #[serde(default, alias = "total_query")]
    pub total: Option<String>,
    #[serde(default)]
    pub latency: Option<SeedLatency>,
    #[serde(default)]
    pub latency_query: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedLatency {
    /// The histogram's base name (`http_request_duration_seconds`).
    pub metric: String,
    /// Label matchers without braces: `job="orchestrator", endpoint!="/health"`.
    #[serde(default)]
    pub selector: String,
    /// Seconds (`1`, `0.5`) or a duration (`1s`, `500ms`).
    pub threshold: serde_json::Value,
}

/// Sloth's `prometheus/v1` spec (`version`, `service`, `labels`, `slos`).
#[derive(Debug, Clone, Deserialize)]
pub struct SlothFile {
    pub version: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub slos: Vec<SlothSlo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SlothSlo {
    #[serde(default)]
    pub name: String,
    pub objective: serde_json::Value,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub sli: SlothSli,
    #[serde(default)]
    pub alerting: Option<SlothAlerting>,
    /// Not in Sloth's spec (it takes the period from a flag); accepted so files can say it.
    #[serde(default)]
    pub window: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothSli {
    #[serde(default)]
    pub events: Option<SeedIndicator>,
    #[serde(default)]
    pub raw: Option<serde_json::Value>,
    #[serde(default)]
    pub plugin: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothAlerting {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub page_alert: Option<SlothAlertLabels>,
    #[serde(default)]
    pub ticket_alert: Option<SlothAlertLabels>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlothAlertLabels {
    #[serde(default)]
    pub disable: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

fn objective_of(v: &serde_json::Value) -> Result<f64, SloError> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        _ => None,
    }
    .unwrap_or(f64::NAN);
    if n.is_finite() && n > 0.0 && n < 100.0 {
        Ok(n)
    } else {
        Err(SloError::Objective(n))
    }
}

fn threshold_of(v: &serde_json::Value) -> Result<f64, SloError> {
    let bad = || SloError::Threshold(v.to_string().trim_matches('"').to_string());
    let s = match v {
        serde_json::Value::Number(n) => return n.as_f64().filter(|n| *n > 0.0).ok_or_else(bad),
        serde_json::Value::String(s) => s.trim(),
        _ => return Err(bad()),
    };
    if let Ok(n) = s.parse::<f64>() {
        return if n > 0.0 { Ok(n) } else { Err(bad()) };
    }
    if let Some(ms) = s.strip_suffix("ms") {
        return ms
            .parse::<f64>()
            .ok()
            .filter(|n| *n > 0.0)
            .map(|n| n / 1000.0)
            .ok_or_else(bad);
    }
    parse_window_s(s).map(|n| n as f64).map_err(|_| bad())
}

/// CamelCase of `api-availability` → `ApiAvailability`, for alert names.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub(super) fn indicator_of(i: &SeedIndicator) -> Result<Indicator, SloError> {
    if let Some(l) = &i.latency {
        if l.metric.trim().is_empty() {
            return Err(SloError::Indicator(
                "the latency indicator needs `metric`, the histogram's base name".into(),
            ));
        }
        return Ok(Indicator::Latency {
            metric: l.metric.trim().to_string(),
            selector: l.selector.trim().trim_matches(['{', '}']).to_string(),
            threshold_s: threshold_of(&l.threshold)?,
        });
    }
    let need_window = |q: &str, what: &str| {
        if q.contains(WINDOW_PLACEHOLDER) {
            Ok(q.trim().to_string())
        } else {
            Err(SloError::Indicator(format!(
                "the {what} query has no {WINDOW_PLACEHOLDER} range; write it as rate(metric[{WINDOW_PLACEHOLDER}])"
            )))
        }
    };
    match (&i.errors, &i.good, &i.total) {
        (Some(e), None, Some(t)) => Ok(Indicator::Ratio {
            errors: need_window(e, "error")?,
            total: need_window(t, "total")?,
        }),
        (None, Some(g), Some(t)) => Ok(Indicator::GoodTotal {
            good: need_window(g, "good")?,
            total: need_window(t, "total")?,
        }),
        _ => Err(SloError::Indicator(
            "the indicator needs `errors` and `total` queries, `good` and `total`, or `latency` (metric, selector, threshold)".into(),
        )),
    }
}

struct Common<'a> {
    source: &'a str,
    name: &'a str,
    service: &'a str,
    description: &'a str,
    objective: &'a serde_json::Value,
    window: Option<&'a str>,
    labels: BTreeMap<String, String>,
    indicator: Result<Indicator, SloError>,
    latency_query: Option<String>,
    alerting: Option<&'a SlothAlerting>,
}

fn build(c: Common<'_>) -> SloEntry {
    let invalid = |e: SloError| SloEntry::Invalid {
        name: if c.name.is_empty() {
            format!("{} (unnamed)", c.source)
        } else {
            c.name.to_string()
        },
        source: c.source.to_string(),
        error: e.to_string(),
    };
    let result = (|| {
        if c.name.trim().is_empty() {
            return Err(SloError::Name);
        }
        let objective = objective_of(c.objective)?;
        let window_s = match c.window {
            None => THIRTY_DAYS,
            Some(w) => parse_window_s(w)?,
        };
        let indicator = c.indicator.clone()?;
        let alerting = c.alerting.cloned().unwrap_or_default();
        let mut page_labels = BTreeMap::from([("severity".to_string(), "page".to_string())]);
        let mut ticket_labels = BTreeMap::from([("severity".to_string(), "ticket".to_string())]);
        if let Some(p) = &alerting.page_alert {
            page_labels.extend(p.labels.clone());
        }
        if let Some(t) = &alerting.ticket_alert {
            ticket_labels.extend(t.labels.clone());
        }
        let mut labels = c.labels.clone();
        if !c.service.is_empty() {
            labels
                .entry("service".into())
                .or_insert(c.service.to_string());
        }
        Ok(Slo {
            name: c.name.trim().to_string(),
            service: c.service.to_string(),
            description: c.description.to_string(),
            objective,
            window_s,
            labels,
            indicator,
            latency_query: c.latency_query.clone(),
            alert_name: alerting
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| format!("{}BudgetBurn", camel(c.name))),
            alert_labels: alerting.labels.clone(),
            alert_annotations: alerting.annotations.clone(),
            page_labels,
            ticket_labels,
            source: c.source.to_string(),
        })
    })();
    match result {
        Ok(s) => SloEntry::Ok(Box::new(s)),
        Err(e) => invalid(e),
    }
}

/// `95th percentile < 1s` → (95, 1 s): the guide's latency objective.
fn percentile_objective(v: &serde_json::Value) -> Option<(f64, f64)> {
    let text = v.as_str()?.trim();
    let (quantile, threshold) = text.split_once("percentile")?;
    let quantile = quantile
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<f64>()
        .ok()?;
    let threshold = threshold.trim().strip_prefix('<')?.trim();
    let threshold = threshold_of(&serde_json::Value::String(threshold.into())).ok()?;
    Some((quantile, threshold))
}

/// The range of the first `[…]` in `expr` (`30d` in `rate(x[30d])`).
fn first_range(expr: &str) -> Option<&str> {
    let open = expr.find('[')?;
    let close = open + expr[open..].find(']')?;
    Some(expr[open + 1..close].trim())
}

/// `expr` with every range `[window]` written as `[{{.window}}]`, so it can be evaluated per
/// burn-rate window.
fn windowed(expr: &str, window: &str) -> String {
    expr.replace(&format!("[{window}]"), &format!("[{WINDOW_PLACEHOLDER}]"))
}

/// Strips one pair of parentheses wrapping all of `expr`.
fn unwrap_parens(expr: &str) -> &str {
    let t = expr.trim();
    if !(t.starts_with('(') && t.ends_with(')')) {
        return t;
    }
    let mut depth = 0;
    for (i, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 && i < t.len() - 1 {
            return t; // `(a) / (b)`: the first pair closes early
        }
    }
    unwrap_parens(&t[1..t.len() - 1])
}

/// `a / b` split at its top-level division (outside parentheses, braces and strings).
fn split_ratio(expr: &str) -> Option<(&str, &str)> {
    let (mut depth, mut quote) = (0i32, None::<char>);
    for (i, c) in expr.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '(' | '{' | '[') => depth += 1,
            (None, ')' | '}' | ']') => depth -= 1,
            (None, '/') if depth == 0 => return Some((expr[..i].trim(), expr[i + 1..].trim())),
            _ => {}
        }
    }
    None
}

/// The guide's indicator expression read with its objective: a ratio `good / total` with a
/// percentage objective, or `histogram_quantile(q, rate(<metric>_bucket{…}[w]))` with
/// `qth percentile < t` (read as "q% of requests within t", from the `le="t"` bucket).
fn indicator_from_expr(
    expr: &str,
    objective: &serde_json::Value,
) -> Result<(Indicator, f64, Option<String>), SloError> {
    let expr = expr.trim();
    let window = first_range(expr).ok_or_else(|| {
        SloError::Indicator("the indicator has no range such as [30d] to evaluate over".into())
    })?;
    if let Some((quantile, threshold_s)) = percentile_objective(objective) {
        let inner = expr
            .strip_prefix("histogram_quantile(")
            .and_then(|r| r.split_once(','))
            .map(|(_, r)| r.trim())
            .and_then(|r| r.strip_prefix("rate("))
            .ok_or_else(|| {
                SloError::Indicator(
                    "a percentile objective needs histogram_quantile(q, rate(<metric>_bucket[…]))"
                        .into(),
                )
            })?;
        let selector_end = inner.find('[').unwrap_or(inner.len());
        let selector = &inner[..selector_end];
        let (metric, matchers) = match selector.split_once('{') {
            Some((m, rest)) => (m.trim(), rest.trim_end().trim_end_matches('}')),
            None => (selector.trim(), ""),
        };
        let metric = metric.strip_suffix("_bucket").ok_or_else(|| {
            SloError::Indicator(format!("{metric} is not a histogram's _bucket series"))
        })?;
        return Ok((
            Indicator::Latency {
                metric: metric.to_string(),
                selector: matchers.trim().to_string(),
                threshold_s,
            },
            quantile,
            Some(windowed(expr, window)),
        ));
    }
    let (good, total) = split_ratio(unwrap_parens(expr)).ok_or_else(|| {
        SloError::Indicator(
            "the indicator must be a ratio, good / total (or a histogram_quantile with a percentile objective)"
                .into(),
        )
    })?;
    Ok((
        Indicator::GoodTotal {
            good: windowed(unwrap_parens(good), window),
            total: windowed(unwrap_parens(total), window),
        },
        objective_of(objective)?,
        None,
    ))
}

/// The SLOs of a seed-format file; each entry stands or falls on its own.
pub fn from_seed(file: &SeedFile, source: &str) -> Vec<SloEntry> {
    file.slos
        .iter()
        .map(|s| {
            let (indicator, objective, latency_query) = match &s.indicator {
                SeedIndicatorSpec::Queries(q) => (
                    indicator_of(q),
                    s.objective.clone(),
                    q.latency_query.clone(),
                ),
                SeedIndicatorSpec::Expr(expr) => match indicator_from_expr(expr, &s.objective) {
                    Ok((i, objective, latency)) => (Ok(i), objective.into(), latency),
                    Err(e) => (Err(e), s.objective.clone(), None),
                },
            };
            build(Common {
                source,
                name: &s.name,
                service: &s.service,
                description: &s.description,
                objective: &objective,
                window: s.window.as_deref(),
                labels: s.labels.clone(),
                indicator,
                latency_query,
                alerting: s.alerting.as_ref(),
            })
        })
        .collect()
}

/// The SLOs of a Sloth `prometheus/v1` file. Only `sli.events` can be evaluated per window;
/// `raw` and `plugin` SLIs are listed with that error.
pub fn from_sloth(file: &SlothFile, source: &str) -> Vec<SloEntry> {
    file.slos
        .iter()
        .map(|s| {
            let mut labels = file.labels.clone();
            labels.extend(s.labels.clone());
            let indicator = match &s.sli.events {
                Some(e) => indicator_of(e),
                None if s.sli.raw.is_some() || s.sli.plugin.is_some() => Err(SloError::Indicator(
                    "only `sli.events` (error_query, total_query) SLIs are supported; rewrite `raw` or `plugin` SLIs as events".into(),
                )),
                None => Err(SloError::Indicator(
                    "the SLO has no `sli.events` with error_query and total_query".into(),
                )),
            };
            build(Common {
                source,
                name: &s.name,
                service: &file.service,
                description: &s.description,
                objective: &s.objective,
                window: s.window.as_deref(),
                labels,
                indicator,
                latency_query: s.sli.events.as_ref().and_then(|e| e.latency_query.clone()),
                alerting: s.alerting.as_ref(),
            })
        })
        .collect()
}

/// Marks every SLO whose name was already seen as invalid (the first one wins).
pub fn reject_duplicates(entries: Vec<SloEntry>) -> Vec<SloEntry> {
    let mut seen = std::collections::BTreeSet::new();
    entries
        .into_iter()
        .map(|e| match e {
            SloEntry::Ok(s) if !seen.insert(s.name.clone()) => SloEntry::Invalid {
                name: s.name.clone(),
                source: s.source.clone(),
                error: SloError::Duplicate(s.name.clone()).to_string(),
            },
            other => other,
        })
        .collect()
}
