//! Helpers shared by the integration tests: the corpus location and one `scan` call.

#![allow(dead_code)]

use rampart_secrets::{Config, Scanner, SecretFinding, Stats};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Root of the shared test corpus.
pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// `CORPUS/<sub>` if present. Missing in CI (CI=true) is a failure; elsewhere a note.
pub fn corpus(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(CORPUS).join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("corpus folder {} is missing (CI is set)", dir.display());
    }
    eprintln!("note: {} is missing; skipping", dir.display());
    None
}

/// One scanner with the default configuration, shared by all tests of a binary.
pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(&Config::default()).expect("built-in rules compile"))
}

/// Scans `data` as the file `path` with the default configuration.
pub fn scan(path: &str, data: &[u8]) -> Vec<SecretFinding> {
    let mut out = Vec::new();
    let mut stats = Stats::default();
    scanner().scan(path, data, &mut out, &mut stats);
    out
}

/// The rule ids found in `data`, in order.
pub fn ids(data: &str) -> Vec<String> {
    scan("input.txt", data.as_bytes())
        .into_iter()
        .map(|f| f.rule_id)
        .collect()
}
