//! Every upstream decoder (Prometheus and Loki envelopes, Alertmanager v2 JSON, Jaeger, Jaeger
//! API v3 / OTLP and Tempo traces and searches) takes any bytes a backend could send with any
//! status without panicking: a broken or hostile backend is an error message, never a crash.
#![no_main]
use app::model::alerting::{AmGroup, Silence};
use app::model::logs::{decode_loki_list, decode_loki_query};
use app::model::upstream::decode_envelope;
use app::model::traces::{
    decode_jaeger_traces, decode_operations, decode_otlp_traces, decode_services,
    decode_tempo_search, decode_tempo_trace,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for status in [200, 400, 422, 503] {
        let _ = decode_envelope::<serde_json::Value>("fuzz", status, data);
        let _ = decode_envelope::<app::model::prometheus::QueryData>("fuzz", status, data);
        let _ = decode_loki_query("fuzz", status, data);
        let _ = decode_loki_list::<String>("fuzz", status, data);
    }
    let _ = serde_json::from_slice::<Vec<AmGroup>>(data);
    let _ = serde_json::from_slice::<Vec<Silence>>(data);
    let _ = decode_jaeger_traces(data);
    let _ = decode_services(data);
    let _ = decode_operations(data);
    let _ = decode_otlp_traces(data);
    let _ = decode_tempo_trace(data);
    let _ = decode_tempo_search(data);
});
