//! Server functions that read a trace datasource (Jaeger v1/v3 or Tempo, through
//! `backend::traces::TraceStore`): trace search, and one trace read a window at a time from the
//! laid-out copy `backend::trace_cache` keeps.

use crate::api::AppError;
use crate::model::trace_window::{Fold, MinimapBucket, SpanMatches, TraceWindow};
use crate::model::traces::{SpanView, TraceQuery};
use crate::model::waterfall::{TraceDot, TraceHit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceSearch {
    pub datasource_name: String,
    pub datasource_uid: String,
    pub services: Vec<String>,
    /// The chosen service's operations (Jaeger; empty when unknown: the field stays free text).
    pub operations: Vec<String>,
    /// One page of the hits, in the query's order.
    pub hits: Vec<TraceHit>,
    /// Where the page starts among all hits.
    pub first: usize,
    /// Every hit as a scatter dot (as many as the search's limit).
    pub dots: Vec<TraceDot>,
    /// The order `hits` are in (`start`, `duration`, `spans`, `errors`).
    pub sort: String,
    /// Why the service list could not be read (the search may still work).
    pub services_error: Option<String>,
}

/// The first screen of a trace: its summary and minimap (over all spans) and a window of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceDetail {
    pub datasource_name: String,
    pub hit: TraceHit,
    pub warnings: Vec<String>,
    /// Spans naming a parent that is not in the trace.
    pub orphans: usize,
    pub minimap: Vec<MinimapBucket>,
    pub window: TraceWindow,
}

/// Which rows of a trace to send: the fold, the first row, how many, and optionally a span to
/// open the tree to and centre on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowQuery {
    pub trace_id: String,
    #[serde(default)]
    pub datasource: Option<String>,
    pub fold: Fold,
    #[serde(default)]
    pub offset: usize,
    #[serde(default = "default_window")]
    pub limit: usize,
    #[serde(default)]
    pub reveal: Option<usize>,
}

/// Rows the page asks for at once: a few screens of 26 px rows.
pub const WINDOW: usize = 150;

fn default_window() -> usize {
    WINDOW
}

/// One span whole, with where its logs are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanDetail {
    pub span: SpanView,
    /// The trace's first start (µs): details say when the span started relative to it.
    pub trace_start_us: i64,
    /// "Logs for this span", as the datasource's `tracesToLogsV2` says.
    pub logs_href: Option<String>,
}

/// The trace datasource named by `uid`, else the default Jaeger, else the default Tempo.
#[cfg(feature = "ssr")]
fn trace_datasource(
    backends: &crate::backend::Backends,
    uid: Option<String>,
) -> Result<std::sync::Arc<crate::backend::Datasource>, AppError> {
    use crate::model::datasource::DatasourceKind;
    match uid.filter(|u| !u.is_empty()) {
        Some(uid) => backends
            .registry
            .by_uid(&uid)
            .filter(|d| matches!(d.kind, DatasourceKind::Jaeger | DatasourceKind::Tempo))
            .ok_or(AppError::UnknownDatasource { uid }),
        None => backends
            .registry
            .default_of(DatasourceKind::Jaeger)
            .or_else(|| backends.registry.default_of(DatasourceKind::Tempo))
            .ok_or(AppError::NoDatasource {
                kind: DatasourceKind::Jaeger,
            }),
    }
}

/// Searches traces by service, operation, tags, duration bounds and limit over `from`..`to`.
/// An empty `service` only lists the services.
#[server(endpoint = "search_traces", input = leptos::server_fn::codec::Json)]
pub async fn search_traces(query: TraceQuery) -> Result<TraceSearch, AppError> {
    use crate::backend::traces::TraceStore;
    use crate::model::upstream::BackendError;

    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, query.datasource.clone())?;
    let params = query
        .check(crate::api::now_ms())
        .map_err(AppError::BadRequest)?;
    let store = TraceStore::of(&backends.http, &ds).expect("trace_datasource picks trace kinds");
    // A service list the backend cannot give is said in place; a backend that is not there at
    // all fails the whole search.
    let (services, services_error) = match store.services().await {
        Ok(services) => (services, None),
        Err(
            e @ (BackendError::Status { .. }
            | BackendError::Decode { .. }
            | BackendError::Api { .. }),
        ) => (Vec::new(), Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let (operations, hits) = if params.service.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let (operations, hits) =
            futures::join!(store.operations(&params.service), store.search(&params));
        // Without operations the form keeps a free-text field.
        (operations.unwrap_or_default(), hits?)
    };
    let order = crate::model::waterfall::TraceOrder::parse(&query.sort);
    let page = query.page.trim().parse().unwrap_or(0);
    let (page_hits, first) = crate::model::waterfall::page_of_hits(&hits, order, page);
    Ok(TraceSearch {
        datasource_name: ds.name.clone(),
        datasource_uid: ds.uid.clone(),
        services,
        operations,
        dots: hits.iter().map(TraceDot::of).collect(),
        sort: order.param().to_string(),
        hits: page_hits,
        first,
        services_error,
    })
}

/// The trace `trace_id` from the datasource (read once, then served laid out from the cache).
/// Not found → "trace not found in <datasource>" (404).
#[cfg(feature = "ssr")]
async fn laid_trace(
    trace_id: &str,
    datasource: Option<String>,
) -> Result<
    (
        std::sync::Arc<crate::backend::Datasource>,
        std::sync::Arc<crate::model::trace_window::LaidTrace>,
    ),
    AppError,
> {
    use crate::backend::traces::{TraceStore, MAX_TRACE_BYTES};
    use crate::model::trace_window::LaidTrace;
    use crate::model::traces::normalize_trace_id;
    use crate::model::upstream::BackendError;

    let id = normalize_trace_id(trace_id).ok_or_else(|| AppError::BadRequest(format!(
        "{trace_id:?} is not a trace id; trace ids are hexadecimal (up to 32 characters) or at most 64 letters, digits, '-' and '_'"
    )))?;
    let backends = crate::api::backends()?;
    let ds = trace_datasource(&backends, datasource)?;
    let laid = backends
        .traces
        .get_or_load(&ds.uid, &id, || async {
            let store =
                TraceStore::of(&backends.http, &ds).expect("trace_datasource picks trace kinds");
            let started = std::time::Instant::now();
            match store.trace(&id).await {
                Ok(Some(trace)) => {
                    let read_ms = started.elapsed().as_secs_f64() * 1e3;
                    let laid = LaidTrace::new(trace);
                    tracing::debug!(
                        trace = %id,
                        spans = laid.spans(),
                        read_ms,
                        laid_ms = started.elapsed().as_secs_f64() * 1e3 - read_ms,
                        "trace read and laid out"
                    );
                    Ok(laid)
                }
                Ok(None) => Err(AppError::NotFound(format!("trace {id} not found in {}", ds.name))),
                Err(BackendError::TooLarge { datasource, .. }) => Err(AppError::Upstream(format!(
                    "trace {id} in {datasource} is larger than {} MB, more than this console opens at once (decoding costs ~10× its size in memory); open it in {datasource}'s own UI",
                    MAX_TRACE_BYTES >> 20
                ))),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    Ok((ds, laid))
}

/// Span `span` of the trace; a page holding an older copy of the trace names one it may not have.
#[cfg(feature = "ssr")]
fn span_of(
    laid: &crate::model::trace_window::LaidTrace,
    span: usize,
) -> Result<&SpanView, AppError> {
    laid.trace.spans.get(span).ok_or_else(|| {
        AppError::BadRequest(format!(
            "span {span} is not in this trace of {} spans; reload the trace",
            laid.spans()
        ))
    })
}

/// One trace by id: its summary, minimap and the first window of rows from `row` (a large trace
/// opens its first levels only).
#[server(endpoint = "get_trace")]
pub async fn get_trace(
    trace_id: String,
    datasource: Option<String>,
    row: Option<usize>,
) -> Result<TraceDetail, AppError> {
    let (ds, laid) = laid_trace(&trace_id, datasource).await?;
    let fold = Fold::initial(laid.spans());
    Ok(TraceDetail {
        datasource_name: ds.name.clone(),
        hit: laid.hit.clone(),
        warnings: laid.trace.warnings.clone(),
        orphans: laid.orphans(),
        minimap: laid.minimap(),
        window: laid.window(&fold, row.unwrap_or(0), WINDOW, None),
    })
}

/// Another window of a trace's rows: after a scroll, an expand or collapse, or to reveal a span.
#[server(endpoint = "trace_rows", input = leptos::server_fn::codec::Json)]
pub async fn trace_rows(query: WindowQuery) -> Result<TraceWindow, AppError> {
    let (_, laid) = laid_trace(&query.trace_id, query.datasource).await?;
    if let Some(span) = query.reveal {
        span_of(&laid, span)?;
    }
    Ok(laid.window(&query.fold, query.offset, query.limit, query.reveal))
}

/// Spans matching `query` (service, operation, span id, `key=value` tags, `error`), in row order.
#[server(endpoint = "find_spans")]
pub async fn find_spans(
    trace_id: String,
    datasource: Option<String>,
    query: String,
) -> Result<SpanMatches, AppError> {
    let (_, laid) = laid_trace(&trace_id, datasource).await?;
    Ok(laid.find(&query))
}

/// One span's tags, process, events and references, and its logs link.
#[server(endpoint = "read_span")]
pub async fn read_span(
    trace_id: String,
    datasource: Option<String>,
    span: usize,
) -> Result<SpanDetail, AppError> {
    use crate::model::datasource::correlations::{span_logs_query, SpanRef};
    use crate::model::links::{explore_logs, Hop};

    let (ds, laid) = laid_trace(&trace_id, datasource).await?;
    let s = span_of(&laid, span)?.clone();
    // By default the service's lines that carry the trace id, a minute either side of the span.
    let cfg = ds.correlations.traces_to_logs.clone().unwrap_or_default();
    let reference = SpanRef {
        trace_id: &laid.trace.trace_id,
        span_id: &s.span_id,
        service: &s.service,
        start_us: s.start_us,
        duration_us: s.duration_us,
        tags: &s.tags,
        process_tags: &s.process_tags,
    };
    let logs_href = span_logs_query(&cfg, &reference).map(|(query, from_ms, to_ms)| {
        let hop = Hop::range(&from_ms.to_string(), &to_ms.to_string())
            .datasource(cfg.datasource_uid.as_deref());
        explore_logs(&query, &hop)
    });
    Ok(SpanDetail {
        trace_start_us: laid.hit.start_us,
        logs_href,
        span: s,
    })
}
