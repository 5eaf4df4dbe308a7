//! `rampart detect` and `rampart rules check` over the corpus: Falco's pinned k8s-audit rules on
//! a real audit event, Falco and Sigma CloudTrail rules in one alert stream, the contract's JSON
//! shapes, and exit codes.

mod common;

use common::*;

const ALERT_KEYS: [&str; 8] = [
    "hostname",
    "output",
    "output_fields",
    "priority",
    "rule",
    "source",
    "tags",
    "time",
];

fn alerts(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn k8s_audit_privileged_pod_alert_in_falco_shape() {
    let Some(t) = corpus("falco-legacy-regression-tests") else {
        return;
    };
    let rules = t.join("rules-used-by-these-tests/k8s_audit_rules.k8saudit-0.6.0.yaml");
    let trace = t.join("test/trace_files/k8s_audit/create_nginx_pod_privileged.json");
    let (code, out, err) = run(&[
        "detect",
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "json",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = alerts(&out);
    assert_eq!(a.len(), 1, "{out}");
    let mut keys: Vec<&str> = a[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ALERT_KEYS);
    assert_eq!(a[0]["rule"], "Create Privileged Pod");
    assert_eq!(a[0]["priority"], "Warning");
    assert_eq!(a[0]["source"], "k8s_audit");
    assert_eq!(a[0]["time"], "2018-10-25T14:09:12.581541000Z");
    assert_eq!(
        a[0]["output_fields"]["ka.resp.name"],
        "nginx-deployment-5cdcc99dbf-rgw6z"
    );
    // The same event on stdin, text format.
    let out = rampart()
        .args(["detect", "--rules", rules.to_str().unwrap()])
        .stdin(std::fs::File::open(&trace).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "2018-10-25T14:09:12.581541000+0000: Warning Pod started with privileged container"
        ),
        "{text}"
    );
}

#[test]
fn cloudtrail_with_falco_and_sigma_rules_in_one_stream() {
    let (Some(plugin), Some(sigma), Some(legacy), Some(otrf)) = (
        corpus("falco-plugin-rules"),
        corpus("sigma-rules/rules/cloud/aws"),
        corpus("falco-legacy-regression-tests"),
        corpus("otrf-security-datasets/aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json"),
    ) else {
        return;
    };
    // Falco's CloudTrail rules (upstream, and the pinned test rule) and SigmaHQ's AWS rules,
    // over Falco's RunInstances trace and a recorded S3 exfiltration session.
    let trace = legacy.join("test/trace_files/plugins/alice_start_instances.json");
    let test_rule = legacy.join("test/rules/plugins/cloudtrail_create_instances.yaml");
    let (code, out, err) = run(&[
        "detect",
        "--rules",
        plugin.join("aws_cloudtrail_rules.yaml").to_str().unwrap(),
        test_rule.to_str().unwrap(),
        sigma.to_str().unwrap(),
        "--format",
        "json",
        "--input-format",
        "cloudtrail",
        trace.to_str().unwrap(),
        otrf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = alerts(&out);
    let mut rules: Vec<&str> = a.iter().map(|x| x["rule"].as_str().unwrap()).collect();
    rules.dedup();
    assert_eq!(
        rules,
        ["Cloudtrail Create Instance", "AWS STS AssumeRole Misuse"]
    );
    assert_eq!(a.len(), 12, "{rules:?}");
    assert_eq!(
        a[1]["output_fields"]["sigma.id"],
        "905d389b-b853-46d0-9d3d-dea0d3a3cd49"
    );
    assert_eq!(a[1]["output_fields"]["sigma.level"], "low");
    for x in &a {
        let mut keys: Vec<&str> = x.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ALERT_KEYS);
        assert_eq!(x["source"], "aws_cloudtrail");
    }
}

#[test]
fn rules_check_reports_every_rule() {
    let (Some(falco), Some(sigma)) = (
        corpus("falco-rules/rules"),
        corpus("sigma-rules/rules/linux"),
    ) else {
        return;
    };
    let (code, out, err) = run(&[
        "rules",
        "check",
        "--format",
        "json",
        falco.to_str().unwrap(),
        sigma.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() > 300, "{}", rows.len());
    for r in &rows {
        assert!(
            ["ok", "unsupported", "error"].contains(&r["status"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            r["reasons"].is_array() && r["source"].is_string() && r["rule"].is_string(),
            "{r}"
        );
        if r["status"] == "unsupported" {
            assert!(!r["reasons"].as_array().unwrap().is_empty(), "{r}");
        }
    }
    let unsupported = rows.iter().filter(|r| r["status"] == "unsupported").count();
    let (code, _, _) = run(&["rules", "check", "--strict", falco.to_str().unwrap()]);
    assert_eq!(code, if unsupported > 0 { 2 } else { 0 });
    let (code, _, err) = run(&["rules", "check", "/nonexistent/rules.yaml"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("rampart: error: /nonexistent/rules.yaml"),
        "{err}"
    );
}

#[test]
fn bad_events_are_counted_not_fatal() {
    let Some(k8s) = corpus("falco-k8saudit-rules/k8s_audit_rules.yaml") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("events.jsonl");
    std::fs::write(
        &input,
        "not json\n{\"kind\": \"Event\", \"apiVersion\": \"audit.k8s.io/v1\"}\n{]\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "detect",
        "--rules",
        k8s.to_str().unwrap(),
        "--stats",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("record 1: not JSON"), "{err}");
    assert!(err.contains("events 1, skipped 2"), "{err}");
}
