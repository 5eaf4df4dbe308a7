//! Rust `Cargo.lock` (format v1 to v4).
//!
//! Every `[[package]]` is reported, local workspace members included (they have no
//! `source`). Target-specific dependencies cannot be told apart in the lockfile alone, so
//! they are reported too.

use super::{Parsed, dedup, package, toml_de};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem};
use serde::Deserialize;

#[derive(Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<CargoPackage>,
}

#[derive(Deserialize)]
struct CargoPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub(crate) fn parse_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: CargoLock = toml_de(path, data)?;
    let mut pkgs = Vec::with_capacity(lock.package.len());
    let mut diags = Vec::new();
    for (i, p) in lock.package.into_iter().enumerate() {
        match (p.name, p.version) {
            (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
                pkgs.push(package(Ecosystem::Cargo, &n, &v, path))
            }
            _ => diags.push(Diagnostic::warning(
                path,
                format!("[[package]] number {} has no name or version", i + 1),
            )),
        }
    }
    Ok((dedup(pkgs), diags))
}
