//! Console replicas behind a real load balancer (Debian's haproxy): round robin, each replica
//! health-checked on its readiness, reads retried on another replica when one dies.

use crate::{free_port, http_get, spawn, temp_dir, write, Backend, HarnessError};
use std::path::Path;
use std::time::{Duration, Instant};

/// haproxy's configuration: `replicas` behind `listen`, its statistics (CSV at `/stats;csv`)
/// on `stats`.
pub fn haproxy_config(listen: &str, stats: &str, replicas: &[String]) -> String {
    let servers: String = replicas
        .iter()
        .enumerate()
        .map(|(i, addr)| format!("    server replica{} {addr} check\n", i + 1))
        .collect();
    format!(
        "global
    maxconn 4096

defaults
    mode http
    timeout connect 1s
    timeout client 120s
    timeout server 120s
    timeout check 2s
    # A request a dead replica never took goes to another one. Past the connection only reads
    # are retried: a write may have been applied before its replica died.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 502 503 504

frontend console
    bind {listen}
    default_backend replicas

backend replicas
    balance roundrobin
    http-request disable-l7-retry if !METH_GET
    # Which replica answered: for the tests, and for whoever chases one replica's fault.
    http-response set-header X-Served-By %[srv_name]
    # Readiness, not liveness: a replica that is draining (SIGTERM) stops getting requests.
    option httpchk GET /api/ready
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
{servers}
listen stats
    bind {stats}
    stats enable
    stats uri /stats
"
    )
}

/// One console process on a free port, started from `binary` with `env`, ready on
/// `/api/ready`.
pub fn start_console(binary: &Path, env: &[(String, String)]) -> Result<Backend, HarnessError> {
    let port = free_port();
    let mut env = env.to_vec();
    env.push(("OCTOSCOPE_LISTEN".into(), format!("127.0.0.1:{port}")));
    let dir = temp_dir("octoscope-console-")?;
    spawn("console", binary, dir, &["serve".to_string()], &env, port)?
        .wait_ready("/api/ready", Duration::from_secs(60))
}

/// haproxy in front of console replicas, with its statistics.
pub struct Balancer {
    /// Where users connect: `127.0.0.1:port`.
    pub addr: String,
    /// Its statistics (CSV at `/stats;csv`).
    stats: String,
    _process: Backend,
}

impl Balancer {
    /// The balancer's view of each replica: (name, up), from its statistics.
    pub fn replica_states(&self) -> Result<Vec<(String, bool)>, HarnessError> {
        let (status, csv) = http_get(&self.stats, "/stats;csv")
            .map_err(|e| HarnessError::Io("read haproxy's statistics".into(), e))?;
        if status != 200 {
            return Err(HarnessError::Other(format!(
                "haproxy's statistics answered {status}"
            )));
        }
        Ok(parse_stats(&dechunk(&csv)))
    }
}

/// haproxy on `port` in front of `replicas`; ready when it sees every replica up.
pub fn start_balancer(port: u16, replicas: &[String]) -> Result<Balancer, HarnessError> {
    let stats = format!("127.0.0.1:{}", free_port());
    let dir = temp_dir("octoscope-haproxy-")?;
    let config = haproxy_config(&format!("127.0.0.1:{port}"), &stats, replicas);
    write(dir.path(), "haproxy.cfg", &config)?;
    let args = ["-db", "-f", "haproxy.cfg"].map(String::from);
    let process = spawn("haproxy", Path::new("haproxy"), dir, &args, &[], port)?;
    let lb = Balancer {
        addr: process.addr.clone(),
        stats,
        _process: process,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let states = lb.replica_states().unwrap_or_default();
        if states.len() == replicas.len() && states.iter().all(|(_, up)| *up) {
            return Ok(lb);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(HarnessError::NotReady {
        name: "haproxy (every replica up)".into(),
        url: format!("http://{}/stats", lb.stats),
        log: lb._process.log(),
    })
}

/// Console replicas behind one balancer.
pub struct Replicas {
    pub consoles: Vec<Backend>,
    pub balancer: Balancer,
    /// Holds the revocations file they share.
    _shared: tempfile::TempDir,
}

/// `n` consoles from `binary` with `env` behind haproxy on `port`, sharing what makes a session
/// the same on each: the session `key` and one revocations file.
pub fn start_replicas(
    binary: &Path,
    n: usize,
    port: u16,
    key: &str,
    env: &[(String, String)],
) -> Result<Replicas, HarnessError> {
    let shared = temp_dir("octoscope-replicas-")?;
    let mut env = env.to_vec();
    env.push(("OCTOSCOPE_SESSION_KEY".into(), key.to_string()));
    env.push((
        "OCTOSCOPE_AUTH_REVOCATIONS_FILE".into(),
        shared.path().join("revoked-sessions").display().to_string(),
    ));
    let consoles = (0..n)
        .map(|_| start_console(binary, &env))
        .collect::<Result<Vec<_>, _>>()?;
    let addrs: Vec<String> = consoles.iter().map(|c| c.addr.clone()).collect();
    let balancer = start_balancer(port, &addrs)?;
    Ok(Replicas {
        consoles,
        balancer,
        _shared: shared,
    })
}

/// The body of a chunked answer joined (haproxy's statistics are chunked even for HTTP/1.0);
/// any other body as it is.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            return body.to_string();
        };
        if size == 0 || after.len() < size {
            return if size == 0 { out } else { body.to_string() };
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body.to_string()
}

/// The replicas' rows of haproxy's CSV statistics: (server name, status is UP).
fn parse_stats(csv: &str) -> Vec<(String, bool)> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("# ")
        .split(',')
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let (Some(px), Some(sv), Some(st)) = (col("pxname"), col("svname"), col("status")) else {
        return Vec::new();
    };
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f.get(px) == Some(&"replicas"))
        .filter(|f| !matches!(f.get(sv), Some(&"FRONTEND") | Some(&"BACKEND") | None))
        .map(|f| {
            (
                f[sv].to_string(),
                f.get(st).is_some_and(|s| s.starts_with("UP")),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_balances_every_replica_round_robin_on_readiness() {
        let c = haproxy_config(
            "127.0.0.1:9000",
            "127.0.0.1:9001",
            &["127.0.0.1:1".into(), "127.0.0.1:2".into()],
        );
        assert!(c.contains("balance roundrobin"));
        assert!(c.contains("option httpchk GET /api/ready"));
        assert!(c.contains("server replica1 127.0.0.1:1 check\n"));
        assert!(c.contains("server replica2 127.0.0.1:2 check\n"));
        assert!(c.contains("http-request disable-l7-retry if !METH_GET"));
        assert!(c.contains("bind 127.0.0.1:9000\n"));
    }

    #[test]
    fn chunked_bodies_are_joined_and_others_kept() {
        assert_eq!(dechunk("5\r\n# a,b\r\n3\r\n\nc,\r\n0\r\n\r\n"), "# a,b\nc,");
        assert_eq!(dechunk("# pxname,svname\n"), "# pxname,svname\n");
    }

    #[test]
    fn stats_name_each_replica_and_whether_it_is_up() {
        let csv = "# pxname,svname,qcur,status,weight\nconsole,FRONTEND,,OPEN,\nreplicas,replica1,0,UP,1\nreplicas,replica2,0,DOWN,1\nreplicas,replica3,0,UP 1/2,1\nreplicas,BACKEND,0,UP,2\nstats,FRONTEND,,OPEN,\n";
        assert_eq!(
            parse_stats(csv),
            vec![
                ("replica1".to_string(), true),
                ("replica2".to_string(), false),
                ("replica3".to_string(), true),
            ]
        );
    }
}
