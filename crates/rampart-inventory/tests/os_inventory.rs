//! `os::inventory` over the root-filesystem trees in the corpus, with files picked by
//! `os::wanted` as `rampart-artifact` picks them.

use rampart_inventory::os::{OsInventory, inventory, wanted};
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// Read every wanted file under `root` (relative paths, sorted) and run the inventory.
fn scan(rel: &str) -> Option<(Vec<String>, OsInventory)> {
    let root = Path::new(CORPUS).join("os-pkgdb-fixtures").join(rel);
    if !root.is_dir() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "{} missing (CI=true)",
            root.display()
        );
        eprintln!("note: {} missing; test skipped", root.display());
        return None;
    }
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if wanted(&rel) {
                    files.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    files.sort();
    let names = files.iter().map(|(p, _)| p.clone()).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    Some((names, inventory(&refs)))
}

#[test]
fn debian_image_tree() {
    let Some((files, inv)) = scan("syft/debian/image-dpkg") else {
        return;
    };
    assert_eq!(
        files,
        vec![
            "etc/os-release",
            "usr/share/doc/libpam-runtime/copyright",
            "var/lib/dpkg/status"
        ]
    );
    let os = inv.os.unwrap();
    assert_eq!(os.distro_qualifier(), "debian-12");
    let purls: Vec<&str> = inv.packages.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        vec!["pkg:deb/debian/libpam-runtime@1.1.8-3.6?arch=all&distro=debian-12"]
    );
    assert_eq!(inv.packages[0].source_name.as_deref(), Some("pam"));
    assert_eq!(inv.packages[0].licenses, vec!["GPL-2", "LGPL-2.1", "GPL-1"]);
    assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
}

#[test]
fn distroless_image_tree() {
    let Some((files, inv)) = scan("syft/debian/image-distroless-deb") else {
        return;
    };
    // The .md5sums and .preinst companions are not wanted.
    assert_eq!(
        files,
        vec![
            "usr/share/doc/libsqlite3-0/copyright",
            "var/lib/dpkg/status.d/libsqlite3-0"
        ]
    );
    assert_eq!(inv.os, None);
    let p = &inv.packages;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].purl, "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64");
    assert_eq!(p[0].source_name.as_deref(), Some("sqlite3"));
    assert_eq!(
        p[0].locations,
        vec!["var/lib/dpkg/status.d/libsqlite3-0".to_string()]
    );
}

/// Placeholder files at every database location: each is found, none is a database, and
/// each becomes one diagnostic.
#[test]
fn glob_path_placeholders() {
    let Some((files, inv)) = scan("syft/redhat/glob-paths") else {
        return;
    };
    assert_eq!(
        files,
        vec![
            "usr/lib/sysimage/rpm/Packages",
            "usr/lib/sysimage/rpm/Packages.db",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "usr/share/rpm/Packages",
            "usr/share/rpm/Packages.db",
            "usr/share/rpm/rpmdb.sqlite",
            "var/lib/rpm/Packages",
            "var/lib/rpm/Packages.db",
            "var/lib/rpm/rpmdb.sqlite",
            "var/lib/rpmmanifest/container-manifest-2",
        ]
    );
    assert!(inv.packages.is_empty());
    let diags: Vec<String> = inv.diagnostics.iter().map(ToString::to_string).collect();
    let mut want = Vec::new();
    for dir in ["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"] {
        for name in ["rpmdb.sqlite", "Packages.db", "Packages"] {
            want.push(format!(
                "{dir}/{name}: not an rpm database (no SQLite, NDB or BerkeleyDB Hash magic)"
            ));
        }
    }
    want.push(
        "var/lib/rpmmanifest/container-manifest-2: line 1: not a tab-separated manifest line; skipped"
            .to_string(),
    );
    assert_eq!(diags, want);
}
