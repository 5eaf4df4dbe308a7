//! Installed packages, their ecosystems and the operating system they were found in.

use crate::purl;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A package ecosystem: where a package's name and version come from and how they compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Debian-family dpkg packages (Debian, Ubuntu, distroless).
    Deb,
    /// Alpine apk packages.
    Apk,
    /// RPM packages (RHEL, Fedora, CentOS, Alma, Rocky, Amazon, SUSE).
    Rpm,
    /// Rust crates.
    Cargo,
    /// npm packages (package-lock, yarn, pnpm, node_modules).
    Npm,
    /// Python packages.
    #[serde(rename = "pypi")]
    PyPI,
    /// Go modules.
    Go,
    /// Ruby gems.
    #[serde(rename = "rubygems")]
    RubyGems,
    /// PHP Composer packages.
    Packagist,
    /// Maven (Java) artifacts.
    Maven,
    /// NuGet (.NET) packages.
    #[serde(rename = "nuget")]
    NuGet,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 11] = [
        Ecosystem::Deb,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Cargo,
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Maven,
        Ecosystem::NuGet,
    ];

    /// The purl type (`deb`, `npm`, `golang`, ...).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Packagist => "composer",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
        }
    }

    /// The ecosystem name OSV uses for language ecosystems (`crates.io`, `PyPI`, ...).
    /// OS ecosystems carry a release in OSV (`Debian:12`), so they return the family only.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Deb => "Debian",
            Ecosystem::Apk => "Alpine",
            Ecosystem::Rpm => "Red Hat",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
        }
    }

    /// True for operating-system package managers.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl Ecosystem {
    /// The lower-case name used in reports (`deb`, `pypi`, `go`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "go",
            Ecosystem::RubyGems => "rubygems",
            Ecosystem::Packagist => "packagist",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a lockfile says a dependency is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Needed at run time.
    Runtime,
    /// Only for development (npm `dev`, poetry `dev` group, ...).
    Dev,
    /// Only for tests.
    Test,
    /// Optional.
    Optional,
}

/// The operating system of an image or root filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OsInfo {
    /// Family as advisories name it: `debian`, `ubuntu`, `alpine`, `rhel`, `centos`, `rocky`,
    /// `almalinux`, `amazon`, `fedora`, `opensuse-leap`, `sles`, ...
    pub family: String,
    /// Release (`12`, `3.20.1`, `9.4`, `2023`).
    pub version: String,
    /// Pretty name, when the OS gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl OsInfo {
    /// The purl `distro` qualifier (`debian-12`).
    pub fn distro_qualifier(&self) -> String {
        if self.version.is_empty() {
            self.family.clone()
        } else {
            format!("{}-{}", self.family, self.version)
        }
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Name as its ecosystem spells it (binary package name for OS packages).
    pub name: String,
    /// Version as its ecosystem spells it (with epoch for dpkg/rpm when present).
    pub version: String,
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Package URL.
    pub purl: String,
    /// Source package name (OS packages), when it differs or is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source package version, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Architecture (`amd64`, `x86_64`, `noarch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Licences declared by the package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// Files the package was found in (relative to the scanned root / inside the image).
    pub locations: Vec<String>,
    /// Digest of the image layer that holds the evidence, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Dependency scope where the lockfile says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
}

impl Package {
    /// A package with its purl computed from name, version and ecosystem (no namespace or
    /// qualifiers; use [`Package::with_purl`] for OS packages or namespaced names).
    pub fn new(name: impl Into<String>, version: impl Into<String>, ecosystem: Ecosystem) -> Self {
        let name = name.into();
        let version = version.into();
        let purl = default_purl(ecosystem, &name, &version);
        Package {
            name,
            version,
            ecosystem,
            purl,
            source_name: None,
            source_version: None,
            arch: None,
            licenses: Vec::new(),
            locations: Vec::new(),
            layer: None,
            scope: None,
        }
    }

    /// Replace the purl.
    pub fn with_purl(mut self, purl: String) -> Self {
        self.purl = purl;
        self
    }

    /// Add a location.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.locations.push(location.into());
        self
    }

    /// The source package name, falling back to the package name.
    pub fn source_or_name(&self) -> &str {
        self.source_name.as_deref().unwrap_or(&self.name)
    }
}

/// The purl for a language package, splitting namespaces where the ecosystem has them
/// (`@scope/name` for npm, `group:artifact` for Maven, the module path for Go,
/// `vendor/name` for Composer).
pub fn default_purl(eco: Ecosystem, name: &str, version: &str) -> String {
    let ty = eco.purl_type();
    match eco {
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist => match name.rsplit_once('/') {
            Some((ns, n)) => purl::build(ty, Some(ns), n, version, &[]),
            None => purl::build(ty, None, name, version, &[]),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => purl::build(ty, Some(g), a, version, &[]),
            None => purl::build(ty, None, name, version, &[]),
        },
        Ecosystem::PyPI => {
            // The purl spec lower-cases PyPI names and uses '-' for '_'.
            let n = name.to_ascii_lowercase().replace('_', "-");
            purl::build(ty, None, &n, version, &[])
        }
        _ => purl::build(ty, None, name, version, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_purls() {
        assert_eq!(
            Package::new("@babel/core", "7.0.0", Ecosystem::Npm).purl,
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            Package::new("org.slf4j:slf4j-api", "1.7.30", Ecosystem::Maven).purl,
            "pkg:maven/org.slf4j/slf4j-api@1.7.30"
        );
        assert_eq!(
            Package::new("golang.org/x/net", "v0.1.0", Ecosystem::Go).purl,
            "pkg:golang/golang.org/x/net@v0.1.0"
        );
        assert_eq!(
            Package::new("Django_Foo", "1.0", Ecosystem::PyPI).purl,
            "pkg:pypi/django-foo@1.0"
        );
        assert_eq!(Ecosystem::PyPI.to_string(), "pypi");
    }
}
