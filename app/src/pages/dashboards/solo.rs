//! `/d-solo/:uid/:slug?panelId=…`: one panel filling the page with no console chrome, for iframes.

use super::query_pairs;
use crate::components::feedback::ErrorNotice;
use crate::components::panel::{PanelLinks, PanelView};
use crate::contexts::RefreshTick;
use crate::contexts::{ChartZone, Crosshair, LegendState, PointsSource, PoolsDown};
use crate::model::dashboard::params::parse_panel_id;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

#[component]
pub fn SoloPanelPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let uid = Memo::new(move |_| params.with(|p| p.get("uid")).unwrap_or_default());
    let pairs = Memo::new(move |_| query.with(query_pairs));
    let panel_id = Memo::new(move |_| {
        query
            .with(|q| q.get("panelId"))
            .and_then(|p| parse_panel_id(&p))
    });
    let theme = crate::components::layout::initial_theme();
    let tick = RwSignal::new(0u64);
    provide_context(RefreshTick(tick));
    provide_context(Crosshair(RwSignal::new(None)));
    provide_context(LegendState(RwSignal::new(BTreeMap::new())));
    // Auto-refresh (`refresh=30s`) works here too, without the picker.
    let refresh = query
        .with_untracked(|q| q.get("refresh"))
        .unwrap_or_default();
    Effect::new(move |_| {
        if let Some(ms) = crate::model::time_range::refresh_millis(&refresh) {
            let _ = set_interval_with_handle(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_millis(ms),
            );
        }
    });
    let dash = Resource::<_, super::DrawnOnce>::new_with_options(
        move || (uid.get(), pairs.get(), panel_id.get(), tick.get()),
        |(uid, pairs, panel, _)| async move {
            match panel {
                None => Err(
                    "add ?panelId=<id> to the URL: /d-solo shows one panel of the dashboard"
                        .to_string(),
                ),
                Some(id) => crate::routes::dashboard_view((uid, pairs, Some(id)))
                    .await
                    .map_err(|e| e.to_string()),
            }
        },
        false,
    );
    view! {
        <div class="console solo" data-theme=theme data-testid="solo">
            <Transition fallback=|| {
                view! { <p class="muted">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    let id = panel_id.get_untracked();
                    match dash.await {
                        Err(e) => view! { <ErrorNotice message=e /> }.into_any(),
                        Ok(v) => {
                            match id.and_then(|id| v.dashboard.panel(id).cloned()) {
                                None => {
                                    view! {
                                        <ErrorNotice message=format!(
                                            "dashboard {:?} has no panel {}; check panelId",
                                            v.dashboard.title,
                                            id.unwrap_or(0),
                                        ) />
                                    }
                                        .into_any()
                                }
                                Some(p) => {
                                    let data = v.data(p.id).cloned();
                                    let drawn = v.shown_drawn().contains(&p.id);
                                    ChartZone::provide(&v.timezone, v.utc_offset_min);
                                    provide_context(PoolsDown(v.pools_down.clone()));
                                    provide_context(
                                        PointsSource::new(
                                            v.dashboard.uid.clone(),
                                            &pairs.get_untracked(),
                                            v.from_ms,
                                            v.to_ms,
                                            true,
                                        ),
                                    );
                                    view! {
                                        <Title text=format!(
                                            "{} · {}",
                                            p.title,
                                            v.dashboard.title,
                                        ) />
                                        <PanelView
                                            panel=p
                                            data
                                            from_ms=v.from_ms
                                            to_ms=v.to_ms
                                            solo=true
                                            links=PanelLinks { view: None }
                                            hop=crate::model::links::Hop::range(&v.from, &v.to)
                                            drawn
                                        />
                                    }
                                        .into_any()
                                }
                            }
                        }
                    }
                })}
            </Transition>
        </div>
    }
}
