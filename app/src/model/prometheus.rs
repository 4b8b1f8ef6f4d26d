//! Prometheus HTTP API data shapes (vectors, matrices, exemplars, build info). The envelope they
//! arrive in, and how a backend fails, are `model::upstream`. Pure.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod fast_matrix;

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
