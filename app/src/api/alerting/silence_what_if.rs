use crate::api::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a draft silence would have muted, from Prometheus' `ALERTS` history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// (window label, distinct alerts that fired, firing hours) for 1d and 7d.
    pub windows: Vec<(String, u64, f64)>,
    /// Matchers left out because no `ALERTS` series carries that label (typically Prometheus'
    /// external labels such as `cluster`, which Alertmanager sees but the TSDB does not store).
    pub ignored: Vec<String>,
}

/// Counts the alert series matching the draft's matchers that fired over the last 1 and 7 days,
/// and how long they fired, so the user sees the blast radius before creating the silence.
#[server(endpoint = "silence_what_if")]
pub async fn silence_what_if(matchers: String) -> Result<WhatIf, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::alerting::alerts_history_selector;
    use crate::model::datasource::DatasourceKind;
    use crate::model::prometheus::QueryData;

    let parsed = crate::model::silence::draft_matchers(&matchers).map_err(AppError::BadRequest)?;
    if parsed.is_empty() {
        return Ok(WhatIf {
            windows: vec![],
            ignored: vec![],
        });
    }
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, None)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let names = client.label_names_ever("ALERTS").await?.data;
    let (kept, ignored): (Vec<_>, Vec<_>) =
        parsed.into_iter().partition(|m| names.contains(&m.name));
    let ignored: Vec<String> = ignored.iter().map(|m| m.to_string()).collect();
    if kept.is_empty() {
        return Ok(WhatIf {
            windows: vec![],
            ignored,
        });
    }
    let selector = alerts_history_selector(&kept);
    let scalar = |d: QueryData| match d {
        QueryData::Vector(v) => v
            .first()
            .and_then(|s| s.value.as_ref())
            .map(|v| v.1 .0)
            .filter(|v| v.is_finite())
            .unwrap_or(0.0),
        QueryData::Scalar((_, v)) if v.0.is_finite() => v.0,
        _ => 0.0,
    };
    let mut windows = Vec::new();
    // A subquery samples the number of firing series at a fixed resolution, so the firing time
    // does not depend on each rule group's evaluation interval.
    for (window, resolution_min) in [("1d", 1.0), ("7d", 5.0)] {
        let alerts = client
            .query(
                &format!("count(count_over_time({selector}[{window}]))"),
                None,
            )
            .await?;
        let resolution = format!("{}m", resolution_min as u32);
        let samples = client
            .query(
                &format!("sum_over_time(count({selector})[{window}:{resolution}])"),
                None,
            )
            .await?;
        let hours = scalar(samples.data) * resolution_min / 60.0;
        windows.push((
            window.to_string(),
            scalar(alerts.data) as u64,
            (hours * 10.0).round() / 10.0,
        ));
    }
    Ok(WhatIf { windows, ignored })
}
