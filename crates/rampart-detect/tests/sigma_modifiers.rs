//! One test per Sigma value modifier, value type and condition form, each over a small
//! inline rule and JSON events; then bad input, which must never panic.

use rampart_detect::sigma::{JsonDoc, LogSource, SigmaRuleStatus, load_sigma};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A rule of log source `product: test` whose `detection` is `detection` (YAML, indented
/// by four spaces per level as written below).
fn rule(detection: &str) -> String {
    let mut s =
        String::from("title: t\nid: t-1\nlevel: high\nlogsource:\n  product: test\ndetection:\n");
    for line in detection.lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// Whether the rule with `detection` matches each event, in order.
fn check(detection: &str, events: &[Value]) -> Vec<bool> {
    let text = rule(detection);
    let (rules, status) = load_sigma(&[("t.yml", &text)]);
    assert!(status[0].is_ok(), "{}\n{text}", status[0]);
    let source = LogSource::new(Some("test"), None, None);
    events
        .iter()
        .map(|ev| {
            let mut out = Vec::new();
            rules.matches(source, &JsonDoc(ev), &mut out);
            !out.is_empty()
        })
        .collect()
}

/// The status of a rule with `detection`.
fn status(detection: &str) -> SigmaRuleStatus {
    let text = rule(detection);
    let (_, mut status) = load_sigma(&[("t.yml", &text)]);
    assert_eq!(status.len(), 1);
    status.remove(0)
}

fn cmd(c: &str) -> Value {
    json!({ "CommandLine": c })
}

#[test]
fn plain_value_is_case_insensitive_exact() {
    let d = "sel:\n  CommandLine: 'Whoami'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[cmd("whoami"), cmd("WHOAMI"), cmd("whoami /all"), json!({})]
        ),
        [true, true, false, false]
    );
}

#[test]
fn contains() {
    let d = "sel:\n  CommandLine|contains: 'ExecutionPolicy'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[cmd("powershell -executionpolicy bypass"), cmd("powershell")]
        ),
        [true, false]
    );
}

#[test]
fn startswith_and_endswith() {
    let d = "a:\n  CommandLine|startswith: 'curl '\nb:\n  CommandLine|endswith: '.sh'\ncondition: a and b";
    assert_eq!(
        check(
            d,
            &[
                cmd("curl http://x/a.SH"),
                cmd("wget http://x/a.sh"),
                cmd("curl http://x/a.py")
            ]
        ),
        [true, false, false]
    );
}

#[test]
fn list_is_or_and_all_is_and() {
    let any = "sel:\n  CommandLine|contains:\n    - 'nc '\n    - 'ncat '\ncondition: sel";
    assert_eq!(check(any, &[cmd("ncat -e"), cmd("bash")]), [true, false]);
    let all = "sel:\n  CommandLine|contains|all:\n    - ' -e '\n    - 'nc '\ncondition: sel";
    assert_eq!(
        check(all, &[cmd("nc -e /bin/sh"), cmd("nc -l 80")]),
        [true, false]
    );
}

#[test]
fn many_substrings_share_an_automaton() {
    let values: String = (0..40).map(|i| format!("    - 'tool{i:02}'\n")).collect();
    let d = format!("sel:\n  CommandLine|contains:\n{values}condition: sel");
    assert_eq!(
        check(
            &d,
            &[cmd("run TOOL07 now"), cmd("run tool40"), cmd("tool39")]
        ),
        [true, false, true]
    );
}

#[test]
fn wildcards_and_escapes() {
    let d = "sel:\n  CommandLine:\n    - 'a*c'\n    - 'x?z'\n    - 'lit\\*eral'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                cmd("abbbc"),
                cmd("xyz"),
                cmd("xz"),
                cmd("lit*eral"),
                cmd("litXeral")
            ]
        ),
        [true, true, false, true, false]
    );
    // `\\*` is a backslash then a wildcard; `\\\*` a backslash then a star; `\\\\` is `\\`.
    let d = "sel:\n  p:\n    - 'a\\\\*'\n    - 'b\\\\\\*'\n    - 'c\\\\\\\\d'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"p": "a\\xyz"}),
                json!({"p": "axyz"}),
                json!({"p": "b\\*"}),
                json!({"p": "b\\x"}),
                json!({"p": "c\\\\d"}),
            ]
        ),
        [true, false, true, false, true]
    );
    // A backslash before anything else is literal.
    let d = "sel:\n  Image|endswith: '\\cmd.exe'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"Image": "C:\\Windows\\CMD.EXE"}),
                json!({"Image": "xcmd.exe"})
            ]
        ),
        [true, false]
    );
}

#[test]
fn re_and_its_flags() {
    let d = "sel:\n  CommandLine|re: '^ab+c$'\ncondition: sel";
    assert_eq!(check(d, &[cmd("abbc"), cmd("ABBC")]), [true, false]);
    let d = "sel:\n  CommandLine|re|i: '^ab+c$'\ncondition: sel";
    assert_eq!(check(d, &[cmd("ABBC")]), [true]);
    let d = "sel:\n  CommandLine|re|m: '^second$'\ncondition: sel";
    assert_eq!(check(d, &[cmd("first\nsecond")]), [true]);
    let d = "sel:\n  CommandLine|re: '^second$'\ncondition: sel";
    assert_eq!(check(d, &[cmd("first\nsecond")]), [false]);
    let d = "sel:\n  CommandLine|re|s: 'a.b'\ncondition: sel";
    assert_eq!(check(d, &[cmd("a\nb")]), [true]);
    let d = "sel:\n  CommandLine|re: 'a.b'\ncondition: sel";
    assert_eq!(check(d, &[cmd("a\nb")]), [false]);
}

#[test]
fn cidr() {
    let d = "sel:\n  ip|cidr:\n    - '10.0.0.0/8'\n    - 'fd00::/8'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"ip": "10.20.30.40"}),
                json!({"ip": "192.168.1.1"}),
                json!({"ip": "fd00::1"}),
                json!({"ip": "not an ip"})
            ]
        ),
        [true, false, true, false]
    );
}

#[test]
fn base64_and_base64offset() {
    // "/bin/bash" is L2Jpbi9iYXNo in base64.
    let d = "sel:\n  data|base64: '/bin/bash'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"data": "L2Jpbi9iYXNo"}),
                json!({"data": "l2jpbi9iyxno"})
            ]
        ),
        [true, false]
    );
    // "xx/bin/bash" and "x/bin/bash" put the value at the other two offsets.
    let d = "sel:\n  data|base64offset|contains: '/bin/bash'\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"data": "ZWNobyAvYmluL2Jhc2g="}), // "echo /bin/bash"
                json!({"data": "eHgvYmluL2Jhc2g="}),     // "xx/bin/bash"
                json!({"data": "eC9iaW4vYmFzaA=="}),     // "x/bin/bash"
                json!({"data": "aGVsbG8="})              // "hello"
            ]
        ),
        [true, true, true, false]
    );
}

#[test]
fn wide_utf16_encodings() {
    // "cmd" as UTF-16LE is 63 00 6d 00 64 00, base64 YwBtAGQA.
    let d = "sel:\n  data|wide|base64: 'cmd'\ncondition: sel";
    assert_eq!(check(d, &[json!({"data": "YwBtAGQA"})]), [true]);
    let d = "sel:\n  data|utf16le|base64: 'cmd'\ncondition: sel";
    assert_eq!(check(d, &[json!({"data": "YwBtAGQA"})]), [true]);
    // UTF-16BE: 00 63 00 6d 00 64 -> AGMAbQBk.
    let d = "sel:\n  data|utf16be|base64: 'cmd'\ncondition: sel";
    assert_eq!(check(d, &[json!({"data": "AGMAbQBk"})]), [true]);
    // With a byte-order mark: FF FE 63 00 6d 00 64 00 -> //5jAG0AZAA=.
    let d = "sel:\n  data|utf16|base64: 'cmd'\ncondition: sel";
    assert_eq!(check(d, &[json!({"data": "//5jAG0AZAA="})]), [true]);
    // Without base64, the NUL-interleaved text itself.
    let d = "sel:\n  data|wide: 'ab'\ncondition: sel";
    assert_eq!(
        check(d, &[json!({"data": "a\u{0}b\u{0}"}), json!({"data": "ab"})]),
        [true, false]
    );
}

#[test]
fn windash() {
    let d = "sel:\n  CommandLine|windash|contains: ' -exec '\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                cmd("x -exec y"),
                cmd("x /exec y"),
                cmd("x \u{2013}exec y"),
                cmd("x \u{2014}exec y"),
                cmd("x \u{2015}exec y"),
                cmd("x +exec y")
            ]
        ),
        [true, true, true, true, true, false]
    );
    // Many dashes use a character class instead of 5^n variants.
    let d = "sel:\n  CommandLine|windash|contains: '-a -b -c -d'\ncondition: sel";
    assert_eq!(
        check(d, &[cmd("/a -b \u{2013}c /d"), cmd("-a -b -c +d")]),
        [true, false]
    );
}

#[test]
fn exists() {
    let d = "sel:\n  user|exists: true\ncondition: sel";
    assert_eq!(
        check(d, &[json!({"user": "x"}), json!({"user": null}), json!({})]),
        [true, true, false]
    );
    let d = "sel:\n  user|exists: false\ncondition: sel";
    assert_eq!(check(d, &[json!({"user": "x"}), json!({})]), [false, true]);
}

#[test]
fn numeric_comparisons() {
    let ev = |n: Value| json!({ "n": n });
    let evs = [ev(json!(5)), ev(json!(10)), ev(json!("15")), ev(json!("x"))];
    let d = "sel:\n  n|gt: 5\ncondition: sel";
    assert_eq!(check(d, &evs), [false, true, true, false]);
    let d = "sel:\n  n|gte: 10\ncondition: sel";
    assert_eq!(check(d, &evs), [false, true, true, false]);
    let d = "sel:\n  n|lt: 10\ncondition: sel";
    assert_eq!(check(d, &evs), [true, false, false, false]);
    let d = "sel:\n  n|lte: 10\ncondition: sel";
    assert_eq!(check(d, &evs), [true, true, false, false]);
}

#[test]
fn fieldref() {
    let d = "sel:\n  a|fieldref: b\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"a": "Root", "b": "root"}),
                json!({"a": "root", "b": "admin"}),
                json!({"a": "root"})
            ]
        ),
        [true, false, false]
    );
    let d = "sel:\n  a|fieldref|startswith: b\ncondition: sel";
    assert_eq!(check(d, &[json!({"a": "rootkit", "b": "root"})]), [true]);
}

#[test]
fn cased() {
    let d = "sel:\n  CommandLine|cased: 'Bypass'\ncondition: sel";
    assert_eq!(check(d, &[cmd("Bypass"), cmd("bypass")]), [true, false]);
    let d = "sel:\n  CommandLine|contains|cased: 'Bypass'\ncondition: sel";
    assert_eq!(
        check(d, &[cmd("-ep Bypass"), cmd("-ep BYPASS")]),
        [true, false]
    );
}

#[test]
fn neq() {
    let d = "sel:\n  user|neq: root\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[json!({"user": "alice"}), json!({"user": "ROOT"}), json!({})]
        ),
        [true, false, false]
    );
}

#[test]
fn null_and_empty_values() {
    let d = "sel:\n  a: x\nempty:\n  b: ''\ncondition: sel and empty";
    assert_eq!(
        check(
            d,
            &[json!({"a": "x", "b": ""}), json!({"a": "x", "b": "y"})]
        ),
        [true, false]
    );
    let d = "sel:\n  a: x\nnone:\n  b: null\ncondition: sel and none";
    assert_eq!(
        check(
            d,
            &[
                json!({"a": "x"}),
                json!({"a": "x", "b": null}),
                json!({"a": "x", "b": "y"})
            ]
        ),
        [true, true, false]
    );
}

#[test]
fn numbers_booleans_and_strings() {
    let d = "sel:\n  EventID: 4688\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"EventID": 4688}),
                json!({"EventID": "4688"}),
                json!({"EventID": 46880})
            ]
        ),
        [true, true, false]
    );
    let d = "sel:\n  ok: true\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"ok": true}),
                json!({"ok": "True"}),
                json!({"ok": false})
            ]
        ),
        [true, true, false]
    );
    // A quoted number is a string: matches the number's text too.
    let d = "sel:\n  code: '403'\ncondition: sel";
    assert_eq!(
        check(d, &[json!({"code": 403}), json!({"code": "403"})]),
        [true, true]
    );
    let d = "sel:\n  n|contains: 12\ncondition: sel";
    assert_eq!(check(d, &[json!({"n": 51234})]), [true]);
}

#[test]
fn lists_in_events_match_any_element() {
    let d = "sel:\n  tags: prod\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[json!({"tags": ["dev", "PROD"]}), json!({"tags": ["dev"]})]
        ),
        [true, false]
    );
    let d = "sel:\n  items.name|contains|all:\n    - a\n    - b\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"items": [{"name": "xa"}, {"name": "bx"}]}),
                json!({"items": [{"name": "a"}]})
            ]
        ),
        [true, false]
    );
}

#[test]
fn keywords_search_the_whole_event() {
    let d = "keywords:\n  - 'port-control'\n  - 'dot1x'\ncondition: keywords";
    assert_eq!(
        check(
            d,
            &[
                json!({"msg": "no DOT1X system-auth-control"}),
                json!({"x": {"y": "port-control"}}),
                json!({"msg": "hello"})
            ]
        ),
        [true, true, false]
    );
    let d = "kw:\n  '|all':\n    - 'dd'\n    - 'if='\ncondition: kw";
    assert_eq!(
        check(
            d,
            &[
                json!({"a0": "dd", "a1": "if=/dev/zero"}),
                json!({"a0": "dd"})
            ]
        ),
        [true, false]
    );
}

#[test]
fn list_of_maps_is_or_of_ands() {
    let d = "sel:\n  - a: 1\n    b: 2\n  - c: 3\ncondition: sel";
    assert_eq!(
        check(
            d,
            &[
                json!({"a": 1, "b": 2}),
                json!({"a": 1}),
                json!({"c": 3}),
                json!({})
            ]
        ),
        [true, false, true, false]
    );
}

#[test]
// The expected truth tables mirror the conditions as written, unsimplified.
#[allow(clippy::nonminimal_bool)]
fn condition_and_or_not_parentheses() {
    let sels = "a:\n  x: 1\nb:\n  y: 1\nc:\n  z: 1\n";
    let ev = |x: i32, y: i32, z: i32| json!({"x": x, "y": y, "z": z});
    let all8: Vec<Value> = (0..8)
        .map(|i| ev(i & 1, (i >> 1) & 1, (i >> 2) & 1))
        .collect();
    let truth = |cond: &str| check(&format!("{sels}condition: {cond}"), &all8);
    let want = |f: &dyn Fn(bool, bool, bool) -> bool| -> Vec<bool> {
        (0..8)
            .map(|i| f(i & 1 == 1, (i >> 1) & 1 == 1, (i >> 2) & 1 == 1))
            .collect()
    };
    assert_eq!(truth("a and b"), want(&|a, b, _| a && b));
    assert_eq!(truth("a or b"), want(&|a, b, _| a || b));
    assert_eq!(truth("not a"), want(&|a, _, _| !a));
    // Precedence: not > and > or.
    assert_eq!(truth("a or b and c"), want(&|a, b, c| a || (b && c)));
    assert_eq!(truth("not a and b"), want(&|a, b, _| !a && b));
    assert_eq!(truth("not a or b"), want(&|a, b, _| !a || b));
    assert_eq!(truth("(a or b) and c"), want(&|a, b, c| (a || b) && c));
    assert_eq!(truth("not (a or b)"), want(&|a, b, _| !(a || b)));
    assert_eq!(
        truth("a and not (b or not c)"),
        want(&|a, b, c| a && !(b || !c))
    );
}

#[test]
fn condition_quantifiers() {
    let sels = "sel_a:\n  x: 1\nsel_b:\n  y: 1\nfilter:\n  z: 1\n";
    let ev = |x: i32, y: i32, z: i32| json!({"x": x, "y": y, "z": z});
    let evs = [ev(1, 0, 0), ev(1, 1, 0), ev(1, 1, 1), ev(0, 0, 1)];
    let c = |cond: &str| check(&format!("{sels}condition: {cond}"), &evs);
    assert_eq!(c("1 of sel_*"), [true, true, true, false]);
    assert_eq!(c("all of sel_*"), [false, true, true, false]);
    assert_eq!(c("1 of them"), [true, true, true, true]);
    assert_eq!(c("all of them"), [false, false, true, false]);
    assert_eq!(c("1 of sel_* and not filter"), [true, true, false, false]);
    assert_eq!(c("any of sel_*"), [true, true, true, false]);
    // A list of conditions is their OR.
    let d = format!("{sels}condition:\n  - sel_a and sel_b\n  - filter");
    assert_eq!(check(&d, &evs), [false, true, true, true]);
}

#[test]
fn logsource_routing() {
    let text = "title: ct\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  sel:\n    eventName: X\n  condition: sel\n";
    let (rules, _) = load_sigma(&[("ct.yml", text)]);
    let ev = json!({"eventName": "X"});
    let mut out = Vec::new();
    rules.matches(LogSource::AWS_CLOUDTRAIL, &JsonDoc(&ev), &mut out);
    assert_eq!(out.len(), 1);
    rules.matches(LogSource::KUBERNETES_AUDIT, &JsonDoc(&ev), &mut out);
    rules.matches(LogSource::GCP_AUDIT, &JsonDoc(&ev), &mut out);
    rules.matches(
        LogSource::new(Some("aws"), None, None),
        &JsonDoc(&ev),
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].title, "ct");
    assert_eq!(out[0].level, None);
}

#[test]
fn match_carries_metadata() {
    let text = "title: Meta\nid: 1234\nlevel: critical\ntags:\n  - attack.t1078\n  - attack.initial-access\nlogsource:\n  product: test\ndetection:\n  sel:\n    a: 1\n  condition: sel\n";
    let (rules, _) = load_sigma(&[("m.yml", text)]);
    let mut out = Vec::new();
    rules.matches(
        LogSource::new(Some("test"), None, None),
        &JsonDoc(&json!({"a": 1})),
        &mut out,
    );
    let m = out[0];
    assert_eq!(
        (m.title, m.id, m.level),
        ("Meta", Some("1234"), Some("critical"))
    );
    assert_eq!(m.severity, rampart_core::Severity::Critical);
    assert_eq!(m.tags, ["attack.t1078", "attack.initial-access"]);
    assert_eq!(rules.rules()[0].to_rule_meta().id, "sigma-1234");
}

// ---- bad input ----

#[test]
fn invalid_yaml_is_an_error_with_line() {
    let (rules, st) = load_sigma(&[(
        "bad.yml",
        "title: x\ndetection:\n  sel: [a, b\n  condition: sel\n",
    )]);
    assert!(rules.is_empty());
    match &st[0] {
        SigmaRuleStatus::Error { path, line, reason } => {
            assert_eq!(path, "bad.yml");
            assert!(line.is_some_and(|l| l >= 3), "{line:?}");
            assert!(reason.starts_with("invalid YAML"), "{reason}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn unbalanced_parentheses_are_errors() {
    for cond in ["(a and b", "a and b)", "((a)", "a and (b or"] {
        let s = status(&format!("a:\n  x: 1\nb:\n  y: 1\ncondition: '{cond}'"));
        match s {
            SigmaRuleStatus::Error { line, reason, .. } => {
                assert_eq!(line, Some(11), "{cond}: {reason}");
            }
            other => panic!("{cond}: {other}"),
        }
    }
    let s = status("a:\n  x: 1\ncondition: a and nope");
    assert!(
        s.to_string().contains("`nope`, which is not a selection"),
        "{s}"
    );
}

#[test]
fn unknown_modifier_is_unsupported_with_reason() {
    match status("sel:\n  x|frobnicate: 1\ncondition: sel") {
        SigmaRuleStatus::Unsupported { reasons, title, .. } => {
            assert_eq!(title, "t");
            assert_eq!(reasons, ["unknown modifier `frobnicate`"]);
        }
        other => panic!("{other}"),
    }
    match status("sel:\n  x|expand: '%foo%'\nsel2:\n  y|hour: 3\ncondition: sel and sel2") {
        SigmaRuleStatus::Unsupported { reasons, .. } => assert_eq!(reasons.len(), 2),
        other => panic!("{other}"),
    }
    match status("sel:\n  x: 1\ncondition: sel | count() by y > 3") {
        SigmaRuleStatus::Unsupported { reasons, .. } => {
            assert!(reasons[0].starts_with("aggregation"), "{reasons:?}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn catastrophic_regex_runs_in_linear_time() {
    let d = "sel:\n  CommandLine|re: '^(a+)+$'\ncondition: sel";
    let text = rule(d);
    let (rules, st) = load_sigma(&[("re.yml", &text)]);
    assert!(st[0].is_ok());
    let ev = cmd(&format!("{}!", "a".repeat(100_000)));
    let start = Instant::now();
    let mut out = Vec::new();
    rules.matches(
        LogSource::new(Some("test"), None, None),
        &JsonDoc(&ev),
        &mut out,
    );
    assert!(out.is_empty());
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    // Backreferences and look-around are not linear: unsupported, with the reason.
    match status("sel:\n  x|re: '(a)\\1'\ncondition: sel") {
        SigmaRuleStatus::Unsupported { reasons, .. } => {
            assert!(reasons[0].starts_with("regular expression"), "{reasons:?}")
        }
        other => panic!("{other}"),
    }
}

#[test]
fn odd_shapes_never_panic() {
    let cases = [
        "",
        "---\n",
        "- a\n- b\n",
        "title: x\n",
        "title: x\ndetection: 3\n",
        "title: x\ndetection:\n  sel:\n    a: 1\n",
        "title: x\ndetection:\n  sel:\n    a:\n      b: c\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    - [1, 2]\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a|cidr: 'nope'\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a|gt: 'x'\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a|exists: 3\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a|contains|startswith: b\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a: []\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    ? [a]\n    : 1\n  condition: sel\n",
        "title: x\ndetection:\n  condition: [1, 2]\n",
        "title: [x]\n",
        "title: x\naction: global\n---\ndetection:\n  condition: x\n",
        "title: x\ncorrelation:\n  type: event_count\n",
        "title: &a x\nid: *a\ndetection:\n  sel:\n    a: *a\n  condition: sel\n",
        "title: x\ndetection:\n  sel:\n    a: \"\\u0000\\uffff\"\n  condition: 1 of\n",
    ];
    let mut counts = [0usize; 3];
    for (i, c) in cases.iter().enumerate() {
        let (_, st) = load_sigma(&[("odd.yml", c)]);
        for s in &st {
            counts[match s {
                SigmaRuleStatus::Ok { .. } => 0,
                SigmaRuleStatus::Unsupported { .. } => 1,
                SigmaRuleStatus::Error { .. } => 2,
            }] += 1;
            if !s.is_ok() {
                assert!(s.to_diagnostic().is_some(), "case {i}");
            }
        }
        assert!(!st.is_empty(), "case {i}: no status");
    }
    // Only the anchored rule loads; the collection and the correlation are unsupported.
    assert_eq!(counts, [1, 2, 17]);
}
