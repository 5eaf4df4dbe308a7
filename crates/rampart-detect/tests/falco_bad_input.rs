//! Bad input never panics: truncated rule files, truncated conditions, garbage events.

mod common;

use rampart_detect::falco::{condition, load_falco};
use rampart_detect::input::{InputFormat, read_events};
use std::path::Path;

#[test]
fn truncated_rule_files_never_panic() {
    let Some(base) = common::corpus("falco-k8saudit-rules") else {
        return;
    };
    let text = common::read(&base.join("k8s_audit_rules.yaml"));
    let mut rejected = 0;
    let mut cuts = 0;
    for cut in (0..text.len()).step_by(text.len() / 150 + 1) {
        if !text.is_char_boundary(cut) {
            continue;
        }
        cuts += 1;
        let (_, report) = load_falco(&[(Path::new("cut.yaml"), &text[..cut])]);
        if report.has_errors() {
            rejected += 1;
            // Every error names the file and a line inside it.
            for e in report.errors() {
                assert_eq!(e.file, Path::new("cut.yaml"));
                assert!(e.line <= text[..cut].lines().count() + 1, "{e}");
            }
        }
    }
    assert!(cuts > 100);
    assert!(rejected > 0, "some truncations must be rejected");
}

#[test]
fn truncated_conditions_never_panic() {
    let cond = "evt.type in (open, openat) and not (proc.name = \"cat\" or proc.aname[2] startswith sh) \
                and fd.name pmatch (/etc, /usr) and tolower(proc.cmdline) contains 'ü' and json.value[/a~1b] exists";
    let mut ok = 0;
    for (i, _) in cond.char_indices() {
        if condition::parse(&cond[..i]).is_ok() {
            ok += 1;
        }
    }
    assert!(condition::parse(cond).is_ok());
    assert!(ok > 0);
    for bad in [
        "(",
        ")",
        "a and",
        "not",
        "x in (",
        "proc.name =",
        "((a)",
        "proc.name[",
        "'",
        "\"\\",
    ] {
        assert!(condition::parse(bad).is_err(), "{bad:?} must be rejected");
    }
}

#[test]
fn garbage_events_are_counted_and_skipped() {
    let input = b"\x00\xff\xfe not json\n{\"type\":\"execve\"}\n[1,2]\n{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"EventList\"}\n{";
    let results: Vec<_> = read_events(&input[..], InputFormat::Auto).collect();
    let bad: Vec<usize> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|(l, _)| *l))
        .collect();
    let good = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        good, 2,
        "the execve event and [1,2] as a plain JSON document"
    );
    assert_eq!(bad, vec![1, 4, 5]);
}
