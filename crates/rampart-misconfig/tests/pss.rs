//! Pod Security Standards verdicts against the Kubernetes project's own fixtures, one test
//! per policy version: every `pass/` pod must be allowed and every `fail/` pod refused.

use rampart_misconfig::{Level, PssVersion, pss_verdict};
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// The corpus folder, or `None` (with a note) when it is absent outside CI.
fn corpus(sub: &str) -> Option<PathBuf> {
    let p = Path::new(CORPUS).join(sub);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus folder {} is missing (CI=true)", p.display());
    }
    eprintln!("note: {} missing; skipping", p.display());
    None
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

/// Evaluate every fixture of `testdata/<level>/<version>` and return (agree, total, disagreements).
fn check_version(testdata: &Path, version: &str) -> (usize, usize, Vec<String>) {
    let v = PssVersion::parse(version).expect("version");
    let mut agree = 0;
    let mut total = 0;
    let mut bad = Vec::new();
    for (level, lname) in [
        (Level::Baseline, "baseline"),
        (Level::Restricted, "restricted"),
    ] {
        for (expect_pass, verdict) in [(true, "pass"), (false, "fail")] {
            let dir = testdata.join(lname).join(version).join(verdict);
            let files = yaml_files(&dir);
            assert!(!files.is_empty(), "no fixtures in {}", dir.display());
            for f in files {
                total += 1;
                let text = std::fs::read_to_string(&f).expect("read fixture");
                let violations =
                    pss_verdict(&text, level, v).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                if violations.is_empty() == expect_pass {
                    agree += 1;
                } else {
                    let why: Vec<String> = violations
                        .iter()
                        .map(|x| format!("{}: {}", x.control, x.message))
                        .collect();
                    bad.push(format!(
                        "{lname}/{version}/{verdict}/{}: expected {verdict}, got {why:?}",
                        f.file_name().unwrap_or_default().to_string_lossy()
                    ));
                }
            }
        }
    }
    (agree, total, bad)
}

fn run(sub: &str, version: &str, expected_total: usize) {
    let Some(testdata) = corpus(sub) else { return };
    let (agree, total, bad) = check_version(&testdata, version);
    println!("PSS {version}: {agree}/{total} agree");
    assert!(
        bad.is_empty(),
        "{} disagreements at {version}:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert_eq!(total, expected_total, "fixture count at {version}");
}

const EARLIER: &str = "pod-security-standards-earlier-versions/testdata";

#[test]
fn pss_v1_37_latest() {
    run("pod-security-standards/test/testdata", "v1.37", 148);
}
#[test]
fn pss_v1_35() {
    run(EARLIER, "v1.35", 148);
}
#[test]
fn pss_v1_34() {
    run(EARLIER, "v1.34", 144);
}
#[test]
fn pss_v1_29() {
    run(EARLIER, "v1.29", 128);
}
#[test]
fn pss_v1_23() {
    run(EARLIER, "v1.23", 126);
}
#[test]
fn pss_v1_22() {
    run(EARLIER, "v1.22", 122);
}
#[test]
fn pss_v1_19() {
    run(EARLIER, "v1.19", 118);
}
#[test]
fn pss_v1_8() {
    run(EARLIER, "v1.8", 111);
}
#[test]
fn pss_v1_0() {
    run(EARLIER, "v1.0", 107);
}

/// `latest` is v1.37, and a version pinned between fixture sets behaves like the one below.
#[test]
fn latest_and_in_between_versions() {
    let Some(testdata) = corpus("pod-security-standards/test/testdata") else {
        return;
    };
    let f = testdata.join("baseline/v1.37/pass/sysctls1.yaml");
    let text = std::fs::read_to_string(f).expect("read");
    assert!(
        pss_verdict(&text, Level::Baseline, PssVersion::LATEST)
            .unwrap()
            .is_empty()
    );
    // tcp_slow_start_after_idle and tcp_notsent_lowat became safe at v1.37 only.
    let v36 = pss_verdict(&text, Level::Baseline, PssVersion::new(36)).unwrap();
    assert_eq!(v36.len(), 2, "{v36:?}");
    assert!(
        v36.iter()
            .all(|v| v.control == "sysctls" && v.rule_id == "k8s-sysctls")
    );
}

/// Indent every line of `text` by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// The pod's `metadata:` and `spec:` blocks, wrapped as the pod template of a workload kind.
fn as_workload(pod: &str, kind: &str) -> String {
    let body = pod
        .split_once("metadata:")
        .map(|(_, rest)| format!("metadata:{rest}"))
        .expect("fixture has metadata");
    match kind {
        "CronJob" => format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: wrapped\nspec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n{}",
            indent(&body, 8)
        ),
        _ => format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: wrapped\nspec:\n  template:\n{}",
            indent(&body, 4)
        ),
    }
}

/// Pod Security admission judges pod templates like pods: every v1.37 fixture wrapped in a
/// Deployment, StatefulSet, DaemonSet, Job or CronJob gets the same verdict as the bare pod.
#[test]
fn workload_templates_get_the_pod_verdict() {
    let Some(testdata) = corpus("pod-security-standards/test/testdata") else {
        return;
    };
    let mut checked = 0;
    for (level, lname) in [
        (Level::Baseline, "baseline"),
        (Level::Restricted, "restricted"),
    ] {
        for verdict in ["pass", "fail"] {
            for f in yaml_files(&testdata.join(lname).join("v1.37").join(verdict)) {
                let pod = std::fs::read_to_string(&f).expect("read");
                let expect = pss_verdict(&pod, level, PssVersion::LATEST)
                    .expect("pod")
                    .len();
                for kind in ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] {
                    let wrapped = as_workload(&pod, kind);
                    let got = pss_verdict(&wrapped, level, PssVersion::LATEST)
                        .unwrap_or_else(|e| panic!("{} as {kind}: {e}", f.display()));
                    assert_eq!(got.len(), expect, "{} as {kind}", f.display());
                    assert!(got.iter().all(|v| v.resource == format!("{kind}/wrapped")));
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 148 * 5);
}
