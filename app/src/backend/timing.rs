//! Time spent in backend calls: per request (its `Server-Timing` header) and per datasource (the
//! `/metrics` histograms). Backend code calls [`record`]; the server reads both.

use crate::model::server_timing::Timing;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The backend calls of one request. The server puts one in the request's extensions and in the
/// Leptos context of the render or server function it runs; [`record`] finds it there.
#[derive(Clone, Default)]
pub struct RequestTimings(Arc<Mutex<Vec<Timing>>>);

impl RequestTimings {
    pub fn push(&self, timing: Timing) {
        if let Ok(mut v) = self.0.lock() {
            v.push(timing);
        }
    }

    pub fn take(&self) -> Vec<Timing> {
        self.0
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }
}

/// How long this datasource's calls took, answered or failed: the `/metrics` histogram
/// `octoscope_backend_request_duration_seconds{datasource, outcome}` reads it (kept in the
/// datasource's guard, so each console in a process counts its own).
pub struct Latency {
    pub ok: prometheus_client::metrics::histogram::Histogram,
    pub failed: prometheus_client::metrics::histogram::Histogram,
}

impl Default for Latency {
    fn default() -> Self {
        // 1 ms (a small read on loopback) to ~33 s (a query near its timeout).
        let buckets = || prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 16);
        Latency {
            ok: prometheus_client::metrics::histogram::Histogram::new(buckets()),
            failed: prometheus_client::metrics::histogram::Histogram::new(buckets()),
        }
    }
}

/// The current request's collector: from the Leptos context of the render or server function
/// that is running. `None` outside one (a background refresh).
pub fn current() -> Option<RequestTimings> {
    leptos::prelude::use_context::<RequestTimings>()
}

/// Records one backend call to `ds` (`what`: the API path) into the request collector `into`
/// (taken with [`current`] before the call's first await) and the datasource's histogram.
pub fn record(
    into: Option<&RequestTimings>,
    ds: &super::Datasource,
    what: &str,
    ok: bool,
    dur: Duration,
) {
    if let Some(t) = into {
        t.push(Timing {
            name: "backend",
            desc: format!("{} {}", ds.name, what.trim_start_matches('/')),
            dur,
        });
    }
    let latency = &ds.guard.0.latency;
    match ok {
        true => latency.ok.observe(dur.as_secs_f64()),
        false => latency.failed.observe(dur.as_secs_f64()),
    }
}
