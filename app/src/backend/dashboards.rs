//! Dashboards from Grafana-format providers (`<provisioning>/dashboards/*.yaml`, `type: file`,
//! `options.path`, `folder`, `options.foldersFromFilesStructure`). Files are re-read when they
//! change: a lookup rescans the directories' modification times at most every two seconds, so
//! editing a JSON file shows on the next page load without a restart.
//!
//! A file that does not parse becomes a [`DashboardProblem`] with file, line and column; every
//! other dashboard still loads.

use crate::model::dashboard::{
    import, slugify, Dashboard, DashboardProblem, DashboardSummary, ImportError,
};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone, PartialEq)]
struct Provider {
    folder: String,
    path: PathBuf,
    folders_from_files: bool,
}

/// One loaded dashboard with its original JSON (served by `/api/dashboards/uid/:uid`).
#[derive(Debug)]
pub struct Entry {
    pub summary: DashboardSummary,
    pub dashboard: Arc<Dashboard>,
    pub raw: Arc<serde_json::Value>,
}

/// Everything loaded at one moment.
#[derive(Debug, Default)]
pub struct Catalog {
    pub entries: Vec<Arc<Entry>>,
    pub problems: Vec<DashboardProblem>,
}

impl Catalog {
    pub fn by_uid(&self, uid: &str) -> Option<Arc<Entry>> {
        self.entries.iter().find(|e| e.summary.uid == uid).cloned()
    }

    /// What each dashboard's panels query (for linking alerts to dashboards).
    pub fn index(&self) -> Vec<crate::model::links::alerts::DashboardIndex> {
        self.entries
            .iter()
            .map(|e| crate::model::links::alerts::DashboardIndex {
                uid: e.summary.uid.clone(),
                url: e.summary.url(),
                exprs: e
                    .dashboard
                    .all_panels()
                    .iter()
                    .flat_map(|p| p.targets.iter().map(|t| t.expr.clone()))
                    .collect(),
                vars: e
                    .dashboard
                    .variables
                    .iter()
                    .map(|v| v.name.clone())
                    .collect(),
            })
            .collect()
    }

    pub fn summaries(&self) -> Vec<DashboardSummary> {
        self.entries.iter().map(|e| e.summary.clone()).collect()
    }
}

type Fingerprint = Vec<(PathBuf, Option<SystemTime>, u64)>;

struct State {
    checked: Option<Instant>,
    fingerprint: Fingerprint,
    catalog: Arc<Catalog>,
}

pub struct DashboardStore {
    providers: Vec<Provider>,
    provider_problems: Vec<DashboardProblem>,
    state: Mutex<State>,
    rescan_every: Duration,
}

#[derive(Deserialize)]
struct RawProviders {
    #[serde(default)]
    providers: Vec<RawProvider>,
}

#[derive(Deserialize)]
struct RawProvider {
    #[serde(default)]
    folder: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    options: RawOptions,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawOptions {
    path: Option<String>,
    #[serde(default)]
    folders_from_files_structure: bool,
}

fn display(p: &Path) -> String {
    p.to_string_lossy().to_string()
}

impl DashboardStore {
    /// Reads the providers under `<provisioning>/dashboards/`. Relative `options.path` values
    /// are resolved against the directory that holds `provisioning/` (the repository root in
    /// the demo), then against the working directory.
    pub fn load(provisioning: &Path, env: &dyn Fn(&str) -> Option<String>) -> Self {
        let mut providers = Vec::new();
        let mut problems = Vec::new();
        let dir = provisioning.join("dashboards");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")));
        files.sort();
        let base = provisioning.parent().unwrap_or(Path::new("."));
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => super::provisioning::expand_env(&t, env),
                Err(e) => {
                    problems.push(DashboardProblem {
                        file: display(&file),
                        line: None,
                        column: None,
                        message: format!("cannot read the provider file: {e}"),
                    });
                    continue;
                }
            };
            match serde_yaml::from_str::<RawProviders>(&text) {
                Ok(raw) => {
                    for p in raw.providers {
                        if p.kind.as_deref().is_some_and(|k| k != "file") {
                            problems.push(DashboardProblem {
                                file: display(&file),
                                line: None,
                                column: None,
                                message: format!(
                                    "provider type {:?} is not supported; use type: file",
                                    p.kind.unwrap_or_default()
                                ),
                            });
                            continue;
                        }
                        let Some(path) = p.options.path else {
                            problems.push(DashboardProblem {
                                file: display(&file),
                                line: None,
                                column: None,
                                message: "a provider has no options.path; point it at a folder of dashboard JSON files".into(),
                            });
                            continue;
                        };
                        let path = PathBuf::from(path);
                        let path = if path.is_absolute() {
                            path
                        } else if base.join(&path).exists() {
                            base.join(&path)
                        } else {
                            path
                        };
                        providers.push(Provider {
                            folder: p.folder,
                            path,
                            folders_from_files: p.options.folders_from_files_structure,
                        });
                    }
                }
                Err(e) => problems.push(DashboardProblem {
                    file: display(&file),
                    line: e.location().map(|l| l.line()),
                    column: e.location().map(|l| l.column()),
                    message: format!("the provider file is not valid YAML: {e}"),
                }),
            }
        }
        Self::with_providers(providers, problems)
    }

    fn with_providers(providers: Vec<Provider>, provider_problems: Vec<DashboardProblem>) -> Self {
        Self {
            providers,
            provider_problems,
            state: Mutex::new(State {
                checked: None,
                fingerprint: Vec::new(),
                catalog: Arc::new(Catalog::default()),
            }),
            rescan_every: Duration::from_secs(2),
        }
    }

    /// An empty store (no provisioning configured).
    pub fn empty() -> Self {
        Self::with_providers(Vec::new(), Vec::new())
    }

    /// The current catalog, reloaded first if any file changed since the last look.
    pub fn catalog(&self) -> Arc<Catalog> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state
            .checked
            .is_some_and(|t| t.elapsed() < self.rescan_every)
        {
            return state.catalog.clone();
        }
        state.checked = Some(Instant::now());
        let files = self.files();
        let fingerprint: Fingerprint = files
            .iter()
            .map(|(p, _)| {
                let meta = std::fs::metadata(p).ok();
                (
                    p.clone(),
                    meta.as_ref().and_then(|m| m.modified().ok()),
                    meta.map(|m| m.len()).unwrap_or(0),
                )
            })
            .collect();
        if fingerprint != state.fingerprint
            || state.catalog.entries.is_empty() && state.catalog.problems.is_empty()
        {
            state.catalog = Arc::new(self.build(&files));
            state.fingerprint = fingerprint;
        }
        state.catalog.clone()
    }

    /// Every `*.json` under each provider path (recursively), with its folder.
    fn files(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        for p in &self.providers {
            let mut stack = vec![(p.path.clone(), p.folder.clone())];
            while let Some((dir, folder)) = stack.pop() {
                let Ok(rd) = std::fs::read_dir(&dir) else {
                    continue;
                };
                let mut entries: Vec<PathBuf> =
                    rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
                entries.sort();
                for path in entries {
                    if path.is_dir() {
                        let sub = if p.folders_from_files {
                            path.file_name()
                                .map(|n| n.to_string_lossy().to_string())
                                .unwrap_or(folder.clone())
                        } else {
                            folder.clone()
                        };
                        stack.push((path, sub));
                    } else if path.extension().and_then(|e| e.to_str()) == Some("json") {
                        out.push((path, folder.clone()));
                    }
                }
            }
        }
        out
    }

    fn build(&self, files: &[(PathBuf, String)]) -> Catalog {
        let mut catalog = Catalog {
            entries: Vec::new(),
            problems: self.provider_problems.clone(),
        };
        for p in &self.providers {
            if !p.path.is_dir() {
                catalog.problems.push(DashboardProblem {
                    file: display(&p.path),
                    line: None,
                    column: None,
                    message:
                        "the provider's options.path is not a directory; create it or fix the path"
                            .into(),
                });
            }
        }
        for (path, folder) in files {
            let file = display(path);
            let stem = path
                .file_stem()
                .map(|s| slugify(&s.to_string_lossy()))
                .unwrap_or_default();
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    catalog.problems.push(DashboardProblem {
                        file,
                        line: None,
                        column: None,
                        message: format!("cannot read the file: {e}"),
                    });
                    continue;
                }
            };
            match import(&text, &stem) {
                Ok(d) => {
                    if let Some(other) = catalog.by_uid(&d.uid) {
                        catalog.problems.push(DashboardProblem {
                            file,
                            line: None,
                            column: None,
                            message: format!(
                                "uid {:?} is already used by {}; give this dashboard its own uid",
                                d.uid, other.summary.file
                            ),
                        });
                        continue;
                    }
                    let raw: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                    let raw = raw.get("dashboard").cloned().unwrap_or(raw);
                    catalog.entries.push(Arc::new(Entry {
                        summary: DashboardSummary {
                            uid: d.uid.clone(),
                            title: d.title.clone(),
                            slug: slugify(&d.title),
                            folder: folder.clone(),
                            tags: d.tags.clone(),
                            file,
                        },
                        dashboard: Arc::new(d),
                        raw: Arc::new(raw),
                    }));
                }
                Err(e) => {
                    let (line, column) = match &e {
                        ImportError::Syntax { line, column, .. } => (Some(*line), Some(*column)),
                        _ => (None, None),
                    };
                    let message = match e {
                        ImportError::Syntax { message, .. } => format!("invalid JSON: {message}"),
                        other => other.to_string(),
                    };
                    catalog.problems.push(DashboardProblem {
                        file,
                        line,
                        column,
                        message,
                    });
                }
            }
        }
        catalog.entries.sort_by(|a, b| {
            (&a.summary.folder, &a.summary.title).cmp(&(&b.summary.folder, &b.summary.title))
        });
        catalog
    }
}

/// The compatibility report of every `*.json` under `dirs` (recursively, in path order): each
/// file with what it has that is not rendered (`model::dashboard::compat`); a file that does
/// not parse is one finding. Files with nothing to report are listed with none.
pub fn compatibility(
    dirs: &[std::path::PathBuf],
) -> Vec<(String, Vec<crate::model::dashboard::compat::Finding>)> {
    use crate::model::dashboard::compat::{report, Finding};
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for d in dirs {
        if d.is_file() {
            files.push(d.clone());
        } else {
            walk(d, &mut files);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let findings = match std::fs::read_to_string(&f)
                .map_err(|e| e.to_string())
                .and_then(|t| {
                    serde_json::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string())
                }) {
                Ok(v) => report(&v),
                Err(e) => vec![Finding {
                    path: "$".into(),
                    what: format!("does not parse: {e}"),
                }],
            };
            (f.display().to_string(), findings)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn loads_reloads_and_reports_broken_files() {
        let tmp = tempfile::tempdir().unwrap();
        let prov = tmp.path().join("provisioning");
        let dash = tmp.path().join("dash");
        write(
            &prov,
            "dashboards/a.yaml",
            &format!("apiVersion: 1\nproviders:\n  - name: a\n    folder: Ops\n    type: file\n    options:\n      path: {}\n      foldersFromFilesStructure: true\n", dash.display()),
        );
        write(
            &dash,
            "one.json",
            r#"{"uid":"one","title":"One","panels":[]}"#,
        );
        write(
            &dash,
            "sub/two.json",
            r#"{"dashboard":{"title":"Two","panels":[]}}"#,
        );
        write(
            &dash,
            "broken.json",
            "{\n  \"title\": \"Broken\",\n  \"panels\": [\n}\n",
        );
        let mut store = DashboardStore::load(&prov, &|_| None);
        store.rescan_every = Duration::ZERO;
        let c = store.catalog();
        assert_eq!(c.entries.len(), 2, "{:?}", c.problems);
        let two = c.by_uid("two").expect("uid from the file name");
        assert_eq!(two.summary.folder, "sub");
        assert_eq!(c.by_uid("one").unwrap().summary.folder, "Ops");
        assert_eq!(c.problems.len(), 1);
        let p = &c.problems[0];
        assert!(p.file.ends_with("broken.json"));
        assert_eq!((p.line, p.column), (Some(4), Some(1)));
        // Editing a file shows on the next look.
        write(
            &dash,
            "one.json",
            r#"{"uid":"one","title":"One renamed","panels":[]}"#,
        );
        std::thread::sleep(Duration::from_millis(20));
        let c = store.catalog();
        assert_eq!(c.by_uid("one").unwrap().summary.title, "One renamed");
        // A duplicate uid is a problem, not a silent replacement.
        write(
            &dash,
            "dup.json",
            r#"{"uid":"one","title":"Dup","panels":[]}"#,
        );
        let c = store.catalog();
        assert!(c
            .problems
            .iter()
            .any(|p| p.message.contains("already used")));
    }

    #[test]
    fn provider_problems_are_listed() {
        let tmp = tempfile::tempdir().unwrap();
        let prov = tmp.path().join("provisioning");
        write(&prov, "dashboards/bad.yaml", "providers: [\n");
        write(
            &prov,
            "dashboards/nopath.yaml",
            "providers:\n  - name: x\n    type: file\n",
        );
        let store = DashboardStore::load(&prov, &|_| None);
        let c = store.catalog();
        assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
        assert!(c.problems.iter().any(|p| p.line.is_some()));
    }
}
