//! Time-range and refresh pickers. They are plain links inside `<details>`, so they work before
//! (and without) hydration; the router turns the clicks into client-side navigation afterwards.

use crate::components::layout::RefreshTick;
use crate::model::time_range::{refresh_millis, QUICK_RANGES, REFRESH_CHOICES};
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

fn current_pairs(q: &leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    q.into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[component]
pub fn TimePicker() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let from = move || {
        query
            .with(|q| q.get("from"))
            .unwrap_or_else(|| "now-6h".into())
    };
    let zone = crate::components::zone::DisplayZone::current();
    let label = move || {
        let f = from();
        // Absolute ends (epoch ms in the URL, as Grafana writes them) read as dates in the zone.
        let end = |e: String| match e.parse::<i64>() {
            Ok(ms) => zone.get().stamp(ms),
            Err(_) => e,
        };
        QUICK_RANGES
            .iter()
            .find(|(expr, _)| *expr == f)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| {
                format!(
                    "{} to {}",
                    end(f),
                    end(query.with(|q| q.get("to")).unwrap_or_else(|| "now".into()))
                )
            })
    };
    view! {
        <details class="picker" data-testid="time-picker">
            <summary data-testid="time-picker-button">{label}</summary>
            <ul class="menu">
                {QUICK_RANGES
                    .iter()
                    .map(|(expr, text)| {
                        let href = move || {
                            let search = query.with(|q| with_params(&current_pairs(q), &[("from", Some(expr)), ("to", Some("now"))]));
                            format!("{}{}", location.pathname.get(), search)
                        };
                        view! {
                            <li>
                                <a href=href data-testid=format!("time-range-{expr}")>{*text}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}

#[component]
pub fn RefreshPicker() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let refresh = Memo::new(move |_| query.with(|q| q.get("refresh")).unwrap_or_default());
    let tick = use_context::<RefreshTick>().map(|t| t.0);

    // Browser only: a timer bumps the tick while a refresh interval is chosen.
    Effect::new(move |prev: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = prev {
            handle.clear();
        }
        let (Some(ms), Some(tick)) = (refresh_millis(&refresh.get()), tick) else {
            return None;
        };
        set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_millis(ms),
        )
        .ok()
    });

    view! {
        <details class="picker" data-testid="refresh-picker">
            <summary data-testid="refresh-picker-button">
                {move || {
                    let r = refresh.get();
                    if refresh_millis(&r).is_some() { format!("⟳ {r}") } else { "⟳ Off".to_string() }
                }}
            </summary>
            <ul class="menu">
                {REFRESH_CHOICES
                    .iter()
                    .map(|(value, text)| {
                        let href = move || {
                            let v = (!value.is_empty()).then_some(*value);
                            let search = query.with(|q| with_params(&current_pairs(q), &[("refresh", v)]));
                            format!("{}{}", location.pathname.get(), search)
                        };
                        view! {
                            <li>
                                <a href=href data-testid=format!("refresh-{}", if value.is_empty() { "off" } else { value })>{*text}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
