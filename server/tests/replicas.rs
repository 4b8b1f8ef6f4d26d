//! Three console processes behind a real load balancer (Debian's haproxy, started by the
//! harness) sharing one session key: a sign-in, a silence and the CSRF defence hold on whichever
//! replica answers, and a replica killed under load loses no request sent after it died.

use octoscope_harness::balancer::{start_replicas, Replicas};
use octoscope_harness::{start_alertmanagers, Backend, NULL_ALERTMANAGER_CONFIG};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const KEY: &str = "replicas-test-only-session-key-0123456789";

struct Fleet {
    fleet: Replicas,
    alertmanager: Backend,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Fleet {
    /// One Alertmanager, three replicas in basic mode (one key, one revocations file: the
    /// harness shares them) with `more` settings, haproxy.
    fn start(more: &[(&str, &str)]) -> Fleet {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let alertmanager = start_alertmanagers(NULL_ALERTMANAGER_CONFIG, 1)
            .unwrap()
            .remove(0);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("datasources")).unwrap();
        std::fs::write(
            dir.path().join("datasources/am.yaml"),
            format!(
                "apiVersion: 1\ndatasources:\n  - {{name: AM, uid: am, type: alertmanager, url: {}, jsonData: {{implementation: prometheus}}}}\n",
                alertmanager.url()
            ),
        )
        .unwrap();
        let env: Vec<(String, String)> = [
            ("OCTOSCOPE_PROVISIONING", dir.path().display().to_string()),
            ("OCTOSCOPE_AUTH_MODE", "basic".into()),
            (
                "OCTOSCOPE_AUTH_USERS_FILE",
                repo.join("end2end/fixtures/auth/users")
                    .display()
                    .to_string(),
            ),
            ("OCTOSCOPE_LOG", "warn".into()),
            ("OCTOSCOPE_LOG_FORMAT", "pretty".into()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .into_iter()
        .chain(more.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
        let binary = PathBuf::from(env!("CARGO_BIN_EXE_octoscope"));
        let fleet = start_replicas(&binary, 3, octoscope_harness::free_port(), KEY, &env).unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Fleet {
            fleet,
            alertmanager,
            http,
            _dir: dir,
        }
    }

    fn lb(&self) -> &str {
        &self.fleet.balancer.addr
    }

    fn replicas(&self) -> &[Backend] {
        &self.fleet.consoles
    }

    /// Signs `user` in through the balancer: the session cookie (`name=value`) and the replica
    /// that answered.
    async fn sign_in(&self, user: &str, password: &str) -> (String, String) {
        let lb = self.lb();
        let login = self
            .post(
                lb,
                "/login",
                "",
                &format!("http://{lb}"),
                &format!("user={user}&password={password}&next=%2F"),
            )
            .await;
        assert_eq!(login.status(), 303);
        let cookie = set_cookie(&login, octoscope::auth::COOKIE).expect("a session cookie");
        (cookie, served_by(&login))
    }

    /// A form POST to `addr` (the balancer or one replica) as a page of `origin` would send it.
    async fn post(
        &self,
        addr: &str,
        path: &str,
        cookie: &str,
        origin: &str,
        body: &str,
    ) -> reqwest::Response {
        self.http
            .post(format!("http://{addr}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .header("origin", origin)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }
}

/// The `name=value` of the cookie `name` the answer sets.
fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|c| c.split_once('=').is_some_and(|(n, _)| n == name))
        .map(String::from)
}

fn served_by(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("x-served-by")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn start(more: &'static [(&'static str, &'static str)]) -> Fleet {
    tokio::task::spawn_blocking(move || Fleet::start(more))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_a_silence_and_csrf_hold_on_whichever_replica_answers() {
    let fleet = start(&[]).await;
    let lb = fleet.lb().to_string();
    let own = format!("http://{lb}");

    // Sign in through the balancer; the cookie works on every replica, asked directly.
    let (cookie, signed_in_on) = fleet.sign_in("eddie", "editor-pass").await;
    for r in fleet.replicas() {
        let origin = format!("http://{}", r.addr);
        let me: Value = fleet
            .post(&r.addr, "/api/whoami", &cookie, &origin, "")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            me["name"], "eddie",
            "on {} (signed in on {signed_in_on})",
            r.addr
        );
    }

    // Three reads in a row reach three replicas (round robin), each seeing the same user.
    let mut seen = BTreeSet::new();
    for _ in 0..3 {
        let resp = fleet.post(&lb, "/api/whoami", &cookie, &own, "").await;
        seen.insert(served_by(&resp));
        let me: Value = resp.json().await.unwrap();
        assert_eq!(me["name"], "eddie");
    }
    assert_eq!(seen.len(), 3, "{seen:?}");

    // A silence created through one replica is listed by each (each had read Alertmanager
    // just before: the write cookie makes it read again) and expired through another.
    let list_on = |addr: String, cookie: String| {
        let http = fleet.http.clone();
        async move {
            http.post(format!("http://{addr}/api/list_silences"))
                .header("cookie", cookie)
                .json(&serde_json::json!({"query": {}}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    for r in fleet.replicas() {
        let before = list_on(r.addr.clone(), cookie.clone()).await;
        assert!(before["clusters"].is_array(), "{before}");
    }
    let draft = "draft[matchers]=alertname%3D%22Maintenance%22&draft[starts_at]=&draft[duration]=1h&draft[ends_at]=&draft[created_by]=eddie&draft[comment]=replicas&clusters[0]=am";
    let created = fleet
        .post(&lb, "/api/create_silence", &cookie, &own, draft)
        .await;
    let created_on = served_by(&created);
    let written = set_cookie(&created, app::model::alerting::WRITTEN_COOKIE)
        .expect("a write sets the write cookie");
    let out: Value = created.json().await.unwrap();
    let id = out["Created"]["id"]
        .as_str()
        .expect("a silence id")
        .to_string();
    let with_write = format!("{cookie}; {written}");
    for r in fleet.replicas() {
        let list = list_on(r.addr.clone(), with_write.clone()).await;
        assert!(
            list.to_string().contains(&id),
            "{id} not listed by {}: {list}",
            r.addr
        );
    }
    // replicaN is replicas[N - 1]: the next one expires it.
    let n: usize = created_on
        .trim_start_matches("replica")
        .parse()
        .expect("X-Served-By names a replica");
    let other_addr = &fleet.replicas()[n % 3].addr;
    let expired = fleet
        .post(
            other_addr,
            "/api/expire_silence",
            &with_write,
            &format!("http://{other_addr}"),
            &format!("id={id}&instances[0]=am"),
        )
        .await;
    assert_eq!(
        expired.status(),
        200,
        "expired on {other_addr} (created on {created_on})"
    );
    let silence: Value = reqwest::get(format!("{}/api/v2/silence/{id}", fleet.alertmanager.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(silence["status"]["state"], "expired");

    // A page of another site cannot write through any replica.
    let mut refused_by = BTreeSet::new();
    for _ in 0..3 {
        let resp = fleet
            .post(
                &lb,
                "/api/create_silence",
                &cookie,
                "http://evil.example",
                draft,
            )
            .await;
        refused_by.insert(served_by(&resp));
        assert_eq!(resp.status(), 403);
    }
    assert_eq!(refused_by.len(), 3, "{refused_by:?}");

    // Signing out on one replica ends the session on all of them: each re-reads the shared
    // revocations file when it changed, at most once a second.
    let out = fleet.post(&lb, "/logout", &cookie, &own, "").await;
    assert_eq!(out.status(), 303);
    for r in fleet.replicas() {
        let origin = format!("http://{}", r.addr);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let status = fleet
                .post(&r.addr, "/api/whoami", &cookie, &origin, "")
                .await
                .status();
            if status == 401 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} still accepts a signed-out session after 5 s ({status})",
                r.addr
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_under_load_loses_no_request_sent_after_it_died() {
    let mut fleet = start(&[]).await;
    let lb = fleet.lb().to_string();
    let (cookie, _) = fleet.sign_in("vera", "viewer-pass").await;
    let started = Instant::now();
    let killed_at = Duration::from_millis(1_500);
    let run_for = Duration::from_millis(4_000);
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (http, cookie, url) = (
                fleet.http.clone(),
                cookie.clone(),
                format!("http://{lb}/alerting/silences"),
            );
            tokio::spawn(async move {
                // (sent at, answered 200, served by)
                let mut done = Vec::new();
                while started.elapsed() < run_for {
                    let sent = started.elapsed();
                    let answer = match http.get(&url).header("cookie", &cookie).send().await {
                        Ok(r) => {
                            let by = served_by(&r);
                            let ok = r.status() == 200
                                && r.text().await.is_ok_and(|t| t.contains("</html>"));
                            (ok, by)
                        }
                        Err(_) => (false, String::new()),
                    };
                    done.push((sent, answer.0, answer.1));
                }
                done
            })
        })
        .collect();
    tokio::time::sleep(killed_at).await;
    fleet.fleet.consoles[1].stop();
    let kill = started.elapsed();
    let mut answers = Vec::new();
    for c in clients {
        answers.extend(c.await.unwrap());
    }
    let after: Vec<_> = answers.iter().filter(|(sent, _, _)| *sent > kill).collect();
    let lost: Vec<_> = after.iter().filter(|(_, ok, _)| !ok).collect();
    assert!(
        after.len() > 20,
        "too few requests after the kill: {}",
        after.len()
    );
    assert!(
        lost.is_empty(),
        "{} of {} requests sent after the kill failed",
        lost.len(),
        after.len()
    );
    let before: BTreeSet<&str> = answers
        .iter()
        .filter(|(sent, ok, _)| *sent < kill && *ok)
        .map(|(_, _, by)| by.as_str())
        .collect();
    assert_eq!(
        before.len(),
        3,
        "all three served before the kill: {before:?}"
    );
    // The balancer has taken the dead replica out.
    let states = fleet.fleet.balancer.replica_states().unwrap();
    assert!(
        states.iter().any(|(name, up)| name == "replica2" && !up),
        "{states:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_told_to_stop_turns_unready_and_the_balancer_moves_away_while_it_drains() {
    let fleet = start(&[("OCTOSCOPE_DRAIN_SECONDS", "5")]).await;
    let first = fleet.replicas()[0].addr.clone();
    let pid = fleet.replicas()[0].pid().unwrap().to_string();
    let ready = |addr: String| {
        let http = fleet.http.clone();
        async move {
            let r = http
                .get(format!("http://{addr}/api/ready"))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(ready(first.clone()).await.0, 200);
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(term.success());
    // Unready at once, still alive (liveness answers) and still serving what it is sent.
    let deadline = Instant::now() + Duration::from_secs(2);
    let (status, body) = loop {
        let (status, body) = ready(first.clone()).await;
        if status == 503 || Instant::now() > deadline {
            break (status, body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((status, body["status"].as_str()), (503, Some("draining")));
    let alive = fleet
        .http
        .get(format!("http://{first}/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), 200);
    // The balancer sees it and sends everything to the other two.
    let deadline = Instant::now() + Duration::from_secs(4);
    while !fleet
        .fleet
        .balancer
        .replica_states()
        .unwrap()
        .iter()
        .any(|(name, up)| name == "replica1" && !up)
    {
        assert!(
            Instant::now() < deadline,
            "haproxy still sends to the draining replica"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut served = BTreeSet::new();
    for _ in 0..6 {
        let r = fleet
            .http
            .get(format!("http://{}/login", fleet.lb()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        served.insert(served_by(&r));
    }
    assert_eq!(
        served,
        BTreeSet::from(["replica2".to_string(), "replica3".to_string()])
    );
}
