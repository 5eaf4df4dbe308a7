//! Falco's rule-file validation cases (falco-legacy-regression-tests): the same
//! accept/reject verdict, and each expected error or warning named the same way
//! (item type, item name, Falco code, message).

mod common;

use rampart_detect::falco::yaml::{self, Node, Value};
use rampart_detect::falco::{LoadMessage, MsgLevel, load_falco};
use std::path::{Path, PathBuf};

struct Expect {
    item_type: String,
    item_name: String,
    code: String,
    message: Option<String>,
    contains: Option<String>,
}

fn expectations(n: Option<&Node>) -> Vec<Expect> {
    let Some(Value::Seq(items)) = n.map(|n| &n.value) else {
        return Vec::new();
    };
    items
        .iter()
        .map(|i| Expect {
            item_type: i
                .get("item_type")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            item_name: i
                .get("item_name")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            code: i
                .get("code")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
            message: i.get("message").and_then(Node::as_str).map(str::to_string),
            contains: i
                .get("message_contains")
                .and_then(Node::as_str)
                .map(str::to_string),
        })
        .collect()
}

fn matches(m: &LoadMessage, e: &Expect) -> bool {
    m.item_type == e.item_type
        && m.item_name == e.item_name
        && m.code == e.code
        && e.message
            .as_ref()
            .is_none_or(|t| &m.message == t || e.code == "LOAD_ERR_YAML_PARSE")
        && e.contains
            .as_ref()
            .is_none_or(|t| m.message.contains(t.as_str()))
}

/// Where rampart deliberately differs from Falco: a field Falco knows and rampart cannot
/// read is reported as unsupported (the rule is skipped with a warning), never fatal.
fn unsupported_instead(m: &LoadMessage, e: &Expect) -> bool {
    e.code == "LOAD_ERR_COMPILE_CONDITION"
        && e.message
            .as_deref()
            .is_some_and(|t| t.starts_with("filter_check called with nonexistent field"))
        && m.code == "LOAD_UNKNOWN_FIELD"
        && m.item_name == e.item_name
}

#[test]
fn validation_cases_match_falco() {
    let Some(base) = common::corpus("falco-legacy-regression-tests") else {
        return;
    };
    let test_dir = base.join("test");
    let mut total = 0;
    let mut failures = Vec::new();
    let mut deliberate = 0;
    for file in [
        "falco_tests.yaml",
        "falco_tests_exceptions.yaml",
        "falco_tests_plugins.yaml",
    ] {
        let text = common::read(&test_dir.join(file));
        let docs = yaml::parse(&text).expect("test definitions parse");
        let Some(Value::Map(cases)) = docs
            .first()
            .and_then(|d| d.get("trace_files"))
            .map(|n| &n.value)
        else {
            panic!("{file}: no trace_files")
        };
        for (k, case) in cases {
            let Some(v) = case.get("validate_rules_file") else {
                continue;
            };
            total += 1;
            let name = k.as_str().unwrap_or_default();
            let paths: Vec<PathBuf> = match &v.value {
                Value::Seq(items) => items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(|p| test_dir.join(p))
                    .collect(),
                Value::Scalar(s, _) => vec![test_dir.join(s)],
                Value::Map(_) => Vec::new(),
            };
            let texts: Vec<(PathBuf, String)> =
                paths.iter().map(|p| (p.clone(), common::read(p))).collect();
            let refs: Vec<(&Path, &str)> = texts
                .iter()
                .map(|(p, t)| (p.as_path(), t.as_str()))
                .collect();
            let (_, report) = load_falco(&refs);
            let errors = expectations(case.get("validate_errors"));
            let warnings = expectations(case.get("validate_warnings"));
            let mut problems = Vec::new();
            let mut deliberate_here = false;
            for e in &errors {
                let exact = report
                    .messages
                    .iter()
                    .any(|m| m.level == MsgLevel::Error && matches(m, e));
                let ours = report.messages.iter().any(|m| unsupported_instead(m, e));
                if ours && !exact {
                    deliberate_here = true;
                } else if !exact {
                    problems.push(format!(
                        "missing error {} {} '{}'",
                        e.code, e.item_type, e.item_name
                    ));
                }
            }
            for w in &warnings {
                // rampart has the aws_cloudtrail source built in; Falco ran these cases
                // without its plugin.
                if w.code == "LOAD_UNKNOWN_SOURCE" {
                    deliberate_here = true;
                    continue;
                }
                if !report.messages.iter().any(|m| matches(m, w)) {
                    problems.push(format!(
                        "missing warning {} {} '{}'",
                        w.code, w.item_type, w.item_name
                    ));
                }
            }
            // Verdict: rejected exactly when Falco rejects.
            if errors.is_empty() == report.has_errors() && !deliberate_here {
                problems.push(format!(
                    "verdict differs: rampart has_errors={}",
                    report.has_errors()
                ));
            }
            if deliberate_here {
                deliberate += 1;
            }
            if !problems.is_empty() {
                let got: Vec<String> = report.messages.iter().map(|m| m.to_string()).collect();
                failures.push(format!("{name}: {problems:?}\n   got: {got:#?}"));
            }
        }
    }
    eprintln!(
        "validation: {}/{total} cases agree with Falco ({deliberate} deliberately differ: unsupported fields are not fatal, aws_cloudtrail is built in)",
        total - failures.len()
    );
    assert_eq!(total, 43, "number of validation cases");
    assert_eq!(deliberate, 4);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn errors_carry_file_and_line() {
    let bad = "- rule: r\n  desc: d\n  condition: (evt.type=open and proc.name=cat\n  output: o\n  priority: WARNING\n";
    let (rs, report) = load_falco(&[(Path::new("bad.yaml"), bad)]);
    assert!(rs.is_empty());
    let e = report.errors().next().expect("an error");
    assert_eq!(e.file, Path::new("bad.yaml"));
    assert_eq!(e.line, 3);
    assert_eq!(e.code, "LOAD_ERR_COMPILE_CONDITION");
    assert_eq!(
        e.to_string(),
        "bad.yaml: line 3: error in rule 'r': expected ')' after 'cat' (LOAD_ERR_COMPILE_CONDITION)"
    );

    let (_, report) = load_falco(&[(Path::new("y.yaml"), "- rule: [a\n  b: c: d\n")]);
    let e = report.errors().next().expect("a YAML error");
    assert_eq!(e.code, "LOAD_ERR_YAML_PARSE");
    assert!(e.line >= 1);

    // An unknown field makes the rule unsupported, not the file invalid.
    let unk = "- rule: u\n  desc: d\n  condition: evt.type=open and proc.frobnicate=1\n  output: o\n  priority: INFO\n- rule: k\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n";
    let (rs, report) = load_falco(&[(Path::new("u.yaml"), unk)]);
    assert!(!report.has_errors());
    assert_eq!(report.counts(), (1, 1, 0));
    assert_eq!(rs.len(), 1);
}
