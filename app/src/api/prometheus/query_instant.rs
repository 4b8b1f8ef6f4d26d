use crate::api::AppError;
use crate::model::prometheus::QueryData;
use crate::model::upstream::Answer;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An instant query's answer and which datasource gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstantQuery {
    pub datasource_uid: String,
    pub datasource_name: String,
    pub answer: Answer<QueryData>,
}

/// Runs a PromQL instant query against `datasource` (uid), or the default Prometheus.
#[server(endpoint = "query_instant")]
pub async fn query_instant(
    query: String,
    datasource: Option<String>,
) -> Result<InstantQuery, AppError> {
    use crate::backend::prometheus::PrometheusClient;
    use crate::model::datasource::DatasourceKind;

    let query = query.trim().to_string();
    if query.is_empty() {
        return Err(AppError::BadRequest(
            "the query is empty; type a PromQL expression such as up".into(),
        ));
    }
    super::check_promql(&query)?;
    let backends = crate::api::backends()?;
    let ds = crate::api::datasource_of(&backends, DatasourceKind::Prometheus, datasource)?;
    let client = PrometheusClient {
        http: &backends.http,
        ds: &ds,
    };
    let answer = client.query(&query, None).await?;
    Ok(InstantQuery {
        datasource_uid: ds.uid.clone(),
        datasource_name: ds.name.clone(),
        answer,
    })
}
