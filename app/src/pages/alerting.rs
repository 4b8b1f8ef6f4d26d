//! Alerting: Prometheus rules, Alertmanager groups, silences and the silence form.

pub mod groups;
pub mod rules;
pub mod silence_new;
pub mod silences;

use leptos::prelude::*;
use leptos_router::components::A;

/// Tabs shared by the alerting pages.
#[component]
pub fn AlertingTabs() -> impl IntoView {
    view! {
        <nav class="tabs" data-testid="alerting-tabs">
            <A href="/alerting/list" attr:data-testid="tab-rules">
                "Alert rules"
            </A>
            <A href="/alerting/groups" attr:data-testid="tab-groups">
                "Alert groups"
            </A>
            <A href="/alerting/silences" attr:data-testid="tab-silences">
                "Silences"
            </A>
        </nav>
    }
}

/// `/alerting/silence/new?matcher=…&matcher=…&instances=…`: a link that prefills the form.
pub fn silence_link(labels: &crate::model::alerting::Labels, instances: &[String]) -> String {
    use crate::model::links::{new_silence, quote};
    let matchers: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect();
    new_silence(&matchers, &[("instances", &instances.join(","))])
}
