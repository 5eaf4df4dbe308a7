//! SemVer 2.0.0 ordering (crates.io), and the SemVer parser shared with npm, NuGet and Go.
//!
//! Precedence ignores build metadata: `MAJOR.MINOR.PATCH`, then a version without
//! pre-release beats one with; pre-release identifiers compare numerically when both are
//! numeric, numeric below alphanumeric, ASCII order otherwise, and a shorter list that is a
//! prefix of the other sorts first. Numbers have no size limit here.

use std::cmp::Ordering;

use crate::util::{cmp_digits, fallback, span};

/// Which parser rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SemVer 2.0.0 as written.
    Strict,
    /// node-semver without `loose`: trimmed, optional `v`, at most 256 characters, numbers
    /// at most 2^53-1.
    Npm,
    /// node-semver with `loose`: `[v=\s]*` prefix, leading zeros, `-` before the pre-release
    /// optional.
    NpmLoose,
}

/// A parsed version borrowing from its input; `pre` and `build` are empty when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sem<'a> {
    pub major: &'a [u8],
    pub minor: &'a [u8],
    pub patch: &'a [u8],
    pub pre: &'a str,
    pub build: &'a str,
}

/// 2^53 - 1, node's `Number.MAX_SAFE_INTEGER`.
pub(crate) const MAX_SAFE: u64 = 9_007_199_254_740_991;

pub(crate) fn num_ok(d: &[u8], dialect: Dialect) -> bool {
    if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if dialect != Dialect::NpmLoose && d.len() > 1 && d.first() == Some(&b'0') {
        return false;
    }
    dialect == Dialect::Strict || cmp_digits(d, b"9007199254740991") != Ordering::Greater
}

fn ident_ok(id: &str, numeric_rules: bool, dialect: Dialect) -> bool {
    let b = id.as_bytes();
    if b.is_empty() || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return false;
    }
    if numeric_rules && dialect != Dialect::NpmLoose && b.iter().all(u8::is_ascii_digit) {
        return b.len() == 1 || b.first() != Some(&b'0');
    }
    true
}

/// Parses `s` under `dialect`.
pub(crate) fn parse(s: &str, dialect: Dialect) -> Option<Sem<'_>> {
    let mut s = s;
    if dialect != Dialect::Strict {
        if s.len() > 256 {
            return None;
        }
        s = s.trim();
    }
    match dialect {
        Dialect::Strict => {}
        Dialect::Npm => s = s.strip_prefix('v').unwrap_or(s),
        Dialect::NpmLoose => {
            s = s.trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_whitespace())
        }
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut nums = [&b""[..]; 3];
    for (k, slot) in nums.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let rest = b.get(i..).unwrap_or_default();
        let n = span(rest, |c| c.is_ascii_digit());
        *slot = rest.get(..n).unwrap_or_default();
        if !num_ok(slot, dialect) {
            return None;
        }
        i += n;
    }
    let rest = s.get(i..).unwrap_or_default();
    let (head, build) = match rest.find('+') {
        Some(p) => (
            rest.get(..p).unwrap_or_default(),
            rest.get(p + 1..).unwrap_or_default(),
        ),
        None => (rest, ""),
    };
    if rest.contains('+')
        && (build.is_empty() || !build.split('.').all(|id| ident_ok(id, false, dialect)))
    {
        return None;
    }
    let pre = if head.is_empty() {
        ""
    } else if let Some(p) = head.strip_prefix('-') {
        p
    } else if dialect == Dialect::NpmLoose {
        head
    } else {
        return None;
    };
    if !head.is_empty() && !pre.split('.').all(|id| ident_ok(id, true, dialect)) {
        return None;
    }
    let [major, minor, patch] = nums;
    Some(Sem {
        major,
        minor,
        patch,
        pre,
        build,
    })
}

/// Compares dot-separated pre-release lists (both non-empty or both empty).
pub(crate) fn cmp_pre(a: &str, b: &str, ignore_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut x = a.split('.');
    let mut y = b.split('.');
    loop {
        let (p, q) = match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => (p.as_bytes(), q.as_bytes()),
        };
        let pn = !p.is_empty() && p.iter().all(u8::is_ascii_digit);
        let qn = !q.is_empty() && q.iter().all(u8::is_ascii_digit);
        let r = match (pn, qn) {
            (true, true) => cmp_digits(p, q),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if ignore_case => p
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(q.iter().map(u8::to_ascii_lowercase)),
            (false, false) => p.cmp(q),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
}

/// SemVer precedence (build metadata ignored).
pub(crate) fn cmp_sem(a: &Sem<'_>, b: &Sem<'_>) -> Ordering {
    cmp_digits(a.major, b.major)
        .then_with(|| cmp_digits(a.minor, b.minor))
        .then_with(|| cmp_digits(a.patch, b.patch))
        .then_with(|| cmp_pre(a.pre, b.pre, false))
}

/// Checks that `v` is a SemVer 2.0.0 version.
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse(v, Dialect::Strict)
        .map(|_| ())
        .ok_or("not a SemVer 2.0.0 version")
}

/// Compares two SemVer 2.0.0 versions; invalid strings sort first. A leading `v` (as in
/// git tags and some advisories) is tolerated here, though [`validate`] rejects it.
pub fn compare(a: &str, b: &str) -> Ordering {
    let p = |s| parse(s, Dialect::Strict).or_else(|| parse(s.strip_prefix('v')?, Dialect::Strict));
    fallback(a, b, p(a), p(b), cmp_sem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0.0-alpha", "1.0.0-alpha.1"), Less);
        assert_eq!(compare("1.0.0-alpha.beta", "1.0.0-beta"), Less);
        assert_eq!(compare("1.0.0-beta.11", "1.0.0-rc.1"), Less);
        assert_eq!(compare("1.0.0+a", "1.0.0+b"), Equal);
        assert!(validate("01.0.0").is_err());
        assert!(validate("1.0.0-01").is_err());
        assert!(validate("1.0.0+").is_err());
        assert!(validate("v1.0.0").is_err());
    }
}
