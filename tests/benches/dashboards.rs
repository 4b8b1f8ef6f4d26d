//! Dashboard speed against the demo stack, measured in one run next to its floor:
//! the full server-rendered HTML of a dashboard ÷ the slowest single panel query sent straight to
//! Prometheus (goal ≤ 1.3), plus points and bytes each panel ships to the page.
//!
//! Run: `cargo bench -p octoscope-tests --bench dashboards` (needs prometheus on PATH).

#[path = "../tests/support/mod.rs"]
mod support;

use app::model::dashboard::data::DashboardView;
use octoscope_harness::demo::DemoStack;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 9;
const GOAL: f64 = 1.3;

fn stats(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0], ms[ms.len() - 1])
}

async fn timed<F, Fut>(mut f: F) -> (f64, f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    stats(samples)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let ports = support::start_sim(octollm_sim::engine::SimConfig {
        seed: 5,
        base_rate: 20.0,
        ..Default::default()
    })
    .await;
    let stack = tokio::task::spawn_blocking(move || DemoStack::start(&repo, ports))
        .await
        .unwrap()
        .expect("demo stack");
    let console = support::Console::start(Some(stack.provisioning_dir())).await;
    let prom = stack.prometheus.url();
    let http = reqwest::Client::new();
    println!("waiting 40 s for the demo stack to collect data…");
    tokio::time::sleep(Duration::from_secs(40)).await;

    println!("\n| dashboard | SSR p50 ms (min–max) | data only p50 ms | slowest panel query p50 ms | ratio | goal | HTML bytes |");
    println!("|---|---|---|---|---|---|---|");
    let mut detail = Vec::new();
    for (uid, slug, params) in [
        ("octollm-service-health", "service-health", "from=now-1h"),
        (
            "octollm-namespace-prod",
            "namespace-octollm-prod",
            "from=now-1h&var-namespace=octollm-prod",
        ),
    ] {
        let page = format!("/d/{uid}/{slug}?{params}");
        let ssr = timed(|| {
            let (url, http) = (console.url(&page), console.http.clone());
            async move {
                http.get(url).send().await.unwrap().bytes().await.unwrap();
            }
        })
        .await;
        let html_bytes = console.get(&page).await.bytes().await.unwrap().len();
        let pairs: Vec<(String, String)> = params
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // The data alone (variables + every panel query + shaping), without the HTML.
        let data_only = timed(|| {
            let (url, http) = (console.url("/api/load_dashboard"), console.http.clone());
            let body = json!({"uid": uid, "params": pairs, "panel": null});
            async move {
                http.post(url)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
            }
        })
        .await;
        // The queries exactly as the page ran them (interpolated, with their steps).
        let (_, body) = console
            .post_json(
                "load_dashboard",
                json!({"uid": uid, "params": pairs, "panel": null}),
            )
            .await;
        let view: DashboardView = serde_json::from_value(body).unwrap();
        let mut slowest = (0.0, 0.0, 0.0, String::new());
        for pd in &view.panels {
            for (_, expr) in &pd.queries {
                let start = (view.from_ms.div_euclid(pd.step_ms.max(1)) * pd.step_ms.max(1)) as f64
                    / 1000.0;
                let (end, step) = (
                    view.to_ms as f64 / 1000.0,
                    (pd.step_ms / 1000).max(1).to_string(),
                );
                let (path, q): (&str, Vec<(&str, String)>) = if pd.instant {
                    (
                        "query",
                        vec![("query", expr.clone()), ("time", end.to_string())],
                    )
                } else {
                    (
                        "query_range",
                        vec![
                            ("query", expr.clone()),
                            ("start", start.to_string()),
                            ("end", end.to_string()),
                            ("step", step),
                        ],
                    )
                };
                let url = format!("{prom}/api/v1/{path}");
                let s = timed(|| {
                    let (http, url, q) = (http.clone(), url.clone(), q.clone());
                    async move {
                        let _: Value = http
                            .get(url)
                            .query(&q)
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                    }
                })
                .await;
                if s.0 > slowest.0 {
                    slowest = (s.0, s.1, s.2, expr.clone());
                }
            }
            let title = view
                .dashboard
                .panel(pd.panel_id)
                .map(|p| p.title.clone())
                .unwrap_or_default();
            let bytes = serde_json::to_vec(pd).map(|b| b.len()).unwrap_or(0);
            detail.push(format!(
                "| {} | {} | {} | {} | {} | {} |",
                view.dashboard.title,
                title,
                pd.series.len(),
                pd.points_received,
                pd.points_sent,
                bytes
            ));
        }
        let ratio = ssr.0 / slowest.0.max(0.001);
        println!(
            "| {} | {:.1} ({:.1}–{:.1}) | {:.1} | {:.1} | {:.2}× | ≤ {GOAL}× {} | {} |",
            view.dashboard.title,
            ssr.0,
            ssr.1,
            ssr.2,
            data_only.0,
            slowest.0,
            ratio,
            if ratio <= GOAL { "✓" } else { "✗" },
            html_bytes
        );
        println!("  slowest query: {}", slowest.3);
    }
    println!(
        "\n| dashboard | panel | series | points from Prometheus | points sent | bytes sent |"
    );
    println!("|---|---|---|---|---|---|");
    for d in detail {
        println!("{d}");
    }
}
