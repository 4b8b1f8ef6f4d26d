//! The read-only subset of Grafana's HTTP API that portals and scripts use to find dashboards:
//! `GET /api/search` and `GET /api/dashboards/uid/:uid` (the JSON as provisioned).

use crate::{json_error, AppState};
use app::api::dashboards::matches_search;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    query: String,
    tag: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<usize>,
}

pub async fn search(State(state): State<AppState>, Query(p): Query<SearchParams>) -> Response {
    // Folders are not separate objects here; asking only for them returns nothing.
    if p.kind.as_deref() == Some("dash-folder") {
        return Json(json!([])).into_response();
    }
    let catalog = state.backends().dashboards.catalog();
    let hits: Vec<_> = catalog
        .summaries()
        .into_iter()
        .filter(|d| matches_search(d, &p.query, p.tag.as_deref()))
        .take(p.limit.unwrap_or(1000))
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": i + 1,
                "uid": d.uid,
                "title": d.title,
                "uri": format!("db/{}", d.slug),
                "url": d.url(),
                "slug": d.slug,
                "type": "dash-db",
                "tags": d.tags,
                "isStarred": false,
                "folderTitle": d.folder,
            })
        })
        .collect();
    Json(hits).into_response()
}

pub async fn dashboard_by_uid(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    match state.backends().dashboards.catalog().by_uid(&uid) {
        Some(e) => Json(json!({
            "dashboard": e.raw.as_ref(),
            "meta": {
                "type": "db",
                "slug": e.summary.slug,
                "url": e.summary.url(),
                "folderTitle": e.summary.folder,
                "provisioned": true,
                "provisionedExternalId": e.summary.file,
                "canEdit": false,
                "canSave": false,
            }
        }))
        .into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            format!("Dashboard not found: no dashboard has uid {uid:?}"),
        ),
    }
}
