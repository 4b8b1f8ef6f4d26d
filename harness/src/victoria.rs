//! VictoriaMetrics as a second real engine (Debian `victoria-metrics` 1.79, which also ships
//! `vmalert`): the single binary scrapes the same prometheus.yml Prometheus reads
//! (`-promscrape.config`), vmalert evaluates the same rule files against it and notifies the same
//! Alertmanagers, and VictoriaMetrics proxies `/api/v1/rules` and `/api/v1/alerts` to vmalert, so
//! one `prometheus`-type datasource serves both the queries and the rules pages.

use std::path::Path;
use std::time::Duration;

use crate::{free_port, spawn, temp_dir, write, Backend, HarnessError};

/// What one VictoriaMetrics with its vmalert is started from.
pub struct VictoriaSpec<'a> {
    /// prometheus.yml as Prometheus reads it: `{{self}}` becomes VictoriaMetrics' own address;
    /// `rule_files` and `alerting` are Prometheus-only and ignored (vmalert takes their place).
    pub config: &'a str,
    /// Rule files (relative names, as in [`crate::PrometheusSpec::files`]), evaluated by vmalert.
    pub files: &'a [(&'a str, &'a str)],
    pub alertmanagers: &'a [String],
    /// vmalert's default group interval (Prometheus' `global.evaluation_interval`).
    pub evaluation_interval: &'a str,
    /// Labels added to every alert and recorded series (Prometheus' `global.external_labels`),
    /// so an alert both engines fire is one alert in Alertmanager.
    pub external_labels: &'a [(String, String)],
}

/// VictoriaMetrics single-node and the vmalert that evaluates rules against it.
pub struct Victoria {
    pub vm: Backend,
    pub vmalert: Backend,
}

/// Starts VictoriaMetrics and vmalert on free loopback ports; retried on fresh ports when
/// another process took one between choosing it and binding it.
pub fn start_victoria_metrics(spec: &VictoriaSpec<'_>) -> Result<Victoria, HarnessError> {
    let mut attempt = 0;
    loop {
        match start_once(spec) {
            Err(HarnessError::NotReady { log, .. })
                if attempt < 3 && log.contains("address already in use") =>
            {
                attempt += 1
            }
            other => return other,
        }
    }
}

fn start_once(spec: &VictoriaSpec<'_>) -> Result<Victoria, HarnessError> {
    let (vm_port, vmalert_port) = (free_port(), free_port());
    let vm_url = format!("http://127.0.0.1:{vm_port}");
    let vmalert_addr = format!("127.0.0.1:{vmalert_port}");

    let dir = temp_dir("octoscope-victoria-metrics-")?;
    // VictoriaMetrics stores `external_labels` on every scraped sample; Prometheus adds them
    // only when talking to other systems (alerts, remote write). vmalert adds them to alerts.
    write(
        dir.path(),
        "prometheus.yml",
        &without_external_labels(spec.config)
            .replace("{{self}}", &format!("127.0.0.1:{vm_port}"))
            .replace("{{alertmanagers}}", &crate::yaml_list(spec.alertmanagers)),
    )?;
    let args = [
        format!("-httpListenAddr=127.0.0.1:{vm_port}"),
        "-storageDataPath=data".into(),
        "-promscrape.config=prometheus.yml".into(),
        // rule_files and alerting are Prometheus' own sections of the same file.
        "-promscrape.config.strictParse=false".into(),
        // Samples are queryable a second after the scrape (default 30 s: a fresh demo would
        // show nothing for its first half minute).
        "-search.latencyOffset=1s".into(),
        format!("-vmalert.proxyURL=http://{vmalert_addr}"),
        "-memory.allowedBytes=512MB".into(),
        "-loggerLevel=WARN".into(),
    ];
    let vm = spawn(
        "victoria-metrics",
        Path::new("victoria-metrics"),
        dir,
        &args,
        &[],
        vm_port,
    )?
    .wait_ready("/health", Duration::from_secs(30))?;

    let dir = temp_dir("octoscope-vmalert-")?;
    for (name, text) in spec.files {
        if let Some(parent) = Path::new(name).parent() {
            std::fs::create_dir_all(dir.path().join(parent))
                .map_err(|e| HarnessError::Io(format!("create dir for {name}"), e))?;
        }
        write(dir.path(), name, text)?;
    }
    let mut args = vec![
        format!("-httpListenAddr={vmalert_addr}"),
        format!("-datasource.url={vm_url}"),
        // Recording rules and ALERTS/ALERTS_FOR_STATE go back into VictoriaMetrics; `for`
        // state is restored from it after a restart, as Prometheus restores from its TSDB.
        format!("-remoteWrite.url={vm_url}"),
        "-remoteWrite.flushInterval=1s".into(),
        format!("-remoteRead.url={vm_url}"),
        format!("-evaluationInterval={}", spec.evaluation_interval),
        format!("-external.url=http://{vmalert_addr}"),
        // Prometheus sends no such label: without this the same alert from both engines would
        // be two alerts in Alertmanager.
        "-disableAlertgroupLabel".into(),
        "-loggerLevel=WARN".into(),
    ];
    for (name, _) in spec.files {
        args.push(format!("-rule={name}"));
    }
    for am in spec.alertmanagers {
        args.push(format!("-notifier.url=http://{am}"));
    }
    for (k, v) in spec.external_labels {
        args.push(format!("-external.label={k}={v}"));
    }
    let vmalert = spawn(
        "vmalert",
        Path::new("vmalert"),
        dir,
        &args,
        &[],
        vmalert_port,
    )?
    .wait_ready("/health", Duration::from_secs(30))?;
    let vm = vm.wait_first_scrape(Duration::from_secs(30))?;
    Ok(Victoria { vm, vmalert })
}

/// `global.external_labels` of a prometheus.yml written in the demo's style (a two-space block
/// of `key: value` lines).
pub fn external_labels(config: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in config.lines() {
        if line.trim_end() == "  external_labels:" {
            inside = true;
            continue;
        }
        if inside {
            match line.strip_prefix("    ").and_then(|l| l.split_once(':')) {
                Some((k, v)) if !k.starts_with(' ') => out.push((
                    k.trim().to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                )),
                _ => break,
            }
        }
    }
    out
}

/// prometheus.yml without its `global.external_labels` block.
pub fn without_external_labels(config: &str) -> String {
    let mut out = Vec::new();
    let mut inside = false;
    for line in config.lines() {
        if line.trim_end() == "  external_labels:" {
            inside = true;
            continue;
        }
        if inside && line.starts_with("    ") {
            continue;
        }
        inside = false;
        out.push(line);
    }
    out.join("\n") + "\n"
}

/// `global.<key>` of a prometheus.yml in the demo's style.
pub fn global_value(config: &str, key: &str) -> Option<String> {
    let mut inside = false;
    for line in config.lines() {
        if line.trim_end() == "global:" {
            inside = true;
        } else if inside {
            if !line.starts_with(' ') && !line.trim().is_empty() {
                return None;
            }
            if let Some(v) = line
                .strip_prefix("  ")
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix(':'))
            {
                return Some(v.split('#').next().unwrap_or("").trim().to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_globals_vmalert_needs_from_prometheus_yml() {
        let config = "global:\n  scrape_interval: 2s\n  evaluation_interval: 5s # demo\n  external_labels:\n    cluster: octollm-demo\n    env: 'demo'\n\nrule_files:\n  - rules/*.yml\n";
        assert_eq!(
            global_value(config, "evaluation_interval").as_deref(),
            Some("5s")
        );
        assert_eq!(global_value(config, "scrape_timeout"), None);
        assert_eq!(
            external_labels(config),
            vec![
                ("cluster".to_string(), "octollm-demo".to_string()),
                ("env".to_string(), "demo".to_string())
            ]
        );
        assert!(external_labels("global:\n  scrape_interval: 2s\n").is_empty());
        assert_eq!(
            without_external_labels(config),
            "global:\n  scrape_interval: 2s\n  evaluation_interval: 5s # demo\n\nrule_files:\n  - rules/*.yml\n"
        );
    }
}
