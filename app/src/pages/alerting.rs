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

/// Banner naming Alertmanagers that did not answer; the rest of the page still renders.
#[component]
pub fn UnreachableBanner(unreachable: Vec<(String, String)>) -> impl IntoView {
    (!unreachable.is_empty()).then(|| {
        view! {
            <div class="notice warning" role="status" data-testid="unreachable-banner">
                {unreachable
                    .into_iter()
                    .map(|(name, why)| {
                        view! {
                            <p>
                                {format!(
                                    "{name} did not answer: {why}. Showing what the others report.",
                                )}
                            </p>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}
