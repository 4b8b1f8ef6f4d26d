//! The dashboard list panel (`dashlist`): provisioned dashboards matching the panel's search
//! (`query`, every one of `tags`), at most `maxItems`, the count of all matches kept for "showing
//! N of M". Starred and recently viewed lists are per-user Grafana state Octoscope does not keep:
//! the panel says so rather than showing an empty list. Pure.

use super::DashboardSummary;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Grafana's default `maxItems`.
const DEFAULT_MAX_ITEMS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashListOptions {
    pub query: String,
    pub tags: Vec<String>,
    pub max_items: usize,
    pub show_search: bool,
    pub show_starred: bool,
    pub show_recent: bool,
    /// Links carry the dashboard's variables / time range.
    pub include_vars: bool,
    pub keep_time: bool,
}

impl Default for DashListOptions {
    fn default() -> Self {
        Self {
            query: String::new(),
            tags: Vec::new(),
            max_items: DEFAULT_MAX_ITEMS,
            show_search: false,
            show_starred: true,
            show_recent: false,
            include_vars: false,
            keep_time: false,
        }
    }
}

impl DashListOptions {
    pub fn from_json(opts: &Value) -> Self {
        let d = Self::default();
        let flag = |k: &str, default: bool| opts.get(k).and_then(Value::as_bool).unwrap_or(default);
        Self {
            query: super::s(opts, "query"),
            tags: super::strings(opts, "tags"),
            max_items: opts
                .get("maxItems")
                .and_then(Value::as_u64)
                .map(|m| m as usize)
                .unwrap_or(d.max_items),
            show_search: flag("showSearch", d.show_search),
            show_starred: flag("showStarred", d.show_starred),
            show_recent: flag("showRecentlyViewed", d.show_recent),
            include_vars: flag("includeVars", d.include_vars),
            keep_time: flag("keepTime", d.keep_time),
        }
    }

    /// What the panel says about the lists it cannot show.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (on, what) in [
            (self.show_starred, "starred"),
            (self.show_recent, "recently viewed"),
        ] {
            if on {
                out.push(format!(
                    "not shown: the {what} dashboards list (Octoscope keeps no per-user stars or history); turn on “Search” in the panel to list dashboards by query and tags"
                ));
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DashList {
    pub items: Vec<DashboardSummary>,
    /// Dashboards matching the search (more than `items` when `maxItems` cut it).
    pub matched: usize,
}

/// The search list: every word of `query` in the title or folder, every tag present; by title.
pub fn select(all: &[DashboardSummary], o: &DashListOptions) -> DashList {
    if !o.show_search {
        return DashList::default();
    }
    let words: Vec<String> = o.query.split_whitespace().map(str::to_lowercase).collect();
    let mut hits: Vec<&DashboardSummary> = all
        .iter()
        .filter(|d| {
            let hay = format!("{} {}", d.title, d.folder).to_lowercase();
            words.iter().all(|w| hay.contains(w.as_str()))
                && o.tags.iter().all(|t| d.tags.contains(t))
        })
        .collect();
    hits.sort_by_key(|a| a.title.to_lowercase());
    DashList {
        matched: hits.len(),
        items: hits.into_iter().take(o.max_items).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(title: &str, tags: &[&str]) -> DashboardSummary {
        DashboardSummary {
            uid: title.to_lowercase().replace(' ', "-"),
            title: title.into(),
            slug: String::new(),
            folder: "OctoLLM".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            file: String::new(),
        }
    }

    #[test]
    fn search_matches_words_and_every_tag_by_title_up_to_max_items() {
        let all = [
            d("Service Health", &["octollm", "runbook"]),
            d("Arms", &["octollm"]),
            d("Alert Drill", &["octollm", "runbook"]),
            d("Node", &[]),
        ];
        let o = DashListOptions::from_json(&json!({
            "showSearch": true, "showStarred": false, "tags": ["octollm", "runbook"], "maxItems": 1
        }));
        let list = select(&all, &o);
        assert_eq!(list.matched, 2);
        let titles: Vec<&str> = list.items.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Alert Drill"]);
        let o = DashListOptions {
            query: "octollm AL".into(),
            tags: vec![],
            max_items: 10,
            ..o
        };
        assert_eq!(
            select(&all, &o).matched,
            2,
            "Service Health and Alert Drill"
        );
        assert!(o.warnings().is_empty());
    }

    #[test]
    fn starred_and_recent_are_named_not_shown_empty() {
        let o = DashListOptions::from_json(&json!({"showRecentlyViewed": true}));
        assert!(o.show_starred, "Grafana's default");
        let w = o.warnings();
        assert_eq!(w.len(), 2);
        assert!(w[1].contains("recently viewed"), "{w:?}");
        assert_eq!(select(&[d("Arms", &[])], &o), DashList::default());
    }
}
