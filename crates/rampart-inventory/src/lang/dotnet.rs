//! .NET: NuGet `packages.lock.json`.
//!
//! Packages of every target framework are reported once; `Project` entries (other projects
//! of the same solution) are not packages and are skipped.

use super::{Parsed, dedup, json, package};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct PackagesLock {
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, NugetEntry>>,
}

#[derive(Deserialize)]
struct NugetEntry {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
}

pub(crate) fn parse_packages_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: PackagesLock = json(path, data)?;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    for (framework, deps) in &lock.dependencies {
        for (name, entry) in deps {
            if entry.kind.as_deref() == Some("Project") {
                continue;
            }
            match entry.resolved.as_deref().filter(|v| !v.is_empty()) {
                Some(v) => pkgs.push(package(Ecosystem::NuGet, name, v, path)),
                None => diags.push(Diagnostic::warning(
                    path,
                    format!("{framework}: {name} has no resolved version"),
                )),
            }
        }
    }
    Ok((dedup(pkgs), diags))
}
