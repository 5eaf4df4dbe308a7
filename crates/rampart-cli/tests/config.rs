//! `rampart scan config`: findings with file and line, `--compliance` verdicts per control,
//! and the exit code gate.

mod common;

use common::*;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/config/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn privileged_deployment_fails_pss_baseline_with_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.json");
    let (code, _, err) = run(&[
        "scan",
        "config",
        &fixture("privileged.yaml"),
        "--compliance",
        "k8s-pss-baseline",
        "--exit-code",
        "3",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "{err}");
    validate("report", &out);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let mut got: Vec<(String, u64)> = r["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["rule_id"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert!(got.contains(&("k8s-privileged".to_string(), 18)), "{got:?}");
    assert!(
        got.contains(&("k8s-host-namespaces".to_string(), 13)),
        "{got:?}"
    );
    let failed: Vec<&str> = r["compliance"]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "FAIL")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["Host Namespaces", "Privileged Containers"]);
    assert!(
        r["misconfigurations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["resource"] == "Deployment/shop/web")
    );
}

#[test]
fn restricted_pod_passes_every_restricted_control() {
    let (code, out, err) = run(&[
        "scan",
        "config",
        &fixture("restricted.yaml"),
        "--compliance",
        "k8s-pss-restricted",
        "--exit-code",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let controls = r["compliance"]["controls"].as_array().unwrap();
    assert!(
        controls.len() >= 15,
        "baseline and restricted controls: {}",
        controls.len()
    );
    assert!(
        controls.iter().all(|c| c["status"] == "PASS"),
        "{controls:?}"
    );
}

#[test]
fn unknown_framework_is_an_error() {
    let (code, _, err) = run(&[
        "scan",
        "config",
        &fixture("restricted.yaml"),
        "--compliance",
        "nist-800-53",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown framework"), "{err}");
}

#[test]
fn rules_list_is_generated_from_the_declarations() {
    let (code, out, _) = run(&["rules", "list", "--format", "json"]);
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(rules.len() >= 50);
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "k8s-privileged" && r["severity"] == "HIGH"),
        "{out:.300}"
    );
}

#[test]
fn terraform_directory_with_variables() {
    let dir = fixture("tf");
    let (code, out, err) = run(&[
        "scan",
        "config",
        &dir,
        "--format",
        "json",
        "--exit-code",
        "5",
    ]);
    assert_eq!(code, 5, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let hits: Vec<(&str, &str, u64)> = r["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["rule_id"].as_str().unwrap(),
                m["resource"].as_str().unwrap(),
                m["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        hits.iter().any(|(id, res, line)| id.contains("ssh")
            && *res == "aws_security_group.bastion"
            && (7..=12).contains(line)),
        "{hits:?}"
    );
}
