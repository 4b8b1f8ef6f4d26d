//! `octoscope.toml` and its `OCTOSCOPE_*` environment overrides.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error(
        "cannot read config file {path}: {source}; pass an existing file to --config or omit it"
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}={value:?} is not valid: {message}")]
    Env {
        name: &'static str,
        value: String,
        message: String,
    },
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerSection,
    pub paths: PathsSection,
    pub auth: AuthSection,
    pub embedding: EmbeddingSection,
    pub dashboards: DashboardsSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardsSection {
    /// Series drawn per panel before "showing N of M series" (`OCTOSCOPE_DASHBOARDS_MAX_SERIES`).
    pub max_series: usize,
    /// Panel queries of one page in flight at once (`OCTOSCOPE_DASHBOARDS_CONCURRENCY`).
    pub concurrency: usize,
}

impl Default for DashboardsSection {
    fn default() -> Self {
        Self {
            max_series: 50,
            concurrency: 16,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// Address to listen on (`OCTOSCOPE_LISTEN`).
    pub listen: SocketAddr,
    /// Built site (JS, wasm, CSS) to serve; defaults to target/site next to the binary.
    pub site_root: Option<PathBuf>,
    /// Log format: "json" (default) or "pretty" (`OCTOSCOPE_LOG_FORMAT`).
    pub log_format: String,
    /// The address users open, e.g. `https://octoscope.example.com` (`OCTOSCOPE_PUBLIC_URL`): its
    /// host is allowed in `Host` headers.
    pub public_url: Option<String>,
    /// More `host[:port]` names the console answers to (`OCTOSCOPE_ALLOWED_HOSTS`,
    /// comma-separated), e.g. the load balancer's and each replica's. With neither this nor
    /// `public_url`, a loopback listener accepts loopback names only; see
    /// [`ServerSection::host_policy`].
    pub allowed_hosts: Vec<String>,
    /// Seconds a client may take to send a request's headers, and a kept-alive connection may
    /// sit idle (`OCTOSCOPE_HEADER_TIMEOUT_SECONDS`).
    pub header_timeout_seconds: u64,
    /// Seconds a client may take between two pieces of a request body.
    pub body_timeout_seconds: u64,
    /// Seconds between a stop signal (SIGTERM) and closing the listener (`OCTOSCOPE_DRAIN_SECONDS`):
    /// `/api/ready` answers 503 meanwhile, so load balancers move traffic away first.
    pub drain_seconds: u64,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            listen: ([127, 0, 0, 1], 3000).into(),
            site_root: None,
            log_format: "json".into(),
            public_url: None,
            allowed_hosts: Vec::new(),
            header_timeout_seconds: 10,
            body_timeout_seconds: 10,
            drain_seconds: 0,
        }
    }
}

/// Which `Host` headers the console answers (DNS rebinding defence): a page on another site
/// whose name was pointed at the console's address still sends its own name as `Host`.
#[derive(Debug, Clone, PartialEq)]
pub enum HostPolicy {
    /// Lowercase `host` (any port) or `host:port` entries.
    Names(Vec<String>),
    /// `localhost` and loopback addresses, any port: a loopback listener with no names set.
    Loopback,
    /// Anything: a non-loopback listener with no names set (the start-up log warns).
    Any,
}

impl ServerSection {
    /// `allowed_hosts` and `public_url`'s host, else the loopback names of a loopback listener.
    pub fn host_policy(&self) -> HostPolicy {
        let mut hosts: Vec<String> = self
            .allowed_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        if let Some(url) = self
            .public_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
        {
            if let Some(host) = url.host_str() {
                hosts.push(host.to_ascii_lowercase());
            }
        }
        if !hosts.is_empty() {
            HostPolicy::Names(hosts)
        } else if self.listen.ip().is_loopback() {
            HostPolicy::Loopback
        } else {
            HostPolicy::Any
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PathsSection {
    /// Grafana-format provisioning directory with `datasources/` (`OCTOSCOPE_PROVISIONING`).
    pub provisioning: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Everyone is the anonymous user with `anonymous_role`.
    #[default]
    Anonymous,
    /// The user comes from a header set by an authenticating proxy (`proxy_header`), trusted
    /// only from `trusted_proxies`.
    Proxy,
    /// Users and argon2 hashes from `users_file`; a login page and a signed session cookie.
    Basic,
}

pub use app::model::auth::Role;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSection {
    /// anonymous | proxy | basic (`OCTOSCOPE_AUTH_MODE`).
    pub mode: AuthMode,
    /// Role of everyone in anonymous mode (`OCTOSCOPE_AUTH_ANONYMOUS_ROLE`).
    pub anonymous_role: Role,
    /// Header carrying the user name in proxy mode (`OCTOSCOPE_AUTH_PROXY_HEADER`).
    pub proxy_header: String,
    /// Optional header carrying the role in proxy mode (e.g. X-WEBAUTH-ROLE).
    pub proxy_role_header: Option<String>,
    /// Addresses (IPs or CIDRs) whose proxy header is believed (`OCTOSCOPE_AUTH_TRUSTED_PROXIES`,
    /// comma-separated).
    pub trusted_proxies: Vec<String>,
    /// Role of proxy users that neither the role header nor the users file names.
    pub default_role: Role,
    /// `name:role:argon2-hash` lines (`OCTOSCOPE_AUTH_USERS_FILE`); required in basic mode.
    pub users_file: Option<PathBuf>,
    /// Key that signs session cookies, at least 32 characters (`OCTOSCOPE_SESSION_KEY`). Give
    /// every replica the same key; without one a random key is used per process.
    pub session_key: Option<String>,
    /// Session lifetime in hours.
    pub session_hours: u64,
    /// A file every replica can read and append to (`OCTOSCOPE_AUTH_REVOCATIONS_FILE`): logouts
    /// and admin revokes recorded there are refused by all of them. Without it a logout ends the
    /// session on this replica only (a password change still ends it everywhere).
    pub revocations_file: Option<PathBuf>,
    /// Password checks run at once (argon2 holds ~19 MiB each); more wait, then get 429.
    pub max_concurrent_logins: usize,
}

impl Default for AuthSection {
    fn default() -> Self {
        Self {
            mode: AuthMode::Anonymous,
            anonymous_role: Role::Viewer,
            proxy_header: "X-WEBAUTH-USER".into(),
            proxy_role_header: None,
            trusted_proxies: vec!["127.0.0.1".into(), "::1".into()],
            default_role: Role::Viewer,
            users_file: None,
            session_key: None,
            session_hours: 12,
            revocations_file: None,
            max_concurrent_logins: 2,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingSection {
    /// Origins allowed to frame the console (`OCTOSCOPE_EMBEDDING_ALLOWED_ORIGINS`, comma-separated).
    pub allowed_origins: Vec<String>,
}

fn parse_enum<T: for<'de> Deserialize<'de>>(
    name: &'static str,
    value: &str,
) -> Result<T, ConfigError> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value))
        .map_err(|e| ConfigError::Env {
            name,
            value: value.into(),
            message: e.to_string(),
        })
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl Config {
    /// Reads `path` (if any), then applies `OCTOSCOPE_*` overrides from `env`.
    pub fn load(
        path: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.into(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.into(),
                    message: e.to_string(),
                })?
            }
            None => Config::default(),
        };
        if let Some(v) = env("OCTOSCOPE_LISTEN") {
            config.server.listen =
                v.parse()
                    .map_err(|e: std::net::AddrParseError| ConfigError::Env {
                        name: "OCTOSCOPE_LISTEN",
                        value: v.clone(),
                        message: format!("{e}; use ip:port such as 127.0.0.1:3000"),
                    })?;
        }
        if let Some(v) = env("OCTOSCOPE_SITE_ROOT") {
            config.server.site_root = Some(v.into());
        }
        if let Some(v) = env("OCTOSCOPE_LOG_FORMAT") {
            config.server.log_format = v;
        }
        if let Some(v) = env("OCTOSCOPE_PROVISIONING") {
            config.paths.provisioning = Some(v.into());
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_MODE") {
            config.auth.mode = parse_enum("OCTOSCOPE_AUTH_MODE", &v)?;
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_ANONYMOUS_ROLE") {
            config.auth.anonymous_role = parse_enum("OCTOSCOPE_AUTH_ANONYMOUS_ROLE", &v)?;
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_PROXY_HEADER") {
            config.auth.proxy_header = v;
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_TRUSTED_PROXIES") {
            config.auth.trusted_proxies = split_list(&v);
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_USERS_FILE") {
            config.auth.users_file = Some(v.into());
        }
        if let Some(v) = env("OCTOSCOPE_SESSION_KEY") {
            config.auth.session_key = Some(v);
        }
        if let Some(v) = env("OCTOSCOPE_AUTH_REVOCATIONS_FILE") {
            config.auth.revocations_file = Some(v.into());
        }
        if let Some(v) = env("OCTOSCOPE_PUBLIC_URL") {
            config.server.public_url = Some(v);
        }
        if let Some(v) = env("OCTOSCOPE_ALLOWED_HOSTS") {
            config.server.allowed_hosts = split_list(&v);
        }
        if let Some(v) = env("OCTOSCOPE_DRAIN_SECONDS") {
            config.server.drain_seconds = v.parse().map_err(|_| ConfigError::Env {
                name: "OCTOSCOPE_DRAIN_SECONDS",
                value: v.clone(),
                message: "use a whole number of seconds (0: close at once)".into(),
            })?;
        }
        if let Some(v) = env("OCTOSCOPE_HEADER_TIMEOUT_SECONDS") {
            config.server.header_timeout_seconds =
                v.parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name: "OCTOSCOPE_HEADER_TIMEOUT_SECONDS",
                        value: v.clone(),
                        message: "use a whole number of seconds above 0".into(),
                    })?;
        }
        if let Some(url) = &config.server.public_url {
            let ok = url::Url::parse(url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !ok {
                return Err(ConfigError::Parse {
                    path: path.map(Into::into).unwrap_or_else(|| "environment".into()),
                    message: format!(
                        "public_url {url:?} must look like https://octoscope.example.com"
                    ),
                });
            }
        }
        for (name, slot) in [
            (
                "OCTOSCOPE_DASHBOARDS_MAX_SERIES",
                &mut config.dashboards.max_series,
            ),
            (
                "OCTOSCOPE_DASHBOARDS_CONCURRENCY",
                &mut config.dashboards.concurrency,
            ),
        ] {
            if let Some(v) = env(name) {
                *slot = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name,
                        value: v.clone(),
                        message: "use a whole number above 0".into(),
                    })?;
            }
        }
        if let Some(v) = env("OCTOSCOPE_EMBEDDING_ALLOWED_ORIGINS") {
            config.embedding.allowed_origins = split_list(&v);
        }
        for origin in &config.embedding.allowed_origins {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin
                    .contains(|c: char| c.is_whitespace() || c == ';' || c == ',' || c == '\'');
            if !ok {
                return Err(ConfigError::Parse {
                    path: path.map(Into::into).unwrap_or_else(|| "environment".into()),
                    message: format!(
                        "embedding origin {origin:?} must look like https://portal.example.com"
                    ),
                });
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("octoscope.toml");
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:4000\"\n[paths]\nprovisioning = \"prov\"\n[embedding]\nallowed_origins = [\"https://portal.example\"]\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), &|_| None).unwrap();
        assert_eq!(c.server.listen.port(), 4000);
        assert_eq!(c.paths.provisioning.as_deref(), Some(Path::new("prov")));
        let env = |k: &str| match k {
            "OCTOSCOPE_LISTEN" => Some("127.0.0.1:5000".to_string()),
            "OCTOSCOPE_AUTH_ANONYMOUS_ROLE" => Some("editor".to_string()),
            _ => None,
        };
        let c = Config::load(Some(&path), &env).unwrap();
        assert_eq!(c.server.listen.port(), 5000);
        assert_eq!(c.auth.anonymous_role, Role::Editor);
    }

    #[test]
    fn bad_input_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.toml");
        std::fs::write(&path, "[server]\nlisten = 3000\n").unwrap();
        let err = Config::load(Some(&path), &|_| None).unwrap_err();
        assert!(err.to_string().contains("o.toml"), "{err}");
        std::fs::write(&path, "[sever]\n").unwrap();
        assert!(
            Config::load(Some(&path), &|_| None).is_err(),
            "unknown sections are typos"
        );
        let err = Config::load(None, &|k| {
            (k == "OCTOSCOPE_LISTEN").then(|| "localhost".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("OCTOSCOPE_LISTEN"));
        let err = Config::load(None, &|k| {
            (k == "OCTOSCOPE_AUTH_MODE").then(|| "ldap".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("ldap"));
        let err = Config::load(None, &|k| {
            (k == "OCTOSCOPE_EMBEDDING_ALLOWED_ORIGINS").then(|| "https://a; script-src *".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("embedding origin"));
        assert!(Config::load(Some(Path::new("/nonexistent/o.toml")), &|_| None).is_err());
        let err = Config::load(None, &|k| {
            (k == "OCTOSCOPE_PUBLIC_URL").then(|| "octoscope.example".into())
        })
        .unwrap_err();
        assert!(err.to_string().contains("public_url"), "{err}");
    }

    #[test]
    fn allowed_hosts_come_from_settings_or_the_loopback_listener() {
        let mut s = ServerSection::default();
        assert_eq!(s.host_policy(), HostPolicy::Loopback);
        s.public_url = Some("https://Octoscope.example.com:8443/".into());
        s.allowed_hosts = vec!["LB:8080".into()];
        assert_eq!(
            s.host_policy(),
            HostPolicy::Names(vec!["lb:8080".into(), "octoscope.example.com".into()])
        );
        let open = ServerSection {
            listen: ([0, 0, 0, 0], 3000).into(),
            ..Default::default()
        };
        assert_eq!(open.host_policy(), HostPolicy::Any);
    }
}
