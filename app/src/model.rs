//! Pure types and logic with no IO: shared by the server (SSR, proxy) and the browser (hydrate).

pub mod alerting;
pub mod allowlist;
pub mod auth;
pub mod breaker;
pub mod bundle;
pub mod dashboard;
pub mod datasource;
pub mod decimate;
pub mod drawn;
pub mod duration;
pub mod embed;
pub mod html;
pub mod json;
pub mod links;
pub mod logs;
pub mod markdown;
pub mod matchers;
pub mod numbers;
pub mod parallel_json;
pub mod playlist;
pub mod prometheus;
pub mod promql;
pub mod promql_complete;
pub mod routing;
pub mod rule_lint;
pub mod server_only;
pub mod server_timing;
pub mod silence;
pub mod slo;
pub mod sparse;
pub mod status;
pub mod time_range;
pub mod timestamp;
pub mod trace_window;
pub mod traces;
pub mod upstream;
pub mod url_state;
pub mod waterfall;

/// An upstream sample from `tests/fixtures/` (see its PROVENANCE.md).
#[cfg(test)]
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture exists")
}

/// Every `.json` under `tests/fixtures/<dir>`, subfolders included, sorted.
#[cfg(test)]
pub(crate) fn fixture_files(dir: &str) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixture folder exists") {
            let path = entry.expect("readable fixture folder").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        std::path::Path::new(&format!(
            "{}/../tests/fixtures/{dir}",
            env!("CARGO_MANIFEST_DIR")
        )),
        &mut out,
    );
    out.sort();
    out
}

/// A label set from pairs, for tests.
#[cfg(test)]
pub(crate) fn labels(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
