//! Falco's own Kubernetes-audit regression cases (falco-legacy-regression-tests): real
//! audit events, the pinned rule files, and the exact expected detections per rule.

mod common;

use rampart_detect::falco::yaml::{self, Node, Value};
use rampart_detect::falco::{Priority, load_falco};
use rampart_detect::input::{InputFormat, read_events};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

struct Case {
    name: String,
    rules: Vec<PathBuf>,
    trace: PathBuf,
    detect: bool,
    level: Option<Priority>,
    counts: BTreeMap<String, usize>,
}

fn map_rules_path(base: &Path, p: &str) -> PathBuf {
    let pinned = base.join("rules-used-by-these-tests");
    if p.starts_with("BUILD_DIR") && p.ends_with("/falco_rules.yaml") {
        pinned.join("falco_rules.falco-rules-1.0.1.yaml")
    } else if p.starts_with("BUILD_DIR") && p.ends_with("/k8s_audit_rules.yaml") {
        pinned.join("k8s_audit_rules.k8saudit-0.6.0.yaml")
    } else if p.starts_with("BUILD_DIR") && p.ends_with("/aws_cloudtrail_rules.yaml") {
        pinned.join("aws_cloudtrail_rules.cloudtrail-0.8.0.yaml")
    } else {
        base.join("test").join(p.trim_start_matches("./"))
    }
}

fn seq(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.value) {
        Some(Value::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

fn cases(base: &Path, file: &str) -> Vec<Case> {
    let text = common::read(&base.join("test").join(file));
    let docs = yaml::parse(&text).expect("test definitions parse");
    let root = docs.first().expect("one document");
    let Some(Value::Map(entries)) = root.get("trace_files").map(|n| &n.value) else {
        panic!("no trace_files in {file}")
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let name = k.as_str().unwrap_or_default().to_string();
        let opts = v
            .get("addl_cmdline_opts")
            .and_then(Node::as_str)
            .unwrap_or("");
        let Some(trace) = opts.split("open_params=").nth(1) else {
            continue;
        };
        let trace = trace
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches('"');
        let mut counts = BTreeMap::new();
        for c in seq(v.get("detect_counts")) {
            if let Value::Map(e) = &c.value {
                for (rk, rv) in e {
                    let n: usize = rv.as_str().and_then(|s| s.parse().ok()).expect("count");
                    counts.insert(rk.as_str().unwrap_or_default().to_string(), n);
                }
            }
        }
        out.push(Case {
            name,
            rules: seq(v.get("rules_file"))
                .iter()
                .filter_map(|n| n.as_str())
                .map(|p| map_rules_path(base, p))
                .collect(),
            trace: base.join("test").join(trace),
            detect: v.get("detect").and_then(Node::as_bool).unwrap_or(false),
            level: v
                .get("detect_level")
                .and_then(Node::as_str)
                .and_then(Priority::parse),
            counts,
        });
    }
    out
}

/// Runs one case; returns a description of any mismatch.
fn run_case(c: &Case, format: InputFormat) -> Result<(), String> {
    let texts: Vec<(PathBuf, String)> = c
        .rules
        .iter()
        .map(|p| (p.clone(), common::read(p)))
        .collect();
    let files: Vec<(&Path, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_path(), t.as_str()))
        .collect();
    let (ruleset, report) = load_falco(&files);
    if report.has_errors() {
        let errs: Vec<String> = report.errors().take(3).map(|m| m.to_string()).collect();
        return Err(format!("rule load errors: {errs:?}"));
    }
    let input = std::fs::File::open(&c.trace).map_err(|e| format!("{}: {e}", c.trace.display()))?;
    let mut alerts = Vec::new();
    let mut bad = 0;
    for ev in read_events(input, format) {
        match ev {
            Ok(ev) => ruleset.matches(&ev, &mut alerts),
            Err(_) => bad += 1,
        }
    }
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for a in &alerts {
        *got.entry(a.rule.to_string()).or_default() += 1;
    }
    if c.detect == alerts.is_empty() {
        return Err(format!(
            "detect={} but got {got:?} (bad records {bad})",
            c.detect
        ));
    }
    for (rule, n) in &c.counts {
        let g = got.get(rule).copied().unwrap_or(0);
        if g != *n {
            return Err(format!(
                "rule '{rule}': expected {n}, got {g} (all: {got:?})"
            ));
        }
    }
    if let Some(level) = c.level
        && c.detect
        && !alerts.iter().any(|a| a.priority == level.as_str())
    {
        return Err(format!("no alert at level {}", level.as_str()));
    }
    Ok(())
}

#[test]
fn k8s_audit_regression_cases_match_falco() {
    let Some(base) = common::corpus("falco-legacy-regression-tests") else {
        return;
    };
    let cases = cases(&base, "falco_k8s_audit_tests.yaml");
    assert_eq!(cases.len(), 66, "number of k8s audit cases");
    let mut failures = Vec::new();
    for c in &cases {
        if let Err(e) = run_case(c, InputFormat::K8sAudit) {
            failures.push(format!("{}: {e}", c.name));
        }
    }
    let expected_counts: usize = cases.iter().map(|c| c.counts.values().sum::<usize>()).sum();
    eprintln!(
        "k8s audit: {}/{} cases agree with Falco ({} expected detections)",
        cases.len() - failures.len(),
        cases.len(),
        expected_counts
    );
    assert!(
        failures.is_empty(),
        "mismatching cases:\n{}",
        failures.join("\n")
    );
    assert_eq!(expected_counts, 50);
}

#[test]
fn malformed_audit_input_is_counted_not_fatal() {
    let Some(base) = common::corpus("falco-legacy-regression-tests") else {
        return;
    };
    let p = base.join("test/trace_files/k8s_audit/fal_01_003.json");
    let f = std::fs::File::open(&p).expect("open");
    let all: Vec<_> = read_events(f, InputFormat::K8sAudit).collect();
    assert_eq!(all.len(), 1);
    let Err((line, msg)) = &all[0] else {
        panic!("expected a bad record")
    };
    assert_eq!(*line, 1);
    assert_eq!(msg, "data not recognized as a k8s audit event");
}
