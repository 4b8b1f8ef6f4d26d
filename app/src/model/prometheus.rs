//! Prometheus HTTP API data shapes (vectors, matrices, exemplars, build info). The envelope they
//! arrive in, and how a backend fails, are `model::upstream`. Pure.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod engines;
pub mod fast_matrix;

/// Grafana's `jsonData.prometheusType`: which server speaks the Prometheus API.
pub const PROMETHEUS_TYPES: [&str; 4] = ["Prometheus", "Cortex", "Mimir", "Thanos"];

/// Query parameters the console sets itself on Prometheus reads.
#[cfg(feature = "ssr")]
const OWN_PARAMETERS: [&str; 6] = ["query", "time", "start", "end", "step", "match[]"];

/// Grafana's `jsonData.customQueryParameters` (`dedup=true&partial_response=false`, Thanos'
/// `max_source_resolution=5m`, a `timeout`…) as pairs, added to every query, series and label
/// read. A parameter the console sets itself is refused: it would change what was asked.
#[cfg(feature = "ssr")]
pub fn custom_query_parameters(text: &str) -> Result<Vec<(String, String)>, String> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect();
    match pairs.iter().find(|(k, _)| OWN_PARAMETERS.contains(&k.as_str())) {
        Some((k, _)) => Err(format!(
            "jsonData.customQueryParameters sets {k:?}, which Octoscope sets on every query itself; remove it"
        )),
        None => Ok(pairs),
    }
}

/// A sample value as Prometheus writes it (`"1.5"`, `"NaN"`, `"+Inf"`); unreadable is NaN.
pub fn parse_sample(v: &str) -> f64 {
    match v {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().unwrap_or(f64::NAN),
    }
}

/// A sample value. Prometheus writes it as a string so that NaN and ±Inf survive JSON; it is
/// read straight into a number (a 500-series range answer holds millions of them: one string
/// allocation each was most of a panel's decode time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample(pub f64);

impl std::fmt::Display for Sample {
    /// As Prometheus writes it: `NaN`, `+Inf`, `-Inf`, else the shortest decimal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            v if v.is_nan() => f.write_str("NaN"),
            v if v == f64::INFINITY => f.write_str("+Inf"),
            v if v == f64::NEG_INFINITY => f.write_str("-Inf"),
            v => write!(f, "{v}"),
        }
    }
}

impl From<&str> for Sample {
    fn from(v: &str) -> Self {
        Sample(parse_sample(v))
    }
}

impl Serialize for Sample {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Sample;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sample value (a string such as \"1.5\" or \"NaN\")")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Sample, E> {
                Ok(Sample(parse_sample(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Sample, E> {
                Ok(Sample(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Sample, E> {
                Ok(Sample(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Sample, E> {
                Ok(Sample(v as f64))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// `[unix seconds, "value"]` as Prometheus writes sample pairs.
pub type SamplePair = (f64, Sample);

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
    /// `[unix seconds, "text"]`: a string result is text, not a number.
    String((f64, String)),
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

    #[cfg(feature = "ssr")]
    #[test]
    fn custom_query_parameters_are_pairs_and_never_override_the_query() {
        assert_eq!(
            custom_query_parameters("dedup=true&partial_response=false&max_source_resolution=5m")
                .unwrap(),
            vec![
                ("dedup".to_string(), "true".to_string()),
                ("partial_response".to_string(), "false".to_string()),
                ("max_source_resolution".to_string(), "5m".to_string()),
            ]
        );
        assert_eq!(custom_query_parameters("").unwrap(), vec![]);
        let e = custom_query_parameters("dedup=true&step=60").unwrap_err();
        assert!(e.contains("\"step\"") && e.contains("remove it"), "{e}");
    }

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
        assert_eq!(samples[0].value.as_ref().unwrap().1, Sample(1.0));
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

    #[test]
    fn samples_read_and_write_as_prometheus_does() {
        let pairs: Vec<SamplePair> =
            serde_json::from_str(r#"[[1,"1.5"],[2,"NaN"],[3,"+Inf"],[4,"-Inf"],[5,"x"],[6,7]]"#)
                .unwrap();
        let values: Vec<f64> = pairs.iter().map(|p| p.1 .0).collect();
        assert_eq!(values[0], 1.5);
        assert!(values[1].is_nan() && values[4].is_nan());
        assert_eq!(values[2..4], [f64::INFINITY, f64::NEG_INFINITY]);
        assert_eq!(values[5], 7.0);
        assert_eq!(
            serde_json::to_string(&pairs[..4]).unwrap(),
            r#"[[1.0,"1.5"],[2.0,"NaN"],[3.0,"+Inf"],[4.0,"-Inf"]]"#
        );
    }
}
