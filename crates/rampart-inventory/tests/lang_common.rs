//! Helpers shared by the `lang_*` tests: corpus location and a one-call parse.
#![allow(dead_code)]

use rampart_core::Package;
use rampart_inventory::lang::{LockfileKind, parse};
use std::path::PathBuf;

/// The shared corpus folder `name`, or `None` (with a note) when it is absent outside CI.
/// Under CI (`CI=true`) a missing corpus fails the test.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
    .join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!(
            "corpus folder {} is missing (required under CI)",
            dir.display()
        );
    }
    eprintln!(
        "note: corpus folder {} is missing; test skipped",
        dir.display()
    );
    None
}

/// Parse `file` (read from disk) as `kind`; panics with the file name on a read error.
pub fn parse_file(
    kind: LockfileKind,
    file: &std::path::Path,
) -> Result<(Vec<Package>, Vec<rampart_core::Diagnostic>), rampart_inventory::InventoryError> {
    let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    parse(kind, &file.display().to_string(), &data)
}

/// `name@version` of each package, sorted.
pub fn ids(pkgs: &[Package]) -> Vec<String> {
    let mut v: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    v.sort();
    v
}
