//! The hash of the engine's string tables (`in` lists, process-name and literal indexes):
//! eight bytes per multiply, then a final mix so that every input bit reaches the low bits
//! a table indexes by. Not DoS-resistant, and need not be: the keys come from rule files;
//! events only probe.

use std::hash::{BuildHasherDefault, Hasher};

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

#[cfg(test)]
mod tests {
    use super::*;
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
}
