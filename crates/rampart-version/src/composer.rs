//! Composer/Packagist version ordering: PHP's `version_compare` after Composer's light
//! clean-up (surrounding blanks and a leading `v`/`V` removed).
//!
//! PHP first inserts `.` at every digit/non-digit boundary and turns `-`, `_`, `+` and other
//! punctuation into `.`; then it compares part by part: numbers numerically; words by their
//! rank `dev` < `alpha` = `a` < `beta` = `b` < `RC` = `rc` < `#` (a number) < `pl` = `p`
//! (matched as prefixes, so `patch` is `p`; unknown words rank lowest); a number beats a
//! word below `#`. When one version runs out, a further number makes the longer one greater
//! (`1.0.0` > `1.0`), a further word is compared against a number.

use std::cmp::Ordering;

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

/// PHP's `php_canonicalize_version`.
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
        if matches!(c, b'-' | b'_' | b'+') {
            if !last_dot {
                out.push(b'.');
            }
        } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
            if !last_dot {
                out.push(b'.');
            }
            out.push(c);
        } else if !c.is_ascii_alphanumeric() {
            if !last_dot {
                out.push(b'.');
            }
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

fn cmp_num(a: &[u8], b: &[u8]) -> Ordering {
    let d = |s: &[u8]| {
        let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
        s.get(..n).unwrap_or_default().to_vec()
    };
    crate::util::cmp_digits(&d(a), &d(b))
}

/// PHP's `php_version_compare` (numbers compared without overflow).
fn php_compare(a: &[u8], b: &[u8], depth: u8) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (false, true) => return Ordering::Greater,
        (true, false) => return Ordering::Less,
        _ => {}
    }
    let v1 = if a.first() == Some(&b'#') { a.to_vec() } else { canonicalize(a) };
    let v2 = if b.first() == Some(&b'#') { b.to_vec() } else { canonicalize(b) };
    let (mut p1, mut p2) = (&v1[..], &v2[..]);
    let (mut n1, mut n2) = (true, true);
    let digit = |s: &[u8]| s.first().is_some_and(u8::is_ascii_digit);
    let mut cmp = Ordering::Equal;
    let mut more1 = false;
    let mut more2 = false;
    while !p1.is_empty() && !p2.is_empty() && n1 && n2 {
        let i1 = p1.iter().position(|&c| c == b'.');
        let i2 = p2.iter().position(|&c| c == b'.');
        n1 = i1.is_some();
        n2 = i2.is_some();
        let e1 = p1.get(..i1.unwrap_or(p1.len())).unwrap_or_default();
        let e2 = p2.get(..i2.unwrap_or(p2.len())).unwrap_or_default();
        cmp = match (digit(e1), digit(e2)) {
            (true, true) => cmp_num(e1, e2),
            (false, false) => special_rank(e1).cmp(&special_rank(e2)),
            (true, false) => special_rank(b"#N#").cmp(&special_rank(e2)),
            (false, true) => special_rank(e1).cmp(&special_rank(b"#N#")),
        };
        if cmp != Ordering::Equal {
            break;
        }
        more1 = n1;
        more2 = n2;
        if let Some(i) = i1 {
            p1 = p1.get(i + 1..).unwrap_or_default();
        }
        if let Some(i) = i2 {
            p2 = p2.get(i + 1..).unwrap_or_default();
        }
    }
    if cmp == Ordering::Equal && depth < 4 {
        if more1 && n1 {
            cmp = if digit(p1) { Ordering::Greater } else { php_compare(p1, b"#N#", depth + 1) };
        } else if more2 && n2 {
            cmp = if digit(p2) { Ordering::Less } else { php_compare(b"#N#", p2, depth + 1) };
        }
    }
    cmp
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
    php_compare(clean(a).as_bytes(), clean(b).as_bytes(), 0)
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
    }
}
