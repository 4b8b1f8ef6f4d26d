//! Time-range, refresh and compare pickers. They are plain links inside `<details>`, so they work before
//! (and without) hydration; the router turns the clicks into client-side navigation afterwards.
//! A page with its own default (a dashboard's `time` and `refresh`) renders its own pickers with
//! that default, so the label always names the range the page shows.

use crate::contexts::RefreshTick;
use crate::model::time_range::{
    refresh_millis, DEFAULT_FROM, DEFAULT_TO, QUICK_RANGES, REFRESH_CHOICES,
};
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The URL's query parameters as pairs, in order (for links that change one of them).
pub fn current_pairs(q: &leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    q.into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The page's `from` and `to`, or the console's default range.
pub fn use_range() -> (Memo<String>, Memo<String>) {
    let query = use_query_map();
    (
        Memo::new(move |_| {
            query
                .with(|q| q.get("from"))
                .unwrap_or_else(|| DEFAULT_FROM.into())
        }),
        Memo::new(move |_| {
            query
                .with(|q| q.get("to"))
                .unwrap_or_else(|| DEFAULT_TO.into())
        }),
    )
}

/// The label of a range: its quick-range name, else both ends (epoch ms read as dates).
pub fn range_label(from: &str, to: &str, zone: crate::model::timestamp::Zone) -> String {
    let end = |e: &str| match e.parse::<i64>() {
        Ok(ms) => zone.stamp(ms),
        Err(_) => e.to_string(),
    };
    QUICK_RANGES
        .iter()
        .find(|(expr, _)| *expr == from && to == "now")
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| format!("{} to {}", end(from), end(to)))
}

#[component]
pub fn TimePicker(
    /// The range the page shows when the URL names none.
    #[prop(default = DEFAULT_FROM.to_string(), into)]
    default_from: String,
    #[prop(default = DEFAULT_TO.to_string(), into)] default_to: String,
) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let zone = crate::contexts::DisplayZone::current();
    let label = move || {
        let from = query
            .with(|q| q.get("from"))
            .unwrap_or_else(|| default_from.clone());
        let to = query
            .with(|q| q.get("to"))
            .unwrap_or_else(|| default_to.clone());
        range_label(&from, &to, zone.get())
    };
    view! {
        <details class="picker" data-testid="time-picker">
            <summary data-testid="time-picker-button" aria-label="Time range">
                {label}
            </summary>
            <ul class="menu">
                {QUICK_RANGES
                    .iter()
                    .map(|(expr, text)| {
                        let href = move || {
                            let search = query
                                .with(|q| with_params(
                                    &current_pairs(q),
                                    &[("from", Some(expr)), ("to", Some("now"))],
                                ));
                            format!("{}{}", location.pathname.get(), search)
                        };
                        view! {
                            <li>
                                <a href=href data-testid=format!("time-range-{expr}")>
                                    {*text}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}

/// `compare` choices: (URL value, label); the empty value turns it off.
const COMPARE_CHOICES: [(&str, &str); 5] = [
    ("", "Off"),
    ("1h", "1 hour ago"),
    ("1d", "1 day ago"),
    ("1w", "1 week ago"),
    ("4w", "4 weeks ago"),
];

/// Draws each range query again as it was a while ago (`compare=1w`), dashed under the current
/// series. Any duration typed into the URL works; the menu offers the usual ones.
#[component]
pub fn ComparePicker() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let current = move || query.with(|q| q.get("compare")).unwrap_or_default();
    view! {
        <details class="picker" data-testid="compare-picker">
            <summary data-testid="compare-picker-button" aria-label="Compare with the past">
                {move || {
                    match crate::model::dashboard::compare::parse(&current()) {
                        Ok(Some(ms)) => format!("⇆ {} ago", crate::model::duration::format_ms(ms)),
                        _ => "⇆ Compare".to_string(),
                    }
                }}
            </summary>
            <ul class="menu">
                {COMPARE_CHOICES
                    .iter()
                    .map(|(value, text)| {
                        let href = move || {
                            let v = (!value.is_empty()).then_some(*value);
                            let search = query
                                .with(|q| with_params(&current_pairs(q), &[("compare", v)]));
                            format!("{}{}", location.pathname.get(), search)
                        };
                        let id = if value.is_empty() { "off" } else { value };
                        view! {
                            <li>
                                <a href=href data-testid=format!("compare-{id}")>
                                    {*text}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}

#[component]
pub fn RefreshPicker(
    /// The interval when the URL names none (a dashboard's `refresh`).
    #[prop(default = String::new(), into)]
    default: String,
) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let refresh = use_refresh(default);
    auto_refresh(refresh);

    view! {
        <details class="picker" data-testid="refresh-picker">
            <summary data-testid="refresh-picker-button" aria-label="Auto refresh">
                {move || {
                    let r = refresh.get();
                    if refresh_millis(&r).is_some() {
                        format!("⟳ {r}")
                    } else {
                        "⟳ Off".to_string()
                    }
                }}
            </summary>
            <ul class="menu">
                {REFRESH_CHOICES
                    .iter()
                    .map(|(value, text)| {
                        let href = move || {
                            let v = if value.is_empty() { Some("off") } else { Some(*value) };
                            let search = query
                                .with(|q| with_params(&current_pairs(q), &[("refresh", v)]));
                            format!("{}{}", location.pathname.get(), search)
                        };
                        // "Off" on a page with its own interval must say so in the URL.
                        view! {
                            <li>
                                <a
                                    href=href
                                    data-testid=format!(
                                        "refresh-{}",
                                        if value.is_empty() { "off" } else { value },
                                    )
                                >
                                    {*text}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}

/// The page's refresh interval: the URL's `refresh`, else `default` (a dashboard's own).
pub fn use_refresh(default: String) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .with(|q| q.get("refresh"))
            .unwrap_or_else(|| default.clone())
    })
}

/// Browser only: a timer bumps the page's refresh tick every `refresh`; it stops when the
/// interval changes or the caller leaves the page. Used by the picker, and by kiosk dashboards
/// that show no picker.
pub fn auto_refresh(refresh: Memo<String>) {
    let tick = use_context::<RefreshTick>().map(|t| t.0);
    let timer = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let (Some(ms), Some(tick)) = (refresh_millis(&refresh.get()), tick) else {
            return;
        };
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_millis(ms),
        )
        .ok();
        timer.set_value(handle);
    });
    on_cleanup(move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    });
}

/// Closes the open menus (`<details class="picker">`) on Escape, on a click outside them and
/// after a choice inside them, as menus do. Browser only; installed once by the layout.
#[cfg(feature = "hydrate")]
pub fn install_menu_closing() {
    use wasm_bindgen::JsCast;
    fn open_menus() -> Vec<web_sys::Element> {
        crate::components::drawn::in_document("details.picker[open]")
    }
    let keys = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() != "Escape" {
            return;
        }
        for menu in open_menus() {
            let _ = menu.remove_attribute("open");
            // Focus goes back to the menu's button, where the user was.
            if let Some(summary) = menu
                .query_selector("summary")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = summary.focus();
            }
        }
    });
    let clicks = window_event_listener(leptos::ev::click, |ev| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        for menu in open_menus() {
            let inside = target.as_ref().is_some_and(|t| menu.contains(Some(t)));
            // A click inside closes the menu when it chose something (a link or an option).
            let chose = target.as_ref().is_some_and(|t| {
                menu.query_selector(".menu")
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.contains(Some(t)))
                    && t.closest("a, [role=option]").ok().flatten().is_some()
            });
            if !inside || chose {
                let _ = menu.remove_attribute("open");
            }
        }
    });
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn install_menu_closing() {}
