//! PEP 440 version ordering (PyPI), as Python's `packaging.version.Version` orders it.
//!
//! Accepted syntax is `packaging`'s: optional `v`, `N!` epoch, release `N(.N)*`, pre-release
//! (`a`/`alpha`, `b`/`beta`, `c`/`rc`/`pre`/`preview`), post-release (`.postN`, `-N`,
//! `rev`, `r`), development release (`.devN`), local label (`+abc.5`), any case, with the
//! separators `-`, `_`, `.` where PEP 440 allows them and surrounding whitespace.
//! Trailing zeros of the release are insignificant; numbers have no size limit.

use std::cmp::Ordering;

use crate::util::{cmp_digits, fallback, span};

/// Pre-release kinds in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    Alpha,
    Beta,
    Rc,
}

/// A parsed version, borrowing digit runs from the input.
#[derive(Debug, Clone, Copy)]
struct Version<'a> {
    epoch: &'a [u8],
    /// `N(.N)*`, still with its dots.
    release: &'a [u8],
    pre: Option<(Pre, &'a [u8])>,
    post: Option<&'a [u8]>,
    dev: Option<&'a [u8]>,
    /// The label after `+`, separators still in.
    local: Option<&'a [u8]>,
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }
    fn rest(&self) -> &'a [u8] {
        self.s.get(self.i..).unwrap_or_default()
    }
    fn digits(&mut self) -> &'a [u8] {
        let n = span(self.rest(), |c| c.is_ascii_digit());
        let d = self.rest().get(..n).unwrap_or_default();
        self.i += n;
        d
    }
    fn is_sep(c: Option<u8>) -> bool {
        matches!(c, Some(b'-' | b'_' | b'.'))
    }
    /// Matches one of `words` (case-insensitive) at offset `k`, longest listed first.
    fn word(&self, k: usize, words: &[&str]) -> Option<usize> {
        let r = self.s.get(self.i + k..).unwrap_or_default();
        words.iter().position(|w| {
            r.len() >= w.len()
                && r.get(..w.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
        })
    }
    /// `[-_.]?WORD[-_.]?N?` : returns (word index, number) and advances.
    fn tagged(&mut self, words: &[&str]) -> Option<(usize, &'a [u8])> {
        let k = usize::from(Self::is_sep(self.peek(0)));
        let w = self.word(k, words)?;
        self.i += k + words.get(w).map_or(0, |s| s.len());
        // The separator is taken even without a number: every later part may follow
        // without one, so nothing is lost (`1.0rc.` is `1.0rc0`, as in `packaging`).
        if Self::is_sep(self.peek(0)) {
            self.i += 1;
        }
        Some((w, self.digits()))
    }
}

fn parse(input: &str) -> Option<Version<'_>> {
    let s = input.trim().as_bytes();
    let mut c = Cursor { s, i: 0 };
    if matches!(c.peek(0), Some(b'v' | b'V')) {
        c.i += 1;
    }
    let start = c.i;
    let first = c.digits();
    if first.is_empty() {
        return None;
    }
    let mut epoch: &[u8] = b"0";
    let mut rel_start = start;
    if c.peek(0) == Some(b'!') {
        epoch = first;
        c.i += 1;
        rel_start = c.i;
        if c.digits().is_empty() {
            return None;
        }
    }
    while c.peek(0) == Some(b'.') && c.peek(1).is_some_and(|d| d.is_ascii_digit()) {
        c.i += 1;
        c.digits();
    }
    let release = s.get(rel_start..c.i).unwrap_or_default();
    let pre = c
        .tagged(&["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"])
        .map(|(w, n)| {
            let kind = match w {
                0 | 1 => Pre::Alpha,
                2 | 3 => Pre::Beta,
                _ => Pre::Rc,
            };
            (kind, n)
        });
    let mut post = None;
    if c.peek(0) == Some(b'-') && c.peek(1).is_some_and(|d| d.is_ascii_digit()) {
        c.i += 1;
        post = Some(c.digits());
    } else if let Some((_, n)) = c.tagged(&["post", "rev", "r"]) {
        post = Some(n);
    }
    let dev = c.tagged(&["dev"]).map(|(_, n)| n);
    let mut local = None;
    if c.peek(0) == Some(b'+') {
        c.i += 1;
        let l = c.rest();
        let n = span(l, |ch| {
            ch.is_ascii_alphanumeric() || Cursor::is_sep(Some(ch))
        });
        let label = l.get(..n).unwrap_or_default();
        let bad_edge = |ch: Option<&u8>| ch.is_none_or(|&ch| Cursor::is_sep(Some(ch)));
        if bad_edge(label.first())
            || bad_edge(label.last())
            || label
                .windows(2)
                .any(|w| w.iter().all(|&ch| Cursor::is_sep(Some(ch))))
        {
            return None;
        }
        c.i += n;
        local = Some(label);
    }
    if c.i != s.len() {
        return None;
    }
    Some(Version {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Compares two dotted release strings with implicit zero padding.
fn cmp_release(a: &[u8], b: &[u8]) -> Ordering {
    let mut x = a.split(|&c| c == b'.');
    let mut y = b.split(|&c| c == b'.');
    loop {
        match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (p, q) => {
                let r = cmp_digits(p.unwrap_or(b"0"), q.unwrap_or(b"0"));
                if r != Ordering::Equal {
                    return r;
                }
            }
        }
    }
}

/// Compares local labels: numeric segments beat alphanumeric ones, strings compare
/// case-insensitively, a shorter label that is a prefix sorts first.
fn cmp_local(a: &[u8], b: &[u8]) -> Ordering {
    let sep = |c: &u8| matches!(c, b'-' | b'_' | b'.');
    let mut x = a.split(sep);
    let mut y = b.split(sep);
    loop {
        let (p, q) = match (x.next(), y.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) => (p, q),
        };
        let pn = p.iter().all(u8::is_ascii_digit);
        let qn = q.iter().all(u8::is_ascii_digit);
        let r = match (pn, qn) {
            (true, true) => cmp_digits(p, q),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => p
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(q.iter().map(u8::to_ascii_lowercase)),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
}

fn cmp_version(a: &Version<'_>, b: &Version<'_>) -> Ordering {
    // packaging's _cmpkey: a dev release without pre/post sorts before every pre-release.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum PreKey<'a> {
        DevOnly,
        Pre(Pre, Num<'a>),
        None,
    }
    #[derive(PartialEq, Eq)]
    struct Num<'a>(&'a [u8]);
    impl PartialOrd for Num<'_> {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Num<'_> {
        fn cmp(&self, o: &Self) -> Ordering {
            cmp_digits(self.0, o.0)
        }
    }
    fn pre_key<'b>(v: &Version<'b>) -> PreKey<'b> {
        match (v.pre, v.post, v.dev) {
            (None, None, Some(_)) => PreKey::DevOnly,
            (None, _, _) => PreKey::None,
            (Some((k, n)), _, _) => PreKey::Pre(k, Num(n)),
        }
    }
    cmp_digits(a.epoch, b.epoch)
        .then_with(|| cmp_release(a.release, b.release))
        .then_with(|| pre_key(a).cmp(&pre_key(b)))
        .then_with(|| a.post.map(Num).cmp(&b.post.map(Num)))
        .then_with(|| match (a.dev, b.dev) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => cmp_digits(x, y),
        })
        .then_with(|| match (a.local, b.local) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => cmp_local(x, y),
        })
}

/// Checks that `packaging.version.Version(v)` would accept `v`.
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse(v).map(|_| ()).ok_or("not a PEP 440 version")
}

/// Compares two PEP 440 versions; strings `packaging` rejects sort first.
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(a, b, parse(a), parse(b), cmp_version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0.dev1", "1.0a1"), Less);
        assert_eq!(compare("1.0a1", "1.0"), Less);
        assert_eq!(compare("1.0", "1.0.0"), Equal);
        assert_eq!(compare("1.0.post1", "1.0+local"), Greater);
        assert_eq!(compare("1!0.1", "2.0"), Greater);
        assert_eq!(compare("1.0-1", "1.0.post1"), Equal);
        assert_eq!(compare("1.0RC1", "1.0rc1"), Equal);
        assert_eq!(compare("1.0+abc.5", "1.0+abc.10"), Less);
        assert_eq!(compare("1.0+5", "1.0+abc"), Greater);
        assert!(validate("1.0.").is_err());
        assert!(validate("1.0+").is_err());
        assert!(validate(" v1.0rc. ").is_ok());
    }
}
