//! dpkg databases: `var/lib/dpkg/status` and the distroless `var/lib/dpkg/status.d/*` files.
//!
//! Both are deb822 paragraphs separated by blank lines. Only the fields that identify a
//! package are read (`Package`, `Status`, `Version`, `Architecture`, `Source`); continuation
//! lines are skipped. A package counts when its files are on disk: the third word of
//! `Status` is `installed`, `half-configured`, `unpacked`, `triggers-awaiting` or
//! `triggers-pending` (so `deinstall ok config-files`, `not-installed` and `half-installed`
//! are left out). A paragraph without `Status` is not installed in `status` (dpkg's default)
//! but is in the distroless `status.d/` files, which often omit the field. A version with
//! characters dpkg rejects is skipped with a diagnostic, as dpkg skips it. Licences
//! live in `usr/share/doc/*/copyright`, which this module does not read.

use super::{OsPackage, ParseResult, check_text, distro, numbered_lines, text};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, OsInfo, Package, purl};

/// Status words of packages whose files are installed.
const INSTALLED: &[&[u8]] = &[
    b"installed",
    b"half-configured",
    b"unpacked",
    b"triggers-awaiting",
    b"triggers-pending",
];

/// The fields of one paragraph that matter here, borrowed from the input.
#[derive(Default)]
struct Para<'a> {
    line: u32,
    package: Option<&'a [u8]>,
    version: Option<&'a [u8]>,
    arch: Option<&'a [u8]>,
    source: Option<&'a [u8]>,
    status: Option<&'a [u8]>,
    /// First line that is neither a field nor a continuation.
    bad_line: Option<u32>,
}

/// Read a dpkg `status` file. `path` is where it was found (it becomes each package's
/// location); `os` gives the purl namespace (`debian` when unknown) and `distro` qualifier.
///
/// Returns an error only for input that is not text at all; broken paragraphs become
/// diagnostics.
pub fn parse_dpkg_status(path: &str, data: &[u8], os: &OsInfo) -> ParseResult {
    check_text(path, data, "a dpkg status file")?;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    parse_into(path, data, os, false, &mut pkgs, &mut diags);
    Ok((pkgs, diags))
}

/// Read the distroless `var/lib/dpkg/status.d/*` files, each holding one or more
/// paragraphs. Files that cannot be read become diagnostics; this never fails as a whole.
pub fn parse_dpkg_status_d(files: &[(&str, &[u8])], os: &OsInfo) -> ParseResult {
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    for (path, data) in files {
        match check_text(path, data, "a dpkg status file") {
            Ok(()) => parse_into(path, data, os, true, &mut pkgs, &mut diags),
            Err(InventoryError::Parse { path, reason }) => {
                diags.push(Diagnostic::warning(path, reason));
            }
        }
    }
    Ok((pkgs, diags))
}

fn parse_into(
    path: &str,
    data: &[u8],
    os: &OsInfo,
    status_d: bool,
    pkgs: &mut Vec<Package>,
    diags: &mut Vec<Diagnostic>,
) {
    let ctx = Ctx {
        path,
        namespace: if os.family.is_empty() {
            "debian"
        } else {
            os.family.as_str()
        },
        distro: distro(os),
        status_d,
    };
    let mut para = Para::default();
    for (no, line) in numbered_lines(data) {
        if matches!(line.first(), Some(b' ' | b'\t')) {
            if line.trim_ascii().is_empty() {
                finish(&ctx, &para, pkgs, diags);
                para = Para::default();
            }
            continue; // continuation of a multi-line field
        }
        if line.is_empty() {
            finish(&ctx, &para, pkgs, diags);
            para = Para::default();
            continue;
        }
        if para.line == 0 {
            para.line = no;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            para.bad_line.get_or_insert(no);
            continue;
        };
        let (key, rest) = line.split_at(colon);
        let value = rest.get(1..).unwrap_or_default().trim_ascii();
        let slot = match key.len() {
            6 if key.eq_ignore_ascii_case(b"Status") => &mut para.status,
            6 if key.eq_ignore_ascii_case(b"Source") => &mut para.source,
            7 if key.eq_ignore_ascii_case(b"Package") => &mut para.package,
            7 if key.eq_ignore_ascii_case(b"Version") => &mut para.version,
            12 if key.eq_ignore_ascii_case(b"Architecture") => &mut para.arch,
            _ => continue,
        };
        *slot = Some(value);
    }
    finish(&ctx, &para, pkgs, diags);
}

/// What every paragraph of one file shares.
struct Ctx<'a> {
    path: &'a str,
    namespace: &'a str,
    distro: String,
    status_d: bool,
}

fn finish(ctx: &Ctx<'_>, para: &Para<'_>, pkgs: &mut Vec<Package>, diags: &mut Vec<Diagnostic>) {
    let path = ctx.path;
    if para.line == 0 {
        return; // nothing since the last blank line
    }
    if let Some(bad) = para.bad_line {
        diags.push(
            Diagnostic::warning(path, "line is neither a field nor a continuation").at_line(bad),
        );
    }
    match para.status {
        Some(status) => {
            let state = status
                .split(|b| b.is_ascii_whitespace())
                .filter(|w| !w.is_empty())
                .nth(2);
            if !state.is_some_and(|s| INSTALLED.contains(&s)) {
                return;
            }
        }
        None if !ctx.status_d => return,
        None => {}
    }
    let name = match para.package {
        Some(n) if !n.is_empty() => text(n),
        _ => {
            if para.bad_line.is_none() {
                diags.push(
                    Diagnostic::warning(path, "paragraph has no Package name; skipped")
                        .at_line(para.line),
                );
            }
            return;
        }
    };
    let version = match para.version {
        Some(v) if !v.is_empty() => text(v),
        _ => {
            // A bare `Package:` stub without Status names no installation; only an entry
            // that claims to be installed is worth a warning.
            if para.status.is_some() {
                diags.push(
                    Diagnostic::warning(path, format!("package {name} has no Version; skipped"))
                        .at_line(para.line),
                );
            }
            return;
        }
    };
    if !valid_version(&version) {
        diags.push(
            Diagnostic::warning(
                path,
                format!("package {name} has an invalid version {version:?}; skipped"),
            )
            .at_line(para.line),
        );
        return;
    }
    let (src_name, src_version) = match para.source {
        Some(s) if !s.is_empty() => parse_source(s),
        _ => (None, None),
    };
    let arch = para.arch.filter(|a| !a.is_empty()).map(text);
    let purl = purl::build(
        "deb",
        Some(ctx.namespace),
        &name,
        &version,
        &[
            ("arch", arch.as_deref().unwrap_or("")),
            ("distro", &ctx.distro),
        ],
    );
    pkgs.push(
        OsPackage {
            source_name: src_name.unwrap_or_else(|| name.clone()),
            source_version: src_version.unwrap_or_else(|| version.clone()),
            name,
            version,
            ecosystem: Ecosystem::Deb,
            purl,
            arch,
            licenses: Vec::new(),
            location: path.to_string(),
        }
        .into(),
    );
}

/// A version dpkg accepts: `[epoch:]upstream[-revision]` with a numeric epoch and only
/// alphanumerics and `.+~-:` elsewhere.
fn valid_version(v: &str) -> bool {
    let rest = match v.split_once(':') {
        Some((epoch, rest)) => {
            if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_digit()) {
                return false;
            }
            rest
        }
        None => v,
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'~' | b'-' | b':'))
}

/// Split `Source: name` or `Source: name (version)`.
fn parse_source(s: &[u8]) -> (Option<String>, Option<String>) {
    let s = s.trim_ascii();
    match s.iter().position(|b| b.is_ascii_whitespace()) {
        None => (Some(text(s)), None),
        Some(i) => {
            let (name, rest) = s.split_at(i);
            let rest = rest.trim_ascii();
            let version = rest
                .strip_prefix(b"(")
                .and_then(|r| r.strip_suffix(b")"))
                .map(text)
                .filter(|v| !v.is_empty());
            (Some(text(name)), version)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debian12() -> OsInfo {
        OsInfo {
            family: "debian".into(),
            version: "12".into(),
            name: None,
        }
    }

    #[test]
    fn source_forms() {
        assert_eq!(parse_source(b"glibc"), (Some("glibc".into()), None));
        assert_eq!(
            parse_source(b"glibc (2.36-9)"),
            (Some("glibc".into()), Some("2.36-9".into()))
        );
        assert_eq!(parse_source(b"glibc ()"), (Some("glibc".into()), None));
    }

    #[test]
    fn crlf_and_case_insensitive_fields() {
        let data = b"package: a\r\nstatus: install ok installed\r\nversion: 1:2.0-1\r\n\r\n";
        let (pkgs, diags) = parse_dpkg_status("s", data, &debian12()).unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(pkgs[0].version, "1:2.0-1");
        assert_eq!(pkgs[0].purl, "pkg:deb/debian/a@1:2.0-1?distro=debian-12");
    }

    #[test]
    fn binary_is_an_error() {
        let err = parse_dpkg_status("var/lib/dpkg/status", b"\0\x01\x02", &debian12()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "var/lib/dpkg/status: not a dpkg status file: binary data"
        );
    }
}
