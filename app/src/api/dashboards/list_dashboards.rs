use crate::api::AppError;
use crate::model::dashboard::{DashboardProblem, DashboardSummary};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardSummary>,
    /// Every provisioned dashboard, before the search filter (for "N of M").
    pub total: usize,
    pub problems: Vec<DashboardProblem>,
}

/// Whether a dashboard matches a search: every word in the title, folder or a tag; `tag` exact.
pub fn matches_search(d: &DashboardSummary, query: &str, tag: Option<&str>) -> bool {
    let hay = format!("{} {} {}", d.title, d.folder, d.tags.join(" ")).to_lowercase();
    query
        .split_whitespace()
        .all(|w| hay.contains(&w.to_lowercase()))
        && tag.is_none_or(|t| t.is_empty() || d.tags.iter().any(|x| x == t))
}

/// Provisioned dashboards matching `query` (title, folder, tags) and `tag`, plus load problems.
#[server(endpoint = "list_dashboards")]
pub async fn list_dashboards(
    query: String,
    tag: Option<String>,
) -> Result<DashboardList, AppError> {
    let backends = crate::api::backends()?;
    let catalog = backends.dashboards.catalog();
    let all = catalog.summaries();
    Ok(DashboardList {
        total: all.len(),
        dashboards: all
            .into_iter()
            .filter(|d| matches_search(d, &query, tag.as_deref()))
            .collect(),
        problems: catalog.problems.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_by_title_folder_and_tag() {
        let d = DashboardSummary {
            uid: "u".into(),
            title: "Service Health".into(),
            slug: "service-health".into(),
            folder: "OctoLLM".into(),
            tags: vec!["runbook".into(), "octollm".into()],
            file: "x.json".into(),
        };
        assert!(matches_search(&d, "", None));
        assert!(matches_search(&d, "health octo", None));
        assert!(matches_search(&d, "RUNBOOK", None));
        assert!(!matches_search(&d, "logs", None));
        assert!(matches_search(&d, "", Some("runbook")));
        assert!(!matches_search(&d, "", Some("run")));
    }
}
