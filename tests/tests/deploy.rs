//! The Kubernetes manifests and the container file in `deploy/`, checked without a cluster: each
//! parses, carries what a replica needs (probes on liveness and readiness, the shared session key,
//! the drain, resources), its settings are ones the console's own configuration loader accepts,
//! its datasources load, and every name it refers to is defined (here, or by a command the README
//! gives).

mod support;

use serde_yaml::Value;
use std::collections::BTreeMap;

fn manifests() -> BTreeMap<String, Value> {
    let dir = support::repo().join("deploy/kubernetes");
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let doc: Value = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), doc)
        })
        .collect()
}

fn of_kind<'a>(all: &'a BTreeMap<String, Value>, kind: &str) -> &'a Value {
    let found: Vec<&Value> = all.values().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} expected");
    found[0]
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// A list of named entries (env, ports, volumes) by name.
fn by_name(list: &Value) -> BTreeMap<&str, &Value> {
    list.as_sequence()
        .unwrap()
        .iter()
        .map(|e| (text(&e["name"]), e))
        .collect()
}

#[test]
fn every_manifest_is_an_object_the_kustomization_lists() {
    let all = manifests();
    let listed: Vec<&str> = all["kustomization.yaml"]["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    for (file, doc) in &all {
        if file == "kustomization.yaml" {
            continue;
        }
        assert!(
            listed.contains(&file.as_str()),
            "{file} is not in kustomization.yaml"
        );
        for field in ["apiVersion", "kind"] {
            assert!(doc[field].is_string(), "{file} has no {field}");
        }
        assert!(doc["metadata"]["name"].is_string(), "{file} has no name");
    }
    for file in listed {
        assert!(
            all.contains_key(file),
            "kustomization.yaml lists a missing {file}"
        );
    }
}

#[test]
fn the_deployment_runs_three_probed_replicas_that_share_a_session_key() {
    let all = manifests();
    let deploy = of_kind(&all, "Deployment");
    let spec = &deploy["spec"];
    assert_eq!(spec["replicas"], 3);
    let labels = &spec["template"]["metadata"]["labels"];
    assert_eq!(&spec["selector"]["matchLabels"], labels);
    // The Service and the disruption budget select the same pods, and the budget leaves two.
    assert_eq!(&of_kind(&all, "Service")["spec"]["selector"], labels);
    let pdb = &of_kind(&all, "PodDisruptionBudget")["spec"];
    assert_eq!(&pdb["selector"]["matchLabels"], labels);
    assert_eq!(pdb["minAvailable"], 2);

    let pod = &spec["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/api/health");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/api/ready");
    let port = by_name(&c["ports"])["http"];
    let env = by_name(&c["env"]);
    let value = |name: &str| env.get(name).and_then(|e| e["value"].as_str());
    assert_eq!(
        value("OCTOSCOPE_LISTEN"),
        Some(format!("0.0.0.0:{}", port["containerPort"].as_u64().unwrap()).as_str())
    );
    // Every replica signs sessions with the key from one Secret, never a literal.
    let key = &env["OCTOSCOPE_SESSION_KEY"]["valueFrom"]["secretKeyRef"];
    assert_eq!(
        (key["name"].as_str(), key["key"].as_str()),
        (Some("octoscope"), Some("session-key"))
    );
    // Unready first, then stopped: the grace period outlasts the drain.
    let drain: u64 = value("OCTOSCOPE_DRAIN_SECONDS").unwrap().parse().unwrap();
    assert!(pod["terminationGracePeriodSeconds"].as_u64().unwrap() > drain);
    // Requests cover the measured loaded RSS (the bench's goal: ≤ 200 MB), limits above them.
    let mib = |v: &Value| text(v).trim_end_matches("Mi").parse::<u64>().unwrap();
    let res = &c["resources"];
    assert!(mib(&res["requests"]["memory"]) >= 200);
    assert!(mib(&res["limits"]["memory"]) > mib(&res["requests"]["memory"]));

    // The settings are ones the console accepts: its own loader reads them (the Secret's key
    // stands in as a long enough placeholder).
    let users = tempfile::NamedTempFile::new().unwrap();
    let config = octoscope::config::Config::load(None, &|k: &str| match k {
        "OCTOSCOPE_SESSION_KEY" => Some("a-placeholder-for-the-secret-0123456789".into()),
        "OCTOSCOPE_AUTH_USERS_FILE" => Some(users.path().display().to_string()),
        _ => value(k).map(String::from),
    })
    .unwrap_or_else(|e| panic!("the Deployment's settings are refused: {e}"));
    assert_eq!(config.server.drain_seconds, drain);
    for name in env.keys() {
        assert!(name.starts_with("OCTOSCOPE_"), "{name}");
    }

    // Every mount has its volume; every ConfigMap or Secret is defined here or made by a
    // command the README gives.
    let volumes = by_name(&pod["volumes"]);
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let defined: Vec<&str> = all
        .values()
        .filter(|d| d["kind"] == "ConfigMap" || d["kind"] == "PersistentVolumeClaim")
        .map(|d| text(&d["metadata"]["name"]))
        .collect();
    for m in c["volumeMounts"].as_sequence().unwrap() {
        let v = volumes
            .get(text(&m["name"]))
            .unwrap_or_else(|| panic!("no volume {:?}", m["name"]));
        if let Some(name) = v["configMap"]["name"].as_str() {
            assert!(
                defined.contains(&name)
                    || readme.contains(&format!("kubectl create configmap {name} ")),
                "ConfigMap {name} is neither in deploy/kubernetes nor made by a README command"
            );
        }
        if let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str() {
            assert!(defined.contains(&claim), "no claim {claim}");
        }
        if let Some(secret) = v["secret"]["secretName"].as_str() {
            assert!(readme.contains(&format!("kubectl create secret generic {secret} ")));
        }
    }
}

#[test]
fn the_datasources_config_map_loads_as_provisioning() {
    let all = manifests();
    let cm = &all["datasources.yaml"];
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("datasources")).unwrap();
    for (file, body) in cm["data"].as_mapping().unwrap() {
        std::fs::write(dir.path().join("datasources").join(text(file)), text(body)).unwrap();
    }
    let (datasources, problems) =
        app::backend::provisioning::load_datasources_dir(dir.path(), &|_| None);
    assert!(problems.is_empty(), "{problems:?}");
    let kinds: Vec<String> = datasources.iter().map(|d| d.kind.to_string()).collect();
    for kind in ["prometheus", "alertmanager", "loki", "jaeger"] {
        assert!(kinds.iter().any(|k| k == kind), "{kinds:?}");
    }
}

#[test]
fn the_container_serves_the_port_the_manifests_probe() {
    let file =
        std::fs::read_to_string(support::repo().join("deploy/container/Containerfile")).unwrap();
    assert!(file.contains("OCTOSCOPE_LISTEN=0.0.0.0:3000"));
    assert!(file.contains("\nEXPOSE 3000\n"));
    assert!(file.contains(r#"ENTRYPOINT ["/opt/octoscope/bin/octoscope", "serve"]"#));
    // Not root, and the drain the Deployment relies on is the default.
    assert!(file.contains("\nUSER 10001\n"));
    assert!(file.contains("OCTOSCOPE_DRAIN_SECONDS=10"));
}
