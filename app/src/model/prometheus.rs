//! Prometheus HTTP API data shapes (vectors, matrices, exemplars, build info). The envelope they
//! arrive in, and how a backend fails, are `model::upstream`. Pure.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`); unreadable is NaN.
pub fn parse_sample(v: &str) -> f64 {
    match v {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// `[unix seconds, "value"]` as Prometheus writes sample pairs (the value is a string so that
/// NaN and ±Inf survive JSON).
pub type SamplePair = (f64, String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstantSample {
    pub metric: BTreeMap<String, String>,
    #[serde(default)]
    pub value: Option<SamplePair>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeSeries {
    pub metric: BTreeMap<String, String>,
    #[serde(default)]
    pub values: Vec<SamplePair>,
}

/// `data` of `/api/v1/query` and `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryData {
    Vector(Vec<InstantSample>),
    Matrix(Vec<RangeSeries>),
    Scalar(SamplePair),
    String(SamplePair),
}

/// `data` of `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    pub version: String,
    #[serde(default)]
    pub revision: String,
}

/// `data` of `/api/v1/query_exemplars`: the exemplars of each series the query selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemplarSeries {
    #[serde(default)]
    pub series_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub exemplars: Vec<Exemplar>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exemplar {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// As Prometheus writes it: a string.
    pub value: String,
    /// Unix seconds.
    pub timestamp: f64,
}

/// Renders a series' labels as `name{a="b", …}` for tables and legends.
pub fn series_name(metric: &BTreeMap<String, String>) -> String {
    let name = metric.get("__name__").cloned().unwrap_or_default();
    let labels: Vec<String> = metric
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}={}", crate::model::links::quote(v)))
        .collect();
    if labels.is_empty() && !name.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", labels.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::upstream::{decode_envelope, Answer};

    const VECTOR: &str = include_str!("../../../tests/fixtures/prometheus/query-vector-up.json");
    const MATRIX: &str =
        include_str!("../../../tests/fixtures/prometheus/query-range-matrix-up.json");

    #[test]
    fn decodes_upstream_exemplars_sample() {
        let body = include_str!("../../../tests/fixtures/prometheus/query-exemplars-docs.json");
        let ans: Answer<Vec<ExemplarSeries>> =
            decode_envelope("prom", 200, body.as_bytes()).unwrap();
        assert_eq!(ans.data.len(), 2);
        let foo = &ans.data[1];
        assert_eq!(foo.series_labels["service"], "foo");
        assert_eq!(foo.exemplars.len(), 2);
        assert_eq!(foo.exemplars[0].labels["trace_id"], "Olp9XHlq763ccsfa");
        assert_eq!(parse_sample(&foo.exemplars[1].value), 20.0);
        assert_eq!(foo.exemplars[1].timestamp, 1600096965.489);
    }

    #[test]
    fn decodes_upstream_vector_sample() {
        let ans: Answer<QueryData> = decode_envelope("prom", 200, VECTOR.as_bytes()).unwrap();
        let QueryData::Vector(samples) = ans.data else {
            panic!("expected vector")
        };
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].metric["job"], "prometheus");
        assert_eq!(samples[0].value.as_ref().unwrap().1, "1");
        assert_eq!(
            series_name(&samples[0].metric),
            "up{instance=\"localhost:9090\", job=\"prometheus\"}"
        );
    }

    #[test]
    fn decodes_upstream_matrix_sample() {
        let ans: Answer<QueryData> = decode_envelope("prom", 200, MATRIX.as_bytes()).unwrap();
        let QueryData::Matrix(series) = ans.data else {
            panic!("expected matrix")
        };
        assert_eq!(series.len(), 2);
        assert_eq!(series[1].values.len(), 3);
        assert_eq!(series[1].values[0].0, 1435781430.781);
    }
}
