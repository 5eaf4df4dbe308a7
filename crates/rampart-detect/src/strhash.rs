//! The hash of the engine's string tables (`in` lists, process-name and literal indexes):
//! eight bytes per multiply, then a final mix so that every input bit reaches the low bits
//! a table indexes by. Not DoS-resistant, and need not be: the keys come from rule files;
//! events only probe. [`StrSet`] puts a one-word test in front of the table for the common
//! case, a probe that misses.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// `a == b`, comparing short slices (up to 16 bytes, most names and paths a rule tests)
/// with two overlapping word loads instead of a `memcmp` call.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    #[inline]
    fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
        let mut w = [0u8; W];
        w.copy_from_slice(&s[at..at + W]);
        w
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

/// The hasher (see the module documentation).
#[derive(Default, Clone, Copy)]
pub struct StrHash(u64);

/// Builds [`StrHash`]ers.
pub type StrHashBuilder = BuildHasherDefault<StrHash>;

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for StrHash {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ (bytes.len() as u64).wrapping_mul(K);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(K);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's 64-bit finalizer.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A set of strings that answers most misses without hashing: a 512-bit signature over
/// each member's length, first and last byte is tested first, and only a probe whose bit is
/// set is hashed and looked up.
#[derive(Debug, Default, Clone)]
pub struct StrSet {
    sig: [u64; 8],
    set: HashSet<String, StrHashBuilder>,
}

#[inline]
fn sig_bit(s: &[u8]) -> usize {
    let (first, last) = match s {
        [] => (0, 0),
        [f, .., l] => (u32::from(*f), u32::from(*l)),
        [f] => (u32::from(*f), u32::from(*f)),
    };
    let h = (s.len() as u32).wrapping_mul(0x9e37_79b1)
        ^ first.wrapping_mul(0x85eb_ca77)
        ^ last.wrapping_mul(0xc2b2_ae3d);
    (h.wrapping_mul(0x27d4_eb2f) >> 23) as usize
}

impl StrSet {
    /// Adds `s`.
    pub fn insert(&mut self, s: String) {
        let b = sig_bit(s.as_bytes());
        self.sig[b >> 6] |= 1 << (b & 63);
        self.set.insert(s);
    }

    /// Whether `s` is a member.
    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        let b = sig_bit(s.as_bytes());
        (self.sig[b >> 6] >> (b & 63)) & 1 == 1 && self.set.contains(s)
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether the set has no member.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

impl FromIterator<String> for StrSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> StrSet {
        let mut s = StrSet::default();
        for m in iter {
            s.insert(m);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_compares_agree_with_slice_equality() {
        let base: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        for n in 0..40usize {
            for m in [n, n.saturating_sub(1), n + 1] {
                let (a, b) = (&base[..n], &base[..m.min(40)]);
                assert_eq!(same_bytes(a, b), a == b, "{n} {m}");
                for at in 0..n {
                    let mut c = a.to_vec();
                    c[at] ^= 0x20;
                    assert!(!same_bytes(a, &c), "{n} differs at {at}");
                }
            }
        }
    }
    use std::collections::HashSet;
    use std::hash::{BuildHasher, Hash};

    fn hash(s: &str) -> u64 {
        StrHashBuilder::default().hash_one(s)
    }

    /// Paths that differ only in their high bytes, or in length, hash apart, and their
    /// hashes differ in the low bits tables index by.
    #[test]
    fn near_keys_spread() {
        let keys: Vec<String> = ["/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/group"]
            .iter()
            .map(|s| s.to_string())
            .chain((0..2000).map(|i| format!("/usr/bin/tool{i}")))
            .chain((0..8).map(|n| "a".repeat(n)))
            .collect();
        let full: HashSet<u64> = keys.iter().map(|k| hash(k)).collect();
        assert_eq!(full.len(), keys.len());
        let low: HashSet<u64> = keys.iter().map(|k| hash(k) & 0xfff).collect();
        // 2,012 keys into 4,096 buckets: a good hash leaves ~1,600 distinct.
        assert!(low.len() > 1400, "{} distinct low-12-bit values", low.len());
        let mut h = StrHash::default();
        "x".hash(&mut h);
        assert_ne!(h.finish(), hash("y"));
    }

    /// The signature never turns a member away; it turns most non-members away.
    #[test]
    fn set_answers_like_a_hash_set() {
        let members: Vec<String> = (0..40)
            .map(|i| format!("/usr/sbin/daemon{i}"))
            .chain(["", "a", "sh", "bash", "/etc/shadow"].map(String::from))
            .collect();
        let set: StrSet = members.iter().cloned().collect();
        assert_eq!(set.len(), members.len());
        assert!(members.iter().all(|m| set.contains(m)));
        let probes: Vec<String> = (0..5000).map(|i| format!("/opt/x{i}/y")).collect();
        assert!(probes.iter().all(|p| !set.contains(p)));
        let passed = probes
            .iter()
            .filter(|p| {
                let b = sig_bit(p.as_bytes());
                (set.sig[b >> 6] >> (b & 63)) & 1 == 1
            })
            .count();
        assert!(passed < probes.len() / 4, "{passed} probes hashed");
        assert!(StrSet::default().is_empty() && !StrSet::default().contains(""));
    }
}
