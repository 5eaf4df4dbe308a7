//! Version ordering for every ecosystem rampart matches advisories in.
//!
//! Each ecosystem has its own module with a pure `compare` function that follows the
//! reference implementation of that ecosystem (dpkg, apk-tools, rpm, node-semver,
//! `packaging`, Go's `x/mod/semver`, Maven's `ComparableVersion`, `Gem::Version`, NuGet,
//! Composer). [`compare`] dispatches on a [`Scheme`]; [`scheme_for`] maps a
//! [`rampart_core::Ecosystem`] to its scheme. This crate does no IO and never panics.
//!
//! [`compare`] is a total order for every scheme. A string that the scheme cannot parse
//! (see [`parse_valid`]) sorts *before* every valid version, and unparsable strings sort
//! among themselves by their bytes. apk is the exception: apk-tools itself orders invalid
//! versions (it compares tokens up to the first invalid one), and rampart does the same.
//!
//! npm range matching lives in [`npm`]; ranges of other ecosystems are the matcher's job.
//!
//! ```
//! use rampart_version::{compare, Scheme};
//! use std::cmp::Ordering;
//! assert_eq!(compare(Scheme::Dpkg, "1.0~rc1-1", "1.0-1"), Ordering::Less);
//! assert_eq!(compare(Scheme::Pep440, "1.0.post1", "1.0"), Ordering::Greater);
//! assert_eq!(compare(Scheme::Maven, "1.0-RC1", "1.0"), Ordering::Less);
//! let r = rampart_version::npm::Range::parse("^1.2.3 || >=3.0.0-beta").unwrap();
//! assert!(r.satisfies("1.9.0", false));
//! assert!(!r.satisfies("2.0.0", false));
//! ```
#![deny(missing_docs)]

use std::cmp::Ordering;

pub mod apk;
pub mod composer;
pub mod dpkg;
mod error;
pub mod go;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;
mod util;

pub use error::VersionError;
use rampart_core::Ecosystem;

/// A version ordering scheme: one per reference implementation. Serialized as the
/// lower-case name [`Scheme::as_str`] returns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Debian dpkg (`epoch:upstream-revision`, `~` sorts before everything).
    Dpkg,
    /// Alpine apk-tools (`1.2.3a_rc1_p2-r4`).
    Apk,
    /// rpm (`epoch:version-release`, rpmvercmp with `~` and `^`).
    Rpm,
    /// Strict SemVer 2.0.0 (crates.io).
    Semver,
    /// node-semver (npm): SemVer 2.0.0 with a tolerated leading `v`/`=` and whitespace.
    Npm,
    /// PEP 440 (PyPI), as Python `packaging.version` orders it.
    Pep440,
    /// Go modules (`v1.2.3`, `+incompatible`, pseudo-versions).
    Go,
    /// Maven `ComparableVersion`.
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// NuGet (SemVer 2.0 plus four-part legacy versions, case-insensitive).
    NuGet,
    /// Composer/Packagist (PHP `version_compare` after Composer normalization).
    Composer,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 11] = [
        Scheme::Dpkg,
        Scheme::Apk,
        Scheme::Rpm,
        Scheme::Semver,
        Scheme::Npm,
        Scheme::Pep440,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
    ];

    /// A short lower-case name (`dpkg`, `pep440`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Apk => "apk",
            Scheme::Rpm => "rpm",
            Scheme::Semver => "semver",
            Scheme::Npm => "npm",
            Scheme::Pep440 => "pep440",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Composer => "composer",
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares two versions under `scheme`. Total order; never panics (see the crate docs for
/// how unparsable versions are ordered).
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    match scheme {
        Scheme::Dpkg => dpkg::compare(a, b),
        Scheme::Apk => apk::compare(a, b),
        Scheme::Rpm => rpm::compare(a, b),
        Scheme::Semver => semver::compare(a, b),
        Scheme::Npm => npm::compare(a, b),
        Scheme::Pep440 => pep440::compare(a, b),
        Scheme::Go => go::compare(a, b),
        Scheme::Maven => maven::compare(a, b),
        Scheme::RubyGems => rubygems::compare(a, b),
        Scheme::NuGet => nuget::compare(a, b),
        Scheme::Composer => composer::compare(a, b),
    }
}

/// Checks that `v` is a version the scheme's reference implementation accepts.
pub fn parse_valid(scheme: Scheme, v: &str) -> Result<(), VersionError> {
    let r = match scheme {
        Scheme::Dpkg => dpkg::validate(v),
        Scheme::Apk => apk::validate(v),
        Scheme::Rpm => rpm::validate(v),
        Scheme::Semver => semver::validate(v),
        Scheme::Npm => npm::validate(v),
        Scheme::Pep440 => pep440::validate(v),
        Scheme::Go => go::validate(v),
        Scheme::Maven => maven::validate(v),
        Scheme::RubyGems => rubygems::validate(v),
        Scheme::NuGet => nuget::validate(v),
        Scheme::Composer => composer::validate(v),
    };
    r.map_err(|reason| VersionError::Invalid {
        scheme,
        version: v.to_string(),
        reason,
    })
}

/// The scheme that orders versions of `eco`.
pub fn scheme_for(eco: Ecosystem) -> Scheme {
    match eco {
        Ecosystem::Deb => Scheme::Dpkg,
        Ecosystem::Apk => Scheme::Apk,
        Ecosystem::Rpm => Scheme::Rpm,
        Ecosystem::Cargo => Scheme::Semver,
        Ecosystem::Npm => Scheme::Npm,
        Ecosystem::PyPI => Scheme::Pep440,
        Ecosystem::Go => Scheme::Go,
        Ecosystem::RubyGems => Scheme::RubyGems,
        Ecosystem::Packagist => Scheme::Composer,
        Ecosystem::Maven => Scheme::Maven,
        Ecosystem::NuGet => Scheme::NuGet,
    }
}

/// Fuzzing entry point: splits `data` at the first NUL byte (or in half) and compares the two
/// halves under every scheme, checking antisymmetry. Also parses the first half as an npm range.
#[doc(hidden)]
pub fn fuzz_compare(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (a, b) = match text.find('\0') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => {
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            text.split_at(mid)
        }
    };
    for scheme in Scheme::ALL {
        let ab = compare(scheme, a, b);
        let ba = compare(scheme, b, a);
        assert_eq!(
            ab,
            ba.reverse(),
            "{scheme}: {a:?} vs {b:?} not antisymmetric"
        );
        assert_eq!(compare(scheme, a, a), Ordering::Equal);
        let _ = parse_valid(scheme, a);
    }
    if let Ok(r) = npm::Range::parse(a) {
        let _ = r.satisfies(b, true);
        let _ = r.satisfies(b, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_mapping() {
        for s in Scheme::ALL {
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for eco in Ecosystem::ALL {
            let s = scheme_for(eco);
            assert!(Scheme::ALL.contains(&s));
        }
        assert_eq!(scheme_for(Ecosystem::Packagist), Scheme::Composer);
        assert_eq!(scheme_for(Ecosystem::Cargo), Scheme::Semver);
    }

    #[test]
    fn invalid_sorts_first() {
        assert_eq!(
            compare(Scheme::Pep440, "not a version", "0"),
            Ordering::Less
        );
        assert_eq!(compare(Scheme::Semver, "x", "y"), Ordering::Less);
        let e = parse_valid(Scheme::Dpkg, "1:").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid dpkg version \"1:\": nothing after colon in version number"
        );
    }

    #[test]
    fn fuzz_entry() {
        fuzz_compare(b"1.0\x002.0");
        fuzz_compare(&[0xff, 0xfe, b'1']);
        fuzz_compare(b"");
    }
}
