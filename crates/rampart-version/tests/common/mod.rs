//! Helpers shared by the integration tests: corpus location and vector checking.
#![allow(dead_code)]

use rampart_version::{Scheme, compare};
use std::cmp::Ordering;
use std::path::PathBuf;

/// The version-vectors corpus folder, or `None` (with a note) when it is absent outside CI.
pub fn vectors() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/version-vectors"
    ));
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("corpus folder {} is missing (CI=true)", p.display());
    }
    eprintln!("note: {} missing, skipping corpus test", p.display());
    None
}

/// Reads a corpus file, panicking with the path on failure.
pub fn read(rel: &str) -> Option<String> {
    let dir = vectors()?;
    let path = dir.join(rel);
    Some(
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())),
    )
}

/// Parses an operator.
pub fn op(s: &str) -> Option<Ordering> {
    match s {
        "<" | "-1" => Some(Ordering::Less),
        "=" | "==" | "0" => Some(Ordering::Equal),
        ">" | "1" => Some(Ordering::Greater),
        _ => None,
    }
}

/// Checks one expected comparison and its mirror; returns a description on disagreement.
pub fn check(scheme: Scheme, a: &str, b: &str, want: Ordering) -> Option<String> {
    let got = compare(scheme, a, b);
    let back = compare(scheme, b, a);
    if got != want || back != want.reverse() {
        Some(format!(
            "{scheme}: {a} vs {b}: want {want:?}, got {got:?} (reverse {back:?})"
        ))
    } else {
        None
    }
}

/// Checks every `A op B` line of a vector file (comments `#` and `//`, blank lines skipped).
/// Lines listed in `exceptions` (exact text) are expected to disagree.
pub fn check_file(scheme: Scheme, rel: &str, exceptions: &[&str]) {
    let Some(text) = read(rel) else { return };
    let mut total = 0;
    let mut bad = Vec::new();
    let mut excused = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line
            .split(" #")
            .next()
            .unwrap_or(line)
            .split("\t#")
            .next()
            .unwrap_or(line);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let f: Vec<&str> = t.split_whitespace().collect();
        let [a, o, b] = f[..] else {
            panic!("{rel}:{}: unparsable vector line {t:?}", n + 1)
        };
        let want = op(o).unwrap_or_else(|| panic!("{rel}:{}: bad operator {o:?}", n + 1));
        total += 1;
        if let Some(msg) = check(scheme, a, b, want) {
            if exceptions.contains(&t) {
                excused += 1;
            } else {
                bad.push(format!("{rel}:{}: {msg}", n + 1));
            }
        } else {
            assert!(
                !exceptions.contains(&t),
                "{rel}:{}: listed exception {t:?} now agrees; remove it",
                n + 1
            );
        }
    }
    let agree = total - bad.len() - excused;
    println!("{rel}: {agree}/{total} agree ({excused} documented exceptions)");
    assert!(total > 0, "{rel}: no vectors found");
    assert!(
        bad.is_empty(),
        "{rel}: {} disagreements:\n{}",
        bad.len(),
        bad.iter().take(60).cloned().collect::<Vec<_>>().join("\n")
    );
}
