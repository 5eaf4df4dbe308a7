//! PHP Composer: `composer.lock` and `vendor/composer/installed.json` (Composer 1 and 2).
//!
//! `packages-dev` entries (or, in `installed.json`, names listed in `dev-package-names`)
//! get [`Scope::Dev`].

use super::{Parsed, dedup, json, package};
use crate::InventoryError;
use rampart_core::{Ecosystem, Scope};
use serde::Deserialize;

#[derive(Deserialize)]
struct ComposerLock {
    #[serde(default)]
    packages: Option<Vec<ComposerPackage>>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Option<Vec<ComposerPackage>>,
    #[serde(default, rename = "dev-package-names")]
    dev_package_names: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ComposerPackage {
    name: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    Lock(ComposerLock),
    InstalledV1(Vec<ComposerPackage>),
}

pub(crate) fn parse_composer_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let doc: Option<Document> = json(path, data)?;
    let lock = match doc {
        None => return Ok((Vec::new(), Vec::new())),
        Some(Document::Lock(l)) => l,
        Some(Document::InstalledV1(p)) => ComposerLock {
            packages: Some(p),
            packages_dev: None,
            dev_package_names: None,
        },
    };
    let dev_names = lock.dev_package_names.unwrap_or_default();
    let mut pkgs = Vec::new();
    for (list, dev) in [(lock.packages, false), (lock.packages_dev, true)] {
        for p in list.unwrap_or_default() {
            if p.name.is_empty() || p.version.is_empty() {
                continue;
            }
            let mut pkg = package(Ecosystem::Packagist, &p.name, &p.version, path);
            if dev || dev_names.contains(&p.name) {
                pkg.scope = Some(Scope::Dev);
            }
            pkgs.push(pkg);
        }
    }
    Ok((dedup(pkgs), Vec::new()))
}
