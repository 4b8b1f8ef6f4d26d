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
            <A href="/alerting/list" attr:data-testid="tab-rules">"Alert rules"</A>
            <A href="/alerting/groups" attr:data-testid="tab-groups">"Alert groups"</A>
            <A href="/alerting/silences" attr:data-testid="tab-silences">"Silences"</A>
        </nav>
    }
}

/// `/alerting/silence/new?matcher=…&matcher=…&instances=…`: a link that prefills the form.
pub fn silence_link(labels: &crate::model::alerting::Labels, instances: &[String]) -> String {
    use crate::model::url_state::encode_component;
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            format!(
                "matcher={}",
                encode_component(&format!("{k}={}", crate::model::links::quote(v)))
            )
        })
        .collect();
    if !instances.is_empty() {
        parts.push(format!(
            "instances={}",
            encode_component(&instances.join(","))
        ));
    }
    format!("/alerting/silence/new?{}", parts.join("&"))
}
