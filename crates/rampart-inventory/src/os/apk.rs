//! apk database: `lib/apk/db/installed` (Alpine, Wolfi, Chainguard).
//!
//! Each package is a paragraph of `X:value` lines separated by blank lines. Read here:
//! `P` name, `V` version, `A` architecture, `o` origin (the source package) and `L` licence.
//! Every package in the file is installed; file lists (`F`, `R`, `Z`, ...) are skipped.

use super::{OsPackage, ParseResult, check_text, numbered_lines, text};
use rampart_core::{Diagnostic, Ecosystem, OsInfo, Package, purl};

#[derive(Default)]
struct Entry<'a> {
    line: u32,
    name: Option<&'a [u8]>,
    version: Option<&'a [u8]>,
    arch: Option<&'a [u8]>,
    origin: Option<&'a [u8]>,
    license: Option<&'a [u8]>,
    fields: u32,
}

/// Read an apk `installed` database. `os` gives the purl namespace (`alpine` when unknown)
/// and the `distro` qualifier (the release, e.g. `3.20.1`).
///
/// Returns an error only for input that is not text; entries without a name or version
/// become diagnostics.
pub fn parse_apk_installed(path: &str, data: &[u8], os: &OsInfo) -> ParseResult {
    check_text(path, data, "an apk installed database")?;
    let namespace = if os.family.is_empty() {
        "alpine"
    } else {
        os.family.as_str()
    };
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut entry = Entry::default();
    for (no, line) in numbered_lines(data) {
        if line.trim_ascii().is_empty() {
            finish(path, &entry, namespace, &os.version, &mut pkgs, &mut diags);
            entry = Entry::default();
            continue;
        }
        if entry.line == 0 {
            entry.line = no;
        }
        let (Some(&key), Some(b':')) = (line.first(), line.get(1)) else {
            diags.push(Diagnostic::warning(path, "line is not a `X:value` field").at_line(no));
            continue;
        };
        let value = line.get(2..).unwrap_or_default();
        entry.fields += 1;
        match key {
            b'P' => entry.name = Some(value),
            b'V' => entry.version = Some(value),
            b'A' => entry.arch = Some(value),
            b'o' => entry.origin = Some(value),
            b'L' => entry.license = Some(value),
            _ => {}
        }
    }
    finish(path, &entry, namespace, &os.version, &mut pkgs, &mut diags);
    Ok((pkgs, diags))
}

fn finish(
    path: &str,
    e: &Entry<'_>,
    namespace: &str,
    distro: &str,
    pkgs: &mut Vec<Package>,
    diags: &mut Vec<Diagnostic>,
) {
    if e.line == 0 || e.fields == 0 {
        return; // nothing, or only lines already reported
    }
    let nonempty = |v: Option<&[u8]>| v.map(text).filter(|s| !s.is_empty());
    let Some(name) = nonempty(e.name) else {
        diags.push(
            Diagnostic::warning(path, "entry has no package name (P:); skipped").at_line(e.line),
        );
        return;
    };
    let Some(version) = nonempty(e.version) else {
        diags.push(
            Diagnostic::warning(path, format!("package {name} has no version (V:); skipped"))
                .at_line(e.line),
        );
        return;
    };
    let arch = nonempty(e.arch);
    let purl = purl::build(
        "apk",
        Some(namespace),
        &name,
        &version,
        &[("arch", arch.as_deref().unwrap_or("")), ("distro", distro)],
    );
    pkgs.push(
        OsPackage {
            source_name: nonempty(e.origin).unwrap_or_else(|| name.clone()),
            source_version: version.clone(),
            name,
            version,
            ecosystem: Ecosystem::Apk,
            purl,
            arch,
            licenses: nonempty(e.license).into_iter().collect(),
            location: path.to_string(),
        }
        .into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_entry_and_purl() {
        let os = OsInfo {
            family: "alpine".into(),
            version: "3.20.1".into(),
            name: None,
        };
        let data = b"P:libcrypto3\nV:3.3.1-r0\nA:x86_64\no:openssl\nL:Apache-2.0\n";
        let (pkgs, diags) = parse_apk_installed("lib/apk/db/installed", data, &os).unwrap();
        assert!(diags.is_empty());
        assert_eq!(
            pkgs[0].purl,
            "pkg:apk/alpine/libcrypto3@3.3.1-r0?arch=x86_64&distro=3.20.1"
        );
        assert_eq!(pkgs[0].source_name.as_deref(), Some("openssl"));
        assert_eq!(pkgs[0].licenses, vec!["Apache-2.0".to_string()]);
    }
}
