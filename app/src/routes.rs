//! The route table's views, in six split points and one lazy part (Explore's logs mode, inside
//! the Explore page): `cargo leptos build --split` moves the code of each group of pages (their
//! views, and the answer types only they decode) into wasm chunks loaded when a page of the group
//! is first opened. A first visit gets its page's chunks as one pack (`model::bundle`), which the
//! response names in a `Link` preload header (`preload_chunks`), so it downloads beside the main
//! bundle; a client-side navigation fetches the next group's missing chunks before it swaps the
//! view. The main bundle keeps what every page shares: the router, the layout, the contexts and
//! the shared components.
//!
//! Groups, not one split point per page: wasm-split makes a chunk for every set of split points
//! that share code, so twenty split points made ~370 chunks and a page needed 100–220 requests.
//! Six groups, by the trips an on-call engineer takes between pages, are ~30 chunks a page (63
//! files in all): overview, alerting (groups, silences, the silence form), catalog (what is
//! configured and browsed: the rules, the alert pipeline, the dashboard list, the compatibility
//! report, playlists), dashboards (one dashboard, one panel alone), exploring (Explore, the trace
//! search) and one trace. A group costs its siblings too (more, smaller chunks optimise and
//! compress a little worse); against the four groups before, a trace's first visit went 506 →
//! 307 KB brotli, alert groups 447 → 379, a dashboard 464 → 431 (README, "Split by groups of
//! pages").
//!
//! Every build of the wasm must be split: a lazy view calls into its chunk through an import that
//! only the split step provides (`cargo xtask build` passes `--split`), and the browser loads the
//! page's chunks before it hydrates ([`load_rendered_page`], frontend/src/lib.rs).

use crate::pages;
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{Lazy, LazyRoute};

/// A page of the alerting group: the on-call trip between the alert groups, the silences and
/// the silence form.
#[derive(Clone, Copy)]
enum Alerting {
    Groups,
    Silences,
    NewSilence,
}

#[leptos::lazy]
fn alerting(page: Alerting) -> AnyView {
    use pages::alerting::*;
    match page {
        Alerting::Groups => groups::AlertGroupsPage().into_any(),
        Alerting::Silences => silences::SilencesPage().into_any(),
        Alerting::NewSilence => silence_new::NewSilencePage().into_any(),
    }
}

/// A page of the catalog group: what is configured, browsed rather than reached from an alert —
/// the alerting rules, the alert pipeline, the dashboard list, the compatibility report and the
/// playlists.
#[derive(Clone, Copy)]
enum Catalog {
    Rules,
    Pipeline,
    Dashboards,
    Compatibility,
    Playlists,
    Playlist,
}

#[leptos::lazy]
fn catalog(page: Catalog) -> AnyView {
    use pages::dashboards::*;
    match page {
        Catalog::Rules => pages::alerting::rules::AlertRulesPage().into_any(),
        Catalog::Pipeline => pages::status::AlertPipelinePage().into_any(),
        Catalog::Dashboards => list::DashboardListPage().into_any(),
        Catalog::Compatibility => compat::CompatibilityPage().into_any(),
        Catalog::Playlists => pages::playlists::PlaylistListPage().into_any(),
        Catalog::Playlist => pages::playlists::PlaylistPage().into_any(),
    }
}

/// A page of the dashboards group: one dashboard, or one of its panels alone.
#[derive(Clone, Copy)]
enum Dashboards {
    View,
    Solo,
}

#[leptos::lazy]
fn dashboards(page: Dashboards) -> AnyView {
    use pages::dashboards::*;
    match page {
        Dashboards::View => view::DashboardPage().into_any(),
        Dashboards::Solo => solo::SoloPanelPage().into_any(),
    }
}

/// A page of the explore group: metrics (logs in a part of their own, [`explore_logs`]) and the
/// trace search.
#[derive(Clone, Copy)]
enum Exploring {
    Explore,
    Traces,
}

#[leptos::lazy]
fn exploring(page: Exploring) -> AnyView {
    match page {
        Exploring::Explore => pages::explore::ExplorePage().into_any(),
        Exploring::Traces => pages::traces::TracesExplore().into_any(),
    }
}

#[leptos::lazy]
fn logs(_part: ()) -> AnyView {
    pages::logs::LogsExplore().into_any()
}

/// Explore's logs mode: a part of its own inside the Explore page, so metrics Explore does not
/// load the logs views and their answer types (its first visit 454 → 409 KB as served). The page
/// names both parts (two `<meta>`s: [`load_rendered_page`] loads each before hydrating, and a
/// first visit gets one pack of both, [`GROUPS_TOGETHER`]).
pub fn explore_logs() -> AnyView {
    #[cfg(feature = "ssr")]
    preload_chunks("logs");
    view! {
        <Meta name=SPLIT_META content="logs" />
        {Suspend::new(async move { logs(()).await })}
    }
    .into_any()
}

/// One trace: its own group, opened from alerts, logs and the search alike.
#[leptos::lazy]
fn trace(_page: ()) -> AnyView {
    pages::traces::TracePage().into_any()
}

/// A page of the overview group: home, service levels, the scrape status, sign-in.
#[derive(Clone, Copy)]
enum Overview {
    Home,
    Slos,
    Slo,
    Targets,
    Cardinality,
    Login,
}

#[leptos::lazy]
fn overview(page: Overview) -> AnyView {
    match page {
        Overview::Home => pages::home::HomePage().into_any(),
        Overview::Slos => pages::slo::SloListPage().into_any(),
        Overview::Slo => pages::slo::SloDetailPage().into_any(),
        Overview::Targets => pages::status::TargetsPage().into_any(),
        Overview::Cardinality => pages::status::CardinalityPage().into_any(),
        Overview::Login => pages::login::LoginPage().into_any(),
    }
}

/// Groups a page names together, each set with a pack of its own beside each group's
/// (`model::bundle`): Explore in logs mode is the exploring group's page with the logs part in it.
pub const GROUPS_TOGETHER: &[&[&str]] = &[&["exploring", "logs"]];

/// The groups this page's code is in so far (a page with a lazy part names two), for its `Link`
/// header; the server gives each request one.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct PageGroups(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

/// On the server: names the code of the page's groups (with `group`) in the response's `Link`
/// header, so the browser fetches it while it fetches the main bundle (it is otherwise found
/// only once the main bundle runs the router).
#[cfg(feature = "ssr")]
fn preload_chunks(group: &'static str) {
    let groups = match use_context::<PageGroups>() {
        Some(page) => {
            let mut groups = page.0.lock().unwrap_or_else(|e| e.into_inner());
            groups.push(group);
            groups.clone()
        }
        None => vec![group],
    };
    let chunks = use_context::<crate::model::bundle::SplitChunks>();
    let header = chunks.and_then(|c| c.preload_header(&groups));
    if let (Some(resp), Some(header)) = (use_context::<leptos_axum::ResponseOptions>(), header) {
        if let Ok(value) = http::HeaderValue::from_str(&header) {
            resp.insert_header(http::header::LINK, value);
        }
    }
}

/// On the server, in the page's shell after `HydrationScripts`: Leptos preloads a lazy page's
/// chunks one by one (`<link rel=preload>` for each, from the split manifest `HydrationScripts`
/// reads); a group with a pack takes them from it instead ([`preload_chunks`] names the pack), so
/// this request's copy of Leptos' manifest leaves the packed groups out.
pub fn preload_packs_not_chunks() {
    #[cfg(feature = "ssr")]
    {
        let (Some(chunks), Some(manifest)) = (
            use_context::<crate::model::bundle::SplitChunks>(),
            use_context::<leptos::WasmSplitManifest>(),
        ) else {
            return;
        };
        if let Some((pkg, mut split_points, loader)) = manifest.0.try_get_value() {
            split_points.retain(|key, _| !chunks.has_pack(key));
            provide_context(leptos::WasmSplitManifest(ArcStoredValue::new((
                pkg,
                split_points,
                loader,
            ))));
        }
    }
}

/// The page's `<meta>` naming its group, so the browser loads the group's code before it hydrates
/// ([`load_rendered_page`]).
const SPLIT_META: &str = "octoscope-split";

/// Browser: loads the code of the groups the server rendered this page from (its `<meta>`s), so
/// the page then hydrates in one synchronous pass (`hydrate_body`): the lazy route's view is
/// ready at once. Leptos' asynchronous hydration (`hydrate_from_async`, which would wait for the
/// chunks itself) is not in the build at all: it doubled every view's hydration code
/// (vendor/README.md).
#[cfg(feature = "hydrate")]
pub async fn load_rendered_page() {
    let Ok(metas) = document().query_selector_all(&format!("meta[name={SPLIT_META}]")) else {
        return;
    };
    for i in 0..metas.length() {
        use wasm_bindgen::JsCast;
        let group = metas
            .item(i)
            .and_then(|m| m.dyn_into::<web_sys::Element>().ok())
            .and_then(|m| m.get_attribute("content"));
        #[cfg(target_arch = "wasm32")]
        match group.as_deref() {
            Some("overview") => __preload_overview().await,
            Some("alerting") => __preload_alerting().await,
            Some("dashboards") => __preload_dashboards().await,
            Some("exploring") => __preload_exploring().await,
            Some("catalog") => __preload_catalog().await,
            Some("trace") => __preload_trace().await,
            Some("logs") => __preload_logs().await,
            _ => {}
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = group;
    }
}

/// One route per page: `$route` shows `$group($page)`, with no data of its own (every page
/// loads its data in its own resources). `$preload` is the group's chunk loader (made by
/// `#[lazy]` for the browser build): the router awaits it before a client-side navigation swaps
/// the view; before the first hydration [`load_rendered_page`] loads the page's group.
macro_rules! lazy_pages {
    ($($route:ident => $group:ident($page:expr), $preload:ident;)*) => {$(
        #[doc = concat!("The route of `", stringify!($page), "`, its code loaded on first visit.")]
        pub struct $route;

        impl $route {
            /// The route table's view.
            pub fn page() -> Lazy<$route> {
                Lazy::new()
            }
        }

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                #[cfg(feature = "ssr")]
                preload_chunks(stringify!($group));
                let page = $group($page).await;
                view! { <Meta name=SPLIT_META content=stringify!($group) /> {page} }.into_any()
            }

            async fn preload() {
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    )*};
}

lazy_pages! {
    Home => overview(Overview::Home), __preload_overview;
    SloList => overview(Overview::Slos), __preload_overview;
    SloDetail => overview(Overview::Slo), __preload_overview;
    Targets => overview(Overview::Targets), __preload_overview;
    Cardinality => overview(Overview::Cardinality), __preload_overview;
    Login => overview(Overview::Login), __preload_overview;
    AlertRules => catalog(Catalog::Rules), __preload_catalog;
    AlertGroups => alerting(Alerting::Groups), __preload_alerting;
    Silences => alerting(Alerting::Silences), __preload_alerting;
    NewSilence => alerting(Alerting::NewSilence), __preload_alerting;
    AlertPipeline => catalog(Catalog::Pipeline), __preload_catalog;
    DashboardList => catalog(Catalog::Dashboards), __preload_catalog;
    Compatibility => catalog(Catalog::Compatibility), __preload_catalog;
    Dashboard => dashboards(Dashboards::View), __preload_dashboards;
    SoloPanel => dashboards(Dashboards::Solo), __preload_dashboards;
    PlaylistList => catalog(Catalog::Playlists), __preload_catalog;
    Playlist => catalog(Catalog::Playlist), __preload_catalog;
    Explore => exploring(Exploring::Explore), __preload_exploring;
    TracesSearch => exploring(Exploring::Traces), __preload_exploring;
    Trace => trace(()), __preload_trace;
}
