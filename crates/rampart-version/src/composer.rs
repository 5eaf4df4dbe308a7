//! Composer/Packagist version ordering: PHP's `version_compare` after Composer's light
//! clean-up (surrounding blanks and a leading `v`/`V` removed).
//!
//! PHP first inserts `.` at every digit/non-digit boundary and turns `-`, `_`, `+` into `.`
//! (other punctuation stays, as a word of its own); then it compares part by part: numbers numerically; words by their
//! rank `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < `#` (a number) < `pl` = `p`
//! (matched as prefixes, so `patch` is `p`; unknown words rank lowest); a number beats a
//! word below `#`. When one version runs out, a further number makes the longer one greater
//! (`1.0.0` > `1.0`), a further word is compared against a number.

use std::cmp::Ordering;

use crate::util::cmp_digits;

fn special_rank(s: &[u8]) -> i32 {
    const FORMS: [(&[u8], i32); 10] = [
        (b"dev", 0),
        (b"alpha", 1),
        (b"a", 1),
        (b"beta", 2),
        (b"b", 2),
        (b"RC", 3),
        (b"rc", 3),
        (b"#", 4),
        (b"pl", 5),
        (b"p", 5),
    ];
    FORMS
        .iter()
        .find(|(name, _)| s.starts_with(name))
        .map_or(-6, |(_, r)| *r)
}

/// PHP's `php_canonicalize_version`, except that punctuation other than `-`, `_`, `+`
/// is kept as a part of its own (so `1.2.3.#` keeps its `#`), as osv-scalibr reads it.
fn canonicalize(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 2);
    let Some((&first, rest)) = v.split_first() else {
        return out;
    };
    out.push(first);
    let mut lp = first;
    let isdig = |c: u8| c.is_ascii_digit();
    let isndig = |c: u8| !c.is_ascii_digit() && c != b'.';
    for &c in rest {
        let last_dot = out.last() == Some(&b'.');
        if matches!(c, b'-' | b'_' | b'+' | b'.') {
            if !last_dot {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
            if !last_dot {
                out.push(b'.');
            }
            out.push(c);
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

/// The parts of a canonical version (empty parts dropped).
fn parts(canon: &[u8]) -> impl Iterator<Item = &[u8]> {
    canon.split(|&c| c == b'.').filter(|p| !p.is_empty())
}

fn is_num(p: &[u8]) -> bool {
    p.first().is_some_and(u8::is_ascii_digit)
}

/// A part's sort key: (rank, number). Numbers have rank 4 (PHP's `#`); the absence of a
/// part, and the special word `#` itself, sort as rank 4 without a number, i.e. below every
/// number. (PHP makes `#` *equal* to every number, which is not transitive: `0` < `0.0dev` <
/// `0#` = `0`. rampart keeps a total order instead.)
fn key(p: &[u8]) -> (i32, Option<&[u8]>) {
    if is_num(p) {
        let n = p.iter().take_while(|c| c.is_ascii_digit()).count();
        (4, Some(p.get(..n).unwrap_or_default()))
    } else {
        (special_rank(p), None)
    }
}

fn cmp_part(a: &[u8], b: &[u8]) -> Ordering {
    let (ra, na) = key(a);
    let (rb, nb) = key(b);
    ra.cmp(&rb).then_with(|| match (na, nb) {
        (Some(x), Some(y)) => cmp_digits(x, y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    })
}

/// The parts left over on the longer side against "no more parts" (rank 4, no number): a
/// number makes it greater, a word is ranked against a number, `#` is skipped, as PHP does.
fn cmp_tail<'a>(rest: impl Iterator<Item = &'a [u8]>) -> Ordering {
    for p in rest {
        let r = cmp_part(p, b"#");
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// `version_compare` on two cleaned versions.
fn php_compare(a: &[u8], b: &[u8]) -> Ordering {
    let (ca, cb) = (canonicalize(a), canonicalize(b));
    let (mut x, mut y) = (parts(&ca), parts(&cb));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (Some(p), None) => return cmp_tail(std::iter::once(p).chain(x)),
            (None, Some(q)) => return cmp_tail(std::iter::once(q).chain(y)).reverse(),
            (Some(p), Some(q)) => {
                let r = cmp_part(p, q);
                if r != Ordering::Equal {
                    return r;
                }
            }
        }
    }
}

fn clean(v: &str) -> &str {
    let t = v.trim();
    t.strip_prefix(['v', 'V']).unwrap_or(t)
}

/// Accepts any non-blank version without inner whitespace (PHP compares every string).
pub fn validate(v: &str) -> Result<(), &'static str> {
    let c = clean(v);
    if c.is_empty() {
        Err("version string is empty")
    } else if c.chars().any(char::is_whitespace) {
        Err("version contains whitespace")
    } else {
        Ok(())
    }
}

/// Compares two Composer versions with PHP `version_compare` semantics.
pub fn compare(a: &str, b: &str) -> Ordering {
    php_compare(clean(a).as_bytes(), clean(b).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0-dev", "1.0a1"), Less);
        assert_eq!(compare("1.0RC1", "1.0rc1"), Equal);
        assert_eq!(compare("1.0", "1.0pl1"), Less);
        assert_eq!(compare("1.0.0", "1.0"), Greater);
        assert_eq!(compare("v1.0.0", "V1.0.0"), Equal);
        assert_eq!(compare("1.2.3.#", "1.2.3"), Equal);
        assert_eq!(compare("1.2.3.#", "1.2.3.#"), Equal);
        assert_eq!(compare("1.2.3.#", "1.2.3.1"), Less);
        assert_eq!(compare("1.2.3.#.beta", "1.2.3"), Less);
    }
}
