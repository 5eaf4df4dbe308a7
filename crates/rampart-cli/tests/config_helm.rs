//! Helm charts in `scan config`: rendered in process, then checked, agreeing with Trivy's
//! Helm goldens (`trivy-integration-golden`) on every check family both scanners have.

mod common;

use common::*;
use std::collections::BTreeSet;

/// Trivy's id → rampart's rule of the same meaning, for the ids in the Helm goldens that
/// rampart has a rule for.
const SAME_CHECK: &[(&str, &str)] = &[
    ("KSV-0001", "k8s-allow-privilege-escalation"),
    ("KSV-0003", "k8s-capabilities-restricted"),
    ("KSV-0106", "k8s-capabilities-restricted"),
    ("KSV-0011", "k8s-resource-limits"),
    ("KSV-0018", "k8s-resource-limits"),
    ("KSV-0012", "k8s-run-as-non-root"),
    ("KSV-0014", "k8s-readonly-rootfs"),
    ("KSV-0030", "k8s-seccomp-required"),
    ("KSV-0104", "k8s-seccomp-required"),
    ("KSV-0105", "k8s-run-as-root-uid"),
];

/// (file, rampart rule) pairs Trivy's golden fails, mapped to rampart's rules.
fn trivy_fails(golden: &str) -> BTreeSet<(String, String)> {
    let g = corpus("trivy-integration-golden").unwrap().join(golden);
    let v = parse_json(&std::fs::read_to_string(g).unwrap());
    let mut out = BTreeSet::new();
    for r in v["Results"].as_array().unwrap() {
        let target = r["Target"].as_str().unwrap().to_string();
        for m in r["Misconfigurations"].as_array().into_iter().flatten() {
            let id = m["ID"].as_str().unwrap();
            if let Some((_, rule)) = SAME_CHECK.iter().find(|(t, _)| *t == id) {
                out.insert((target.clone(), rule.to_string()));
            }
        }
    }
    out
}

/// (file, rule) pairs rampart reports, restricted to the rules both scanners have.
fn rampart_fails(args: &[&str], strip: &str) -> BTreeSet<(String, String)> {
    let (_, r) = run_report(args);
    let shared: BTreeSet<&str> = SAME_CHECK.iter().map(|(_, r)| *r).collect();
    misconfigurations(&r)
        .iter()
        .filter(|m| shared.contains(text(m, "rule_id")))
        .map(|m| {
            let file = text(m, "file");
            (
                file.strip_prefix(strip).unwrap_or(file).to_string(),
                text(m, "rule_id").to_string(),
            )
        })
        .collect()
}

#[test]
fn chart_directory_agrees_with_trivy() {
    let Some(repo) = corpus("trivy-integration-golden/fixtures/repo") else {
        return;
    };
    let chart = repo.join("helm_testchart");
    let got = rampart_fails(&["scan", "config", chart.to_str().unwrap()], "");
    assert_eq!(got, trivy_fails("helm_testchart.json.golden"));
    // Seen: the rendered deployment, not the raw template, and nothing about `{{`.
    assert!(
        got.iter().any(|(f, _)| f == "templates/deployment.yaml"),
        "{got:?}"
    );
}

#[test]
fn helm_set_and_values_override_like_trivy() {
    let Some(repo) = corpus("trivy-integration-golden/fixtures/repo") else {
        return;
    };
    let chart = repo.join("helm_testchart");
    let values = repo.join("helm_values/values.yaml");
    let got = rampart_fails(
        &[
            "scan",
            "config",
            chart.to_str().unwrap(),
            "--helm-values",
            values.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(got, trivy_fails("helm_testchart.overridden.json.golden"));
    // The same override with --helm-set.
    let set = rampart_fails(
        &[
            "scan",
            "config",
            chart.to_str().unwrap(),
            "--helm-set",
            "securityContext.runAsUser=0",
        ],
        "",
    );
    assert_eq!(set, got);
}

#[test]
fn packaged_chart_agrees_with_trivy() {
    let Some(repo) = corpus("trivy-integration-golden/fixtures/repo") else {
        return;
    };
    let dir = repo.join("helm");
    let got = rampart_fails(&["scan", "config", dir.to_str().unwrap()], "");
    assert_eq!(got, trivy_fails("helm.json.golden"));
}

#[test]
fn broken_chart_is_a_diagnostic_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("c");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        c.join("templates/a.yaml"),
        "kind: Pod\n{{ if .Values.x }}\n",
    )
    .unwrap();
    let (_, r) = run_report(&["scan", "config", tmp.path().to_str().unwrap()]);
    let diags = r["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| text(d, "message").contains("templates/a.yaml:2")
                && text(d, "message").contains("unclosed")),
        "{diags:?}"
    );
}
