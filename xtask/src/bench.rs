//! `cargo xtask bench`: every speed and memory figure next to its floor, measured in one run
//! against the release build and the demo stack, printed as markdown and written to
//! BENCHMARKS.md. Figures, not pass/fail: each is the median of several runs with min and max.

use crate::http1::Conn;
use crate::{
    build, server_binary, setup, start_demo, step, wait_http, workspace_root, Guard, Result,
};
use octoscope_harness::demo::{SimPorts, SCALE_TRACE_ID};
use octoscope_harness::scale::AlertFleet;
use octoscope_harness::{
    free_port, start_prometheus, urlencode as enc, PrometheusSpec, SELF_SCRAPE_CONFIG,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// (median, min, max) of millisecond samples.
#[derive(Clone, Copy)]
struct Stat {
    p50: f64,
    min: f64,
    max: f64,
}

fn stat(mut v: Vec<f64>) -> Stat {
    v.sort_by(f64::total_cmp);
    Stat {
        p50: v[v.len() / 2],
        min: v[0],
        max: v[v.len() - 1],
    }
}

/// The nearest-rank percentile `p` (0 < p ≤ 1) of `v`: the smallest sample with at least
/// `p` of all samples at or below it.
fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let rank = (p * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len().max(1)) - 1]
}

/// Samples needed before a p99 means something (at least 10 samples above it).
const P99_SAMPLES: usize = 1_000;

/// The tail of `v`: its p99 when there are enough samples for one, else its maximum, named so.
fn tail(v: &mut [f64]) -> (&'static str, f64) {
    if v.len() >= P99_SAMPLES {
        ("p99", percentile(v, 0.99))
    } else {
        ("max", percentile(v, 1.0))
    }
}

/// A timed page must show what it is timed for: no panel error, no "No data".
fn shows_data(path: &str, html: &[u8]) -> Result {
    let html = String::from_utf8_lossy(html);
    for (marker, what) in [
        ("data-testid=\"error\"", "an error"),
        ("data-testid=\"no-data\"", "a panel with No data"),
    ] {
        if html.contains(marker) {
            return Err(format!(
                "{path} shows {what}: fix the bench set-up before timing an empty page"
            ));
        }
    }
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn fmt_stat(s: Stat) -> String {
    format!("{:.1} ms ({:.1}–{:.1})", s.p50, s.min, s.max)
}

/// `get_ok` and how long it took (ms).
fn timed_get(conn: &mut Conn, path: &str) -> Result<(f64, Vec<u8>)> {
    let t = Instant::now();
    let body = get_ok(conn, path)?;
    Ok((ms(t), body))
}

fn get_ok(conn: &mut Conn, path: &str) -> Result<Vec<u8>> {
    let (status, body) = conn.get(path).map_err(|e| format!("GET {path}: {e}"))?;
    if status != 200 {
        return Err(format!(
            "GET {path}: {status}: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(300)
                .collect::<String>()
        ));
    }
    Ok(body)
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Interleaved runs of the 500-series panel and of its query straight to Prometheus.
const PANEL_RUNS: usize = 7;

/// The downsampling panel's range: 11,000 points (Prometheus' most per series) at a 2 s step.
const PANEL_RANGE_S: i64 = (11_000 - 1) * 2;

/// 500 gauge series over the panel's range (a bit over 6 hours) at 15 s, as OpenMetrics text
/// for promtool.
fn backfill_text(end_s: i64) -> String {
    let mut out = String::with_capacity(30 << 20);
    out.push_str(
        "# HELP bench_series Synthetic series for the benchmarks.\n# TYPE bench_series gauge\n",
    );
    for i in 0..500 {
        let mut t = end_s - PANEL_RANGE_S - 15;
        while t <= end_s {
            let v = (t as f64 / 600.0 + i as f64).sin() * 100.0 + i as f64;
            let _ = writeln!(out, "bench_series{{i=\"{i}\"}} {v:.3} {t}");
            t += 15;
        }
    }
    out.push_str("# EOF\n");
    out
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// (raw, gzip -9, brotli q11) sizes of a file, compressed by Node's zlib (always installed for
/// Playwright), so no extra tool is needed.
fn compressed_sizes(path: &std::path::Path) -> Result<(u64, u64, u64)> {
    let script = "const z=require('zlib'),f=require('fs');const b=f.readFileSync(process.argv[1]);\
        console.log(b.length, z.gzipSync(b,{level:9}).length, \
        z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)";
    let out = Command::new("node")
        .args(["-e", script])
        .arg(path)
        .output()
        .map_err(|e| format!("node: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let n: Vec<u64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match n.as_slice() {
        [a, b, c] => Ok((*a, *b, *c)),
        _ => Err(format!(
            "could not size {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let prom = Command::new("prometheus")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores, {mem} RAM, Linux {}; {prom}",
        kernel.trim()
    )
}

struct Row {
    figure: String,
    value: String,
    anchor: String,
    goal: String,
    met: Option<bool>,
}

fn row(figure: &str, value: String, anchor: String, goal: &str, met: Option<bool>) -> Row {
    Row {
        figure: figure.into(),
        value,
        anchor,
        goal: goal.into(),
        met,
    }
}

/// The crate a symbol belongs to: the first `ident::` path in it (`<serde_json::de::… as …>` is
/// serde_json's, `app::pages::…` the app's); wasm-bindgen glue, data and tables are their own.
fn crate_of(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut start = None;
    for (i, c) in name.char_indices() {
        let ident = c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        match (start, ident) {
            (None, true) if i == 0 || !bytes[i - 1].is_ascii_alphanumeric() => start = Some(i),
            (Some(s), false) => {
                if name[i..].starts_with("::")
                    && !name[s..i].starts_with(|c: char| c.is_ascii_digit())
                {
                    return name[s..i].to_string();
                }
                start = None;
            }
            _ => {}
        }
    }
    match name {
        n if n.starts_with("data") => "(data segments)".into(),
        n if n.starts_with("elem[") || n.starts_with("table[") => "(tables)".into(),
        n if n.contains("wbg") || n.contains("wasm_bindgen") => "wasm_bindgen".into(),
        _ => "(other)".into(),
    }
}

/// The biggest contributors to the wasm: twiggy (installed here once per machine, ~2 min) over
/// the release build's module before wasm-bindgen and wasm-opt, which still has function names.
/// Shares are of that module; wasm-opt then shrinks all of them.
fn wasm_contributors(root: &std::path::Path) -> Result<Row> {
    if Command::new("twiggy").arg("--version").output().is_err() {
        println!("    installing twiggy (once per machine, ~2 min)");
        let ok = Command::new("cargo")
            .args(["install", "twiggy", "--locked"])
            .status()
            .map_err(|e| format!("cargo install twiggy: {e}"))?;
        if !ok.success() {
            return Err("cargo install twiggy failed".into());
        }
    }
    // cargo-leptos builds the front end in its own target folder (`target/front`).
    let wasm = root.join("target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm");
    let out = Command::new("twiggy")
        .args(["top", "-n", "1000000", "--format", "json"])
        .arg(&wasm)
        .output()
        .map_err(|e| format!("twiggy: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "twiggy top {}: {}",
            wasm.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("twiggy JSON: {e}"))?;
    let items = v
        .as_array()
        .or_else(|| v["items"].as_array())
        .ok_or("twiggy printed no items")?;
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    let mut functions: Vec<(u64, String)> = Vec::new();
    let mut total = 0u64;
    for it in items {
        let (Some(name), Some(size)) = (it["name"].as_str(), it["shallow_size"].as_u64()) else {
            continue;
        };
        // The names themselves and wasm-bindgen's custom section are gone after wasm-opt.
        if name.starts_with("\"function names\"") || name.starts_with("custom section") {
            continue;
        }
        total += size;
        *by_crate.entry(crate_of(name)).or_default() += size;
        functions.push((size, name.to_string()));
    }
    if total == 0 {
        return Err(format!("twiggy found nothing in {}", wasm.display()));
    }
    let mut crates: Vec<(u64, String)> = by_crate.into_iter().map(|(c, b)| (b, c)).collect();
    crates.sort_by(|a, b| b.cmp(a));
    functions.sort_by(|a, b| b.cmp(a));
    let pct = |b: u64| b as f64 * 100.0 / total as f64;
    let short = |n: &str| {
        let n = n.split("::h").next().unwrap_or(n);
        match n.chars().count() > 70 {
            true => format!("{}…", n.chars().take(70).collect::<String>()),
            false => n.to_string(),
        }
    };
    Ok(row(
        "Bundle contributors (twiggy, before wasm-opt)",
        crates
            .iter()
            .take(8)
            .map(|(b, c)| format!("{c} {:.0}%", pct(*b)))
            .collect::<Vec<_>>()
            .join(", "),
        format!(
            "{:.0} KB in all; largest functions: {}",
            total as f64 / 1024.0,
            functions
                .iter()
                .take(5)
                .map(|(b, n)| format!(
                    "`{}` {:.0} KB",
                    short(n).replace('`', "'"),
                    *b as f64 / 1024.0
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "—",
        None,
    ))
}

/// Runs `end2end/bench/wire.mjs` (Debian's chromium through Playwright) on three pages and turns
/// its samples into rows: each compressed figure next to the `Accept-Encoding: identity` anchor
/// measured in the same run. Three samples per figure: the worst is reported (too few for a
/// percentile). A page that shows an error is refused, not timed.
/// The bundle as built: the main wasm + JS every page loads, and the pages' split chunks (wasm
/// and their JS loader), each sized raw, gzip and brotli. What one page needs is measured in the
/// browser (`wire_rows`: code a first visit loads).
fn bundle_row(pkg: &std::path::Path) -> Result<Row> {
    let kb = |b: u64| b as f64 / 1024.0;
    let mut main = (0u64, 0u64, 0u64);
    let mut parts = Vec::new();
    let mut main_files = Vec::new();
    for kind in ["wasm", "js", "css"] {
        let Some(path) = crate::bundle_file(pkg, kind) else {
            return Err(format!(
                "the {kind} bundle file is missing in {} after the release build",
                pkg.display()
            ));
        };
        let (raw, gz, br) = compressed_sizes(&path)?;
        parts.push(format!(
            "octoscope.{kind} {:.0} KB raw / {:.0} KB br",
            kb(raw),
            kb(br)
        ));
        if kind != "css" {
            main = (main.0 + raw, main.1 + gz, main.2 + br);
        }
        main_files.push(path);
    }
    let (mut chunks, mut chunk_br) = (0, 0u64);
    for path in split_files(pkg)? {
        chunks += 1;
        chunk_br += compressed_sizes(&path)?.2;
    }
    parts.push(format!(
        "{chunks} split files (page chunks and their loader) {:.0} KB br in all",
        kb(chunk_br)
    ));
    Ok(row(
        "Main bundle (wasm + JS every page loads)",
        format!(
            "{:.0} KB raw, {:.0} KB gzip, **{:.0} KB brotli**",
            kb(main.0),
            kb(main.1),
            kb(main.2)
        ),
        parts.join("; "),
        "a first page ≤ 400 KB brotli in all (row: code a first visit loads)",
        None,
    ))
}

/// This build's split files: the loader and the chunks its manifest lists (both named in the
/// hash file beside the release binary). `pkg` also keeps earlier builds' files, named by other
/// hashes, which are not this build's.
fn split_files(pkg: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let hash_txt = workspace_root().join("target/release/hash.txt");
    let hashes = std::fs::read_to_string(&hash_txt)
        .map_err(|e| format!("{}: {e} (the release build writes it)", hash_txt.display()))?;
    let hash = |kind: &str| {
        hashes
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim() == kind)
            .map(|(_, h)| h.trim().to_string())
            .ok_or(format!("{} names no {kind} file", hash_txt.display()))
    };
    let manifest_path = pkg.join(format!("__wasm_split_manifest.{}.json", hash("manifest")?));
    let manifest: std::collections::BTreeMap<String, Vec<String>> = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let mut chunks: Vec<String> = manifest.into_values().flatten().collect();
    chunks.sort();
    chunks.dedup();
    let mut files = vec![pkg.join(format!("__wasm_split.{}.js", hash("split")?))];
    files.extend(chunks.iter().map(|c| pkg.join(format!("{c}.wasm"))));
    Ok(files)
}

fn wire_rows(addr: &str, trace_path: &str) -> Result<Vec<Row>> {
    const RUNS: usize = 3;
    let pages = [
        (
            "overview dashboard",
            "/d/octollm-overview/octollm-overview?from=now-1h",
        ),
        ("alert groups", "/alerting/groups"),
        ("100,000-span trace", trace_path),
    ];
    // Every other kind of page, for the code its first visit loads only (each group and part of
    // the split wasm, app/src/routes.rs, is some page's first visit).
    let other_pages = [
        ("home", "/"),
        ("SLOs", "/slo"),
        ("silences", "/alerting/silences"),
        ("dashboard list", "/dashboards"),
        ("metrics Explore", "/explore?query=up"),
        (
            "Explore in logs mode",
            "/explore?mode=logs&query=%7Bservice%3D%22orchestrator%22%7D",
        ),
        ("trace search", "/traces"),
    ];
    let mut args: Vec<String> = pages.iter().map(|(_, p)| p.to_string()).collect();
    args.push("--code-only".into());
    args.extend(other_pages.iter().map(|(_, p)| p.to_string()));
    let v = browser_json("bench/wire.mjs", addr, RUNS, args)?;
    // The worst of the samples of one figure (`visit`: first|repeat, `field`: bytes|paint|interactive).
    let worst = |path: &str, mode: &str, visit: &str, field: &str| -> Result<f64> {
        let samples = v[path][mode]
            .as_array()
            .ok_or(format!("no samples for {path}"))?;
        let mut max = 0f64;
        for s in samples {
            if s[visit]["broken"].as_u64().unwrap_or(0) > 0 {
                return Err(format!(
                    "{path} shows an error in chromium; fix it before timing it"
                ));
            }
            max = max.max(s[visit][field].as_f64().unwrap_or(f64::NAN));
        }
        Ok(max)
    };
    let mut rows = Vec::new();
    // Time to interactive with the CPU at 4× and no network throttling, first visits.
    let mut tti = Vec::new();
    let mut tti_anchor = Vec::new();
    for (label, path) in pages {
        tti.push(format!(
            "{label} {:.2} s",
            worst(path, "cpu4x", "first", "interactive")? / 1000.0
        ));
        tti_anchor.push(format!(
            "{label} {:.2} s",
            worst(path, "cpu1x", "first", "interactive")? / 1000.0
        ));
    }
    // The code a first visit fetches: the main bundle and the page's chunks, as served; each
    // page's KB in `mode` and the largest of them.
    let code = |pages: &[(&str, &str)], mode: &str| -> Result<(String, f64)> {
        let mut parts = Vec::new();
        let mut max = 0f64;
        for (label, path) in pages {
            let kb = worst(path, mode, "first", "code")? / 1024.0;
            max = max.max(kb);
            parts.push(format!("{label} {kb:.0} KB"));
        }
        Ok((parts.join("; "), max))
    };
    let (code_served, code_max) = code(&pages, "compressed")?;
    let (code_identity, _) = code(&pages, "identity")?;
    rows.push(row(
        &format!("Code a first visit loads (wasm + JS as served, max of {RUNS})"),
        code_served,
        format!("uncompressed: {code_identity}"),
        "≤ 400 KB brotli on each page",
        Some(code_max <= 400.0),
    ));
    let (other_served, other_max) = code(&other_pages, "code")?;
    rows.push(row(
        &format!(
            "Code a first visit loads, every other kind of page (wasm + JS as served, max of {RUNS})"
        ),
        other_served,
        format!(
            "the three pages above, measured the same way: {}",
            code(&pages, "cpu1x")?.0
        ),
        "≤ 400 KB brotli on each page",
        Some(other_max <= 400.0),
    ));
    let overview_tti = worst(pages[0].1, "cpu4x", "first", "interactive")? / 1000.0;
    rows.push(row(
        &format!("Time to interactive, CPU 4×, first visit (max of {RUNS})"),
        tti.join("; "),
        format!("the same pages at 1× CPU: {}", tti_anchor.join("; ")),
        "≤ 1.5 s on the overview dashboard",
        Some(overview_tti <= 1.5),
    ));
    for (label, path) in pages {
        for (visit, goal_s) in [("first", 6.0), ("repeat", 2.0)] {
            let fig = |mode: &str| -> Result<String> {
                Ok(format!(
                    "{:.0} KB on the wire, paint {:.1} s, interactive {:.1} s",
                    worst(path, mode, visit, "bytes")? / 1024.0,
                    worst(path, mode, visit, "paint")? / 1000.0,
                    worst(path, mode, visit, "interactive")? / 1000.0
                ))
            };
            let interactive = worst(path, "compressed", visit, "interactive")? / 1000.0;
            rows.push(row(
                &format!("Phone network: {label}, {visit} visit (max of {RUNS})"),
                fig("compressed")?,
                format!(
                    "uncompressed (`Accept-Encoding: identity`): {}",
                    fig("identity")?
                ),
                &format!("interactive ≤ {goal_s:.0} s"),
                Some(interactive <= goal_s),
            ));
        }
    }
    Ok(rows)
}

/// Runs `end2end/bench/phone.mjs`: the alert groups page's first contentful paint on a phone
/// (390 × 844, touch) next to a desktop window measured in the same run, CPU throttled 4×, on
/// Lighthouse's mobile network and on DevTools' Slow 3G. Three samples each: the worst is
/// reported. A sample whose page shows no alert groups (nor "no alerts") is refused.
fn phone_rows(addr: &str) -> Result<Vec<Row>> {
    const RUNS: usize = 3;
    let path = "/alerting/groups";
    let v = browser_json("bench/phone.mjs", addr, RUNS, vec![path.to_string()])?;
    let worst = |net: &str, device: &str| -> Result<f64> {
        let samples = v[net][device]
            .as_array()
            .ok_or(format!("no samples for {net} {device}"))?;
        let mut max = 0f64;
        for s in samples {
            if s["shown"].as_u64().unwrap_or(0) == 0 {
                return Err(format!(
                    "{path} showed no alert groups on {device}; fix it before timing it"
                ));
            }
            let Some(paint) = s["paint"].as_f64() else {
                return Err(format!(
                    "{path} on {device} reported no first contentful paint"
                ));
            };
            max = max.max(paint);
        }
        Ok(max / 1000.0)
    };
    let sideways = |net: &str| {
        v[net]["phone"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s["wide"].as_bool() == Some(true)))
    };
    let mut rows = Vec::new();
    for (net, label, goal) in [
        (
            "lighthouse_mobile",
            "Lighthouse mobile network (1.6 Mbit/s, 150 ms RTT)",
            Some(2.0),
        ),
        ("slow_3g", "DevTools Slow 3G (400 kbit/s, 2 s RTT)", None),
    ] {
        let phone = worst(net, "phone")?;
        rows.push(row(
            &format!("Phone 390 px, {label}, 4× CPU: alert groups first contentful paint (max of {RUNS})"),
            format!(
                "**{phone:.2} s**{}",
                if sideways(net) { " (page wider than the screen!)" } else { "" }
            ),
            format!("desktop 1280 px, same network and CPU: {:.2} s", worst(net, "desktop")?),
            match goal {
                Some(_) => "≤ 2 s",
                // Each request costs 2 s of latency alone: recorded, not a goal.
                None => "— (2 s per round trip)",
            },
            goal.map(|g| phone <= g && !sideways(net)),
        ));
    }
    Ok(rows)
}

/// Bytes of hydration data (the resources serialised into `<script>` for hydration) in `html`.
fn hydration_bytes(html: &str) -> usize {
    html.split("<script")
        .skip(1)
        .filter_map(|part| part.split_once("</script>").map(|(body, _)| body))
        .filter(|body| body.contains("__RESOLVED_RESOURCES") || body.contains("__SERIALIZED_"))
        .map(str::len)
        .sum()
}

/// How much of each page's first response is hydration data: the same data sent once as HTML and
/// again as JSON (issue 19's "one copy of the data").
fn hydration_rows(addr: &str, figure: &str, pages: &[(&str, String)]) -> Result<Vec<Row>> {
    let mut console = Conn::new(addr);
    let mut parts = Vec::new();
    let mut worst = 0f64;
    for (label, path) in pages {
        let html = String::from_utf8_lossy(&get_ok(&mut console, path)?).into_owned();
        let data = hydration_bytes(&html);
        let share = data as f64 / html.len().max(1) as f64 * 100.0;
        worst = worst.max(share);
        parts.push(format!(
            "{label} {share:.0}% ({:.0} of {:.0} KB)",
            data as f64 / 1024.0,
            html.len() as f64 / 1024.0
        ));
    }
    Ok(vec![row(
        figure,
        parts.join("; "),
        "the rest of the same response (its HTML)".into(),
        "≤ 15% each",
        Some(worst <= 15.0),
    )])
}

/// The logs page over the simulator's 100,000-line stream: server time and first-response bytes
/// next to Loki's own `query_range` for the same window (the stand-in, in the upstream shape).
fn logs_rows(addr: &str, sim: &SimPorts) -> Result<Vec<Row>> {
    const RUNS: usize = 7;
    let selector = "{service=\"log-firehose\"}";
    let page = format!(
        "/explore?mode=logs&query={}&from=now-2h&to=now",
        enc(selector)
    );
    let mut console = Conn::new(addr);
    let html = get_ok(&mut console, &page)?;
    let text = String::from_utf8_lossy(&html);
    if !text.contains("data-testid=\"log-line\"") || !text.contains("of 100,000 in the range") {
        return Err(format!(
            "{page} does not show 100 of 100,000 lines: fix it before timing it"
        ));
    }
    // The page reads three things at once: the window of lines, the volume histogram (counted
    // over all 100,000 lines) and the label names; the anchor is the same three reads straight
    // to the stand-in, concurrently, interleaved with the page.
    let end_ns = now_s() as i128 * 1_000_000_000;
    let start_ns = end_ns - 7_200 * 1_000_000_000;
    let step = 120; // the console's: 2 h over 60 bars
    let reads = [
        format!(
            "/loki/api/v1/query_range?query={}&start={start_ns}&end={end_ns}&limit=101&direction=backward",
            enc(selector)
        ),
        format!(
            "/loki/api/v1/query_range?query={}&start={start_ns}&end={end_ns}&step={step}",
            enc(&format!("sum by (level) (count_over_time({selector} [{step}s]))"))
        ),
        format!("/loki/api/v1/labels?start={start_ns}&end={end_ns}"),
    ];
    let loki = format!("127.0.0.1:{}", sim.loki);
    let reads: Vec<(String, String)> = reads.into_iter().map(|r| (loki.clone(), r)).collect();
    let ((server, _), (direct, direct_bytes)) = interleaved(
        RUNS,
        || Ok((timed_get(&mut console, &page)?.0, ())),
        || concurrent_reads(&reads),
    )?;
    let (server, direct) = (stat(server), stat(direct));
    Ok(vec![row(
        &format!("Logs: 100,000 lines in range, first window ({RUNS} interleaved runs)"),
        format!(
            "**{}**; **{:.0} KB** first response (100 lines; the volume counts all 100,000)",
            fmt_stat(server),
            html.len() as f64 / 1024.0
        ),
        format!(
            "the same reads straight to the Loki stand-in, concurrently (the 100 lines, the volume over all of them, the label names): {}, {:.0} KB",
            fmt_stat(direct),
            direct_bytes as f64 / 1024.0
        ),
        "≤ 1 MB; ≤ the backend calls + 150 ms",
        Some(html.len() <= 1 << 20 && server.p50 <= direct.p50 + 150.0),
    )])
}

/// The 100,000-span trace: the console's first answer (cold: read, decode and lay out, one
/// sample per backend since the trace is then cached; warm: a window cut from the cache) next to
/// the direct backend call for the same trace, and in chromium load + hydration and the longest
/// task while expanding, scrolling and finding (`end2end/bench/trace.mjs`).
fn trace_rows(addr: &str, sim: &SimPorts) -> Result<Vec<Row>> {
    const RUNS: usize = 5;
    let shows_rows = |path: &str, html: &[u8]| -> Result {
        let html = String::from_utf8_lossy(html);
        if html.contains("data-testid=\"error\"") || !html.contains("data-testid=\"span-row\"") {
            return Err(format!(
                "{path} shows no span rows: fix it before timing it"
            ));
        }
        Ok(())
    };
    let mut console = Conn::new(addr);
    let mut rows = Vec::new();
    for (label, uid, port, api_path) in [
        (
            "Jaeger",
            "jaeger",
            sim.jaeger,
            format!("/api/traces/{SCALE_TRACE_ID}"),
        ),
        (
            "Tempo",
            "tempo",
            sim.tempo,
            format!("/api/traces/{SCALE_TRACE_ID}"),
        ),
    ] {
        let page = format!("/trace/{SCALE_TRACE_ID}?datasource={uid}");
        let mut backend = Conn::new(&format!("127.0.0.1:{port}"));
        let mut direct = Vec::new();
        let mut direct_bytes = 0;
        for _ in 0..RUNS {
            let (t, body) = timed_get(&mut backend, &api_path)?;
            direct.push(t);
            direct_bytes = body.len();
        }
        let (cold, html) = timed_get(&mut console, &page)?;
        shows_rows(&page, &html)?;
        let mut warm = Vec::new();
        for _ in 0..RUNS {
            let (t, body) = timed_get(&mut console, &page)?;
            shows_rows(&page, &body)?;
            warm.push(t);
        }
        let (direct, warm) = (stat(direct), stat(warm));
        let bytes = html.len();
        rows.push(row(
            &format!("Trace: 100,000 spans from {label}, first response"),
            format!(
                "**{cold:.0} ms** first open (1 sample: then cached), **{:.0} ms** after (max of {RUNS}); **{:.0} KB** HTML, {} rows",
                warm.max,
                bytes as f64 / 1024.0,
                String::from_utf8_lossy(&html).matches("data-testid=\"span-row\"").count()
            ),
            format!(
                "{label}'s own API for the same trace: {:.0} ms (max of {RUNS}), {:.1} MB; the Jaeger UI breaks at 20–40k spans (jaeger-ui#562)",
                direct.max,
                direct_bytes as f64 / 1e6
            ),
            "≤ 1 MB; ≤ the backend call + 150 ms (or ≤ 300 ms from the cache)",
            Some(bytes <= 1 << 20 && cold <= direct.max + 150.0 && warm.max <= 300.0),
        ));
    }

    const BROWSER_RUNS: usize = 3;
    let v = browser_json(
        "bench/trace.mjs",
        addr,
        BROWSER_RUNS,
        vec![format!("/trace/{SCALE_TRACE_ID}?datasource=jaeger")],
    )?;
    let samples = shown_samples(&v, "the trace page")?;
    let (load, long_load, long_use) = (
        worst(samples, "interactive") / 1000.0,
        worst(samples, "loadLongest"),
        worst(samples, "useLongest"),
    );
    rows.push(row(
        &format!("Trace: 100,000 spans in chromium, load + hydration (max of {BROWSER_RUNS})"),
        format!("**{load:.2} s**; longest task {long_load:.0} ms loading, {long_use:.0} ms expanding all, scrolling and finding"),
        "desktop 1280 px, unthrottled; the Jaeger UI breaks at 20–40k spans (jaeger-ui#562, #630)".into(),
        "≤ 1.5 s; no task > 200 ms",
        Some(load <= 1.5 && long_load <= 200.0 && long_use <= 200.0),
    ));
    Ok(rows)
}

/// Runs `end2end/<script>` (Debian's chromium through Playwright) as `node <script> BASE_URL RUNS
/// ARGS…` and reads the one JSON object it prints.
fn browser_json(script: &str, addr: &str, runs: usize, args: Vec<String>) -> Result<Value> {
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://{addr}"))
        .arg(runs.to_string())
        .args(&args)
        .current_dir(crate::workspace_root().join("end2end"))
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("node {script}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{script} failed ({})", out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{script} printed no JSON: {e}"))
}

/// Browser samples of one page, refused when one shows nothing (`shown` is 0).
fn shown_samples<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>> {
    let samples = v.as_array().ok_or(format!("no samples for {what}"))?;
    if samples
        .iter()
        .any(|s| s["shown"].as_u64().unwrap_or(0) == 0)
    {
        return Err(format!(
            "{what} showed nothing in chromium; fix it before timing it"
        ));
    }
    Ok(samples)
}

/// The largest `field` among browser samples (NaN when one lacks it).
fn worst(samples: &[Value], field: &str) -> f64 {
    samples
        .iter()
        .map(|s| s[field].as_f64().unwrap_or(f64::NAN))
        .fold(0f64, f64::max)
}

/// One side of an interleaved comparison: its times and its last answer.
type Side<T> = (Vec<f64>, T);

/// `runs` rounds of Octoscope (`ours`) and its anchor, which goes first alternating, after one
/// unrecorded round each (a backend's first read warms its caches for whoever asks next): each
/// side's times and its last answer.
fn interleaved<A, B>(
    runs: usize,
    mut ours: impl FnMut() -> Result<(f64, A)>,
    mut anchor: impl FnMut() -> Result<(f64, B)>,
) -> Result<(Side<A>, Side<B>)> {
    let (_, mut last_ours) = ours()?;
    let (_, mut last_anchor) = anchor()?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..runs {
        for first in [i % 2 == 0, i % 2 == 1] {
            if first {
                let (t, v) = ours()?;
                a.push(t);
                last_ours = v;
            } else {
                let (t, v) = anchor()?;
                b.push(t);
                last_anchor = v;
            }
        }
    }
    Ok(((a, last_ours), (b, last_anchor)))
}

/// [`interleaved`] for two pages read by the same closure: each side's times and last size.
fn interleaved_same(
    runs: usize,
    ours: &str,
    anchor: &str,
    read: &mut impl FnMut(&str) -> Result<(f64, usize)>,
) -> Result<(Side<usize>, Side<usize>)> {
    let read = std::cell::RefCell::new(read);
    interleaved(
        runs,
        || (read.borrow_mut())(ours),
        || (read.borrow_mut())(anchor),
    )
}

/// Every `(address, path)` read at once, each on a connection of its own: the time until the
/// last answer and the bytes of all.
fn concurrent_reads(reads: &[(String, String)]) -> Result<(f64, usize)> {
    let t = Instant::now();
    let bytes = std::thread::scope(|scope| -> Result<usize> {
        let running: Vec<_> = reads
            .iter()
            .map(|(addr, path)| scope.spawn(move || get_ok(&mut Conn::new(addr), path)))
            .collect();
        let mut bytes = 0;
        for r in running {
            bytes += r
                .join()
                .map_err(|_| "a read thread panicked".to_string())??
                .len();
        }
        Ok(bytes)
    })?;
    Ok((ms(t), bytes))
}

/// Queries (instant and range) Prometheus has answered so far: its own live counter
/// `prometheus_http_requests_total` read from its `/metrics` (a scraped copy lags a scrape).
fn queries_answered(prom: &str) -> Result<f64> {
    let body = get_ok(&mut Conn::new(prom), "/metrics")?;
    let text = String::from_utf8_lossy(&body);
    Ok(text
        .lines()
        .filter(|l| l.starts_with("prometheus_http_requests_total{"))
        .filter(|l| {
            l.contains("handler=\"/api/v1/query_range\"") || l.contains("handler=\"/api/v1/query\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum())
}

/// The queries one viewer of the overview dashboard costs Prometheus, then fifty at once (each
/// after the console's kept answers have expired).
fn coalesce_row(addr: &str, prom: &str) -> Result<Row> {
    let page = "/d/octollm-overview/octollm-overview?from=now-1h";
    shows_data(page, &get_ok(&mut Conn::new(addr), page)?)?;
    let sent = |viewers: usize| -> Result<f64> {
        std::thread::sleep(Duration::from_secs(6));
        let before = queries_answered(prom)?;
        let reads: Vec<(String, String)> = (0..viewers)
            .map(|_| (addr.to_string(), page.to_string()))
            .collect();
        concurrent_reads(&reads)?;
        Ok(queries_answered(prom)? - before)
    };
    let (one, fifty) = (sent(1)?, sent(50)?);
    Ok(row(
        "50 concurrent viewers of the overview dashboard (1h): queries Prometheus received",
        format!("{fifty:.0} = ×{:.2} one viewer's", fifty / one.max(1.0)),
        format!(
            "one viewer {one:.0}; without sharing 50 × {one:.0} = {:.0} (Prometheus' own request counter, same run)",
            50.0 * one
        ),
        "≤ 2× one viewer's",
        Some(fifty <= 2.0 * one),
    ))
}

/// Groups in the rules page's fleet.
const RULE_GROUPS: usize = 1_000;

/// One page's load + hydration in chromium (`end2end/bench/pages.mjs`, max of 3) and the longest
/// main-thread task while loading and while doing `act` = [shown selector, action, target].
fn chromium_rows(
    addr: &str,
    figure: &str,
    path: &str,
    act: [&str; 3],
    doing: &str,
    anchor: &str,
) -> Result<Vec<Row>> {
    const RUNS: usize = 3;
    let v = browser_json(
        "bench/pages.mjs",
        addr,
        RUNS,
        vec![format!("{path}|{}", act.join("|"))],
    )?;
    let samples = shown_samples(&v[path], path)?;
    let (load, long_load, long_act) = (
        worst(samples, "interactive") / 1000.0,
        worst(samples, "loadLongest"),
        worst(samples, "actionLongest"),
    );
    Ok(vec![row(
        &format!("{figure} in chromium, load + hydration (max of {RUNS})"),
        format!(
            "**{load:.2} s**; longest task {long_load:.0} ms loading, {long_act:.0} ms {doing}"
        ),
        anchor.into(),
        "≤ 1.5 s; no task > 200 ms",
        Some(load <= 1.5 && long_load <= 200.0 && long_act <= 200.0),
    )])
}

/// The rules page over 1,000 groups next to Prometheus' own rules API, and in chromium.
fn rules_rows(addr: &str, prom_addr: &str) -> Result<Vec<Row>> {
    const RUNS: usize = 7;
    let page = "/alerting/list?datasource=bench-prometheus";
    let direct_path = "/api/v1/rules?type=alert";
    let (mut console, mut prom) = (Conn::new(addr), Conn::new(prom_addr));
    let html = get_ok(&mut console, page)?;
    let expected = format!("of {} rule groups", thousands(RULE_GROUPS as u64));
    if !String::from_utf8_lossy(&html).contains(&expected) {
        return Err(format!(
            "{page} does not say \"{expected}\": fix the set-up before timing it"
        ));
    }
    let ((ours, bytes), (direct, direct_bytes)) = interleaved(
        RUNS,
        || timed_get(&mut console, page).map(|(t, b)| (t, b.len())),
        || timed_get(&mut prom, direct_path).map(|(t, b)| (t, b.len())),
    )?;
    let (ours, direct) = (stat(ours), stat(direct));
    let mut rows = vec![row(
        &format!(
            "Rules: {} groups / {} alerting rules, first response ({RUNS} interleaved runs)",
            thousands(RULE_GROUPS as u64),
            thousands(RULE_GROUPS as u64 * 10)
        ),
        format!("**{}**; **{:.0} KB**", fmt_stat(ours), bytes as f64 / 1024.0),
        format!(
            "Prometheus `{direct_path}`: {}, {:.1} MB; Prometheus' own rules page lags 10 s a keystroke at 413 groups (prometheus#15551)",
            fmt_stat(direct),
            direct_bytes as f64 / 1e6
        ),
        "≤ 1 MB; ≤ the backend call + 150 ms",
        Some(bytes <= 1 << 20 && ours.p50 <= direct.p50 + 150.0),
    )];
    rows.extend(chromium_rows(
        addr,
        "Rules: 1,000 groups",
        page,
        [
            "[data-testid=\"rule-group\"]",
            "search=ScaleRule42x",
            "[data-testid=\"rule-search\"]",
        ],
        "searching",
        "desktop 1280 px, unthrottled; Prometheus' rules page lags 10 s a keystroke at 413 groups (prometheus#15551)",
    )?);
    Ok(rows)
}

/// The release console on a free port over `prov`: its address, pid and the guard that stops it.
fn start_console(prov: &std::path::Path) -> Result<(String, u32, Guard)> {
    let addr = format!("127.0.0.1:{}", free_port());
    let console = Command::new(server_binary(true))
        .arg("serve")
        .env("OCTOSCOPE_LISTEN", &addr)
        .env("OCTOSCOPE_PROVISIONING", prov)
        // BENCH_CONSOLE_LOG (e.g. `warn,app=debug`) shows the console's own timings.
        .env(
            "OCTOSCOPE_LOG",
            std::env::var("BENCH_CONSOLE_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("start the console: {e}"))?;
    let pid = console.id();
    let guard = Guard(console);
    wait_http(&addr, "/api/health", Duration::from_secs(30))?;
    Ok((addr, pid, guard))
}

/// The same load through Debian's haproxy (the harness' balancer: round robin, health-checked on
/// readiness) to one console, then to three; every console on this machine's two cores, so three
/// replicas show the balancer's cost and what sharing the cores gives, not a cluster's capacity.
fn replica_rows(prov: &std::path::Path, first: &str, paths: &[String]) -> Result<Vec<Row>> {
    const SECS: u64 = 20;
    let more = [start_console(prov)?, start_console(prov)?];
    let mut all = vec![first.to_string()];
    all.extend(more.iter().map(|(addr, _, _)| addr.clone()));
    let mut rows = Vec::new();
    let mut one = None;
    for n in [1, 3] {
        let lb = octoscope_harness::balancer::start_balancer(free_port(), &all[..n])
            .map_err(|e| e.to_string())?;
        let mut conn = Conn::new(&lb.addr);
        for p in paths {
            shows_data(p, &get_ok(&mut conn, p)?)?;
        }
        drop(conn);
        let (count, errors, p50, (tail_name, tail), rps) =
            release_load(&lb.addr, paths, 100, SECS)?;
        let failed: usize = errors.values().sum();
        let figure = format!(
            "{rps:.0} req/s, p50 {p50:.0} ms, {tail_name} {tail:.0} ms, {failed} errors of {}",
            count + failed
        );
        match one.take() {
            None => one = Some(figure),
            Some(anchor) => rows.push(row(
                "Replicas: 3 consoles behind haproxy (100 connections, 50 dashboard page, 50 proxy)",
                figure,
                format!("1 console behind the same haproxy, same run: {anchor}; {SECS} s each, all on this machine's 2 cores"),
                "0 errors",
                Some(failed == 0),
            )),
        }
    }
    Ok(rows)
}

/// Alerts at fleet size: the first view (a fresh read of every Alertmanager) next to the same
/// reads straight to Alertmanager; per page, first-response bytes and server time from the
/// snapshot, within its age and past it (the last read answers while Alertmanager is re-read),
/// next to Alertmanager's own API; the server-side filter; load + hydration in chromium.
fn fleet_rows(addr: &str, am_addrs: &[String], prov: &std::path::Path) -> Result<Vec<Row>> {
    const RUNS: usize = 3;
    let shows_alerts = |path: &str, html: &[u8]| -> Result {
        let html = String::from_utf8_lossy(html);
        if html.contains("data-testid=\"error\"")
            || !(html.contains("data-testid=\"alert-group\"")
                || html.contains("data-testid=\"silence-row\""))
        {
            return Err(format!(
                "{path} shows no alert groups or silences: fix the set-up before timing it"
            ));
        }
        Ok(())
    };
    let mut console = Conn::new(addr);
    let mut rows = Vec::new();

    // The snapshot reads status, groups and silences of every instance at once: the anchor for
    // a fresh read is those same calls, concurrently, straight to Alertmanager. A console
    // answers its first view so only once, so each sample is a freshly started console,
    // interleaved with the anchor's reads. One unrecorded round first: Alertmanager is still
    // settling (gossiping 10,000 silences to its peer) right after the load.
    let reads: Vec<(String, String)> = am_addrs
        .iter()
        .flat_map(|am| {
            [
                "/api/v2/status",
                "/api/v2/alerts/groups",
                "/api/v2/silences",
            ]
            .map(|path| (am.clone(), path.to_string()))
        })
        .collect();
    let direct_read = || concurrent_reads(&reads).map(|(t, _)| t);
    direct_read()?;
    let (mut direct_all, mut firsts) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        direct_all.push(direct_read()?);
        let (fresh, _, _guard) = start_console(prov)?;
        let t = Instant::now();
        let first = get_ok(&mut Conn::new(&fresh), "/alerting/groups")?;
        firsts.push(ms(t));
        shows_alerts("/alerting/groups", &first)?;
        if !String::from_utf8_lossy(&first).contains("ScaleAlert") {
            return Err("the first alert groups view does not show the fleet".into());
        }
    }
    let (direct_all, firsts) = (stat(direct_all), stat(firsts));
    rows.push(row(
        &format!(
            "Fleet: first view, a fresh read of {} Alertmanagers ({RUNS} freshly started consoles)",
            am_addrs.len()
        ),
        format!("**{}** the alert groups page", fmt_stat(firsts)),
        format!(
            "the same reads straight to Alertmanager (status, groups and silences of each, concurrently), interleaved: {}",
            fmt_stat(direct_all)
        ),
        "≤ the backend calls + 150 ms",
        Some(firsts.p50 <= direct_all.p50 + 150.0),
    ));

    let mut am = Conn::new(&am_addrs[0]);
    let pages = [
        ("alert groups", "/alerting/groups", "/api/v2/alerts/groups"),
        ("silences", "/alerting/silences", "/api/v2/silences"),
    ];
    let mut direct = [Vec::new(), Vec::new()];
    let mut direct_bytes = [0; 2];
    for (i, (_, page, am_path)) in pages.iter().enumerate() {
        shows_alerts(page, &get_ok(&mut console, page)?)?;
        for _ in 0..RUNS {
            let (t, b) = timed_get(&mut am, am_path)?;
            direct[i].push(t);
            direct_bytes[i] = b.len();
        }
    }
    // Past the snapshot's age the last read answers while one re-read runs behind it. Both
    // pages read the same snapshot, so each wait past its age gives one sample of each. The age
    // grows with the read's cost (ten times the read, `alert_snapshot::fresh_for`): the console
    // says how long it is.
    let (mut stale, mut warm) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    let mut bytes = [0; 2];
    for _ in 0..RUNS {
        let (status, board) = console
            .post_json("/api/alert_groups", "{\"query\": {}}")
            .map_err(|e| e.to_string())?;
        let board: serde_json::Value = serde_json::from_slice(&board).unwrap_or_default();
        let every = board["reread_every_ms"]
            .as_u64()
            .filter(|_| status == 200)
            .ok_or("the alert groups answer does not say how often Alertmanager is re-read")?;
        let as_of = board["as_of_ms"].as_i64().unwrap_or(0);
        let now = board["now_ms"].as_i64().unwrap_or(0);
        // The age counts from when the read finished, up to a tenth of `every` after it began.
        let wait = (as_of + (every + every / 10) as i64 + 1_000 - now).max(0) as u64;
        std::thread::sleep(Duration::from_millis(wait));
        for (i, (_, page, _)) in pages.iter().enumerate() {
            let (t, b) = timed_get(&mut console, page)?;
            stale[i].push(t);
            bytes[i] = bytes[i].max(b.len());
        }
        for (i, (_, page, _)) in pages.iter().enumerate() {
            let (t, _) = timed_get(&mut console, page)?;
            warm[i].push(t);
        }
    }
    for (i, (label, _, am_path)) in pages.iter().enumerate() {
        let (d, st, w) = (
            stat(direct[i].clone()),
            stat(stale[i].clone()),
            stat(warm[i].clone()),
        );
        let bytes = bytes[i];
        rows.push(row(
            &format!("Fleet: {label} page, first response ({RUNS} runs)"),
            format!(
                "**{:.0} KB**; from the snapshot {}, past its age {} (the last read answers while Alertmanager is re-read)",
                bytes as f64 / 1024.0,
                fmt_stat(w),
                fmt_stat(st)
            ),
            format!(
                "Alertmanager `{am_path}`: {} , {:.1} MB",
                fmt_stat(d),
                direct_bytes[i] as f64 / 1e6
            ),
            "≤ 1 MB; ≤ 300 ms from the snapshot",
            Some(bytes <= 1 << 20 && st.max <= 300.0 && w.max <= 300.0),
        ));
    }
    let filter =
        json!({"query": {"filter": "service=\"svc-042\"", "group_by": "service"}}).to_string();
    let mut filtered = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let (status, body) = console
            .post_json("/api/alert_groups", &filter)
            .map_err(|e| e.to_string())?;
        filtered.push(ms(t));
        if status != 200 || !String::from_utf8_lossy(&body).contains("svc-042") {
            return Err(format!(
                "the filtered alert groups answer is wrong ({status})"
            ));
        }
    }
    let f = stat(filtered);
    rows.push(row(
        "Fleet: filter to one service and group by service (server function)",
        fmt_stat(f),
        "the same 10,000 alerts; Alertmanager has no server-side grouping by label".into(),
        "< 300 ms",
        Some(f.max < 300.0),
    ));

    let v = browser_json(
        "bench/fleet.mjs",
        addr,
        RUNS,
        vec!["/alerting/groups".into(), "/alerting/silences".into()],
    )?;
    for (label, path) in [
        ("alert groups", "/alerting/groups"),
        ("silences", "/alerting/silences"),
    ] {
        let samples = shown_samples(&v[path], path)?;
        if samples
            .iter()
            .any(|s| s["filtered"].as_u64().unwrap_or(0) == 0)
        {
            return Err(format!(
                "{path} showed no filtered rows in chromium; fix the filter before timing it"
            ));
        }
        let (load, long_load, long_filter) = (
            worst(samples, "interactive") / 1000.0,
            worst(samples, "loadLongest"),
            worst(samples, "filterLongest"),
        );
        rows.push(row(
            &format!("Fleet: {label} in chromium, load + hydration (max of {RUNS})"),
            format!("**{load:.2} s**; longest task {long_load:.0} ms loading, {long_filter:.0} ms filtering"),
            "desktop 1280 px, unthrottled; the Alertmanager UI hangs at thousands of alerts (alertmanager#522)".into(),
            "≤ 1.5 s; no task > 200 ms",
            Some(load <= 1.5 && long_load <= 200.0 && long_filter <= 200.0),
        ));
    }
    Ok(rows)
}

/// What went wrong with one load-test answer, if anything. A page that rendered but shows a
/// panel error (a timed-out or refused query) counts as an error too: the user saw it fail.
fn load_failure(answer: &std::io::Result<(u16, Vec<u8>)>) -> Option<String> {
    match answer {
        Ok((200, body)) => {
            let html = String::from_utf8_lossy(body);
            if html.contains("data-testid=\"error\"") {
                Some("200 with a panel error".to_string())
            } else if html.contains("data-testid=\"no-data\"") {
                Some("200 with a No data panel".to_string())
            } else {
                None
            }
        }
        Ok((status, _)) => Some(format!("HTTP {status}")),
        Err(e) => Some(format!("I/O {:?}", e.kind())),
    }
}

/// What a load run measured: requests, errors by kind, p50 ms, tail (p99 or max) ms, requests
/// per second.
type LoadResult = (
    usize,
    BTreeMap<String, usize>,
    f64,
    (&'static str, f64),
    f64,
);

/// 100 (or `connections`) keep-alive connections for `secs`, split between `paths`.
/// Returns (requests, errors by kind, p50 ms, tail (p99 or max) ms, requests per second).
pub fn load(
    addr: &str,
    paths: &[String],
    connections: usize,
    secs: u64,
) -> (
    usize,
    BTreeMap<String, usize>,
    f64,
    (&'static str, f64),
    f64,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::<f64>::new()));
    let errors = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|i| {
            let (stop, samples, errors) = (stop.clone(), samples.clone(), errors.clone());
            let (addr, path) = (addr.to_string(), paths[i % paths.len()].clone());
            std::thread::spawn(move || {
                let mut conn = Conn::new(&addr);
                let mut mine = Vec::new();
                let mut errs = BTreeMap::<String, usize>::new();
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    match load_failure(&conn.get(&path)) {
                        None => mine.push(ms(t)),
                        Some(kind) => *errs.entry(kind).or_default() += 1,
                    }
                }
                samples.lock().expect("lock").extend(mine);
                let mut all = errors.lock().expect("lock");
                for (kind, n) in errs {
                    *all.entry(kind).or_default() += n;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut v = samples.lock().expect("lock").clone();
    let errors = errors.lock().expect("lock").clone();
    if v.is_empty() {
        return (0, errors, f64::NAN, ("max", f64::NAN), 0.0);
    }
    let n = v.len();
    let p50 = percentile(&mut v, 0.5);
    let tail = tail(&mut v);
    (n, errors, p50, tail, n as f64 / elapsed)
}

/// Runs [`load`] in a release build of xtask (`cargo run --release -p xtask -- load-gen …`) and
/// reads its JSON answer.
fn release_load(addr: &str, paths: &[String], connections: usize, secs: u64) -> Result<LoadResult> {
    let out = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--",
            "load-gen",
            addr,
        ])
        .arg(connections.to_string())
        .arg(secs.to_string())
        .args(paths)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo run --release -p xtask: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the release load generator failed ({})",
            out.status
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the load generator printed no JSON: {e}"))?;
    let errors = v["errors"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0) as usize))
                .collect()
        })
        .unwrap_or_default();
    let tail_name = if v["tail_name"] == "p99" {
        "p99"
    } else {
        "max"
    };
    Ok((
        v["n"].as_u64().unwrap_or(0) as usize,
        errors,
        v["p50"].as_f64().unwrap_or(f64::NAN),
        (tail_name, v["tail"].as_f64().unwrap_or(f64::NAN)),
        v["rps"].as_f64().unwrap_or(0.0),
    ))
}

/// `xtask load-gen ADDR CONNECTIONS SECONDS PATH…`: the load generator alone, printing JSON.
pub fn load_gen(args: &[String]) -> Result {
    let [addr, conns, secs, paths @ ..] = args else {
        return Err("usage: xtask load-gen ADDR CONNECTIONS SECONDS PATH…".into());
    };
    let conns: usize = conns.parse().map_err(|_| "CONNECTIONS is a number")?;
    let secs: u64 = secs.parse().map_err(|_| "SECONDS is a number")?;
    let (n, errors, p50, (tail_name, tail), rps) = load(addr, paths, conns, secs);
    println!(
        "{}",
        json!({"n": n, "errors": errors, "p50": p50, "tail_name": tail_name, "tail": tail, "rps": rps})
    );
    Ok(())
}

/// The parts of a run, for `--only` while working on one of them.
const SECTIONS: [&str; 14] = [
    "bundle",
    "proxy",
    "ssr",
    "engines",
    "coalesce",
    "panel",
    "trace",
    "logs",
    "rules",
    "hydration",
    "wire",
    "load",
    "replicas",
    "fleet",
];

pub fn bench(args: &[String]) -> Result {
    let mut load_secs: u64 = 60;
    let mut only: Option<Vec<String>> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--load-seconds" => {
                load_secs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--load-seconds needs a number")?
            }
            "--only" => {
                let list: Vec<String> = it
                    .next()
                    .ok_or("--only needs a list such as panel,trace")?
                    .split(',')
                    .map(str::to_string)
                    .collect();
                if let Some(bad) = list.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    return Err(format!(
                        "--only: no section {bad:?}; sections: {}",
                        SECTIONS.join(",")
                    ));
                }
                only = Some(list)
            }
            other => return Err(format!("unknown bench argument {other:?}")),
        }
    }
    // A partial run prints its rows and leaves BENCHMARKS.md alone: the file is one whole run.
    let want = |section: &str| only.as_ref().is_none_or(|l| l.iter().any(|s| s == section));
    setup()?;
    build(true)?;
    let root = workspace_root();
    let mut rows: Vec<Row> = Vec::new();

    if want("bundle") {
        step("bench: hydration bundle sizes (release, wasm-opt)");
        rows.push(bundle_row(&root.join("target/site/pkg"))?);
    }
    if want("bundle") {
        step("bench: what the wasm is made of (twiggy)");
        rows.push(wasm_contributors(&root)?);
    }
    step("bench: demo stack, a backfilled Prometheus (500 series × 11,000 points) and the 10,000-alert fleet");
    // VictoriaMetrics beside Prometheus only when its row is measured (it scrapes and evaluates
    // on the same two cores).
    let engine = match want("engines") {
        true => octoscope_harness::demo::Engine::Both,
        false => octoscope_harness::demo::Engine::Prometheus,
    };
    let demo = start_demo(&[], engine)?;
    let end_s = now_s() - 120;
    let om = backfill_text(end_s);
    // It also holds the rules page's fleet: 1,000 groups of ten alerting rules, evaluated
    // every 30 s so that evaluation does not compete with the timings.
    let rules = octoscope_harness::scale::rules_file(RULE_GROUPS, 10);
    let bench_prom = start_prometheus(&PrometheusSpec {
        config: &SELF_SCRAPE_CONFIG.replace("evaluation_interval: 1s", "evaluation_interval: 30s"),
        files: &[("rules.yml", &rules)],
        alertmanagers: &[],
        backfill: Some(&om),
    })
    .map_err(|e| e.to_string())?;
    drop(om);
    let prov = demo.stack.provisioning_dir();
    std::fs::write(
        prov.join("datasources/bench.yaml"),
        format!(
            "apiVersion: 1\ndatasources:\n  - name: Bench Prometheus\n    uid: bench-prometheus\n    type: prometheus\n    access: proxy\n    url: http://{}\n    jsonData:\n      timeInterval: 2s\n      octoscopeMaxResponseMB: 512\n",
            bench_prom.addr
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        demo.stack
            .local_dashboards_dir()
            .join("bench-downsampling.json"),
        json!({
            "uid": "bench-downsampling", "title": "Bench downsampling", "schemaVersion": 39,
            "panels": [{"id": 1, "type": "timeseries", "title": "500 series",
                "gridPos": {"x": 0, "y": 0, "w": 24, "h": 10},
                "datasource": {"type": "prometheus", "uid": "bench-prometheus"},
                "interval": "2s", "maxDataPoints": 11000,
                "targets": [{"refId": "A", "expr": "bench_series"}]}]
        })
        .to_string(),
    )
    .map_err(|e| e.to_string())?;

    let (addr, pid, _console) = start_console(prov)?;
    println!("waiting 40 s for the demo stack to collect data…");
    std::thread::sleep(Duration::from_secs(40));
    // Idle memory of a console that has served: one page and one proxied query, then quiet.
    let mut warm = Conn::new(&addr);
    get_ok(
        &mut warm,
        "/d/octollm-service-health/service-health?from=now-1h",
    )?;
    get_ok(
        &mut warm,
        "/api/datasources/proxy/uid/prometheus/api/v1/query?query=up",
    )?;
    drop(warm);
    std::thread::sleep(Duration::from_secs(3));
    let idle_rss = rss_mb(pid);

    if want("proxy") {
        step("bench: proxy overhead (interleaved A/B: direct Prometheus vs the console's proxy)");
        let mut direct = Conn::new(&bench_prom.addr);
        let mut proxied = Conn::new(&addr);
        for (label, selector, runs) in [
            ("1 series", "bench_series{i=\"0\"}", 41),
            ("50 series", "bench_series{i=~\"[0-9]|[1-4][0-9]\"}", 31),
            ("500 series", "bench_series", 15),
        ] {
            let q = format!(
                "api/v1/query_range?query={}&start={}&end={end_s}&step=15",
                enc(selector),
                end_s - 6 * 3_600
            );
            let direct_path = format!("/{q}");
            let proxy_path = format!("/api/datasources/proxy/uid/bench-prometheus/{q}");
            // Warm both paths (connections, Prometheus' caches) before measuring.
            get_ok(&mut direct, &direct_path)?;
            let bytes = get_ok(&mut proxied, &proxy_path)?.len();
            let (mut a, mut b) = (Vec::new(), Vec::new());
            for i in 0..runs {
                let order: [bool; 2] = if i % 2 == 0 {
                    [true, false]
                } else {
                    [false, true]
                };
                for is_direct in order {
                    let t = Instant::now();
                    if is_direct {
                        get_ok(&mut direct, &direct_path)?;
                        a.push(ms(t));
                    } else {
                        get_ok(&mut proxied, &proxy_path)?;
                        b.push(ms(t));
                    }
                }
            }
            let ((tail_name, a99), (_, b99)) = (tail(&mut a.clone()), tail(&mut b.clone()));
            let (sa, sb) = (stat(a), stat(b));
            let ratio = sb.p50 / sa.p50;
            rows.push(row(
                &format!(
                    "Proxy overhead, query_range {label} over 6h ({:.1} MB)",
                    bytes as f64 / 1e6
                ),
                format!(
                    "{} (×{ratio:.2}), {tail_name} {b99:.1} ms ({:+.1} ms)",
                    fmt_stat(sb),
                    b99 - a99
                ),
                format!(
                    "direct Prometheus {}, {tail_name} {a99:.1} ms; {runs} interleaved runs each",
                    fmt_stat(sa)
                ),
                "≤ 1.05× p50, ≤ +1 ms p99",
                Some(ratio <= 1.05 && b99 - a99 <= 1.0),
            ));
        }
    }
    let mut page_conn = Conn::new(&addr);
    let page = "/d/octollm-service-health/service-health?from=now-1h";
    if want("ssr") {
        step("bench: dashboard SSR vs its slowest panel query");
        let html = get_ok(&mut page_conn, page)?;
        shows_data(page, &html)?;
        let ssr = stat(
            (0..9)
                .map(|_| {
                    let t = Instant::now();
                    get_ok(&mut page_conn, page).map(|_| ms(t))
                })
                .collect::<Result<Vec<f64>>>()?,
        );
        let view: Value = serde_json::from_slice(
        &page_conn
            .post_json(
                "/api/load_dashboard",
                &json!({"uid": "octollm-service-health", "params": [["from", "now-1h"]], "panel": null}).to_string(),
            )
            .map_err(|e| e.to_string())?
            .1,
    )
    .map_err(|e| format!("load_dashboard answer: {e}"))?;
        let prom_addr = demo.stack.prometheus.addr.clone();
        let mut prom = Conn::new(&prom_addr);
        let (from_ms, to_ms) = (
            view["from_ms"].as_i64().unwrap_or(0),
            view["to_ms"].as_i64().unwrap_or(0),
        );
        let mut slowest = (
            Stat {
                p50: 0.0,
                min: 0.0,
                max: 0.0,
            },
            String::new(),
        );
        for p in view["panels"].as_array().cloned().unwrap_or_default() {
            let step_ms = p["step_ms"].as_i64().unwrap_or(15_000).max(1);
            for q in p["queries"].as_array().cloned().unwrap_or_default() {
                let expr = q[1].as_str().unwrap_or_default().to_string();
                let path = if p["instant"].as_bool().unwrap_or(false) {
                    format!(
                        "/api/v1/query?query={}&time={:.3}",
                        enc(&expr),
                        to_ms as f64 / 1000.0
                    )
                } else {
                    format!(
                        "/api/v1/query_range?query={}&start={:.3}&end={:.3}&step={}",
                        enc(&expr),
                        (from_ms.div_euclid(step_ms) * step_ms) as f64 / 1000.0,
                        to_ms as f64 / 1000.0,
                        (step_ms / 1000).max(1)
                    )
                };
                let s = stat(
                    (0..9)
                        .map(|_| {
                            let t = Instant::now();
                            get_ok(&mut prom, &path).map(|_| ms(t))
                        })
                        .collect::<Result<Vec<f64>>>()?,
                );
                if s.p50 > slowest.0.p50 {
                    slowest = (s, expr);
                }
            }
        }
        let ratio = ssr.p50 / slowest.0.p50;
        rows.push(row(
            "Dashboard SSR (service health, 1h): full HTML",
            format!(
                "{} = ×{ratio:.2} the slowest panel query; {:.0} KB HTML",
                fmt_stat(ssr),
                html.len() as f64 / 1024.0
            ),
            format!(
                "slowest panel query straight to Prometheus {} (`{}`)",
                fmt_stat(slowest.0),
                slowest.1.chars().take(80).collect::<String>()
            ),
            "≤ 1.3×",
            Some(ratio <= 1.3),
        ));
    }
    if want("engines") {
        step("bench: the overview dashboard's SSR against VictoriaMetrics and against Prometheus");
        let page = |ds: &str| {
            format!("/d/octollm-overview/octollm-overview?from=now-1h&var-datasource={ds}")
        };
        let (vm_page, prom_page) = (page("victoriametrics"), page("prometheus"));
        let mut conn = Conn::new(&addr);
        let mut timed = |path: &str| -> Result<(f64, usize)> {
            let (t, html) = timed_get(&mut conn, path)?;
            shows_data(path, &html)?;
            Ok((t, html.len()))
        };
        let ((vm, vm_bytes), (prom, prom_bytes)) =
            interleaved_same(9, &vm_page, &prom_page, &mut timed)?;
        let (vm, prom) = (stat(vm), stat(prom));
        let ratio = vm.p50 / prom.p50;
        rows.push(row(
            "Dashboard SSR (overview, 1h) against VictoriaMetrics",
            format!(
                "{} = ×{ratio:.2} the same page against Prometheus; {:.0} KB HTML",
                fmt_stat(vm),
                vm_bytes as f64 / 1024.0
            ),
            format!(
                "against Prometheus {}; {:.0} KB HTML (both engines scrape the same simulator)",
                fmt_stat(prom),
                prom_bytes as f64 / 1024.0
            ),
            "≤ 1.5×",
            Some(ratio <= 1.5),
        ));
    }
    if want("coalesce") {
        step("bench: 50 concurrent viewers of one dashboard → queries Prometheus received");
        rows.push(coalesce_row(&addr, &demo.stack.prometheus.addr)?);
    }
    if want("panel") {
        step("bench: one panel of 500 series × 11,000 points");
        let (from_ms, to_ms) = ((end_s - PANEL_RANGE_S) * 1000, end_s * 1000);
        let body = json!({"uid": "bench-downsampling", "params": [["from", from_ms.to_string()], ["to", to_ms.to_string()]], "panel": null}).to_string();
        // The anchor: Prometheus answering the same query at the same step.
        let mut prom = Conn::new(&bench_prom.addr);
        let query = format!(
            "/api/v1/query_range?query=bench_series&start={}&end={end_s}&step=2",
            end_s - PANEL_RANGE_S
        );
        let load = |conn: &mut Conn| -> Result<(f64, Vec<u8>)> {
            let t = Instant::now();
            let (status, b) = conn
                .post_json("/api/load_dashboard", &body)
                .map_err(|e| e.to_string())?;
            if status != 200 {
                return Err(format!(
                    "bench dashboard: {status}: {}",
                    String::from_utf8_lossy(&b)
                ));
            }
            Ok((ms(t), b))
        };
        // The first query reads the backfilled blocks from disk: `interleaved`'s unrecorded
        // round keeps that from being charged to whichever side asked first.
        let ((times, (bytes, last)), (direct, direct_bytes)) = interleaved(
            PANEL_RUNS,
            || {
                let (t, b) = load(&mut page_conn)?;
                let last: Value = serde_json::from_slice(&b).map_err(|e| e.to_string())?;
                Ok((t, (b.len(), last)))
            },
            || timed_get(&mut prom, &query).map(|(t, b)| (t, b.len())),
        )?;
        let panel = &last["panels"][0];
        if let Some(e) = panel["error"].as_str() {
            return Err(format!("bench dashboard panel failed: {e}"));
        }
        if panel["series"].as_array().is_none_or(|s| s.is_empty()) {
            return Err("the bench panel has no series: fix it before timing it".into());
        }
        let (pin, pout) = (
            panel["points_received"].as_u64().unwrap_or(0),
            panel["points_sent"].as_u64().unwrap_or(0),
        );
        let page_path = format!("/d/bench-downsampling/x?from={from_ms}&to={to_ms}");
        let page_html = get_ok(&mut page_conn, &page_path)?;
        if !String::from_utf8_lossy(&page_html).contains("showing 50 of 500 series") {
            return Err("the bench dashboard page does not say it shows 50 of 500 series".into());
        }
        let (server, direct) = (stat(times), stat(direct));
        rows.push(row(
        &format!("Panel: 500 series × 11,000 points ({PANEL_RUNS} interleaved runs)"),
        format!(
            "**{}**; {} points in → {} out (÷{:.0}), 50 series drawn (highest peaks), 450 summarised; **{:.0} KB** the server function, **{:.0} KB** the page's first response",
            fmt_stat(server),
            thousands(pin),
            thousands(pout),
            pin as f64 / pout.max(1) as f64,
            bytes as f64 / 1024.0,
            page_html.len() as f64 / 1024.0,
        ),
        format!(
            "Prometheus' own query_range for it: {}, {:.0} MB (after one unrecorded round each)",
            fmt_stat(direct),
            direct_bytes as f64 / 1e6
        ),
        "≤ 1 MB; ≤ the backend call + 150 ms",
        Some(page_html.len() <= 1 << 20 && server.p50 <= direct.p50 + 150.0),
    ));
        rows.extend(chromium_rows(
            &addr,
            "Panel: 500 series × 11,000 points",
            &page_path,
            ["svg.chart-svg", "point", "svg.chart-svg"],
            "pointing along the chart (its points are fetched then)",
            "desktop 1280 px, unthrottled; Grafana draws every point it is sent in the browser",
        )?);
    }
    let trace_path = format!("/trace/{SCALE_TRACE_ID}?datasource=jaeger");
    if want("trace") {
        step("bench: the simulator's 100,000-span trace (Jaeger and Tempo stand-ins)");
        rows.extend(trace_rows(&addr, &demo.stack.sim)?);
    }
    if want("logs") {
        step("bench: the simulator's 100,000-line log stream");
        rows.extend(logs_rows(&addr, &demo.stack.sim)?);
        rows.extend(chromium_rows(
            &addr,
            "Logs: 100,000 lines in range",
            &format!("/explore?mode=logs&query={}&from=now-2h&to=now", enc(r#"{service="log-firehose"}"#)),
            ["[data-testid=\"log-line\"]", "scroll", "[data-testid=\"logs-more\"]"],
            "scrolling to the next window",
            "desktop 1280 px, unthrottled; Grafana's Explore renders at most its line limit (1,000 by default)",
        )?);
    }
    if want("rules") {
        step("bench: alert rules at 1,000 groups / 10,000 rules");
        rows.extend(rules_rows(&addr, &bench_prom.addr)?);
    }
    if want("hydration") {
        step("bench: hydration data per page");
        rows.extend(hydration_rows(
        &addr,
        "Hydration data: share of each page's first response",
        &[
            (
                "overview",
                "/d/octollm-overview/octollm-overview?from=now-1h".into(),
            ),
            ("alert groups", "/alerting/groups".into()),
            ("silences", "/alerting/silences".into()),
            (
                "trace",
                format!("/trace/{SCALE_TRACE_ID}?datasource=jaeger"),
            ),
            (
                "logs",
                "/explore?mode=logs&query=%7Bservice%3D%22log-firehose%22%7D&from=now-2h&to=now"
                    .into(),
            ),
        ],
    )?);
    }
    if want("wire") {
        step("bench: over the wire in chromium (1.6 Mbit/s, 150 ms latency, CPU 4×), compressed vs identity");
        rows.extend(wire_rows(&addr, &trace_path)?);
        rows.extend(phone_rows(&addr)?);
    }
    // The load runs' mix: a dashboard page and a proxied range query, half each.
    let load_paths = [
        page.to_string(),
        format!(
            "/api/datasources/proxy/uid/bench-prometheus/api/v1/query_range?query={}&start={}&end={end_s}&step=60",
            enc("bench_series{i=\"7\"}"),
            end_s - 3_600
        ),
    ];
    if want("load") {
        step(&format!(
            "bench: load, 100 connections for {load_secs} s on a dashboard page and the proxy"
        ));
        for p in &load_paths {
            shows_data(p, &get_ok(&mut page_conn, p)?)?;
        }
        // The load generator runs as a release build of its own (not this debug xtask), so it
        // measures the console rather than itself.
        let (n, errors, p50, (tail_name, p99), rps) =
            release_load(&addr, &load_paths, 100, load_secs)?;
        let failed: usize = errors.values().sum();
        let loaded_rss = rss_mb(pid);
        rows.push(row(
        "Load: 100 connections (50 dashboard page, 50 proxy)",
        format!(
            "{rps:.0} req/s, p50 {p50:.0} ms, {tail_name} {p99:.0} ms, {failed} errors of {}{}",
            n + failed,
            if errors.is_empty() {
                String::new()
            } else {
                let kinds: Vec<String> = errors.iter().map(|(k, n)| format!("{n}× {k}")).collect();
                format!(" ({})", kinds.join(", "))
            }
        ),
        format!(
            "{load_secs} s, keep-alive, loopback, a release-built generator; a page showing a panel error or No data counts as an error"
        ),
        "0 errors",
        Some(failed == 0),
    ));
        rows.push(row(
            "Server memory (RSS)",
            format!("idle {idle_rss:.0} MB; after the load run {loaded_rss:.0} MB"),
            "the release `octoscope` process, /proc/<pid>/status VmRSS".into(),
            "≤ 60 MB idle, ≤ 200 MB loaded",
            Some(idle_rss <= 60.0 && loaded_rss <= 200.0),
        ));
    }
    if want("replicas") {
        step("bench: one vs three consoles behind haproxy, 100 connections for 20 s each");
        rows.extend(replica_rows(prov, &addr, &load_paths)?);
    }
    if want("fleet") {
        step("bench: alerts at fleet size (10,000 alerts over 200 services, 10,000 silences)");
        let am_addrs: Vec<String> = demo
            .stack
            .alertmanagers
            .iter()
            .map(|a| a.addr.clone())
            .collect();
        crate::scale_up(&am_addrs, &AlertFleet::FULL, 10_000)?;
        rows.extend(fleet_rows(&addr, &am_addrs, prov)?);
        // The same measure at fleet size: a page drawn from the snapshot of 10,000 alerts.
        rows.extend(hydration_rows(
            &addr,
            "Fleet: hydration data, share of each page's first response",
            &[
                ("alert groups", "/alerting/groups".into()),
                ("silences", "/alerting/silences".into()),
            ],
        )?);
    }
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(&root)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let mut md = format!(
        "# Benchmarks\n\nMeasured by `cargo xtask bench` at commit `{commit}`{} on {date}: {}.\nRelease build with wasm-opt; the demo stack and a backfilled Prometheus on loopback. Times are medians (min–max) of the stated runs; a tail is a p99 only with ≥ {P99_SAMPLES} samples, else it says max.\n\n| figure | Octoscope | anchor (same run) | goal | met |\n|---|---|---|---|---|\n",
        if dirty { " (with uncommitted changes)" } else { "" },
        machine()
    );
    for r in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            r.figure,
            r.value,
            r.anchor,
            r.goal,
            match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "–",
            }
        );
    }
    println!("\n{md}");
    if only.is_none() {
        std::fs::write(root.join("BENCHMARKS.md"), &md)
            .map_err(|e| format!("write BENCHMARKS.md: {e}"))?;
        println!("written to BENCHMARKS.md");
    } else {
        println!("a partial run (--only): BENCHMARKS.md left as it was");
    }
    drop(bench_prom);
    drop(demo);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn symbols_are_counted_to_their_crate() {
        let c = super::crate_of;
        assert_eq!(c("core::fmt::write::h0123"), "core");
        assert_eq!(
            c("<serde_json::de::Deserializer<R> as serde::de::Deserializer>::deserialize_any::h1"),
            "serde_json"
        );
        assert_eq!(c("app::pages::explore::MetricsResult::h2"), "app");
        assert_eq!(c("<(A, B) as tachys::view::Render>::build::h3"), "tachys");
        assert_eq!(c("data[3]"), "(data segments)");
        assert_eq!(c("__wbg_get_1234"), "wasm_bindgen");
    }

    #[test]
    fn hydration_bytes_count_only_the_serialised_resources() {
        let html = r#"<p>x</p><script nonce="n">__RESOLVED_RESOURCES=[];</script><script type="module">import()</script>"#;
        assert_eq!(
            super::hydration_bytes(html),
            r#" nonce="n">__RESOLVED_RESOURCES=[];"#.len()
        );
        assert_eq!(super::hydration_bytes("<p>no scripts</p>"), 0);
    }

    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_and_small_samples_report_their_maximum() {
        let mut v: Vec<f64> = (1..=1000).rev().map(f64::from).collect();
        assert_eq!(percentile(&mut v, 0.5), 500.0);
        assert_eq!(percentile(&mut v, 0.99), 990.0);
        assert_eq!(percentile(&mut v, 1.0), 1000.0);
        assert_eq!(tail(&mut v), ("p99", 990.0));
        let mut few: Vec<f64> = (1..=41).map(f64::from).collect();
        assert_eq!(tail(&mut few), ("max", 41.0), "41 samples hold no p99");
        assert_eq!(percentile(&mut [7.0], 0.99), 7.0);
    }

    #[test]
    fn a_page_without_data_is_refused() {
        assert!(shows_data("/d/x", b"<div data-testid=\"panel\">ok</div>").is_ok());
        assert!(shows_data(
            "/d/x",
            b"<p class=\"no-data\" data-testid=\"no-data\">No data</p>"
        )
        .is_err());
        assert!(shows_data("/d/x", b"<div data-testid=\"error\">boom</div>").is_err());
    }
}
