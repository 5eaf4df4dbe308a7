//! NuGet version ordering: `Major.Minor[.Patch[.Revision]][-prerelease][+metadata]`.
//!
//! Missing numeric parts are 0 and leading zeros are insignificant (`1.0.01` = `1.0.1.0`);
//! the revision is compared after the patch; a version without pre-release beats one with;
//! pre-release labels compare as in SemVer 2.0 but case-insensitively; metadata is ignored.

use std::cmp::Ordering;

use crate::semver::cmp_pre;
use crate::util::{cmp_digits, fallback};

#[derive(Debug, Clone, Copy)]
struct Version<'a> {
    nums: [&'a [u8]; 4],
    pre: &'a str,
}

fn parse(v: &str) -> Option<Version<'_>> {
    let v = v.trim();
    let (head, _meta) = match v.find('+') {
        Some(i) => {
            let m = v.get(i + 1..).unwrap_or_default();
            if m.is_empty()
                || !m.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                })
            {
                return None;
            }
            (v.get(..i).unwrap_or_default(), m)
        }
        None => (v, ""),
    };
    let (core, pre) = match head.find('-') {
        Some(i) => (
            head.get(..i).unwrap_or_default(),
            head.get(i + 1..).unwrap_or_default(),
        ),
        None => (head, ""),
    };
    if head.contains('-')
        && (pre.is_empty()
            || !pre.split('.').all(|id| {
                !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            }))
    {
        return None;
    }
    let mut nums = [&b"0"[..]; 4];
    let mut count = 0;
    for (i, part) in core.split('.').enumerate() {
        let slot = nums.get_mut(i)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *slot = part.as_bytes();
        count = i + 1;
    }
    (count >= 1).then_some(Version { nums, pre })
}

/// Checks that `v` is a NuGet version.
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse(v).map(|_| ()).ok_or("not a NuGet version")
}

/// Compares two NuGet versions; invalid strings sort first.
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(a, b, parse(a), parse(b), |x, y| {
        x.nums
            .iter()
            .zip(y.nums.iter())
            .map(|(p, q)| cmp_digits(p, q))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
            .then_with(|| cmp_pre(x.pre, y.pre, true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn basics() {
        assert_eq!(compare("1.0", "1.0.0.0"), Equal);
        assert_eq!(compare("1.0.0-BETA", "1.0.0-beta"), Equal);
        assert_eq!(compare("1.0.0.1-alpha", "1.0.0.1-pre"), Less);
        assert_eq!(compare("1.0.0+AA", "1.0.0-beta+aa"), Greater);
    }
}
