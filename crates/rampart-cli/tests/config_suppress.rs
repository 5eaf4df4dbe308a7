//! Inline `# rampart:ignore RULE-ID reason` comments in configuration files (YAML,
//! Dockerfile, HCL, and on custom-policy findings): the finding disappears, and with
//! `--show-suppressed` it stays in the report marked with the reason, without failing the
//! exit-code gate. `.rampartignore` entries for rule ids do the same, with the file's reason,
//! and every output format marks what is suppressed.

mod common;

use common::*;

/// (rule_id, file, line, suppressed) of one finding.
type Hit = (String, String, u64, Option<String>);

fn hits(r: &serde_json::Value) -> Vec<Hit> {
    misconfigurations(r)
        .iter()
        .map(|m| {
            (
                text(m, "rule_id").to_string(),
                text(m, "file").to_string(),
                m["line"].as_u64().unwrap(),
                m["suppressed"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Every finding of a scan of the fixture.
fn scan(extra: &[&str]) -> (i32, Vec<Hit>) {
    let target = config_fixture("ignore");
    let mut args = vec!["scan", "config", &target];
    args.extend_from_slice(extra);
    let (code, r) = run_report(&args);
    (code, hits(&r))
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
        let (code, r, err) = run_json(&args);
        assert_eq!(code, 0, "{r} {err}");
        assert_eq!(misconfigurations(&r).len(), extra.len(), "{r}");
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
    let (code, r, err) = run_json(&[
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
    let m = misconfigurations(&r)
        .iter()
        .find(|m| m["rule_id"] == "rego:main.deny")
        .unwrap_or_else(|| panic!("{r}"));
    assert_eq!(m["message"], "base alpine:3.20");
    assert_eq!(m["suppressed"], "inline: approved base image exception");
}

/// A tree with one Kubernetes pod: `k8s-privileged` suppressed inline, `k8s-host-namespaces`
/// by `.rampartignore` (path-scoped), the rest open.
fn ignore_file_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("deploy")).unwrap();
    // The fixture suppresses host namespaces inline too; drop that comment here so the
    // ignore file is what suppresses it.
    let pod = std::fs::read_to_string(format!("{}/pod.yaml", config_fixture("ignore")))
        .unwrap()
        .replace(
            " # rampart:ignore k8s-host-namespaces node debugging pod, deleted after use",
            "",
        );
    assert!(!pod.contains("ignore k8s-host-namespaces"));
    std::fs::write(dir.path().join("deploy/pod.yaml"), pod).unwrap();
    std::fs::write(
        dir.path().join(".rampartignore"),
        "- id: k8s-host-namespaces\n  path: deploy/*.yaml\n  reason: node debugging pod, ticket OPS-7\n  expires: 2999-12-31\n- id: k8s-host-namespaces\n  path: other/*\n  reason: does not cover deploy/\n",
    )
    .unwrap();
    dir
}

#[test]
fn ignore_file_suppresses_misconfigurations_with_its_reason() {
    let dir = ignore_file_tree();
    let target = dir.path().to_str().unwrap();
    // Without the flag: gone, like inline-suppressed ones.
    let (_, r) = run_report(&["scan", "config", target]);
    let found = hits(&r);
    assert!(
        !found
            .iter()
            .any(|h| h.0 == "k8s-host-namespaces" || h.0 == "k8s-privileged"),
        "{found:?}"
    );
    assert!(found.iter().all(|h| h.3.is_none()), "{found:?}");
    assert!(
        found
            .iter()
            .any(|h| h.0 == "k8s-allow-privilege-escalation"),
        "{found:?}"
    );
    // With it: listed, each with where its suppression comes from and why.
    let (_, r) = run_report(&["scan", "config", target, "--show-suppressed"]);
    let found = hits(&r);
    let why = |id: &str| {
        found
            .iter()
            .find(|h| h.0 == id)
            .unwrap_or_else(|| panic!("{id} missing: {found:?}"))
            .3
            .clone()
    };
    assert_eq!(
        why("k8s-host-namespaces").as_deref(),
        Some("ignore-file: node debugging pod, ticket OPS-7")
    );
    assert_eq!(
        why("k8s-privileged").as_deref(),
        Some("inline: needs raw device access")
    );
    assert_eq!(why("k8s-allow-privilege-escalation"), None);
}

#[test]
fn ignore_file_suppressions_do_not_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  monitor:\n    image: example/monitor:2.1\n    privileged: true\n",
    )
    .unwrap();
    let target = dir.path().to_str().unwrap();
    let gate = |extra: &[&str]| {
        let mut args = vec!["scan", "config", target, "--exit-code", "7", "--quiet"];
        args.extend_from_slice(extra);
        run(&args).0
    };
    assert_eq!(gate(&[]), 7);
    std::fs::write(
        dir.path().join(".rampartignore"),
        "- id: compose-privileged\n  reason: vendor requirement\n",
    )
    .unwrap();
    assert_eq!(gate(&[]), 0);
    assert_eq!(gate(&["--show-suppressed"]), 0);
    // An expired entry suppresses nothing.
    std::fs::write(
        dir.path().join(".rampartignore"),
        "- id: compose-privileged\n  reason: vendor requirement\n  expires: 2020-01-01\n",
    )
    .unwrap();
    assert_eq!(gate(&["--show-suppressed"]), 7);
}

/// Every output format marks suppressed misconfigurations with `--show-suppressed`: the
/// table in its own section with the reason, SARIF with `suppressions[]` (`inSource` for a
/// comment, `external` for the ignore file), JSON with `suppressed`.
#[test]
fn show_suppressed_marks_them_in_every_format() {
    let dir = ignore_file_tree();
    let target = dir.path().to_str().unwrap();
    let out = |format: &str, extra: &[&str]| {
        let mut args = vec!["scan", "config", target, "--format", format];
        args.extend_from_slice(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        out
    };

    let table = out("table", &["--show-suppressed"]);
    let (open, suppressed) = table
        .split_once("Suppressed misconfigurations (2, not counted by --exit-code)")
        .unwrap_or_else(|| panic!("{table}"));
    assert!(open.contains("(2 suppressed)"), "{table}");
    assert!(open.contains("k8s-allow-privilege-escalation"), "{table}");
    assert!(!open.contains("k8s-privileged "), "{table}");
    assert!(suppressed.contains("SUPPRESSED"), "{table}");
    assert!(
        suppressed.contains("ignore-file: node debugging pod, ticket OPS-7"),
        "{table}"
    );
    assert!(
        suppressed.contains("inline: needs raw device access"),
        "{table}"
    );
    let plain = out("table", &[]);
    assert!(!plain.contains("uppressed"), "{plain}");

    let sarif = parse_json(&out("sarif", &["--show-suppressed"]));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let suppressions = |id: &str| {
        results
            .iter()
            .find(|x| x["ruleId"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))["suppressions"]
            .clone()
    };
    assert_eq!(suppressions("k8s-privileged")[0]["kind"], "inSource");
    assert_eq!(
        suppressions("k8s-privileged")[0]["justification"],
        "needs raw device access"
    );
    assert_eq!(suppressions("k8s-host-namespaces")[0]["kind"], "external");
    assert_eq!(
        suppressions("k8s-host-namespaces")[0]["justification"],
        "node debugging pod, ticket OPS-7"
    );
    assert!(suppressions("k8s-allow-privilege-escalation").is_null());
    let sarif = parse_json(&out("sarif", &[]));
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x.get("suppressions").is_none() && x["ruleId"] != "k8s-privileged")
    );

    let json = out("json", &["--show-suppressed"]);
    validate_report_json(&json);
    let found = hits(&parse_json(&json));
    assert_eq!(
        found.iter().filter(|h| h.3.is_some()).count(),
        2,
        "{found:?}"
    );
}
