//! Explore's Metrics / Logs / Traces tabs, shown by each of the three modes.

use crate::components::pickers::use_range;
use crate::model::links::{mode_links, Hop};
use leptos::prelude::*;

/// Explore's mode tabs. Each keeps what the current mode shows and the target can use (the range,
/// the workload: a PromQL query's service becomes the logs stream and the traced service).
#[component]
pub fn ModeTabs(
    current: &'static str,
    /// The workload labels of what the current mode shows.
    labels: Signal<std::collections::BTreeMap<String, String>>,
) -> impl IntoView {
    let (from, to) = use_range();
    let tab = move |mode: &'static str, label: &'static str, href: String| {
        if mode == current {
            view! { <strong aria-current="page">{label}</strong> }.into_any()
        } else {
            view! {
                <a href=href data-testid=format!("mode-{mode}")>
                    {label}
                </a>
            }
            .into_any()
        }
    };
    move || {
        let (m, l, t) = mode_links(&labels.get(), &Hop::range(&from.get(), &to.get()));
        view! {
            <p class="tabs">
                {tab("metrics", "Metrics", m)}" · "{tab("logs", "Logs", l)}" · "
                {tab("traces", "Traces", t)}
            </p>
        }
    }
}
