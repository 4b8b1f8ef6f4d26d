//! The audit's unauthenticated memory exhaustion: every argon2 check holds ~19 MiB, and 64
//! parallel wrong-password logins once took the process from 18 MB to 1.4 GB. Password checks now
//! run on `max_concurrent_logins` (default 2) threads with their memory allocated once, so a burst
//! of sign-ins costs a bounded amount. The real binary runs as its own process, so its peak
//! resident memory (`VmHWM`) is the console's alone.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Console(Child);

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Peak resident memory of a process, in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .expect("VmHWM in /proc/<pid>/status")
}

async fn login(http: &reqwest::Client, base: &str, i: usize) -> u16 {
    http.post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        // A different name from a different (forwarded) address each: nothing is throttled, only
        // the bound on concurrent checks limits the burst.
        .header("x-forwarded-for", format!("10.7.{}.{}", i / 200, i % 200))
        .body(format!("user=nobody{i}&password=wrong"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sign_ins_costs_bounded_memory() {
    let port = octoscope_harness::free_port();
    let users =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/auth/users");
    let child = Command::new(env!("CARGO_BIN_EXE_octoscope"))
        .arg("serve")
        .env("OCTOSCOPE_LISTEN", format!("127.0.0.1:{port}"))
        .env("OCTOSCOPE_AUTH_MODE", "basic")
        .env("OCTOSCOPE_AUTH_USERS_FILE", users)
        .env(
            "OCTOSCOPE_SESSION_KEY",
            "0123456789abcdef0123456789abcdef-test-only",
        )
        .env("OCTOSCOPE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let _console = Console(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http.get(format!("{base}/api/health")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the console did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Warm up: both checking threads have allocated their memory once.
    let warm = futures::future::join_all((0..2).map(|i| login(&http, &base, 1000 + i))).await;
    assert_eq!(warm, [303, 303]);
    let before = peak_rss_mib(pid);
    let statuses = futures::future::join_all((0..64).map(|i| login(&http, &base, i))).await;
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 429),
        "refused or asked to wait: {statuses:?}"
    );
    assert!(statuses.contains(&303), "some checks ran: {statuses:?}");
    let grown = peak_rss_mib(pid) - before;
    // Unbounded, 64 checks at once add over 1.2 GiB (19 MiB each). Bounded, the burst measured
    // 130–170 MiB here: two argon2 blocks plus what the requests themselves hold (see the README).
    assert!(
        grown < 400.0,
        "peak memory grew {grown:.0} MiB for 64 sign-ins at once"
    );
}
