use crate::api::AppError;
use crate::model::routing::{AmConfig, RouteMatch};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromPipeline {
    pub name: String,
    pub rule_files: Vec<String>,
    /// Alertmanagers Prometheus sends to (active) and those it dropped.
    pub alertmanagers: Vec<String>,
    pub dropped: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmPipeline {
    pub name: String,
    pub version: String,
    pub uptime: String,
    pub cluster_status: String,
    pub peers: Vec<String>,
    pub config: Option<AmConfig>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTest {
    pub alertmanager: String,
    pub matches: Vec<RouteMatch>,
    /// (inhibit rule as text, firing alerts that would suppress this one now).
    pub inhibitions: Vec<(String, Vec<String>)>,
    /// (silence id, comment) of active silences that would mute it.
    pub silences: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineView {
    pub prometheus: PromPipeline,
    pub alertmanagers: Vec<AmPipeline>,
    /// Label sets of alerts active now, to test with one click.
    pub live: Vec<String>,
    pub test: Option<Result<RouteTest, String>>,
}

#[cfg(feature = "ssr")]
fn labels_text(l: &std::collections::BTreeMap<String, String>) -> String {
    l.iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The alert pipeline: Prometheus' rule files and Alertmanagers, each Alertmanager's cluster and
/// routing tree; with `labels`, where an alert with those labels would go.
#[server(endpoint = "alert_pipeline")]
pub async fn alert_pipeline(labels: String) -> Result<PipelineView, AppError> {
    use crate::backend::alertmanager::AlertmanagerClient;
    use crate::backend::http::get_bytes;
    use crate::model::alerting::RulesData;
    use crate::model::datasource::DatasourceKind;
    use crate::model::routing::{inhibitions, parse_config, parse_label_pairs, route_alert};
    use crate::model::upstream::decode_envelope;
    use serde_json::Value;

    let backends = crate::api::backends()?;
    let prom = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, None)?;
    let mut prometheus = PromPipeline {
        name: prom.name.clone(),
        rule_files: Vec::new(),
        alertmanagers: Vec::new(),
        dropped: Vec::new(),
        error: None,
    };
    match get_bytes(&backends.http, &prom, "api/v1/rules", None).await {
        Ok((status, body)) => match decode_envelope::<RulesData>(&prom.name, status, &body) {
            Ok(r) => {
                let mut files: Vec<String> = r.data.groups.into_iter().map(|g| g.file).collect();
                files.sort();
                files.dedup();
                prometheus.rule_files = files;
            }
            Err(e) => prometheus.error = Some(e.to_string()),
        },
        Err(e) => prometheus.error = Some(e.to_string()),
    }
    if let Ok((status, body)) = get_bytes(&backends.http, &prom, "api/v1/alertmanagers", None).await
    {
        match decode_envelope::<Value>(&prom.name, status, &body) {
            Ok(a) => {
                let urls = |k: &str| -> Vec<String> {
                    a.data[k]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|x| x["url"].as_str().map(str::to_string))
                        .collect()
                };
                prometheus.alertmanagers = urls("activeAlertmanagers");
                prometheus.dropped = urls("droppedAlertmanagers");
            }
            Err(e) => {
                prometheus.error.get_or_insert(e.to_string());
            }
        }
    }

    let mut alertmanagers = Vec::new();
    let mut live = Vec::new();
    let mut firing = Vec::new();
    let mut silences = Vec::new();
    let mut first_config: Option<(String, AmConfig)> = None;
    for ds in backends.registry.of_kind(DatasourceKind::Alertmanager) {
        let mut am = AmPipeline {
            name: ds.name.clone(),
            version: String::new(),
            uptime: String::new(),
            cluster_status: String::new(),
            peers: Vec::new(),
            config: None,
            error: None,
        };
        match get_bytes(&backends.http, ds, "api/v2/status", None).await {
            Ok((200, body)) => {
                let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                am.version = v["versionInfo"]["version"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                am.uptime = v["uptime"].as_str().unwrap_or("").to_string();
                am.cluster_status = v["cluster"]["status"].as_str().unwrap_or("").to_string();
                am.peers = v["cluster"]["peers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["address"].as_str().map(str::to_string))
                    .collect();
                let original = v["config"]["original"].as_str().unwrap_or("");
                match serde_yaml::from_str::<Value>(original)
                    .map_err(|e| format!("the configuration is not valid YAML: {e}"))
                    .and_then(|y| parse_config(&y))
                {
                    Ok(c) => {
                        if first_config.is_none() {
                            first_config = Some((ds.name.clone(), c.clone()));
                            let client = AlertmanagerClient::new(&backends.http, ds)?;
                            if let Ok(groups) = client.groups().await {
                                for a in groups.into_iter().flat_map(|g| g.alerts) {
                                    let t = labels_text(&a.labels);
                                    if !live.contains(&t) {
                                        live.push(t);
                                    }
                                    firing.push(a.labels);
                                }
                            }
                            silences = client.silences().await.unwrap_or_default();
                        }
                        am.config = Some(c);
                    }
                    Err(e) => am.error = Some(e),
                }
            }
            Ok((status, _)) => {
                am.error = Some(format!(
                    "{} answered HTTP {status} for /api/v2/status",
                    ds.name
                ))
            }
            Err(e) => am.error = Some(e.to_string()),
        }
        alertmanagers.push(am);
    }

    let test = (!labels.trim().is_empty()).then(|| {
        let l = parse_label_pairs(&labels)?;
        let (name, config) = first_config
            .as_ref()
            .ok_or("no Alertmanager answered with its configuration; the route cannot be tested")?;
        Ok(RouteTest {
            alertmanager: name.clone(),
            matches: route_alert(&config.route, &l),
            inhibitions: inhibitions(&config.inhibit_rules, &l, &firing)
                .into_iter()
                .map(|(r, sources)| {
                    let text = |ms: &[crate::model::matchers::Matcher]| {
                        ms.iter()
                            .map(|m| m.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    (
                        format!(
                            "source {{{}}} → target {{{}}}, equal [{}]",
                            text(&r.source),
                            text(&r.target),
                            r.equal.join(", ")
                        ),
                        sources.into_iter().map(labels_text).collect(),
                    )
                })
                .collect(),
            silences: silences
                .iter()
                .filter(|s| s.status.state == "active" && s.matches(&l))
                .map(|s| (s.id.clone(), s.comment.clone()))
                .collect(),
        })
    });
    Ok(PipelineView {
        prometheus,
        alertmanagers,
        live,
        test,
    })
}
