//! From the files of an artifact to its inventory: which files to read, the OS, and every
//! package with the layer that added it.
//!
//! The caller reads the files (`rampart-artifact` streams them from layers or directories)
//! and hands over every version of each wanted file, one per layer that holds it. OS package
//! databases are parsed in each layer's version so a package is attributed to the layer that
//! first installed it (the way `docker history` would tell it), not merely to the last layer
//! that rewrote the database.

use crate::{lang, os};
use rampart_core::{Diagnostic, OsInfo, Package};
use std::collections::{HashMap, HashSet};

/// One version of one file of the artifact.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    /// Path relative to the root (no leading `/`).
    pub path: &'a str,
    /// Its bytes.
    pub data: &'a [u8],
    /// Index of the layer that holds this version (0 for directories).
    pub layer: usize,
    /// Whether this version is the one visible in the final filesystem.
    pub visible: bool,
}

/// What an artifact holds.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Operating system, when detected.
    pub os: Option<OsInfo>,
    /// Packages, OS first.
    pub packages: Vec<Package>,
    /// Problems met on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// True for every path the inventory needs read.
pub fn wanted(path: &str) -> bool {
    os::wanted(path) || lang::classify(path).is_some()
}

/// Builds the inventory from the wanted files. `layer_digests[i]` names layer `i` (empty for
/// directories, where packages get no layer).
pub fn inventory(files: &[InputFile<'_>], layer_digests: &[String]) -> Inventory {
    let layer_name = |i: usize| layer_digests.get(i).filter(|d| !d.is_empty()).cloned();
    let visible: Vec<&InputFile<'_>> = files.iter().filter(|f| f.visible).collect();
    let os_files: Vec<(&str, &[u8])> = visible
        .iter()
        .filter(|f| os::wanted(f.path))
        .map(|f| (f.path, f.data))
        .collect();
    let os_inv = os::inventory(&os_files);
    let mut inv = Inventory {
        os: os_inv.os,
        packages: Vec::with_capacity(os_inv.packages.len()),
        diagnostics: os_inv.diagnostics,
    };

    // Attribute each OS package to the earliest layer from which every later version of its
    // database lists it. Release files come from the final view so purls stay the same.
    let release: Vec<(&str, &[u8])> = os_files
        .iter()
        .copied()
        .filter(|(p, _)| os::RELEASE_FILES.contains(p))
        .collect();
    let mut attributed: HashMap<String, HashMap<Key, usize>> = HashMap::new();
    for mut p in os_inv.packages {
        let db = p.locations.first().cloned().unwrap_or_default();
        let file_layer = visible
            .iter()
            .find(|f| f.path == db)
            .map(|f| f.layer)
            .unwrap_or(0);
        let layer = attributed
            .entry(db.clone())
            .or_insert_with(|| earliest_layers(files, &db, file_layer, &release))
            .get(&key(&p))
            .copied()
            .unwrap_or(file_layer);
        p.layer = layer_name(layer);
        inv.packages.push(p);
    }

    for f in &visible {
        let Some(kind) = lang::classify(f.path) else {
            continue;
        };
        match lang::parse(kind, f.path, f.data) {
            Ok((pkgs, diags)) => {
                inv.diagnostics.extend(diags);
                inv.packages.extend(pkgs.into_iter().map(|mut p| {
                    p.layer = layer_name(f.layer);
                    p
                }));
            }
            Err(e) => inv
                .diagnostics
                .push(Diagnostic::warning(f.path, e.to_string())),
        }
    }
    inv
}

type Key = (String, String, Option<String>);

fn key(p: &Package) -> Key {
    (p.name.clone(), p.version.clone(), p.arch.clone())
}

/// For the database at `db` (visible in `final_layer`): each package of the final version, and
/// the earliest layer from which every later version of the database lists it.
fn earliest_layers(
    files: &[InputFile<'_>],
    db: &str,
    final_layer: usize,
    release: &[(&str, &[u8])],
) -> HashMap<Key, usize> {
    let parse = |data: &[u8]| -> HashSet<Key> {
        let mut set: Vec<(&str, &[u8])> = release.to_vec();
        set.push((db, data));
        os::inventory(&set).packages.iter().map(key).collect()
    };
    let mut versions: Vec<&InputFile<'_>> = files
        .iter()
        .filter(|f| f.path == db && f.layer <= final_layer)
        .collect();
    versions.sort_by_key(|f| std::cmp::Reverse(f.layer));
    let Some(last) = versions.first() else {
        return HashMap::new();
    };
    let mut result: Vec<(Key, usize, bool)> = parse(last.data)
        .into_iter()
        .map(|k| (k, last.layer, true))
        .collect();
    for f in versions.iter().skip(1) {
        let older = parse(f.data);
        let mut any = false;
        for (k, layer, still) in result.iter_mut() {
            if *still && older.contains(k) {
                *layer = f.layer;
                any = true;
            } else {
                *still = false;
            }
        }
        if !any {
            break;
        }
    }
    result.into_iter().map(|(k, l, _)| (k, l)).collect()
}
