//! Small helpers shared by the schemes: numeric comparison of digit strings of any length.

use std::cmp::Ordering;

/// Compares two ASCII digit strings as unbounded non-negative integers.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = trim_zeros(a);
    let b = trim_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Strips leading `0`s.
pub(crate) fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    s.get(n..).unwrap_or_default()
}

/// Length of the leading run of bytes satisfying `f`.
pub(crate) fn span(s: &[u8], f: impl Fn(u8) -> bool) -> usize {
    s.iter().take_while(|&&c| f(c)).count()
}

/// Orders two parse results: invalid before valid, invalid among themselves by bytes.
pub(crate) fn fallback<T>(
    a: &str,
    b: &str,
    pa: Option<T>,
    pb: Option<T>,
    cmp: impl FnOnce(&T, &T) -> Ordering,
) -> Ordering {
    match (pa, pb) {
        (Some(x), Some(y)) => cmp(&x, &y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => a.as_bytes().cmp(b.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(cmp_digits(b"010", b"10"), Ordering::Equal);
        assert_eq!(cmp_digits(b"9", b"10"), Ordering::Less);
        assert_eq!(cmp_digits(b"", b"0"), Ordering::Equal);
        assert_eq!(
            cmp_digits(b"99999999999999999999999", b"100000000000000000000000"),
            Ordering::Less
        );
    }
}
