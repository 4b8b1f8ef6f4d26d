//! Who is making a request: anonymous (one configured role), `proxy` (a user header trusted only
//! from configured proxy addresses, as Grafana's auth.proxy) or `basic` (a users file of argon2
//! hashes, a login page and a signed, expiring session cookie: stateless, so any number of
//! replicas sharing the key serve the same user).
//!
//! The middleware puts the [`CurrentUser`] into the request's extensions; server functions and
//! pages read it from there (`app::api::current_user`).

use crate::config::{AuthMode, AuthSection};
use crate::json_error;
use app::model::auth::{CurrentUser, Role};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::{header, HeaderValue, StatusCode};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use thiserror::Error;

pub const COOKIE: &str = "octoscope_session";

#[derive(Debug, Error, PartialEq)]
pub enum AuthConfigError {
    #[error("[auth] mode = \"basic\" needs users_file (OCTOSCOPE_AUTH_USERS_FILE): a file of name:role:argon2-hash lines; `octoscope passwd NAME ROLE` prints one")]
    NoUsersFile,
    #[error("the session key must be at least 32 characters (OCTOSCOPE_SESSION_KEY); generate one with `openssl rand -hex 32`")]
    ShortKey,
    #[error("trusted proxy {0:?} is not an IP address or CIDR such as 10.0.0.0/8")]
    BadProxy(String),
    #[error("proxy header {0:?} is not a valid HTTP header name")]
    BadHeader(String),
}

/// One problem in the users file; the other lines still load.
#[derive(Debug, Clone, PartialEq)]
pub struct UsersFileProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserEntry {
    pub role: Role,
    pub hash: String,
}

/// Parses `name:role:$argon2id$…` lines (`#` comments, blank lines ignored). Bad lines are
/// reported with their number and skipped, so one typo does not lock everyone out.
pub fn parse_users(text: &str) -> (BTreeMap<String, UserEntry>, Vec<UsersFileProblem>) {
    let mut users = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ':');
        let (name, role, hash) = (parts.next(), parts.next(), parts.next());
        let problem = |message: String| UsersFileProblem {
            line: i + 1,
            message,
        };
        let (Some(name), Some(role), Some(hash)) = (name, role, hash) else {
            problems.push(problem(
                "expected name:role:argon2-hash (see `octoscope passwd`)".into(),
            ));
            continue;
        };
        let role = match role {
            "viewer" => Role::Viewer,
            "editor" => Role::Editor,
            "admin" => Role::Admin,
            other => {
                problems.push(problem(format!(
                    "role {other:?} is not viewer, editor or admin"
                )));
                continue;
            }
        };
        if name.is_empty() {
            problems.push(problem("the user name is empty".into()));
            continue;
        }
        if PasswordHash::new(hash).is_err() {
            problems.push(problem(format!(
                "the hash of {name} is not a PHC string such as $argon2id$v=19$…"
            )));
            continue;
        }
        if users.contains_key(name) {
            problems.push(problem(format!(
                "{name} is listed twice; the first line wins"
            )));
            continue;
        }
        users.insert(
            name.to_string(),
            UserEntry {
                role,
                hash: hash.to_string(),
            },
        );
    }
    (users, problems)
}

/// An IP network: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // IPv4 peers may arrive as IPv4-mapped IPv6 on a dual-stack socket.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Signs and checks session cookies: `v1.<name, base64url>.<expiry, unix s>.<HMAC-SHA256, base64url>`.
/// The role is not in the cookie: it is looked up in the users file on every request, so a
/// demoted or removed user loses access at once.
pub struct SessionKey(Vec<u8>);

impl SessionKey {
    pub fn new(key: &[u8]) -> Result<Self, AuthConfigError> {
        if key.len() < 32 {
            return Err(AuthConfigError::ShortKey);
        }
        Ok(Self(key.to_vec()))
    }

    /// A random key, for a single replica that was given none (sessions end on restart).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("the OS has a random source");
        Self(key.to_vec())
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key size");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn sign(&self, name: &str, expires_unix: u64) -> String {
        let payload = format!("v1.{}.{expires_unix}", B64.encode(name));
        let tag = B64.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// The user name of a valid, unexpired cookie value.
    pub fn verify(&self, value: &str, now_unix: u64) -> Option<String> {
        let (payload, tag) = value.rsplit_once('.')?;
        let tag = B64.decode(tag).ok()?;
        // Constant-time comparison.
        self.mac(payload).verify_slice(&tag).ok()?;
        let mut parts = payload.split('.');
        if parts.next()? != "v1" {
            return None;
        }
        let name = String::from_utf8(B64.decode(parts.next()?).ok()?).ok()?;
        let expires: u64 = parts.next()?.parse().ok()?;
        (parts.next().is_none() && now_unix < expires).then_some(name)
    }
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Checks a password against a PHC hash (argon2id). Slow on purpose (~tens of ms).
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A PHC argon2id hash of `password` with a random salt (for `octoscope passwd`).
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).expect("the OS has a random source");
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// The configured authentication, shared by the middleware and the login handlers.
pub struct Auth {
    pub mode: AuthMode,
    anonymous_role: Role,
    proxy_header: http::HeaderName,
    proxy_role_header: Option<http::HeaderName>,
    trusted_proxies: Vec<Cidr>,
    default_role: Role,
    users_file: Option<std::path::PathBuf>,
    users: RwLock<Arc<BTreeMap<String, UserEntry>>>,
    key: SessionKey,
    session_ttl: Duration,
    /// Framing origins are configured: the cookie must be SameSite=None to work inside the portal.
    embedded: bool,
}

impl Auth {
    pub fn new(cfg: &AuthSection, embedded: bool) -> Result<Self, AuthConfigError> {
        let header = |h: &str| {
            http::HeaderName::try_from(h).map_err(|_| AuthConfigError::BadHeader(h.to_string()))
        };
        let trusted_proxies = cfg
            .trusted_proxies
            .iter()
            .map(|p| Cidr::parse(p).ok_or_else(|| AuthConfigError::BadProxy(p.clone())))
            .collect::<Result<_, _>>()?;
        if cfg.mode == AuthMode::Basic && cfg.users_file.is_none() {
            return Err(AuthConfigError::NoUsersFile);
        }
        let key = match &cfg.session_key {
            Some(k) => SessionKey::new(k.as_bytes())?,
            None => {
                if cfg.mode == AuthMode::Basic {
                    tracing::warn!("no session key configured: a random one is used, so sessions end when this process restarts and other replicas will not accept them; set OCTOSCOPE_SESSION_KEY");
                }
                SessionKey::random()
            }
        };
        let auth = Self {
            mode: cfg.mode,
            anonymous_role: cfg.anonymous_role,
            proxy_header: header(&cfg.proxy_header)?,
            proxy_role_header: cfg.proxy_role_header.as_deref().map(header).transpose()?,
            trusted_proxies,
            default_role: cfg.default_role,
            users_file: cfg.users_file.clone(),
            users: RwLock::new(Arc::new(BTreeMap::new())),
            key,
            session_ttl: Duration::from_secs(cfg.session_hours.max(1) * 3600),
            embedded,
        };
        auth.reload_users();
        Ok(auth)
    }

    /// (Re)reads the users file; problems are logged with their line. A missing or unreadable
    /// file keeps the users already loaded.
    pub fn reload_users(&self) {
        let Some(path) = &self.users_file else { return };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let (users, problems) = parse_users(&text);
                for p in &problems {
                    tracing::error!(file = %path.display(), line = p.line, "users file: {}", p.message);
                }
                tracing::info!(file = %path.display(), users = users.len(), "users loaded");
                *self.users.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(users);
            }
            Err(e) => {
                tracing::error!(file = %path.display(), "cannot read the users file: {e}; keeping the users already loaded")
            }
        }
    }

    fn users(&self) -> Arc<BTreeMap<String, UserEntry>> {
        self.users.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Verifies a name and password against the users file (argon2 runs off the async threads).
    pub async fn check_password(&self, name: &str, password: &str) -> Option<Role> {
        let entry = self.users().get(name).cloned()?;
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || password_matches(&entry.hash, &password))
            .await
            .unwrap_or(false);
        ok.then_some(entry.role)
    }

    pub fn session_cookie(&self, name: &str, https: bool) -> HeaderValue {
        let value = self.key.sign(name, now_unix() + self.session_ttl.as_secs());
        let same_site = if self.embedded && https {
            "SameSite=None; Secure"
        } else if https {
            "SameSite=Lax; Secure"
        } else {
            "SameSite=Lax"
        };
        HeaderValue::from_str(&format!(
            "{COOKIE}={value}; Path=/; HttpOnly; {same_site}; Max-Age={}",
            self.session_ttl.as_secs()
        ))
        .expect("cookie value is base64url and digits")
    }

    pub fn clear_cookie() -> HeaderValue {
        HeaderValue::from_str(&format!(
            "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        ))
        .expect("static cookie")
    }

    /// The user a request is made by, or why it is not signed in.
    pub fn identify(
        &self,
        headers: &http::HeaderMap,
        peer: Option<IpAddr>,
    ) -> Result<CurrentUser, String> {
        match self.mode {
            AuthMode::Anonymous => Ok(CurrentUser {
                name: "anonymous".into(),
                role: self.anonymous_role,
                can_sign_out: false,
            }),
            AuthMode::Proxy => {
                let Some(name) = headers
                    .get(&self.proxy_header)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                else {
                    return Err(format!(
                        "not signed in: the console expects the authenticating proxy to send {}; open it through the portal",
                        self.proxy_header
                    ));
                };
                let trusted =
                    peer.is_some_and(|ip| self.trusted_proxies.iter().any(|c| c.contains(ip)));
                if !trusted {
                    return Err(format!(
                        "{} is trusted only from the configured proxies (trusted_proxies); this request came from {}",
                        self.proxy_header,
                        peer.map(|p| p.to_string()).unwrap_or_else(|| "an unknown address".into())
                    ));
                }
                let from_header = self
                    .proxy_role_header
                    .as_ref()
                    .and_then(|h| headers.get(h))
                    .and_then(|v| v.to_str().ok())
                    .and_then(|r| match r.trim().to_ascii_lowercase().as_str() {
                        "viewer" => Some(Role::Viewer),
                        "editor" => Some(Role::Editor),
                        "admin" => Some(Role::Admin),
                        _ => None,
                    });
                let role = from_header
                    .or_else(|| self.users().get(name).map(|u| u.role))
                    .unwrap_or(self.default_role);
                Ok(CurrentUser {
                    name: name.to_string(),
                    role,
                    can_sign_out: false,
                })
            }
            AuthMode::Basic => {
                let cookie = headers
                    .get_all(header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(';'))
                    .filter_map(|c| c.trim().split_once('='))
                    .find(|(k, _)| *k == COOKIE)
                    .map(|(_, v)| v);
                let Some(cookie) = cookie else {
                    return Err("not signed in: sign in at /login".into());
                };
                let Some(name) = self.key.verify(cookie, now_unix()) else {
                    return Err(
                        "your session expired or is not valid here; sign in again at /login".into(),
                    );
                };
                match self.users().get(&name) {
                    Some(u) => Ok(CurrentUser {
                        name,
                        role: u.role,
                        can_sign_out: true,
                    }),
                    None => Err(format!(
                        "{name} is no longer in the users file; ask an admin"
                    )),
                }
            }
        }
    }
}

/// Paths anyone may load: the login page and form, the static bundle, liveness and metrics.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/logout" | "/favicon.svg" | "/api/health" | "/metrics"
    ) || path.starts_with("/pkg/")
}

/// Establishes the user of every request; unauthenticated page loads go to the login page
/// (basic mode), everything else gets 401 with the reason.
pub async fn authenticate(State(auth): State<Arc<Auth>>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    match auth.identify(req.headers(), peer) {
        Ok(user) => {
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        Err(_) if is_public(req.uri().path()) => next.run(req).await,
        Err(why) => {
            let wants_html = req.method() == http::Method::GET
                && req
                    .headers()
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|a| a.contains("text/html"));
            if auth.mode == AuthMode::Basic && wants_html {
                let next_path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let to = format!("/login?next={}", urlencode(next_path));
                return Redirect::to(&to).into_response();
            }
            tracing::info!(path = %req.uri().path(), "unauthenticated: {why}");
            json_error(StatusCode::UNAUTHORIZED, why)
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Only same-site paths may be a post-login destination (no `//evil`, no `/\evil`, no scheme).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n'])
                && !n.starts_with("/login") =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

/// `POST /login`: checks the password, sets the session cookie and goes to `next`; a failure
/// returns to the form with the name kept (never the password).
pub async fn login(
    State(auth): State<Arc<Auth>>,
    headers: http::HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    if auth.mode != AuthMode::Basic {
        return json_error(
            StatusCode::NOT_FOUND,
            "sign-in is only used with [auth] mode = \"basic\"".into(),
        );
    }
    match auth.check_password(&form.user, &form.password).await {
        Some(_) => {
            let https = headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https"));
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut()
                .insert(header::SET_COOKIE, auth.session_cookie(&form.user, https));
            tracing::info!(user = %form.user, "signed in");
            resp
        }
        None => {
            tracing::warn!(user = %form.user, "sign-in refused");
            Redirect::to(&format!(
                "/login?error=1&user={}&next={}",
                urlencode(&form.user),
                urlencode(&next)
            ))
            .into_response()
        }
    }
}

/// `POST /logout`: forgets the session cookie.
pub async fn logout() -> Response {
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, Auth::clear_cookie());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Qdw0p8S0W6G6iU8oTdU2u7t0fj/7cY1l5mJ8yNqz2kE";

    #[test]
    fn sessions_verify_only_when_signed_with_the_key_and_unexpired() {
        let key = SessionKey::new(&[7u8; 32]).unwrap();
        let cookie = key.sign("alice", 1_000);
        assert_eq!(key.verify(&cookie, 999).as_deref(), Some("alice"));
        assert_eq!(key.verify(&cookie, 1_000), None, "expired");
        // Another replica with the same key accepts it; another key does not.
        assert!(SessionKey::new(&[7u8; 32])
            .unwrap()
            .verify(&cookie, 1)
            .is_some());
        assert!(SessionKey::new(&[8u8; 32])
            .unwrap()
            .verify(&cookie, 1)
            .is_none());
        // Tampering with the name or the expiry breaks the signature.
        let forged = cookie.replacen(&B64.encode("alice"), &B64.encode("admin"), 1);
        assert_eq!(key.verify(&forged, 1), None);
        let later = cookie.replacen(".1000.", ".9999999999.", 1);
        assert_eq!(key.verify(&later, 1), None);
        assert_eq!(key.verify("garbage", 1), None);
        assert_eq!(key.verify("", 1), None);
        assert!(matches!(
            SessionKey::new(b"short"),
            Err(AuthConfigError::ShortKey)
        ));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse"));
        assert!(!password_matches(&hash, "wrong"));
        assert!(!password_matches("not a hash", "x"));
    }

    #[test]
    fn users_file_reports_bad_lines_and_keeps_good_ones() {
        let text = format!(
            "# team\nalice:editor:{HASH}\n\nbob:owner:{HASH}\ncarol\ndave:viewer:plain\nalice:admin:{HASH}\nerin:admin:{HASH}\n"
        );
        let (users, problems) = parse_users(&text);
        assert_eq!(users.keys().collect::<Vec<_>>(), ["alice", "erin"]);
        assert_eq!(users["alice"].role, Role::Editor);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 5, 6, 7]);
        assert!(problems[0].message.contains("owner"));
        assert!(problems[3].message.contains("twice"));
    }

    #[test]
    fn cidrs_match_their_networks() {
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(c.contains("10.1.200.3".parse().unwrap()));
        assert!(!c.contains("10.2.0.1".parse().unwrap()));
        assert!(
            c.contains("::ffff:10.1.0.9".parse().unwrap()),
            "IPv4-mapped"
        );
        let one = Cidr::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(Cidr::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        assert!(Cidr::parse("localhost").is_none());
    }

    #[test]
    fn proxy_header_counts_only_from_trusted_addresses() {
        let cfg = AuthSection {
            mode: AuthMode::Proxy,
            trusted_proxies: vec!["10.0.0.5".into()],
            proxy_role_header: Some("X-WEBAUTH-ROLE".into()),
            ..AuthSection::default()
        };
        let auth = Auth::new(&cfg, false).unwrap();
        let mut h = http::HeaderMap::new();
        h.insert("x-webauth-user", "alice".parse().unwrap());
        let from_proxy = Some("10.0.0.5".parse().unwrap());
        let user = auth.identify(&h, from_proxy).unwrap();
        assert_eq!((user.name.as_str(), user.role), ("alice", Role::Viewer));
        h.insert("x-webauth-role", "Editor".parse().unwrap());
        assert_eq!(auth.identify(&h, from_proxy).unwrap().role, Role::Editor);
        let err = auth
            .identify(&h, Some("10.0.0.6".parse().unwrap()))
            .unwrap_err();
        assert!(err.contains("trusted only from"), "{err}");
        assert!(auth.identify(&http::HeaderMap::new(), from_proxy).is_err());
    }

    #[test]
    fn basic_mode_needs_a_users_file_and_a_long_key() {
        let cfg = AuthSection {
            mode: AuthMode::Basic,
            ..AuthSection::default()
        };
        assert_eq!(
            Auth::new(&cfg, false).err(),
            Some(AuthConfigError::NoUsersFile)
        );
        let cfg = AuthSection {
            mode: AuthMode::Basic,
            users_file: Some("/nonexistent".into()),
            session_key: Some("short".into()),
            ..AuthSection::default()
        };
        assert_eq!(
            Auth::new(&cfg, false).err(),
            Some(AuthConfigError::ShortKey)
        );
    }

    #[test]
    fn cookies_follow_the_embedding_and_https_rules() {
        let cfg = AuthSection {
            mode: AuthMode::Basic,
            users_file: Some("/nonexistent".into()),
            ..AuthSection::default()
        };
        let plain = Auth::new(&cfg, false).unwrap();
        let c = plain.session_cookie("a", false);
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"),
            "{c}"
        );
        let framed = Auth::new(&cfg, true).unwrap();
        assert!(framed
            .session_cookie("a", true)
            .to_str()
            .unwrap()
            .contains("SameSite=None; Secure"));
        assert!(framed
            .session_cookie("a", false)
            .to_str()
            .unwrap()
            .contains("SameSite=Lax"));
    }

    #[test]
    fn only_same_site_paths_are_login_destinations() {
        assert_eq!(
            safe_next(Some("/alerting/silences?x=1")),
            "/alerting/silences?x=1"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/login?next=/x",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
