//! `rampart detect` as a stream and its noise control: an alert leaves while stdin is still
//! open, duplicates and rate-limited alerts are counted and summarized, never dropped
//! silently. Events are Falco's real Kubernetes audit traces with the rules those traces
//! were tested with.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// The pinned k8s-audit rules and the privileged-pod event (one JSON line).
fn k8s() -> Option<(PathBuf, String)> {
    let t = corpus("falco-legacy-regression-tests")?;
    let rules = t.join("rules-used-by-these-tests/k8s_audit_rules.k8saudit-0.6.0.yaml");
    let event = std::fs::read_to_string(
        t.join("test/trace_files/k8s_audit/create_nginx_pod_privileged.json"),
    )
    .unwrap();
    Some((rules, event.trim().to_string()))
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn stdin_alert_arrives_before_stdin_closes() {
    let Some((rules, event)) = k8s() else { return };
    let mut child = rampart()
        .args(["detect", "--format", "json", "--rules"])
        .arg(&rules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A slow producer: one event, then nothing while we wait for its alert.
    writeln!(stdin, "{event}").unwrap();
    stdin.flush().unwrap();
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the first alert while stdin is open");
    assert!(
        child.try_wait().unwrap().is_none(),
        "rampart must still be running"
    );
    let a: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(a["rule"], "Create Privileged Pod");
    // A line that is not an event, another event, then end of input.
    writeln!(stdin, "not json").unwrap();
    writeln!(stdin, "{event}").unwrap();
    drop(stdin);
    let second = rx.recv_timeout(Duration::from_secs(60)).expect("second");
    assert_eq!(second, first);
    let status = child.wait().unwrap();
    assert!(status.success());
    reader.join().unwrap();
    assert!(rx.try_recv().is_err(), "exactly two alerts");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("<stdin>: record 2: not JSON"), "{err}");
}

#[test]
fn pretty_printed_event_list_is_read_whole() {
    let Some((rules, event)) = k8s() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let list = tmp.path().join("list.json");
    let ev: serde_json::Value = serde_json::from_str(&event).unwrap();
    let doc = serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [ev, ev]});
    std::fs::write(&list, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let (code, out, err) = run(&[
        "detect",
        "--format",
        "json",
        list.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_lines(&out).len(), 2, "{out}");
}

#[test]
fn duplicates_are_suppressed_and_counted() {
    let Some((rules, event)) = k8s() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("events.jsonl");
    std::fs::write(&input, format!("{event}\n").repeat(5)).unwrap();
    let (code, out, err) = run(&[
        "detect",
        "--format",
        "json",
        "--stats",
        "--dedup-window",
        "1h",
        input.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let a = json_lines(&out);
    assert_eq!(a.len(), 2, "{out}");
    assert_eq!(a[0]["rule"], "Create Privileged Pod");
    // The summary: same shape, same priority and source, the counts in output_fields.
    assert_eq!(a[1]["rule"], "Alerts suppressed");
    assert_eq!(a[1]["priority"], "Warning");
    assert_eq!(a[1]["source"], "k8s_audit");
    // At the end of input, in event time.
    assert_eq!(a[1]["time"], "2018-10-25T14:09:12.581541000Z");
    assert_eq!(
        a[1]["output_fields"],
        serde_json::json!({
            "suppressed.rule": "Create Privileged Pod",
            "suppressed.count": 4,
            "suppressed.duplicates": 4,
            "suppressed.rate_limited": 0,
            "suppressed.since": "2018-10-25T14:09:12.581541000Z",
        })
    );
    assert!(err.contains("events 5, skipped 0, alerts 5"), "{err}");
    assert!(
        err.contains(
            "delivered 1, suppressed 4 (4 duplicates, 0 over the rate limit), 1 summary alerts"
        ),
        "{err}"
    );
    // Per rule: evaluations, matches, suppressed and time.
    let row = err
        .lines()
        .find(|l| l.ends_with("falco  Create Privileged Pod"))
        .unwrap_or_else(|| panic!("{err}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[1..3], ["5", "4"], "{row}");
    assert!(cols[3].parse::<f64>().is_ok(), "{row}");

    // The key decides what counts as the same: by default every output field, so another
    // pod is not a duplicate; keyed on the source alone, it is.
    let mut other: serde_json::Value = serde_json::from_str(&event).unwrap();
    other["responseObject"]["metadata"]["name"] = "nginx-2".into();
    let other = other.to_string();
    std::fs::write(&input, format!("{event}\n{event}\n{other}\n{other}\n")).unwrap();
    let delivered = |extra: &[&str]| {
        let mut args = vec!["detect", "--format", "json", "--dedup-window", "1h"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&[input.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{err}");
        json_lines(&out)
            .iter()
            .map(|a| match a["rule"].as_str().unwrap() {
                "Alerts suppressed" => {
                    format!("suppressed {}", a["output_fields"]["suppressed.count"])
                }
                _ => a["output_fields"]["ka.resp.name"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        delivered(&[]),
        [
            "nginx-deployment-5cdcc99dbf-rgw6z",
            "nginx-2",
            "suppressed 2"
        ]
    );
    assert_eq!(
        delivered(&["--dedup-key", "source"]),
        ["nginx-deployment-5cdcc99dbf-rgw6z", "suppressed 3"]
    );
}

#[test]
fn rate_limit_per_rule() {
    let Some((rules, event)) = k8s() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("events.jsonl");
    std::fs::write(&input, format!("{event}\n").repeat(5)).unwrap();
    let (code, out, err) = run(&[
        "detect",
        "--stats",
        "--rate-limit",
        "2/1m",
        input.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], lines[1]);
    assert!(
        lines[2].ends_with(
            "Warning 3 alerts of rule 'Create Privileged Pod' suppressed since 2018-10-25T14:09:12.581541000Z (0 duplicates, 3 over the rate limit)"
        ),
        "{}",
        lines[2]
    );
    assert!(
        err.contains("(0 duplicates, 3 over the rate limit)"),
        "{err}"
    );
    let (code, _, err) = run(&[
        "detect",
        "--rate-limit",
        "lots",
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("N/DURATION"), "{err}");
}
