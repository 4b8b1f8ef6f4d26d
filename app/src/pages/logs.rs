//! Explore in logs mode (`/explore?mode=logs&query=<LogQL>&from=…&to=…`): the lines of a LogQL
//! query from Loki, newest first, rendered on the server. Alerts link here with their labels and
//! active window.

use crate::api::logs::{logs_volume, query_logs};
use crate::components::feedback::{ErrorNotice, Warnings};
use crate::components::pickers::use_range;
use crate::components::query_editor::{QueryEditor, QueryLang};
use crate::components::zone::Time;
use crate::contexts::DisplayZone;
use crate::contexts::RefreshTick;
use crate::model::datasource::correlations::CompiledFields;
use crate::model::links::{explore_logs_with, Hop};
use crate::model::logs::{
    level_of, parse_fields, stream_selector, Direction, LogLine, DEFAULT_LIMIT, MAX_LIMIT,
};
use crate::model::numbers::thousands;
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
                {format!(
                    "{} lines in the range, {}s per bar · ",
                    thousands(v.total as usize),
                    v.step_s,
                )}{legend} " · click a bar to zoom in"
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
    // Where this page's window starts (the no-JavaScript "Next lines" link sets it).
    let cursor = Memo::new(move |_| query.with(|q| q.get("cursor")));
    // The line "show context" came from, outlined in the context view.
    let highlight = Memo::new(move |_| query.with(|q| q.get("highlight")));
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let result = crate::api::resource(
        move || {
            (
                expr.get(),
                from.get(),
                to.get(),
                datasource.get(),
                direction.get(),
                limit.get(),
                cursor.get(),
                tick.get(),
            )
        },
        |(expr, from, to, ds, direction, limit, cursor, _)| async move {
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
                        cursor,
                    )
                    .await,
                )
            }
        },
    );
    let volume = crate::api::resource(
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
        <crate::components::mode_tabs::ModeTabs
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
                            let total = volume.await.and_then(Result::ok).map(|v| v.total);
                            let rows = Rows {
                                derived: StoredValue::new(CompiledFields::new(&a.derived_fields)),
                                stream_labels: StoredValue::new(a.stream_labels.clone()),
                                time: StoredValue::new(
                                    format!(
                                        "from={}&to={}",
                                        encode_component(&from.get_untracked()),
                                        encode_component(&to.get_untracked()),
                                    ),
                                ),
                                datasource,
                                highlight,
                            };
                            let first = a.lines.len();
                            let more = RwSignal::new(Vec::<(usize, LogLine)>::new());
                            let next = RwSignal::new(a.next.clone());
                            let shown = move || first + more.with(Vec::len);
                            let name = a.datasource_name.clone();
                            // The exact count of lines in the range is the volume's.
                            view! {
                                <p class="muted" data-testid="logs-shown">
                                    {move || shown_text(
                                        shown(),
                                        total,
                                        &name,
                                        direction.get_untracked().label(),
                                        next.with(Option::is_some),
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
                                            .map(|l| log_row(l, rows))
                                            .collect_view()}
                                        <For each=move || more.get() key=|(i, _)| *i let:item>
                                            {log_row(item.1, rows)}
                                        </For>
                                    </tbody>
                                </table>
                                <NextLines
                                    next=next
                                    more=more
                                    first=first
                                    fetch=move |cursor| {
                                        query_logs(
                                            expr.get_untracked(),
                                            from.get_untracked(),
                                            to.get_untracked(),
                                            datasource.get_untracked(),
                                            Some(direction.get_untracked().as_str().to_string()),
                                            limit.get_untracked(),
                                            Some(cursor),
                                        )
                                    }
                                />
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// "200 lines of 100,000 in the range from Loki, newest first": what the page holds of what the
/// range has (the volume's exact count, when it answered).
pub fn shown_text(
    shown: usize,
    total: Option<u64>,
    datasource: &str,
    order: &str,
    more: bool,
) -> String {
    let lines = thousands(shown);
    match total {
        Some(t) if t as usize > shown => {
            format!(
                "{lines} lines of {} in the range from {datasource}, {order}",
                thousands(t as usize)
            )
        }
        _ if more => format!("{lines} lines from {datasource}, {order} (more in the range)"),
        _ => format!("{lines} lines from {datasource}, {order}"),
    }
}

/// What every log row needs from its page.
#[derive(Clone, Copy)]
struct Rows {
    derived: StoredValue<CompiledFields>,
    stream_labels: StoredValue<Vec<String>>,
    /// `from=…&to=…` for trace links.
    time: StoredValue<String>,
    datasource: Memo<Option<String>>,
    highlight: Memo<Option<String>>,
}

fn log_row(l: LogLine, rows: Rows) -> impl IntoView {
    let fields = parse_fields(&l.line);
    let level = level_of(&l.labels, &fields).unwrap_or_default();
    let trace = rows
        .derived
        .with_value(|d| rows.time.with_value(|t| d.links(&l.line, &l.labels, t)))
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
    let context = rows.stream_labels.with_value(|names| {
        context_href(
            &l.labels,
            names,
            &l.ts_ns,
            rows.datasource.get_untracked().as_deref(),
        )
    });
    let context_name = format!(
        "Show context of the line at {}",
        DisplayZone::current().get().stamp(ns_ms(&l.ts_ns)),
    );
    let highlighted = rows.highlight.get_untracked().as_deref() == Some(l.ts_ns.as_str());
    view! {
        <tr
            data-testid="log-line"
            data-level=level.clone()
            data-highlighted=highlighted.to_string()
            class=format!("level-{level}{}", if highlighted { " highlight" } else { "" })
        >
            <td class="nowrap">
                <Time ms=ns_ms(&l.ts_ns) millis=true />
            </td>
            <td class="muted small">
                {l.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")}
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
                    <a href=context aria-label=context_name data-testid="log-context-link">
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
}

/// The next window of lines: a link (`cursor=`: without JavaScript it opens that window), which
/// with JavaScript appends the window here instead, and does so by itself when the user scrolls
/// near it.
#[component]
fn NextLines<F, Fut>(
    next: RwSignal<Option<String>>,
    more: RwSignal<Vec<(usize, LogLine)>>,
    first: usize,
    fetch: F,
) -> impl IntoView
where
    F: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<crate::api::logs::LogsAnswer, crate::api::AppError>>
        + 'static,
{
    let query = use_query_map();
    let failure = RwSignal::new(None::<String>);
    let busy = StoredValue::new(false);
    let link = NodeRef::<leptos::html::A>::new();
    let load = move || {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            match fetch(cursor).await {
                Ok(b) => {
                    more.update(|m| {
                        let start = first + m.len();
                        m.extend(b.lines.into_iter().enumerate().map(|(k, l)| (start + k, l)));
                    });
                    failure.set(None);
                    next.set(b.next);
                }
                Err(e) => failure.set(Some(e.to_string())),
            }
            busy.set_value(false);
        });
    };
    follow_scroll(link, load);
    view! {
        {move || {
            next.get()
                .map(|cursor| {
                    let pairs = query.with_untracked(crate::components::pickers::current_pairs);
                    let href = format!(
                        "/explore{}",
                        crate::model::url_state::with_params(&pairs, &[("cursor", Some(&cursor))]),
                    );
                    view! {
                        <p>
                            <a
                                href=href
                                node_ref=link
                                data-testid="logs-more"
                                on:click=move |ev| {
                                    ev.prevent_default();
                                    load();
                                }
                            >
                                "Next lines"
                            </a>
                        </p>
                    }
                })
        }}
        {move || failure.get().map(|e| view! { <ErrorNotice message=e /> })}
    }
}

/// Loads the next window when the "Next lines" link comes within a screen of the viewport.
#[cfg(feature = "hydrate")]
fn follow_scroll(link: NodeRef<leptos::html::A>, load: impl Fn() + Clone + 'static) {
    let handle = window_event_listener(leptos::ev::scroll, move |_| {
        let Some(a) = link.get_untracked() else {
            return;
        };
        let height = window()
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        if a.get_bounding_client_rect().top() < 2.0 * height {
            load();
        }
    });
    on_cleanup(move || handle.remove());
}

#[cfg(not(feature = "hydrate"))]
fn follow_scroll(_link: NodeRef<leptos::html::A>, _load: impl Fn() + Clone + 'static) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_says_how_many_lines_of_how_many() {
        assert_eq!(
            shown_text(200, Some(100_000), "Loki", "newest first", true),
            "200 lines of 100,000 in the range from Loki, newest first"
        );
        assert_eq!(
            shown_text(7, Some(7), "Loki", "oldest first", false),
            "7 lines from Loki, oldest first"
        );
        assert_eq!(
            shown_text(100, None, "Loki", "newest first", true),
            "100 lines from Loki, newest first (more in the range)"
        );
    }
}
