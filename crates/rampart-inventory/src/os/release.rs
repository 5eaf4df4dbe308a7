//! Operating-system detection from `os-release` and the older per-distribution release files.
//!
//! `etc/os-release` (then `usr/lib/os-release`) decides when it names the OS; otherwise the
//! files of [`super::RELEASE_FILES`] are tried in order (`etc/lsb-release`,
//! `etc/alpine-release`, `etc/debian_version`, `etc/system-release`, `etc/redhat-release`,
//! ...). Families are normalised to the names advisories use (`amzn` becomes `amazon`,
//! `ol` becomes `oracle`, `mariner` becomes `cbl-mariner`).

use rampart_core::OsInfo;

/// Detect the OS of a root filesystem. `read` returns the content of a relative path (no
/// leading `/`), or `None` when it does not exist; symlinks are the caller's to resolve.
///
/// ```
/// use rampart_inventory::os::detect_os;
/// let read = |p: &str| (p == "etc/alpine-release").then(|| b"3.20.1\n".to_vec());
/// let os = detect_os(&read).unwrap();
/// assert_eq!((os.family.as_str(), os.version.as_str()), ("alpine", "3.20.1"));
/// ```
pub fn detect_os(read: &dyn Fn(&str) -> Option<Vec<u8>>) -> Option<OsInfo> {
    for path in ["etc/os-release", "usr/lib/os-release"] {
        if let Some(mut os) = read(path).and_then(|d| parse_os_release(&d)) {
            if os.family == "debian" && os.version.is_empty() {
                // testing and sid have no VERSION_ID.
                if let Some(v) = read("etc/debian_version").and_then(|d| debian_version(&d)) {
                    os.version = v;
                }
            }
            return Some(os);
        }
    }
    if let Some(os) = read("etc/lsb-release").and_then(|d| parse_lsb_release(&d)) {
        return Some(os);
    }
    if let Some(d) = read("etc/alpine-release") {
        let v = first_line(&d);
        if !v.is_empty() {
            return Some(info("alpine", &v, None));
        }
    }
    if let Some(v) = read("etc/debian_version").and_then(|d| debian_version(&d)) {
        return Some(info("debian", &v, None));
    }
    for path in [
        "etc/system-release",
        "etc/redhat-release",
        "etc/centos-release",
        "etc/rocky-release",
        "etc/almalinux-release",
        "etc/fedora-release",
        "etc/oracle-release",
    ] {
        if let Some(os) = read(path).and_then(|d| parse_redhat_release(&d)) {
            return Some(os);
        }
    }
    read("etc/SuSE-release").and_then(|d| parse_suse_release(&d))
}

/// Parse an `os-release` file. `None` when it names no OS (no `ID` and no recognisable
/// `NAME`).
///
/// ```
/// let os = rampart_inventory::os::parse_os_release(b"ID=amzn\nVERSION_ID=\"2023\"\n").unwrap();
/// assert_eq!(os.distro_qualifier(), "amazon-2023");
/// ```
pub fn parse_os_release(data: &[u8]) -> Option<OsInfo> {
    let mut id = None;
    let mut version = None;
    let mut pretty = None;
    let mut name = None;
    for line in String::from_utf8_lossy(data).lines() {
        let Some((k, v)) = line.trim().split_once('=') else {
            continue;
        };
        let v = unquote(v.trim());
        match k.trim() {
            "ID" => id = Some(v),
            "VERSION_ID" => version = Some(v),
            "PRETTY_NAME" => pretty = Some(v),
            "NAME" => name = Some(v),
            _ => {}
        }
    }
    let family = match id.filter(|s| !s.is_empty()) {
        Some(id) => normalise_id(&id),
        None => family_from_name(name.as_deref()?)?.to_string(),
    };
    Some(OsInfo {
        family,
        version: version.unwrap_or_default(),
        name: pretty.or(name).filter(|s| !s.is_empty()),
    })
}

fn info(family: &str, version: &str, name: Option<String>) -> OsInfo {
    OsInfo {
        family: family.to_string(),
        version: version.to_string(),
        name,
    }
}

/// Strip shell-style quotes and backslash escapes from an os-release value.
fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The family advisories use for an os-release `ID`.
fn normalise_id(id: &str) -> String {
    let id = id.to_ascii_lowercase();
    match id.as_str() {
        "amzn" => "amazon".into(),
        "ol" => "oracle".into(),
        "mariner" => "cbl-mariner".into(),
        "opensuse" => "opensuse-leap".into(),
        "sles_sap" | "sle_hpc" => "sles".into(),
        _ => id,
    }
}

/// A family from a distribution's display name (`NAME=`, release files).
fn family_from_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    const NAMES: &[(&str, &str)] = &[
        ("red hat enterprise linux", "rhel"),
        ("centos", "centos"),
        ("rocky", "rocky"),
        ("almalinux", "almalinux"),
        ("fedora", "fedora"),
        ("amazon linux", "amazon"),
        ("oracle linux", "oracle"),
        ("cbl-mariner", "cbl-mariner"),
        ("debian", "debian"),
        ("ubuntu", "ubuntu"),
        ("alpine", "alpine"),
        ("opensuse", "opensuse-leap"),
        ("suse linux enterprise", "sles"),
    ];
    NAMES
        .iter()
        .find(|(needle, _)| n.contains(needle))
        .map(|(_, f)| *f)
}

fn first_line(d: &[u8]) -> String {
    String::from_utf8_lossy(d)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// `etc/debian_version`: `12.5` gives `12` (advisories track the major release);
/// `trixie/sid` is kept as written.
fn debian_version(d: &[u8]) -> Option<String> {
    let v = first_line(d);
    if v.is_empty() {
        return None;
    }
    match v.split_once('.') {
        Some((major, _)) if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) => {
            Some(major.to_string())
        }
        _ => Some(v),
    }
}

fn parse_lsb_release(d: &[u8]) -> Option<OsInfo> {
    let mut id = None;
    let mut release = None;
    let mut desc = None;
    for line in String::from_utf8_lossy(d).lines() {
        if let Some((k, v)) = line.split_once('=') {
            let v = unquote(v.trim());
            match k.trim() {
                "DISTRIB_ID" => id = Some(v),
                "DISTRIB_RELEASE" => release = Some(v),
                "DISTRIB_DESCRIPTION" => desc = Some(v),
                _ => {}
            }
        }
    }
    let id = id.filter(|s| !s.is_empty())?;
    Some(OsInfo {
        family: normalise_id(&id),
        version: release.unwrap_or_default(),
        name: desc,
    })
}

/// `Red Hat Enterprise Linux release 8.9 (Ootpa)`, `CentOS Linux release 7.9.2009 (Core)`,
/// `Amazon Linux release 2 (Karoo)`, `Fedora release 39 (Thirty Nine)`.
fn parse_redhat_release(d: &[u8]) -> Option<OsInfo> {
    let line = first_line(d);
    let family = family_from_name(&line)?;
    let version = line
        .split_once(" release ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("")
        .to_string();
    Some(info(family, &version, Some(line)))
}

/// The old `etc/SuSE-release`: a name line, then `VERSION = 12` and `PATCHLEVEL = 3`.
fn parse_suse_release(d: &[u8]) -> Option<OsInfo> {
    let text = String::from_utf8_lossy(d);
    let name = text.lines().next()?.trim().to_string();
    let family = family_from_name(&name)?;
    let field = |key: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let mut version = field("VERSION").unwrap_or_default();
    if let Some(p) = field("PATCHLEVEL").filter(|p| p != "0") {
        version = format!("{version}.{p}");
    }
    Some(info(family, &version, Some(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoting() {
        assert_eq!(unquote("\"a \\\"b\\\"\""), "a \"b\"");
        assert_eq!(unquote("'x'"), "x");
        assert_eq!(unquote("plain"), "plain");
    }

    #[test]
    fn debian_versions() {
        assert_eq!(debian_version(b"12.5\n").as_deref(), Some("12"));
        assert_eq!(
            debian_version(b"trixie/sid\n").as_deref(),
            Some("trixie/sid")
        );
        assert_eq!(debian_version(b"\n"), None);
    }
}
