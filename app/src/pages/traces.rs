//! Traces: Explore's traces mode (`/explore?mode=traces&service=…`: search by service,
//! operation, tags, duration bounds and limit; a duration-over-time scatter plus a list) and the
//! trace view (`/trace/:id`: a waterfall with a collapsible span tree, service colours, error
//! spans and the critical path marked, span details, and "Logs for this span").

use crate::api::traces::{get_trace, search_traces, TraceDetail};
use crate::components::feedback::{set_status_for, ErrorNotice};
use crate::components::zone::Time;
use crate::model::time_range::{DEFAULT_FROM, DEFAULT_TO};
use crate::model::traces::TraceQuery;
use crate::model::url_state::encode_component;
use crate::model::waterfall::{format_us, service_color, TraceHit};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::HashSet;

fn param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name)).unwrap_or_default())
}

/// Duration (y) over start time (x), error traces in red; each dot links to its trace.
fn scatter_svg(hits: &[TraceHit], ds: &str) -> impl IntoView {
    let (w, h, pad) = (900.0, 160.0, 30.0);
    let t0 = hits.iter().map(|h| h.start_us).min().unwrap_or(0);
    let t1 = hits
        .iter()
        .map(|h| h.start_us)
        .max()
        .unwrap_or(t0)
        .max(t0 + 1);
    let dmax = hits.iter().map(|h| h.duration_us).max().unwrap_or(1).max(1) as f64;
    let dots = hits
        .iter()
        .map(|hit| {
            let x = pad + (hit.start_us - t0) as f64 / (t1 - t0) as f64 * (w - 2.0 * pad);
            let y = h - pad / 2.0 - hit.duration_us as f64 / dmax * (h - pad);
            let href = format!(
                "/trace/{}?datasource={}",
                hit.trace_id,
                encode_component(ds)
            );
            let color = if hit.errors > 0 { "#e02f44" } else { "#3274d9" };
            // `<g>` keeps the anchor an SVG one (see the log volume bars).
            view! {
                <g>
                    <a href=href data-testid="trace-dot">
                        <circle
                            cx=format!("{x:.1}")
                            cy=format!("{y:.1}")
                            r="5"
                            fill=color
                            fill-opacity="0.7"
                        >
                            <title>
                                {format!(
                                    "{} {} · {}",
                                    hit.root_service,
                                    hit.root_operation,
                                    format_us(hit.duration_us),
                                )}
                            </title>
                        </circle>
                    </a>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="trace-scatter"
            viewBox=format!("0 0 {w} {h}")
            data-testid="trace-scatter"
            role="group"
            aria-label="Trace duration over time"
        >
            <line
                x1=pad
                y1=h - pad / 2.0
                x2=w - pad
                y2=h - pad / 2.0
                stroke="currentColor"
                stroke-opacity="0.3"
            />
            <text x="2" y="12" font-size="11" fill="currentColor">
                {format_us(dmax as i64)}
            </text>
            {dots}
        </svg>
    }
}

#[component]
pub fn TracesExplore() -> impl IntoView {
    let (service, operation, tags) = (param("service"), param("operation"), param("tags"));
    let (min_d, max_d, limit) = (param("minDuration"), param("maxDuration"), param("limit"));
    let (from, to, datasource) = (param("from"), param("to"), param("datasource"));
    let sort = param("sort");
    let result = Resource::new(
        move || {
            (
                service.get(),
                operation.get(),
                tags.get(),
                min_d.get(),
                max_d.get(),
                limit.get(),
                from.get(),
                to.get(),
                datasource.get(),
            )
        },
        |(s, o, t, mi, ma, l, f, to, d)| {
            let f = if f.is_empty() {
                DEFAULT_FROM.to_string()
            } else {
                f
            };
            let to = if to.is_empty() {
                DEFAULT_TO.to_string()
            } else {
                to
            };
            search_traces(TraceQuery {
                service: s,
                operation: o,
                tags: t,
                min_duration: mi,
                max_duration: ma,
                limit: l,
                from: f,
                to,
                datasource: Some(d).filter(|d| !d.is_empty()),
            })
        },
    );
    view! {
        <Title text="Explore traces" />
        <h1>"Explore · traces"</h1>
        <crate::pages::explore::ModeTabs
            current="traces"
            labels=Signal::derive(move || {
                let s = service.get();
                (!s.is_empty()).then(|| ("service".to_string(), s)).into_iter().collect()
            })
        />
        <Transition fallback=|| {
            view! { <p class="muted">"Searching…"</p> }
        }>
            {move || Suspend::new(async move {
                let order = TraceOrder::parse(&sort.get());
                match result.await {
                    Err(e) => {
                        // Read before the await so a new `sort` re-renders without a new search.
                        view! {
                            <SearchForm services=vec![] operations=vec![] />
                            <ErrorNotice message=e.to_string() />
                        }
                            .into_any()
                    }
                    Ok(r) => {
                        let ds = r.datasource_uid.clone();
                        view! {
                            <SearchForm
                                services=r.services.clone()
                                operations=r.operations.clone()
                            />
                            {r
                                .services_error
                                .clone()
                                .map(|e| view! { <p class="field-error">{e}</p> })}
                            <p class="muted">{format!("From {}", r.datasource_name)}</p>
                            {if service.get_untracked().is_empty() {
                                view! {
                                    <p class="muted" data-testid="trace-hint">
                                        "Pick a service and press Find traces."
                                    </p>
                                }
                                    .into_any()
                            } else if r.hits.is_empty() {
                                view! {
                                    <p class="muted" data-testid="trace-none">
                                        "No traces match in this time range."
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    {scatter_svg(&r.hits, &ds)}
                                    <p class="muted">
                                        {format!("{} traces, {}", r.hits.len(), order.label())}
                                    </p>
                                    <table class="data-table" data-testid="trace-results">
                                        <thead>
                                            <tr>
                                                {sort_header(TraceOrder::Start, order, "Start", "")}
                                                <th>"Trace"</th>
                                                {sort_header(
                                                    TraceOrder::Duration,
                                                    order,
                                                    "Duration",
                                                    "num",
                                                )} {sort_header(TraceOrder::Spans, order, "Spans", "num")}
                                                {sort_header(TraceOrder::Errors, order, "Errors", "num")}
                                                <th>"Services"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {sorted_hits(&r.hits, order)
                                                .into_iter()
                                                .map(|h| {
                                                    let href = format!(
                                                        "/trace/{}?datasource={}",
                                                        h.trace_id,
                                                        encode_component(&ds),
                                                    );
                                                    view! {
                                                        <tr
                                                            data-testid="trace-hit"
                                                            data-errors=h.errors.to_string()
                                                        >
                                                            <td class="small">
                                                                <Time ms=h.start_us / 1000 />
                                                            </td>
                                                            <td>
                                                                <a href=href data-testid="trace-link">
                                                                    {format!("{}: {}", h.root_service, h.root_operation)}
                                                                </a>
                                                                <span class="muted mono small">
                                                                    {h.trace_id.chars().take(12).collect::<String>()}
                                                                </span>
                                                            </td>
                                                            <td class="num">{format_us(h.duration_us)}</td>
                                                            <td class="num">{h.spans}</td>
                                                            <td class="num">
                                                                {(h.errors > 0)
                                                                    .then(|| {
                                                                        view! { <span class="badge state-firing">{h.errors}</span> }
                                                                    })}
                                                            </td>
                                                            <td class="small">
                                                                {h
                                                                    .services
                                                                    .iter()
                                                                    .map(|(s, n)| {
                                                                        view! {
                                                                            <span
                                                                                class="label"
                                                                                style=format!("border-left:3px solid {}", service_color(s))
                                                                            >
                                                                                {format!("{s} ({n})")}
                                                                            </span>
                                                                        }
                                                                    })
                                                                    .collect_view()}
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                }
                                    .into_any()
                            }}
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// How trace results are sorted (`sort=` in the URL), always the largest or newest first.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TraceOrder {
    Start,
    Duration,
    Spans,
    Errors,
}

impl TraceOrder {
    pub fn parse(s: &str) -> TraceOrder {
        match s {
            "duration" => TraceOrder::Duration,
            "spans" => TraceOrder::Spans,
            "errors" => TraceOrder::Errors,
            _ => TraceOrder::Start,
        }
    }

    fn param(self) -> &'static str {
        match self {
            TraceOrder::Start => "start",
            TraceOrder::Duration => "duration",
            TraceOrder::Spans => "spans",
            TraceOrder::Errors => "errors",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TraceOrder::Start => "newest first",
            TraceOrder::Duration => "slowest first",
            TraceOrder::Spans => "most spans first",
            TraceOrder::Errors => "most errors first",
        }
    }
}

/// The hits in `order` (ties: newest first).
pub fn sorted_hits(hits: &[TraceHit], order: TraceOrder) -> Vec<TraceHit> {
    let mut out = hits.to_vec();
    out.sort_by_key(|h| {
        let key = match order {
            TraceOrder::Start => h.start_us,
            TraceOrder::Duration => h.duration_us,
            TraceOrder::Spans => h.spans as i64,
            TraceOrder::Errors => h.errors as i64,
        };
        (std::cmp::Reverse(key), std::cmp::Reverse(h.start_us))
    });
    out
}

/// A column header that sorts by it (a link: works without JavaScript), marked when active.
fn sort_header(
    col: TraceOrder,
    current: TraceOrder,
    label: &'static str,
    class: &'static str,
) -> impl IntoView {
    let query = use_query_map();
    let pairs = query.with_untracked(crate::components::pickers::current_pairs);
    let href = format!(
        "/explore{}",
        crate::model::url_state::with_params(&pairs, &[("sort", Some(col.param()))])
    );
    let active = col == current;
    view! {
        <th class=class aria-sort=if active { "descending" } else { "none" }>
            <a href=href data-testid=format!("trace-sort-{}", col.param())>
                {label}
                {active.then_some(" ▾")}
            </a>
        </th>
    }
}

#[component]
fn SearchForm(services: Vec<String>, operations: Vec<String>) -> impl IntoView {
    let (service, operation, tags) = (param("service"), param("operation"), param("tags"));
    let (min_d, max_d, limit) = (param("minDuration"), param("maxDuration"), param("limit"));
    let (from, to, datasource) = (param("from"), param("to"), param("datasource"));
    let current = service.get_untracked();
    view! {
        <Form action="/explore" attr:class="query-form trace-form" attr:data-testid="trace-form">
            <input type="hidden" name="mode" value="traces" />
            {(!datasource.get_untracked().is_empty())
                .then(|| {
                    view! {
                        <input type="hidden" name="datasource" value=datasource.get_untracked() />
                    }
                })}
            {(!from.get_untracked().is_empty())
                .then(|| view! { <input type="hidden" name="from" value=from.get_untracked() /> })}
            {(!to.get_untracked().is_empty())
                .then(|| view! { <input type="hidden" name="to" value=to.get_untracked() /> })}
            <label>
                "Service " <select name="service" data-testid="trace-service">
                    <option value="">"—"</option>
                    {services
                        .into_iter()
                        .map(|s| {
                            let selected = s == current;
                            view! {
                                <option value=s.clone() selected=selected>
                                    {s.clone()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Operation "
                {if operations.is_empty() {
                    view! {
                        <input
                            type="text"
                            name="operation"
                            value=operation.get_untracked()
                            data-testid="trace-operation"
                        />
                    }
                        .into_any()
                } else {
                    let chosen = operation.get_untracked();
                    view! {
                        <select name="operation" data-testid="trace-operation">
                            <option value="">"All operations"</option>
                            {operations
                                .into_iter()
                                .map(|o| {
                                    let selected = o == chosen;
                                    view! {
                                        <option value=o.clone() selected=selected>
                                            {o.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    }
                        .into_any()
                }}
            </label>
            <label>
                "Tags "
                <input
                    type="text"
                    name="tags"
                    value=tags.get_untracked()
                    placeholder="error=true http.status_code=500"
                    data-testid="trace-tags"
                />
            </label>
            <label>
                "Min "
                <input
                    type="text"
                    name="minDuration"
                    size="6"
                    value=min_d.get_untracked()
                    placeholder="100ms"
                    data-testid="trace-min"
                />
            </label>
            <label>
                "Max "
                <input
                    type="text"
                    name="maxDuration"
                    size="6"
                    value=max_d.get_untracked()
                    placeholder="5s"
                    data-testid="trace-max"
                />
            </label>
            <label>
                "Limit "
                <input
                    type="number"
                    name="limit"
                    min="1"
                    max="1500"
                    value=if limit.get_untracked().is_empty() {
                        "20".to_string()
                    } else {
                        limit.get_untracked()
                    }
                    data-testid="trace-limit"
                />
            </label>
            <button type="submit" data-testid="trace-find">
                "Find traces"
            </button>
        </Form>
    }
}

/// Rows shown per page of a large trace; "Show more" adds the next page.
const PAGE: usize = 500;

#[component]
pub fn TracePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let datasource = param("datasource");
    let data = Resource::new(
        move || (id.get(), datasource.get()),
        |(id, ds)| get_trace(id, Some(ds).filter(|d| !d.is_empty())),
    );
    view! {
        // The head is written after the body: a title must not panic if the route's memo is gone
        // by then (seen once in the bench, on the 10,000-span trace page).
        <Title text=move || format!("Trace {}", id.try_get().unwrap_or_default()) />
        <Transition fallback=|| {
            view! { <p class="muted">"Loading the trace…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => {
                        set_status_for(&e);
                        view! {
                            <h1>"Trace " <span class="mono">{id.get_untracked()}</span></h1>
                            <ErrorNotice message=e.to_string() />
                        }
                            .into_any()
                    }
                    Ok(d) => view! { <Waterfall detail=d /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Waterfall(detail: TraceDetail) -> impl IntoView {
    let TraceDetail {
        datasource_name,
        trace,
        rows,
        hit,
        traces_to_logs,
    } = detail;
    let trace = StoredValue::new(trace);
    let traces_to_logs = StoredValue::new(traces_to_logs);
    let rows = StoredValue::new(rows);
    let collapsed = RwSignal::new(HashSet::<usize>::new());
    let selected = RwSignal::new(None::<usize>);
    let shown = RwSignal::new(PAGE);
    let orphans = rows.with_value(|r| r.iter().filter(|r| r.orphan).count());
    let total_rows = rows.with_value(|r| r.len());
    // Rows under a collapsed span are hidden: walk in order, skipping deeper rows.
    let visible = Memo::new(move |_| {
        let closed = collapsed.get();
        rows.with_value(|rows| {
            let mut out = Vec::new();
            let mut skip_below: Option<usize> = None;
            for (i, r) in rows.iter().enumerate() {
                if let Some(d) = skip_below {
                    if r.depth > d {
                        continue;
                    }
                    skip_below = None;
                }
                out.push(i);
                if closed.contains(&r.span) {
                    skip_below = Some(r.depth);
                }
            }
            out
        })
    });
    let minimap = rows.with_value(|rows| {
        let n = rows.len().max(1);
        let step = n.div_ceil(400);
        rows.iter()
            .step_by(step)
            .enumerate()
            .map(|(k, r)| {
                let color = trace.with_value(|t| service_color(&t.spans[r.span].service));
                format!(
                    "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"1.5\" fill=\"{color}\"/>",
                    r.offset * 1000.0,
                    k as f64 * 60.0 / (n / step).max(1) as f64,
                    (r.width * 1000.0).max(1.0)
                )
            })
            .collect::<String>()
    });
    let minimap = format!(
        "<svg viewBox=\"0 0 1000 62\" preserveAspectRatio=\"none\" class=\"trace-minimap\">{minimap}</svg>"
    );
    view! {
        <h1>
            {format!("{}: {}", hit.root_service, hit.root_operation)} " "
            <span class="muted mono small" data-testid="trace-id">
                {hit.trace_id.clone()}
            </span>
        </h1>
        <p class="muted" data-testid="trace-summary">
            {format!("{} · started ", format_us(hit.duration_us))}
            <Time ms=hit.start_us / 1000 millis=true />
            {format!(
                " · {} spans · {} services · {} errors · from {}",
                hit.spans,
                hit.services.len(),
                hit.errors,
                datasource_name,
            )}
        </p>
        {trace
            .with_value(|t| t.warnings.clone())
            .into_iter()
            .map(|w| {
                view! {
                    <p class="notice warning" data-testid="trace-warning">
                        {w}
                    </p>
                }
            })
            .collect_view()}
        {(orphans > 0)
            .then(|| {
                view! {
                    <p class="notice warning" data-testid="trace-orphans">
                        {format!(
                            "{orphans} spans name a parent that is not in this trace; they are shown as extra roots, marked ⚠",
                        )}
                    </p>
                }
            })}
        <div class="trace-minimap-host" inner_html=minimap></div>
        <p class="small muted">
            "Bars on the critical path are outlined; error spans are red. Click a span for its details."
        </p>
        <div class="waterfall" data-testid="waterfall">
            <For
                each=move || {
                    let v = visible.get();
                    v.into_iter().take(shown.get()).collect::<Vec<_>>()
                }
                key=|i| *i
                let:i
            >
                {move || {
                    let r = rows.with_value(|rows| rows[i].clone());
                    let s = trace.with_value(|t| t.spans[r.span].clone());
                    let span_index = r.span;
                    let open = move || !collapsed.with(|c| c.contains(&span_index));
                    let is_selected = move || selected.get() == Some(span_index);
                    let color = service_color(&s.service);
                    view! {
                        <div
                            class="span-row"
                            class:error=s.error
                            class:critical=r.critical
                            class:selected=is_selected
                            data-testid="span-row"
                            data-service=s.service.clone()
                            data-critical=r.critical.to_string()
                            data-error=s.error.to_string()
                            data-duration-us=s.duration_us.to_string()
                            on:click=move |_| {
                                selected
                                    .update(|v| {
                                        *v = if *v == Some(span_index) {
                                            None
                                        } else {
                                            Some(span_index)
                                        };
                                    })
                            }
                        >
                            <div
                                class="span-name"
                                style=format!("padding-left:{}rem", r.depth as f64 * 0.9)
                            >
                                {(r.children > 0)
                                    .then(|| {
                                        view! {
                                            <button
                                                class="span-toggle"
                                                data-testid="span-toggle"
                                                on:click=move |ev| {
                                                    ev.stop_propagation();
                                                    collapsed
                                                        .update(|c| {
                                                            if !c.remove(&span_index) {
                                                                c.insert(span_index);
                                                            }
                                                        });
                                                }
                                            >
                                                {move || if open() { "▾" } else { "▸" }}
                                            </button>
                                        }
                                    })}
                                // A button, so the keyboard reaches every span: its click bubbles to the
                                // row, which opens the details.
                                <button
                                    type="button"
                                    class="span-open"
                                    data-testid="span-open"
                                    aria-expanded=move || is_selected().to_string()
                                    aria-label=format!(
                                        "{} {}, {}{}",
                                        s.service,
                                        s.operation,
                                        format_us(s.duration_us),
                                        if s.error { ", failed" } else { "" },
                                    )
                                >
                                    <span class="swatch" style=format!("background:{color}")></span>
                                    {r
                                        .orphan
                                        .then(|| {
                                            view! {
                                                <span
                                                    title="parent not in this trace"
                                                    data-testid="span-orphan"
                                                >
                                                    "⚠ "
                                                </span>
                                            }
                                        })}
                                    <strong>{s.service.clone()}</strong>
                                    " "
                                    <span data-testid="span-operation">{s.operation.clone()}</span>
                                </button>
                            </div>
                            <div class="span-timeline">
                                <div
                                    class="span-bar"
                                    style=format!(
                                        "left:{:.3}%;width:{:.3}%;background:{}",
                                        r.offset * 100.0,
                                        r.width * 100.0,
                                        if s.error { "#e02f44" } else { color },
                                    )
                                ></div>
                            </div>
                            <div class="span-duration small">{format_us(s.duration_us)}</div>
                        </div>
                        {move || {
                            is_selected().then(|| span_details(trace, traces_to_logs, span_index))
                        }}
                    }
                }}
            </For>
        </div>
        {move || {
            (visible.with(|v| v.len()) > shown.get())
                .then(|| {
                    view! {
                        <button
                            data-testid="span-more"
                            on:click=move |_| shown.update(|n| *n += PAGE)
                        >
                            {move || {
                                format!(
                                    "Show {} more of {} spans",
                                    PAGE.min(visible.with(|v| v.len()) - shown.get()),
                                    total_rows,
                                )
                            }}
                        </button>
                    }
                })
        }}
    }
}

fn kv_table(title: &'static str, rows: Vec<(String, String)>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <h4>{title}</h4>
            <table class="kv small">
                {rows
                    .into_iter()
                    .map(|(k, v)| {
                        view! {
                            <tr>
                                <td class="muted">{k}</td>
                                <td class="mono">{v}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </table>
        }
    })
}

fn span_details(
    trace: StoredValue<crate::model::traces::TraceView>,
    traces_to_logs: StoredValue<crate::model::datasource::correlations::TracesToLogs>,
    i: usize,
) -> impl IntoView {
    // The trace's own link names its datasource, so it opens in the same backend.
    let permalink = {
        let ds = use_query_map().with_untracked(|q| q.get("datasource"));
        let id = trace.with_value(|t| t.trace_id.clone());
        match ds {
            Some(d) => format!("/trace/{id}?datasource={}", encode_component(&d)),
            None => format!("/trace/{id}"),
        }
    };
    let (s, trace_id, start) = trace.with_value(|t| {
        (
            t.spans[i].clone(),
            t.trace_id.clone(),
            t.spans.iter().map(|s| s.start_us).min().unwrap_or(0),
        )
    });
    // Logs for this span, as the tracing datasource's tracesToLogsV2 says (by default the
    // service's lines that carry the trace id, a minute either side of the span).
    let logs_href = traces_to_logs.with_value(|cfg| {
        let span = crate::model::datasource::correlations::SpanRef {
            trace_id: &trace_id,
            span_id: &s.span_id,
            service: &s.service,
            start_us: s.start_us,
            duration_us: s.duration_us,
            tags: &s.tags,
            process_tags: &s.process_tags,
        };
        crate::model::datasource::correlations::span_logs_query(cfg, &span).map(
            |(query, from_ms, to_ms)| {
                let hop = crate::model::links::Hop::range(&from_ms.to_string(), &to_ms.to_string())
                    .datasource(cfg.datasource_uid.as_deref());
                crate::model::links::explore_logs(&query, &hop)
            },
        )
    });
    view! {
        <div class="span-details" data-testid="span-details">
            <p>
                <strong>{s.operation.clone()}</strong>
                {format!(
                    " · {} · {} · starts at +{}",
                    s.service,
                    format_us(s.duration_us),
                    format_us(s.start_us - start),
                )}
                {s
                    .error
                    .then(|| {
                        view! {
                            " "
                            <span class="badge state-firing">"error"</span>
                        }
                    })}
                {logs_href
                    .map(|href| {
                        view! {
                            " "
                            <a href=href data-testid="span-logs-link">
                                "Logs for this span"
                            </a>
                        }
                    })}
            </p>
            <p class="small muted mono">
                {format!(
                    "span {}{}",
                    s.span_id,
                    s.parent_id.as_ref().map(|p| format!(" · parent {p}")).unwrap_or_default(),
                )}
            </p>
            {kv_table("Tags", s.tags.clone())}
            {kv_table("Process", s.process_tags.clone())}
            {(!s.logs.is_empty())
                .then(|| {
                    view! {
                        <h4>"Logs / events"</h4>
                        <ul class="small">
                            {s
                                .logs
                                .iter()
                                .map(|(t, fields)| {
                                    view! {
                                        <li>
                                            <span class="muted">
                                                {format!("+{} ", format_us(t - s.start_us))}
                                            </span>
                                            {fields
                                                .iter()
                                                .map(|(k, v)| format!("{k}={v}"))
                                                .collect::<Vec<_>>()
                                                .join(" ")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {(!s.references.is_empty())
                .then(|| {
                    view! {
                        <h4>"References"</h4>
                        <ul class="small mono">
                            {s
                                .references
                                .iter()
                                .map(|r| {
                                    view! {
                                        <li>
                                            {format!("{} {} / {}", r.kind, r.trace_id, r.span_id)}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            {s
                .warnings
                .iter()
                .map(|w| view! { <p class="notice warning small">{w.clone()}</p> })
                .collect_view()}
            <p class="small">
                <A href=permalink attr:data-testid="trace-permalink">
                    "Permalink"
                </A>
            </p>
        </div>
    }
}
