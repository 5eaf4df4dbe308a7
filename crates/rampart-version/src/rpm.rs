//! rpm version ordering: `rpmvercmp` on `[epoch:]version[-release]`.
//!
//! The epoch is the run of digits before a `:` (absent means 0, an empty one is 0); the
//! release is everything after the last `-`. Epochs, versions and releases are each compared
//! with `rpmvercmp`: runs of ASCII letters or digits, other bytes separate runs, digits beat
//! letters, `~` sorts before everything (even the end), `^` after the end but before
//! anything else.
//!
//! **Deviation, for a total order:** rpm skips the release when only one side has one
//! (`1.0` = `1.0-1` but `1.0-1` < `1.0-2`, which is not transitive). rampart compares a
//! missing release as lower than any release, even an empty one: `1.0` < `1.0-` < `1.0-1`.

use std::cmp::Ordering;

use crate::util::{cmp_digits, fallback, span};

/// Splits `[epoch:]version[-release]`.
pub(crate) fn split_evr(s: &str) -> (&str, &str, Option<&str>) {
    let digits = span(s.as_bytes(), |c| c.is_ascii_digit());
    let (epoch, rest) = match s.as_bytes().get(digits) {
        Some(b':') => (
            s.get(..digits).unwrap_or_default(),
            s.get(digits + 1..).unwrap_or_default(),
        ),
        _ => ("", s),
    };
    match rest.rfind('-') {
        Some(i) => (epoch, rest.get(..i).unwrap_or_default(), rest.get(i + 1..)),
        None => (epoch, rest, None),
    }
}

/// Checks that `v` is a usable rpm EVR: non-empty, no blanks or control characters.
pub fn validate(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("version string is empty");
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("version contains whitespace or control characters");
    }
    if split_evr(v).1.is_empty() {
        return Err("version part is empty");
    }
    Ok(())
}

/// Compares two rpm EVR strings (see the module docs for the release deviation).
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(
        a,
        b,
        validate(a).ok().map(|_| split_evr(a)),
        validate(b).ok().map(|_| split_evr(b)),
        |x, y| {
            let ea = if x.0.is_empty() { "0" } else { x.0 };
            let eb = if y.0.is_empty() { "0" } else { y.0 };
            rpmvercmp(ea, eb)
                .then_with(|| rpmvercmp(x.1, y.1))
                .then_with(|| match (x.2, y.2) {
                    (Some(r), Some(s)) => rpmvercmp(r, s),
                    (r, s) => r.is_some().cmp(&s.is_some()),
                })
        },
    )
}

/// rpm's `rpmvercmp` on two version (or release) strings.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    let sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        if x.is_empty() && y.is_empty() {
            return Ordering::Equal;
        }
        x = x.get(span(x, sep)..).unwrap_or_default();
        y = y.get(span(y, sep)..).unwrap_or_default();
        let (cx, cy) = (x.first().copied(), y.first().copied());
        if cx == Some(b'~') || cy == Some(b'~') {
            if cx != Some(b'~') {
                return Ordering::Greater;
            }
            if cy != Some(b'~') {
                return Ordering::Less;
            }
            x = x.get(1..).unwrap_or_default();
            y = y.get(1..).unwrap_or_default();
            continue;
        }
        if cx == Some(b'^') || cy == Some(b'^') {
            if cx.is_none() {
                return Ordering::Less;
            }
            if cy.is_none() {
                return Ordering::Greater;
            }
            if cx != Some(b'^') {
                return Ordering::Greater;
            }
            if cy != Some(b'^') {
                return Ordering::Less;
            }
            x = x.get(1..).unwrap_or_default();
            y = y.get(1..).unwrap_or_default();
            continue;
        }
        let (Some(c), Some(_)) = (cx, cy) else {
            break;
        };
        let numeric = c.is_ascii_digit();
        let class = |c: u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (nx, ny) = (span(x, class), span(y, class));
        let (sx, sy) = (
            x.get(..nx).unwrap_or_default(),
            y.get(..ny).unwrap_or_default(),
        );
        if sy.is_empty() {
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let r = if numeric {
            cmp_digits(sx, sy)
        } else {
            sx.cmp(sy)
        };
        if r != Ordering::Equal {
            return r;
        }
        x = x.get(nx..).unwrap_or_default();
        y = y.get(ny..).unwrap_or_default();
    }
    match (x.is_empty(), y.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Less);
        assert_eq!(compare("1:1.0-1", "2.0-1"), Greater);
        assert_eq!(compare("1.0", "1.0-1"), Less);
        assert_eq!(split_evr("2:1.0-3.el9"), ("2", "1.0", Some("3.el9")));
    }
}
