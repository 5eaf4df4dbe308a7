//! `rampart scan config --policy`: custom Rego policies with conftest's conventions, over the
//! documented example set in `examples/policies` (Kubernetes, Dockerfile and Terraform
//! policies, a data file), plus the errors a broken policy must give.

mod common;

use common::*;
use std::path::PathBuf;

fn examples() -> PathBuf {
    repo_root().join("examples/policies")
}

/// (rule_id, severity, file, line, resource, message) of the custom-policy findings.
type Hit = (String, String, String, u64, String, String);

fn policy_hits(extra: &[&str]) -> (i32, Vec<Hit>, String) {
    let ex = examples();
    let target = ex.join("testdata");
    let policy = ex.to_string_lossy().into_owned();
    let mut args = vec![
        "scan",
        "config",
        target.to_str().unwrap(),
        "--policy",
        &policy,
        "--format",
        "json",
        "--exit-code",
        "4",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    if code == 2 {
        return (code, Vec::new(), err);
    }
    let r = parse_json(&out);
    let mut hits: Vec<Hit> = misconfigurations(&r)
        .iter()
        .filter(|m| {
            let id = m["rule_id"].as_str().unwrap();
            id.starts_with("rego:") || id.starts_with("org-")
        })
        .map(|m| {
            (
                m["rule_id"].as_str().unwrap().to_string(),
                m["severity"].as_str().unwrap().to_string(),
                m["file"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["resource"].as_str().unwrap().to_string(),
                m["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    hits.sort();
    (code, hits, err)
}

fn hit(id: &str, sev: &str, file: &str, line: u64, res: &str, msg: &str) -> Hit {
    (
        id.into(),
        sev.into(),
        file.into(),
        line,
        res.into(),
        msg.into(),
    )
}

#[test]
fn example_policies_give_the_documented_messages() {
    let data = examples().join("data");
    let (code, hits, err) = policy_hits(&["--data", data.to_str().unwrap(), "--all-namespaces"]);
    assert_eq!(code, 4, "{err}");
    let mut want = vec![
        hit(
            "org-tf-owner-tag",
            "MEDIUM",
            "main.tf",
            9,
            "aws_s3_bucket.logs",
            "aws_s3_bucket.logs has no owner tag",
        ),
        hit(
            "rego:docker.deny",
            "HIGH",
            "Dockerfile",
            1,
            "Dockerfile",
            "line 1: base image openjdk:17-slim is blocked",
        ),
        hit(
            "rego:docker.deny_root_user",
            "HIGH",
            "Dockerfile",
            7,
            "Dockerfile",
            "the image ends with USER root",
        ),
        hit(
            "rego:docker.warn",
            "LOW",
            "Dockerfile",
            2,
            "Dockerfile",
            "line 2: apt-get upgrade makes builds unreproducible",
        ),
        hit(
            "rego:main.deny",
            "HIGH",
            "deploy.yaml",
            1,
            "Deployment/shop/web",
            "Deployment/web: container \"sidecar\" has no memory limit",
        ),
        hit(
            "rego:main.deny_untrusted_registry",
            "HIGH",
            "deploy.yaml",
            1,
            "Deployment/shop/web",
            "Deployment/web: image \"docker.io/envoyproxy/envoy:v1.31.0\" is not from a trusted registry",
        ),
        hit(
            "rego:main.warn",
            "LOW",
            "deploy.yaml",
            1,
            "Deployment/shop/web",
            "Deployment/web: missing label \"owner\"",
        ),
        hit(
            "rego:terraform.deny",
            "HIGH",
            "main.tf",
            1,
            "aws_s3_bucket.assets",
            "aws_s3_bucket.assets: ACL public-read makes the bucket public",
        ),
        hit(
            "rego:terraform.deny",
            "HIGH",
            "main.tf",
            14,
            "aws_security_group_rule.ssh",
            "aws_security_group_rule.ssh: SSH open to the internet",
        ),
    ];
    want.sort();
    assert_eq!(hits, want);
}

#[test]
fn default_namespace_is_main_and_namespace_selects_others() {
    let data = examples().join("data");
    let data = data.to_str().unwrap();
    let (_, hits, err) = policy_hits(&["--data", data]);
    let ids: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "rego:main.deny",
            "rego:main.deny_untrusted_registry",
            "rego:main.warn"
        ],
        "{err}"
    );
    let (_, hits, err) = policy_hits(&["--data", data, "--namespace", "docker"]);
    assert!(
        !hits.is_empty() && hits.iter().all(|h| h.0.starts_with("rego:docker.")),
        "{hits:?} {err}"
    );
}

#[test]
fn without_the_data_file_the_registry_policy_trusts_nothing() {
    let (_, hits, err) = policy_hits(&[]);
    let untrusted: Vec<&str> = hits
        .iter()
        .filter(|h| h.0 == "rego:main.deny_untrusted_registry")
        .map(|h| h.5.as_str())
        .collect();
    assert_eq!(untrusted.len(), 2, "{hits:?} {err}");
}

fn policy_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn scan_with(policy: &str) -> (i32, String, String) {
    let target = examples().join("testdata");
    run(&[
        "scan",
        "config",
        target.to_str().unwrap(),
        "--policy",
        policy,
        "--format",
        "json",
    ])
}

#[test]
fn rego_syntax_error_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "broken.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  input.kind ==\n}\n",
    );
    let (code, out, err) = scan_with(&p);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty());
    let line = err.lines().next().unwrap_or_default();
    assert!(
        line.starts_with(&format!("rampart: error: {p}: line 7: ")),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn recursive_policies_fail_fast_instead_of_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "loop.rego",
        "package main\n\nimport rego.v1\n\ncount_up(n) := count_up(n + 1)\n\ndeny contains msg if {\n  count_up(0) > 1\n  msg := \"never\"\n}\n",
    );
    let start = std::time::Instant::now();
    let (code, _, err) = scan_with(&p);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("{p}: line 5: function main.count_up calls itself")),
        "{err}"
    );
    let p = policy_file(
        &dir,
        "rules.rego",
        "package main\n\nimport rego.v1\n\nitems contains x if some x in items\n\ndeny contains msg if {\n  count(items) > 0\n  msg := \"never\"\n}\n",
    );
    let (code, _, err) = scan_with(&p);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("recursion"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn policies_without_rules_in_the_namespace_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        &dir,
        "other.rego",
        "package team.checks\n\nimport rego.v1\n\ndeny contains \"x\" if { true }\n",
    );
    let (code, _, err) = scan_with(&p);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "no deny, violation or warn rules in namespace main (packages found: team.checks)"
        ),
        "{err}"
    );
}

/// The example policies over manifests nobody here wrote (Checkov's Kubernetes fixtures):
/// every document is evaluated, odd ones (null containers, lists, non-Kubernetes YAML) give
/// no policy error, and the memory-limit policy fires on real workloads.
#[test]
fn example_policies_run_cleanly_over_checkov_kubernetes_fixtures() {
    let Some(dir) = corpus("checkov-test-fixtures/kubernetes") else {
        return;
    };
    let ex = examples();
    let data = ex.join("data");
    let (code, out, err) = run(&[
        "scan",
        "config",
        dir.to_str().unwrap(),
        "--policy",
        ex.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--all-namespaces",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let r = parse_json(&out);
    let policy_diags: Vec<&serde_json::Value> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"].as_str().unwrap_or("").ends_with(".rego"))
        .collect();
    assert!(policy_diags.is_empty(), "{policy_diags:?}");
    let deny = r["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["rule_id"] == "rego:main.deny")
        .count();
    assert!(deny > 50, "memory-limit findings: {deny}");
}
