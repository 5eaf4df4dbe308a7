//! `rampart scan config`: findings with file and line, `--compliance` verdicts per control,
//! and the exit code gate.

mod common;

use common::*;

#[test]
fn privileged_deployment_fails_pss_baseline_with_lines() {
    let (code, r) = run_report(&[
        "scan",
        "config",
        &config_fixture("privileged.yaml"),
        "--compliance",
        "k8s-pss-baseline",
        "--exit-code",
        "3",
    ]);
    assert_eq!(code, 3);
    let mut got: Vec<(String, u64)> = misconfigurations(&r)
        .iter()
        .map(|m| (text(m, "rule_id").to_string(), m["line"].as_u64().unwrap()))
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
        misconfigurations(&r)
            .iter()
            .all(|m| m["resource"] == "Deployment/shop/web")
    );
}

#[test]
fn restricted_pod_passes_every_restricted_control() {
    let (code, r, err) = run_json(&[
        "scan",
        "config",
        &config_fixture("restricted.yaml"),
        "--compliance",
        "k8s-pss-restricted",
        "--exit-code",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
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
        &config_fixture("restricted.yaml"),
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
    let dir = config_fixture("tf");
    let (code, r, err) = run_json(&[
        "scan",
        "config",
        &dir,
        "--format",
        "json",
        "--exit-code",
        "5",
    ]);
    assert_eq!(code, 5, "{err}");
    let hits: Vec<(&str, &str, u64)> = misconfigurations(&r)
        .iter()
        .map(|m| {
            (
                text(m, "rule_id"),
                text(m, "resource"),
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

/// A Terraform plan (`terraform show -json`) is found by its content, whatever its name
/// (Trivy reads the Checkov fixture's `bad.json` as a plan too); other JSON stays Kubernetes.
#[test]
fn terraform_plan_json_is_recognised_by_content() {
    let Some(corpus) = corpus("checkov-test-fixtures/terraform/checks/resource/gcp") else {
        return;
    };
    let plan = corpus.join("example_GoogleComputeBootDiskEncryption/bad.json");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(&plan, tmp.path().join("infra.json")).unwrap();
    std::fs::write(
        tmp.path().join("pod.json"),
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx:1","securityContext":{"privileged":true}}]}}"#,
    )
    .unwrap();
    let dir = tmp.path().to_str().unwrap();
    let (_, r, err) = run_json(&["scan", "config", dir, "--format", "json"]);
    let hits: Vec<(&str, &str, &str)> = misconfigurations(&r)
        .iter()
        .map(|m| (text(m, "file"), text(m, "rule_id"), text(m, "resource")))
        .collect();
    for rule in [
        "tf-gcp-compute-block-project-ssh",
        "tf-gcp-compute-os-login",
    ] {
        assert!(
            hits.contains(&("infra.json", rule, "google_compute_instance.bad3")),
            "{rule}: {hits:?} {err}"
        );
    }
    assert!(
        hits.iter()
            .all(|(f, id, _)| *f != "infra.json" || id.starts_with("tf-")),
        "the plan is not read as Kubernetes: {hits:?}"
    );
    assert!(
        hits.iter()
            .any(|(f, id, _)| *f == "pod.json" && *id == "k8s-privileged"),
        "{hits:?}"
    );
}

/// #5's contract: with `--compliance NAME --exit-code N`, `--quiet` prints nothing but
/// errors, and the exit code carries the verdict: N when a control fails, 0 when all pass.
#[test]
fn quiet_compliance_prints_nothing_and_exits_with_the_verdict() {
    for (fixture, framework, want) in [
        ("privileged.yaml", "k8s-pss-baseline", 3),
        ("restricted.yaml", "k8s-pss-restricted", 0),
    ] {
        for format in ["table", "json", "sarif"] {
            let (code, out, err) = run(&[
                "scan",
                "config",
                &config_fixture(fixture),
                "--compliance",
                framework,
                "--exit-code",
                "3",
                "--format",
                format,
                "--quiet",
            ]);
            assert_eq!(code, want, "{fixture} {format}: {err}");
            assert_eq!(out, "", "{fixture} {format}: stdout");
            assert_eq!(err, "", "{fixture} {format}: stderr");
        }
    }
    // Errors still show.
    let (code, out, err) = run(&[
        "scan",
        "config",
        &config_fixture("restricted.yaml"),
        "--compliance",
        "nist-800-53",
        "--quiet",
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with("rampart: error: "), "{err}");
}

/// `--quiet` means the same on every scan: nothing on stdout or stderr but errors, the gate
/// in the exit code, and the report still written whole to `--output FILE`.
#[test]
fn quiet_scan_prints_nothing_but_still_gates_and_writes_output() {
    let target = config_fixture("tf");
    let (code, out, err) = run(&["scan", "config", &target, "--exit-code", "5", "-q"]);
    assert_eq!((code, out.as_str(), err.as_str()), (5, "", ""));
    let (code, out, _) = run(&["scan", "config", &target, "--exit-code", "5"]);
    assert_eq!(code, 5);
    assert!(out.contains("Misconfigurations"), "{out}");

    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("r.json");
    let (code, out, err) = run(&[
        "scan",
        "config",
        &target,
        "--exit-code",
        "5",
        "--quiet",
        "--format",
        "json",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (5, "", ""));
    validate("report", &file);
    let r = parse_json(&std::fs::read_to_string(&file).unwrap());
    assert!(!misconfigurations(&r).is_empty());
    // The flag documents what it does.
    let (_, help, _) = run(&["scan", "config", "--help"]);
    assert!(
        help.contains("Print nothing but errors: no progress, no warnings and no report on"),
        "{help}"
    );
}

/// Trivy's `--file-patterns TYPE:REGEX`, against Trivy's own golden
/// `dockerfile_file_pattern.json.golden`: a Dockerfile named `Customfile` is read only when
/// the pattern says it is one, and then gets Trivy's one failure (DS-0002, runs as root).
#[test]
fn file_patterns_read_a_customfile_as_a_dockerfile_like_trivys_golden() {
    let Some(golden) = corpus("trivy-integration-golden") else {
        return;
    };
    let expected = parse_json(
        &std::fs::read_to_string(golden.join("dockerfile_file_pattern.json.golden")).unwrap(),
    );
    let result = &expected["Results"][0];
    assert_eq!(result["Target"], "Customfile");
    assert_eq!(result["Type"], "dockerfile");
    let trivy_fails: Vec<&str> = result["Misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["Status"] == "FAIL")
        .map(|m| text(m, "ID"))
        .collect();
    assert_eq!(trivy_fails, ["DS-0002"]);
    let dir = golden.join("fixtures/repo/dockerfile_file_pattern");
    let dir = dir.to_str().unwrap();

    // Without the pattern, `Customfile` is not configuration.
    let (code, r, err) = run_json(&["scan", "config", dir, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(misconfigurations(&r).is_empty(), "{r}");

    // With it, the root-user finding Trivy reports (DS-0002 is rampart's docker-no-user).
    let (code, r, err) = run_json(&[
        "scan",
        "config",
        dir,
        "--file-patterns",
        "dockerfile:Customfile",
        "--format",
        "json",
        "--exit-code",
        "4",
    ]);
    assert_eq!(code, 4, "{err}");
    let found: Vec<(&str, &str)> = misconfigurations(&r)
        .iter()
        .map(|m| (text(m, "rule_id"), text(m, "file")))
        .collect();
    assert!(
        found.contains(&("docker-no-user", "Customfile")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|(id, file)| id.starts_with("docker-") && *file == "Customfile")
    );

    // The pattern is a regex over the path relative to the target; one that does not
    // match changes nothing, and the single-file form honours it too.
    let (_, r, _) = run_json(&[
        "scan",
        "config",
        dir,
        "--file-patterns",
        r"dockerfile:^Custom$",
        "--format",
        "json",
    ]);
    assert!(misconfigurations(&r).is_empty(), "{r}");
    let file = format!("{dir}/Customfile");
    let (_, r, err) = run_json(&[
        "scan",
        "config",
        &file,
        "--file-patterns",
        r"dockerfile:^Custom\w+$",
        "--format",
        "json",
    ]);
    assert!(
        misconfigurations(&r)
            .iter()
            .any(|m| m["rule_id"] == "docker-no-user"),
        "{r} {err}"
    );
}

#[test]
fn bad_file_patterns_are_usage_errors() {
    for (bad, why) in [
        ("Customfile", "expected TYPE:REGEX"),
        ("cloudformation:x", "unknown file type"),
        ("dockerfile:(", "invalid regex"),
    ] {
        let (code, _, err) = run(&[
            "scan",
            "config",
            &config_fixture("tf"),
            "--file-patterns",
            bad,
        ]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains(why), "{bad}: {err}");
    }
}
