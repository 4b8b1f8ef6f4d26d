//! The one way the console sends a request to a datasource: its URL, credentials and timeout
//! applied, nothing of the browser's request carried over.

use super::registry::Datasource;
use crate::model::upstream::BackendError;

/// Shared HTTP client. Redirects are not followed: a backend that redirects elsewhere must not
/// turn the console into an open proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .user_agent(concat!("octoscope/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("a reqwest client with rustls builds")
}

/// Joins the datasource base URL (which may carry a sub-path, e.g. Thanos behind `/prometheus`)
/// with an already validated relative path and raw query string.
pub fn target_url(ds: &Datasource, path: &str, query: Option<&str>) -> String {
    let base = ds.url.as_str().trim_end_matches('/');
    let path = path.trim_start_matches('/');
    match query {
        Some(q) if !q.is_empty() => format!("{base}/{path}?{q}"),
        _ => format!("{base}/{path}"),
    }
}

/// Starts a request to `ds` with its own credentials and headers.
pub fn request(
    http: &reqwest::Client,
    ds: &Datasource,
    method: reqwest::Method,
    path: &str,
    query: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut req = http
        .request(method, target_url(ds, path, query))
        .timeout(ds.timeout);
    if let Some((user, password)) = &ds.basic_auth {
        req = req.basic_auth(user, Some(password));
    }
    for (name, value) in &ds.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    req
}

/// Maps a transport failure to the user-facing error for `ds`.
pub fn transport_error(ds: &Datasource, err: &reqwest::Error) -> BackendError {
    if err.is_timeout() {
        BackendError::Timeout {
            datasource: ds.name.clone(),
            seconds: ds.timeout.as_secs(),
        }
    } else {
        // reqwest's top-level message is generic; the source chain says "connection refused".
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            message = s.to_string();
            source = s.source();
        }
        BackendError::Unreachable {
            datasource: ds.name.clone(),
            message,
        }
    }
}

/// An answer with a status the API does not document for this request: the backend's own text
/// (shortened) is what the user needs to read.
pub fn unexpected_status(ds: &Datasource, status: u16, body: &[u8]) -> BackendError {
    BackendError::Status {
        datasource: ds.name.clone(),
        status,
        body: String::from_utf8_lossy(body)
            .chars()
            .take(300)
            .collect::<String>()
            .trim()
            .to_string(),
    }
}

/// Sends a GET (an idempotent read) through the datasource's guard: fails fast while its circuit
/// is open, waits for one of its in-flight slots, retries a refused connection or a 502/503/504
/// twice with backoff, and refuses bodies over the size cap. Returns status and body.
pub async fn get_bytes(
    http: &reqwest::Client,
    ds: &Datasource,
    path: &str,
    query: Option<&str>,
) -> Result<(u16, Vec<u8>), BackendError> {
    get_bytes_within(http, ds, path, query, ds.guard.0.max_response_bytes).await
}

/// [`get_bytes`] for a data read many viewers make alike (a panel's range query): an identical
/// read in flight is joined rather than sent again, and an answer from the last few seconds is
/// served again (`backend::coalesce`).
pub async fn get_bytes_shared(
    http: &reqwest::Client,
    ds: &Datasource,
    path: &str,
    query: Option<&str>,
) -> Result<(u16, std::sync::Arc<Vec<u8>>), BackendError> {
    use futures::FutureExt;
    let key = format!("{path}?{}", query.unwrap_or_default());
    let (http, owned, path, query) = (
        http.clone(),
        ds.clone(),
        path.to_string(),
        query.map(str::to_string),
    );
    let (into, started) = (super::timing::current(), std::time::Instant::now());
    let what = path.clone();
    let send = move || {
        async move {
            // Timed for /metrics only: the read may be shared by other requests.
            let started = std::time::Instant::now();
            let budget = owned.guard.0.max_response_bytes;
            let out = send_guarded(&http, &owned, &path, query.as_deref(), budget).await;
            super::timing::record(None, &owned, &path, answered(&out), started.elapsed());
            out.map(|(status, body)| (status, std::sync::Arc::new(body)))
        }
        .boxed()
    };
    let (read, how) = ds.guard.0.reads.read(key, send).await;
    tracing::debug!(datasource = %ds.name, ?how, "shared read");
    if let Some(t) = into {
        let how = match how {
            super::coalesce::How::Sent => "",
            super::coalesce::How::Shared => " (shared with a read in flight)",
            super::coalesce::How::Kept => " (kept answer)",
        };
        t.push(crate::model::server_timing::Timing {
            name: "backend",
            desc: format!("{} {}{how}", ds.name, what.trim_start_matches('/')),
            dur: started.elapsed(),
        });
    }
    read
}

/// [`get_bytes`] with a tighter size budget for answers whose decoding costs many times their
/// size in memory (a trace: ~30× its JSON).
pub async fn get_bytes_within(
    http: &reqwest::Client,
    ds: &Datasource,
    path: &str,
    query: Option<&str>,
    budget: u64,
) -> Result<(u16, Vec<u8>), BackendError> {
    let (into, started) = (super::timing::current(), std::time::Instant::now());
    let out = send_guarded(http, ds, path, query, budget).await;
    super::timing::record(into.as_ref(), ds, path, answered(&out), started.elapsed());
    out
}

/// Whether the backend answered (its own error answers count as failures: 5xx).
pub fn answered(out: &Result<(u16, Vec<u8>), BackendError>) -> bool {
    out.as_ref()
        .is_ok_and(|(status, _)| !super::guard::is_backend_failure(*status))
}

/// The guarded send behind [`get_bytes_within`], untimed.
async fn send_guarded(
    http: &reqwest::Client,
    ds: &Datasource,
    path: &str,
    query: Option<&str>,
    budget: u64,
) -> Result<(u16, Vec<u8>), BackendError> {
    const RETRIES: u32 = 2;
    let budget = budget.min(ds.guard.0.max_response_bytes);
    ds.guard.admit(&ds.name)?;
    let _slot = ds.guard.permit(&ds.name, ds.timeout).await?;
    let mut attempt = 0;
    loop {
        let result = get_once(http, ds, path, query, budget).await;
        let failed = match &result {
            Ok((status, body)) => super::guard::is_backend_failure_answer(*status, body),
            Err(BackendError::Unreachable { .. } | BackendError::Timeout { .. }) => true,
            Err(_) => false,
        };
        // Timeouts are not retried: the user already waited the whole timeout once.
        let retry = attempt < RETRIES
            && match &result {
                Ok((status, body)) => super::guard::is_backend_failure_answer(*status, body),
                Err(BackendError::Unreachable { .. }) => true,
                Err(_) => false,
            };
        if retry {
            tokio::time::sleep(std::time::Duration::from_millis(
                crate::model::breaker::backoff_ms(attempt),
            ))
            .await;
            attempt += 1;
            continue;
        }
        ds.guard.record(!failed);
        return result;
    }
}

async fn get_once(
    http: &reqwest::Client,
    ds: &Datasource,
    path: &str,
    query: Option<&str>,
    cap: u64,
) -> Result<(u16, Vec<u8>), BackendError> {
    let started = std::time::Instant::now();
    let mut resp = request(http, ds, reqwest::Method::GET, path, query)
        .send()
        .await
        .map_err(|e| transport_error(ds, &e))?;
    let status = resp.status().as_u16();
    let headers_ms = started.elapsed().as_secs_f64() * 1e3;
    let too_large = || BackendError::TooLarge {
        datasource: ds.name.clone(),
        limit_mb: cap >> 20,
    };
    if resp.content_length().is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(ds, &e))? {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    tracing::debug!(
        datasource = %ds.name,
        path,
        status,
        bytes = body.len(),
        headers_ms,
        body_ms = started.elapsed().as_secs_f64() * 1e3,
        "backend read"
    );
    Ok((status, body))
}

/// Answers from this size up are decoded off the async workers (a 500-series panel's is 125 MB).
pub const BIG_ANSWER: usize = 1 << 20;

/// Runs `decode` (of a body `len` bytes long) on a blocking thread when the body is large, so a
/// worker stays free to poll the other reads in flight (another Alertmanager's answer, the page's
/// other panels); small bodies are decoded in place.
pub async fn decode_aside<T: Send + 'static>(
    ds: &Datasource,
    len: usize,
    decode: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, BackendError> {
    if len < BIG_ANSWER {
        return decode();
    }
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking(decode)
        .await
        .map_err(|e| BackendError::Decode {
            datasource: ds.name.clone(),
            message: e.to_string(),
        })?;
    tracing::debug!(datasource = %ds.name, bytes = len, ms = started.elapsed().as_secs_f64() * 1e3, "decoded aside");
    out
}
