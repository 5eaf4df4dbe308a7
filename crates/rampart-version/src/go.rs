//! Go module version ordering (`golang.org/x/mod/semver`).
//!
//! `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`; the `v` may be omitted (OSV writes Go versions
//! without it). `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`. Build metadata,
//! including `+incompatible`, does not affect the order; pseudo-versions
//! (`v0.0.0-20210101000000-abcdef123456`) are ordinary pre-releases and order as SemVer.

use std::cmp::Ordering;

use crate::semver::{Dialect, Sem, cmp_sem, parse as parse_sem};
use crate::util::{fallback, span};

fn parse(v: &str) -> Option<Sem<'_>> {
    let s = v.strip_prefix('v').unwrap_or(v);
    if let Some(full) = parse_sem(s, Dialect::Strict) {
        return Some(full);
    }
    // Shorthand: `1` or `1.2`, no pre-release or build.
    let b = s.as_bytes();
    let n1 = span(b, |c| c.is_ascii_digit());
    let major = b.get(..n1).unwrap_or_default();
    let ok = |d: &[u8]| !d.is_empty() && (d.len() == 1 || d.first() != Some(&b'0'));
    if !ok(major) {
        return None;
    }
    let rest = b.get(n1..).unwrap_or_default();
    let minor: &[u8] = match rest.split_first() {
        None => b"0",
        Some((b'.', m)) if ok(m) && m.iter().all(u8::is_ascii_digit) => m,
        _ => return None,
    };
    Some(Sem {
        major,
        minor,
        patch: b"0",
        pre: "",
        build: "",
    })
}

/// Checks that `v` is a Go module version (`v` optional).
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse(v).map(|_| ()).ok_or("not a Go module version")
}

/// Compares two Go module versions; invalid strings sort first.
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(a, b, parse(a), parse(b), cmp_sem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("v1.2", "v1.2.0"), Equal);
        assert_eq!(compare("v2.0.0+incompatible", "v2.0.0"), Equal);
        assert_eq!(
            compare("v0.0.0-20210101000000-abcdef123456", "v0.0.1"),
            Less
        );
        assert_eq!(compare("1.2.3", "v1.2.3"), Equal);
        assert!(validate("v1.2.3.4").is_err());
    }
}
