//! The rules page's data: Prometheus' rule groups filtered by state, labels and text and paged on
//! the server (the first groups open, the rest as counts), so a thousand groups stay one screen.

use crate::api::AppError;
use crate::model::alerting::board::RulesPage;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page's URL state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RulesQuery {
    /// `firing`, `pending`, `inactive`, or empty for all.
    pub state: String,
    /// Label matchers on the rule's labels (with `alertname`) or its alerts' labels.
    pub matchers: String,
    /// Text in the rule's name, expression, group or annotations.
    pub search: String,
    /// From 0.
    pub page: u32,
    /// One group's id: that group alone, open.
    pub group: String,
    /// Prometheus datasource uid (default: the default Prometheus).
    pub datasource: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesOverview {
    pub datasource_name: String,
    pub page: RulesPage,
    /// Why the matchers could not be read (the rules are then not filtered by labels).
    pub matcher_error: Option<String>,
    pub warnings: Vec<String>,
    /// Server time of the answer, so ages render the same on the server and in the browser.
    pub now_ms: i64,
    /// Alert rule name → the dashboard to open for it (annotation, or one reading its metrics),
    /// for the rules shown.
    pub dashboards: std::collections::BTreeMap<String, String>,
    /// `lint_key(group, rule)` → why the rule can never fire or always does, for the rules shown.
    pub lints: std::collections::BTreeMap<String, Vec<String>>,
}

/// The key of a rule's findings in [`RulesOverview::lints`]: names repeat across groups.
pub fn lint_key(group: &str, rule: &str) -> String {
    format!("{group}\u{1f}{rule}")
}

/// How far back the rule lint looks for series: long enough that a rare label value (the first
/// error of the day) has been seen.
#[cfg(feature = "ssr")]
const LINT_LOOKBACK_S: f64 = 6.0 * 3600.0;

/// A page of the rule groups of the default (or named) Prometheus, with rule states and active
/// alerts; counts by state are over every rule that matched the labels and text.
#[server(endpoint = "list_rules", input = leptos::server_fn::codec::Json)]
pub async fn list_rules(query: RulesQuery) -> Result<RulesOverview, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::alerting::board::rules_page;
    use crate::model::alerting::Rule;
    use crate::model::datasource::DatasourceKind;
    use crate::model::matchers::parse_matchers;

    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, query.datasource)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let answer = client.rules(true).await?;
    let (matchers, matcher_error) = match parse_matchers(&query.matchers) {
        Ok(m) => (m, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let states: Vec<String> = Some(query.state)
        .filter(|s| !s.is_empty())
        .into_iter()
        .collect();
    let only = Some(query.group.as_str()).filter(|g| !g.is_empty());
    let page = rules_page(
        &answer.data.groups,
        &states,
        &matchers,
        &query.search,
        query.page as usize,
        only,
    );
    let index = backends.dashboards.catalog().index();
    let mut dashboards = std::collections::BTreeMap::new();
    for rule in page.groups.iter().flat_map(|g| g.rules.iter()) {
        if let Rule::Alerting(a) = rule {
            if let Some(url) =
                crate::model::links::alerts::dashboard_for(&a.annotations, Some(&a.query), &index)
            {
                dashboards.insert(a.name.clone(), url.link(&a.labels, None, None));
            }
        }
    }
    let lints = lints_of(&client, &page).await;
    Ok(RulesOverview {
        lints,
        dashboards,
        datasource_name: ds.name.clone(),
        page,
        matcher_error,
        warnings: answer.warnings,
        now_ms: crate::api::now_ms(),
    })
}

#[cfg(feature = "ssr")]
const LINT_FACTS_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// The series facts of recent rules pages, by datasource and metric names, with when they were
/// read.
#[cfg(feature = "ssr")]
type FactsCache = std::collections::HashMap<
    String,
    (
        std::time::Instant,
        std::sync::Arc<crate::model::rule_lint::Facts>,
    ),
>;

#[cfg(feature = "ssr")]
static LINT_FACTS: std::sync::LazyLock<std::sync::Mutex<FactsCache>> =
    std::sync::LazyLock::new(Default::default);

/// The lint's findings for the rules on the page, from one read of their metrics' series. The
/// page still renders without them when that read fails (they are advice, not data).
#[cfg(feature = "ssr")]
async fn lints_of(
    client: &crate::backend::prometheus::PrometheusClient<'_>,
    page: &crate::model::alerting::board::RulesPage,
) -> std::collections::BTreeMap<String, Vec<String>> {
    use crate::model::alerting::Rule;
    use crate::model::rule_lint::{lint, names_to_read};
    let shown: Vec<(&str, &str, &str)> = page
        .groups
        .iter()
        .flat_map(|g| {
            g.rules.iter().filter_map(move |r| match r {
                Rule::Alerting(a) => Some((g.name.as_str(), a.name.as_str(), a.query.as_str())),
                _ => None,
            })
        })
        .collect();
    let names = names_to_read(shown.iter().map(|(_, _, q)| *q));
    // One read per datasource and set of metrics a minute: a page polled or paged through does
    // not re-read the series each time.
    let key = format!("{}\u{1f}{}", client.ds.uid, names.join(","));
    let cached = LINT_FACTS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .filter(|(at, _)| at.elapsed() < LINT_FACTS_TTL)
        .map(|(_, f)| f.clone());
    let facts = match cached {
        Some(f) => f,
        None => match client.series_facts(&names, LINT_LOOKBACK_S).await {
            Ok(f) => {
                let f = std::sync::Arc::new(f);
                let mut cache = LINT_FACTS.lock().unwrap_or_else(|p| p.into_inner());
                cache.retain(|_, (at, _)| at.elapsed() < LINT_FACTS_TTL);
                cache.insert(key, (std::time::Instant::now(), f.clone()));
                f
            }
            Err(e) => {
                tracing::debug!("rule lint skipped: {e}");
                return Default::default();
            }
        },
    };
    shown
        .into_iter()
        .filter_map(|(group, rule, query)| {
            let found = lint(query, &facts);
            (!found.is_empty()).then(|| (lint_key(group, rule), found))
        })
        .collect()
}
