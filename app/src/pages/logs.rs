//! Explore in logs mode (`/explore?mode=logs&query=<LogQL>&from=…&to=…`): the lines of a LogQL
//! query from Loki, newest first, rendered on the server. Alerts link here with their labels and
//! active window.

use crate::api::logs::{logs_volume, query_logs};
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::layout::RefreshTick;
use crate::components::pickers::use_range;
use crate::components::query_editor::{QueryEditor, QueryLang};
use crate::components::zone::{DisplayZone, Time};
use crate::model::datasource::correlations::CompiledFields;
use crate::model::links::{explore_logs_with, Hop};
use crate::model::logs::{
    level_of, parse_fields, stream_selector, Direction, DEFAULT_LIMIT, MAX_LIMIT,
};
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// Epoch milliseconds from Loki's nanosecond timestamp string.
fn ns_ms(ns: &str) -> i64 {
    ns.parse::<i128>()
        .map(|n| (n / 1_000_000) as i64)
        .unwrap_or(0)
}

/// "Show context": the line's whole stream, unfiltered, a minute either side, oldest first, with
/// the line itself outlined.
fn context_href(
    labels: &std::collections::BTreeMap<String, String>,
    stream_labels: &[String],
    ts_ns: &str,
    datasource: Option<&str>,
) -> String {
    let ms = ts_ns
        .parse::<i128>()
        .map(|n| (n / 1_000_000) as i64)
        .unwrap_or(0);
    let hop =
        Hop::range(&(ms - 60_000).to_string(), &(ms + 60_000).to_string()).datasource(datasource);
    explore_logs_with(
        &stream_selector(labels, stream_labels),
        &[("direction", "forward"), ("highlight", ts_ns)],
        &hop,
    )
}

/// Colours of the levels in the volume bars (the line colours' hues).
fn level_color(level: &str) -> &'static str {
    match level {
        "critical" => "#a21f2f",
        "error" => "#e02f44",
        "warn" => "#d6a000",
        "info" => "#3d9a50",
        "debug" | "trace" => "#6e9fff",
        _ => "#8e8e8e",
    }
}

/// The log volume as stacked bars on the query's time axis; a bar links to its own bucket.
fn volume_svg(
    v: crate::model::logs::Volume,
    bucket_href: impl Fn(i64, i64) -> String,
    zone: crate::model::timestamp::Zone,
) -> impl IntoView {
    let (w, h) = (1000.0_f64, 80.0_f64);
    let (from_ms, to_ms) = (v.from_ms, v.to_ms);
    let span = (to_ms - from_ms).max(1) as f64;
    let step_ms = v.step_s as i64 * 1000;
    let max = v
        .buckets
        .iter()
        .map(|(_, c)| c.iter().map(|(_, n)| *n).sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bar_w = (step_ms as f64 / span * w * 0.85).max(1.0);
    let bars = v
        .buckets
        .into_iter()
        .map(|(t, counts)| {
            let x = (t - from_ms) as f64 / span * w;
            let sum: u64 = counts.iter().map(|(_, n)| *n).sum();
            let title = format!(
                "{}: {sum} lines ({})",
                zone.stamp(t),
                counts
                    .iter()
                    .map(|(l, n)| format!("{l} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let href = bucket_href(t, t + step_ms);
            let mut y = h;
            let rects = counts
                .into_iter()
                .map(|(level, n)| {
                    let bh = n as f64 / max * (h - 4.0);
                    y -= bh;
                    view! {
                        <rect
                            x=format!("{x:.1}")
                            y=format!("{y:.1}")
                            width=format!("{bar_w:.1}")
                            height=format!("{bh:.1}")
                            fill=level_color(&level)
                        />
                    }
                })
                .collect_view();
            // The `<g>` puts the macro in SVG mode: a bare `<a>` would be an HTML anchor, which the
            // browser does not draw inside `<svg>` when it is created by script (after navigation).
            view! {
                <g>
                    <a href=href data-testid="log-volume-bar" data-count=sum.to_string()>
                        <title>{title}</title>
                        {rects}
                    </a>
                </g>
            }
        })
        .collect_view();
    let legend = v
        .levels
        .iter()
        .map(|l| {
            view! {
                <span class="legend-item">
                    <span class="swatch" style=format!("background:{}", level_color(l))></span>
                    {l.clone()}
                </span>
            }
        })
        .collect_view();
    view! {
        <div class="log-volume" data-testid="log-volume">
            <svg
                viewBox=format!("0 0 {w} {h}")
                preserveAspectRatio="none"
                role="group"
                aria-label="Log volume over time"
            >
                {bars}
            </svg>
            <p class="muted small">
                {format!("{} lines in the range, {}s per bar · ", v.total, v.step_s)}{legend}
                " · click a bar to zoom in"
            </p>
        </div>
    }
}

#[component]
pub fn LogsExplore() -> impl IntoView {
    let query = use_query_map();
    let expr = Memo::new(move |_| query.with(|q| q.get("query")).unwrap_or_default());
    let (from, to) = use_range();
    let datasource = Memo::new(move |_| query.with(|q| q.get("datasource")));
    let editor = NodeRef::<leptos::html::Input>::new();
    let direction =
        Memo::new(move |_| Direction::parse(query.with(|q| q.get("direction")).as_deref()));
    let limit = Memo::new(move |_| query.with(|q| q.get("limit")));
    // The line "show context" came from, outlined in the context view.
    let highlight = Memo::new(move |_| query.with(|q| q.get("highlight")));
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let result = Resource::new(
        move || {
            (
                expr.get(),
                from.get(),
                to.get(),
                datasource.get(),
                direction.get(),
                limit.get(),
                tick.get(),
            )
        },
        |(expr, from, to, ds, direction, limit, _)| async move {
            if expr.trim().is_empty() {
                None
            } else {
                Some(
                    query_logs(
                        expr,
                        from,
                        to,
                        ds,
                        Some(direction.as_str().to_string()),
                        limit,
                    )
                    .await,
                )
            }
        },
    );
    let volume = Resource::new(
        move || {
            (
                expr.get(),
                from.get(),
                to.get(),
                datasource.get(),
                tick.get(),
            )
        },
        |(expr, from, to, ds, _)| async move {
            if expr.trim().is_empty() {
                None
            } else {
                Some(logs_volume(expr, from, to, ds).await)
            }
        },
    );
    // Zooming keeps everything but the time range.
    let zoom_to = move |from_ms: i64, to_ms: i64| {
        let hop = Hop::range(&from_ms.to_string(), &to_ms.to_string())
            .datasource(datasource.get_untracked().as_deref());
        let limit = limit.get_untracked().unwrap_or_default();
        explore_logs_with(
            &expr.get_untracked(),
            &[
                ("direction", direction.get_untracked().as_str()),
                ("limit", &limit),
            ],
            &hop,
        )
    };
    view! {
        <Title text="Explore logs" />
        <h1>"Explore " <span class="muted">"logs"</span></h1>
        <crate::pages::explore::ModeTabs
            current="logs"
            labels=Signal::derive(move || crate::model::links::workload_labels(&expr.get()))
        />
        <Form action="/explore" attr:class="query-form" attr:data-testid="logs-form">
            <input type="hidden" name="mode" value="logs" />
            <input type="hidden" name="from" value=from.get_untracked() />
            <input type="hidden" name="to" value=to.get_untracked() />
            {move || {
                datasource
                    .get()
                    .map(|d| view! { <input type="hidden" name="datasource" value=d /> })
            }}
            <label for="logql">"LogQL"</label>
            <QueryEditor
                lang=QueryLang::LogQl
                input=editor
                initial=expr.get_untracked()
                datasource=datasource
                id="logql"
                placeholder="{service=\"orchestrator\"} |= \"error\""
                testid="logs-input"
            />
            <label for="logs-direction">"Order"</label>
            <select id="logs-direction" name="direction" data-testid="logs-direction">
                <option value="backward" selected=direction.get_untracked() == Direction::Backward>
                    "Newest first"
                </option>
                <option value="forward" selected=direction.get_untracked() == Direction::Forward>
                    "Oldest first"
                </option>
            </select>
            <label for="logs-limit">"Limit"</label>
            <input
                id="logs-limit"
                type="number"
                name="limit"
                min="1"
                max=MAX_LIMIT.to_string()
                class="narrow"
                value=limit.get_untracked().unwrap_or_else(|| DEFAULT_LIMIT.to_string())
                data-testid="logs-limit"
            />
            <button type="submit" data-testid="run-logs">
                "Show lines"
            </button>
        </Form>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match volume.await {
                    Some(Ok(v)) if v.total > 0 => {
                        volume_svg(v, zoom_to, DisplayZone::current().get()).into_any()
                    }
                    Some(Err(e)) => {
                        // The lines below carry the query's own error; a volume-only failure is named here.
                        view! {
                            <p class="muted small" data-testid="log-volume-error">
                                {format!("No log volume: {e}")}
                            </p>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
        <section class="query-result" data-testid="logs-result">
            <Transition fallback=|| {
                view! { <p class="muted">"Querying…"</p> }
            }>
                {move || Suspend::new(async move {
                    match result.await {
                        None => {
                            view! {
                                <p class="muted">
                                    "Type a LogQL selector, e.g. {service=\"orchestrator\"}, and press Show lines."
                                </p>
                            }
                                .into_any()
                        }
                        Some(Err(e)) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                        Some(Ok(a)) if a.lines.is_empty() => {
                            view! {
                                <p class="muted" data-testid="no-logs">
                                    {format!(
                                        "No lines from {} in this time range.",
                                        a.datasource_name,
                                    )}
                                </p>
                            }
                                .into_any()
                        }
                        Some(Ok(a)) => {
                            let derived = CompiledFields::new(&a.derived_fields);
                            let time = format!(
                                "from={}&to={}",
                                encode_component(&from.get_untracked()),
                                encode_component(&to.get_untracked()),
                            );
                            view! {
                                <p class="muted">
                                    {format!(
                                        "{} lines from {}, {}",
                                        a.lines.len(),
                                        a.datasource_name,
                                        direction.get_untracked().label(),
                                    )}
                                    {a
                                        .truncated
                                        .then_some(
                                            " (more in the range: narrow the query or the time range)",
                                        )}
                                </p>
                                <Warnings warnings=a.warnings.clone() />
                                <table class="data-table logs" data-testid="log-lines">
                                    <thead>
                                        <tr>
                                            <th>"Time"</th>
                                            <th>"Labels"</th>
                                            <th>"Line"</th>
                                            <th>"Trace"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {a
                                            .lines
                                            .into_iter()
                                            .map(|l| {
                                                let fields = parse_fields(&l.line);
                                                let level = level_of(&l.labels, &fields)
                                                    .unwrap_or_default();
                                                let trace = derived
                                                    .links(&l.line, &l.labels, &time)
                                                    .into_iter()
                                                    .map(|k| {
                                                        if k.to_trace {
                                                            // Derived fields: links to the trace view, or external (new tab, no referrer).
                                                            view! {
                                                                <a href=k.href data-testid="log-trace-link">
                                                                    {k.label}
                                                                </a>
                                                                " "
                                                            }
                                                                .into_any()
                                                        } else {
                                                            view! {
                                                                <a
                                                                    href=k.href
                                                                    target="_blank"
                                                                    rel="noopener noreferrer"
                                                                    data-testid="log-derived-link"
                                                                >
                                                                    {k.label}
                                                                </a>
                                                                " "
                                                            }
                                                                .into_any()
                                                        }
                                                    })
                                                    .collect_view();
                                                let context = context_href(
                                                    &l.labels,
                                                    &a.stream_labels,
                                                    &l.ts_ns,
                                                    datasource.get_untracked().as_deref(),
                                                );
                                                let context_name = format!(
                                                    "Show context of the line at {}",
                                                    DisplayZone::current().get().stamp(ns_ms(&l.ts_ns)),
                                                );
                                                let highlighted = highlight.get_untracked().as_deref()
                                                    == Some(l.ts_ns.as_str());
                                                view! {
                                                    <tr
                                                        data-testid="log-line"
                                                        data-level=level.clone()
                                                        data-highlighted=highlighted.to_string()
                                                        class=format!(
                                                            "level-{level}{}",
                                                            if highlighted { " highlight" } else { "" },
                                                        )
                                                    >
                                                        <td class="nowrap">
                                                            <Time ms=ns_ms(&l.ts_ns) millis=true />
                                                        </td>
                                                        <td class="muted small">
                                                            {l
                                                                .labels
                                                                .iter()
                                                                .map(|(k, v)| format!("{k}={v}"))
                                                                .collect::<Vec<_>>()
                                                                .join(" ")}
                                                        </td>
                                                        <td class="mono">
                                                            <details class="log-line" data-testid="log-line-details">
                                                                <summary data-testid="log-line-text">{l.line}</summary>
                                                                {(!fields.is_empty())
                                                                    .then(|| {
                                                                        view! {
                                                                            // An explicit tbody: the HTML parser adds one, and hydration must see the same tree.
                                                                            <table class="fields" data-testid="log-fields">
                                                                                <tbody>
                                                                                    {fields
                                                                                        .into_iter()
                                                                                        .map(|(k, v)| {
                                                                                            view! {
                                                                                                <tr>
                                                                                                    <th>{k}</th>
                                                                                                    <td>{v}</td>
                                                                                                </tr>
                                                                                            }
                                                                                        })
                                                                                        .collect_view()}
                                                                                </tbody>
                                                                            </table>
                                                                        }
                                                                    })}
                                                                <a
                                                                    href=context
                                                                    aria-label=context_name
                                                                    data-testid="log-context-link"
                                                                >
                                                                    "Show context"
                                                                </a>
                                                                <span class="muted small">
                                                                    " (this stream, a minute either side, oldest first)"
                                                                </span>
                                                            </details>
                                                        </td>
                                                        <td>{trace}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
