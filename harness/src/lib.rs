//! Test and demo harness: runs the real Debian `prometheus` and `prometheus-alertmanager` binaries
//! on free loopback ports with temporary directories, waits until they are ready, and kills them
//! when the handle is dropped (also while a panicking test unwinds). No process outlives its handle.
//!
//! Deliberately std-only so `xtask` can use it without pulling in an async runtime.

use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod balancer;
pub mod demo;
pub mod scale;
pub mod victoria;

#[derive(Debug)]
pub enum HarnessError {
    MissingBinary(String),
    Io(String, std::io::Error),
    NotReady {
        name: String,
        url: String,
        log: String,
    },
    /// A backend refused what the harness sent it (a fixture load), with its answer.
    Other(String),
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::MissingBinary(b) => {
                write!(f, "`{b}` is not installed; run `cargo xtask setup` (it installs the Debian packages)")
            }
            HarnessError::Io(what, e) => write!(f, "{what}: {e}"),
            HarnessError::Other(what) => write!(f, "{what}"),
            HarnessError::NotReady { name, url, log } => {
                write!(
                    f,
                    "{name} did not become ready at {url}; its log ends with:\n{log}"
                )
            }
        }
    }
}

impl std::error::Error for HarnessError {}

/// Where the harness hands out ports: below the kernel's ephemeral range (32768–60999 by
/// default), where `bind(0)` and every outgoing connection's local port come from. A port picked
/// there could be taken by some connection between the check and the child's bind (CI stop 39:
/// the simulator found its port in use); below it only listeners compete, and the check sees them.
const PORT_RANGE: std::ops::Range<u16> = 20_000..32_000;

/// The next candidate offset in [`PORT_RANGE`]: counts up so this process never hands out a port
/// twice; starts from the pid so two harness processes rarely probe the same ports.
fn next_offsets(n: u16) -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = u32::from(PORT_RANGE.end - PORT_RANGE.start);
    let start = std::process::id().wrapping_mul(7_919) % span;
    (start + NEXT.fetch_add(u32::from(n), Ordering::Relaxed)) % span
}

/// The first of `n` consecutive loopback ports nobody listens on (for a process that takes
/// `port`, `port+1`…), never one this process handed out before.
pub fn free_ports(n: u16) -> u16 {
    let span = u32::from(PORT_RANGE.end - PORT_RANGE.start);
    for _ in 0..span {
        let offset = next_offsets(n);
        if offset + u32::from(n) > span {
            continue;
        }
        let first = PORT_RANGE.start + offset as u16;
        // Held together while checking, then released for the child.
        let held: Vec<_> = (0..n)
            .map_while(|i| TcpListener::bind(("127.0.0.1", first + i)).ok())
            .collect();
        if held.len() == usize::from(n) {
            return first;
        }
    }
    panic!("no {n} consecutive free loopback ports in {PORT_RANGE:?}")
}

/// A loopback port nobody listens on, never one this process handed out before.
pub fn free_port() -> u16 {
    free_ports(1)
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Finds an executable on PATH, then in the sbin folders Debian installs daemons into
/// (`/usr/sbin/haproxy`), which a non-login PATH may leave out.
pub fn which(binary: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(binary))
        .find(|p| p.is_file())
}

/// Minimal HTTP/1.0 GET on loopback: returns (status, body). Used for readiness and by tests.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    exchange(
        addr,
        &format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        Duration::from_secs(5),
    )
}

/// Minimal HTTP/1.0 POST of a JSON body on loopback: returns (status, body).
pub fn http_post_json(addr: &str, path: &str, json: &str) -> std::io::Result<(u16, String)> {
    exchange(
        addr,
        &format!(
            "POST {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}",
            json.len()
        ),
        Duration::from_secs(60),
    )
}

/// Sends `request` and reads the whole answer (HTTP/1.0: the server closes when done).
fn exchange(addr: &str, request: &str, timeout: Duration) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A running backend process. Dropping it kills the process and removes its directory.
pub struct Backend {
    pub name: String,
    /// `127.0.0.1:port`
    pub addr: String,
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// A name looked up on PATH, or a path.
    binary: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Backend {
    /// The process id while it runs (tests that stop a backend on purpose use it).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("process.log")).unwrap_or_default()
    }

    pub fn wait_ready(self, ready_path: &str, timeout: Duration) -> Result<Self, HarnessError> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok((200, _)) = http_get(&self.addr, ready_path) {
                return Ok(self);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = self.log();
        let tail: Vec<&str> = log
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Err(HarnessError::NotReady {
            name: self.name.clone(),
            url: self.url(),
            log: tail.join("\n"),
        })
    }

    /// Waits until Prometheus has at least one `up` sample, so tests never race the first scrape.
    fn wait_first_scrape(self, timeout: Duration) -> Result<Self, HarnessError> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok((200, body)) = http_get(&self.addr, "/api/v1/query?query=up") {
                if body.contains("\"__name__\":\"up\"") {
                    return Ok(self);
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(HarnessError::NotReady {
            name: "prometheus (first scrape)".into(),
            url: self.url(),
            log: self.log(),
        })
    }

    /// Starts the stopped process again: same binary, arguments, port and data directory (a
    /// backend coming back after a crash). Waits until `ready_path` answers 200.
    pub fn restart(&mut self, ready_path: &str) -> Result<(), HarnessError> {
        self.stop();
        let exe = executable(&self.binary)?;
        let log = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.dir.path().join("process.log"))
            .map_err(|e| HarnessError::Io(format!("open log for {}", self.name), e))?;
        let log2 = log
            .try_clone()
            .map_err(|e| HarnessError::Io("clone log handle".into(), e))?;
        let child = Command::new(exe)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| HarnessError::Io(format!("restart {}", self.binary.display()), e))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok((200, _)) = http_get(&self.addr, ready_path) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(HarnessError::NotReady {
            name: self.name.clone(),
            url: self.url(),
            log: self.log(),
        })
    }

    /// Stops the process now (SIGKILL) and waits for it; also done on drop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `binary` itself when it is a path, else the file of that name on PATH.
fn executable(binary: &Path) -> Result<PathBuf, HarnessError> {
    if binary.components().count() > 1 {
        return if binary.is_file() {
            Ok(binary.to_path_buf())
        } else {
            Err(HarnessError::Other(format!(
                "{} is not built yet: run `cargo xtask build`",
                binary.display()
            )))
        };
    }
    let name = binary.to_string_lossy();
    which(&name).ok_or_else(|| HarnessError::MissingBinary(name.into_owned()))
}

fn spawn(
    name: &str,
    binary: &Path,
    dir: tempfile::TempDir,
    args: &[String],
    env: &[(String, String)],
    port: u16,
) -> Result<Backend, HarnessError> {
    let exe = executable(binary)?;
    let log = std::fs::File::create(dir.path().join("process.log"))
        .map_err(|e| HarnessError::Io(format!("create log for {name}"), e))?;
    let log2 = log
        .try_clone()
        .map_err(|e| HarnessError::Io("clone log handle".into(), e))?;
    let child = Command::new(exe)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .spawn()
        .map_err(|e| HarnessError::Io(format!("start {}", binary.display()), e))?;
    Ok(Backend {
        name: name.to_string(),
        addr: format!("127.0.0.1:{port}"),
        child: Some(child),
        dir,
        binary: binary.to_path_buf(),
        args: args.to_vec(),
        env: env.to_vec(),
    })
}

fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, HarnessError> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| HarnessError::Io("create temp dir".into(), e))
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), HarnessError> {
    std::fs::write(dir.join(name), text).map_err(|e| HarnessError::Io(format!("write {name}"), e))
}

/// Options for one Prometheus.
pub struct PrometheusSpec<'a> {
    /// prometheus.yml; `{{self}}` is replaced with this instance's `127.0.0.1:port` and
    /// `{{alertmanagers}}` with a YAML list of the given Alertmanager addresses.
    pub config: &'a str,
    /// Extra files (rule files) written next to prometheus.yml.
    pub files: &'a [(&'a str, &'a str)],
    pub alertmanagers: &'a [String],
    /// OpenMetrics text turned into TSDB blocks (`promtool tsdb create-blocks-from openmetrics`)
    /// before Prometheus starts: history for benchmarks without waiting for it.
    pub backfill: Option<&'a str>,
}

/// Writes `om` (OpenMetrics text ending in `# EOF`) as blocks into `<dir>/data`.
fn backfill(dir: &Path, om: &str) -> Result<(), HarnessError> {
    let promtool = which("promtool").ok_or(HarnessError::MissingBinary("promtool".into()))?;
    write(dir, "backfill.om", om)?;
    let out = Command::new(promtool)
        .args([
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "backfill.om",
            "data",
        ])
        .current_dir(dir)
        .output()
        .map_err(|e| HarnessError::Io("run promtool".into(), e))?;
    let _ = std::fs::remove_file(dir.join("backfill.om"));
    if !out.status.success() {
        return Err(HarnessError::Io(
            format!(
                "promtool create-blocks-from failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            std::io::Error::other("promtool"),
        ));
    }
    Ok(())
}

/// Starts Prometheus on a free port; retried on a fresh port when another process took the
/// chosen one between choosing it and Prometheus binding it.
pub fn start_prometheus(spec: &PrometheusSpec<'_>) -> Result<Backend, HarnessError> {
    let mut attempt = 0;
    loop {
        match start_prometheus_once(spec) {
            Err(HarnessError::NotReady { log, .. })
                if attempt < 3 && log.contains("address already in use") =>
            {
                attempt += 1
            }
            other => return other,
        }
    }
}

fn start_prometheus_once(spec: &PrometheusSpec<'_>) -> Result<Backend, HarnessError> {
    let dir = temp_dir("octoscope-prometheus-")?;
    let port = free_port();
    let me = format!("127.0.0.1:{port}");
    let ams = yaml_list(spec.alertmanagers);
    write(
        dir.path(),
        "prometheus.yml",
        &spec
            .config
            .replace("{{self}}", &me)
            .replace("{{alertmanagers}}", &ams),
    )?;
    for (name, text) in spec.files {
        if let Some(parent) = Path::new(name).parent() {
            std::fs::create_dir_all(dir.path().join(parent))
                .map_err(|e| HarnessError::Io(format!("create dir for {name}"), e))?;
        }
        write(dir.path(), name, text)?;
    }
    if let Some(om) = spec.backfill {
        backfill(dir.path(), om)?;
    }
    let args = vec![
        "--config.file=prometheus.yml".to_string(),
        "--storage.tsdb.path=data".to_string(),
        format!("--web.listen-address={me}"),
        "--log.level=warn".to_string(),
        // The simulator's latency histograms carry trace ids as exemplars.
        "--enable-feature=exemplar-storage".to_string(),
    ];
    let prometheus = spawn("prometheus", Path::new("prometheus"), dir, &args, &[], port)?
        .wait_ready("/-/ready", Duration::from_secs(30))?;
    prometheus.wait_first_scrape(Duration::from_secs(30))
}

/// Addresses as a YAML flow list (`['a', 'b']`), for `{{alertmanagers}}`.
pub(crate) fn yaml_list(addrs: &[String]) -> String {
    let quoted: Vec<String> = addrs.iter().map(|a| format!("'{a}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Debian's `prometheus-node-exporter` on a free loopback port, with the collectors it enables
/// by default: the demo's one real host (Node Exporter Full reads it). Retried on a fresh port
/// when another process took the chosen one first.
pub fn start_node_exporter() -> Result<Backend, HarnessError> {
    let mut attempt = 0;
    loop {
        let dir = temp_dir("octoscope-node-exporter-")?;
        let port = free_port();
        let args = vec![
            format!("--web.listen-address=127.0.0.1:{port}"),
            // Its own empty folder rather than the package's /var/lib one.
            format!("--collector.textfile.directory={}", dir.path().display()),
            "--log.level=warn".to_string(),
        ];
        match spawn(
            "node-exporter",
            Path::new("prometheus-node-exporter"),
            dir,
            &args,
            &[],
            port,
        )?
        .wait_ready("/metrics", Duration::from_secs(30))
        {
            Err(HarnessError::NotReady { log, .. })
                if attempt < 3 && log.contains("address already in use") =>
            {
                attempt += 1
            }
            other => return other,
        }
    }
}

/// Starts `count` Alertmanagers; with more than one they form a gossip cluster on loopback.
/// Retried on fresh ports when one does not come up (another process can take a port between
/// choosing it and the child binding it).
pub fn start_alertmanagers(config: &str, count: usize) -> Result<Vec<Backend>, HarnessError> {
    let mut attempt = 0;
    loop {
        match start_alertmanagers_once(config, count) {
            Err(HarnessError::NotReady { .. }) if attempt < 2 => attempt += 1,
            other => return other,
        }
    }
}

fn start_alertmanagers_once(config: &str, count: usize) -> Result<Vec<Backend>, HarnessError> {
    let cluster_ports: Vec<u16> = (0..count).map(|_| free_port()).collect();
    let mut started = Vec::new();
    for i in 0..count {
        let dir = temp_dir("octoscope-alertmanager-")?;
        write(dir.path(), "alertmanager.yml", config)?;
        let port = free_port();
        let mut args = vec![
            "--config.file=alertmanager.yml".to_string(),
            "--storage.path=data".to_string(),
            format!("--web.listen-address=127.0.0.1:{port}"),
            "--log.level=warn".to_string(),
        ];
        if count > 1 {
            args.push(format!(
                "--cluster.listen-address=127.0.0.1:{}",
                cluster_ports[i]
            ));
            args.push(
                "--cluster.advertise-address=127.0.0.1:".to_string()
                    + &cluster_ports[i].to_string(),
            );
            for (j, p) in cluster_ports.iter().enumerate() {
                if j != i {
                    args.push(format!("--cluster.peer=127.0.0.1:{p}"));
                }
            }
            // Loopback peers settle quickly; the default waits are tuned for real networks.
            args.push("--cluster.settle-timeout=2s".to_string());
            args.push("--cluster.pushpull-interval=2s".to_string());
            args.push("--cluster.gossip-interval=100ms".to_string());
        } else {
            // An empty address disables clustering for a lone instance.
            args.push("--cluster.listen-address=".to_string());
        }
        let name = format!("alertmanager-{}", i + 1);
        started.push(spawn(
            &name,
            Path::new("prometheus-alertmanager"),
            dir,
            &args,
            &[],
            port,
        )?);
    }
    started
        .into_iter()
        .map(|b| b.wait_ready("/-/ready", Duration::from_secs(30)))
        .collect()
}

/// A minimal Prometheus config that scrapes itself every second and sends alerts to the
/// given Alertmanagers, loading `rules.yml`.
pub const SELF_SCRAPE_CONFIG: &str = "global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['rules.yml']
alerting:
  alertmanagers:
    - static_configs:
        - targets: {{alertmanagers}}
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['{{self}}']
";

/// A rule file with one always-firing alert, so the pipeline has something to show.
pub const WATCHDOG_RULES: &str = "groups:
  - name: meta
    rules:
      - alert: Watchdog
        expr: vector(1)
        labels:
          severity: none
        annotations:
          summary: Always firing; proves the alert pipeline works end to end.
";

/// A default Alertmanager config that routes everything to a receiver with no integrations.
pub const NULL_ALERTMANAGER_CONFIG: &str = "route:
  receiver: 'null'
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 5s
receivers:
  - name: 'null'
";

/// Prometheus + Alertmanagers wired together, and a provisioning directory pointing at them.
pub struct Stack {
    pub prometheus: Backend,
    pub alertmanagers: Vec<Backend>,
    pub provisioning: tempfile::TempDir,
}

impl Stack {
    /// Starts the foundation stack: one self-scraping Prometheus with a Watchdog alert and
    /// `alertmanagers` Alertmanagers, plus Grafana-format provisioning for the console.
    pub fn start(alertmanagers: usize) -> Result<Self, HarnessError> {
        let ams = start_alertmanagers(NULL_ALERTMANAGER_CONFIG, alertmanagers)?;
        let am_addrs: Vec<String> = ams.iter().map(|a| a.addr.clone()).collect();
        let prometheus = start_prometheus(&PrometheusSpec {
            config: SELF_SCRAPE_CONFIG,
            files: &[("rules.yml", WATCHDOG_RULES)],
            alertmanagers: &am_addrs,
            backfill: None,
        })?;
        let provisioning = temp_dir("octoscope-provisioning-")?;
        let ds_dir = provisioning.path().join("datasources");
        std::fs::create_dir_all(&ds_dir)
            .map_err(|e| HarnessError::Io("create datasources dir".into(), e))?;
        let mut yaml = format!(
            "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: prometheus\n    type: prometheus\n    access: proxy\n    url: {}\n    isDefault: true\n",
            prometheus.url()
        );
        for (i, am) in ams.iter().enumerate() {
            yaml.push_str(&format!(
                "  - name: Alertmanager {n}\n    uid: alertmanager-{n}\n    type: alertmanager\n    access: proxy\n    url: {url}\n    jsonData:\n      implementation: prometheus\n",
                n = i + 1,
                url = am.url()
            ));
        }
        write(&ds_dir, "demo.yaml", &yaml)?;
        Ok(Stack {
            prometheus,
            alertmanagers: ams,
            provisioning,
        })
    }

    pub fn provisioning_dir(&self) -> &Path {
        self.provisioning.path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_never_handed_out_twice_and_stay_below_the_ephemeral_range() {
        let ports: Vec<u16> = (0..500).map(|_| free_port()).collect();
        let distinct: std::collections::HashSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), ports.len());
        assert!(ports.iter().all(|p| PORT_RANGE.contains(p)), "{ports:?}");
    }

    #[test]
    fn consecutive_ports_are_all_free() {
        let first = free_ports(3);
        let held: Vec<_> = (0..3)
            .map(|i| TcpListener::bind(("127.0.0.1", first + i)))
            .collect();
        assert!(held.iter().all(Result::is_ok), "{first}: {held:?}");
    }
}
