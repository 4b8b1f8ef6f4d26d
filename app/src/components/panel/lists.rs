//! The list panels: dashboards, alerts and log lines, each drawn from what the server chose
//! (bounded, with "showing N of M" when it cut).

use super::no_data;
use crate::model::dashboard::Panel;
use crate::model::links::Hop;
use leptos::prelude::*;

/// The dashboard list panel: a link per dashboard (keeping the time range and variables when the
/// panel asks), "showing N of M" when `maxItems` cut the list.
pub(super) fn dash_list(
    panel: &Panel,
    list: &crate::model::dashboard::dashlist::DashList,
    hop: &Hop,
) -> AnyView {
    let o = &panel.options.dashlist;
    if list.items.is_empty() {
        return no_data(Some(
            match o.show_search {
                true => "No dashboards match this panel's search",
                false => "Nothing to list: this panel shows only starred or recent dashboards",
            }
            .into(),
        ));
    }
    let hop = Hop {
        from: hop.from.clone().filter(|_| o.keep_time),
        to: hop.to.clone().filter(|_| o.keep_time),
        datasource: None,
        vars: if o.include_vars {
            hop.vars.clone()
        } else {
            Vec::new()
        },
    };
    let more = (list.matched > list.items.len())
        .then(|| format!("showing {} of {}", list.items.len(), list.matched));
    view! {
        <ul class="dash-list" data-testid="dash-list">
            {list
                .items
                .iter()
                .map(|d| {
                    let href = crate::model::links::dashboard(&d.url(), &hop);
                    view! {
                        <li>
                            <a href=href data-testid="dash-list-item">
                                {d.title.clone()}
                            </a>
                            <span class="small muted">{format!(" {}", d.folder)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {more
            .map(|m| {
                view! {
                    <p class="small muted" data-testid="dash-list-more">
                        {m}
                    </p>
                }
            })}
    }
    .into_any()
}

/// The alert list panel: each alert linked to its group, silenced and inhibited ones marked,
/// what the state filter hides counted, "showing N of M" past `maxItems`.
pub(super) fn alert_list(
    panel: &Panel,
    list: &crate::model::dashboard::alertlist::AlertList,
) -> AnyView {
    use crate::components::zone::Time;
    use crate::model::dashboard::alertlist::Shown;
    let hidden: Vec<String> = [
        (list.hidden_firing, "firing"),
        (list.hidden_silenced, "silenced"),
        (list.hidden_inhibited, "inhibited"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let hidden = (!hidden.is_empty()).then(|| format!("hidden: {}", hidden.join(", ")));
    let more = (list.matched > list.items.len() && !panel.options.alertlist.stat)
        .then(|| format!("showing {} of {}", list.items.len(), list.matched));
    let body = if panel.options.alertlist.stat {
        view! {
            <div class="stat-value" data-testid="alert-list-count">
                {list.matched.to_string()}
            </div>
        }
        .into_any()
    } else if list.items.is_empty() {
        no_data(Some("No alerts".into()))
    } else {
        view! {
            <ul class="alert-list" data-testid="alert-list">
                {list
                    .items
                    .iter()
                    .map(|a| {
                        let (state, badge) = match a.state {
                            Shown::Firing => ("firing", None),
                            Shown::Silenced => ("silenced", Some("silenced")),
                            Shown::Inhibited => ("inhibited", Some("inhibited")),
                        };
                        let class = format!(
                            "severity-{}",
                            crate::model::alerting::severity_class(&a.severity),
                        );
                        let since = crate::model::timestamp::parse_rfc3339(&a.starts_at);
                        view! {
                            <li class=class data-testid="alert-list-item" data-state=state>
                                <a href=a.href.clone()>{a.name.clone()}</a>
                                {badge.map(|b| view! { <span class="badge muted">{b}</span> })}
                                " "
                                <span class="small muted">{a.labels.clone()}</span>
                                {since
                                    .map(|ms| {
                                        view! {
                                            " since "
                                            <Time ms=ms />
                                        }
                                    })}
                                {(!a.summary.is_empty())
                                    .then(|| {
                                        view! { <div class="small">{a.summary.clone()}</div> }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        {body}
        {more
            .map(|m| {
                view! {
                    <p class="small muted" data-testid="alert-list-more">
                        {m}
                    </p>
                }
            })}
        {hidden
            .map(|h| {
                view! {
                    <p class="small muted" data-testid="alert-list-hidden">
                        {h}
                    </p>
                }
            })}
    }
    .into_any()
}

/// The logs panel: the newest lines (in the panel's order), coloured by level, with their
/// trace links; "showing N of M lines" and Explore for the rest.
pub(super) fn logs_list(
    panel: &Panel,
    logs: &crate::model::dashboard::logs_panel::LogsPanel,
    explore: Option<String>,
) -> AnyView {
    use crate::components::zone::Time;
    let o = &panel.options.logs;
    if logs.lines.is_empty() {
        return no_data(Some("No log lines in this range".into()));
    }
    let mut lines = logs.lines.clone();
    if !o.newest_first {
        lines.reverse();
    }
    let showing = logs.showing();
    view! {
        <ol class="panel-logs" class:wrap=o.wrap data-testid="panel-logs">
            {lines
                .into_iter()
                .map(|l| {
                    let ms = l.ms();
                    view! {
                        <li class=format!("level-{}", l.level) data-testid="panel-log-line">
                            {o
                                .show_time
                                .then(|| {
                                    view! {
                                        <Time ms=ms millis=true />
                                        " "
                                    }
                                })}
                            {o
                                .show_labels
                                .then(|| view! { <span class="small muted">{l.labels} " "</span> })}
                            <span class="mono">{l.line}</span>
                            {l
                                .links
                                .into_iter()
                                .map(|(label, href)| {
                                    view! {
                                        " "
                                        <a href=href data-testid="panel-log-link">
                                            {label}
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {showing
            .map(|s| {
                view! {
                    <p class="small muted" data-testid="panel-logs-more">
                        {s}
                        {explore
                            .map(|href| {
                                view! {
                                    " · "
                                    <a href=href>"all lines in Explore"</a>
                                }
                            })}
                    </p>
                }
            })}
    }
    .into_any()
}
