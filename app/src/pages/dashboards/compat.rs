//! `/dashboards/compatibility`: what the provisioned dashboards use that Octoscope does not
//! render, by file and JSON path (the same report as `octoscope dashboards check`).

use crate::api::dashboards::dashboard_compatibility;
use crate::components::feedback::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CompatibilityPage() -> impl IntoView {
    let report = crate::api::resource(|| (), |_| dashboard_compatibility());
    view! {
        <Title text="Dashboard compatibility" />
        <h1>"Dashboard compatibility"</h1>
        <p class="muted">
            "Everything in the provisioned dashboards that is not rendered as Grafana would, by JSON path. The same report: "
            <code>"octoscope dashboards check DIR"</code> "."
        </p>
        <Loaded
            data=report
            loading="Reading the dashboard files…"
            ok=move |files| {
                let clean = files.iter().filter(|(_, f)| f.is_empty()).count();
                let total = files.len();
                view! {
                    <p data-testid="compat-summary">
                        {format!(
                            "{total} dashboards: {clean} render whole, {} have something not rendered.",
                            total - clean,
                        )}
                    </p>
                    {files
                        .into_iter()
                        .filter(|(_, f)| !f.is_empty())
                        .map(|(file, findings)| {
                            view! {
                                <section data-testid="compat-file">
                                    <h2 class="small">{file}</h2>
                                    <ul>
                                        {findings
                                            .into_iter()
                                            .map(|f| {
                                                view! {
                                                    <li>
                                                        <code>{f.path}</code>
                                                        {format!(": {}", f.what)}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                        .collect_view()}
                }
            }
        />
    }
}
