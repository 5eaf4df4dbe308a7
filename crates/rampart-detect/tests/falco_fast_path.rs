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

/// The upstream syscall rule files and their rules, every matching rule alerting.
fn upstream_every_rule_alerting() -> (Vec<(std::path::PathBuf, String)>, Ruleset) {
    let files = support::upstream_syscall_files().expect("upstream rule files");
    let (mut rs, report) = support::load(&files);
    assert!(!report.has_errors());
    rs.set_match_mode(MatchMode::All);
    (files, rs)
}

#[test]
fn compiled_matchers_agree_with_reference_evaluation() {
    let Some(_) = common::corpus("falco-rules") else {
        return;
    };
    let (_, rs) = upstream_every_rule_alerting();
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

/// Every real event of `docs` (JSON lines) once per value of its index field in `values`
/// (set at `path`; `Null` removes the member), read as `format`.
fn audit_variants(
    docs: &[serde_json::Value],
    path: &[&str],
    values: &[serde_json::Value],
    format: InputFormat,
) -> Vec<Event> {
    let mut lines = String::new();
    for d in docs {
        for v in values {
            let mut e = d.clone();
            let (last, parents) = path.split_last().expect("path");
            if v.is_null() {
                let parent = format!("/{}", parents.join("/"));
                if let Some(o) = e.pointer_mut(&parent).and_then(|p| p.as_object_mut()) {
                    o.remove(*last);
                }
            } else {
                let mut at = &mut e;
                for p in parents {
                    at = &mut at[*p];
                }
                at[*last] = v.clone();
            }
            lines.push_str(&e.to_string());
            lines.push('\n');
        }
    }
    read_events(lines.as_bytes(), format)
        .map(|r| r.expect("variant parses"))
        .collect()
}

/// The candidate index of audit rules (by `ka.target.resource`, by `ct.name`, with `or`s of
/// values) must skip only rules that cannot match: real Kubernetes audit events and
/// CloudTrail records, each with its index field set to every value the events and rules
/// use, removed, or not text, matched with and without the index.
#[test]
fn audit_rule_index_agrees_with_reference_evaluation() {
    let (Some(_), Some(_), Some(plugins), Some(otrf)) = (
        common::corpus("falco-k8saudit-rules"),
        common::corpus("sigma-rules"),
        common::corpus("falco-plugin-rules"),
        common::corpus("otrf-security-datasets"),
    ) else {
        return;
    };
    let (k8s, _) = support::k8s_rulesets().expect("k8s audit rules");
    // (The traces hold one document that is not an audit event: left out.)
    let docs: Vec<serde_json::Value> = support::k8s_audit_lines()
        .lines()
        .filter(|l| read_events(l.as_bytes(), InputFormat::K8sAudit).all(|r| r.is_ok()))
        .map(|l| serde_json::from_str(l).expect("audit line"))
        .collect();
    assert!(docs.len() >= 50, "{} audit events", docs.len());
    let mut values: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| d["objectRef"]["resource"].clone())
        .filter(|v| !v.is_null())
        .collect();
    // And resources rules test for that the traces lack.
    values.extend(["roles", "rolebindings", "daemonsets"].map(serde_json::Value::from));
    values.sort_by_key(|v| v.to_string());
    values.dedup();
    assert!(values.len() >= 10, "{values:?}");
    values.extend([
        serde_json::Value::Null,
        serde_json::json!(["pods"]),
        serde_json::json!(5),
        serde_json::json!("PODS"),
    ]);
    let events = audit_variants(
        &docs,
        &["objectRef", "resource"],
        &values,
        InputFormat::K8sAudit,
    );
    let hits = assert_same(&k8s, &events);
    assert!(hits > 300, "{hits} k8s audit matches");

    let rules_path = plugins.join("aws_cloudtrail_rules.yaml");
    let text = common::read(&rules_path);
    let (mut ct, _) = support::load(&[(rules_path, text.clone())]);
    ct.set_match_mode(MatchMode::All);
    let recording = common::read(&otrf.join("aws/ec2_proxy_s3_exfiltration_2020-09-14011940.json"));
    let records: Vec<serde_json::Value> = recording
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    // Every event name the rules test for, and those of the recording.
    let mut names: Vec<serde_json::Value> = text
        .split("ct.name")
        .skip(1)
        .flat_map(|rest| {
            let rest = rest.trim_start();
            let list = match rest.strip_prefix('=') {
                Some(eq) => eq
                    .split(|c: char| c.is_whitespace() || c == ')')
                    .next()
                    .unwrap_or(""),
                None => rest
                    .strip_prefix("in")
                    .and_then(|r| r.trim_start().strip_prefix('('))
                    .and_then(|r| r.split(')').next())
                    .unwrap_or(""),
            };
            list.split(',')
                .map(|s| s.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .map(serde_json::Value::from)
        .collect();
    names.extend(records.iter().map(|r| r["eventName"].clone()));
    names.sort_by_key(|v| v.to_string());
    names.dedup();
    assert!(names.len() >= 20, "{names:?}");
    names.extend([serde_json::Value::Null, serde_json::json!(7)]);
    let events = audit_variants(&records, &["eventName"], &names, InputFormat::Cloudtrail);
    let hits = assert_same(&ct, &events);
    assert!(hits > 100, "{hits} CloudTrail matches");
}

/// The file-name prefix index (rules requiring `fd.name` or `fd.directory` values) must
/// skip only rules that cannot match: every path the upstream rule files mention, and
/// paths below, beside and above each, as the file (and directory) name of fixture events
/// of each event type, and the same events without a file.
#[test]
fn path_prefix_index_agrees_with_reference_evaluation() {
    let Some(_) = common::corpus("falco-rules") else {
        return;
    };
    let (files, rs) = upstream_every_rule_alerting();
    let mut paths = std::collections::BTreeSet::new();
    for (_, text) in &files {
        let tokens = text.split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | '\'' | '[' | ']')
        });
        for t in tokens.filter(|t| t.starts_with('/')) {
            paths.insert(t.to_string());
            paths.insert(format!("{t}/x"));
            paths.insert(format!("{t}x"));
            if let Some((parent, _)) = t.trim_end_matches('/').rsplit_once('/') {
                paths.insert(parent.to_string());
            }
        }
    }
    paths.extend(["relative/name".to_string(), String::new(), "/".to_string()]);
    assert!(paths.len() > 500, "{} paths", paths.len());
    // One event with a file per event type and arguments (open flags...), from the
    // fixtures and the generated mix.
    let mut base: Vec<Event> = Vec::new();
    let with_fd = fixture_events()
        .into_iter()
        .chain(support::syscall_events(2_000))
        .filter(|e| e.fd.is_some());
    for e in with_fd {
        if !base
            .iter()
            .any(|b| b.evt_type == e.evt_type && b.args == e.args)
        {
            base.push(e);
        }
    }
    assert!(base.len() >= 5, "{} event types", base.len());
    let mut events = Vec::new();
    for b in &base {
        for p in &paths {
            for dir in [false, true] {
                let mut e = b.clone();
                if let Some(fd) = e.fd.as_mut() {
                    fd.name = p.clone();
                    if dir {
                        fd.fd_type = rampart_detect::event::FdType::Directory;
                    }
                }
                events.push(e);
            }
        }
        let mut e = b.clone();
        e.fd = None;
        events.push(e);
    }
    let hits = assert_same(&rs, &events);
    eprintln!(
        "{} events, {hits} rule matches, fast == reference",
        events.len()
    );
    assert!(hits > 1_000, "{hits} matches");
}
