//! CloudTrail detection: Falco's own plugin regression cases (exact detect_counts) and the
//! upstream aws_cloudtrail rules over a real CloudTrail recording.

mod common;

use rampart_detect::falco::{Alert, MatchMode, load_falco};
use rampart_detect::input::{InputFormat, read_events};
use std::collections::BTreeMap;
use std::path::Path;

fn run(rules: &[&Path], trace: &Path, format: InputFormat, mode: MatchMode) -> (Vec<Alert>, usize) {
    let texts: Vec<(&Path, String)> = rules.iter().map(|p| (*p, common::read(p))).collect();
    let refs: Vec<(&Path, &str)> = texts.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let (mut ruleset, report) = load_falco(&refs);
    let errs: Vec<String> = report.errors().map(|m| m.to_string()).collect();
    assert!(errs.is_empty(), "{errs:#?}");
    ruleset.set_match_mode(mode);
    let f = std::fs::File::open(trace).unwrap_or_else(|e| panic!("{}: {e}", trace.display()));
    let mut alerts = Vec::new();
    let mut events = 0;
    for ev in read_events(f, format) {
        let ev = ev.unwrap_or_else(|(l, e)| panic!("{}: line {l}: {e}", trace.display()));
        events += 1;
        ruleset.matches(&ev, &mut alerts);
    }
    (alerts, events)
}

fn counts(alerts: &[Alert]) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for a in alerts {
        *m.entry(&*a.rule).or_default() += 1;
    }
    m
}

#[test]
fn falco_plugin_cases_detect_create_instance() {
    let Some(base) = common::corpus("falco-legacy-regression-tests") else {
        return;
    };
    let rules = base.join("test/rules/plugins/cloudtrail_create_instances.yaml");
    for trace in [
        "alice_start_instances.json",
        "alice_start_instances_bigevent.json",
    ] {
        let (alerts, events) = run(
            &[&rules],
            &base.join("test/trace_files/plugins").join(trace),
            InputFormat::Auto,
            MatchMode::First,
        );
        assert_eq!(
            counts(&alerts),
            BTreeMap::from([("Cloudtrail Create Instance", 1)]),
            "{trace}"
        );
        assert!(events >= 1);
        let a = &alerts[0];
        assert_eq!(a.priority, "Informational");
        assert_eq!(a.source, "aws_cloudtrail");
        assert_eq!(a.time, "2014-03-06T21:22:54.000000000Z");
        // The trace has no eventID: Falco prints <NA> and a null output field.
        assert_eq!(a.output_fields.get("ct.id"), Some(&serde_json::Value::Null));
        assert!(
            a.output.contains(" id=<NA> user name=Alice)"),
            "{}",
            a.output
        );
        assert_eq!(
            a.output_fields.get("json.value[/userIdentity/userName]"),
            Some(&serde_json::Value::from("Alice"))
        );
    }
}

#[test]
fn upstream_cloudtrail_rules_over_real_recording() {
    let Some(otrf) = common::corpus("otrf-security-datasets") else {
        return;
    };
    let Some(plugins) = common::corpus("falco-plugin-rules") else {
        return;
    };
    let (alerts, events) = run(
        &[&plugins.join("aws_cloudtrail_rules.yaml")],
        &otrf.join("aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json"),
        InputFormat::Cloudtrail,
        MatchMode::All,
    );
    assert_eq!(events, 103);
    let got = counts(&alerts);
    eprintln!("cloudtrail over SDAWS-200914011940: {got:?}");
    // Describe/List/Get calls and AssumeRole only: none of the 22 upstream rules (which
    // watch for changes such as StopLogging, PutBucketPolicy, CreateUser) applies.
    assert_eq!(got, BTreeMap::new());
}
