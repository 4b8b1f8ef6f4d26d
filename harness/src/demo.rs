//! The OctoLLM demo stack: the simulator's ports, Prometheus with `deploy/demo/prometheus.yml`
//! and the alert rules (or VictoriaMetrics and vmalert with the same files, or both), two clustered Alertmanagers with `deploy/demo/alertmanager.yml`, the demo
//! overrides applied, and the repo's `provisioning/` rendered with the chosen addresses.

use crate::victoria::{self, start_victoria_metrics, VictoriaSpec};
use crate::{
    free_port, start_alertmanagers, start_prometheus, Backend, HarnessError, PrometheusSpec,
};
use std::path::{Path, PathBuf};

/// Which metrics engines the demo runs (`cargo xtask demo --engine …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    #[default]
    Prometheus,
    /// VictoriaMetrics and vmalert instead of Prometheus, behind the same default datasource.
    VictoriaMetrics,
    /// Both, scraping the same targets: datasources `prometheus` and `victoriametrics`.
    Both,
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "prometheus" => Ok(Engine::Prometheus),
            "victoriametrics" => Ok(Engine::VictoriaMetrics),
            "both" => Ok(Engine::Both),
            other => Err(format!(
                "unknown engine {other:?}: use prometheus, victoriametrics or both"
            )),
        }
    }
}

impl Engine {
    fn prometheus(self) -> bool {
        self != Engine::VictoriaMetrics
    }
    fn victoria(self) -> bool {
        self != Engine::Prometheus
    }
}

/// The datasource VictoriaMetrics gets beside Prometheus (`Engine::Both`).
const VICTORIA_DATASOURCE: &str = "apiVersion: 1

datasources:
  - name: VictoriaMetrics
    uid: victoriametrics
    type: prometheus
    access: proxy
    url: http://${DEMO_VICTORIA_ADDR}
    editable: false
    jsonData:
      timeInterval: 2s
      httpMethod: POST
";

/// The simulator's services in `octollm-sim`'s catalog order (checked by an integration test).
pub const SIM_SERVICES: [&str; 8] = [
    "orchestrator",
    "reflex-layer",
    "planner",
    "executor",
    "coder",
    "judge",
    "guardian",
    "retriever",
];

/// Where the simulator listens (all on 127.0.0.1).
#[derive(Debug, Clone)]
pub struct SimPorts {
    pub services: Vec<u16>,
    pub control: u16,
    pub loki: u16,
    pub jaeger: u16,
    pub tempo: u16,
    pub smtp: u16,
}

/// Lines of the simulator's fleet-size log stream.
pub const SCALE_LOG_LINES: usize = 100_000;
/// Spans of the simulator's scale trace.
pub const SCALE_TRACE_SPANS: usize = 100_000;
/// Its id: `octollm_sim::http::SCALE_TRACE_ID` (the harness does not link the simulator;
/// `tests/tests/scale.rs` checks that the two agree).
pub const SCALE_TRACE_ID: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";

impl SimPorts {
    /// Free loopback ports for every face of the simulator.
    pub fn free() -> Self {
        SimPorts {
            services: SIM_SERVICES.iter().map(|_| free_port()).collect(),
            control: free_port(),
            loki: free_port(),
            jaeger: free_port(),
            tempo: free_port(),
            smtp: free_port(),
        }
    }

    /// `octollm-sim` arguments that bind exactly these ports.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for (name, port) in SIM_SERVICES.iter().zip(&self.services) {
            args.push("--port".to_string());
            args.push(format!("{name}={port}"));
        }
        for (flag, port) in [
            ("--control-port", self.control),
            ("--loki-port", self.loki),
            ("--jaeger-port", self.jaeger),
            ("--tempo-port", self.tempo),
            ("--smtp-port", self.smtp),
        ] {
            args.push(flag.to_string());
            args.push(port.to_string());
        }
        // The upstream trace samples, served by the Jaeger and Tempo stand-ins beside the
        // simulated traces.
        // The fleet-size trace (100,000 spans, 50 services) the scale journeys open.
        args.push("--scale-trace".to_string());
        args.push(SCALE_TRACE_SPANS.to_string());
        // And the fleet-size log stream: 100,000 lines of {service="log-firehose"} in the hour.
        args.push("--scale-logs".to_string());
        args.push(SCALE_LOG_LINES.to_string());
        args.push("--recorded-traces".to_string());
        args.push(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures")
                .display()
                .to_string(),
        );
        args
    }

    pub fn control_addr(&self) -> String {
        format!("127.0.0.1:{}", self.control)
    }
}

fn read(path: &Path) -> Result<String, HarnessError> {
    std::fs::read_to_string(path)
        .map_err(|e| HarnessError::Io(format!("read {}", path.display()), e))
}

/// `demo-overrides.yml`: (global key → value), (alert → for) and (group → interval), each
/// with its `default`.
#[derive(Debug, Default, PartialEq)]
pub struct Overrides {
    pub global: Vec<(String, String)>,
    pub for_: Vec<(String, String)>,
    pub interval: Vec<(String, String)>,
}

/// The override for `name` in `entries`, else their `default`.
fn lookup(entries: &[(String, String)], name: &str) -> Option<String> {
    entries
        .iter()
        .find(|(k, _)| k == name)
        .or_else(|| entries.iter().find(|(k, _)| k == "default"))
        .map(|(_, v)| v.clone())
}

/// Reads the overrides file's flat sections (a deliberately tiny format, see the file).
pub fn parse_overrides(text: &str) -> Overrides {
    let mut out = Overrides::default();
    let mut section = "";
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or("").trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = if line.starts_with("global:") {
                "global"
            } else if line.starts_with("for:") {
                "for"
            } else if line.starts_with("interval:") {
                "interval"
            } else {
                ""
            };
            continue;
        }
        if let Some((k, v)) = line.trim().split_once(':') {
            let pair = (k.trim().to_string(), v.trim().to_string());
            match section {
                "global" => out.global.push(pair),
                "for" => out.for_.push(pair),
                "interval" => out.interval.push(pair),
                _ => {}
            }
        }
    }
    out
}

/// Replaces `key: …` lines in prometheus.yml's global block.
pub fn apply_global(config: &str, o: &Overrides) -> String {
    let mut in_global = false;
    config
        .lines()
        .map(|line| {
            if !line.starts_with(' ') && !line.trim().is_empty() {
                in_global = line.starts_with("global:");
            }
            if in_global {
                for (k, v) in &o.global {
                    if line.trim_start().starts_with(&format!("{k}:")) {
                        let indent = &line[..line.len() - line.trim_start().len()];
                        return format!("{indent}{k}: {v}");
                    }
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rewrites each alert's `for:` and each group's `interval:` from the overrides (the alert's or
/// group's own entry, else `default`). Every other line, comments included, stays as written.
pub fn apply_rules(rules: &str, o: &Overrides) -> String {
    let mut alert: Option<String> = None;
    let mut group: Option<String> = None;
    rules
        .lines()
        .map(|line| {
            let t = line.trim_start();
            let indent = &line[..line.len() - t.len()];
            if let Some(name) = t.strip_prefix("- name:") {
                group = Some(name.trim().to_string());
                alert = None;
            } else if let Some(name) = t.strip_prefix("- alert:") {
                alert = Some(name.trim().to_string());
            } else if t.starts_with("- record:") {
                alert = None;
            } else if let (Some(_), Some(name)) = (t.strip_prefix("for:"), alert.as_deref()) {
                if let Some(v) = lookup(&o.for_, name) {
                    return format!("{indent}for: {v}");
                }
            } else if let (Some(_), Some(name), None) = (
                t.strip_prefix("interval:"),
                group.as_deref(),
                alert.as_deref(),
            ) {
                if let Some(v) = lookup(&o.interval, name) {
                    return format!("{indent}interval: {v}");
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The guide's `alertmanager.yml` with its receivers pointed at the simulator's loopback sinks,
/// and nothing else changed: Slack's webhook URL and the SMTP smarthost become the sinks (plain
/// SMTP, so `smtp_require_tls: false`), and PagerDuty's `service_key` becomes an Events v2
/// `routing_key` with the sink as `url` (Alertmanager sends v1 events to PagerDuty's fixed
/// address, which must never be reached from here). Fails naming the line when the guide's file no
/// longer has what it rewrites.
pub fn loopback_receivers(config: &str, sink: &str, smtp: &str) -> Result<String, HarnessError> {
    let rewrites = [
        (
            "  slack_api_url: 'YOUR_SLACK_WEBHOOK_URL'",
            format!("  slack_api_url: 'http://{sink}/sim/sink/slack'\n  smtp_require_tls: false"),
        ),
        (
            "        smarthost: 'smtp.gmail.com:587'",
            format!("        smarthost: '{smtp}'"),
        ),
        (
            "      - service_key: 'YOUR_PAGERDUTY_KEY'",
            format!(
                "      - routing_key: 'YOUR_PAGERDUTY_KEY'\n        url: 'http://{sink}/sim/sink/pagerduty'"
            ),
        ),
    ];
    let mut out = config.to_string();
    for (line, with) in rewrites {
        if !out.lines().any(|l| l == line) {
            return Err(HarnessError::Other(format!(
                "deploy/demo/alertmanager.yml has no line {line:?} to point at the loopback sink"
            )));
        }
        out = out.replace(line, &with);
    }
    Ok(out)
}

/// prometheus.yml and the rule files as the demo's engines read them: the simulator's addresses
/// filled in and the demo overrides applied (`{{self}}` and `{{alertmanagers}}` are the engine's).
#[derive(Debug, Clone)]
pub struct EngineFiles {
    pub config: String,
    /// (`rules/<file>`, text).
    pub rules: Vec<(String, String)>,
}

impl EngineFiles {
    /// `host` is the real node exporter's address (`{{host}}`).
    pub fn read(repo: &Path, sim: &SimPorts, host: &str) -> Result<Self, HarnessError> {
        let demo = repo.join("deploy/demo");
        let overrides = parse_overrides(&read(&demo.join("demo-overrides.yml"))?);
        let mut config = read(&demo.join("prometheus.yml"))?;
        for (name, port) in SIM_SERVICES.iter().zip(&sim.services) {
            config = config.replace(&format!("{{{{{name}}}}}"), &format!("127.0.0.1:{port}"));
        }
        config = apply_global(
            &config
                .replace("{{control}}", &sim.control_addr())
                .replace("{{host}}", host),
            &overrides,
        );
        let mut entries: Vec<PathBuf> = std::fs::read_dir(demo.join("rules"))
            .map_err(|e| HarnessError::Io("read deploy/demo/rules".into(), e))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
            .collect();
        entries.sort();
        let mut rules = Vec::new();
        for path in entries {
            let name = format!(
                "rules/{}",
                path.file_name().unwrap_or_default().to_string_lossy()
            );
            rules.push((name, apply_rules(&read(&path)?, &overrides)));
        }
        Ok(EngineFiles { config, rules })
    }

    pub fn rule_refs(&self) -> Vec<(&str, &str)> {
        self.rules
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect()
    }

    /// VictoriaMetrics and vmalert on these files, vmalert notifying `alertmanagers`.
    pub fn start_victoria(
        &self,
        alertmanagers: &[String],
    ) -> Result<victoria::Victoria, HarnessError> {
        start_victoria_metrics(&VictoriaSpec {
            config: &self.config,
            files: &self.rule_refs(),
            alertmanagers,
            evaluation_interval: &victoria::global_value(&self.config, "evaluation_interval")
                .unwrap_or_else(|| "1m".into()),
            external_labels: &victoria::external_labels(&self.config),
        })
    }
}

/// `text` with every `${NAME}` of `vars` replaced (Grafana's provisioning expansion).
fn expand(text: &str, vars: &[(&str, String)]) -> String {
    let mut text = text.to_string();
    for (k, v) in vars {
        text = text.replace(&format!("${{{k}}}"), v);
    }
    text
}

/// The running demo backends (the simulator is started by the caller, in-process or as a binary).
pub struct DemoStack {
    /// The engine behind the default datasource (uid `prometheus`): Prometheus, or
    /// VictoriaMetrics with `Engine::VictoriaMetrics`.
    pub prometheus: Backend,
    /// VictoriaMetrics beside Prometheus (`Engine::Both`, datasource uid `victoriametrics`).
    pub victoria: Option<Backend>,
    /// vmalert evaluating the rule files against VictoriaMetrics, whichever role it has.
    pub vmalert: Option<Backend>,
    pub engine: Engine,
    /// What the engines were started from, for another engine beside them.
    pub engine_files: EngineFiles,
    pub alertmanagers: Vec<Backend>,
    /// The real host's node exporter (job `node`).
    pub node_exporter: Backend,
    pub provisioning: tempfile::TempDir,
    pub sim: SimPorts,
}

impl DemoStack {
    /// `repo` is the workspace root (for `deploy/demo` and `provisioning`).
    pub fn start(repo: &Path, sim: SimPorts) -> Result<Self, HarnessError> {
        Self::start_with(repo, sim, Engine::Prometheus)
    }

    /// [`DemoStack::start`] with the given metrics engines.
    pub fn start_with(repo: &Path, sim: SimPorts, engine: Engine) -> Result<Self, HarnessError> {
        let demo = repo.join("deploy/demo");
        let am_config = loopback_receivers(
            &read(&demo.join("alertmanager.yml"))?,
            &sim.control_addr(),
            &format!("127.0.0.1:{}", sim.smtp),
        )?;
        let alertmanagers = start_alertmanagers(&am_config, 2)?;
        let am_addrs: Vec<String> = alertmanagers.iter().map(|a| a.addr.clone()).collect();

        let node_exporter = crate::start_node_exporter()?;
        let engine_files = EngineFiles::read(repo, &sim, &node_exporter.addr)?;
        let files = engine_files.rule_refs();
        let config = &engine_files.config;
        let prometheus = engine
            .prometheus()
            .then(|| {
                start_prometheus(&PrometheusSpec {
                    config,
                    files: &files,
                    alertmanagers: &am_addrs,
                    backfill: None,
                })
            })
            .transpose()?;
        let (mut victoria, mut vmalert) = (None, None);
        if engine.victoria() {
            let started = engine_files.start_victoria(&am_addrs)?;
            victoria = Some(started.vm);
            vmalert = Some(started.vmalert);
        }
        // The default datasource's engine: Prometheus, or VictoriaMetrics when it runs alone.
        let prometheus = match prometheus {
            Some(p) => p,
            None => victoria.take().expect("an engine runs"),
        };

        let mut vars = vec![
            ("DEMO_PROMETHEUS_ADDR", prometheus.addr.clone()),
            ("DEMO_ALERTMANAGER_1_ADDR", am_addrs[0].clone()),
            ("DEMO_ALERTMANAGER_2_ADDR", am_addrs[1].clone()),
            ("DEMO_LOKI_ADDR", format!("127.0.0.1:{}", sim.loki)),
            ("DEMO_JAEGER_ADDR", format!("127.0.0.1:{}", sim.jaeger)),
            ("DEMO_TEMPO_ADDR", format!("127.0.0.1:{}", sim.tempo)),
        ];
        if let Some(vm) = &victoria {
            vars.push(("DEMO_VICTORIA_ADDR", vm.addr.clone()));
        }
        let provisioning = tempfile::Builder::new()
            .prefix("octoscope-demo-provisioning-")
            .tempdir()
            .map_err(|e| HarnessError::Io("create provisioning dir".into(), e))?;
        let target = provisioning.path().join("datasources");
        std::fs::create_dir_all(&target)
            .map_err(|e| HarnessError::Io("create datasources dir".into(), e))?;
        let source = repo.join("provisioning/datasources");
        for entry in std::fs::read_dir(&source)
            .map_err(|e| HarnessError::Io("read provisioning/datasources".into(), e))?
        {
            let path = entry
                .map_err(|e| HarnessError::Io("read provisioning entry".into(), e))?
                .path();
            let mut text = read(&path)?;
            if engine == Engine::VictoriaMetrics {
                // Same uid (the dashboards name it), honest name.
                text = text.replacen("  - name: Prometheus\n", "  - name: VictoriaMetrics\n", 1);
            }
            std::fs::write(
                target.join(path.file_name().unwrap_or_default()),
                expand(&text, &vars),
            )
            .map_err(|e| HarnessError::Io("write provisioning".into(), e))?;
        }
        if victoria.is_some() {
            std::fs::write(
                target.join("victoriametrics.yaml"),
                expand(VICTORIA_DATASOURCE, &vars),
            )
            .map_err(|e| HarnessError::Io("write provisioning".into(), e))?;
        }
        // SLO definitions as they are (their rules are generated into deploy/demo/rules/slos.yml)
        // and the wall-screen playlists.
        for sub in ["slos", "playlists"] {
            copy_files(
                &repo.join("provisioning").join(sub),
                &provisioning.path().join(sub),
            )?;
        }
        // Dashboard providers: the repo's (paths made absolute) plus a scratch folder where
        // tests drop files (`local_dashboards_dir`), watched like any other provider.
        let dash_target = provisioning.path().join("dashboards");
        std::fs::create_dir_all(&dash_target)
            .map_err(|e| HarnessError::Io("create dashboards dir".into(), e))?;
        let local = provisioning.path().join("local-dashboards");
        std::fs::create_dir_all(&local)
            .map_err(|e| HarnessError::Io("create local dashboards dir".into(), e))?;
        for entry in std::fs::read_dir(repo.join("provisioning/dashboards"))
            .map_err(|e| HarnessError::Io("read provisioning/dashboards".into(), e))?
        {
            let path = entry
                .map_err(|e| HarnessError::Io("read provisioning entry".into(), e))?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = read(&path)?.replace(
                "path: provisioning/",
                &format!("path: {}/provisioning/", repo.display()),
            );
            std::fs::write(dash_target.join(path.file_name().unwrap_or_default()), text)
                .map_err(|e| HarnessError::Io("write provisioning".into(), e))?;
        }
        std::fs::write(
            dash_target.join("local.yaml"),
            format!(
                "apiVersion: 1\nproviders:\n  - name: local\n    folder: Local\n    type: file\n    options:\n      path: {}\n",
                local.display()
            ),
        )
        .map_err(|e| HarnessError::Io("write provisioning".into(), e))?;
        Ok(DemoStack {
            prometheus,
            victoria,
            vmalert,
            engine,
            engine_files,
            alertmanagers,
            node_exporter,
            provisioning,
            sim,
        })
    }

    /// A dashboard provider folder of this stack that tests may write into.
    pub fn local_dashboards_dir(&self) -> std::path::PathBuf {
        self.provisioning.path().join("local-dashboards")
    }

    pub fn provisioning_dir(&self) -> &Path {
        self.provisioning.path()
    }

    /// A copy of this stack's provisioning whose default datasource (uid `prometheus`) reads the
    /// engine at `addr` instead, under `name`: every dashboard, also those without a datasource
    /// variable, then renders against it.
    pub fn provisioning_on(
        &self,
        addr: &str,
        name: &str,
    ) -> Result<tempfile::TempDir, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("octoscope-demo-provisioning-")
            .tempdir()
            .map_err(|e| HarnessError::Io("create provisioning dir".into(), e))?;
        let (from, to) = (
            format!("url: http://{}\n", self.prometheus.addr),
            format!("url: http://{addr}\n"),
        );
        for sub in ["datasources", "dashboards", "slos", "playlists"] {
            std::fs::create_dir_all(dir.path().join(sub))
                .map_err(|e| HarnessError::Io(format!("create {sub}"), e))?;
            for entry in std::fs::read_dir(self.provisioning.path().join(sub))
                .map_err(|e| HarnessError::Io(format!("read {sub}"), e))?
            {
                let path = entry
                    .map_err(|e| HarnessError::Io("read provisioning entry".into(), e))?
                    .path();
                let text = read(&path)?.replace(&from, &to).replacen(
                    "  - name: Prometheus\n",
                    &format!("  - name: {name}\n"),
                    1,
                );
                std::fs::write(
                    dir.path()
                        .join(sub)
                        .join(path.file_name().unwrap_or_default()),
                    text,
                )
                .map_err(|e| HarnessError::Io("write provisioning".into(), e))?;
            }
        }
        Ok(dir)
    }
}

/// Copies the files (not folders) of `from` into `to`, created if missing.
fn copy_files(from: &Path, to: &Path) -> Result<(), HarnessError> {
    let what = from.display().to_string();
    std::fs::create_dir_all(to)
        .map_err(|e| HarnessError::Io(format!("create {}", to.display()), e))?;
    for entry in std::fs::read_dir(from).map_err(|e| HarnessError::Io(format!("read {what}"), e))? {
        let path = entry
            .map_err(|e| HarnessError::Io(format!("read {what}"), e))?
            .path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))
                .map_err(|e| HarnessError::Io(format!("copy {}", path.display()), e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_point_at_the_loopback_sinks_and_nothing_else_changes() {
        let guide = "global:\n  resolve_timeout: 5m\n  slack_api_url: 'YOUR_SLACK_WEBHOOK_URL'\nreceivers:\n  - name: 'team-notifications'\n    email_configs:\n      - to: 'team@example.com'\n        smarthost: 'smtp.gmail.com:587'\n  - name: 'pagerduty'\n    pagerduty_configs:\n      - service_key: 'YOUR_PAGERDUTY_KEY'\n        description: 'x'\n";
        let out = loopback_receivers(guide, "127.0.0.1:9", "127.0.0.1:25").unwrap();
        assert_eq!(
            out,
            "global:\n  resolve_timeout: 5m\n  slack_api_url: 'http://127.0.0.1:9/sim/sink/slack'\n  smtp_require_tls: false\nreceivers:\n  - name: 'team-notifications'\n    email_configs:\n      - to: 'team@example.com'\n        smarthost: '127.0.0.1:25'\n  - name: 'pagerduty'\n    pagerduty_configs:\n      - routing_key: 'YOUR_PAGERDUTY_KEY'\n        url: 'http://127.0.0.1:9/sim/sink/pagerduty'\n        description: 'x'\n"
        );
        let err = loopback_receivers("global: {}\n", "a", "b").unwrap_err();
        assert!(err.to_string().contains("slack_api_url"), "{err}");
    }

    #[test]
    fn overrides_shorten_for_and_globals() {
        let o = parse_overrides("# c\nglobal:\n  evaluation_interval: 5s # x\nfor:\n  default: 15s\n  ServiceDown: 5s\n");
        assert_eq!(
            o.global,
            vec![("evaluation_interval".to_string(), "5s".to_string())]
        );
        let cfg = apply_global(
            "global:\n  evaluation_interval: 15s\nscrape_configs:\n  evaluation_interval: 1m\n",
            &o,
        );
        assert_eq!(
            cfg,
            "global:\n  evaluation_interval: 5s\nscrape_configs:\n  evaluation_interval: 1m"
        );
        let rules = "  - alert: ServiceDown\n    for: 1m\n  - alert: Other\n    expr: x\n    for: 10m\n  - record: r\n    for: 3m";
        assert_eq!(
            apply_rules(rules, &o),
            "  - alert: ServiceDown\n    for: 5s\n  - alert: Other\n    expr: x\n    for: 15s\n  - record: r\n    for: 3m"
        );
        // Group intervals: the group's own entry, else the default; comments stay as written.
        let o = parse_overrides("interval:\n  default: 5s\n  slow: 10s\n");
        let rules = "groups:\n  - name: fast\n    interval: 30s\n    rules:\n      - alert: A\n        expr: up > 0 # x\n  - name: slow\n    interval: 5m\n";
        assert_eq!(
            apply_rules(rules, &o),
            "groups:\n  - name: fast\n    interval: 5s\n    rules:\n      - alert: A\n        expr: up > 0 # x\n  - name: slow\n    interval: 10s"
        );
    }
}
