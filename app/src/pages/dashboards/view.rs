//! `/d/:uid/:slug` and `/d/:uid`: a dashboard with its variables, rows and panels, rendered with
//! data on the server (the first HTML has the charts) and refreshed without flicker afterwards.

use super::query_pairs;
use crate::api::AppError;
use crate::components::feedback::ErrorNotice;
use crate::components::panel::{PanelLinks, PanelView};
use crate::components::pickers::{
    auto_refresh, use_refresh, ComparePicker, RefreshPicker, TimePicker,
};
use crate::components::timeseries::zoned_time;
use crate::contexts::{ChartZone, Crosshair, LegendState, PoolsDown};
use crate::contexts::{PointsSource, RefreshTick};
use crate::model::dashboard::data::{DashboardView, LoadedPanels, PanelData, ResolvedVar};
use crate::model::dashboard::params::parse_panel_id;
use crate::model::dashboard::vars::{VarKind, ALL};
use crate::model::dashboard::{Panel, PanelKind};
use crate::model::links::Hop;
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};
use std::collections::BTreeMap;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let uid = Memo::new(move |_| params.with(|p| p.get("uid")).unwrap_or_default());
    let pairs = Memo::new(move |_| query.with(query_pairs));
    let tick = use_context::<RefreshTick>()
        .map(|t| t.0)
        .unwrap_or_else(|| RwSignal::new(0));
    let dash = Resource::<_, super::DrawnOnce>::new_with_options(
        move || (uid.get(), pairs.get(), tick.get()),
        |(uid, pairs, _)| crate::routes::dashboard_view((uid, pairs, None)),
        false,
    );
    provide_context(Crosshair(RwSignal::new(None)));
    provide_context(LegendState(RwSignal::new(BTreeMap::new())));
    view! {
        <Transition fallback=|| {
            view! { <p class="muted">"Loading dashboard…"</p> }
        }>
            {move || Suspend::new(async move {
                match dash.await {
                    Ok(v) => {
                        view! { <DashboardBody view=v pairs=pairs.get_untracked() /> }.into_any()
                    }
                    Err(AppError::NotFound(message)) => {
                        view! { <UnknownDashboard message /> }.into_any()
                    }
                    Err(e) => {
                        view! {
                            <Title text="Dashboard" />
                            <ErrorNotice message=e.to_string() />
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// 404 with a search box, so a stale link still gets the user somewhere.
#[component]
pub fn UnknownDashboard(message: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Dashboard not found" />
        <h1>"Dashboard not found"</h1>
        <div data-testid="dashboard-not-found">
            <ErrorNotice message=message />
            <form method="get" action="/dashboards" class="query-form">
                <label for="nf-query">"Search dashboards"</label>
                <input id="nf-query" type="search" name="query" data-testid="not-found-search" />
                <button type="submit">"Search"</button>
            </form>
        </div>
    }
}

fn flag(pairs: &[(String, String)], key: &str) -> bool {
    pairs.iter().any(|(k, v)| k == key && v != "false")
}

#[component]
fn DashboardBody(view: DashboardView, pairs: Vec<(String, String)>) -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    let d = view.dashboard.clone();
    let kiosk = flag(&pairs, "kiosk");
    let hide_time = flag(&pairs, "_dash.hideTimePicker");
    if kiosk {
        // No picker on a wall screen, but the dashboard's own refresh still runs.
        auto_refresh(use_refresh(d.refresh.clone()));
    }
    let hide_vars = kiosk || flag(&pairs, "_dash.hideVariables");
    let view_panel = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "viewPanel")
        .and_then(|(_, v)| parse_panel_id(v));
    let shared = d.graph_tooltip >= 1;
    let hop = Hop::range(&view.from, &view.to);
    let (from_ms, to_ms) = (view.from_ms, view.to_ms);
    let span = to_ms - from_ms;
    let zoom_out = format!(
        "{path}{}",
        with_params(
            &pairs,
            &[
                ("from", Some(&(from_ms - span / 2).to_string())),
                ("to", Some(&(to_ms + span / 2).to_string()))
            ]
        )
    );
    let data: BTreeMap<u32, PanelData> = view
        .panels
        .iter()
        .map(|p| (p.panel_id, p.clone()))
        .collect();
    let drawn = view.shown_drawn();
    let zone = ChartZone::provide(&view.timezone, view.utc_offset_min);
    provide_context(PoolsDown(view.pools_down.clone()));
    provide_context(view.grid);
    provide_context(PointsSource::new(
        d.uid.clone(),
        &pairs,
        from_ms,
        to_ms,
        view_panel.is_some(),
    ));
    // Named zones say their name and offset; `browser` and `utc` say the offset shown.
    let zone_label = {
        let name = view.timezone.clone();
        move |off: i32| match name.as_str() {
            "utc" | "browser" | "" => crate::model::timestamp::zone_label(off),
            name => format!("{name}, {}", crate::model::timestamp::zone_label(off)),
        }
    };
    let uid = d.uid.clone();
    let link = {
        let path = path.clone();
        let pairs = pairs.clone();
        move |id: Option<u32>| {
            let v = id.map(|i| i.to_string());
            format!(
                "{path}{}",
                with_params(&pairs, &[("viewPanel", v.as_deref())])
            )
        }
    };

    let body = match view_panel.and_then(|id| d.panel(id).cloned()) {
        Some(p) => {
            let back = link(None);
            view! {
                <div class="view-panel" data-testid="view-panel">
                    <PanelView
                        panel=p.clone()
                        data=data.get(&p.id).cloned()
                        from_ms=from_ms
                        to_ms=to_ms
                        shared_crosshair=false
                        solo=true
                        links=PanelLinks {
                            view: Some((back, "Back to dashboard")),
                        }
                        hop=hop.clone()
                        drawn=drawn.contains(&p.id)
                    />
                </div>
            }
            .into_any()
        }
        None => {
            let items = d
                .panels
                .iter()
                .map(|p| {
                    if p.kind == PanelKind::Row {
                        let children: Vec<(Panel, Option<PanelData>)> = p
                            .children
                            .iter()
                            .map(|c| (c.clone(), data.get(&c.id).cloned()))
                            .collect();
                        view! {
                            <RowView
                                row=p.clone()
                                children
                                uid=uid.clone()
                                pairs=pairs.clone()
                                from_ms
                                to_ms
                                shared
                                link=link.clone()
                                hop=hop.clone()
                            />
                        }
                        .into_any()
                    } else {
                        grid_item(
                            p.clone(),
                            data.get(&p.id).cloned(),
                            (from_ms, to_ms),
                            shared,
                            link(Some(p.id)),
                            hop.clone(),
                            drawn.contains(&p.id),
                        )
                    }
                })
                .collect_view();
            // The grid's real width, for the server's next drawing of this browser's charts.
            let grid = NodeRef::<leptos::html::Div>::new();
            let drawn_for = view.grid;
            Effect::new(move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(el) = grid.get() {
                    crate::contexts::measure_grid(&el, drawn_for);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (grid, drawn_for);
            });
            view! {
                <div class="dash-grid" data-testid="dashboard-grid" node_ref=grid>
                    {items}
                </div>
            }
            .into_any()
        }
    };

    view! {
        <Title text=d.title.clone() />
        <div class="dashboard" data-testid="dashboard" data-uid=d.uid.clone()>
            {(!kiosk)
                .then(|| {
                    view! {
                        <header class="dash-header">
                            <h1 data-testid="dashboard-title">
                                {(!view.folder.is_empty())
                                    .then(|| {
                                        view! {
                                            <span class="muted">{format!("{} / ", view.folder)}</span>
                                        }
                                    })} {d.title.clone()}
                            </h1>
                            <span class="muted" data-testid="dashboard-range">
                                {move || {
                                    format!(
                                        "{} → {} ({})",
                                        &zoned_time(from_ms, zone.get())[..16],
                                        &zoned_time(to_ms, zone.get())[..16],
                                        zone_label(zone.get()),
                                    )
                                }}
                            </span>
                            <span class="spacer"></span>
                            {(!hide_time)
                                .then(|| {
                                    view! {
                                        <TimePicker
                                            default_from=d.time_from.clone()
                                            default_to=d.time_to.clone()
                                        />
                                    }
                                })}
                            <RefreshPicker default=d.refresh.clone() />
                            <ComparePicker />
                            <a
                                class="button"
                                href=zoom_out
                                data-testid="zoom-out"
                                title="Zoom out (double the time range)"
                            >
                                "⊖ Zoom out"
                            </a>
                            <a
                                class="button"
                                href=format!("/api/dashboards/uid/{}", d.uid)
                                data-testid="dashboard-json"
                            >
                                "JSON"
                            </a>
                        </header>
                    }
                })}
            {(!hide_vars && !view.variables.iter().all(|v| v.hide >= 2))
                .then(|| {
                    view! {
                        <VariableBar
                            vars=view.variables.clone()
                            pairs=pairs.clone()
                            path=path.clone()
                        />
                    }
                })}
            {view
                .notices
                .iter()
                .map(|n| view! { <ErrorNotice message=n.clone() /> })
                .collect_view()}
            {body}
        </div>
    }
}

fn grid_item(
    panel: Panel,
    data: Option<PanelData>,
    (from_ms, to_ms): (i64, i64),
    shared: bool,
    view_href: String,
    hop: Hop,
    drawn: bool,
) -> AnyView {
    let style = format!(
        "grid-column:{} / span {};grid-row:span {}",
        panel.grid.x + 1,
        panel.grid.w,
        panel.grid.h
    );
    view! {
        <div class="grid-item" style=style>
            <PanelView
                panel
                data
                from_ms
                to_ms
                shared_crosshair=shared
                links=PanelLinks {
                    view: Some((view_href, "View")),
                }
                hop
                drawn
            />
        </div>
    }
    .into_any()
}

/// A row header; collapsed rows query their panels only when opened.
#[component]
fn RowView<L>(
    row: Panel,
    children: Vec<(Panel, Option<PanelData>)>,
    uid: String,
    pairs: Vec<(String, String)>,
    from_ms: i64,
    to_ms: i64,
    shared: bool,
    link: L,
    hop: Hop,
) -> impl IntoView
where
    L: Fn(Option<u32>) -> String + Clone + Send + Sync + 'static,
{
    let open = RwSignal::new(!row.collapsed);
    // The opened row's panels as load_row defines them; until its answer is in, the row shows
    // its panels' places ("Loading…"): the page's hydration data had only those.
    let loaded: RwSignal<Option<Result<LoadedPanels, String>>> = RwSignal::new(None);
    let needs_load = row.collapsed;
    let row_id = row.id;
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        if now_open && needs_load && loaded.get_untracked().is_none() {
            let (uid, pairs) = (uid.clone(), pairs.clone());
            leptos::task::spawn_local(async move {
                let r = crate::routes::dashboard_row((uid, pairs, row_id))
                    .await
                    .map_err(|e| e.to_string());
                loaded.set(Some(r));
            });
        }
    };
    let children = StoredValue::new(children);
    let count = children.with_value(|c| c.len());
    view! {
        <div
            class="grid-item row-header"
            style="grid-column:1 / span 24"
            data-testid="row"
            data-row-id=row_id.to_string()
        >
            <button
                type="button"
                class="row-toggle"
                aria-expanded=move || open.get().to_string()
                on:click=toggle
                data-testid="row-toggle"
            >
                {move || if open.get() { "▾ " } else { "▸ " }}
                {row.title.clone()}
                <span class="muted">
                    {move || (!open.get()).then(|| format!(" ({count} panels)"))}
                </span>
            </button>
        </div>
        {move || {
            if !open.get() {
                return ().into_any();
            }
            let fetched = loaded.get();
            if let Some(Err(e)) = &fetched {
                return view! {
                    <div class="grid-item" style="grid-column:1 / span 24">
                        <ErrorNotice message=e.clone() />
                    </div>
                }
                    .into_any();
            }
            let shown = match fetched {
                Some(Ok(rows)) => {
                    rows.panels
                        .into_iter()
                        .map(|p| {
                            let d = rows.data.iter().find(|d| d.panel_id == p.id).cloned();
                            (p, d)
                        })
                        .collect()
                }
                _ => children.get_value(),
            };
            shown
                .into_iter()
                .map(|(p, d)| {
                    let href = link(Some(p.id));
                    grid_item(p, d, (from_ms, to_ms), shared, href, hop.clone(), false)
                })
                .collect_view()
                .into_any()
        }}
    }
}

/// Variable pickers as a GET form: works without JavaScript (Apply), and submits on change
/// after hydration. Other URL parameters (time range, refresh, …) ride along as hidden fields.
#[component]
fn VariableBar(
    vars: Vec<ResolvedVar>,
    pairs: Vec<(String, String)>,
    path: String,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::Event| submit_enclosing_form(&ev);
    let pick = move |ev: leptos::ev::Event| {
        exclusive_all(&ev);
        submit_enclosing_form(&ev)
    };
    let names: Vec<String> = vars.iter().map(|v| format!("var-{}", v.name)).collect();
    let hidden: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| !names.contains(k) && k != "viewPanel")
        .collect();
    view! {
        <Form action=path attr:class="var-bar" attr:data-testid="variables">
            {hidden
                .into_iter()
                .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
                .collect_view()}
            {vars
                .into_iter()
                .filter(|v| v.hide < 2 && v.kind != VarKind::Constant)
                .map(|v| {
                    let name = format!("var-{}", v.name);
                    let id = format!("var-{}-input", v.name);
                    let label = (v.hide == 0)
                        .then(|| view! { <label for=id.clone()>{v.label.clone()}</label> });
                    let control = if v.kind == VarKind::Textbox {
                        view! {
                            <input
                                id=id.clone()
                                type="text"
                                name=name
                                value=v.selected.first().cloned().unwrap_or_default()
                                on:change=submit
                                data-testid=format!("var-{}", v.name)
                            />
                        }
                            .into_any()
                    } else {
                        let all_selected = v.selected.iter().any(|s| s == ALL);
                        let mut opts: Vec<(String, String, bool)> = Vec::new();
                        if v.include_all {
                            opts.push(("All".into(), ALL.into(), all_selected));
                        }
                        for o in &v.options {
                            opts.push((
                                o.text.clone(),
                                o.value.clone(),
                                !all_selected && v.selected.contains(&o.value),
                            ));
                        }
                        for s in &v.selected {
                            if !opts.iter().any(|(_, val, _)| val == s) {
                                opts.push((s.clone(), s.clone(), true));
                            }
                        }
                        if v.multi {
                            let chosen: Vec<String> = opts
                                .iter()
                                .filter(|o| o.2)
                                .map(|o| o.0.clone())
                                .collect();
                            let summary = if chosen.is_empty() {
                                "None".to_string()
                            } else {
                                chosen.join(" + ")
                            };
                            // A selected value that is not (or no longer) an option stays visible.
                            // A menu of checkboxes (same GET form: `var-x=a&var-x=b`), readable at any
                            // size, instead of the native multi-select's tiny listbox.
                            view! {
                                <details
                                    class="picker var-multi"
                                    data-testid=format!("var-{}", v.name)
                                >
                                    <summary
                                        id=id.clone()
                                        aria-label=format!("{}: {summary}", v.label)
                                    >
                                        {summary.clone()}
                                    </summary>
                                    <div class="menu" role="group" aria-label=v.label.clone()>
                                        {opts
                                            .into_iter()
                                            .map(|(t, val, sel)| {
                                                view! {
                                                    <label class="option">
                                                        <input
                                                            type="checkbox"
                                                            name=name.clone()
                                                            value=val
                                                            checked=sel
                                                            on:change=pick
                                                        />
                                                        {t}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </div>
                                </details>
                            }
                                .into_any()
                        } else {
                            view! {
                                <select
                                    id=id.clone()
                                    name=name
                                    on:change=submit
                                    data-testid=format!("var-{}", v.name)
                                >
                                    {opts
                                        .into_iter()
                                        .map(|(t, val, sel)| {
                                            view! {
                                                <option value=val selected=sel>
                                                    {t}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            }
                                .into_any()
                        }
                    };
                    view! {
                        <span class="var" data-testid="variable">
                            {label}
                            {control}
                            {v
                                .error
                                .map(|e| {
                                    view! {
                                        <span
                                            class="var-error"
                                            role="alert"
                                            data-testid="variable-error"
                                        >
                                            {e}
                                        </span>
                                    }
                                })}
                        </span>
                    }
                })
                .collect_view()}
            <noscript>
                <button type="submit">"Apply"</button>
            </noscript>
        </Form>
    }
}

/// Submits the form around the control that changed (the router turns it into navigation).
#[cfg(feature = "hydrate")]
fn submit_enclosing_form(ev: &leptos::ev::Event) {
    use wasm_bindgen::JsCast;
    let form = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("form").ok().flatten())
        .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
    if let Some(f) = form {
        let _ = f.request_submit();
    }
}

#[cfg(not(feature = "hydrate"))]
fn submit_enclosing_form(_ev: &leptos::ev::Event) {}

/// "All" and single values exclude each other, as in Grafana: checking All clears the values,
/// checking a value clears All.
#[cfg(feature = "hydrate")]
fn exclusive_all(ev: &leptos::ev::Event) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    if !input.checked() {
        return;
    }
    let is_all = input.value() == ALL;
    let Some(menu) = input.closest(".menu").ok().flatten() else {
        return;
    };
    let Ok(boxes) = menu.query_selector_all("input[type=checkbox]") else {
        return;
    };
    for i in 0..boxes.length() {
        if let Some(other) = boxes
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            if other != input && (is_all || other.value() == ALL) {
                other.set_checked(false);
            }
        }
    }
}

#[cfg(not(feature = "hydrate"))]
fn exclusive_all(_ev: &leptos::ev::Event) {}
