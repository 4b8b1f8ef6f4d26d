//! Dashboards: the searchable list, a dashboard at its Grafana URL, and one panel alone for
//! iframes.

pub mod list;
pub mod solo;
pub mod view;

/// The URL's query pairs in order (repeated keys kept, as `var-x=a&var-x=b` needs).
pub fn query_pairs(q: &leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, _) in q.clone().into_iter() {
        let k = k.to_string();
        if out.iter().any(|(seen, _): &(String, String)| *seen == k) {
            continue;
        }
        for v in q.get_all(&k).unwrap_or_default() {
            out.push((k.clone(), v));
        }
    }
    out
}
