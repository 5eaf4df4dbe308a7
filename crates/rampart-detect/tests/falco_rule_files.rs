//! Every upstream Falco rule file loads; per file, how many rules compile and how many are
//! unsupported (exact figures, so a regression fails).

mod common;

use rampart_detect::falco::{RuleState, load_falco};
use std::path::{Path, PathBuf};

/// Loads `files` together (later ones depend on earlier ones) and returns, for the last
/// file, (ok, unsupported, error) plus the unsupported reasons.
fn counts(files: &[PathBuf]) -> ((usize, usize, usize), Vec<String>) {
    let texts: Vec<(PathBuf, String)> =
        files.iter().map(|p| (p.clone(), common::read(p))).collect();
    let refs: Vec<(&Path, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    let (ruleset, report) = load_falco(&refs);
    let errors: Vec<String> = report.errors().map(|m| m.to_string()).collect();
    assert!(errors.is_empty(), "load errors: {errors:#?}");
    let last = files.last().expect("a file");
    let mut c = (0, 0, 0);
    let mut reasons = Vec::new();
    for r in report.rules.iter().filter(|r| &r.file == last) {
        match &r.state {
            RuleState::Ok { .. } => c.0 += 1,
            RuleState::Unsupported { missing } => {
                c.1 += 1;
                reasons.push(format!("{}: {}", r.name, missing.join("; ")));
            }
            RuleState::Error { .. } => c.2 += 1,
        }
    }
    assert!(ruleset.len() >= c.0);
    (c, reasons)
}

fn check(name: &str, files: &[PathBuf], expect: (usize, usize, usize)) {
    let (got, reasons) = counts(files);
    eprintln!(
        "{name}: {} rules compile, {} unsupported, {} errors",
        got.0, got.1, got.2
    );
    for r in &reasons {
        eprintln!("  unsupported: {r}");
    }
    if std::env::var("RAMPART_PRINT_COUNTS").is_err() {
        assert_eq!(got, expect, "{name}: (ok, unsupported, error)");
    }
}

#[test]
fn upstream_syscall_rules_load() {
    let Some(base) = common::corpus("falco-rules") else {
        return;
    };
    let stable = base.join("rules/falco_rules.yaml");
    check(
        "falco_rules.yaml",
        std::slice::from_ref(&stable),
        (25, 0, 0),
    );
    check(
        "falco-incubating_rules.yaml",
        &[
            stable.clone(),
            base.join("rules/falco-incubating_rules.yaml"),
        ],
        (31, 0, 0),
    );
    check(
        "falco-sandbox_rules.yaml",
        &[stable, base.join("rules/falco-sandbox_rules.yaml")],
        (35, 2, 0),
    );
}

#[test]
fn upstream_k8s_audit_rules_load() {
    let Some(base) = common::corpus("falco-k8saudit-rules") else {
        return;
    };
    check(
        "k8s_audit_rules.yaml",
        &[base.join("k8s_audit_rules.yaml")],
        (48, 0, 0),
    );
}

#[test]
fn upstream_plugin_rules_load() {
    let Some(base) = common::corpus("falco-plugin-rules") else {
        return;
    };
    // Sources rampart has no reader for yet (gcp_auditlog, github, okta) load and are
    // reported unsupported, rule by rule.
    for (file, expect) in [
        ("aws_cloudtrail_rules.yaml", (22, 0, 0)),
        ("gcp_auditlog_rules.yaml", (0, 39, 0)),
        ("github.yaml", (0, 15, 0)),
        ("okta_rules.yaml", (0, 21, 0)),
    ] {
        check(file, &[base.join(file)], expect);
    }
    // The GKE variant overrides and appends to the k8saudit rules.
    let Some(k8s) = common::corpus("falco-k8saudit-rules") else {
        return;
    };
    check(
        "k8s_audit_rules_gke.yaml",
        &[
            k8s.join("k8s_audit_rules.yaml"),
            base.join("k8s_audit_rules_gke.yaml"),
        ],
        (0, 0, 0),
    );
}
