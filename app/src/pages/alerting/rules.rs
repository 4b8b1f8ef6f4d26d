//! `/alerting/list`: Prometheus' rule groups with rule state, `for`, health, expression, labels,
//! annotations and active alerts. Filters (state, matchers, text) live in the URL and run on the
//! server, which pages the groups: 50 a page, the first 10 open, the rest as their state counts.

use super::AlertingTabs;
use crate::api::alerting::{list_rules, RulesQuery};
use crate::components::feedback::{Loaded, Warnings};
use crate::components::pager::Pager;
use crate::components::pickers::current_pairs;
use crate::components::zone::Time;
use crate::contexts::RefreshTick;
use crate::model::alerting::board::{RuleGroupView, RULE_GROUPS_PER_PAGE};
use crate::model::alerting::{AlertingRule, Rule};
use crate::model::html::safe_href;
use crate::model::numbers::{sample, thousands, tidy};
use crate::model::timestamp::{age, parse_rfc3339};
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AlertRulesPage() -> impl IntoView {
    let query = use_query_map();
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let param = move |k: &str| query.with(|q| q.get(k)).unwrap_or_default();
    let rules_query = Memo::new(move |_| RulesQuery {
        state: param("state"),
        matchers: param("matchers"),
        search: param("search"),
        page: param("page").parse().unwrap_or(0),
        group: param("group"),
        // Another Prometheus (or Thanos) than the default: `?datasource=<uid>`.
        datasource: Some(param("datasource")).filter(|d| !d.is_empty()),
    });
    let rules = crate::api::resource(
        move || (tick.get(), rules_query.get()),
        |(_, q)| list_rules(q),
    );
    let initial = rules_query.get_untracked();

    view! {
        <Title text="Alert rules" />
        <h1>"Alerting"</h1>
        <AlertingTabs />
        <form method="get" action="/alerting/list" class="filters" data-testid="rule-filters">
            <input type="hidden" name="state" value=initial.state.clone() />
            {initial
                .datasource
                .clone()
                .map(|d| view! { <input type="hidden" name="datasource" value=d /> })}
            <label>
                "Labels "
                <input
                    type="text"
                    name="matchers"
                    placeholder="severity=\"critical\", job=~\"arm.*\""
                    value=initial.matchers.clone()
                    data-testid="rule-matchers"
                />
            </label>
            <label>
                "Search "
                <input
                    type="search"
                    name="search"
                    value=initial.search.clone()
                    data-testid="rule-search"
                />
            </label>
            <button type="submit" data-testid="rule-filter-apply">
                "Filter"
            </button>
        </form>
        <Loaded
            data=rules
            loading="Loading rules…"
            ok=move |overview| {
                let q = rules_query.get_untracked();
                let pairs = query.with_untracked(current_pairs);
                let counts = overview.page.counts;
                let now = overview.now_ms;
                let chip = move |value: &'static str, label: String| {
                    let href = format!(
                        "/alerting/list{}",
                        with_params(
                            &pairs,
                            &[("state", Some(value)), ("page", None), ("group", None)],
                        ),
                    );
                    let active = q.state == value;
                    view! {
                        <a
                            href=href
                            class:active=active
                            class="chip"
                            data-testid=format!(
                                "state-filter-{}",
                                if value.is_empty() { "all" } else { value },
                            )
                        >
                            {label}
                        </a>
                    }
                };
                let pairs = query.with_untracked(current_pairs);
                let page = overview.page;
                let dashboards = overview.dashboards;
                let lints = overview.lints;
                view! {
                    {overview
                        .matcher_error
                        .map(|e| {
                            view! {
                                <p class="field-error" data-testid="rule-matchers-error">
                                    {e}
                                </p>
                            }
                        })}
                    <Warnings warnings=overview.warnings.clone() />
                    <div class="chips" data-testid="state-counts">
                        {chip(
                            "",
                            format!(
                                "All {}",
                                thousands(counts.firing + counts.pending + counts.inactive),
                            ),
                        )}
                        {chip("firing", format!("Firing {}", thousands(counts.firing)))}
                        {chip("pending", format!("Pending {}", thousands(counts.pending)))}
                        {chip("inactive", format!("Inactive {}", thousands(counts.inactive)))}
                    </div>
                    <p class="muted">{format!("From {}", overview.datasource_name)}</p>
                    {if page.groups.is_empty() {
                        view! {
                            <p class="muted" data-testid="no-rules">
                                "No alerting rules match these filters."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            {(!q.group.is_empty())
                                .then(|| {
                                    let all = with_params(
                                        &pairs,
                                        &[("group", None), ("page", None)],
                                    );
                                    view! {
                                        <p>
                                            <a
                                                href=format!("/alerting/list{all}")
                                                data-testid="all-rule-groups"
                                            >
                                                "← All rule groups"
                                            </a>
                                        </p>
                                    }
                                })}
                            <Pager
                                first=page.first_group
                                shown=page.groups.len()
                                total=page.total_groups
                                per_page=RULE_GROUPS_PER_PAGE
                                noun="rule groups"
                            />
                            {page
                                .groups
                                .into_iter()
                                .map(|g| {
                                    view! {
                                        <RuleGroupSection
                                            group=g
                                            now=now
                                            dashboards=dashboards.clone()
                                            lints=lints.clone()
                                            pairs=pairs.clone()
                                        />
                                    }
                                })
                                .collect_view()}
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            }
        />
    }
}

#[component]
fn RuleGroupSection(
    group: RuleGroupView,
    now: i64,
    dashboards: std::collections::BTreeMap<String, String>,
    lints: std::collections::BTreeMap<String, Vec<String>>,
    pairs: Vec<(String, String)>,
) -> impl IntoView {
    let c = group.counts;
    let counts = format!(
        "{} firing · {} pending · {} inactive",
        thousands(c.firing),
        thousands(c.pending),
        thousands(c.inactive)
    );
    let open = format!(
        "/alerting/list{}",
        with_params(
            &pairs,
            &[("group", Some(group.id.as_str())), ("page", None)]
        )
    );
    let collapsed = group.rules.is_empty();
    view! {
        <section
            class="rule-group"
            data-testid="rule-group"
            data-group-id=group.id.clone()
            data-open=(!collapsed).to_string()
        >
            <h2>{group.name.clone()} <span class="muted small">{group.file.clone()}</span></h2>
            <p class="muted small" data-testid="rule-group-counts">
                {counts}
            </p>
            {collapsed
                .then(|| {
                    view! {
                        <a href=open data-testid="open-rule-group">
                            "Show its rules"
                        </a>
                    }
                })}
            {group
                .rules
                .into_iter()
                .filter_map(|r| match r {
                    Rule::Alerting(a) => Some(a),
                    Rule::Recording(_) => None,
                })
                .map(|a| {
                    let dashboard = dashboards.get(&a.name).cloned();
                    let lint = lints
                        .get(&crate::api::alerting::lint_key(&group.name, &a.name))
                        .cloned()
                        .unwrap_or_default();
                    view! { <RuleCard rule=a now=now dashboard lint /> }
                })
                .collect_view()}
        </section>
    }
}

#[component]
fn RuleCard(
    rule: AlertingRule,
    now: i64,
    dashboard: Option<String>,
    lint: Vec<String>,
) -> impl IntoView {
    let explore = crate::model::links::explore_metrics(&rule.query, &Default::default());
    let state = rule.state.clone();
    let runbook = rule
        .annotations
        .get("runbook_url")
        .and_then(|u| safe_href(u));
    view! {
        <article
            class="rule"
            data-testid="rule-row"
            data-rule=rule.name.clone()
            data-state=state.clone()
        >
            <header>
                <span class=format!("badge state-{state}") data-testid="rule-state">
                    {state.clone()}
                </span>
                <strong data-testid="rule-name">{rule.name.clone()}</strong>
                <span class="muted">
                    {format!(
                        " for {}",
                        crate::model::duration::format_ms((rule.duration * 1000.0) as i64),
                    )}
                </span>
                <span class=format!(
                    "muted health-{}",
                    rule.health,
                )>{format!(" · {}", rule.health)}</span>
                {rule
                    .last_error
                    .clone()
                    .filter(|e| !e.is_empty())
                    .map(|e| view! { <span class="field-error">{e}</span> })}
            </header>
            <pre class="expr">
                <a href=explore data-testid="rule-explore">
                    {rule.query.clone()}
                </a>
            </pre>
            {(!lint.is_empty())
                .then(|| {
                    view! {
                        <ul class="rule-lint" data-testid="rule-lint">
                            {lint
                                .into_iter()
                                .map(|l| view! { <li>{format!("⚠ {l}")}</li> })
                                .collect_view()}
                        </ul>
                    }
                })}
            <div class="labels">
                <crate::components::alerting_rows::LabelChips labels=rule.labels.clone() />
            </div>
            {rule.annotations.get("summary").map(|s| view! { <p>{tidy(s)}</p> })}
            {rule.annotations.get("description").map(|s| view! { <p class="muted">{tidy(s)}</p> })}
            {runbook
                .map(|u| {
                    view! {
                        <a
                            href=u.clone()
                            rel="noopener noreferrer"
                            target="_blank"
                            data-testid="runbook-link"
                        >
                            "Runbook"
                        </a>
                    }
                })}
            {dashboard
                .map(|u| {
                    view! {
                        " "
                        <a href=u data-testid="rule-dashboard">
                            "Dashboard"
                        </a>
                    }
                })}
            {(!rule.alerts.is_empty())
                .then(|| {
                    view! {
                        <table class="results" data-testid="rule-alerts">
                            <thead>
                                <tr>
                                    <th>"State"</th>
                                    <th>"Labels"</th>
                                    <th>"Value"</th>
                                    <th>"Active since"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rule
                                    .alerts
                                    .iter()
                                    .map(|a| {
                                        let since = a
                                            .active_at
                                            .as_deref()
                                            .and_then(parse_rfc3339)
                                            .map(|t| age(t, now))
                                            .unwrap_or_default();
                                        view! {
                                            <tr data-testid="alert-row" data-state=a.state.clone()>
                                                <td>{a.state.clone()}</td>
                                                <td class="series">
                                                    <crate::components::alerting_rows::LabelChips labels=a
                                                        .labels
                                                        .clone() />
                                                </td>
                                                <td
                                                    class="value num"
                                                    title=a.value.clone()
                                                    data-testid="alert-value"
                                                >
                                                    {sample(&a.value)}
                                                </td>
                                                <td>
                                                    {since}
                                                    {a
                                                        .active_at
                                                        .as_deref()
                                                        .and_then(parse_rfc3339)
                                                        .map(|t| {
                                                            view! {
                                                                <div class="small muted">
                                                                    <Time ms=t />
                                                                </div>
                                                            }
                                                        })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                })}
        </article>
    }
}
