//! `/alerting/list`: every Prometheus rule group with rule state, `for`, health, expression,
//! labels, annotations and active alerts. Filters (state, matchers, text) live in the URL.

use super::AlertingTabs;
use crate::api::alerting::list_rules;
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::layout::RefreshTick;
use crate::components::zone::Time;
use crate::model::alerting::{filter_rules, AlertingRule, Rule};
use crate::model::html::safe_href;
use crate::model::matchers::parse_matchers;
use crate::model::numbers::{sample, tidy};
use crate::model::timestamp::{age, parse_rfc3339};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AlertRulesPage() -> impl IntoView {
    let query = use_query_map();
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let rules = Resource::new(move || tick.get(), |_| list_rules(None));
    let state = Memo::new(move |_| query.with(|q| q.get("state")).unwrap_or_default());
    let matchers_text = Memo::new(move |_| query.with(|q| q.get("matchers")).unwrap_or_default());
    let search = Memo::new(move |_| query.with(|q| q.get("search")).unwrap_or_default());

    view! {
        <Title text="Alert rules" />
        <h1>"Alerting"</h1>
        <AlertingTabs />
        <form method="get" action="/alerting/list" class="filters" data-testid="rule-filters">
            <input type="hidden" name="state" value=state.get_untracked() />
            <label>
                "Labels "
                <input
                    type="text"
                    name="matchers"
                    placeholder="severity=\"critical\", job=~\"arm.*\""
                    value=matchers_text.get_untracked()
                    data-testid="rule-matchers"
                />
            </label>
            <label>
                "Search "
                <input
                    type="search"
                    name="search"
                    value=search.get_untracked()
                    data-testid="rule-search"
                />
            </label>
            <button type="submit" data-testid="rule-filter-apply">
                "Filter"
            </button>
        </form>
        <Transition fallback=|| {
            view! { <p class="muted">"Loading rules…"</p> }
        }>
            {move || Suspend::new(async move {
                let overview = match rules.await {
                    Ok(o) => o,
                    Err(e) => return view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                };
                let (matchers, matcher_error) = match parse_matchers(&matchers_text.get()) {
                    Ok(m) => (m, None),
                    Err(e) => (vec![], Some(e.to_string())),
                };
                let states: Vec<String> = Some(state.get())
                    .filter(|s| !s.is_empty())
                    .into_iter()
                    .collect();
                let (groups, counts) = filter_rules(
                    &overview.groups,
                    &states,
                    &matchers,
                    &search.get(),
                );
                let now = overview.now_ms;
                let chip = move |value: &'static str, label: String| {
                    let href = format!(
                        "/alerting/list?state={value}&matchers={}&search={}",
                        encode_component(&matchers_text.get_untracked()),
                        encode_component(&search.get_untracked()),
                    );
                    let active = state.get_untracked() == value;
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
                view! {
                    {matcher_error
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
                            format!("All {}", counts.firing + counts.pending + counts.inactive),
                        )}
                        {chip("firing", format!("Firing {}", counts.firing))}
                        {chip("pending", format!("Pending {}", counts.pending))}
                        {chip("inactive", format!("Inactive {}", counts.inactive))}
                    </div>
                    <p class="muted">{format!("From {}", overview.datasource_name)}</p>
                    {if groups.is_empty() {
                        view! {
                            <p class="muted" data-testid="no-rules">
                                "No alerting rules match these filters."
                            </p>
                        }
                            .into_any()
                    } else {
                        groups
                            .into_iter()
                            .map(|g| {
                                view! {
                                    <section class="rule-group" data-testid="rule-group">
                                        <h2>
                                            {g.name.clone()}
                                            <span class="muted small">{g.file.clone()}</span>
                                        </h2>
                                        {g
                                            .rules
                                            .into_iter()
                                            .filter_map(|r| match r {
                                                Rule::Alerting(a) => Some(a),
                                                Rule::Recording(_) => None,
                                            })
                                            .map(|a| {
                                                let dashboard = overview.dashboards.get(&a.name).cloned();
                                                view! { <RuleCard rule=a now=now dashboard /> }
                                            })
                                            .collect_view()}
                                    </section>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                }
                    .into_any()
            })}
        </Transition>
    }
}

fn seconds_text(s: f64) -> String {
    match s as i64 {
        0 => "0s".into(),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[component]
fn RuleCard(rule: AlertingRule, now: i64, dashboard: Option<String>) -> impl IntoView {
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
                <span class="muted">{format!(" for {}", seconds_text(rule.duration))}</span>
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
            <div class="labels">
                <super::groups::LabelChips labels=rule.labels.clone() />
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
                                            <tr data-testid="alert-row">
                                                <td>{a.state.clone()}</td>
                                                <td class="series">
                                                    <super::groups::LabelChips labels=a.labels.clone() />
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
