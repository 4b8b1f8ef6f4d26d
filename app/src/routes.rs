//! The route table's views and the wasm's split points: `cargo leptos build --split` moves the
//! code of each group of pages (their views, and the answer types only they decode) into wasm
//! chunks loaded when a page of the group is first opened. A first visit gets its page's chunks
//! as one pack (`model::bundle`), which the response names in a `Link` preload header
//! (`preload_chunks`), so it downloads beside the main bundle; a client-side navigation fetches
//! the next group's missing chunks before it swaps the view. The main bundle keeps what every
//! page shares: the router, the layout, the contexts and the shared components.
//!
//! Groups, not one split point per page: wasm-split makes a chunk for every set of split points
//! that share code (twenty split points made ~370 chunks), and each split point costs every
//! page's split loader ~0.6 KB brotli. Route groups, by the trips an on-call engineer takes
//! between pages: overview, alerting (groups, silences, the silence form), catalog (what is
//! configured and browsed: the rules, the alert pipeline, the dashboard list, the compatibility
//! report, playlists), dashboards (one dashboard, one panel alone) and one trace. Explore is a
//! page of the main bundle (a few lines reading its mode) whose modes are parts of their own
//! (metrics, logs, the trace search, which `/traces` shows too), so each mode's first visit loads
//! only its own code. A dashboard's first page is drawn HTML; what it needs after that (reading
//! whole answers, drawing live panels) is one more part, [`DashboardLive`].
//!
//! Every build of the wasm must be split: a lazy view calls into its chunk through an import that
//! only the split step provides (`cargo xtask build` passes `--split`), and the browser loads the
//! page's chunks before it hydrates ([`load_rendered_page`], frontend/src/lib.rs).

use crate::api::{dashboards, AppError};
use crate::components::panel::LivePanel;
use crate::model::dashboard::data::{DashboardView, LoadedPanels};
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

/// Explore at `/explore`: metrics (PromQL) by default, logs (LogQL) with `mode=logs`, traces
/// with `mode=traces` (also at `/traces`). The page itself is in the main bundle (a few lines
/// reading the mode); each mode is a part of its own, loaded when shown, so a first visit loads
/// only its mode's code: measured as served, a first visit in logs mode 463 → 357 KB, metrics
/// 409 → 376 (one group held metrics and the trace search, logs a part inside it).
pub fn explore_page() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let mode = Memo::new(move |_| query.with(|q| q.get("mode")).unwrap_or_default());
    move || match mode.get().as_str() {
        "logs" => part("logs", logs(())),
        "traces" => trace_search_page(),
        _ => part("metrics", metrics(())),
    }
}

/// The trace search, at `/traces` and as Explore's traces mode.
pub fn trace_search_page() -> AnyView {
    part("trace_search", trace_search(()))
}

#[leptos::lazy]
fn metrics(_part: ()) -> AnyView {
    pages::explore::MetricsExplore().into_any()
}

#[leptos::lazy]
fn logs(_part: ()) -> AnyView {
    pages::logs::LogsExplore().into_any()
}

#[leptos::lazy]
fn trace_search(_part: ()) -> AnyView {
    pages::traces::TracesExplore().into_any()
}

/// A page's part in a split point of its own (`group`, the `#[lazy]` function's name): named
/// in the page (its `<meta>`, for [`load_rendered_page`]) and in the response's `Link` header.
fn part(
    group: &'static str,
    view: impl std::future::Future<Output = AnyView> + Send + 'static,
) -> AnyView {
    // Boxed: one `Suspend` for every part in the main bundle, not one per part.
    let view: std::pin::Pin<Box<dyn std::future::Future<Output = AnyView> + Send>> = Box::pin(view);
    #[cfg(feature = "ssr")]
    preload_chunks(group);
    view! {
        <Meta name=SPLIT_META content=group />
        {Suspend::new(view)}
    }
    .into_any()
}

/// What a dashboard needs after its first page, in a part of its own: the readers of whole
/// answers (a refresh's view or another range's, an opened row's panels, a woken chart's), with
/// their types (`Panel`, `PanelData` and all they hold), and the live panels' views (charts,
/// tables, field config, units: `components::panel::live_view`). A dashboard's first page is
/// drawn HTML read with a slim hydration reader (`HeldView`), so a first visit loads none of it
/// (the overview dashboard's first visit 420 → 331 KB as served); the first refresh, opened
/// row or touched chart loads it. One part, its entry points a table: a split point costs every
/// page's split loader ~0.6 KB and multiplies the chunks.
pub struct DashboardLive {
    view: fn(ViewArgs) -> Answer<DashboardView>,
    row: fn(RowArgs) -> Answer<LoadedPanels>,
    panel: fn(PanelArgs) -> Answer<LoadedPanels>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    draw: fn(LivePanel) -> AnyView,
}

type ViewArgs = (String, Vec<(String, String)>, Option<u32>);
type RowArgs = (String, Vec<(String, String)>, u32);
type PanelArgs = (String, Vec<(String, String)>, u32, bool);
type Answer<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, AppError>> + Send>>;

/// The entry points; the server calls them as they are.
static DASHBOARD_LIVE: DashboardLive = DashboardLive {
    view: |(uid, pairs, panel)| Box::pin(dashboards::load_dashboard(uid, pairs, panel)),
    row: |(uid, pairs, row)| Box::pin(dashboards::load_row(uid, pairs, row)),
    panel: |(uid, params, id, solo)| Box::pin(dashboards::load_panel(uid, params, id, solo)),
    draw: crate::components::panel::live_view,
};

#[cfg_attr(feature = "hydrate", leptos::lazy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn dashboard_live(_part: ()) -> &'static DashboardLive {
    &DASHBOARD_LIVE
}

/// [`DashboardLive`] in the browser (loaded with the first call); on the server, at hand.
async fn live() -> &'static DashboardLive {
    #[cfg(feature = "hydrate")]
    return dashboard_live(()).await;
    #[cfg(not(feature = "hydrate"))]
    &DASHBOARD_LIVE
}

/// A dashboard read whole (a refresh, another range; `panel` alone for `/d-solo`).
pub async fn dashboard_view(args: ViewArgs) -> Result<DashboardView, AppError> {
    (live().await.view)(args).await
}

/// An opened row's panels.
pub async fn dashboard_row(args: RowArgs) -> Result<LoadedPanels, AppError> {
    (live().await.row)(args).await
}

/// A woken chart's definition and points.
pub async fn dashboard_panel(args: PanelArgs) -> Result<LoadedPanels, AppError> {
    (live().await.panel)(args).await
}

/// A live panel in the browser: shown once [`DashboardLive`] is loaded (a refresh's
/// `Transition` keeps the panels shown until then).
#[cfg(feature = "hydrate")]
pub fn live_panel(p: LivePanel) -> AnyView {
    Suspend::new(async move { (live().await.draw)(p) }).into_any()
}

/// Loads [`DashboardLive`], so a chart about to wake mounts its live view at once.
#[cfg(feature = "hydrate")]
pub async fn dashboard_live_loaded() {
    live().await;
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

/// On the server: names the code of the page's group in the response's `Link` header, so the
/// browser fetches it while it fetches the main bundle (it is otherwise found only once the main
/// bundle runs the router).
#[cfg(feature = "ssr")]
fn preload_chunks(group: &'static str) {
    let chunks = use_context::<crate::model::bundle::SplitChunks>();
    let header = chunks.and_then(|c| c.preload_header(group));
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
            Some("metrics") => __preload_metrics().await,
            Some("trace_search") => __preload_trace_search().await,
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
    Trace => trace(()), __preload_trace;
}
