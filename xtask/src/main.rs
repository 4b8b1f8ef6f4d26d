//! `cargo xtask setup | build | demo | test`: the whole developer workflow, with nothing to install
//! by hand. Every step says what it does; installs run only when something is missing.

use octoscope_harness::demo::{DemoStack, Engine, SimPorts};
use octoscope_harness::{balancer, free_ports, http_get, which};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

mod bench;
mod http1;

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <command>
  setup              install what is missing (wasm target, cargo-leptos, wasm-bindgen-cli,
                     Debian prometheus/alertmanager/chromium, npm packages in end2end/)
  build [--release]  build the server and the wasm bundle with cargo-leptos (--release: the
                     wasm by nightly Rust, a panic aborting without a word; the server on stable)
  demo [--port N] [--seed N] [--incident KIND[:TARGET[:DURATION]]]... [--scale]
       [--replicas N] [--engine prometheus|victoriametrics|both] [--release]
                     set up, build, start the OctoLLM simulator, Prometheus (or VictoriaMetrics
                     with vmalert, or both), two clustered Alertmanagers and the console (N
                     replicas behind haproxy); Ctrl-C stops all
  test               set up, fmt check, clippy per package, unit, integration and Playwright tests
  e2e [PLAYWRIGHT ARGS]...
                     build, start the demo stack and run only the Playwright journeys (e.g.
                     `cargo xtask e2e tests/oncall_loop.spec.ts` or `-g \"skip link\"`)
  soak [--minutes N]  a wall screen: a dashboard at refresh=5s in Chromium for N minutes (default
                     20); the JS heap must grow less than 10 MB and the console's RSS stay flat
                     (the test suite runs the same journey for 1.5 minutes)
  bench [--load-seconds N] [--only SECTION,...]
                     release build, then every speed and memory figure next to its anchor,
                     printed and written to BENCHMARKS.md
  scale up --alertmanager ADDR [--alertmanager ADDR]... [--alerts N] [--silences N]
                     load a fleet into running Alertmanagers through their v2 API (default
                     10,000 alerts over 200 services and 50 alert names, 10,000 silences);
                     `demo --scale` does it for the demo's pair
  scale rules [--groups N] [--per-group N]
                     print a rule file of N groups (default 1,000) of alerting rules (default
                     10 each), the first of each firing, for a Prometheus to load
  fuzz [--seconds N] [TARGET]...
                     run the cargo-fuzz targets (all by default) for N seconds each (default 300);
                     `test` runs each for 10 s";

fn main() -> ExitCode {
    STARTED.get_or_init(Instant::now);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup(),
        Some("build") => setup().and_then(|_| build(args.iter().any(|a| a == "--release"))),
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("e2e") => setup().and_then(|_| e2e(&args[1..])),
        Some("soak") => setup().and_then(|_| soak(&args[1..])),
        Some("bench") => bench::bench(&args[1..]),
        // Used by the bench: the load generator as its own release build.
        Some("load-gen") => bench::load_gen(&args[1..]),
        Some("fuzz") => fuzz_command(&args[1..]),
        Some("scale") => scale_command(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// When this xtask started: each step prints the time since, so a CI log shows where time goes.
static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

fn step(what: &str) {
    let s = STARTED.get_or_init(Instant::now).elapsed().as_secs();
    println!("\n==> [{}m{:02}s] {what}", s / 60, s % 60);
}

/// PATH with end2end/node_modules/.bin first (binaryen 132's wasm-opt, never Debian's 108) and
/// ~/.cargo/bin present (cargo-leptos, wasm-bindgen).
fn tool_path() -> String {
    let mut parts = vec![workspace_root().join("end2end/node_modules/.bin")];
    if let Some(home) = std::env::var_os("HOME") {
        parts.push(PathBuf::from(home).join(".cargo/bin"));
    }
    if let Some(p) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Puts the tools' PATH on `cmd`; returns the command as the log shows it.
fn prepared(cmd: &mut Command) -> String {
    cmd.env("PATH", tool_path());
    format!("{cmd:?}").replace('"', "")
}

fn run(cmd: &mut Command) -> Result {
    let shown = prepared(cmd);
    println!("    $ {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    cmd.env("PATH", tool_path());
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cmd(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

// ---------------------------------------------------------------------------------------------
// setup

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock =
        std::fs::read_to_string("Cargo.lock").map_err(|e| format!("read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn apt_install(packages: &[&str]) -> Result {
    let sudo = output(&mut cmd("id", &["-u"]))
        .map(|u| u.trim() != "0")
        .unwrap_or(false);
    let prefix: Vec<&str> = if sudo { vec!["sudo"] } else { vec![] };
    let apt = |args: &[&str]| {
        let mut all = prefix.clone();
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["apt-get", "update", "-qq"]))?;
    let mut args = vec!["apt-get", "install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    run(&mut apt(&args))
}

/// The leptosfmt release whose output the sources are checked against (another release may
/// format `view!` differently).
const LEPTOSFMT: &str = "0.1.33";

fn setup() -> Result {
    let started = Instant::now();
    step("setup: checking the toolchain and test dependencies");

    let installed =
        output(&mut cmd("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("    ok: rust target wasm32-unknown-unknown");
    } else {
        run(&mut cmd(
            "rustup",
            &["target", "add", "wasm32-unknown-unknown"],
        ))?;
    }

    // Debian packages: the real backends and the browser.
    let mut apt = Vec::new();
    for (binary, package) in [
        ("prometheus", "prometheus"),
        ("prometheus-alertmanager", "prometheus-alertmanager"),
        // The demo's one real host (Node Exporter Full reads it).
        ("prometheus-node-exporter", "prometheus-node-exporter"),
        ("chromium", "chromium"),
        ("node", "nodejs"),
        ("npm", "npm"),
        // The load balancer in front of replicas (demo --replicas, the replica tests).
        ("haproxy", "haproxy"),
        // The second engine (demo --engine, tests/tests/victoria.rs), with vmalert.
        ("victoria-metrics", "victoria-metrics"),
    ] {
        if which(binary).is_some() {
            println!("    ok: {binary}");
        } else {
            apt.push(package);
        }
    }
    if !apt.is_empty() {
        println!("    installing Debian packages: {}", apt.join(" "));
        apt_install(&apt)?;
    }

    // The build splits the wasm (`--split`, cargo-leptos 0.2.42 and later): an older one is
    // replaced.
    let splits = output(&mut cmd("cargo", &["leptos", "build", "--help"]))
        .is_some_and(|help| help.contains("--split"));
    if splits {
        println!("    ok: cargo-leptos");
    } else {
        ensure_nightly()?;
        // Stable refuses cargo-leptos' lockfile; no_downloads makes it use tools from PATH only.
        println!("    installing cargo-leptos (once per machine, ~17 min on 2 cores)");
        run(&mut cmd(
            "cargo",
            &[
                "+nightly",
                "install",
                "cargo-leptos",
                "--locked",
                "--force",
                "--features",
                "no_downloads",
            ],
        ))?;
    }

    // cargo-fuzz drives libFuzzer, which needs a nightly compiler.
    ensure_nightly()?;
    if output(&mut cmd("cargo", &["fuzz", "--version"])).is_some() {
        println!("    ok: cargo-fuzz");
    } else {
        println!("    installing cargo-fuzz (once per machine, ~1 min)");
        run(&mut cmd("cargo", &["install", "cargo-fuzz", "--locked"]))?;
    }

    // The view! formatter `test` checks with (leptosfmt.toml: the width rustfmt uses).
    let have = output(&mut cmd("leptosfmt", &["--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(LEPTOSFMT) {
        println!("    ok: leptosfmt {LEPTOSFMT}");
    } else {
        println!("    installing leptosfmt {LEPTOSFMT} (once per machine, ~2 min)");
        run(&mut cmd(
            "cargo",
            &[
                "install",
                "leptosfmt",
                "--version",
                LEPTOSFMT,
                "--locked",
                "--force",
            ],
        ))?;
    }

    let wanted = locked_wasm_bindgen()?;
    let have = output(&mut cmd("wasm-bindgen", &["--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(wanted.as_str()) {
        println!("    ok: wasm-bindgen {wanted}");
    } else {
        // Not --locked: its lockfile wants a crate version the registry no longer has.
        println!(
            "    installing wasm-bindgen-cli {wanted} (Cargo.lock's version; found {:?})",
            have.trim()
        );
        run(&mut cmd(
            "cargo",
            &[
                "install",
                "wasm-bindgen-cli",
                "--version",
                &wanted,
                "--force",
            ],
        ))?;
    }

    let e2e = Path::new("end2end");
    let have_npm = e2e
        .join("node_modules/@playwright/test/package.json")
        .is_file()
        && e2e
            .join("node_modules/@axe-core/playwright/package.json")
            .is_file()
        && e2e.join("node_modules/.bin/wasm-opt").is_file();
    if have_npm {
        println!(
            "    ok: end2end npm packages (@playwright/test, @axe-core/playwright, binaryen 132)"
        );
    } else {
        let mut c = cmd("npm", &["ci", "--no-audit", "--no-fund"]);
        c.current_dir(e2e)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        run(&mut c)?;
    }
    println!("    setup done in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn ensure_nightly() -> Result {
    let toolchains = output(&mut cmd("rustup", &["toolchain", "list"])).unwrap_or_default();
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        println!("    ok: nightly toolchain");
        Ok(())
    } else {
        run(&mut cmd(
            "rustup",
            &["toolchain", "install", "nightly", "--profile", "minimal"],
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// fuzz

/// The targets in fuzz/Cargo.toml: the pure parsers that take user input.
const FUZZ_TARGETS: [&str; 6] = [
    "dashboard_json",
    "time_range",
    "matchers",
    "promql_template",
    "proxy_path",
    "upstream_decoders",
];

fn fuzz_command(args: &[String]) -> Result {
    let mut seconds = 300;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds needs a number")?;
            }
            t if FUZZ_TARGETS.contains(&t) => targets.push(t),
            other => {
                return Err(format!(
                    "unknown fuzz target {other:?}: choose from {FUZZ_TARGETS:?}"
                ))
            }
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.to_vec();
    }
    setup()?;
    fuzz(&targets, seconds)
}

/// Runs each target for a bounded time; a crash fails the step and leaves its input in
/// fuzz/artifacts/<target>/ for `cargo +nightly fuzz run <target> <file>`.
fn fuzz(targets: &[&str], seconds: u32) -> Result {
    let limit = format!("-max_total_time={seconds}");
    for target in targets {
        step(&format!("fuzz {target} for {seconds}s"));
        // No sanitizer: the targets are safe Rust, so ASan only slows the search down. New
        // inputs go to the working corpus; the committed seeds (fuzz/seeds/<target>) are read.
        let corpus = format!("corpus/{target}");
        let seeds = format!("seeds/{target}");
        std::fs::create_dir_all(workspace_root().join("fuzz").join(&corpus))
            .map_err(|e| format!("create fuzz/{corpus}: {e}"))?;
        let mut args = vec![
            "+nightly",
            "fuzz",
            "run",
            "-s",
            "none",
            target,
            corpus.as_str(),
        ];
        if workspace_root().join("fuzz").join(&seeds).is_dir() {
            args.push(seeds.as_str());
        }
        args.extend(["--", limit.as_str()]);
        let mut c = cmd("cargo", &args);
        c.current_dir("fuzz");
        run(&mut c)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// build

fn build(release: bool) -> Result {
    step(if release {
        "build (release, wasm-opt from binaryen 132)"
    } else {
        "build (debug)"
    });
    // --split: every page's code is a wasm chunk of its own (app/src/routes.rs); a lazy view
    // calls its chunk through an import only the split step provides, so no build goes without.
    let mut c = cmd("cargo", &["leptos", "build", "--split"]);
    if !release {
        return run(&mut c);
    }
    // --precompress: `.br` (brotli 11) and `.gz` copies of every bundle file, served as they are
    // to browsers that accept them.
    c.args(["--release", "--precompress"]);
    // The release bundle is built by nightly Rust with its standard library rebuilt so that a
    // panic aborts at once, with no message, formatting or source location: 6–8% off every
    // page's code (README, "A panic aborts without a word"). The server stays on stable.
    ensure_nightly_std_source()?;
    let mut front = cmd("cargo", &[]);
    front
        .args(c.get_args())
        .args([
            "--frontend-only",
            "--lib-cargo-args=-Zbuild-std=std,panic_abort",
        ])
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .env("RUSTFLAGS", RELEASE_WASM_RUSTFLAGS);
    run(&mut front)?;
    run(c.arg("--server-only"))
}

/// The release wasm's compiler flags (nightly): abort on a panic without a word, and keep no
/// source locations for one.
const RELEASE_WASM_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

/// Nightly with the standard library's source, which the release wasm rebuilds (`-Zbuild-std`).
fn ensure_nightly_std_source() -> Result {
    ensure_nightly()?;
    let installed = output(&mut cmd(
        "rustup",
        &["component", "list", "--toolchain", "nightly", "--installed"],
    ))
    .unwrap_or_default();
    if installed.lines().any(|l| l.starts_with("rust-src")) {
        return Ok(());
    }
    run(&mut cmd(
        "rustup",
        &["component", "add", "rust-src", "--toolchain", "nightly"],
    ))
}

/// The bundle file of `kind` (`js`, `wasm`, `css`) in `pkg/`: `octoscope.<content hash>.<kind>`
/// (cargo-leptos `hash-files`), else `octoscope.<kind>`.
pub fn bundle_file(pkg: &std::path::Path, kind: &str) -> Option<PathBuf> {
    let plain = pkg.join(format!("octoscope.{kind}"));
    if plain.is_file() {
        return Some(plain);
    }
    std::fs::read_dir(pkg)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("octoscope.") && name.ends_with(&format!(".{kind}"))
        })
        .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
}

fn server_binary(release: bool) -> PathBuf {
    workspace_root().join(if release {
        "target/release/octoscope"
    } else {
        "target/debug/octoscope"
    })
}

// ---------------------------------------------------------------------------------------------
// demo

/// A fresh session key for the demo's replicas (48 hex digits from the OS).
fn random_key() -> Result<String> {
    let mut bytes = [0u8; 24];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").map_err(|e| format!("open /dev/urandom: {e}"))?,
        &mut bytes,
    )
    .map_err(|e| format!("read /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Kills the console child on drop, so an error path never leaves it running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_http(addr: &str, path: &str, timeout: Duration) -> Result {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if matches!(http_get(addr, path), Ok((200, _))) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!(
        "http://{addr}{path} did not answer within {}s",
        timeout.as_secs()
    ))
}

/// The simulator binary plus the demo backends, all on free loopback ports.
struct RunningDemo {
    stack: DemoStack,
    _sim: Guard,
}

fn start_demo(sim_args: &[String], engine: Engine) -> Result<RunningDemo> {
    step("demo stack: building and starting the OctoLLM simulator");
    run(&mut cmd(
        "cargo",
        &["build", "--quiet", "-p", "octollm-sim"],
    ))?;
    let ports = SimPorts::free();
    let sim = Command::new(workspace_root().join("target/debug/octollm-sim"))
        .args(ports.args())
        .args(sim_args)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("start octollm-sim: {e}"))?;
    let sim = Guard(sim);
    wait_http(
        &ports.control_addr(),
        "/sim/incidents",
        Duration::from_secs(20),
    )?;
    step(&format!(
        "demo stack: starting {} and two clustered Alertmanagers",
        match engine {
            Engine::Prometheus => "Prometheus",
            Engine::VictoriaMetrics => "VictoriaMetrics with vmalert",
            Engine::Both => "Prometheus, VictoriaMetrics with vmalert",
        }
    ));
    let stack =
        DemoStack::start_with(&workspace_root(), ports, engine).map_err(|e| e.to_string())?;
    Ok(RunningDemo { stack, _sim: sim })
}

/// `scale up`: the fleet into the given Alertmanagers (alerts to each, as Prometheus sends them;
/// silences to the first, as gossip spreads them). `scale rules`: the rules page's fleet, a rule
/// file printed for a Prometheus to load.
fn scale_command(args: &[String]) -> Result {
    if args.first().map(String::as_str) == Some("rules") {
        let (mut groups, mut per_group) = (1_000, 10);
        let mut it = args[1..].iter();
        while let Some(a) = it.next() {
            let mut value = || -> Result<usize> {
                it.next()
                    .ok_or(format!("{a} needs a value"))?
                    .parse()
                    .map_err(|e| format!("{a}: {e}"))
            };
            match a.as_str() {
                "--groups" => groups = value()?,
                "--per-group" => per_group = value()?,
                other => return Err(format!("unknown scale rules argument {other:?}")),
            }
        }
        print!(
            "{}",
            octoscope_harness::scale::rules_file(groups, per_group)
        );
        return Ok(());
    }
    if args.first().map(String::as_str) != Some("up") {
        return Err(format!(
            "usage: cargo xtask scale up --alertmanager ADDR ...\n{USAGE}"
        ));
    }
    let mut addrs = Vec::new();
    let mut fleet = octoscope_harness::scale::AlertFleet::FULL;
    let mut silences = 10_000;
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--alertmanager" => addrs.push(value()?.trim_start_matches("http://").to_string()),
            "--alerts" => fleet.alerts = value()?.parse().map_err(|e| format!("--alerts: {e}"))?,
            "--silences" => silences = value()?.parse().map_err(|e| format!("--silences: {e}"))?,
            other => return Err(format!("unknown scale argument {other:?}")),
        }
    }
    if addrs.is_empty() {
        return Err("name at least one --alertmanager 127.0.0.1:PORT".into());
    }
    scale_up(&addrs, &fleet, silences)
}

pub(crate) fn scale_up(
    addrs: &[String],
    fleet: &octoscope_harness::scale::AlertFleet,
    silences: usize,
) -> Result {
    use octoscope_harness::scale::{load_alerts, load_silences};
    step(&format!(
        "scale: {} alerts over {} services and {} silences into {}",
        fleet.alerts,
        fleet.services,
        silences,
        addrs.join(", ")
    ));
    let started = Instant::now();
    for addr in addrs {
        load_alerts(addr, fleet).map_err(|e| e.to_string())?;
    }
    load_silences(&addrs[0], silences).map_err(|e| e.to_string())?;
    println!("    loaded in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn demo(args: &[String]) -> Result {
    let mut port: u16 = 3000;
    let mut scale = false;
    let mut replicas: usize = 1;
    let mut engine = Engine::Prometheus;
    let mut release = false;
    let mut sim_args = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                port = it
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number")?
            }
            "--seed" => {
                sim_args.push("--seed".to_string());
                sim_args.push(it.next().ok_or("--seed needs a number")?.clone());
            }
            "--incident" => {
                let spec = it
                    .next()
                    .ok_or("--incident needs KIND[:TARGET[:DURATION]]")?;
                sim_args.push("--incident".to_string());
                sim_args.push(if spec.contains(':') {
                    spec.clone()
                } else {
                    format!("{spec}:orchestrator")
                });
            }
            "--scale" => scale = true,
            "--release" => release = true,
            "--replicas" => {
                replicas = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| (1..=9).contains(n))
                    .ok_or("--replicas needs a number of consoles from 1 to 9")?
            }
            "--engine" => engine = it.next().ok_or("--engine needs a name")?.parse()?,
            other => return Err(format!("unknown demo argument {other:?}\n{USAGE}")),
        }
    }
    setup()?;
    build(release)?;
    let demo = start_demo(&sim_args, engine)?;
    let stack = &demo.stack;
    if scale {
        let addrs: Vec<String> = stack.alertmanagers.iter().map(|a| a.addr.clone()).collect();
        scale_up(&addrs, &octoscope_harness::scale::AlertFleet::FULL, 10_000)?;
    }
    let addr = format!("127.0.0.1:{port}");
    let env: Vec<(String, String)> = [
        (
            "OCTOSCOPE_PROVISIONING",
            stack.provisioning_dir().display().to_string(),
        ),
        ("OCTOSCOPE_LOG_FORMAT", "pretty".to_string()),
        // The demo's anonymous user may create and expire silences.
        ("OCTOSCOPE_AUTH_ANONYMOUS_ROLE", "editor".to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    let (mut _console, mut running) = (None, None);
    if replicas == 1 {
        let console = Command::new(server_binary(release))
            .arg("serve")
            .env("OCTOSCOPE_LISTEN", &addr)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .spawn()
            .map_err(|e| format!("start the console: {e}"))?;
        _console = Some(Guard(console));
        wait_http(&addr, "/api/health", Duration::from_secs(30))?;
    } else {
        let r = balancer::start_replicas(
            &server_binary(release),
            replicas,
            port,
            &random_key()?,
            &env,
        )
        .map_err(|e| e.to_string())?;
        running = Some(r);
    }
    let sim = &stack.sim;
    println!("\n  Octoscope        http://{addr}");
    for (i, c) in running.iter().flat_map(|r| r.consoles.iter()).enumerate() {
        println!(
            "    replica{}       {}  (haproxy round robin in front)",
            i + 1,
            c.url()
        );
    }
    let default_engine = match stack.engine {
        Engine::VictoriaMetrics => "VictoriaMetrics",
        _ => "Prometheus",
    };
    println!("  {default_engine:<16} {}", stack.prometheus.url());
    if let Some(vm) = &stack.victoria {
        println!("  VictoriaMetrics  {}", vm.url());
    }
    if let Some(vmalert) = &stack.vmalert {
        println!("  vmalert          {}", vmalert.url());
    }
    for am in &stack.alertmanagers {
        println!("  {:<16} {}", am.name, am.url());
    }
    println!(
        "  node exporter    {}/metrics  (this machine, job node)",
        stack.node_exporter.url()
    );
    println!(
        "  simulator        http://{}  (incidents: /sim/incidents, alert sink: /sim/sink)",
        sim.control_addr()
    );
    println!("  Loki stand-in    http://127.0.0.1:{}", sim.loki);
    println!("  Jaeger stand-in  http://127.0.0.1:{}", sim.jaeger);
    println!("  Tempo stand-in   http://127.0.0.1:{}", sim.tempo);
    println!("\n  Inject an incident:  target/debug/octollm-sim incident add error_spike orchestrator 10m --url http://{}", sim.control_addr());
    println!("  Press Ctrl-C to stop everything.");
    let (tx, rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .map_err(|e| format!("install Ctrl-C handler: {e}"))?;
    let _ = rx.recv();
    println!("\nstopping the console, the simulator, Alertmanagers and Prometheus");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// test

fn test() -> Result {
    let started = Instant::now();
    setup()?;
    step("fmt check (rustfmt, and leptosfmt for view! macros)");
    run(&mut cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    run(cmd(
        "leptosfmt",
        &["--check", "--quiet", "app/src", "frontend/src"],
    )
    .env("PATH", tool_path()))?;

    // Per package: `app` must never be built with ssr and hydrate together.
    step("clippy per package");
    let deny = ["--", "-D", "warnings"];
    let clippy = |args: &[&str]| {
        let mut c = cmd("cargo", &["clippy", "--quiet"]);
        c.args(args).args(deny);
        run(&mut c)
    };
    clippy(&["-p", "app", "--features", "ssr", "--all-targets"])?;
    clippy(&[
        "-p",
        "app",
        "--features",
        "hydrate",
        "--target",
        "wasm32-unknown-unknown",
    ])?;
    clippy(&["-p", "frontend", "--target", "wasm32-unknown-unknown"])?;
    clippy(&[
        "-p",
        "octoscope",
        "-p",
        "octollm-sim",
        "-p",
        "octoscope-harness",
        "-p",
        "octoscope-tests",
        "-p",
        "xtask",
        "--all-targets",
    ])?;

    step("unit tests");
    run(&mut cmd(
        "cargo",
        &["test", "-p", "app", "--features", "ssr"],
    ))?;
    run(&mut cmd(
        "cargo",
        &[
            "test",
            "-p",
            "octoscope",
            "-p",
            "octollm-sim",
            "-p",
            "octoscope-harness",
            "-p",
            "xtask",
        ],
    ))?;

    // Two integration tests spend ~4 and ~5 minutes waiting for five-minute rate windows to
    // fill, with little CPU: they run beside the fuzzing, and the rest after them.
    step("integration tests (real Prometheus and Alertmanager, the simulator)");
    let (slow, rest): (Vec<_>, Vec<_>) = build_integration_tests()?
        .into_iter()
        .partition(|(name, _)| SLOW_INTEGRATION.contains(&name.as_str()));
    let slow = slow
        .into_iter()
        .map(|(_, binary)| {
            // The binary itself, not `cargo test`: cargo would hold the build directory's lock.
            let mut c = Command::new(binary);
            c.current_dir(workspace_root().join("tests"));
            Beside::start(c)
        })
        .collect::<Result<Vec<_>>>()?;
    let fuzzed = fuzz(&FUZZ_TARGETS, 10);
    step(&format!(
        "integration tests run beside the fuzzing: {}",
        SLOW_INTEGRATION.join(", ")
    ));
    let slow: Vec<Result> = slow.into_iter().map(Beside::finish).collect();
    fuzzed?;
    slow.into_iter().collect::<Result>()?;
    step("integration tests, the rest");
    let mut c = cmd("cargo", &["test", "-p", "octoscope-tests"]);
    for (name, _) in &rest {
        c.args(["--test", name]);
    }
    run(&mut c)?;

    e2e(&[])?;
    println!(
        "\nall tests passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The integration tests that wait longest (on Prometheus' rate windows): `test` runs them
/// beside the fuzzing.
const SLOW_INTEGRATION: [&str; 2] = ["seeds", "victoria"];

/// Builds the integration tests (`tests/tests/<name>.rs`), cargo's messages shown as usual;
/// returns each one's name and binary.
fn build_integration_tests() -> Result<Vec<(String, PathBuf)>> {
    let mut c = cmd(
        "cargo",
        &[
            "test",
            "-p",
            "octoscope-tests",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ],
    );
    let shown = prepared(&mut c);
    println!("    $ {shown}");
    let out = c
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{shown} failed ({})", out.status));
    }
    // One line of JSON per artifact, fresh ones included.
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["target"]["kind"][0] == "test")
        .filter_map(|v| {
            let name = v["target"]["name"].as_str()?.to_string();
            Some((name, PathBuf::from(v["executable"].as_str()?)))
        })
        .collect())
}

/// A command run beside the steps that follow, its output kept and shown when it is finished.
struct Beside {
    shown: String,
    child: Child,
}

impl Beside {
    fn start(mut c: Command) -> Result<Beside> {
        let shown = prepared(&mut c);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        println!("    $ {shown} (beside what follows)");
        let child = c.spawn().map_err(|e| format!("cannot run {shown}: {e}"))?;
        Ok(Beside { shown, child })
    }

    fn finish(self) -> Result {
        let out = self
            .child
            .wait_with_output()
            .map_err(|e| format!("{}: {e}", self.shown))?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            Ok(())
        } else {
            Err(format!("{} failed ({})", self.shown, out.status))
        }
    }
}

/// Builds the console and runs the Playwright journeys against the demo stack; `playwright_args`
/// go to `npx playwright test` (a spec file, `-g pattern`) for a quick run while developing.
/// The wall-screen soak (`end2end/tests/soak.spec.ts`) for `--minutes N` (default 20).
fn soak(args: &[String]) -> Result {
    let minutes = match args {
        [] => "20".to_string(),
        [flag, n] if flag == "--minutes" && n.parse::<f64>().is_ok_and(|m| m > 0.0) => n.clone(),
        _ => return Err("usage: cargo xtask soak [--minutes N]".into()),
    };
    // Read by the spec; the journey's own timeout follows it.
    std::env::set_var("OCTOSCOPE_SOAK_MINUTES", &minutes);
    e2e(&["tests/soak.spec.ts".to_string()])
}

fn e2e(playwright_args: &[String]) -> Result {
    build(false)?;
    step("Playwright journeys in Debian chromium");
    let demo = start_demo(&[], Engine::Prometheus)?;
    let stack = &demo.stack;
    // The console, the portal spec's host and the basic-auth console: three in a row.
    let port = free_ports(3);
    // The order (@fresh first, @destructive last) is in playwright.config.ts's projects.
    // Three basic-auth replicas behind haproxy for tests/replicas.spec.ts.
    let replica_env: Vec<(String, String)> = [
        (
            "OCTOSCOPE_PROVISIONING",
            stack.provisioning_dir().display().to_string(),
        ),
        ("OCTOSCOPE_LOG", "warn".to_string()),
        ("OCTOSCOPE_LOG_FORMAT", "pretty".to_string()),
        ("OCTOSCOPE_AUTH_MODE", "basic".to_string()),
        (
            "OCTOSCOPE_AUTH_USERS_FILE",
            workspace_root()
                .join("end2end/fixtures/auth/users")
                .display()
                .to_string(),
        ),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    let replicas = balancer::start_replicas(
        &server_binary(false),
        3,
        octoscope_harness::free_port(),
        "end2end-only-replica-key-0123456789abcdef",
        &replica_env,
    )
    .map_err(|e| e.to_string())?;
    // VictoriaMetrics beside the demo's Prometheus for tests/victoria.spec.ts, and a console
    // whose default datasource reads it. Its vmalert evaluates the same rules but notifies an
    // unused port: in the shared Alertmanagers its alerts would merge with Prometheus' and move
    // the other journeys' resolve times.
    let victoria = stack
        .engine_files
        .start_victoria(&[format!("127.0.0.1:{}", octoscope_harness::free_port())])
        .map_err(|e| e.to_string())?;
    let vm_provisioning = stack
        .provisioning_on(&victoria.vm.addr, "VictoriaMetrics")
        .map_err(|e| e.to_string())?;
    let vm_console = balancer::start_console(
        &server_binary(false),
        &[
            (
                "OCTOSCOPE_PROVISIONING".to_string(),
                vm_provisioning.path().display().to_string(),
            ),
            ("OCTOSCOPE_LOG".to_string(), "warn".to_string()),
        ],
    )
    .map_err(|e| e.to_string())?;
    let am1_pid = stack
        .alertmanagers
        .first()
        .and_then(|a| a.pid())
        .map(|p| p.to_string())
        .unwrap_or_default();
    let mut c = cmd("npx", &["playwright", "test"]);
    c.args(playwright_args);
    c.current_dir("end2end")
        .env("OCTOSCOPE_PROVISIONING", stack.provisioning_dir())
        .env(
            "OCTOLLM_SIM_CONTROL",
            format!("http://{}", stack.sim.control_addr()),
        )
        .env("OCTOSCOPE_E2E_PORT", port.to_string())
        .env("OCTOSCOPE_E2E_AM1_PID", &am1_pid)
        .env(
            "OCTOSCOPE_E2E_AM_ADDRS",
            stack
                .alertmanagers
                .iter()
                .map(|a| a.addr.clone())
                .collect::<Vec<_>>()
                .join(","),
        )
        .env(
            "OCTOSCOPE_BIN",
            format!("{} serve", server_binary(false).display()),
        )
        .env("OCTOSCOPE_E2E_LB", &replicas.balancer.addr)
        .env("OCTOSCOPE_E2E_VM", &vm_console.addr)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    run(&mut c)?;
    drop((replicas, vm_console, victoria, vm_provisioning));
    drop(demo);
    Ok(())
}
