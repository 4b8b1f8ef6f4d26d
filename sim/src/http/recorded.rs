//! Recorded upstream trace samples (Jaeger and Tempo fixtures) served beside the simulated ones,
//! so the console meets real-world shapes in the demo.

use super::*;

/// Upstream trace samples served verbatim beside the simulated traces (`--recorded-traces DIR`:
/// `DIR/jaeger/*.json`, `DIR/tempo/*.json`), so the console is checked against real shapes.
#[derive(Default)]
pub(super) struct Recorded {
    /// trace id → the whole `GET /api/traces/{id}` answer.
    pub(super) jaeger: HashMap<String, Value>,
    /// lowercase hex trace id → Tempo's `GET /api/traces/{id}` body, byte for byte.
    pub(super) tempo: HashMap<String, String>,
}

static RECORDED: std::sync::OnceLock<Recorded> = std::sync::OnceLock::new();

pub(super) fn recorded() -> &'static Recorded {
    RECORDED.get_or_init(Recorded::default)
}

/// Loads the samples; returns how many traces each stand-in serves. Files that hold no trace
/// (service lists, operation lists) are skipped.
pub fn load_recorded_traces(dir: &std::path::Path) -> Result<(usize, usize), String> {
    let mut rec = Recorded::default();
    let files = |sub: &str| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = std::fs::read_dir(dir.join(sub))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        v
    };
    let read = |p: &std::path::Path| -> Result<(String, Value), String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let v = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok((text, v))
    };
    for path in files("jaeger") {
        let (_, v) = read(&path)?;
        if let Some(id) = v["traceID"].as_str() {
            // A bare trace (the UI's model): the query service wraps it in its envelope.
            rec.jaeger.insert(
                id.to_string(),
                json!({"data": [v.clone()], "total": 0, "limit": 0, "offset": 0, "errors": null}),
            );
        } else if let Some(traces) = v["data"].as_array() {
            for id in traces.iter().filter_map(|t| t["traceID"].as_str()) {
                rec.jaeger.insert(id.to_string(), v.clone());
            }
        }
    }
    for path in files("tempo") {
        let (text, v) = read(&path)?;
        let id = v["batches"][0]["scopeSpans"][0]["spans"][0]["traceId"]
            .as_str()
            .filter(|id| id.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase);
        if let Some(id) = id {
            rec.tempo.insert(id, text);
        }
    }
    let counts = (rec.jaeger.len(), rec.tempo.len());
    RECORDED
        .set(rec)
        .map_err(|_| "recorded traces were already loaded".to_string())?;
    Ok(counts)
}
