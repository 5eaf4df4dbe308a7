//! Inline `# rampart:ignore RULE-ID reason` comments in configuration files (YAML,
//! Dockerfile, HCL, and on custom-policy findings): the finding disappears, and with
//! `--show-suppressed` it stays in the report marked with the reason, without failing the
//! exit-code gate.

mod common;

use common::*;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/config/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// (rule_id, file, line, suppressed) of one finding.
type Hit = (String, String, u64, Option<String>);

/// Every finding of a scan of the fixture.
fn scan(extra: &[&str]) -> (i32, Vec<Hit>) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r.json");
    let target = fixture("ignore");
    let mut args = vec![
        "scan",
        "config",
        &target,
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = run(&args);
    assert_ne!(code, 2, "{err}");
    validate("report", &out);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let hits = r["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["rule_id"].as_str().unwrap().to_string(),
                m["file"].as_str().unwrap().to_string(),
                m["line"].as_u64().unwrap(),
                m["suppressed"].as_str().map(str::to_string),
            )
        })
        .collect();
    (code, hits)
}

#[test]
fn ignored_findings_are_dropped() {
    let (_, hits) = scan(&[]);
    let ids: Vec<&str> = hits.iter().map(|h| h.0.as_str()).collect();
    for gone in [
        "k8s-privileged",
        "k8s-host-namespaces",
        "docker-root-user",
        "docker-no-healthcheck",
        "tf-aws-sg-ssh-open",
    ] {
        assert!(!ids.contains(&gone), "{gone} still reported: {hits:?}");
    }
    // Other findings on the same resources stay.
    assert!(ids.contains(&"k8s-allow-privilege-escalation"), "{hits:?}");
    assert!(hits.iter().all(|h| h.3.is_none()));
}

#[test]
fn show_suppressed_keeps_them_with_the_reason() {
    let (_, hits) = scan(&["--show-suppressed"]);
    let find = |id: &str| {
        hits.iter()
            .find(|h| h.0 == id)
            .unwrap_or_else(|| panic!("{id} missing: {hits:?}"))
    };
    assert_eq!(
        find("k8s-privileged"),
        &(
            "k8s-privileged".to_string(),
            "pod.yaml".to_string(),
            13,
            Some("inline: needs raw device access".to_string())
        )
    );
    assert_eq!(
        find("k8s-host-namespaces").3.as_deref(),
        Some("inline: node debugging pod, deleted after use")
    );
    assert_eq!(
        find("docker-root-user").3.as_deref(),
        Some("inline: the entrypoint drops privileges itself")
    );
    assert_eq!(
        find("tf-aws-sg-ssh-open").3.as_deref(),
        Some("inline: behind a VPN-only route table")
    );
}

#[test]
fn suppressed_findings_do_not_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  monitor:\n    image: example/monitor:2.1\n    # rampart:ignore compose-privileged vendor requirement, ticket OPS-12\n    privileged: true\n",
    )
    .unwrap();
    let target = dir.path().to_str().unwrap();
    for extra in [&[][..], &["--show-suppressed"][..]] {
        let mut args = vec![
            "scan",
            "config",
            target,
            "--format",
            "json",
            "--exit-code",
            "7",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{out} {err}");
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        let n = r["misconfigurations"].as_array().unwrap().len();
        assert_eq!(n, extra.len(), "{out}");
    }
}

#[test]
fn custom_policy_findings_can_be_ignored_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# rampart:ignore rego:main.deny approved base image exception\nFROM alpine:3.20\nUSER app\n",
    )
    .unwrap();
    let policy = dir.path().join("p.rego");
    std::fs::write(
        &policy,
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  some cmd in input\n  cmd.Cmd == \"from\"\n  msg := sprintf(\"base %s\", [cmd.Value[0]])\n}\n",
    )
    .unwrap();
    let df = dir.path().join("Dockerfile");
    let (code, out, err) = run(&[
        "scan",
        "config",
        df.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
        "--show-suppressed",
    ]);
    assert_eq!(code, 0, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = r["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["rule_id"] == "rego:main.deny")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(m["message"], "base alpine:3.20");
    assert_eq!(m["suppressed"], "inline: approved base image exception");
}
