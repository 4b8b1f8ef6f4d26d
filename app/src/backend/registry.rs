//! The provisioned datasources, looked up by uid or by kind.

use crate::model::datasource::{
    DatasourceKind, DatasourceOverview, DatasourceSummary, ProvisioningProblem,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// One usable datasource. Secrets stay here and never reach the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Datasource {
    pub uid: String,
    pub name: String,
    pub kind: DatasourceKind,
    pub url: url::Url,
    pub is_default: bool,
    /// (user, password) for HTTP basic auth to the backend.
    pub basic_auth: Option<(String, String)>,
    /// Extra headers (`httpHeaderName1`/`httpHeaderValue1`, …), e.g. a tenant id.
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    /// Non-secret jsonData, kept for features that read it (timeInterval, implementation, …).
    pub json_data: BTreeMap<String, String>,
    /// Prometheus only: `jsonData.customQueryParameters`, parsed and checked when provisioned.
    pub query_parameters: Vec<(String, String)>,
    /// Concurrency limit, circuit breaker and size cap (jsonData `octoscopeMaxConcurrent`,
    /// `octoscopeMaxResponseMB`).
    pub guard: super::guard::Guard,
    /// `derivedFields` (Loki) and `tracesToLogsV2` (Jaeger, Tempo) from jsonData.
    pub correlations: crate::model::datasource::correlations::Correlations,
    /// Jaeger only: which HTTP API the backend speaks, found on first use.
    pub jaeger_api: JaegerApiCell,
}

/// Jaeger's HTTP API generation: the v1 JSON API of the Jaeger UI or API v3 (OTLP JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JaegerApi {
    V1,
    V3,
}

/// The detected [`JaegerApi`], shared by the requests (and clones) of one datasource; empty
/// until detected. Compares equal always: it is state, not configuration.
#[derive(Debug, Default, Clone)]
pub struct JaegerApiCell(std::sync::Arc<std::sync::atomic::AtomicU8>);

impl PartialEq for JaegerApiCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl JaegerApiCell {
    pub fn get(&self) -> Option<JaegerApi> {
        match self.0.load(std::sync::atomic::Ordering::Relaxed) {
            1 => Some(JaegerApi::V1),
            3 => Some(JaegerApi::V3),
            _ => None,
        }
    }
    pub fn set(&self, api: JaegerApi) {
        let v = match api {
            JaegerApi::V1 => 1,
            JaegerApi::V3 => 3,
        };
        self.0.store(v, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Datasource {
    /// The URL without user or password: what pages, logs and errors may show.
    pub fn display_url(&self) -> String {
        crate::model::datasource::redact_credentials(self.url.as_str())
    }

    pub fn summary(&self) -> DatasourceSummary {
        DatasourceSummary {
            uid: self.uid.clone(),
            name: self.name.clone(),
            kind: self.kind,
            url: self.display_url(),
            is_default: self.is_default,
        }
    }
}

#[derive(Debug, Default)]
pub struct DatasourceRegistry {
    datasources: Vec<Arc<Datasource>>,
    problems: Vec<ProvisioningProblem>,
}

impl DatasourceRegistry {
    /// Builds the registry; a second datasource with an already used uid becomes a problem.
    pub fn new(datasources: Vec<Datasource>, mut problems: Vec<ProvisioningProblem>) -> Self {
        let mut kept: Vec<Arc<Datasource>> = Vec::new();
        for ds in datasources {
            if kept.iter().any(|k| k.uid == ds.uid) {
                problems.push(ProvisioningProblem {
                    file: "provisioning/datasources".into(),
                    line: None,
                    datasource: Some(ds.name.clone()),
                    message: format!(
                        "uid {:?} is already used by another datasource; give it its own uid",
                        ds.uid
                    ),
                });
            } else {
                kept.push(Arc::new(ds));
            }
        }
        Self {
            datasources: kept,
            problems,
        }
    }

    pub fn all(&self) -> &[Arc<Datasource>] {
        &self.datasources
    }

    pub fn problems(&self) -> &[ProvisioningProblem] {
        &self.problems
    }

    pub fn is_empty(&self) -> bool {
        self.datasources.is_empty() && self.problems.is_empty()
    }

    pub fn by_uid(&self, uid: &str) -> Option<Arc<Datasource>> {
        self.datasources.iter().find(|d| d.uid == uid).cloned()
    }

    /// The datasource of `kind` marked `isDefault`, else the first of that kind.
    pub fn default_of(&self, kind: DatasourceKind) -> Option<Arc<Datasource>> {
        let mut of_kind = self.datasources.iter().filter(|d| d.kind == kind);
        let first = of_kind.clone().next().cloned();
        of_kind.find(|d| d.is_default).cloned().or(first)
    }

    pub fn of_kind(&self, kind: DatasourceKind) -> impl Iterator<Item = &Arc<Datasource>> {
        self.datasources.iter().filter(move |d| d.kind == kind)
    }

    pub fn overview(&self) -> DatasourceOverview {
        DatasourceOverview {
            datasources: self.datasources.iter().map(|d| d.summary()).collect(),
            problems: self.problems.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ds(uid: &str, kind: DatasourceKind, is_default: bool) -> Datasource {
        Datasource {
            uid: uid.into(),
            name: uid.to_uppercase(),
            kind,
            url: url::Url::parse("http://127.0.0.1:1").unwrap(),
            is_default,
            basic_auth: None,
            headers: vec![],
            timeout: Duration::from_secs(1),
            json_data: BTreeMap::new(),
            query_parameters: Vec::new(),
            guard: Default::default(),
            correlations: Default::default(),
            jaeger_api: Default::default(),
        }
    }

    #[test]
    fn defaults_and_duplicates() {
        let reg = DatasourceRegistry::new(
            vec![
                ds("a", DatasourceKind::Prometheus, false),
                ds("b", DatasourceKind::Prometheus, true),
                ds("b", DatasourceKind::Loki, false),
                ds("am", DatasourceKind::Alertmanager, false),
            ],
            vec![],
        );
        assert_eq!(reg.all().len(), 3);
        assert_eq!(reg.problems().len(), 1);
        assert_eq!(reg.default_of(DatasourceKind::Prometheus).unwrap().uid, "b");
        assert_eq!(
            reg.default_of(DatasourceKind::Alertmanager).unwrap().uid,
            "am"
        );
        assert!(reg.default_of(DatasourceKind::Tempo).is_none());
        assert!(reg.by_uid("a").is_some());
        assert!(reg.by_uid("zzz").is_none());
    }
}
