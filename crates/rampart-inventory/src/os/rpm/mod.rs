//! rpm databases in all three backends rpm has used, read in pure Rust: BerkeleyDB Hash
//! (`Packages`), NDB (`Packages.db`) and SQLite (`rpmdb.sqlite`). The backend is chosen by
//! the file's magic bytes, not its name.
//!
//! Each backend yields header blobs; [`header`] reads the identifying tags from them. The
//! package list matches `rpm -qa`, including `gpg-pubkey` entries (imported signing keys).
//! Versions are `[epoch:]version-release` with the epoch only when it is set and non-zero;
//! in the purl the epoch goes into the `epoch` qualifier, as the purl specification asks.

mod bdb;
mod bytes;
mod header;
mod manifest;
mod ndb;
mod sqlite;

use super::{OsPackage, ParseResult};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, OsInfo, Package, purl};

/// The storage backend of an rpm database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpmDbFormat {
    /// BerkeleyDB Hash (`Packages`).
    BerkeleyDb,
    /// rpm's NDB (`Packages.db`).
    Ndb,
    /// SQLite (`rpmdb.sqlite`).
    Sqlite,
}

/// The backend of an rpm database from its magic bytes, `None` when it is none of them.
pub fn rpmdb_format(data: &[u8]) -> Option<RpmDbFormat> {
    if data.starts_with(sqlite::MAGIC) {
        Some(RpmDbFormat::Sqlite)
    } else if data.starts_with(ndb::MAGIC) {
        Some(RpmDbFormat::Ndb)
    } else if bdb::detect(data).is_some() {
        Some(RpmDbFormat::BerkeleyDb)
    } else {
        None
    }
}

/// Read an rpm database (any backend). `path` becomes each package's location; `os` gives
/// the purl namespace (`redhat` for RHEL, `suse` for SLES, else the family) and `distro`
/// qualifier.
///
/// Returns an error when the file is no rpm database or its structure cannot be walked;
/// packages whose header cannot be read become diagnostics.
pub fn parse_rpmdb(path: &str, data: &[u8], os: &OsInfo) -> ParseResult {
    parse_rpmdb_with_wal(path, data, None, os)
}

/// [`parse_rpmdb`] for an `rpmdb.sqlite` with its write-ahead log `rpmdb.sqlite-wal`
/// (`wal`), whose committed pages are newer than the main file's. A log that cannot be
/// used becomes a diagnostic; `wal` is ignored for the other backends.
pub fn parse_rpmdb_with_wal(
    path: &str,
    data: &[u8],
    wal: Option<&[u8]>,
    os: &OsInfo,
) -> ParseResult {
    let format = rpmdb_format(data).ok_or_else(|| {
        InventoryError::parse(
            path,
            "not an rpm database (no SQLite, NDB or BerkeleyDB Hash magic)",
        )
    })?;
    let namespace = namespace(&os.family);
    let distro = super::distro(os);
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut bad_headers = Vec::new();
    let mut emit = |blob: &[u8]| match header::parse_header(blob) {
        Ok(h) => pkgs.push(to_package(h, path, namespace, &distro)),
        Err(reason) => bad_headers.push(reason),
    };
    match format {
        RpmDbFormat::Sqlite => sqlite::for_each_blob(path, data, wal, &mut diags, &mut emit)?,
        RpmDbFormat::Ndb => ndb::for_each_blob(path, data, &mut diags, &mut emit)?,
        RpmDbFormat::BerkeleyDb => bdb::for_each_blob(path, data, &mut diags, &mut emit)?,
    }
    if let Some(first) = bad_headers.first() {
        diags.push(Diagnostic::warning(
            path,
            format!(
                "{} package headers unreadable and skipped (first: {first})",
                bad_headers.len()
            ),
        ));
    }
    Ok((pkgs, diags))
}

/// Read the rpm manifest of CBL-Mariner / Azure Linux distroless images
/// (`var/lib/rpmmanifest/container-manifest-2`), which stands in for the rpm database there.
/// Lines that cannot be read become diagnostics.
pub fn parse_rpm_manifest(path: &str, data: &[u8], os: &OsInfo) -> ParseResult {
    super::check_text(path, data, "an rpm manifest")?;
    let namespace = namespace(&os.family);
    let distro = super::distro(os);
    let mut diags = Vec::new();
    let pkgs = manifest::parse(path, data, &mut diags)
        .into_iter()
        .map(|h| to_package(h, path, namespace, &distro))
        .collect();
    Ok((pkgs, diags))
}

/// The purl namespace (vendor) for an OS family.
fn namespace(family: &str) -> Option<&str> {
    match family {
        "" => None,
        "rhel" => Some("redhat"),
        "sles" | "sled" => Some("suse"),
        f if f.starts_with("opensuse") => Some("opensuse"),
        f => Some(f),
    }
}

fn to_package(h: header::RpmHeader, path: &str, ns: Option<&str>, distro: &str) -> Package {
    let epoch = h.epoch.filter(|&e| e != 0);
    let vr = if h.release.is_empty() {
        h.version.clone()
    } else {
        format!("{}-{}", h.version, h.release)
    };
    let with_epoch = |v: &str| match epoch {
        Some(e) => format!("{e}:{v}"),
        None => v.to_string(),
    };
    let arch = h.arch.filter(|a| !a.is_empty() && a != "(none)");
    let epoch_q = epoch.map(|e| e.to_string()).unwrap_or_default();
    let purl = purl::build(
        "rpm",
        ns,
        &h.name,
        &vr,
        &[
            ("arch", arch.as_deref().unwrap_or("")),
            ("epoch", &epoch_q),
            ("distro", distro),
        ],
    );
    let (source_name, source_version) =
        match h.source_rpm.as_deref().and_then(header::split_source_rpm) {
            // The source rpm's name carries no epoch; the binary's applies.
            Some((n, v, r)) => (n.to_string(), with_epoch(&format!("{v}-{r}"))),
            None => (h.name.clone(), with_epoch(&vr)),
        };
    OsPackage {
        name: h.name,
        version: with_epoch(&vr),
        ecosystem: Ecosystem::Rpm,
        purl,
        arch,
        source_name,
        source_version,
        licenses: h.license.filter(|l| !l.is_empty()).into_iter().collect(),
        location: path.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_magic() {
        assert_eq!(
            rpmdb_format(b"SQLite format 3\0rest"),
            Some(RpmDbFormat::Sqlite)
        );
        assert_eq!(rpmdb_format(b"RpmP\0\0\0\0"), Some(RpmDbFormat::Ndb));
        let mut bdb = vec![0u8; 64];
        bdb[12..16].copy_from_slice(&0x0006_1561u32.to_le_bytes());
        assert_eq!(rpmdb_format(&bdb), Some(RpmDbFormat::BerkeleyDb));
        bdb[12..16].copy_from_slice(&0x0006_1561u32.to_be_bytes());
        assert_eq!(rpmdb_format(&bdb), Some(RpmDbFormat::BerkeleyDb));
        assert_eq!(rpmdb_format(b"garbage"), None);
    }

    #[test]
    fn namespaces() {
        assert_eq!(namespace("rhel"), Some("redhat"));
        assert_eq!(namespace("opensuse-leap"), Some("opensuse"));
        assert_eq!(namespace("amazon"), Some("amazon"));
        assert_eq!(namespace(""), None);
    }
}
