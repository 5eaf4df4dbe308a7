//! RubyGems version ordering, as `Gem::Version#<=>`.
//!
//! A version is digits then dot-separated alphanumeric parts (`1.2.0.rc1`), optionally with
//! a `-` suffix (read as `.pre.`). It splits into runs of digits and runs of letters;
//! trailing zeros of the numeric head and of the rest are dropped; a missing segment is 0;
//! a letter segment (a pre-release) sorts below any number; letters compare as bytes.
//! Blank strings are version `0`.

use std::cmp::Ordering;

use crate::util::{cmp_digits, fallback};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg<'a> {
    Num(&'a [u8]),
    Str(&'a [u8]),
}

impl Seg<'_> {
    fn is_zero(&self) -> bool {
        matches!(self, Seg::Num(d) if d.iter().all(|&c| c == b'0'))
    }
}

fn well_formed(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() {
        return true;
    }
    let (main, pre) = match s.find('-') {
        Some(i) => (
            s.get(..i).unwrap_or_default(),
            Some(s.get(i + 1..).unwrap_or_default()),
        ),
        None => (s, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.')
            .all(|q| !q.is_empty() && q.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

/// Canonical segments: numeric head without trailing zeros, then the rest without trailing
/// zeros.
fn segments(s: &str) -> Vec<Seg<'_>> {
    let b = s.as_bytes();
    let mut segs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        let run = |f: fn(&u8) -> bool| {
            b.get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| f(c))
                .count()
        };
        if c.is_ascii_digit() {
            let n = run(u8::is_ascii_digit);
            segs.push(Seg::Num(b.get(i..i + n).unwrap_or_default()));
            i += n;
        } else if c.is_ascii_alphabetic() {
            let n = run(u8::is_ascii_alphabetic);
            segs.push(Seg::Str(b.get(i..i + n).unwrap_or_default()));
            i += n;
        } else {
            if c == b'-' {
                // `Gem::Version` reads `-` as `.pre.`.
                segs.push(Seg::Str(b"pre"));
            }
            i += 1;
        }
    }
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Str(_)))
        .unwrap_or(segs.len());
    let mut tail = segs.split_off(split);
    while segs.last().is_some_and(Seg::is_zero) {
        segs.pop();
    }
    while tail.last().is_some_and(Seg::is_zero) {
        tail.pop();
    }
    segs.extend(tail);
    segs
}

fn cmp_segs(a: &[Seg<'_>], b: &[Seg<'_>]) -> Ordering {
    let zero = Seg::Num(b"0");
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(zero);
        let y = b.get(i).copied().unwrap_or(zero);
        let r = match (x, y) {
            (Seg::Num(p), Seg::Num(q)) => cmp_digits(p, q),
            (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            (Seg::Str(p), Seg::Str(q)) => p.cmp(q),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// Checks `Gem::Version.correct?`.
pub fn validate(v: &str) -> Result<(), &'static str> {
    if well_formed(v.trim()) {
        Ok(())
    } else {
        Err("not a RubyGems version (digits, then .alphanumeric parts, optional -suffix)")
    }
}

/// Compares two RubyGems versions; malformed strings sort first.
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(a, b, parsed(a), parsed(b), |x, y| cmp_segs(x, y))
}

fn parsed(s: &str) -> Option<Vec<Seg<'_>>> {
    let t = s.trim();
    well_formed(t).then(|| segments(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0.a", "1.0"), Less);
        assert_eq!(compare("1.0.0", "1"), Equal);
        assert_eq!(compare("1.2.4.beta", "1.2.4"), Less);
        assert_eq!(compare("1.0.a10", "1.0.a9"), Greater);
        assert_eq!(compare("1.0-1", "1.0.pre.1"), Equal);
        assert_eq!(compare("", "0"), Equal);
        assert!(validate("1..0").is_err());
    }
}
