//! Generic widgets shared by pages.

pub mod alerting_rows;
pub mod chart;
pub mod drawn;
pub mod embed;
pub mod feedback;
pub mod layout;
pub mod mode_tabs;
pub mod pager;
pub mod panel;
pub mod pickers;
pub mod playlist_player;
pub mod prefs;
pub mod query_editor;
pub mod series_table;
pub mod timeseries;
pub mod zone;

/// Renders a view on the server the way a page would, for the components' SSR tests.
#[cfg(all(test, feature = "ssr"))]
pub(crate) fn render<V: leptos::prelude::RenderHtml + 'static>(
    view: impl FnOnce() -> V + 'static,
) -> String {
    let owner = leptos::prelude::Owner::new();
    owner.with(|| view().to_html())
}
