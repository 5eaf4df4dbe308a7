//! The keyword prefilter: where rule keywords occur in a buffer. Hyperscan's literal
//! matcher ([`crate::hyperscan`]) does it when the build linked `libhs`; otherwise, and for
//! buffers over 4 GiB, one Aho-Corasick DFA over every rule keyword, run as several
//! interleaved lanes over one buffer. Both give the same hits (tested).
//!
//! This module owns finding where keywords occur (ASCII case-insensitive, overlapping
//! matches included). Which rules a keyword wakes up, and what runs around it, is
//! [`crate::engine`]'s business.
//!
//! A DFA step is one table load that depends on the previous one, so a single scan is
//! bound by load latency rather than by bandwidth. Splitting the buffer into [`LANES`]
//! segments and advancing one state per segment in the same loop keeps that many
//! independent loads in flight. Each lane but the first starts `max_pattern_len - 1`
//! bytes before its segment, so its state is exact when the segment begins (a DFA state
//! stands for the longest keyword prefix ending there), and it keeps only the matches
//! that end inside its own segment: the result is the same as one overlapping scan.

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// Segments scanned in lockstep.
pub(crate) const LANES: usize = 4;
/// Buffers shorter than this are scanned as one lane (the split is not worth it).
const MIN_SPLIT: usize = 4096;

/// One keyword occurrence: the keyword's index and its end offset (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) end: usize,
    pub(crate) keyword: u32,
}

/// The compiled keyword set: a dense DFA with premultiplied state ids, match states
/// numbered first so one comparison tells whether a state reports keywords.
pub(crate) struct Keywords {
    /// `trans[state + class[byte]]` is the next state (ids are multiples of `stride`).
    trans: Vec<u32>,
    /// Byte → column; ASCII upper case shares the lower-case column, bytes that occur in
    /// no keyword share column 0.
    class: [u8; 256],
    stride: usize,
    start: u32,
    /// States below this id report keywords.
    match_limit: u32,
    /// Keywords reported by match state `i` (its id divided by `stride`):
    /// `matches[match_at[i]..match_at[i + 1]]`.
    match_at: Vec<u32>,
    matches: Vec<u32>,
    lens: Vec<usize>,
    max_len: usize,
    /// The same keywords in a Hyperscan database, when the build has Hyperscan and the CPU
    /// supports it.
    #[cfg(hyperscan)]
    hs: Option<crate::hyperscan::Literals>,
}

impl Keywords {
    /// Compiles `keywords` (lower-case; matched ASCII case-insensitively).
    ///
    /// The automaton is built by `aho-corasick` (standard semantics: every keyword that
    /// ends at a position is reported there) and copied into a compact table whose
    /// columns are only the bytes the keywords use.
    pub(crate) fn new(keywords: &[&str]) -> Result<Keywords, String> {
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .start_kind(StartKind::Unanchored)
            .build(keywords)
            .map_err(|e| e.to_string())?;
        let ac_start = dfa.start_state(Anchored::No).map_err(|e| e.to_string())?;

        // Columns: one per distinct (lower-cased) keyword byte, plus column 0 for the rest.
        let mut class = [0u8; 256];
        let mut seen = [false; 256];
        let mut reps: Vec<u8> = vec![0];
        for k in keywords {
            for b in k.bytes() {
                let lower = b.to_ascii_lowercase();
                if !seen[usize::from(lower)] {
                    seen[usize::from(lower)] = true;
                    let id = u8::try_from(reps.len()).map_err(|_| "too many keyword bytes")?;
                    reps.push(lower);
                    class[usize::from(lower)] = id;
                }
            }
        }
        // Column 0's representative: a byte that occurs in no keyword, in either case.
        reps[0] = (0..=255u8)
            .find(|b| !seen[usize::from(b.to_ascii_lowercase())])
            .ok_or("no byte outside the keywords")?;
        for b in 0..=255u8 {
            if b.is_ascii_uppercase() {
                class[usize::from(b)] = class[usize::from(b.to_ascii_lowercase())];
            }
        }
        let stride = reps.len();

        // Every state reachable from the start, breadth first.
        let mut order = vec![ac_start];
        let mut index = std::collections::HashMap::new();
        index.insert(ac_start, 0usize);
        let mut i = 0;
        while let Some(&sid) = order.get(i) {
            for &rep in &reps {
                let next = dfa.next_state(Anchored::No, sid, rep);
                index.entry(next).or_insert_with(|| {
                    order.push(next);
                    order.len() - 1
                });
            }
            i += 1;
        }
        // Match states first.
        let mut renum: Vec<usize> = (0..order.len()).collect();
        renum.sort_by_key(|&s| !dfa.is_match(order[s]));
        let mut new_of = vec![0usize; order.len()];
        for (new, &old) in renum.iter().enumerate() {
            new_of[old] = new;
        }
        let n_match = order.iter().filter(|&&s| dfa.is_match(s)).count();
        let id = |old: usize| -> Result<u32, String> {
            u32::try_from(new_of[old] * stride)
                .map_err(|_| "keyword automaton too large".to_string())
        };
        let mut trans = vec![0u32; order.len() * stride];
        let mut match_at = vec![0u32];
        let mut matches = Vec::new();
        for (new, &old) in renum.iter().enumerate() {
            let sid = order[old];
            for (col, &rep) in reps.iter().enumerate() {
                let next = dfa.next_state(Anchored::No, sid, rep);
                trans[new * stride + col] = id(index[&next])?;
            }
            if new < n_match {
                for m in 0..dfa.match_len(sid) {
                    matches.push(dfa.match_pattern(sid, m).as_u32());
                }
                match_at.push(u32::try_from(matches.len()).map_err(|e| e.to_string())?);
            }
        }
        Ok(Keywords {
            trans,
            class,
            stride,
            start: id(0)?,
            match_limit: u32::try_from(n_match * stride).map_err(|e| e.to_string())?,
            match_at,
            matches,
            lens: keywords.iter().map(|k| k.len()).collect(),
            max_len: keywords.iter().map(|k| k.len()).max().unwrap_or(1),
            #[cfg(hyperscan)]
            hs: crate::hyperscan::Literals::new(keywords)?,
        })
    }

    /// Which matcher [`Keywords::find`] uses: `"hyperscan"` or `"dfa"`.
    pub(crate) fn backend(&self) -> &'static str {
        #[cfg(hyperscan)]
        if self.hs.is_some() {
            return "hyperscan";
        }
        "dfa"
    }

    /// Length in bytes of keyword `keyword`.
    pub(crate) fn len_of(&self, keyword: u32) -> usize {
        self.lens.get(keyword as usize).copied().unwrap_or(0)
    }

    /// Appends every keyword occurrence in `data` to `hits`, ordered by end offset.
    pub(crate) fn find(&self, data: &[u8], lanes: &mut [Vec<Hit>; LANES], hits: &mut Vec<Hit>) {
        #[cfg(hyperscan)]
        if let Some(hs) = &self.hs
            && hs.find(data, hits)
        {
            return;
        }
        self.find_dfa(data, lanes, hits);
    }

    /// [`Keywords::find`] on the DFA alone.
    pub(crate) fn find_dfa(&self, data: &[u8], lanes: &mut [Vec<Hit>; LANES], hits: &mut Vec<Hit>) {
        for lane in lanes.iter_mut() {
            lane.clear();
        }
        if data.len() < MIN_SPLIT {
            let [first, ..] = lanes;
            self.scan_from(self.start, data, 0, 0, first);
        } else {
            self.scan_lanes(data, lanes);
        }
        for lane in lanes.iter() {
            hits.extend_from_slice(lane);
        }
    }

    #[inline(always)]
    fn step(&self, state: u32, byte: u8) -> u32 {
        let col = self.class[usize::from(byte)];
        self.trans
            .get(state as usize + usize::from(col))
            .copied()
            .unwrap_or(self.start)
    }

    /// Records the keywords of match state `state`, reached after the byte at `at`,
    /// when they end past `keep_from`.
    #[cold]
    fn record(&self, state: u32, at: usize, keep_from: usize, out: &mut Vec<Hit>) {
        let end = at + 1;
        if end <= keep_from {
            return;
        }
        let i = state as usize / self.stride;
        let (Some(&a), Some(&b)) = (self.match_at.get(i), self.match_at.get(i + 1)) else {
            return;
        };
        for &keyword in self.matches.get(a as usize..b as usize).unwrap_or_default() {
            out.push(Hit { end, keyword });
        }
    }

    /// Scans `seg` (at offset `base` of the buffer) from `state`, keeping matches that
    /// end past `keep_from`; returns the final state.
    fn scan_from(
        &self,
        mut state: u32,
        seg: &[u8],
        base: usize,
        keep_from: usize,
        out: &mut Vec<Hit>,
    ) -> u32 {
        for (i, &b) in seg.iter().enumerate() {
            state = self.step(state, b);
            if state < self.match_limit {
                self.record(state, base + i, keep_from, out);
            }
        }
        state
    }

    fn scan_lanes(&self, data: &[u8], lanes: &mut [Vec<Hit>; LANES]) {
        let seg = data.len() / LANES;
        let warm = self.max_len.saturating_sub(1);
        // Lane k keeps matches ending in (lo_k, hi_k] and starts scanning at begin_k.
        let lo: [usize; LANES] = std::array::from_fn(|k| k * seg);
        let hi: [usize; LANES] = std::array::from_fn(|k| {
            if k + 1 == LANES {
                data.len()
            } else {
                (k + 1) * seg
            }
        });
        let begin: [usize; LANES] = std::array::from_fn(|k| lo[k].saturating_sub(warm));
        let common = (0..LANES).map(|k| hi[k] - begin[k]).min().unwrap_or(0);
        let part = |k: usize| data.get(begin[k]..begin[k] + common).unwrap_or_default();
        let (a, b, c, d) = (part(0), part(1), part(2), part(3));
        let (mut s0, mut s1, mut s2, mut s3) = (self.start, self.start, self.start, self.start);
        let [la, lb, lc, ld] = lanes;
        let limit = self.match_limit;
        for (i, (((&xa, &xb), &xc), &xd)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            s0 = self.step(s0, xa);
            s1 = self.step(s1, xb);
            s2 = self.step(s2, xc);
            s3 = self.step(s3, xd);
            if s0.min(s1).min(s2).min(s3) < limit {
                if s0 < limit {
                    self.record(s0, begin[0] + i, lo[0], la);
                }
                if s1 < limit {
                    self.record(s1, begin[1] + i, lo[1], lb);
                }
                if s2 < limit {
                    self.record(s2, begin[2] + i, lo[2], lc);
                }
                if s3 < limit {
                    self.record(s3, begin[3] + i, lo[3], ld);
                }
            }
        }
        // Each lane's remainder, continuing from its state.
        for (k, (state, out)) in [(s0, la), (s1, lb), (s2, lc), (s3, ld)]
            .into_iter()
            .enumerate()
        {
            let from = begin[k] + common;
            let rest = data.get(from..hi[k]).unwrap_or_default();
            self.scan_from(state, rest, from, lo[k], out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasickBuilder;

    /// The lanes find exactly what one overlapping Aho-Corasick scan finds, including
    /// keywords that straddle a lane boundary.
    #[test]
    fn lanes_equal_one_overlapping_scan() {
        let kws = [
            "token",
            "tok",
            "ghp_",
            "password",
            "pass",
            "sk",
            "ssws ",
            "-----begin",
        ];
        let k = Keywords::new(&kws).expect("keywords compile");
        let reference = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(kws)
            .expect("reference");
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [0usize, 1, 7, 4095, 4096, 4097, 10_000, 65_537] {
            let mut data = Vec::with_capacity(len);
            while data.len() < len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let piece: &[u8] = match x % 9 {
                    0 => b"TOKEN",
                    1 => b"PassWord",
                    2 => b"ghp_",
                    3 => b"ssws ",
                    4 => b"\n",
                    5 => b"sk",
                    _ => b"xyz ",
                };
                data.extend_from_slice(piece);
            }
            data.truncate(len);
            let mut lanes: [Vec<Hit>; LANES] = Default::default();
            let mut got = Vec::new();
            k.find(&data, &mut lanes, &mut got);
            let mut want: Vec<Hit> = reference
                .find_overlapping_iter(data.as_slice())
                .map(|m| Hit {
                    end: m.end(),
                    keyword: m.pattern().as_u32(),
                })
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "length {len}");
            assert!(got.iter().all(|h| h.end >= k.len_of(h.keyword)));
        }
    }

    /// With every built-in keyword, the matcher in use (Hyperscan when linked) and the
    /// DFA report the same hits, in end order, on real text and on keyword-dense noise.
    /// Under CI, which installs `libhs`, the build must have linked Hyperscan.
    #[test]
    fn backend_equals_dfa_on_every_keyword() {
        let mut kws: Vec<&str> = crate::rules()
            .iter()
            .flat_map(|r| r.keywords.iter().copied())
            .collect();
        kws.sort_unstable();
        kws.dedup();
        let k = Keywords::new(&kws).expect("keywords compile");
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            assert_eq!(k.backend(), "hyperscan", "CI builds must link libhs");
        }
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for f in ["rules.rs", "engine.rs", "redact.rs"] {
            texts.push(std::fs::read(src.join(f)).expect("crate source"));
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut noise = Vec::new();
        while noise.len() < 300_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let kw = kws[(x % kws.len() as u64) as usize];
            if x & 1 == 0 {
                noise.extend(kw.to_ascii_uppercase().bytes());
            } else {
                noise.extend_from_slice(kw.as_bytes());
            }
            noise.push(b"\n =:_x"[(x >> 8) as usize % 6]);
        }
        texts.push(noise);
        for (i, t) in texts.iter().enumerate() {
            let mut lanes: [Vec<Hit>; LANES] = Default::default();
            let (mut got, mut want) = (Vec::new(), Vec::new());
            k.find(t, &mut lanes, &mut got);
            k.find_dfa(t, &mut lanes, &mut want);
            assert!(
                got.is_sorted_by_key(|h| h.end),
                "text {i}: hits out of order"
            );
            got.sort_unstable();
            want.sort_unstable();
            assert!(want.len() > 40, "text {i}: only {} hits", want.len());
            assert_eq!(got, want, "text {i}");
        }
    }
}
