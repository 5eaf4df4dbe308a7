//! Shared helpers for the Falco tests: locating the corpus.
#![allow(dead_code)]

use std::path::PathBuf;

/// The corpus folder `name`, or `None` (with a note) when it is absent outside CI.
/// Panics when it is absent and `CI` is set.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(name);
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
    {
        panic!("corpus folder {} is missing (CI is set)", p.display());
    }
    eprintln!("note: corpus folder {} missing; skipping", p.display());
    None
}

/// Reads a file, panicking with its path on failure.
pub fn read(p: &std::path::Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
