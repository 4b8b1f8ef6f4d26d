//! `octollm-sim`: run the simulated platform, or manage incidents of a running one.
//!
//! ```text
//! octollm-sim [serve] [--seed N] [--rate TASKS_PER_S] [--port SERVICE=PORT]... [--control-port P]
//!             [--loki-port P] [--jaeger-port P] [--tempo-port P] [--smtp-port P] [--incident KIND:TARGET[:DURATION]]...
//!             [--recorded-traces DIR] [--scale-trace SPANS] [--scale-logs LINES]  (upstream samples DIR/jaeger/*.json, DIR/tempo/*.json served verbatim)
//! octollm-sim incident add KIND TARGET [DURATION] [--url http://127.0.0.1:9900]
//! octollm-sim incident list [--url …]
//! octollm-sim incident clear [ID] [--url …]
//! ```

use octollm_sim::catalog::{self, SERVICES};
use octollm_sim::engine::SimConfig;
use octollm_sim::http::now_ms;
use octollm_sim::incidents::IncidentRequest;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;

struct ServeArgs {
    cfg: SimConfig,
    ports: Vec<u16>,
    control: u16,
    loki: u16,
    jaeger: u16,
    tempo: u16,
    smtp: u16,
    incidents: Vec<IncidentRequest>,
    recorded: Option<std::path::PathBuf>,
    /// Spans of the fleet-size trace to serve (0: none).
    scale_trace: usize,
    /// Lines of the fleet-size log stream over the last hour (0: none).
    scale_logs: usize,
}

fn parse_serve(args: &[String]) -> Result<ServeArgs, String> {
    let mut a = ServeArgs {
        cfg: SimConfig::default(),
        ports: SERVICES.iter().map(|s| s.default_port).collect(),
        control: 9900,
        loki: 3100,
        jaeger: 16686,
        tempo: 3200,
        smtp: 2525,
        incidents: vec![],
        recorded: None,
        scale_trace: 0,
        scale_logs: 0,
    };
    let mut it = args.iter();
    let num = |v: Option<&String>, what: &str| -> Result<u64, String> {
        v.ok_or(format!("{what} needs a value"))?
            .parse()
            .map_err(|_| format!("{what} needs a number"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" => a.cfg.seed = num(it.next(), "--seed")?,
            "--rate" => {
                a.cfg.base_rate = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|r: &f64| *r > 0.0)
                    .ok_or("--rate needs a positive number")?
            }
            "--control-port" => a.control = num(it.next(), "--control-port")? as u16,
            "--loki-port" => a.loki = num(it.next(), "--loki-port")? as u16,
            "--jaeger-port" => a.jaeger = num(it.next(), "--jaeger-port")? as u16,
            "--tempo-port" => a.tempo = num(it.next(), "--tempo-port")? as u16,
            "--smtp-port" => a.smtp = num(it.next(), "--smtp-port")? as u16,
            "--scale-trace" => a.scale_trace = num(it.next(), "--scale-trace")? as usize,
            "--scale-logs" => a.scale_logs = num(it.next(), "--scale-logs")? as usize,
            "--recorded-traces" => {
                a.recorded = Some(
                    it.next()
                        .ok_or("--recorded-traces needs a directory")?
                        .into(),
                )
            }
            "--port" => {
                let v = it.next().ok_or("--port needs SERVICE=PORT")?;
                let (name, port) = v.split_once('=').ok_or("--port needs SERVICE=PORT")?;
                let idx =
                    catalog::service_index(name).ok_or(format!("unknown service {name:?}"))?;
                a.ports[idx] = port.parse().map_err(|_| format!("bad port in {v:?}"))?;
            }
            "--incident" => {
                let v = it.next().ok_or("--incident needs KIND:TARGET[:DURATION]")?;
                let mut parts = v.splitn(3, ':');
                a.incidents.push(IncidentRequest {
                    kind: parts.next().unwrap_or_default().to_string(),
                    target: parts.next().unwrap_or("orchestrator").to_string(),
                    duration: parts
                        .next()
                        .map(|d| serde_json::Value::String(d.to_string())),
                });
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(a)
}

async fn serve(a: ServeArgs) -> Result<(), String> {
    if let Some(dir) = &a.recorded {
        let (jaeger, tempo) = octollm_sim::http::load_recorded_traces(dir)?;
        println!(
            "serving {jaeger} recorded Jaeger and {tempo} recorded Tempo traces from {}",
            dir.display()
        );
    }
    if a.scale_trace > 0 {
        // Ten minutes ago: inside the console's default last hour.
        let id = octollm_sim::http::serve_scale_trace(a.scale_trace, (now_ms() - 600_000) * 1000)?;
        println!("serving the {}-span scale trace {id}", a.scale_trace);
    }
    if a.scale_logs > 0 {
        let now_ns = now_ms() * 1_000_000;
        octollm_sim::http::serve_scale_logs(a.scale_logs, now_ns - 3_600_000_000_000, now_ns)?;
        println!(
            "serving {} lines of {{service=\"{}\"}} over the last hour",
            a.scale_logs,
            octollm_sim::http::FIREHOSE_SERVICE
        );
    }
    let ports = octollm_sim::Ports {
        services: a.ports,
        control: a.control,
        loki: a.loki,
        jaeger: a.jaeger,
        tempo: a.tempo,
        smtp: a.smtp,
    };
    let mut initial = Vec::new();
    for req in &a.incidents {
        initial.push(req.validate().map_err(|e| e.to_string())?);
    }
    let (sim, addrs) = octollm_sim::start(a.cfg, &ports).await?;
    {
        let mut s = sim.lock().unwrap_or_else(|p| p.into_inner());
        for (kind, target, duration) in initial {
            s.add_incident(kind, target, duration, now_ms());
        }
    }
    for (name, addr) in addrs {
        println!("octollm-sim: {name:<13} http://{addr}");
    }
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}

/// A tiny HTTP/1.0 client for the control API (loopback only).
fn call(url: &str, method: &str, path: &str, body: Option<&str>) -> Result<(u16, String), String> {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host)
        .map_err(|e| format!("cannot reach the simulator at {url}: {e}"))?;
    let body = body.unwrap_or("");
    write!(s, "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    s.read_to_string(&mut out).map_err(|e| e.to_string())?;
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((
        status,
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    ))
}

fn incident(args: &[String]) -> Result<(), String> {
    let mut url = "http://127.0.0.1:9900".to_string();
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--url" {
            url = it.next().ok_or("--url needs a value")?.clone();
        } else {
            rest.push(a.as_str());
        }
    }
    let (status, body) = match rest.as_slice() {
        ["add", kind, target, more @ ..] => {
            let body = serde_json::json!({"kind": kind, "target": target, "duration": more.first()});
            call(&url, "POST", "/sim/incidents", Some(&body.to_string()))?
        }
        ["list"] => call(&url, "GET", "/sim/incidents", None)?,
        ["clear"] => call(&url, "DELETE", "/sim/incidents", None)?,
        ["clear", id] => call(&url, "DELETE", &format!("/sim/incidents/{id}"), None)?,
        _ => return Err("usage: octollm-sim incident add KIND TARGET [DURATION] | list | clear [ID]  [--url URL]".into()),
    };
    println!("{body}");
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("the simulator answered {status}"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("incident") => incident(&args[1..]),
        Some("serve") => parse_serve(&args[1..]).and_then(run_serve),
        Some("--help" | "-h") => {
            println!("see the module docs: octollm-sim [serve] [options] | octollm-sim incident add|list|clear");
            Ok(())
        }
        _ => parse_serve(&args).and_then(run_serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("octollm-sim: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_serve(a: ServeArgs) -> Result<(), String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(serve(a))
}
