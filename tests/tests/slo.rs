//! SLOs against the real demo stack: the generated rules are the ones the demo loads and pass
//! `promtool check rules`; an `error_spike` incident pages in the UI and in Prometheus with the
//! same burn rates; broken definitions are listed with their error next to working ones. The
//! SLO's onward trace search and the trace lookup run against the Jaeger stand-in.

mod support;

use app::model::slo::{Slo, SloEntry};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::Console;

#[test]
fn committed_demo_rules_are_freshly_generated_and_pass_promtool() {
    let generated = octoscope::slo_rules::generate(&support::repo().join("provisioning/slos"));
    assert!(generated.problems.is_empty(), "{:?}", generated.problems);
    assert_eq!(generated.count, 4);
    let committed =
        std::fs::read_to_string(support::repo().join("deploy/demo/rules/slos.yml")).unwrap();
    assert!(
        committed == generated.yaml,
        "deploy/demo/rules/slos.yml is stale: run `cargo run -p octoscope -- slo rules --dir provisioning/slos --out deploy/demo/rules`"
    );
    let out = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(support::repo().join("deploy/demo/rules/slos.yml"))
        .output()
        .expect("promtool is installed (Debian package prometheus)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A rule file must not pass because it is empty: count what promtool found.
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SUCCESS: 51 rules found"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

async fn instant(prom: &str, query: &str, time: Option<f64>) -> Vec<Value> {
    let mut q = vec![("query".to_string(), query.to_string())];
    if let Some(t) = time {
        q.push(("time".into(), format!("{t:.3}")));
    }
    let v: Value = reqwest::Client::new()
        .get(format!("{prom}/api/v1/query"))
        .query(&q)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "success", "{query}: {v}");
    v["data"]["result"].as_array().unwrap().clone()
}

fn availability() -> Slo {
    app::backend::slo::load_dir(&support::repo().join("provisioning/slos"))
        .into_iter()
        .find_map(|e| match e {
            SloEntry::Ok(s) if s.name == "api_availability" => Some(*s),
            _ => None,
        })
        .unwrap()
}

async fn list(console: &Console, filter: &str) -> Value {
    let resp = console
        .http
        .post(console.url("/api/list_slos"))
        .form(&[("filter", filter)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

async fn slo_detail(console: &Console, name: &str, from: &str) -> (u16, Value) {
    let resp = console
        .http
        .post(console.url("/api/slo_detail"))
        .form(&[("name", name), ("from", from), ("to", "now")])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn row<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_spike_pages_with_the_same_burn_rates_in_ui_and_rules() {
    let (stack, control) = support::start_demo(11, Some(20.0)).await;
    let prom = stack.prometheus.url();
    let console = Console::start(Some(stack.provisioning_dir())).await;

    // Broken definitions sit next to the working ones, each with its reason.
    std::fs::write(
        stack.provisioning_dir().join("slos/broken.yaml"),
        "slos: [ {name: x",
    )
    .unwrap();
    std::fs::write(
        stack.provisioning_dir().join("slos/bad-values.yaml"),
        r#"slos:
  - name: over-100
    objective: 100.5
    indicator: {errors: 'sum(rate(x[{{.window}}]))', total: 'sum(rate(y[{{.window}}]))'}
  - name: rejected-query
    objective: 99
    window: 7d
    indicator: {errors: 'sum(rate(x[{{.window}}])', total: 'sum(rate(y[{{.window}}]))'}
"#,
    )
    .unwrap();
    let quiet = list(&console, "").await;
    assert_eq!(quiet["total"], 7, "{quiet}");
    assert!(row(&quiet, "broken.yaml")["error"]
        .as_str()
        .unwrap()
        .contains("broken.yaml: not valid YAML"));
    assert!(row(&quiet, "over-100")["error"]
        .as_str()
        .unwrap()
        .contains("objective 100.5 is outside (0, 100)"));
    let rejected = row(&quiet, "rejected-query")["error"].as_str().unwrap();
    assert!(
        rejected.contains("Prometheus refused") && rejected.contains("parse error"),
        "{rejected}"
    );
    // The 30d windows outlive the demo's 15d retention; the 7d one does not.
    assert!(row(&quiet, "api_availability")["retention_note"]
        .as_str()
        .unwrap()
        .contains("Prometheus keeps 15d"));
    assert!(row(&quiet, "task_success_rate")["retention_note"].is_null());
    // The label filter.
    let platform = list(&console, "team=\"knowledge\"").await;
    let names: Vec<&str> = platform["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["retriever-availability"]);
    assert!(list(&console, "team platform").await["filter_error"].is_string());

    // The guide's availability SLO counts every request: a 30% error spike at the orchestrator
    // burns it well past 14.4×.
    support::inject(&control, "error_spike", "orchestrator", "10m").await;

    // The UI pages once both the 1h and 5m windows burn above 14.4×.
    let deadline = Instant::now() + Duration::from_secs(180);
    let paging = loop {
        let l = list(&console, "").await;
        let r = row(&l, "api_availability").clone();
        // The 6h & 30m pair pages at 6× and may come first: wait for the 1h & 5m one.
        if r["status"] == "Page"
            && r["pairs"][0]["long_burn"].as_f64().unwrap_or(0.0) > 14.4
            && r["pairs"][0]["short_burn"].as_f64().unwrap_or(0.0) > 14.4
        {
            break r;
        }
        assert!(Instant::now() < deadline, "never paged: {r}");
        tokio::time::sleep(Duration::from_secs(3)).await;
    };
    assert!(paging["burns"][0][1].as_f64().unwrap() > 14.4, "{paging}");
    assert!(paging["burns"][2][1].as_f64().unwrap() > 14.4, "{paging}");
    assert!(paging["exhaustion_s"].as_f64().unwrap() >= 0.0, "{paging}");

    // Prometheus' recording rule and the UI's query agree at the rule's own evaluation time.
    let slo = availability();
    for (record, window) in [
        ("slo:sli_error:ratio_rate1h", 3_600),
        ("slo:sli_error:ratio_rate5m", 300),
    ] {
        // Rule groups evaluate every 5s in the demo: wait for the first non-zero ratio.
        let deadline = Instant::now() + Duration::from_secs(60);
        let recorded = loop {
            let r = instant(
                &prom,
                &format!("{record}{{slo=\"api_availability\"}} > 0"),
                None,
            )
            .await;
            if r.len() == 1 {
                break r;
            }
            assert!(Instant::now() < deadline, "{record} never recorded: {r:?}");
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        let t = recorded[0]["value"][0].as_f64().unwrap();
        let rule_value: f64 = recorded[0]["value"][1].as_str().unwrap().parse().unwrap();
        // The sample's timestamp is the query's; ask for the rule's own evaluation time.
        let ts = instant(
            &prom,
            &format!("timestamp({record}{{slo=\"api_availability\"}})"),
            Some(t),
        )
        .await;
        let eval_t: f64 = ts[0]["value"][1].as_str().unwrap().parse().unwrap();
        let at_eval = instant(
            &prom,
            &format!("{record}{{slo=\"api_availability\"}}"),
            Some(eval_t),
        )
        .await;
        let rule_at_eval: f64 = at_eval[0]["value"][1].as_str().unwrap().parse().unwrap();
        let ui = instant(&prom, &slo.error_ratio_expr(window), Some(eval_t)).await;
        let ui_value: f64 = ui[0]["value"][1].as_str().unwrap().parse().unwrap();
        assert!(
            // Same expression at the same instant; only a scrape committed after the rule ran
            // (stamped before it) can tell them apart, by a sample or two.
            (ui_value - rule_at_eval).abs() <= 0.02 * ui_value.abs().max(1e-9),
            "{record}: UI {ui_value} vs rule {rule_at_eval} (latest {rule_value})"
        );
    }

    // The generated page alert fires in Prometheus.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let firing = instant(
            &prom,
            "ALERTS{alertname=\"ApiAvailabilityBudgetBurn\", severity=\"page\", alertstate=\"firing\"}",
            None,
        )
        .await;
        if !firing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "ApiAvailabilityBudgetBurn never fired"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    // The detail names the firing alert and links onward for the worst window.
    let (status, detail) = slo_detail(&console, "api_availability", "now-15m").await;
    assert_eq!(status, 200, "{detail}");
    assert!(detail["firing_alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a[0] == "ApiAvailabilityBudgetBurn" && a[1] == "page"));
    assert_eq!(detail["burn_charts"].as_array().unwrap().len(), 4);
    assert!(!detail["burn_charts"][0]["series"][0][1]
        .as_array()
        .unwrap()
        .is_empty());
    // The guide's SLO names no service, so no logs or traces link is guessed for it.
    assert!(detail["links"]["logs"].is_null(), "{detail}");
    assert!(detail["links"]["dashboard"]
        .as_str()
        .unwrap()
        .starts_with("/d/"));
    let (status, missing) = slo_detail(&console, "nope", "").await;
    assert_eq!(status, 404);
    assert!(
        missing.to_string().contains("there is no SLO named"),
        "{missing}"
    );
    // The page of an unknown SLO is a 404 with the same message.
    let page = console.get("/slo/nope").await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("there is no SLO named"));

    // The "Failed traces" link's search: the orchestrator's error traces in the window.
    let search = |tags: &'static str, limit: &'static str| {
        console
            .http
            .post(console.url("/api/search_traces"))
            .json(&json!({"query": {
                "service": "orchestrator", "operation": "", "tags": tags,
                "min_duration": "", "max_duration": "", "limit": limit,
                "from": "now-15m", "to": "now", "datasource": null
            }}))
            .send()
    };
    let found: Value = search("error=true", "5")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hits = found["hits"].as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5, "{found}");
    assert!(
        hits.iter().all(|h| h["errors"].as_u64().unwrap() > 0),
        "{found}"
    );
    let bad = search("error", "5").await.unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("has no value"));
    let bad = search("", "0").await.unwrap();
    assert!(bad.text().await.unwrap().contains("from 1 to 1500"));
    let trace = |id: &'static str| {
        console
            .http
            .post(console.url("/api/get_trace"))
            .form(&[("trace_id", id)])
            .send()
    };
    let id = hits[0]["trace_id"].as_str().unwrap().to_string();
    let one: Value = console
        .http
        .post(console.url("/api/get_trace"))
        .form(&[("trace_id", id.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // A demo trace is small: it opens whole, every span a row.
    assert_eq!(
        one["window"]["rows"].as_array().unwrap().len() as u64,
        one["hit"]["spans"].as_u64().unwrap()
    );
    let missing = trace("00000000000000000000000000000042")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(missing.contains("not found in Jaeger"), "{missing}");
    let bad_id = trace("../api").await.unwrap().text().await.unwrap();
    assert!(bad_id.contains("is not a trace id"), "{bad_id}");
}
