//! Home: the datasources the console reads, their problems, and a getting-started guide when
//! nothing is provisioned yet.

use crate::api::console::list_datasources;
use crate::components::feedback::ErrorNotice;
use crate::model::datasource::DatasourceOverview;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| list_datasources());
    view! {
        <Title text="Home"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading datasources…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) if o.datasources.is_empty() && o.problems.is_empty() => view! { <GettingStarted/> }.into_any(),
                    Ok(o) => view! { <DatasourceList overview=o/> }.into_any(),
                    Err(e) => view! { <ErrorNotice message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GettingStarted() -> impl IntoView {
    view! {
        <section class="getting-started" data-testid="getting-started">
            <h1>"Welcome to Octoscope"</h1>
            <p>"No datasources are provisioned yet, so there is nothing to show. Two ways to start:"</p>
            <h2>"Try the demo"</h2>
            <p>"From a checkout of Octoscope, run " <code>"cargo xtask demo"</code>
                ": it starts Prometheus and Alertmanager on loopback and this console already pointed at them."</p>
            <h2>"Point it at your monitoring stack"</h2>
            <p>"Write a Grafana-format provisioning file, for example "
                <code>"provisioning/datasources/octollm.yaml"</code> ":"</p>
            <pre>
"apiVersion: 1
datasources:
  - name: Prometheus
    type: prometheus
    access: proxy
    url: http://127.0.0.1:9090
    isDefault: true
  - name: Alertmanager
    type: alertmanager
    access: proxy
    url: http://127.0.0.1:9093"
            </pre>
            <p>"Then start " <code>"octoscope serve --config octoscope.toml"</code>
                " with " <code>"provisioning = \"provisioning\""</code> " under " <code>"[paths]"</code>
                " (or set " <code>"OCTOSCOPE_PROVISIONING"</code> ")."</p>
        </section>
    }
}

#[component]
fn DatasourceList(overview: DatasourceOverview) -> impl IntoView {
    let problems = overview.problems.clone();
    view! {
        <h1>"Datasources"</h1>
        {(!problems.is_empty()).then(|| view! {
            <section class="notice error" data-testid="provisioning-problems">
                <h2>"Provisioning problems"</h2>
                <p>"These entries were skipped; fix them and restart the console. Everything else works."</p>
                <ul>
                    {problems.into_iter().map(|p| view! { <li data-testid="provisioning-problem">{p.to_string()}</li> }).collect_view()}
                </ul>
            </section>
        })}
        <table class="results" data-testid="datasource-table">
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"URL"</th><th scope="col">"uid"</th></tr>
            </thead>
            <tbody>
                {overview.datasources.into_iter().map(|d| view! {
                    <tr data-testid="datasource-row">
                        <td>{d.name.clone()}{d.is_default.then_some(" (default)")}</td>
                        <td>{d.kind.to_string()}</td>
                        <td><code>{d.url.clone()}</code></td>
                        <td><code>{d.uid.clone()}</code></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
