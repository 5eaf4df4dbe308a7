//! Upstream syscall rules (falco-rules/rules/falco_rules.yaml) against hand-written events:
//! per rule, an event that must fire it and a near miss that must not
//! (tests/fixtures/falco/syscall_rules.json).

mod common;

use rampart_detect::event::Event;
use rampart_detect::falco::{MatchMode, load_falco};
use rampart_detect::input::{InputFormat, read_events};
use std::path::Path;

#[derive(serde::Deserialize)]
struct Case {
    rule: String,
    note: String,
    fire: serde_json::Value,
    miss: serde_json::Value,
}

/// Reads one event through the rampart JSON-lines reader (which also numbers it).
fn event(v: &serde_json::Value) -> Event {
    let line = v.to_string();
    let mut all: Vec<_> = read_events(line.as_bytes(), InputFormat::Rampart).collect();
    assert_eq!(all.len(), 1);
    all.pop()
        .and_then(Result::ok)
        .expect("fixture event parses")
}

#[test]
fn each_rule_fires_and_its_near_miss_does_not() {
    let Some(base) = common::corpus("falco-rules") else {
        return;
    };
    let path = base.join("rules/falco_rules.yaml");
    let text = common::read(&path);
    let (mut ruleset, report) = load_falco(&[(path.as_path(), text.as_str())]);
    assert!(!report.has_errors());
    ruleset.set_match_mode(MatchMode::All);
    let fixture = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/falco/syscall_rules.json"
    ));
    let cases: Vec<Case> = serde_json::from_str(&common::read(fixture)).expect("fixture JSON");
    let mut failures = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(
            ruleset.rule_names().any(|n| n == c.rule),
            "no rule named {}",
            c.rule
        );
        let mut alerts = Vec::new();
        ruleset.matches(&event(&c.fire), &mut alerts);
        if !alerts.iter().any(|a| *a.rule == *c.rule) {
            let got: Vec<&str> = alerts.iter().map(|a| &*a.rule).collect();
            failures.push(format!("{}: did not fire (got {got:?})", c.rule));
        }
        let mut alerts = Vec::new();
        ruleset.matches(&event(&c.miss), &mut alerts);
        if alerts.iter().any(|a| *a.rule == *c.rule) {
            failures.push(format!("{}: near miss fired ({})", c.rule, c.note));
        }
        covered.insert(c.rule.clone());
    }
    eprintln!(
        "syscall rules: {}/{} of falco_rules.yaml covered, {} failures",
        covered.len(),
        ruleset.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(covered.len(), 25);
}

#[test]
fn alert_has_falco_json_shape() {
    let Some(base) = common::corpus("falco-rules") else {
        return;
    };
    let path = base.join("rules/falco_rules.yaml");
    let text = common::read(&path);
    let (mut ruleset, _) = load_falco(&[(path.as_path(), text.as_str())]);
    ruleset.set_hostname("node-1");
    let fixture = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/falco/syscall_rules.json"
    ));
    let cases: Vec<Case> = serde_json::from_str(&common::read(fixture)).expect("fixture JSON");
    let c = cases
        .iter()
        .find(|c| c.rule == "Terminal shell in container")
        .expect("case");
    let mut alerts = Vec::new();
    ruleset.matches(&event(&c.fire), &mut alerts);
    assert_eq!(alerts.len(), 1);
    let json = serde_json::to_value(&alerts[0]).expect("serializes");
    assert_eq!(json["rule"], "Terminal shell in container");
    assert_eq!(json["priority"], "Notice");
    assert_eq!(json["source"], "syscall");
    assert_eq!(json["hostname"], "node-1");
    assert_eq!(json["time"], "2023-11-14T22:13:20.000000000Z");
    assert_eq!(json["output_fields"]["proc.name"], "bash");
    assert_eq!(json["output_fields"]["proc.tty"], 34816);
    let tags: Vec<&str> = json["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(tags.contains(&"container"), "{tags:?}");
    let out = json["output"].as_str().expect("output");
    assert!(out.starts_with("2023-11-14T22:13:20.000000000+0000: Notice A shell was spawned in a container with an attached terminal"), "{out}");
}
