//! Traces: Explore's traces mode (`/explore?mode=traces&service=…`: search by service,
//! operation, tags, duration bounds and limit; a duration-over-time scatter plus a list) and the
//! trace view (`/trace/:id`: a waterfall with a collapsible span tree, service colours, error
//! spans and the critical path marked, span details, and "Logs for this span").

use crate::api::traces::{
    find_spans, get_trace, read_span, search_traces, trace_rows, SpanDetail, TraceDetail,
    WindowQuery, WINDOW,
};
use crate::components::feedback::{set_status_for, ErrorNotice};
use crate::components::pager::Pager;
use crate::components::zone::Time;
use crate::model::numbers::thousands;
use crate::model::time_range::{DEFAULT_FROM, DEFAULT_TO};
use crate::model::trace_window::{Fold, MinimapBucket, SpanMatches, TraceWindow, WindowRow};
use crate::model::traces::TraceQuery;
use crate::model::url_state::encode_component;
use crate::model::waterfall::{format_us, service_color, TraceDot, TraceOrder, HITS_PER_PAGE};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

fn param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name)).unwrap_or_default())
}

/// Duration (y) over start time (x), error traces in red; each dot links to its trace.
fn scatter_svg(hits: &[TraceDot], ds: &str) -> impl IntoView {
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
            let color = if hit.failed { "#e02f44" } else { "#3274d9" };
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
                            <title>{hit.label.clone()}</title>
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
    let (sort, page) = (param("sort"), param("page"));
    let result = crate::api::resource(
        move || {
            (
                (service.get(), operation.get(), tags.get()),
                (min_d.get(), max_d.get(), limit.get()),
                (from.get(), to.get(), datasource.get()),
                (sort.get(), page.get()),
            )
        },
        |((s, o, t), (mi, ma, l), (f, to, d), (sort, page))| {
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
                sort,
                page,
            })
        },
    );
    view! {
        <Title text="Explore traces" />
        <h1>"Explore · traces"</h1>
        <crate::components::mode_tabs::ModeTabs
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
                match result.await {
                    Err(e) => {
                        view! {
                            <SearchForm services=vec![] operations=vec![] />
                            <ErrorNotice message=e.to_string() />
                        }
                            .into_any()
                    }
                    Ok(r) => {
                        let ds = r.datasource_uid.clone();
                        let order = TraceOrder::parse(&r.sort);
                        // The order the server sorted this answer in (not the URL's, which runs
                        // ahead while the next answer loads).
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
                                    {scatter_svg(&r.dots, &ds)}
                                    <p class="muted">{format!("Traces {}", order.label())}</p>
                                    <Pager
                                        first=r.first
                                        shown=r.hits.len()
                                        total=r.dots.len()
                                        per_page=HITS_PER_PAGE
                                        noun="traces"
                                    />
                                    <table
                                        class="data-table"
                                        data-testid="trace-results"
                                        data-sort=order.param()
                                    >
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
                                            {r
                                                .hits
                                                .iter()
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

#[component]
pub fn TracePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let (datasource, row) = (param("datasource"), param("row"));
    let data = crate::api::resource(
        move || (id.get(), datasource.get(), row.get()),
        |(id, ds, row)| get_trace(id, Some(ds).filter(|d| !d.is_empty()), row.parse().ok()),
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
                    Ok(d) => {
                        let ds = Some(datasource.get_untracked()).filter(|d| !d.is_empty());
                        view! { <Waterfall detail=d datasource=ds /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// What the waterfall's handlers share: the window shown and how to ask for another.
#[derive(Clone, Copy)]
struct Rows {
    trace_id: StoredValue<String>,
    datasource: StoredValue<Option<String>>,
    window: RwSignal<TraceWindow>,
    failure: RwSignal<Option<String>>,
    /// A window request is in flight: scrolling meanwhile waits for it (which then looks again).
    busy: StoredValue<bool>,
    scroller: NodeRef<leptos::html::Div>,
}

impl Rows {
    /// Asks for the window from `offset` under `fold` (revealing `reveal`), then catches up with
    /// any scrolling done meanwhile.
    fn fetch(self, fold: Fold, offset: usize, reveal: Option<usize>) {
        self.busy.set_value(true);
        leptos::task::spawn_local(async move {
            let query = WindowQuery {
                trace_id: self.trace_id.get_value(),
                datasource: self.datasource.get_value(),
                fold,
                offset,
                limit: WINDOW,
                reveal,
            };
            let answer = trace_rows(query).await;
            self.busy.set_value(false);
            match answer {
                Ok(w) => {
                    let revealed = w.revealed_at;
                    self.failure.set(None);
                    self.window.set(w);
                    match revealed {
                        Some(at) => scroll_to_row(self.scroller, at),
                        None => self.follow_scroll(),
                    }
                }
                Err(e) => self.failure.set(Some(e.to_string())),
            }
        });
    }

    /// After a scroll: when the viewport shows rows outside the window, ask for the window
    /// around them (a third of it above, so scrolling back up does not ask again at once).
    fn follow_scroll(self) {
        let Some((first, last)) = viewport_rows(self.scroller) else {
            return;
        };
        if self.busy.get_value() {
            return;
        }
        let w = self.window.get_untracked();
        let end = w.offset + w.rows.len();
        if first < w.offset || (last > end && end < w.visible) {
            self.fetch(w.fold, first.saturating_sub(WINDOW / 3), None);
        }
    }
}

/// The height of one drawn row (rows have one fixed height, `--row-h`), once one is drawn.
#[cfg(feature = "hydrate")]
fn row_height(scroller: &web_sys::Element) -> Option<i32> {
    use wasm_bindgen::JsCast;
    let row = scroller.query_selector(".span-row").ok()??;
    Some(
        row.dyn_into::<web_sys::HtmlElement>()
            .ok()?
            .offset_height()
            .max(1),
    )
}

/// The rows the scroller shows, `(first, last)`, from its scroll position and a row's height.
#[cfg(feature = "hydrate")]
fn viewport_rows(scroller: NodeRef<leptos::html::Div>) -> Option<(usize, usize)> {
    let el = scroller.get_untracked()?;
    let h = f64::from(row_height(&el)?);
    let top = f64::from(el.scroll_top());
    let first = (top / h) as usize;
    Some((
        first,
        ((top + f64::from(el.client_height())) / h).ceil() as usize,
    ))
}

#[cfg(not(feature = "hydrate"))]
fn viewport_rows(_scroller: NodeRef<leptos::html::Div>) -> Option<(usize, usize)> {
    None
}

/// Scrolls the waterfall so that visible row `at` shows, a few rows from the top.
#[cfg(feature = "hydrate")]
fn scroll_to_row(scroller: NodeRef<leptos::html::Div>, at: usize) {
    // After the new rows are drawn, so that a row's height can be measured.
    request_animation_frame(move || {
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let h = row_height(&el).unwrap_or(26);
        el.set_scroll_top((at.saturating_sub(3) as i32) * h);
    });
}

#[cfg(not(feature = "hydrate"))]
fn scroll_to_row(_scroller: NodeRef<leptos::html::Div>, _at: usize) {}

#[component]
fn Waterfall(detail: TraceDetail, datasource: Option<String>) -> impl IntoView {
    let TraceDetail {
        datasource_name,
        hit,
        warnings,
        orphans,
        minimap,
        window,
    } = detail;
    let rows = Rows {
        trace_id: StoredValue::new(hit.trace_id.clone()),
        datasource: StoredValue::new(datasource),
        window: RwSignal::new(window),
        failure: RwSignal::new(None),
        busy: StoredValue::new(false),
        scroller: NodeRef::new(),
    };
    let selected = RwSignal::new(None::<usize>);
    let details = RwSignal::new(None::<Result<SpanDetail, String>>);
    let select = move |span: usize| {
        if selected.get_untracked() == Some(span) {
            selected.set(None);
            return;
        }
        selected.set(Some(span));
        details.set(None);
        leptos::task::spawn_local(async move {
            let answer = read_span(rows.trace_id.get_value(), rows.datasource.get_value(), span)
                .await
                .map_err(|e| e.to_string());
            // A later click wins.
            if selected.get_untracked() == Some(span) {
                details.set(Some(answer));
            }
        });
    };
    let window = rows.window;
    let minimap = minimap_svg(&minimap);
    let permalink = {
        let ds = rows.datasource.get_value();
        match ds {
            Some(d) => format!(
                "/trace/{}?datasource={}",
                hit.trace_id,
                encode_component(&d)
            ),
            None => format!("/trace/{}", hit.trace_id),
        }
    };
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
                thousands(hit.spans),
                hit.services.len(),
                thousands(hit.errors),
                datasource_name,
            )}
        </p>
        {warnings
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
        <SpanFinder rows=rows select=select />
        <div class="trace-tools">
            <span class="small muted" data-testid="span-shown">
                {move || {
                    window.with(|w| { shown_text(w.offset, w.rows.len(), w.visible, hit.spans) })
                }}
            </span>
            <button
                type="button"
                data-testid="span-expand-all"
                on:click=move |_| rows.fetch(Fold::all_open(), 0, None)
            >
                "Expand all"
            </button>
            <button
                type="button"
                data-testid="span-collapse-all"
                on:click=move |_| rows.fetch(Fold::all_closed(), 0, None)
            >
                "Collapse all"
            </button>
        </div>
        <p class="small muted">
            "Bars on the critical path are outlined; error spans are red; a closed span counts the spans and errors under it. Click a span for its details."
        </p>
        {move || rows.failure.get().map(|e| view! { <ErrorNotice message=e /> })}
        <div
            class="waterfall"
            data-testid="waterfall"
            node_ref=rows.scroller
            on:scroll=move |_| rows.follow_scroll()
        >
            <div style=move || {
                window.with(|w| format!("height:calc(var(--row-h) * {})", w.offset))
            }></div>
            <For
                each=move || window.with(|w| w.rows.clone())
                key=|r| (r.span, r.open, r.descendants)
                let:r
            >
                <SpanRow r=r selected=selected select=select rows=rows />
            </For>
            <div style=move || {
                window
                    .with(|w| {
                        format!(
                            "height:calc(var(--row-h) * {})",
                            w.visible - w.offset - w.rows.len(),
                        )
                    })
            }></div>
        </div>
        {move || no_script_pager(window.get())}
        {move || {
            selected
                .get()
                .map(|_| match details.get() {
                    None => view! { <p class="muted">"Loading the span…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorNotice message=e /> }.into_any(),
                    Some(Ok(d)) => span_details(d, permalink.clone()).into_any(),
                })
        }}
    }
}

/// "rows 1–150 of 247 · 99,753 spans inside closed spans": what the window holds of the rows that
/// show, and what closed spans hide.
pub fn shown_text(offset: usize, len: usize, visible: usize, spans: usize) -> String {
    let range = match (len == visible, visible) {
        (true, 1) => "1 row".to_string(),
        (true, _) => format!("all {} rows", thousands(visible)),
        (false, _) => format!(
            "rows {}–{} of {}",
            thousands(offset + 1),
            thousands(offset + len),
            thousands(visible),
        ),
    };
    match spans.saturating_sub(visible) {
        0 => range,
        hidden => format!("{range} · {} spans inside closed spans", thousands(hidden)),
    }
}

/// Links to the previous and next windows: the waterfall pages without JavaScript too.
fn no_script_pager(w: TraceWindow) -> impl IntoView {
    let query = use_query_map();
    let pairs = query.with_untracked(crate::components::pickers::current_pairs);
    let link = |row: usize| {
        let path = use_location().pathname.get_untracked();
        format!(
            "{path}{}",
            crate::model::url_state::with_params(&pairs, &[("row", Some(&row.to_string()))])
        )
    };
    let end = w.offset + w.rows.len();
    view! {
        <p class="small trace-pager">
            {(w.offset > 0)
                .then(|| {
                    view! {
                        <a href=link(w.offset.saturating_sub(WINDOW)) data-testid="span-earlier">
                            "Earlier rows"
                        </a>
                    }
                })} " "
            {(end < w.visible)
                .then(|| {
                    view! {
                        <a href=link(end) data-testid="span-later">
                            "Later rows"
                        </a>
                    }
                })}
        </p>
    }
}

fn minimap_svg(buckets: &[MinimapBucket]) -> String {
    let n = buckets.len().max(1);
    let bars: String = buckets
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let color = if b.error { "#e02f44" } else { b.color.as_str() };
            format!(
                "<rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"1\" fill=\"{color}\"/>",
                b.start * 1000.0,
                k,
                ((b.end - b.start) * 1000.0).max(1.0),
            )
        })
        .collect();
    format!(
        "<svg viewBox=\"0 0 1000 {n}\" preserveAspectRatio=\"none\" class=\"trace-minimap\" data-testid=\"trace-minimap\">{bars}</svg>"
    )
}

/// Find a span by service, operation, span id, `key=value` tag or `error`; step through the
/// matches (each opens the tree to it, scrolls to it and shows its details).
#[component]
fn SpanFinder(rows: Rows, select: impl Fn(usize) + Copy + Send + Sync + 'static) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let matches = RwSignal::new(None::<Result<SpanMatches, String>>);
    let at = RwSignal::new(0usize);
    let go = move |k: usize| {
        let Some(Ok(m)) = matches.get_untracked() else {
            return;
        };
        let Some(&span) = m.spans.get(k) else {
            return;
        };
        at.set(k);
        rows.fetch(rows.window.get_untracked().fold, 0, Some(span));
        select(span);
    };
    let find = move || {
        let query = text.get_untracked();
        leptos::task::spawn_local(async move {
            let answer = find_spans(
                rows.trace_id.get_value(),
                rows.datasource.get_value(),
                query,
            )
            .await
            .map_err(|e| e.to_string());
            matches.set(Some(answer));
            go(0);
        });
    };
    let step = move |forward: bool| {
        let n = matches.with_untracked(|m| {
            m.as_ref()
                .and_then(|m| m.as_ref().ok())
                .map_or(0, |m| m.spans.len())
        });
        if n > 0 {
            go(if forward {
                (at.get_untracked() + 1) % n
            } else {
                (at.get_untracked() + n - 1) % n
            });
        }
    };
    view! {
        <form
            class="query-form span-find"
            data-testid="span-find"
            on:submit=move |ev| {
                ev.prevent_default();
                find();
            }
        >
            <label>
                "Find span "
                <input
                    type="search"
                    placeholder="service, operation, key=value, error"
                    data-testid="span-find-input"
                    prop:value=text
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" data-testid="span-find-go">
                "Find"
            </button>
            {move || {
                matches
                    .get()
                    .map(|m| match m {
                        Err(e) => view! { <span class="field-error">{e}</span> }.into_any(),
                        Ok(m) if m.total == 0 => {
                            view! {
                                <span class="muted" data-testid="span-find-count">
                                    "no span matches"
                                </span>
                            }
                                .into_any()
                        }
                        Ok(m) => {
                            view! {
                                <span class="muted" data-testid="span-find-count">
                                    {move || match_text(at.get(), m.spans.len(), m.total)}
                                </span>
                                <button
                                    type="button"
                                    on:click=move |_| step(false)
                                    aria-label="Previous match"
                                >
                                    "↑"
                                </button>
                                <button
                                    type="button"
                                    data-testid="span-find-next"
                                    on:click=move |_| step(true)
                                    aria-label="Next match"
                                >
                                    "↓"
                                </button>
                            }
                                .into_any()
                        }
                    })
            }}
        </form>
    }
}

/// "3 of 17 matches", or "3 of the first 1,000 of 4,210 matches" when the list is cut.
pub fn match_text(at: usize, listed: usize, total: usize) -> String {
    if listed < total {
        format!(
            "{} of the first {} of {} matches",
            at + 1,
            thousands(listed),
            thousands(total)
        )
    } else {
        format!("{} of {} matches", at + 1, thousands(total))
    }
}

#[component]
fn SpanRow(
    r: WindowRow,
    selected: RwSignal<Option<usize>>,
    select: impl Fn(usize) + Copy + Send + Sync + 'static,
    rows: Rows,
) -> impl IntoView {
    let span_index = r.span;
    let is_selected = move || selected.get() == Some(span_index);
    let color = service_color(&r.service);
    let hidden = (!r.open && r.descendants > 0).then(|| {
        let errors = if r.errors_below > 0 {
            format!(", {} failed", thousands(r.errors_below))
        } else {
            String::new()
        };
        format!("{} spans{errors}", thousands(r.descendants))
    });
    // A closed span with failures under it says so in red.
    let hidden_class = if r.errors_below > 0 {
        "badge span-hidden state-firing"
    } else {
        "badge span-hidden"
    };
    view! {
        <div
            class="span-row"
            class:error=r.error
            class:critical=r.critical
            class:selected=is_selected
            data-testid="span-row"
            data-service=r.service.clone()
            data-critical=r.critical.to_string()
            data-error=r.error.to_string()
            data-duration-us=r.duration_us.to_string()
            on:click=move |_| select(span_index)
        >
            <div class="span-name" style=format!("padding-left:{}rem", r.depth as f64 * 0.9)>
                {(r.children > 0)
                    .then(|| {
                        view! {
                            <button
                                class="span-toggle"
                                data-testid="span-toggle"
                                aria-expanded=r.open.to_string()
                                on:click=move |ev| {
                                    ev.stop_propagation();
                                    let w = rows.window.get_untracked();
                                    rows.fetch(w.fold.toggle(span_index), w.offset, None);
                                }
                            >
                                {if r.open { "▾" } else { "▸" }}
                            </button>
                        }
                    })}
                // A button, so the keyboard reaches every span: its click bubbles to the row,
                // which opens the details.
                <button
                    type="button"
                    class="span-open"
                    data-testid="span-open"
                    aria-expanded=move || is_selected().to_string()
                    aria-label=format!(
                        "{} {}, {}{}",
                        r.service,
                        r.operation,
                        format_us(r.duration_us),
                        if r.error { ", failed" } else { "" },
                    )
                >
                    <span class="swatch" style=format!("background:{color}")></span>
                    {r
                        .orphan
                        .then(|| {
                            view! {
                                <span title="parent not in this trace" data-testid="span-orphan">
                                    "⚠ "
                                </span>
                            }
                        })}
                    <strong>{r.service.clone()}</strong>
                    " "
                    <span data-testid="span-operation">{r.operation.clone()}</span>
                </button>
                {hidden
                    .map(|h| {
                        view! {
                            <span class=hidden_class data-testid="span-hidden">
                                {h}
                            </span>
                        }
                    })}
            </div>
            <div class="span-timeline">
                <div
                    class="span-bar"
                    style=format!(
                        "left:{:.3}%;width:{:.3}%;background:{}",
                        r.offset * 100.0,
                        r.width * 100.0,
                        if r.error { "#e02f44" } else { color },
                    )
                ></div>
            </div>
            <div class="span-duration small">{format_us(r.duration_us)}</div>
        </div>
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

fn span_details(d: SpanDetail, permalink: String) -> impl IntoView {
    let SpanDetail {
        span: s,
        trace_start_us: start,
        logs_href,
    } = d;
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
            {kv_table("Process", s.process_tags.to_vec())}
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_says_what_it_shows_of_what() {
        assert_eq!(shown_text(0, 11, 11, 11), "all 11 rows");
        assert_eq!(
            shown_text(0, 150, 247, 100_000),
            "rows 1–150 of 247 · 99,753 spans inside closed spans"
        );
        assert_eq!(
            shown_text(0, 1, 1, 100_000),
            "1 row · 99,999 spans inside closed spans"
        );
        assert_eq!(match_text(2, 17, 17), "3 of 17 matches");
        assert_eq!(
            match_text(0, 1_000, 4_210),
            "1 of the first 1,000 of 4,210 matches"
        );
    }
}
