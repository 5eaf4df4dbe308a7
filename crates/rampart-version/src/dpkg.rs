//! Debian dpkg version ordering (`[epoch:]upstream[-revision]`), as `dpkg --compare-versions`.
//!
//! Leading and trailing blanks are ignored. The revision is everything after the last `-`.
//! Strings that dpkg refuses with an error (empty, embedded blanks, a bad epoch, nothing
//! after the colon, an empty revision or upstream part) are invalid; strings dpkg only warns
//! about (a first character that is not a digit, odd characters) compare as dpkg compares them.

use std::cmp::Ordering;

use crate::util::{cmp_digits, fallback};

/// A parsed dpkg version, borrowing from the input.
#[derive(Debug, Clone, Copy)]
struct Version<'a> {
    epoch: &'a [u8],
    upstream: &'a [u8],
    revision: &'a [u8],
}

fn parse(s: &str) -> Result<Version<'_>, &'static str> {
    let s = s.trim_matches(|c| c == ' ' || c == '\t');
    if s.is_empty() {
        return Err("version string is empty");
    }
    if s.bytes().any(|c| c.is_ascii_whitespace()) {
        return Err("version string has embedded spaces");
    }
    let b = s.as_bytes();
    let (epoch, rest): (&[u8], &[u8]) = match s.find(':') {
        Some(i) => {
            let e = b.get(..i).unwrap_or_default();
            let digits = e.strip_prefix(b"+").unwrap_or(e);
            if e.is_empty() {
                return Err("epoch in version is empty");
            }
            if e.first() == Some(&b'-') {
                return Err("epoch in version is negative");
            }
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err("epoch in version is not number");
            }
            if cmp_digits(digits, b"2147483647") == Ordering::Greater {
                return Err("epoch in version is too big");
            }
            let rest = b.get(i + 1..).unwrap_or_default();
            if rest.is_empty() {
                return Err("nothing after colon in version number");
            }
            (digits, rest)
        }
        None => (b"0", b),
    };
    let (upstream, revision) = match rest.iter().rposition(|&c| c == b'-') {
        Some(i) => {
            let rev = rest.get(i + 1..).unwrap_or_default();
            if rev.is_empty() {
                return Err("revision number is empty");
            }
            (rest.get(..i).unwrap_or_default(), rev)
        }
        None => (rest, &b""[..]),
    };
    if upstream.is_empty() {
        return Err("version number is empty");
    }
    Ok(Version {
        epoch,
        upstream,
        revision,
    })
}

/// Checks that dpkg would accept `v` (warnings are accepted, errors are not).
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse(v).map(|_| ())
}

/// Compares two dpkg versions. Versions dpkg rejects sort first (bytewise among themselves).
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(a, b, parse(a).ok(), parse(b).ok(), |x, y| {
        cmp_digits(x.epoch, y.epoch)
            .then_with(|| verrevcmp(x.upstream, y.upstream))
            .then_with(|| verrevcmp(x.revision, y.revision))
    })
}

/// The weight of a non-digit character: `~` below the end, letters below other symbols.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternating non-digit and digit runs.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    let at = |k: usize| a.get(k).copied();
    let bt = |k: usize| b.get(k).copied();
    let is_digit = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_digit());
    while at(i).is_some() || bt(j).is_some() {
        while (at(i).is_some() && !is_digit(at(i))) || (bt(j).is_some() && !is_digit(bt(j))) {
            let ac = order(at(i));
            let bc = order(bt(j));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(i) == Some(b'0') {
            i += 1;
        }
        while bt(j) == Some(b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(at(i)) && is_digit(bt(j)) {
            if first_diff == Ordering::Equal {
                first_diff = at(i).cmp(&bt(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(at(i)) {
            return Ordering::Greater;
        }
        if is_digit(bt(j)) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0~rc1", "1.0"), Less);
        assert_eq!(compare("1:0.1", "2.0"), Greater);
        assert_eq!(compare("1.0-1", "1.0-1+b1"), Less);
        assert_eq!(compare("1.0", "1.0-0"), Equal);
        assert_eq!(compare("1.0a", "1.0+"), Less);
        assert_eq!(compare("", "0"), Less);
        assert!(validate("1:").is_err());
        assert!(validate("1.0-").is_err());
        assert!(validate("a:1").is_err());
        assert!(validate("abc").is_ok());
    }
}
