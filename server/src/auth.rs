//! Who is making a request: anonymous (one configured role), `proxy` (a user header trusted only
//! from configured proxy addresses, as Grafana's auth.proxy) or `basic` (a users file of argon2
//! hashes, a login page and a signed, expiring session cookie: stateless, so any number of
//! replicas sharing the key serve the same user).
//!
//! The middleware puts the [`CurrentUser`] into the request's extensions; server functions and
//! pages read it from there (`app::api::current_user`).

mod revocation;
mod session;
mod throttle;

pub use revocation::{RevocationList, Revocations};
pub use session::{Session, SessionKey};
pub use throttle::{LoginThrottle, ThrottlePolicy};

use crate::config::{AuthMode, AuthSection};
use crate::json_error;
use app::model::auth::{CurrentUser, Role};
use argon2::{Argon2, PasswordHash};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{header, HeaderValue, StatusCode};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, RwLock};
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

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Checks a password against a PHC hash (argon2id). Slow on purpose (~tens of ms).
pub fn password_matches(hash: &str, password: &str) -> bool {
    password_matches_in(hash, password, &mut Vec::new())
}

/// [`password_matches`] with the caller's argon2 working memory (~19 MiB for the default cost),
/// grown when a hash needs more and kept for the next check, so a checking thread allocates it
/// once instead of once per sign-in.
pub fn password_matches_in(hash: &str, password: &str, blocks: &mut Vec<argon2::Block>) -> bool {
    use argon2::password_hash::Output;
    use argon2::{Algorithm, Params, Version};
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let need = params.block_count();
    if blocks.len() < need {
        blocks.resize(need, argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut out,
        &mut blocks[..need],
    );
    // Output's equality is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
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

/// Runs argon2 checks on a fixed set of long-lived threads, each with its own working memory
/// (~19 MiB) allocated once: a burst of sign-ins can hold at most `n` of them. (Allocating per
/// check on the blocking pool let the allocator keep a copy per pool thread: 270 MiB for a burst
/// with only two checks at a time.)
struct PasswordChecker {
    jobs: std::sync::mpsc::SyncSender<PasswordJob>,
}

type PasswordJob = (String, String, tokio::sync::oneshot::Sender<bool>);

impl PasswordChecker {
    fn new(threads: usize) -> Self {
        let (jobs, queue) = std::sync::mpsc::sync_channel::<PasswordJob>(threads);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || loop {
                    // Ends when the Auth (and so the sender) is dropped.
                    let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok((hash, password, done)) = job else {
                        return;
                    };
                    let _ = done.send(password_matches(&hash, &password));
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password-check thread: {e}");
            }
        }
        Self { jobs }
    }

    /// Whether `password` matches `hash`; callers hold one of as many permits as there are
    /// threads, so the queue never fills.
    async fn check(&self, hash: String, password: String) -> bool {
        let (done, answer) = tokio::sync::oneshot::channel();
        if self.jobs.try_send((hash, password, done)).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
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
    throttle: Mutex<LoginThrottle>,
    /// Bounds the argon2 checks running or queued at once (each holds ~19 MiB).
    password_checks: Arc<tokio::sync::Semaphore>,
    checker: PasswordChecker,
    /// Checked when the user name is unknown, so unknown and known names cost the same time.
    decoy_hash: String,
    revocations: Revocations,
}

/// Why a sign-in did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginRefusal {
    /// Wrong name or password.
    Wrong,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    /// Too many password checks running: try again in a few seconds.
    Busy,
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
            throttle: Mutex::new(LoginThrottle::default()),
            password_checks: Arc::new(tokio::sync::Semaphore::new(
                cfg.max_concurrent_logins.max(1),
            )),
            checker: PasswordChecker::new(cfg.max_concurrent_logins.max(1)),
            decoy_hash: if cfg.mode == AuthMode::Basic {
                hash_password("decoy: never a real password")
            } else {
                String::new()
            },
            revocations: Revocations::new(cfg.revocations_file.clone()),
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

    /// Whether a peer is one of the trusted proxies (its forwarded headers are believed).
    pub fn is_trusted_proxy(&self, peer: Option<IpAddr>) -> bool {
        peer.is_some_and(|ip| self.trusted_proxies.iter().any(|c| c.contains(ip)))
    }

    /// Verifies a name and password against the users file, for a client at `client`: refused
    /// while that name or address must wait after repeated failures, and at most
    /// `max_concurrent_logins` argon2 checks at once (off the async threads). An unknown name
    /// costs one check too, so timing does not tell which names exist.
    pub async fn check_password(
        &self,
        name: &str,
        password: &str,
        client: &str,
    ) -> Result<(Role, String), LoginRefusal> {
        let keys = [format!("user:{name}"), format!("addr:{client}")];
        let now = (now_unix() * 1000) as i64;
        if let Err(wait) = self
            .throttle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .check(&keys, now)
        {
            return Err(LoginRefusal::Throttled(wait));
        }
        let Ok(Ok(_permit)) = tokio::time::timeout(
            Duration::from_secs(5),
            self.password_checks.clone().acquire_owned(),
        )
        .await
        else {
            return Err(LoginRefusal::Busy);
        };
        let entry = self.users().get(name).cloned();
        let hash = entry
            .as_ref()
            .map(|e| e.hash.clone())
            .unwrap_or_else(|| self.decoy_hash.clone());
        let ok = self.checker.check(hash, password.to_string()).await;
        let mut throttle = self.throttle.lock().unwrap_or_else(|e| e.into_inner());
        match entry.filter(|_| ok) {
            Some(e) => {
                throttle.succeeded(&keys);
                Ok((e.role, e.hash))
            }
            None => {
                throttle.failed(&keys, (now_unix() * 1000) as i64);
                Err(LoginRefusal::Wrong)
            }
        }
    }

    /// The session a request's cookie holds, if it is signed with this key and unexpired.
    pub fn session_of(&self, headers: &http::HeaderMap) -> Option<Session> {
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .map(|(_, v)| v)?;
        self.key.verify(cookie, now_unix())
    }

    /// Ends one session on every replica that shares the revocations file (logout).
    pub fn revoke_session(&self, session: &Session) {
        self.revocations
            .revoke_token(&session.id, session.expires_unix);
    }

    /// Ends every session of `name` signed before now (an admin's revoke).
    pub fn revoke_user(&self, name: &str) {
        self.revocations.revoke_user(name, now_unix());
    }

    pub fn session_cookie(&self, name: &str, password_hash: &str, https: bool) -> HeaderValue {
        let now = now_unix();
        let value = self
            .key
            .sign(name, password_hash, now, now + self.session_ttl.as_secs());
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
                name: app::model::auth::ANONYMOUS.into(),
                role: self.anonymous_role,
                can_sign_out: false,
            }),
            AuthMode::Proxy => {
                // A header sent twice could be one from the proxy and one from the client.
                for h in std::iter::once(&self.proxy_header).chain(self.proxy_role_header.as_ref())
                {
                    if headers.get_all(h).iter().count() > 1 {
                        return Err(format!(
                            "{h} was sent more than once; the authenticating proxy must send exactly one (and strip the client's)"
                        ));
                    }
                }
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
                if !self.is_trusted_proxy(peer) {
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
                let has_cookie = headers
                    .get_all(header::COOKIE)
                    .iter()
                    .any(|v| v.to_str().is_ok_and(|v| v.contains(COOKIE)));
                if !has_cookie {
                    return Err("not signed in: sign in at /login".into());
                }
                let Some(session) = self.session_of(headers) else {
                    return Err(
                        "your session expired or is not valid here; sign in again at /login".into(),
                    );
                };
                let Some(user) = self.users().get(&session.name).cloned() else {
                    return Err(format!(
                        "{} is no longer in the users file; ask an admin",
                        session.name
                    ));
                };
                if self.key.stamp(&user.hash) != session.stamp {
                    return Err(
                        "your password was changed since you signed in; sign in again at /login"
                            .into(),
                    );
                }
                if self
                    .revocations
                    .is_revoked(&session.name, &session.id, session.issued_unix)
                {
                    return Err("this session was signed out; sign in again at /login".into());
                }
                Ok(CurrentUser {
                    name: session.name,
                    role: user.role,
                    can_sign_out: true,
                })
            }
        }
    }
}

/// Paths anyone may load: the login page and form, the static bundle, liveness, readiness and
/// metrics.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/logout" | "/favicon.svg" | "/api/health" | "/api/ready" | "/metrics"
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
/// Browsers drop tabs and newlines from URLs and read `\` as `/`, so a path holding any control
/// character or backslash is refused whole (`/\t/evil` would become `//evil`). Inner spaces are
/// harmless (they stay in the path).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains(|c: char| c.is_control() || c == '\\')
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

/// The client address a sign-in is counted against: the peer, or the address a trusted proxy
/// forwarded (the last `X-Forwarded-For` hop, the one the proxy itself added).
fn client_address(auth: &Auth, headers: &http::HeaderMap, peer: Option<IpAddr>) -> String {
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|v| v.parse::<IpAddr>().ok());
    match (auth.is_trusted_proxy(peer), forwarded) {
        (true, Some(ip)) => ip.to_string(),
        _ => peer
            .map(|p| p.to_string())
            .unwrap_or_else(|| "unknown".into()),
    }
}

/// Whether the user reached the console over HTTPS: only a trusted proxy may say so.
fn forwarded_https(auth: &Auth, headers: &http::HeaderMap, peer: Option<IpAddr>) -> bool {
    auth.is_trusted_proxy(peer)
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// 429 with `Retry-After`, as a small page the login form's user can read.
fn too_many(seconds: u64, why: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Try again later · Octoscope</title></head><body><main><h1>Try again in {seconds} s</h1><p data-testid=\"login-throttled\">{why}</p><p><a href=\"/login\">Back to sign-in</a></p></main></body></html>"
    );
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    resp
}

/// `POST /login`: checks the password, sets the session cookie and goes to `next`; a failure
/// returns to the form with the name kept (never the password). Repeated failures for a name or
/// from an address wait longer each time (429 with `Retry-After`).
pub async fn login(
    State(auth): State<Arc<Auth>>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
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
    let peer = peer.map(|axum::Extension(ConnectInfo(a))| a.ip());
    let client = client_address(&auth, &headers, peer);
    match auth
        .check_password(&form.user, &form.password, &client)
        .await
    {
        Ok((_, hash)) => {
            let https = forwarded_https(&auth, &headers, peer);
            let mut resp = Redirect::to(&next).into_response();
            resp.headers_mut().insert(
                header::SET_COOKIE,
                auth.session_cookie(&form.user, &hash, https),
            );
            tracing::info!(user = %form.user, %client, "signed in");
            resp
        }
        Err(LoginRefusal::Throttled(wait)) => {
            tracing::warn!(user = %form.user, %client, wait_s = wait, "sign-in throttled after repeated failures");
            too_many(
                wait,
                "Too many failed sign-ins for this name or from this address. Wait, then try again.",
            )
        }
        Err(LoginRefusal::Busy) => {
            tracing::warn!(user = %form.user, %client, "sign-in refused: too many password checks at once");
            too_many(
                5,
                "The console is checking many sign-ins at once. Try again in a few seconds.",
            )
        }
        Err(LoginRefusal::Wrong) => {
            tracing::warn!(user = %form.user, %client, "sign-in refused");
            Redirect::to(&format!(
                "/login?error=1&user={}&next={}",
                urlencode(&form.user),
                urlencode(&next)
            ))
            .into_response()
        }
    }
}

/// `POST /logout`: ends the session on the server (it stays refused if replayed) and forgets
/// the cookie.
pub async fn logout(State(auth): State<Arc<Auth>>, headers: http::HeaderMap) -> Response {
    if let Some(session) = auth.session_of(&headers) {
        auth.revoke_session(&session);
        tracing::info!(user = %session.name, "signed out");
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, Auth::clear_cookie());
    resp
}

#[derive(serde::Deserialize)]
pub struct RevokeRequest {
    pub user: String,
}

/// `POST /api/admin/revoke` `{"user": NAME}` (admins): ends every session of that user.
pub async fn revoke(
    State(auth): State<Arc<Auth>>,
    user: Option<axum::Extension<CurrentUser>>,
    axum::Json(req): axum::Json<RevokeRequest>,
) -> Response {
    match user {
        Some(axum::Extension(u)) if u.role >= Role::Admin => {
            auth.revoke_user(&req.user);
            tracing::warn!(admin = %u.name, user = %req.user, "sessions revoked");
            axum::Json(serde_json::json!({ "revoked": req.user })).into_response()
        }
        _ => json_error(
            StatusCode::FORBIDDEN,
            "revoking sessions needs the admin role".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$Qdw0p8S0W6G6iU8oTdU2u7t0fj/7cY1l5mJ8yNqz2kE";

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
        let c = plain.session_cookie("a", "$h", false);
        let c = c.to_str().unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"),
            "{c}"
        );
        let framed = Auth::new(&cfg, true).unwrap();
        assert!(framed
            .session_cookie("a", "$h", true)
            .to_str()
            .unwrap()
            .contains("SameSite=None; Secure"));
        assert!(framed
            .session_cookie("a", "$h", false)
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
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\\..\\evil",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
        // An inner space stays in the path (the login page hands `next` back decoded).
        assert_eq!(
            safe_next(Some("/x?comment=signed in")),
            "/x?comment=signed in"
        );
    }
}
