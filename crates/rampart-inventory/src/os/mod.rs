//! Operating-system package databases (dpkg, apk, rpm) and OS detection.
//!
//! This module owns the formats of the databases that package managers keep on disk:
//!
//! - dpkg: `var/lib/dpkg/status` and the distroless `var/lib/dpkg/status.d/*` files
//!   ([`parse_dpkg_status`], [`parse_dpkg_status_d`]);
//! - apk: `lib/apk/db/installed` ([`parse_apk_installed`]);
//! - rpm: `Packages` (BerkeleyDB hash), `Packages.db` (NDB) and `rpmdb.sqlite` (SQLite), each
//!   read in pure Rust and told apart by their magic bytes ([`parse_rpmdb`]), and the
//!   manifest of CBL-Mariner distroless images ([`parse_rpm_manifest`]);
//! - the operating system itself, from `os-release` and the older release files
//!   ([`detect_os`]);
//! - licences of Debian packages, from `usr/share/doc/<package>/copyright`
//!   ([`parse_dpkg_copyright`]).
//!
//! Every parser takes bytes already read (it never opens files) and returns the installed
//! packages with their purls, plus [`Diagnostic`]s for entries it had to skip. Walking a
//! filesystem or an image and choosing which files to read is left to `rampart-artifact`:
//! [`wanted`] says which paths this module needs and [`inventory`] runs everything over them.
//!
//! ```
//! use rampart_inventory::os;
//! let status = b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n\
//! Source: glibc\nVersion: 2.36-9+deb12u4\n";
//! let os_release = b"ID=debian\nVERSION_ID=\"12\"\n".to_vec();
//! let files: Vec<(&str, &[u8])> = vec![
//!     ("etc/os-release", &os_release),
//!     ("var/lib/dpkg/status", status),
//! ];
//! let inv = os::inventory(&files);
//! assert_eq!(inv.os.as_ref().map(|o| o.distro_qualifier()), Some("debian-12".to_string()));
//! assert_eq!(inv.packages[0].purl,
//!     "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12");
//! assert_eq!(inv.packages[0].source_name.as_deref(), Some("glibc"));
//! ```

mod apk;
mod copyright;
mod dpkg;
mod release;
mod rpm;

pub use apk::parse_apk_installed;
pub use copyright::parse_dpkg_copyright;
pub use dpkg::{parse_dpkg_status, parse_dpkg_status_d};
pub use release::{detect_os, parse_os_release};
pub use rpm::{RpmDbFormat, parse_rpm_manifest, parse_rpmdb, parse_rpmdb_with_wal, rpmdb_format};

use crate::InventoryError;
use rampart_core::{Diagnostic, OsInfo, Package};

/// What a parser returns: the installed packages and the problems it recovered from.
pub type ParseResult = Result<(Vec<Package>, Vec<Diagnostic>), InventoryError>;

/// Files read to detect the operating system, in the order they are tried.
pub const RELEASE_FILES: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "etc/lsb-release",
    "etc/alpine-release",
    "etc/debian_version",
    "etc/system-release",
    "etc/redhat-release",
    "etc/centos-release",
    "etc/rocky-release",
    "etc/almalinux-release",
    "etc/fedora-release",
    "etc/oracle-release",
    "etc/SuSE-release",
];

/// Package databases at fixed paths.
const DB_FILES: &[&str] = &[
    "var/lib/dpkg/status",
    RPM_MANIFEST,
    "lib/apk/db/installed",
    "usr/lib/apk/db/installed",
];

/// The rpm manifest of CBL-Mariner distroless images.
const RPM_MANIFEST: &str = "var/lib/rpmmanifest/container-manifest-2";

/// Directories that may hold an rpm database.
const RPM_DIRS: &[&str] = &["var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/"];

/// File names of the three rpm database backends.
const RPM_FILES: &[&str] = &[
    "Packages",
    "Packages.db",
    "rpmdb.sqlite",
    "rpmdb.sqlite-wal",
];

/// Directory of Debian package documentation (`<package>/copyright`).
const DOC_DIR: &str = "usr/share/doc/";

/// Directory of the distroless per-package dpkg status files.
const STATUS_D: &str = "var/lib/dpkg/status.d/";

/// True for every path (relative, without a leading `/`) whose content this module needs:
/// package databases and OS release files.
///
/// ```
/// use rampart_inventory::os::wanted;
/// assert!(wanted("var/lib/dpkg/status"));
/// assert!(wanted("var/lib/dpkg/status.d/libc6"));
/// assert!(!wanted("var/lib/dpkg/status.d/libc6.md5sums"));
/// assert!(wanted("usr/lib/sysimage/rpm/rpmdb.sqlite"));
/// assert!(!wanted("etc/passwd"));
/// ```
pub fn wanted(path: &str) -> bool {
    let path = norm(path);
    if RELEASE_FILES.contains(&path) || DB_FILES.contains(&path) {
        return true;
    }
    if let Some(name) = path.strip_prefix(STATUS_D) {
        return is_status_d_entry(name);
    }
    if copyright_owner(path).is_some() {
        return true;
    }
    RPM_DIRS.iter().any(|dir| {
        path.strip_prefix(dir)
            .is_some_and(|name| RPM_FILES.contains(&name))
    })
}

/// True for a file name inside `status.d/` that holds a package paragraph (not the
/// `.md5sums`, `.preinst`, ... companions).
fn is_status_d_entry(name: &str) -> bool {
    // Package names may contain dots (`libstdc++6`, `libgtk2.0-0`); companions end in a
    // known suffix.
    const COMPANION: &[&str] = &[
        ".md5sums",
        ".conffiles",
        ".preinst",
        ".postinst",
        ".prerm",
        ".postrm",
        ".list",
        ".shlibs",
        ".symbols",
        ".triggers",
        ".templates",
        ".config",
    ];
    !name.is_empty() && !name.contains('/') && !COMPANION.iter().any(|s| name.ends_with(s))
}

/// The package whose `usr/share/doc/<package>/copyright` this path is.
fn copyright_owner(path: &str) -> Option<&str> {
    let name = path.strip_prefix(DOC_DIR)?.strip_suffix("/copyright")?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// A path without a leading `./` or `/`.
fn norm(p: &str) -> &str {
    p.trim_start_matches("./").trim_start_matches('/')
}

/// Everything found in one root filesystem or image by [`inventory`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsInventory {
    /// The operating system, when release files name it.
    pub os: Option<OsInfo>,
    /// Installed packages from every database found, in database order.
    pub packages: Vec<Package>,
    /// Problems met, including databases that could not be read at all.
    pub diagnostics: Vec<Diagnostic>,
}

/// Detect the OS and read every package database among `files` (path, content) pairs, as
/// selected by [`wanted`]. A database that cannot be read becomes a diagnostic; the others
/// are still read. When several rpm databases exist in one directory, the first of
/// `rpmdb.sqlite`, `Packages.db`, `Packages` that can be read is used. Debian packages get
/// their licences from `usr/share/doc/<package>/copyright` when it is among `files`.
pub fn inventory(files: &[(&str, &[u8])]) -> OsInventory {
    let lookup = |want: &str| -> Option<Vec<u8>> {
        files
            .iter()
            .find(|(p, _)| norm(p) == want)
            .map(|(_, d)| d.to_vec())
    };
    let os = detect_os(&lookup);
    let os_ref = os.clone().unwrap_or_default();
    let mut out = OsInventory {
        os,
        ..OsInventory::default()
    };
    let absorb = |res: ParseResult, out: &mut OsInventory| match res {
        Ok((pkgs, diags)) => {
            out.packages.extend(pkgs);
            out.diagnostics.extend(diags);
        }
        Err(e) => out
            .diagnostics
            .push(Diagnostic::warning(error_path(&e), error_reason(&e))),
    };

    let mut status_d: Vec<(&str, &[u8])> = Vec::new();
    for (path, data) in files {
        let p = norm(path);
        if p == "var/lib/dpkg/status" {
            absorb(parse_dpkg_status(path, data, &os_ref), &mut out);
        } else if p.strip_prefix(STATUS_D).is_some_and(is_status_d_entry) {
            status_d.push((path, data));
        } else if p == "lib/apk/db/installed" || p == "usr/lib/apk/db/installed" {
            absorb(parse_apk_installed(path, data, &os_ref), &mut out);
        }
    }
    if !status_d.is_empty() {
        absorb(parse_dpkg_status_d(&status_d, &os_ref), &mut out);
    }
    for dir in RPM_DIRS {
        // rpm's own preference; a file that cannot be read gives way to the next one.
        for name in ["rpmdb.sqlite", "Packages.db", "Packages"] {
            let want = format!("{dir}{name}");
            if let Some((path, data)) = files.iter().find(|(p, _)| norm(p) == want) {
                let wal_path = format!("{want}-wal");
                let wal = files
                    .iter()
                    .find(|(p, _)| name == "rpmdb.sqlite" && norm(p) == wal_path)
                    .map(|(_, d)| *d);
                let res = parse_rpmdb_with_wal(path, data, wal, &os_ref);
                let ok = res.is_ok();
                absorb(res, &mut out);
                if ok {
                    break;
                }
            }
        }
    }
    // Distroless CBL-Mariner images carry a manifest instead of a database.
    if !out
        .packages
        .iter()
        .any(|p| p.ecosystem == rampart_core::Ecosystem::Rpm)
        && let Some((path, data)) = files.iter().find(|(p, _)| norm(p) == RPM_MANIFEST)
    {
        absorb(parse_rpm_manifest(path, data, &os_ref), &mut out);
    }
    let copyrights: std::collections::HashMap<String, &[u8]> = files
        .iter()
        .filter_map(|(p, d)| copyright_owner(norm(p)).map(|n| (n.to_string(), *d)))
        .collect();
    if !copyrights.is_empty() {
        for pkg in &mut out.packages {
            if pkg.ecosystem == rampart_core::Ecosystem::Deb
                && pkg.licenses.is_empty()
                && let Some(data) = copyrights.get(&pkg.name)
            {
                pkg.licenses = parse_dpkg_copyright(data);
            }
        }
    }
    out
}

fn error_path(e: &InventoryError) -> String {
    match e {
        InventoryError::Parse { path, .. } => path.clone(),
    }
}

fn error_reason(e: &InventoryError) -> String {
    match e {
        InventoryError::Parse { reason, .. } => reason.clone(),
    }
}

/// The `distro` qualifier of an OS package purl, empty when the OS is unknown.
fn distro(os: &OsInfo) -> String {
    if os.family.is_empty() {
        String::new()
    } else {
        os.distro_qualifier()
    }
}

/// An OS package with its purl already built (avoids computing a default purl that would be
/// replaced).
struct OsPackage {
    name: String,
    version: String,
    ecosystem: rampart_core::Ecosystem,
    purl: String,
    arch: Option<String>,
    source_name: String,
    source_version: String,
    licenses: Vec<String>,
    location: String,
}

impl From<OsPackage> for Package {
    fn from(p: OsPackage) -> Package {
        Package {
            name: p.name,
            version: p.version,
            ecosystem: p.ecosystem,
            purl: p.purl,
            source_name: Some(p.source_name),
            source_version: Some(p.source_version),
            arch: p.arch,
            licenses: p.licenses,
            locations: vec![p.location],
            layer: None,
            scope: None,
        }
    }
}

/// Lines of a text database with their 1-based numbers, without `\n` or a trailing `\r`.
fn numbered_lines(data: &[u8]) -> impl Iterator<Item = (u32, &[u8])> {
    let mut rest = Some(data);
    let mut no = 0u32;
    std::iter::from_fn(move || {
        let cur = rest?;
        let line = match memchr::memchr(b'\n', cur) {
            Some(i) => {
                rest = cur.get(i + 1..);
                cur.get(..i).unwrap_or_default()
            }
            None => {
                rest = None;
                cur
            }
        };
        no = no.saturating_add(1);
        Some((no, line.strip_suffix(b"\r").unwrap_or(line)))
    })
}

/// Text from bytes, replacing invalid UTF-8, trimmed.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b.trim_ascii()).into_owned()
}

/// Reject input that is plainly binary (a NUL byte in the first 8 KiB) for a text format.
fn check_text(path: &str, data: &[u8], what: &str) -> Result<(), InventoryError> {
    let head = data.get(..data.len().min(8192)).unwrap_or(data);
    if head.contains(&0) {
        return Err(InventoryError::parse(
            path,
            format!("not {what}: binary data"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_paths() {
        for p in [
            "etc/os-release",
            "/etc/os-release",
            "usr/lib/os-release",
            "etc/debian_version",
            "etc/alpine-release",
            "etc/redhat-release",
            "etc/system-release",
            "etc/lsb-release",
            "var/lib/dpkg/status",
            "var/lib/dpkg/status.d/base-files",
            "var/lib/dpkg/status.d/libstdc++6",
            "var/lib/dpkg/status.d/libgtk2.0-0",
            "lib/apk/db/installed",
            "var/lib/rpm/Packages",
            "var/lib/rpm/Packages.db",
            "var/lib/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/rpmdb.sqlite",
            "usr/lib/sysimage/rpm/Packages.db",
            "var/lib/rpm/rpmdb.sqlite-wal",
            "var/lib/rpmmanifest/container-manifest-2",
            "usr/share/doc/libc6/copyright",
        ] {
            assert!(wanted(p), "{p}");
        }
        for p in [
            "var/lib/dpkg/status.d/libc6.md5sums",
            "var/lib/dpkg/status.d/",
            "var/lib/dpkg/available",
            "var/lib/rpm/Name",
            "var/lib/rpm/rpmdb.sqlite-shm",
            "var/lib/rpm/rpmdb.sqlite-journal",
            "etc/passwd",
            "usr/lib/sysimage/rpm/sub/Packages",
            "usr/share/doc/libc6/changelog.gz",
            "usr/share/doc/copyright",
            "usr/share/doc/a/b/copyright",
        ] {
            assert!(!wanted(p), "{p}");
        }
    }
}
