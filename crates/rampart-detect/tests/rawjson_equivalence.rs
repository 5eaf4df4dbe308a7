//! Audit documents read in place ([`RawJson`] tapes, what the event reader produces) must
//! give exactly what the same documents as `serde_json::Value` give: the same Falco rules
//! and Sigma rules match, with the same alerts (rendered outputs and output fields
//! included), and the compiled Falco matchers (with their per-event field cache) agree
//! with the reference evaluation.
//!
//! Events: the Kubernetes audit events of Falco's regression traces (the lines that are
//! events; the traces also hold a few that are not) and the CloudTrail
//! records of the OTRF recording and Falco's RunInstances traces.

mod common;

#[path = "../benches/support/mod.rs"]
mod support;

use rampart_detect::engine::Detector;
use rampart_detect::event::Event;
use rampart_detect::falco::MatchMode;
use rampart_detect::input::{InputFormat, read_events, read_events_file};
use rampart_detect::rawjson::RawJson;

fn events() -> Vec<Event> {
    let mut evs: Vec<Event> =
        read_events(support::k8s_audit_lines().as_bytes(), InputFormat::K8sAudit)
            .flatten()
            .collect();
    for f in [
        "otrf-security-datasets/aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
        "falco-legacy-regression-tests/test/trace_files/plugins/alice_start_instances.json",
        "falco-legacy-regression-tests/test/trace_files/plugins/alice_start_instances_bigevent.json",
    ] {
        let reader = read_events_file(&support::corpus().join(f), InputFormat::Auto)
            .expect("CloudTrail file");
        evs.extend(reader.map(|r| r.expect("CloudTrail record")));
    }
    evs
}

/// The same event with its document as a `serde_json::Value`.
fn as_value(ev: &Event) -> Event {
    Event {
        raw: ev.raw.as_ref().map(|r| RawJson::from(r.to_value())),
        ..ev.clone()
    }
}

#[test]
fn documents_read_in_place_match_like_values() {
    let (Some(_), Some(_), Some(_)) = (
        common::corpus("falco-k8saudit-rules"),
        common::corpus("falco-plugin-rules"),
        common::corpus("sigma-rules"),
    ) else {
        return;
    };
    let c = support::corpus();
    let files: Vec<_> = [
        "falco-k8saudit-rules/k8s_audit_rules.yaml",
        "falco-plugin-rules/aws_cloudtrail_rules.yaml",
    ]
    .iter()
    .map(|f| {
        let p = c.join(f);
        let text = common::read(&p);
        (p, text)
    })
    .collect();
    let (mut falco, report) = support::load(&files);
    assert!(!report.has_errors());
    falco.set_match_mode(MatchMode::All);
    let evs = events();
    assert!(evs.len() > 150, "{} events", evs.len());
    assert!(evs.iter().all(|e| e.raw.is_some()));
    let mut rules = 0;
    for (n, ev) in evs.iter().enumerate() {
        let fast = falco.matching_rules(ev);
        assert_eq!(fast, falco.matching_rules_reference(ev), "event {n}");
        assert_eq!(fast, falco.matching_rules(&as_value(ev)), "event {n}");
        rules += fast.len();
    }
    assert!(rules > 50, "{rules} rule matches");

    let sigma = support::load_sigma_dirs(&[
        c.join("sigma-rules/rules/application/kubernetes"),
        c.join("sigma-rules/rules/cloud"),
    ]);
    let mut det = Detector::new(Some(falco), Some(sigma));
    det.set_hostname("h");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut alerts = 0;
    for (n, ev) in evs.iter().enumerate() {
        a.clear();
        b.clear();
        det.detect(ev, &mut a);
        det.detect(&as_value(ev), &mut b);
        assert_eq!(a, b, "event {n}");
        assert_eq!(
            serde_json::to_string(ev).expect("event JSON"),
            serde_json::to_string(&as_value(ev)).expect("event JSON"),
        );
        alerts += a.len();
    }
    assert!(alerts > 50, "{alerts} alerts");
}
