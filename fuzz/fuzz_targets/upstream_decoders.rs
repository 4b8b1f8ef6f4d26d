//! Every upstream decoder (Prometheus and Loki envelopes, Alertmanager v2 JSON, Jaeger, Jaeger
//! API v3 / OTLP and Tempo traces and searches) takes any bytes a backend could send with any
//! status without panicking: a broken or hostile backend is an error message, never a crash.
//! The fast matrix decoder accepts only what the general one reads, and reads it the same; a
//! trace read on several cores is the trace read on one.
#![no_main]
use app::model::alerting::{AmGroup, Silence};
use app::model::logs::{decode_loki_list, decode_loki_query};
use app::model::prometheus::{fast_matrix::decode_matrix, QueryData, RangeSeries};
use app::model::traces::{
    decode_jaeger_traces, decode_jaeger_traces_on, decode_operations, decode_otlp_traces,
    decode_services, decode_tempo_search, decode_tempo_trace, decode_tempo_trace_on,
};
use app::model::upstream::decode_envelope;
use libfuzzer_sys::fuzz_target;

/// Equal labels and values; times equal to the float parser's last digit (serde_json's own
/// parser may round a 17-digit time differently from Rust's).
fn same_series(fast: &[RangeSeries], general: &[RangeSeries]) {
    assert_eq!(fast.len(), general.len());
    for (f, g) in fast.iter().zip(general) {
        assert_eq!(f.metric, g.metric);
        assert_eq!(f.values.len(), g.values.len());
        for ((ft, fv), (gt, gv)) in f.values.iter().zip(&g.values) {
            assert!((ft - gt).abs() <= gt.abs() * 1e-15, "{ft} vs {gt}");
            assert!(fv.0.to_bits() == gv.0.to_bits() || (fv.0.is_nan() && gv.0.is_nan()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for status in [200, 400, 422, 503] {
        let _ = decode_envelope::<serde_json::Value>("fuzz", status, data);
        let _ = decode_envelope::<app::model::prometheus::QueryData>("fuzz", status, data);
        let _ = decode_loki_query("fuzz", status, data);
        let _ = decode_loki_list::<String>("fuzz", status, data);
    }
    if let Some(fast) = decode_matrix(data, 2) {
        match decode_envelope::<QueryData>("fuzz", 200, data).map(|a| a.data) {
            Ok(QueryData::Matrix(general)) => same_series(&fast, &general),
            other => panic!("the fast decoder read what the general one reads as {other:?}"),
        }
    }
    let _ = serde_json::from_slice::<Vec<AmGroup>>(data);
    let _ = serde_json::from_slice::<Vec<Silence>>(data);
    let _ = decode_jaeger_traces(data);
    assert_eq!(
        format!("{:?}", decode_jaeger_traces_on(data, 2)),
        format!("{:?}", decode_jaeger_traces_on(data, 1))
    );
    assert_eq!(
        format!("{:?}", decode_tempo_trace_on(data, 2)),
        format!("{:?}", decode_tempo_trace_on(data, 1))
    );
    let _ = decode_services(data);
    let _ = decode_operations(data);
    let _ = decode_otlp_traces(data);
    let _ = decode_tempo_trace(data);
    let _ = decode_tempo_search(data);
});
