//! Grafana-format datasource provisioning (`<provisioning>/datasources/*.yaml`, apiVersion 1).
//!
//! One broken file or entry never hides the others: each becomes a [`ProvisioningProblem`] naming
//! the file, line and reason, and the rest load.

use super::registry::Datasource;
use crate::model::datasource::{redact_credentials, DatasourceKind, ProvisioningProblem};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Deserialize)]
struct RawFile {
    #[serde(rename = "apiVersion")]
    api_version: Option<serde_yaml::Value>,
    #[serde(default)]
    datasources: Vec<serde_yaml::Value>,
}

/// One entry as Grafana writes it; unknown keys (orgId, version, editable, …) are accepted.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDatasource {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    uid: Option<String>,
    access: Option<String>,
    url: Option<String>,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    basic_auth: bool,
    basic_auth_user: Option<String>,
    #[serde(default)]
    json_data: BTreeMap<String, serde_yaml::Value>,
    #[serde(default)]
    secure_json_data: BTreeMap<String, serde_yaml::Value>,
}

/// Expands `$VAR` / `${VAR}` from the environment in a value, as Grafana does (`$$` is a `$`).
pub fn expand_env(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().map(|(_, c)| *c) {
            Some('$') => {
                chars.next();
                out.push('$');
            }
            Some('{') => {
                let rest = &value[i + 2..];
                if let Some(end) = rest.find('}') {
                    out.push_str(&lookup(&rest[..end]).unwrap_or_default());
                    for _ in 0..end + 2 {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            Some(n) if n.is_ascii_alphabetic() || n == '_' => {
                let rest = &value[i + 1..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                out.push_str(&lookup(&rest[..end]).unwrap_or_default());
                for _ in 0..end {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn yaml_string(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A stable uid from a name when provisioning gives none (Grafana would make a random one, which
/// breaks links; a slug keeps `/api/datasources/proxy/uid/<uid>` predictable).
pub fn uid_from_name(name: &str) -> String {
    let mut uid = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            uid.push(c.to_ascii_lowercase());
        } else if !uid.ends_with('-') {
            uid.push('-');
        }
    }
    uid.trim_matches('-').to_string()
}

/// Line (1-based) where the entry named `name` starts, found in the source text.
fn line_of_entry(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches('-').trim_start();
            t.strip_prefix("name:")
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'') == name)
                .unwrap_or(false)
        })
        .map(|i| i + 1)
}

/// Parses one provisioning file's text. Returns the usable datasources and the problems found.
pub fn parse_datasources_file(
    file: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Datasource>, Vec<ProvisioningProblem>) {
    let mut problems = Vec::new();
    let problem =
        |line: Option<usize>, datasource: Option<String>, message: String| ProvisioningProblem {
            file: file.to_string(),
            line,
            datasource,
            message,
        };
    let raw: RawFile = match serde_yaml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.location().map(|l| l.line());
            return (
                Vec::new(),
                vec![problem(
                    line,
                    None,
                    format!("not valid provisioning YAML: {e}; fix the file and restart"),
                )],
            );
        }
    };
    if let Some(v) = &raw.api_version {
        if yaml_string(v).as_deref() != Some("1") {
            problems.push(problem(
                line_of_key(text, "apiVersion"),
                None,
                format!("apiVersion {v:?} is not supported; use apiVersion: 1"),
            ));
            return (Vec::new(), problems);
        }
    }
    let mut out = Vec::new();
    for (index, value) in raw.datasources.into_iter().enumerate() {
        let entry: RawDatasource = match serde_yaml::from_value(value.clone()) {
            Ok(e) => e,
            Err(e) => {
                let name = value.get("name").and_then(yaml_string);
                let line = name.as_deref().and_then(|n| line_of_entry(text, n));
                problems.push(problem(
                    line,
                    name,
                    format!("datasource #{} is incomplete: {e}", index + 1),
                ));
                continue;
            }
        };
        let line = line_of_entry(text, &entry.name);
        match build(entry, env) {
            Ok(ds) => out.push(ds),
            Err((name, message)) => problems.push(problem(line, Some(name), message)),
        }
    }
    (out, problems)
}

fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map(|i| i + 1)
}

fn build(
    raw: RawDatasource,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Datasource, (String, String)> {
    let name = raw.name.clone();
    let fail = |m: String| Err((name.clone(), m));
    let Some(kind) = DatasourceKind::from_grafana_type(&raw.kind) else {
        return fail(format!(
            "type {:?} is not supported; use one of prometheus, alertmanager, loki, jaeger, tempo",
            raw.kind
        ));
    };
    if let Some(access) = &raw.access {
        if access != "proxy" && access != "direct" {
            return fail(format!(
                "access {access:?} is not supported; use access: proxy"
            ));
        }
    }
    let Some(url_text) = raw.url.as_deref().map(|u| expand_env(u, env)) else {
        return fail("url is missing; set url: to the backend's base address".into());
    };
    let url = match url::Url::parse(url_text.trim()) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => u,
        Ok(u) => {
            return fail(format!(
                "url {} must be an http(s) address with a host",
                redact_credentials(u.as_str())
            ))
        }
        Err(e) => {
            return fail(format!(
                "url {:?} does not parse ({e})",
                redact_credentials(&url_text)
            ))
        }
    };
    let secure = |key: &str| {
        raw.secure_json_data
            .get(key)
            .and_then(yaml_string)
            .map(|v| expand_env(&v, env))
    };
    let basic_auth = if raw.basic_auth {
        let user = raw
            .basic_auth_user
            .clone()
            .map(|u| expand_env(&u, env))
            .unwrap_or_default();
        // Grafana ≥ 6.2 keeps the password in secureJsonData.basicAuthPassword.
        Some((user, secure("basicAuthPassword").unwrap_or_default()))
    } else {
        None
    };
    let mut headers = Vec::new();
    for i in 1.. {
        let Some(header) = raw
            .json_data
            .get(&format!("httpHeaderName{i}"))
            .and_then(yaml_string)
        else {
            break;
        };
        let value = secure(&format!("httpHeaderValue{i}")).unwrap_or_default();
        if http::HeaderName::from_bytes(header.as_bytes()).is_err()
            || http::HeaderValue::from_str(&value).is_err()
        {
            return fail(format!(
                "httpHeaderName{i}/httpHeaderValue{i} is not a valid HTTP header"
            ));
        }
        headers.push((header, value));
    }
    let timeout_s = raw
        .json_data
        .get("timeout")
        .and_then(yaml_string)
        .and_then(|t| t.trim_end_matches('s').parse::<u64>().ok())
        .filter(|t| *t > 0)
        .unwrap_or(30);
    let number = |key: &str, default: u64| -> Result<u64, String> {
        match raw.json_data.get(key).and_then(yaml_string) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("jsonData.{key} = {v:?} must be a whole number above 0")),
        }
    };
    let max_in_flight = match number(
        "octoscopeMaxConcurrent",
        super::guard::DEFAULT_MAX_IN_FLIGHT as u64,
    ) {
        Ok(n) => n as usize,
        Err(e) => return fail(e),
    };
    let max_response_mb = match number(
        "octoscopeMaxResponseMB",
        super::guard::DEFAULT_MAX_RESPONSE_MB,
    ) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let mut query_parameters = Vec::new();
    if kind == DatasourceKind::Prometheus {
        let text = |key: &str| raw.json_data.get(key).and_then(yaml_string);
        if let Some(t) = text("prometheusType") {
            if !crate::model::prometheus::PROMETHEUS_TYPES.contains(&t.as_str()) {
                return fail(format!(
                    "jsonData.prometheusType {t:?} is not one of {}",
                    crate::model::prometheus::PROMETHEUS_TYPES.join(", ")
                ));
            }
        }
        if let Some(q) = text("customQueryParameters") {
            match crate::model::prometheus::custom_query_parameters(&q) {
                Ok(pairs) => query_parameters = pairs,
                Err(e) => return fail(e),
            }
        }
    }
    // Correlation settings are structured, so they are read from the jsonData as a whole.
    let correlations = match serde_json::to_value(&raw.json_data)
        .map_err(|e| e.to_string())
        .and_then(|v| crate::model::datasource::correlations::Correlations::from_json_data(&v))
    {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let uid = raw
        .uid
        .clone()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| uid_from_name(&raw.name));
    if uid.is_empty()
        || !uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return fail(format!(
            "uid {uid:?} may only contain letters, digits, '-' and '_'"
        ));
    }
    Ok(Datasource {
        uid,
        name: raw.name,
        kind,
        url,
        is_default: raw.is_default,
        basic_auth,
        headers,
        timeout: Duration::from_secs(timeout_s),
        json_data: raw
            .json_data
            .into_iter()
            .filter_map(|(k, v)| yaml_string(&v).map(|v| (k, v)))
            .collect(),
        query_parameters,
        guard: super::guard::Guard::new(max_in_flight, max_response_mb << 20),
        correlations,
        jaeger_api: Default::default(),
    })
}

/// Loads every `*.yaml`/`*.yml` in `<provisioning>/datasources`, in name order. A missing
/// directory means "nothing provisioned", not an error.
pub fn load_datasources_dir(
    provisioning: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Datasource>, Vec<ProvisioningProblem>) {
    let dir = provisioning.join("datasources");
    let mut files: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
            .collect(),
        Err(_) => return (Vec::new(), Vec::new()),
    };
    files.sort();
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let (ds, p) = parse_datasources_file(&shown, &text, env);
                all.extend(ds);
                problems.extend(p);
            }
            Err(e) => problems.push(ProvisioningProblem {
                file: shown,
                line: None,
                datasource: None,
                message: format!("cannot read the file: {e}"),
            }),
        }
    }
    (all, problems)
}

/// The `*.yaml` and `*.yml` files of `dir` in name order (SLOs, playlists); None when the folder
/// cannot be read (missing means none provisioned).
pub fn yaml_files(dir: &std::path::Path) -> Option<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    Some(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// The shape of the seed's datasources file (Grafana's documented provisioning format).
    const SEED_STYLE: &str = r#"
apiVersion: 1

datasources:
  - name: Prometheus
    type: prometheus
    access: proxy
    url: http://prometheus:9090
    isDefault: true
    editable: false
    jsonData:
      timeInterval: 15s
      queryTimeout: 60s
      httpMethod: POST
  - name: Alertmanager
    type: alertmanager
    access: proxy
    url: http://alertmanager:9093
    editable: false
    jsonData:
      implementation: prometheus
  - name: Loki
    type: loki
    access: proxy
    url: http://loki:3100
    basicAuth: true
    basicAuthUser: ${LOKI_USER}
    jsonData:
      maxLines: 1000
      timeout: 10
      httpHeaderName1: X-Scope-OrgID
    secureJsonData:
      basicAuthPassword: $LOKI_PASSWORD
      httpHeaderValue1: octollm
"#;

    #[test]
    fn loads_grafana_provisioning_unchanged() {
        let env = |k: &str| match k {
            "LOKI_USER" => Some("loki-reader".to_string()),
            _ => None,
        };
        let (ds, problems) = parse_datasources_file("ds.yaml", SEED_STYLE, &env);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(ds.len(), 3);
        assert_eq!(ds[0].uid, "prometheus");
        assert_eq!(ds[0].kind, DatasourceKind::Prometheus);
        assert!(ds[0].is_default);
        assert_eq!(ds[0].url.as_str(), "http://prometheus:9090/");
        assert_eq!(ds[1].kind, DatasourceKind::Alertmanager);
        assert_eq!(ds[2].basic_auth.as_ref().unwrap().0, "loki-reader");
        assert_eq!(
            ds[2].headers,
            vec![("X-Scope-OrgID".to_string(), "octollm".to_string())]
        );
        assert_eq!(ds[2].timeout, Duration::from_secs(10));
    }

    #[test]
    fn correlation_settings_are_read_and_checked() {
        let yaml = r#"
apiVersion: 1
datasources:
  - name: Loki
    type: loki
    url: http://127.0.0.1:3100
    jsonData:
      derivedFields:
        - name: TraceID
          matcherRegex: '"trace_id":"(\w+)"'
          url: '${__value.raw}'
          datasourceUid: jaeger
  - name: Jaeger
    type: jaeger
    url: http://127.0.0.1:16686
    jsonData:
      tracesToLogsV2:
        datasourceUid: loki
        spanStartTimeShift: -2m
        tags: [{ key: service.name, value: service }]
        filterByTraceID: true
  - name: Broken Loki
    type: loki
    url: http://127.0.0.1:3101
    jsonData:
      derivedFields:
        - name: TraceID
          matcherRegex: 'trace_id=\w+'
          datasourceUid: jaeger
"#;
        let (ds, problems) = parse_datasources_file("ds.yaml", yaml, &no_env);
        assert_eq!(ds.len(), 2, "the broken entry does not hide the others");
        assert_eq!(
            ds[0].correlations.derived_fields[0]
                .datasource_uid
                .as_deref(),
            Some("jaeger")
        );
        let t2l = ds[1].correlations.traces_to_logs.as_ref().unwrap();
        assert_eq!(t2l.datasource_uid.as_deref(), Some("loki"));
        assert!(t2l.filter_by_trace_id);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].datasource.as_deref(), Some("Broken Loki"));
        assert!(
            problems[0].message.contains("capture group"),
            "{:?}",
            problems[0]
        );
    }

    #[test]
    fn broken_entries_do_not_hide_the_others() {
        let text = "apiVersion: 1\ndatasources:\n  - name: Good\n    type: prometheus\n    url: http://127.0.0.1:9090\n  - name: NoUrl\n    type: prometheus\n  - name: Weird\n    type: graphite\n    url: http://x\n  - type: loki\n";
        let (ds, problems) = parse_datasources_file("f.yaml", text, &no_env);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds[0].name, "Good");
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].datasource.as_deref(), Some("NoUrl"));
        assert_eq!(problems[0].line, Some(6));
        assert!(problems[0].message.contains("url is missing"));
        assert!(problems[1].message.contains("graphite"));
        assert!(
            problems[2].message.contains("name"),
            "{}",
            problems[2].message
        );
    }

    #[test]
    fn malformed_yaml_reports_file_and_line() {
        let text = "apiVersion: 1\ndatasources:\n  - name: A\n    type: [prometheus\n";
        let (ds, problems) = parse_datasources_file("bad.yaml", text, &no_env);
        assert!(ds.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].line.is_some());
        assert!(problems[0].to_string().starts_with("bad.yaml:"));
    }

    #[test]
    fn env_expansion() {
        let env = |k: &str| (k == "HOST").then(|| "127.0.0.1".to_string());
        assert_eq!(
            expand_env("http://${HOST}:9090", &env),
            "http://127.0.0.1:9090"
        );
        assert_eq!(
            expand_env("http://$HOST:9090", &env),
            "http://127.0.0.1:9090"
        );
        assert_eq!(expand_env("a$$b", &env), "a$b");
        assert_eq!(expand_env("$MISSING-x", &env), "-x");
    }

    #[test]
    fn uids_from_names() {
        assert_eq!(uid_from_name("Alertmanager (HA) #2"), "alertmanager-ha-2");
    }

    #[test]
    fn loads_a_directory_and_survives_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("datasources")).unwrap();
        std::fs::write(dir.path().join("datasources/a.yaml"), "apiVersion: 1\ndatasources:\n  - name: P\n    type: prometheus\n    url: http://127.0.0.1:1\n").unwrap();
        std::fs::write(dir.path().join("datasources/b.yml"), ": : :\n").unwrap();
        std::fs::write(dir.path().join("datasources/notes.txt"), "ignored").unwrap();
        let (ds, problems) = load_datasources_dir(dir.path(), &no_env);
        assert_eq!(ds.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].file.ends_with("b.yml"));
        let (ds, problems) = load_datasources_dir(&dir.path().join("missing"), &no_env);
        assert!(ds.is_empty() && problems.is_empty());
    }
}
