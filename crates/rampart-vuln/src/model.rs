//! The normalized advisory: what every feed is turned into before it is stored.

use rampart_core::Severity;
use serde::{Deserialize, Serialize};

/// One advisory (an OSV record, a Debian tracker CVE, an Alpine secfix, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// Its id in its source (`CVE-2023-1234`, `GHSA-…`, `DSA-5380-1`, `RUSTSEC-…`).
    pub id: String,
    /// Other ids of the same vulnerability (OSV `aliases` and `upstream`).
    pub aliases: Vec<String>,
    /// One-line summary.
    pub summary: String,
    /// The source's own severity rating, when it gives one.
    pub severity: Option<Severity>,
    /// CVSS vectors with their computed base scores.
    pub cvss: Vec<CvssScore>,
    /// The data source (`osv:crates.io`, `debian-security-tracker`, `alpine-secdb`).
    pub source: String,
    /// What it affects.
    pub affected: Vec<Affected>,
}

/// A CVSS rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// Who rated it (`nvd`, `ghsa`, the OSV source).
    pub source: String,
    /// The vector string (`CVSS:3.1/AV:N/...`).
    pub vector: String,
    /// Base score, computed from the vector where rampart can, else as published.
    pub score: f64,
}

/// How a distro tracker classifies a package in a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AffectedStatus {
    /// Affected in the versions the ranges say (fixed where a `fixed` event says).
    Ranges,
    /// Affected, and no fix exists yet.
    Unfixed,
    /// The tracker says this release never had the vulnerable code.
    NotAffected,
    /// Minor issue the distro will not fix in a security update (`no-dsa`, postponed).
    NoDsa,
    /// The distro decided to ignore it.
    Ignored,
}

/// One package an advisory affects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Normalized ecosystem key: `debian:11`, `alpine:3.20`, `almalinux:9`, `crates.io`,
    /// `pypi`, `npm`, `go`, `maven`, `rubygems`, `nuget`, `packagist`.
    pub ecosystem: String,
    /// Package name as matched (source package for OS ecosystems; normalized for PyPI).
    pub package: String,
    /// Status.
    pub status: AffectedStatus,
    /// Version ranges (OSV semantics).
    pub ranges: Vec<Range>,
    /// Explicitly affected versions.
    pub versions: Vec<String>,
    /// The source's severity for this package (a distro's urgency), overriding the record's.
    pub severity: Option<Severity>,
}

/// A range of versions, as a sorted list of OSV events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// The events.
    pub events: Vec<Event>,
}

/// An OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Vulnerable from this version on (`0` = from the beginning).
    Introduced(String),
    /// Fixed in this version.
    Fixed(String),
    /// Vulnerable up to and including this version.
    LastAffected(String),
    /// Upper bound of the range, exclusive.
    Limit(String),
}

/// Extra facts about a CVE, from NVD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CveInfo {
    /// English description.
    pub description: String,
    /// CVSS ratings.
    pub cvss: Vec<CvssScore>,
}

/// Normalize a package name for matching in `ecosystem`: PEP 503 for PyPI; NuGet and
/// Packagist ids are case-insensitive and compare lower-cased.
pub fn normalize_name(ecosystem: &str, name: &str) -> String {
    if ecosystem == "nuget" || ecosystem == "packagist" {
        return name.to_ascii_lowercase();
    }
    if ecosystem == "pypi" {
        let mut out = String::with_capacity(name.len());
        let mut last_sep = false;
        for c in name.chars() {
            if c == '-' || c == '_' || c == '.' {
                if !last_sep {
                    out.push('-');
                }
                last_sep = true;
            } else {
                out.push(c.to_ascii_lowercase());
                last_sep = false;
            }
        }
        out
    } else {
        name.to_string()
    }
}

/// The normalized ecosystem key of an OSV ecosystem string, or `None` when rampart does
/// not match that ecosystem. `Debian:11` → `debian:11`, `Alpine:v3.20` → `alpine:3.20`,
/// `Ubuntu:22.04:LTS` → `ubuntu:22.04`, `Rocky Linux:9` → `rocky:9`, `crates.io` → `crates.io`.
pub fn ecosystem_key(osv: &str) -> Option<String> {
    let (family, rest) = match osv.split_once(':') {
        Some((f, r)) => (f, Some(r)),
        None => (osv, None),
    };
    let lang = match family {
        "crates.io" => Some("crates.io"),
        "PyPI" => Some("pypi"),
        "npm" => Some("npm"),
        "Go" => Some("go"),
        "Maven" => Some("maven"),
        "RubyGems" => Some("rubygems"),
        "NuGet" => Some("nuget"),
        "Packagist" => Some("packagist"),
        _ => None,
    };
    if let Some(l) = lang {
        return Some(l.to_string());
    }
    let fam = match family {
        "Debian" => "debian",
        "Ubuntu" => "ubuntu",
        "Alpine" => "alpine",
        "AlmaLinux" => "almalinux",
        "Rocky Linux" => "rocky",
        "Red Hat" => "rhel",
        "openSUSE" | "SUSE" => "suse",
        _ => return None,
    };
    let release = rest?.split(':').next()?.trim_start_matches('v');
    Some(format!("{fam}:{release}"))
}

/// The ecosystem key for an installed package: its language ecosystem, or the OS family
/// with the release that advisories are filed against (`debian:12`, `alpine:3.20`).
pub fn package_ecosystem_key(
    pkg: &rampart_core::Package,
    os: Option<&rampart_core::OsInfo>,
) -> Option<String> {
    use rampart_core::Ecosystem as E;
    Some(match pkg.ecosystem {
        E::Cargo => "crates.io".into(),
        E::PyPI => "pypi".into(),
        E::Npm => "npm".into(),
        E::Go => "go".into(),
        E::Maven => "maven".into(),
        E::RubyGems => "rubygems".into(),
        E::NuGet => "nuget".into(),
        E::Packagist => "packagist".into(),
        E::Deb | E::Apk | E::Rpm => {
            let os = os?;
            let family = os.family.as_str();
            let release = match family {
                "debian" | "almalinux" | "rocky" | "rhel" | "centos" | "oracle" => {
                    os.version.split('.').next()?.to_string()
                }
                "alpine" => os.version.split('.').take(2).collect::<Vec<_>>().join("."),
                _ => os.version.clone(),
            };
            format!("{family}:{release}")
        }
    })
}
