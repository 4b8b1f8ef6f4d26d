//! `/dashboards`: every provisioned dashboard, searchable by title, folder and tag, and the files
//! that could not be loaded (file, line, column, reason).

use crate::api::dashboards::list_dashboards;
use crate::components::feedback::Loaded;
use crate::model::url_state::encode_component;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DashboardListPage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.with(|q| q.get("query")).unwrap_or_default());
    let tag = Memo::new(move |_| query.with(|q| q.get("tag")).filter(|t| !t.is_empty()));
    let list = crate::api::resource(
        move || (search.get(), tag.get()),
        |(s, t)| list_dashboards(s, t),
    );
    view! {
        <Title text="Dashboards" />
        <h1>"Dashboards"</h1>
        <p>
            <a href="/playlists" data-testid="playlists-link">
                "Playlists for wall screens"
            </a>
            " · "
            <a href="/dashboards/compatibility" data-testid="compatibility-link">
                "What these dashboards use that Octoscope does not render"
            </a>
        </p>
        <Form action="/dashboards" attr:class="query-form" attr:data-testid="dashboard-search-form">
            <label for="dash-query">"Search"</label>
            <input
                id="dash-query"
                type="search"
                name="query"
                value=search.get_untracked()
                placeholder="title, folder or tag"
                data-testid="dashboard-query"
            />
            {move || tag.get().map(|t| view! { <input type="hidden" name="tag" value=t /> })}
            <button type="submit">"Search"</button>
        </Form>
        <Loaded
            data=list
            loading="Loading dashboards…"
            ok=move |l| {
                view! {
                    {(!l.problems.is_empty())
                        .then(|| {
                            view! {
                                <section class="notice error" data-testid="dashboard-problems">
                                    <h2>"Dashboards that could not be loaded"</h2>
                                    <p>
                                        "The other dashboards are available. Fix these files; they are picked up again within seconds."
                                    </p>
                                    <ul>
                                        {l
                                            .problems
                                            .iter()
                                            .map(|p| {
                                                let at = match (p.line, p.column) {
                                                    (Some(l), Some(c)) => format!("{}:{l}:{c}", p.file),
                                                    (Some(l), None) => format!("{}:{l}", p.file),
                                                    _ => p.file.clone(),
                                                };
                                                view! {
                                                    <li data-testid="dashboard-problem">
                                                        <code>{at}</code>
                                                        " — "
                                                        {p.message.clone()}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })}
                    <p class="muted" data-testid="dashboard-count">
                        {if l.dashboards.len() == l.total {
                            format!("{} dashboards", l.total)
                        } else {
                            format!("{} of {} dashboards", l.dashboards.len(), l.total)
                        }}
                    </p>
                    {if l.dashboards.is_empty() {
                        view! {
                            <p class="muted" data-testid="no-dashboards">
                                "No dashboard matches. Clear the search or add JSON files to a dashboard provider's folder."
                            </p>
                        }
                            .into_any()
                    } else {
                        view! {
                            <table class="data-table" data-testid="dashboard-list">
                                <thead>
                                    <tr>
                                        <th>"Title"</th>
                                        <th>"Folder"</th>
                                        <th>"Tags"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {l
                                        .dashboards
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <tr data-testid="dashboard-row">
                                                    <td>
                                                        <a href=d.url() data-testid="dashboard-link">
                                                            {d.title.clone()}
                                                        </a>
                                                    </td>
                                                    <td>{d.folder.clone()}</td>
                                                    <td>
                                                        {d
                                                            .tags
                                                            .iter()
                                                            .map(|t| {
                                                                view! {
                                                                    <a
                                                                        class="tag"
                                                                        href=format!("/dashboards?tag={}", encode_component(t))
                                                                    >
                                                                        {t.clone()}
                                                                    </a>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            }
        />
    }
}
