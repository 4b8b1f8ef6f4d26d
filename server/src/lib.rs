//! Octoscope's axum server: SSR of the Leptos app, server functions, the datasource proxy,
//! health and metrics. `main.rs` only reads config, binds and serves.
// The app's view types are deep (the console layout nests every page): as in `frontend`.
#![recursion_limit = "512"]

pub mod assets;
pub mod auth;
pub mod config;
pub mod dashboards_check;
pub mod grafana_api;
pub mod health;
pub mod html_cache;
pub mod memory;
pub mod metrics;
pub mod proxy;
pub mod security;
pub mod serve;
pub mod slo_rules;
pub mod statuses;

use app::backend::dashboards::DashboardStore;
use app::backend::panels::Limits;
use app::backend::provisioning::load_datasources_dir;
use app::backend::{Backends, DatasourceRegistry};
use app::{shell, App};
use axum::extract::{FromRef, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use config::Config;
use http::{HeaderValue, StatusCode};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    /// Swapped whole on reload (SIGHUP or `POST /api/admin/reload`); requests in flight keep
    /// the snapshot they started with.
    backends: Arc<std::sync::RwLock<Backends>>,
    config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    pub security: Arc<security::SecurityHeaders>,
    pub auth: Arc<auth::Auth>,
    /// Bundle files named by their content hash (cached as immutable).
    pub hashed_assets: Arc<std::collections::HashSet<String>>,
    /// The split bundle's chunks per group of pages (preloaded with each page).
    pub split_chunks: app::model::bundle::SplitChunks,
    /// Set when the process was told to stop: `/api/ready` then answers 503.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// The backends as configured now.
    pub fn backends(&self) -> Backends {
        self.backends
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Re-reads the provisioned datasources and the users file (dashboards and SLO files are
    /// re-read on change already). Requests in flight finish on the old datasources.
    pub fn reload(&self) -> ReloadReport {
        let env = |k: &str| std::env::var(k).ok();
        let (datasources, problems) = match &self.config.paths.provisioning {
            Some(dir) => load_datasources_dir(dir, &env),
            None => (Vec::new(), Vec::new()),
        };
        for p in &problems {
            tracing::error!(file = %p.file, line = ?p.line, datasource = ?p.datasource, "provisioning problem: {}", p.message);
        }
        let report = ReloadReport {
            datasources: datasources.len(),
            problems: problems
                .iter()
                .map(|p| format!("{}: {}", p.file, p.message))
                .collect(),
        };
        let registry = Arc::new(DatasourceRegistry::new(datasources, problems));
        self.backends
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .registry = registry;
        self.auth.reload_users();
        tracing::info!(
            datasources = report.datasources,
            problems = report.problems.len(),
            "configuration reloaded"
        );
        report
    }
}

#[derive(Debug, serde::Serialize)]
pub struct ReloadReport {
    pub datasources: usize,
    pub problems: Vec<String>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// A JSON error body `{"error": …, "status": …}` with that status.
pub fn json_error(status: StatusCode, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": message, "status": status.as_u16() })),
    )
        .into_response()
}

/// Finds the built site: config, then `LEPTOS_SITE_ROOT` (set by cargo-leptos), then
/// `./target/site`, then `<binary dir>/../site` (so the binary runs from any directory).
pub fn resolve_site_root(configured: Option<&Path>) -> PathBuf {
    if let Some(p) = configured {
        return p.to_path_buf();
    }
    if let Ok(p) = std::env::var("LEPTOS_SITE_ROOT") {
        return p.into();
    }
    let local = PathBuf::from("target/site");
    if local.join("pkg").is_dir() {
        return local;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().and_then(Path::parent).map(|p| p.join("site")))
        .filter(|p| p.join("pkg").is_dir())
        .unwrap_or(local)
}

/// Builds the state from config: loads provisioning (logging every problem with file and line).
/// Fails only on authentication settings that would leave the console open or unusable.
pub fn build_state(config: &Config) -> Result<AppState, auth::AuthConfigError> {
    let auth = Arc::new(auth::Auth::new(
        &config.auth,
        !config.embedding.allowed_origins.is_empty(),
    )?);
    let env = |k: &str| std::env::var(k).ok();
    let (datasources, problems) = match &config.paths.provisioning {
        Some(dir) => load_datasources_dir(dir, &env),
        None => (Vec::new(), Vec::new()),
    };
    for p in &problems {
        tracing::error!(file = %p.file, line = ?p.line, datasource = ?p.datasource, "provisioning problem: {}", p.message);
    }
    let registry = DatasourceRegistry::new(datasources, problems);
    if config.server.host_policy() == config::HostPolicy::Any {
        tracing::warn!("listening beyond loopback with neither [server] public_url nor allowed_hosts: any Host header is answered, so a DNS-rebinding page could act as the console; set public_url");
    }
    for ds in registry.all() {
        tracing::info!(uid = %ds.uid, kind = %ds.kind, url = %ds.display_url(), "datasource provisioned");
    }
    let site_root = resolve_site_root(config.server.site_root.as_deref());
    // cargo-leptos names the bundle by content hash and writes hash.txt beside the binary.
    let hash_txt = assets::hash_file_path("hash.txt").and_then(|p| std::fs::read_to_string(p).ok());
    let mut hashed_assets = hash_txt
        .as_deref()
        .map(|t| assets::hashed_names(t, "octoscope"))
        .unwrap_or_default();
    let split_chunks = assets::ensure_packs(
        &site_root.join("pkg"),
        assets::split_chunks(&site_root.join("pkg"), hash_txt.as_deref()),
    );
    hashed_assets.extend(split_chunks.file_names());
    let leptos_options = LeptosOptions::builder()
        .output_name("octoscope")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.server.listen)
        .hash_files(hash_txt.is_some())
        .build();
    let backends = Arc::new(std::sync::RwLock::new(
        Backends::new(registry)
            .with_dashboards(
                match &config.paths.provisioning {
                    Some(dir) => DashboardStore::load(dir, &env),
                    None => DashboardStore::empty(),
                },
                Limits {
                    max_series: config.dashboards.max_series,
                    concurrency: config.dashboards.concurrency,
                },
            )
            .with_slos(config.paths.provisioning.as_ref().map(|d| d.join("slos")))
            .with_playlists(
                config
                    .paths
                    .provisioning
                    .as_ref()
                    .map(|d| d.join("playlists")),
            ),
    ));
    Ok(AppState {
        leptos_options,
        config: Arc::new(config.clone()),
        metrics: Arc::new(metrics::Metrics::new(backends.clone())),
        backends,
        auth,
        hashed_assets: Arc::new(hashed_assets),
        split_chunks,
        security: Arc::new(security::SecurityHeaders::new(
            &config.embedding.allowed_origins,
            config.server.host_policy(),
        )),
        draining: Arc::default(),
    })
}

/// Context for every page render and server function: the backends, this request's CSP nonce
/// (so the hydration scripts carry the nonce the header names) and its backend-call timings.
fn request_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.backends());
        provide_context(state.split_chunks.clone());
        provide_context(app::contexts::EmbedOrigins(
            state.config.embedding.allowed_origins.clone(),
        ));
        let extensions = use_context::<http::request::Parts>().map(|p| p.extensions);
        let extensions = extensions.as_ref();
        if let Some(nonce) = extensions.and_then(|e| e.get::<security::CspNonce>().cloned()) {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
        // Backend calls of this render or server function land in its Server-Timing header.
        if let Some(timings) =
            extensions.and_then(|e| e.get::<app::backend::timing::RequestTimings>().cloned())
        {
            provide_context(timings);
        }
    }
}

/// `POST /api/admin/reload`: what SIGHUP does, for admins.
async fn admin_reload(
    State(state): State<AppState>,
    user: Option<axum::Extension<app::model::auth::CurrentUser>>,
) -> Response {
    match user {
        Some(axum::Extension(u)) if u.role >= app::model::auth::Role::Admin => {
            Json(state.reload()).into_response()
        }
        _ => json_error(
            StatusCode::FORBIDDEN,
            "reloading the configuration needs the admin role (or send SIGHUP to the process)"
                .into(),
        ),
    }
}

/// Request ids are a process-local counter: unique enough to join log lines of one request.
#[derive(Clone, Default)]
struct CountingRequestId(Arc<AtomicU64>);

impl MakeRequestId for CountingRequestId {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{n:016x}"))
            .ok()
            .map(RequestId::new)
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    state
        .metrics
        .set_pages(routes.iter().map(|r| r.path().to_string()).collect());
    let context = request_context(state.clone());
    let options = state.leptos_options.clone();
    let request_id = http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/ready", get(health::ready))
        .route("/metrics", get(metrics::serve))
        .route("/api/search", get(grafana_api::search))
        .route("/api/dashboards/uid/{uid}", get(grafana_api::dashboard_by_uid))
        .route("/api/datasources/proxy/uid/{uid}", any(proxy::proxy_root))
        .route("/api/datasources/proxy/uid/{uid}/", any(proxy::proxy_root))
        .route("/api/datasources/proxy/uid/{uid}/{*path}", any(proxy::proxy))
        .route("/login", post(auth::login).with_state(state.auth.clone()))
        .route("/logout", post(auth::logout).with_state(state.auth.clone()))
        .route("/api/admin/revoke", post(auth::revoke).with_state(state.auth.clone()))
        .route("/api/admin/reload", post(admin_reload))
        .nest_service("/pkg", assets::pkg_service(Path::new(&*state.leptos_options.site_root), state.hashed_assets.clone()))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn(statuses::server_fn_errors))
        .layer(axum::middleware::from_fn_with_state(state.auth.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.security.clone(), security::csrf))
        .layer(axum::middleware::from_fn_with_state(state.security.clone(), security::hosts))
        .layer(axum::middleware::from_fn(html_cache::revalidate))
        .layer(axum::middleware::from_fn_with_state(state.security.clone(), security::apply))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        }))
        .layer(SetRequestIdLayer::new(request_id, CountingRequestId::default()))
        .with_state(state)
        // Outermost: every answer (pages, server functions, proxied data) is compressed for
        // clients that accept it, unless it already is (precompressed bundle files). Brotli at 4
        // and gzip at 6 keep per-request CPU small; the bundle is precompressed at the highest level.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(4)),
        )
}
