//! The compiled matchers (typed field readers, event-type tables, compiled string sets,
//! prefix tables, the event-type index) must give exactly the matches of the reference
//! evaluation (generic field extraction over every rule of the source).
//!
//! Events: the fire/near-miss fixtures, recombined (every process with every descriptor,
//! container and event type of the other fixtures), and the generated benchmark mix.

mod common;

#[path = "../benches/support/mod.rs"]
mod support;

use rampart_detect::event::{Event, EventType};
use rampart_detect::falco::{MatchMode, Ruleset};
use rampart_detect::input::{InputFormat, read_events};
use std::path::Path;

fn fixture_events() -> Vec<Event> {
    let fixture = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/falco/syscall_rules.json"
    ));
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&common::read(fixture)).expect("fixture JSON");
    let mut lines = String::new();
    for c in &cases {
        for k in ["fire", "miss"] {
            lines.push_str(&c[k].to_string());
            lines.push('\n');
        }
    }
    read_events(lines.as_bytes(), InputFormat::Rampart)
        .map(|r| r.expect("fixture event parses"))
        .collect()
}

/// Every fixture event, and recombinations of their parts.
fn recombined(base: &[Event]) -> Vec<Event> {
    let mut out = base.to_vec();
    for (i, a) in base.iter().enumerate() {
        for (j, b) in base.iter().enumerate() {
            if i == j {
                continue;
            }
            let mut e = a.clone();
            e.proc = b.proc.clone();
            out.push(e);
            let mut e = a.clone();
            e.fd = b.fd.clone();
            e.args = b.args.clone();
            out.push(e);
            let mut e = a.clone();
            e.container = b.container.clone();
            e.evt_type = b.evt_type.clone();
            out.push(e);
        }
    }
    for t in ["openat", "execve", "connect", "ptrace", "mystery_call"] {
        for a in base {
            let mut e = a.clone();
            e.evt_type = EventType::from_name(t);
            e.res = Some(-2);
            out.push(e);
        }
    }
    out
}

fn assert_same(rs: &Ruleset, events: &[Event]) -> usize {
    let mut hits = 0;
    for (n, ev) in events.iter().enumerate() {
        let fast = rs.matching_rules(ev);
        let reference = rs.matching_rules_reference(ev);
        assert_eq!(fast, reference, "event {n}: {ev:?}");
        hits += fast.len();
    }
    hits
}

#[test]
fn compiled_matchers_agree_with_reference_evaluation() {
    let Some(_) = common::corpus("falco-rules") else {
        return;
    };
    let files = support::upstream_syscall_files().expect("upstream rule files");
    let (mut rs, report) = support::load(&files);
    assert!(!report.has_errors());
    rs.set_match_mode(MatchMode::All);
    let base = fixture_events();
    let events = recombined(&base);
    assert!(events.len() > 5_000, "{} events", events.len());
    let hits = assert_same(&rs, &events);
    let gen_hits = assert_same(&rs, &support::syscall_events(2_000));
    eprintln!(
        "{} + 2000 events, {hits} + {gen_hits} rule matches, fast == reference",
        events.len()
    );
    // Not a vacuous comparison: many rules fire on these events.
    assert!(hits > 1_000, "{hits} matches");
    assert!(gen_hits > 100, "{gen_hits} matches");
}

#[test]
fn generated_rule_variants_agree_with_reference_evaluation() {
    let Some(_) = common::corpus("falco-rules") else {
        return;
    };
    let rs = support::variant_ruleset(300).expect("variants");
    let events = support::syscall_events(1_000);
    let hits = assert_same(&rs, &events);
    assert!(hits > 100, "{hits} matches");
}
