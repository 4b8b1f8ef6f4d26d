//! Datasource kinds and the summaries the UI shows. Provisioning files use Grafana's type ids.

pub mod correlations;

use serde::{Deserialize, Serialize};

/// The backends Octoscope knows how to talk to, named by Grafana's datasource `type` ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatasourceKind {
    Prometheus,
    Alertmanager,
    Loki,
    Jaeger,
    Tempo,
}

impl DatasourceKind {
    pub const ALL: [DatasourceKind; 5] = [
        DatasourceKind::Prometheus,
        DatasourceKind::Alertmanager,
        DatasourceKind::Loki,
        DatasourceKind::Jaeger,
        DatasourceKind::Tempo,
    ];

    /// Grafana type id as written in provisioning YAML (`type: prometheus`).
    pub fn from_grafana_type(id: &str) -> Option<Self> {
        match id.trim().to_ascii_lowercase().as_str() {
            "prometheus" => Some(Self::Prometheus),
            // Grafana's core Alertmanager datasource id, and the old plugin id.
            "alertmanager" | "camptocamp-prometheus-alertmanager-datasource" => {
                Some(Self::Alertmanager)
            }
            "loki" => Some(Self::Loki),
            "jaeger" => Some(Self::Jaeger),
            "tempo" => Some(Self::Tempo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prometheus => "prometheus",
            Self::Alertmanager => "alertmanager",
            Self::Loki => "loki",
            Self::Jaeger => "jaeger",
            Self::Tempo => "tempo",
        }
    }
}

impl std::fmt::Display for DatasourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the UI and `/api/health` say about one provisioned datasource (no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasourceSummary {
    pub uid: String,
    pub name: String,
    pub kind: DatasourceKind,
    pub url: String,
    pub is_default: bool,
}

/// A provisioning file or entry that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningProblem {
    pub file: String,
    /// 1-based line in `file`, when the parser could tell.
    pub line: Option<usize>,
    /// Datasource name, when the entry got far enough to have one.
    pub datasource: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ProvisioningProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(name) = &self.datasource {
            write!(f, " (datasource \"{name}\")")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything the console knows about its datasources: the usable ones and the broken ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasourceOverview {
    pub datasources: Vec<DatasourceSummary>,
    pub problems: Vec<ProvisioningProblem>,
}

/// `text` with the user and password of every `scheme://user:password@host` in it replaced by
/// `***`: datasource URLs may carry credentials, which must never reach a page, a log or an
/// error message.
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"')
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_redacted() {
        assert_eq!(
            redact_credentials("http://reader:s3cret@loki:3100/x?a=b@c"),
            "http://***@loki:3100/x?a=b@c"
        );
        assert_eq!(
            redact_credentials("url \"https://u@h\" and http://h2/p"),
            "url \"https://***@h\" and http://h2/p"
        );
        assert_eq!(redact_credentials("no url here"), "no url here");
        assert_eq!(redact_credentials("http://p:w@"), "http://***@");
    }

    #[test]
    fn grafana_type_ids_map_to_kinds() {
        assert_eq!(
            DatasourceKind::from_grafana_type("prometheus"),
            Some(DatasourceKind::Prometheus)
        );
        assert_eq!(
            DatasourceKind::from_grafana_type(" Loki "),
            Some(DatasourceKind::Loki)
        );
        assert_eq!(
            DatasourceKind::from_grafana_type("alertmanager"),
            Some(DatasourceKind::Alertmanager)
        );
        assert_eq!(DatasourceKind::from_grafana_type("graphite"), None);
        for kind in DatasourceKind::ALL {
            assert_eq!(DatasourceKind::from_grafana_type(kind.as_str()), Some(kind));
        }
    }
}
