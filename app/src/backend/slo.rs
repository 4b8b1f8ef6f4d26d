//! SLO files from `<provisioning>/slos/*.yaml` (seed format or Sloth `prometheus/v1`), read on
//! every request so an edit shows on the next page load, and their evaluation against Prometheus.
//! The math is in `model::slo`; this module only reads files and asks Prometheus.

use super::prometheus::PrometheusClient;
use super::registry::Datasource;
use crate::model::prometheus::{InstantSample, QueryData};
use crate::model::slo::{
    from_seed, from_sloth, parse_window_s, reject_duplicates, SeedFile, SloEntry, SlothFile,
};
use std::collections::BTreeMap;
use std::path::Path;

/// Parses one file's text into entries; a file that does not parse is one invalid entry.
pub fn parse_file(text: &str, source: &str) -> Vec<SloEntry> {
    let invalid = |detail: String| {
        vec![SloEntry::Invalid {
            name: source.to_string(),
            source: source.to_string(),
            error: crate::model::slo::SloError::File {
                file: source.to_string(),
                detail,
            }
            .to_string(),
        }]
    };
    let value: serde_yaml::Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => return invalid(e.to_string()),
    };
    let version = value
        .get("version")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    match version.as_deref() {
        Some("prometheus/v1") => match serde_yaml::from_value::<SlothFile>(value) {
            Ok(f) => from_sloth(&f, source),
            Err(e) => invalid(format!("Sloth prometheus/v1 spec: {e}")),
        },
        Some(other) => invalid(format!(
            "version {other:?} is not supported; use Sloth's \"prometheus/v1\" or the seed format (a top-level `slos:` list)"
        )),
        None => match serde_yaml::from_value::<SeedFile>(value) {
            Ok(f) => from_seed(&f, source),
            Err(e) => invalid(e.to_string()),
        },
    }
}

/// Every SLO of the folder, files in name order. A missing folder is no SLOs.
pub fn load_dir(dir: &Path) -> Vec<SloEntry> {
    let Some(files) = super::provisioning::yaml_files(dir) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for path in files {
        let source = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => entries.extend(parse_file(&text, &source)),
            Err(e) => entries.push(SloEntry::Invalid {
                name: source.clone(),
                source,
                error: format!("cannot read the file: {e}"),
            }),
        }
    }
    reject_duplicates(entries)
}

/// The label that tells the windows of one batched query apart.
const WINDOW_LABEL: &str = "slo_window";

/// Error ratios of one SLO over several windows in a single query (so a query Prometheus rejects
/// fails once, with its message). Keyed by window seconds; a window with no traffic is NaN.
pub async fn error_ratios(
    client: &PrometheusClient<'_>,
    slo: &crate::model::slo::Slo,
    windows: &[i64],
    at_s: f64,
) -> Result<BTreeMap<i64, f64>, String> {
    let expr = windows
        .iter()
        .map(|w| {
            format!(
                "label_replace({}, \"{WINDOW_LABEL}\", \"{w}\", \"\", \"\")",
                slo.error_ratio_expr(*w)
            )
        })
        .collect::<Vec<_>>()
        .join(" or ");
    let answer = client
        .query(&expr, Some(at_s))
        .await
        .map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    if let QueryData::Vector(samples) = answer.data {
        for InstantSample { metric, value } in samples {
            let Some(w) = metric.get(WINDOW_LABEL).and_then(|w| w.parse::<i64>().ok()) else {
                continue;
            };
            let v = value.map(|(_, v)| v.0).unwrap_or(f64::NAN);
            // Several series per window (an indicator kept labels): the worst one counts.
            let e = out.entry(w).or_insert(f64::NAN);
            if e.is_nan() || v > *e {
                *e = v;
            }
        }
    }
    Ok(out)
}

/// How long Prometheus keeps data (`storageRetention` of `/api/v1/status/runtimeinfo`), if it
/// says so in time (`15d`, or `15d or 10GiB`).
pub async fn retention_s(http: &reqwest::Client, ds: &Datasource) -> Option<i64> {
    let client = super::prometheus::PrometheusClient { http, ds };
    let info = client.runtime_info().await.ok()?.data;
    info.storage_retention
        .split(" or ")
        .find_map(|part| parse_window_s(part.trim()).ok())
}
