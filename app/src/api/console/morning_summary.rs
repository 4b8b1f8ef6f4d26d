use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One part of the summary: its figures, or why they could not be read (the rest still shows).
pub type Part<T> = Result<T, String>;

/// The home page: what an on-call engineer checks first, each part read concurrently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnCallSummary {
    /// Active (not silenced or inhibited) alerts per severity, most severe first, and how many
    /// are suppressed.
    pub alerts: Part<(Vec<(String, usize)>, usize)>,
    /// SLOs paging or ticketing, worst first; and how many SLOs there are.
    pub slos: Part<(Vec<BurningSlo>, usize)>,
    /// Scrape targets (down, up) and the pools with targets down.
    pub targets: Part<(usize, usize, Vec<String>)>,
    /// Each datasource: (name, kind, round-trip ms or why it failed).
    pub datasources: Vec<(String, String, Result<u64, String>)>,
    /// Nothing is provisioned: the page shows how to start instead.
    pub empty: bool,
}

/// An SLO burning its budget too fast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurningSlo {
    pub name: String,
    /// `page` or `ticket`.
    pub status: String,
    /// Fraction of the budget left.
    pub remaining: Option<f64>,
}

/// Firing alerts by severity, SLOs burning, targets down and datasource health, in one call.
#[server(endpoint = "morning_summary")]
pub async fn morning_summary() -> Result<OnCallSummary, AppError> {
    use crate::model::alerting::board::Counts;
    use crate::model::slo::Status;

    let backends = crate::api::backends()?;
    let overview = backends.registry.overview();
    let probes = backends.registry.all().iter().map(|ds| {
        let http = backends.http.clone();
        async move {
            let r = crate::backend::health::probe(&http, ds)
                .await
                .map_err(|e| e.to_string());
            (ds.name.clone(), ds.kind.to_string(), r)
        }
    });
    let (alerts, slos, targets, datasources) = futures::join!(
        crate::backend::alert_snapshot::fleet(&backends, crate::api::alerting::written_after()),
        crate::api::slo::list_slos(String::new()),
        crate::api::status::list_targets(String::new(), String::new(), None),
        futures::future::join_all(probes),
    );
    let alerts = alerts
        .ok_or_else(|| {
            AppError::NoDatasource {
                kind: crate::model::datasource::DatasourceKind::Alertmanager,
            }
            .to_string()
        })
        .map(|fleet| {
            let mut seen = std::collections::HashSet::new();
            let clusters = fleet.clusters();
            let unique: Vec<_> = clusters
                .iter()
                .flat_map(|c| c.alerts())
                .filter(|a| seen.insert(&a.fingerprint))
                .collect();
            let active = Counts::of(
                unique
                    .iter()
                    .copied()
                    .filter(|a| a.status.state == "active"),
            );
            (active.by_severity, unique.len() - active.total)
        });
    let slos = slos.map_err(|e| e.to_string()).map(|l| {
        let total = l.rows.len();
        let mut burning: Vec<_> = l
            .rows
            .into_iter()
            .filter(|r| matches!(r.status, Status::Page | Status::Ticket))
            .map(|r| BurningSlo {
                name: r.name,
                status: r.status.as_str().to_string(),
                remaining: r.remaining,
            })
            .collect();
        burning.sort_by_key(|b| b.status != "page");
        (burning, total)
    });
    let targets = targets.map_err(|e| e.to_string()).map(|t| {
        let pools = t
            .pools
            .iter()
            .filter(|p| p.down > 0)
            .map(|p| p.name.clone())
            .collect();
        (t.down, t.up, pools)
    });
    Ok(OnCallSummary {
        empty: overview.datasources.is_empty() && overview.problems.is_empty(),
        alerts,
        slos,
        targets,
        datasources,
    })
}
