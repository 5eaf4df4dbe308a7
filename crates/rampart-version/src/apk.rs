//! Alpine apk-tools version ordering (apk-tools 3 semantics).
//!
//! Grammar: `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}`. Suffixes order
//! `_alpha` < `_beta` < `_pre` < `_rc` < (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`.
//! A digit component with a leading zero (after the first) compares as a string, the way
//! Gentoo does. Tokens are compared pairwise until they differ in kind; then the version
//! that ends (or becomes invalid) decides, as apk-tools does. Invalid versions are therefore
//! ordered by apk's own rules rather than by rampart's generic fallback.
//!
//! **One deliberate extension:** a digit run right after a letter (`openssh 9.6p1-r1`) is
//! read as a further digit component, as apk-tools 2 reads it. apk-tools 3 declares such
//! versions invalid at the digit and so calls `9.6p1-r0` and `9.6p1-r1` *equal*, which would
//! make an unpatched package look fixed. [`validate`] still reports them as invalid.

use std::cmp::Ordering;

use crate::util::{cmp_digits, span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

/// Suffix ranks; `NONE` is the rank of "no suffix".
const SUFFIX_NONE: u8 = 5;

fn suffix_value(s: &[u8]) -> Option<u8> {
    Some(match s {
        b"alpha" => 1,
        b"beta" => 2,
        b"pre" => 3,
        b"rc" => 4,
        b"cvs" => 6,
        b"svn" => 7,
        b"git" => 8,
        b"hg" => 9,
        b"p" => 10,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    suffix: u8,
    value: &'a [u8],
}

struct Lexer<'a> {
    /// Accept a digit run right after a letter (`6.6p1`), as apk-tools 2 does.
    letter_digit: bool,
    rest: &'a [u8],
    tok: Token<'a>,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str, letter_digit: bool) -> Self {
        let mut l = Lexer {
            letter_digit,
            rest: s.as_bytes(),
            tok: Token {
                kind: Kind::InitialDigit,
                suffix: 0,
                value: b"",
            },
        };
        l.digits();
        l
    }

    fn digits(&mut self) {
        let n = span(self.rest, |c| c.is_ascii_digit());
        self.tok.value = self.rest.get(..n).unwrap_or_default();
        self.rest = self.rest.get(n..).unwrap_or_default();
        if n == 0 {
            self.tok.kind = Kind::Invalid;
        }
    }

    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or_default();
    }

    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.tok.kind = Kind::End;
            return;
        };
        let k = self.tok.kind;
        match c {
            b'a'..=b'z' if k <= Kind::Digit => {
                self.tok.value = self.rest.get(..1).unwrap_or_default();
                self.tok.kind = Kind::Letter;
                self.advance(1);
            }
            b'.' | b'0'..=b'9'
                if k <= Kind::Digit
                    || (c != b'.'
                        && (k == Kind::Suffix || (k == Kind::Letter && self.letter_digit))) =>
            {
                if c == b'.' {
                    self.advance(1);
                }
                self.tok.kind = if k == Kind::Suffix {
                    Kind::SuffixNo
                } else {
                    Kind::Digit
                };
                self.digits();
            }
            b'_' if k <= Kind::SuffixNo => {
                self.advance(1);
                let n = span(self.rest, |c| c.is_ascii_lowercase());
                self.tok.value = self.rest.get(..n).unwrap_or_default();
                self.advance(n);
                match suffix_value(self.tok.value) {
                    Some(v) => {
                        self.tok.suffix = v;
                        self.tok.kind = Kind::Suffix;
                    }
                    None => self.tok.kind = Kind::Invalid,
                }
            }
            b'~' if k < Kind::CommitHash => {
                self.advance(1);
                let n = span(self.rest, |c| c.is_ascii_hexdigit());
                self.tok.value = self.rest.get(..n).unwrap_or_default();
                self.advance(n);
                self.tok.kind = if n == 0 {
                    Kind::Invalid
                } else {
                    Kind::CommitHash
                };
            }
            b'-' if k < Kind::RevisionNo && self.rest.get(1) == Some(&b'r') => {
                self.advance(2);
                self.tok.kind = Kind::RevisionNo;
                self.digits();
            }
            _ => self.tok.kind = Kind::Invalid,
        }
    }
}

fn token_cmp(a: &Token<'_>, b: &Token<'_>) -> Ordering {
    match a.kind {
        Kind::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Kind::Digit | Kind::InitialDigit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_digits(a.value, b.value)
        }
        Kind::Letter => a.value.first().cmp(&b.value.first()),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

/// Checks that apk-tools accepts `v` as a valid version.
pub fn validate(v: &str) -> Result<(), &'static str> {
    let mut l = Lexer::new(v, false);
    while l.tok.kind < Kind::End {
        l.next();
    }
    if l.tok.kind == Kind::End {
        Ok(())
    } else {
        Err("not of the form digit{.digit}...{letter}{_suffix{number}}...{~hash}{-rN}")
    }
}

/// Compares two apk versions as `apk version -t` does.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_fuzzy(a, b, false)
}

/// apk's fuzzy match (the `~` dependency operator): true when `prefix` equals `version`
/// token by token up to the end of `prefix` (`3.6.9 ~ 3.6`, but not `3.60 ~ 3.6`).
pub fn fuzzy_match(version: &str, prefix: &str) -> bool {
    compare_fuzzy(version, prefix, true) == Ordering::Equal
}

/// Compares `a` with `b`; with `fuzzy`, `a` equals `b` when `b` is a token prefix of `a`.
pub fn compare_fuzzy(a: &str, b: &str, fuzzy: bool) -> Ordering {
    let mut la = Lexer::new(a, true);
    let mut lb = Lexer::new(b, true);
    while la.tok.kind == lb.tok.kind && la.tok.kind < Kind::End {
        let r = token_cmp(&la.tok, &lb.tok);
        if r != Ordering::Equal {
            return r;
        }
        la.next();
        lb.next();
    }
    let (ta, tb) = (la.tok, lb.tok);
    if ta.kind == tb.kind || (fuzzy && tb.kind == Kind::End) {
        return Ordering::Equal;
    }
    if ta.kind == Kind::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.kind == Kind::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    tb.kind.cmp(&ta.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0_rc1", "1.0"), Less);
        assert_eq!(compare("1.0_p1", "1.0"), Greater);
        assert_eq!(compare("1.0-r1", "1.0-r0"), Greater);
        assert_eq!(compare("1.0a", "1.0"), Greater);
        assert!(validate("1.0_foo").is_err());
        assert!(validate("1.2.3_rc1~abc-r2").is_ok());
    }
}
