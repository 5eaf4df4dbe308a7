//! The matching index, built once when a database is opened (or built from a sink) and
//! read-only afterwards.
//!
//! Per ecosystem, one hash table from normalized package name to a [`Slot`]: the package's
//! affected entries, contiguous, with their OSV ranges already compiled. Every version an
//! entry names (range bounds, listed versions) is sorted once, with the ecosystem's own
//! ordering, into the package's *bounds*; equal versions share one rank. An installed version
//! is then placed among the bounds by binary search (a handful of comparisons, once per
//! package) and every range check afterwards compares small integers. Advisory ids and aliases
//! are interned, numbered in string order, so alias merging sorts and compares integers.
//!
//! A package with no advisories costs one hash probe and allocates nothing.
//!
//! Version strings stay the source of truth: ranks are only valid because
//! `rampart_version::compare` is a total order; fixed versions are reported as the advisory
//! spells them.

use crate::model::{Advisory, Affected, AffectedStatus, Event};
use rampart_version::{Scheme, compare};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The FxHash function (as in rustc): a multiply-rotate over 8-byte words. The keys are the
/// database's package names, fixed at load; lookups cannot add keys, so a crafted name can
/// only land in an existing bucket.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` hashed with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// What an event does, with `Introduced("0")` told apart (it needs no comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    IntroducedZero,
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// A compiled OSV event: its kind, the rank key of its version, and where it sits in the
/// advisory's range (to report a fixed version exactly as spelled).
#[derive(Debug, Clone, Copy)]
struct CompiledEvent {
    kind: EventKind,
    key: u32,
    at: u32,
}

/// A span of one of the index's flat vectors.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn of<T>(self, v: &[T]) -> &[T] {
        &v[self.start as usize..(self.start + self.len) as usize]
    }
}

/// One affected entry, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Index of the advisory.
    pub advisory: u32,
    /// Index of the affected entry within it.
    pub affected: u32,
    status: AffectedStatus,
    /// Spans of `Index::events`, one per range.
    ranges: Span,
    /// Rank keys of the explicitly listed versions, in `Index::keys`.
    versions: Span,
}

/// One package of one ecosystem: its entries and its sorted bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    entries: Span,
    bounds: Span,
}

#[derive(Debug, Default)]
struct EcoIndex {
    scheme: Option<Scheme>,
    packages: FxHashMap<Box<str>, Slot>,
}

/// An ecosystem of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EcoId(u32);

/// The position of an installed version among a slot's bounds: `2r + 1` when it equals the
/// bound of rank `r`, `2r` when it sorts between ranks `r - 1` and `r`. Bounds carry `2r + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct VersionKey(u32);

/// How one entry judges one installed version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryVerdict<'a> {
    /// Affected; the version that fixes it when one exists.
    Affected(Option<&'a str>),
    /// The distro says not affected.
    NotAffectedByDistro,
    /// The distro will not fix it in a security update.
    NoDsa,
    /// The distro ignores it.
    Ignored,
    /// Affected and unfixed.
    Unfixed,
    /// Outside every range.
    NotAffected,
}

/// The index over a database's advisories.
#[derive(Debug, Default)]
pub(crate) struct Index {
    eco_ids: HashMap<Box<str>, EcoId>,
    ecos: Vec<EcoIndex>,
    entries: Vec<Entry>,
    ranges: Vec<Span>,
    events: Vec<CompiledEvent>,
    keys: Vec<u32>,
    bounds: Vec<Box<str>>,
    /// Interned ids and aliases, in string order.
    names: Vec<Box<str>>,
    /// Per advisory: its id then its aliases, interned, in `id_lists`.
    advisory_ids: Vec<Span>,
    id_lists: Vec<u32>,
}

fn event_parts(e: &Event) -> (EventKind, &str) {
    match e {
        Event::Introduced(v) if v == "0" => (EventKind::IntroducedZero, v),
        Event::Introduced(v) => (EventKind::Introduced, v),
        Event::Fixed(v) => (EventKind::Fixed, v),
        Event::LastAffected(v) => (EventKind::LastAffected, v),
        Event::Limit(v) => (EventKind::Limit, v),
    }
}

fn span(start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        len: (end - start) as u32,
    }
}

impl Index {
    /// Index `advisories`. The order of entries per package is the order of the advisories
    /// and of their affected entries.
    pub fn build(advisories: &[Advisory]) -> Index {
        let mut ix = Index::default();

        // Interned ids, numbered in string order.
        let mut names: Vec<&str> = advisories
            .iter()
            .flat_map(|a| std::iter::once(&a.id).chain(&a.aliases))
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names.dedup();
        let number: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i as u32))
            .collect();
        for a in advisories {
            let start = ix.id_lists.len();
            ix.id_lists.extend(
                std::iter::once(&a.id)
                    .chain(&a.aliases)
                    .map(|n| number[n.as_str()]),
            );
            ix.advisory_ids.push(span(start, ix.id_lists.len()));
        }
        ix.names = names.into_iter().map(Box::from).collect();

        // Entries grouped per (ecosystem, package), in advisory order.
        let mut groups: Vec<Vec<(u32, u32)>> = Vec::new();
        let mut group_of: HashMap<(&str, &str), usize> = HashMap::new();
        let mut group_keys: Vec<(&str, &str)> = Vec::new();
        for (i, a) in advisories.iter().enumerate() {
            for (j, aff) in a.affected.iter().enumerate() {
                let key = (aff.ecosystem.as_str(), aff.package.as_str());
                let g = *group_of.entry(key).or_insert_with(|| {
                    groups.push(Vec::new());
                    group_keys.push(key);
                    groups.len() - 1
                });
                groups[g].push((i as u32, j as u32));
            }
        }
        for (g, members) in groups.iter().enumerate() {
            let (eco, package) = group_keys[g];
            let eco_id = match ix.eco_ids.get(eco) {
                Some(&id) => id,
                None => {
                    let id = EcoId(ix.ecos.len() as u32);
                    ix.ecos.push(EcoIndex {
                        scheme: crate::db::scheme_of(eco),
                        packages: FxHashMap::default(),
                    });
                    ix.eco_ids.insert(eco.into(), id);
                    id
                }
            };
            let scheme = ix.ecos[eco_id.0 as usize].scheme;
            let slot = ix.compile(advisories, members, scheme);
            ix.ecos[eco_id.0 as usize]
                .packages
                .insert(package.into(), slot);
        }
        ix
    }

    /// Compile one package's entries: sort its bounds, then rank every event and version.
    fn compile(
        &mut self,
        advisories: &[Advisory],
        members: &[(u32, u32)],
        scheme: Option<Scheme>,
    ) -> Slot {
        let affected =
            |&(i, j): &(u32, u32)| -> &Affected { &advisories[i as usize].affected[j as usize] };
        let mut bounds: Vec<&str> = Vec::new();
        for m in members {
            let aff = affected(m);
            for r in &aff.ranges {
                for e in &r.events {
                    let (kind, v) = event_parts(e);
                    if kind != EventKind::IntroducedZero {
                        bounds.push(v);
                    }
                }
            }
            bounds.extend(aff.versions.iter().map(String::as_str));
        }
        // Without a scheme nothing is evaluated; ranks stay 0.
        let rank = |bounds: &[&str], v: &str| -> u32 {
            match scheme {
                Some(s) => {
                    let r = bounds.partition_point(|b| compare(s, b, v) == Ordering::Less);
                    2 * r as u32 + 1
                }
                None => 0,
            }
        };
        if let Some(s) = scheme {
            bounds.sort_by(|a, b| compare(s, a, b));
            bounds.dedup_by(|a, b| compare(s, a, b) == Ordering::Equal);
        } else {
            bounds.clear();
        }
        let entries_start = self.entries.len();
        for m in members {
            let aff = affected(m);
            let ranges_start = self.ranges.len();
            for r in &aff.ranges {
                let events_start = self.events.len();
                for (at, e) in r.events.iter().enumerate() {
                    let (kind, v) = event_parts(e);
                    let key = if kind == EventKind::IntroducedZero {
                        0
                    } else {
                        rank(&bounds, v)
                    };
                    self.events.push(CompiledEvent {
                        kind,
                        key,
                        at: at as u32,
                    });
                }
                self.ranges.push(span(events_start, self.events.len()));
            }
            let keys_start = self.keys.len();
            for v in &aff.versions {
                self.keys.push(rank(&bounds, v));
            }
            self.entries.push(Entry {
                advisory: m.0,
                affected: m.1,
                status: aff.status,
                ranges: span(ranges_start, self.ranges.len()),
                versions: span(keys_start, self.keys.len()),
            });
        }
        let bounds_start = self.bounds.len();
        self.bounds.extend(bounds.into_iter().map(Box::from));
        Slot {
            entries: span(entries_start, self.entries.len()),
            bounds: span(bounds_start, self.bounds.len()),
        }
    }

    /// The ecosystem with normalized key `key`, when the database has advisories for it.
    pub fn ecosystem(&self, key: &str) -> Option<EcoId> {
        self.eco_ids.get(key).copied()
    }

    /// The package `name` of `eco`: one hash probe.
    #[inline]
    pub fn slot(&self, eco: EcoId, name: &str) -> Option<Slot> {
        self.ecos[eco.0 as usize].packages.get(name).copied()
    }

    /// The entries of a package, in advisory order.
    pub fn entries(&self, slot: Slot) -> &[Entry] {
        slot.entries.of(&self.entries)
    }

    /// Where `version` sorts among the package's bounds.
    pub fn position(&self, slot: Slot, scheme: Scheme, version: &str) -> VersionKey {
        let bounds = slot.bounds.of(&self.bounds);
        let r = bounds.partition_point(|b| compare(scheme, b, version) == Ordering::Less);
        let equal = bounds
            .get(r)
            .is_some_and(|b| compare(scheme, b, version) == Ordering::Equal);
        VersionKey(2 * r as u32 + u32::from(equal))
    }

    /// Judge `version` (at `key`) against one entry of `aff`, as the OSV schema evaluates
    /// ranges over sorted events.
    pub fn evaluate<'a>(
        &self,
        entry: &Entry,
        aff: &'a Affected,
        key: VersionKey,
    ) -> EntryVerdict<'a> {
        match entry.status {
            AffectedStatus::NotAffected => return EntryVerdict::NotAffectedByDistro,
            AffectedStatus::NoDsa => return EntryVerdict::NoDsa,
            AffectedStatus::Ignored => return EntryVerdict::Ignored,
            AffectedStatus::Unfixed => return EntryVerdict::Unfixed,
            AffectedStatus::Ranges => {}
        }
        let ranges = entry.ranges.of(&self.ranges);
        let fixed_at = |r: usize, at: Option<u32>| -> Option<&'a str> {
            let e = aff.ranges.get(r)?.events.get(at? as usize)?;
            match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            }
        };
        if entry.versions.of(&self.keys).contains(&key.0) {
            // Listed explicitly; a range may still name the fix.
            let fixed = ranges.iter().enumerate().find_map(|(r, s)| {
                in_range(s.of(&self.events), key.0)
                    .flatten()
                    .map(|at| fixed_at(r, Some(at)))
            });
            return EntryVerdict::Affected(fixed.flatten());
        }
        for (r, s) in ranges.iter().enumerate() {
            if let Some(at) = in_range(s.of(&self.events), key.0) {
                return EntryVerdict::Affected(fixed_at(r, at));
            }
        }
        EntryVerdict::NotAffected
    }

    /// An advisory's id then its aliases, interned.
    pub fn advisory_ids(&self, advisory: u32) -> &[u32] {
        self.advisory_ids[advisory as usize].of(&self.id_lists)
    }

    /// The string of an interned id.
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// `Some(fixed event)` when the version at `key` is inside the range whose events are sorted
/// (`Some(None)`: inside, and no fixed event closes it).
fn in_range(events: &[CompiledEvent], key: u32) -> Option<Option<u32>> {
    let mut affected = false;
    for e in events {
        match e.kind {
            EventKind::IntroducedZero => affected = true,
            EventKind::Introduced => {
                if key >= e.key {
                    affected = true;
                } else {
                    break;
                }
            }
            EventKind::Fixed => {
                if key >= e.key {
                    affected = false;
                } else {
                    return affected.then_some(Some(e.at));
                }
            }
            EventKind::LastAffected => {
                if key > e.key {
                    affected = false;
                } else {
                    return affected.then_some(None);
                }
            }
            EventKind::Limit => {
                if key >= e.key {
                    affected = false;
                } else {
                    break;
                }
            }
        }
    }
    affected.then_some(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Sink, import_path};

    /// The OSV evaluation on strings, one comparison per event: what ranks must reproduce.
    fn in_range_str(events: &[Event], v: &str, scheme: Scheme) -> Option<Option<String>> {
        let mut affected = false;
        for e in events {
            match e {
                Event::Introduced(x) => {
                    if x == "0" || compare(scheme, v, x) != Ordering::Less {
                        affected = true;
                    } else {
                        break;
                    }
                }
                Event::Fixed(x) => {
                    if compare(scheme, v, x) != Ordering::Less {
                        affected = false;
                    } else {
                        return affected.then(|| Some(x.clone()));
                    }
                }
                Event::LastAffected(x) => {
                    if compare(scheme, v, x) == Ordering::Greater {
                        affected = false;
                    } else {
                        return affected.then_some(None);
                    }
                }
                Event::Limit(x) => {
                    if compare(scheme, v, x) != Ordering::Less {
                        affected = false;
                    } else {
                        break;
                    }
                }
            }
        }
        affected.then_some(None)
    }

    fn evaluate_str(aff: &Affected, v: &str, scheme: Scheme) -> Option<Option<String>> {
        if aff
            .versions
            .iter()
            .any(|x| compare(scheme, x, v) == Ordering::Equal)
        {
            return Some(
                aff.ranges
                    .iter()
                    .find_map(|r| in_range_str(&r.events, v, scheme).flatten()),
            );
        }
        aff.ranges
            .iter()
            .find_map(|r| in_range_str(&r.events, v, scheme))
    }

    /// Every affected entry of the corpus feeds, probed at each of its package's bounds and
    /// at versions just around them, judges alike by rank and by string comparison.
    #[test]
    fn ranks_agree_with_string_comparison() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
        if !root.exists() {
            assert!(std::env::var_os("CI").is_none(), "corpus missing (CI=true)");
            return;
        }
        let mut sink = Sink::default();
        for feed in [
            "debian-osv",
            "almalinux-osv",
            "rustsec-osv",
            "ghsa-npm-sample",
            "alpine-secdb-2020",
        ] {
            import_path(&root.join(feed), &mut sink).unwrap();
        }
        let db = crate::db::Db::from_sink(sink, vec![], 0);
        let ix = db.index();
        let mut checked = 0usize;
        for eco in &ix.ecos {
            let Some(scheme) = eco.scheme else { continue };
            for slot in eco.packages.values() {
                let mut probes: Vec<String> = vec!["0".into(), "0.0.1".into(), "99999".into()];
                for b in slot.bounds.of(&ix.bounds) {
                    probes.push(b.to_string());
                    probes.push(format!("{b}~1"));
                    probes.push(format!("{b}.1"));
                    probes.push(format!("{b}-1"));
                }
                for v in &probes {
                    let key = ix.position(*slot, scheme, v);
                    for entry in ix.entries(*slot) {
                        let (_, aff) = db.entry(entry);
                        if aff.status != AffectedStatus::Ranges {
                            continue;
                        }
                        let expected = evaluate_str(aff, v, scheme);
                        let got = match ix.evaluate(entry, aff, key) {
                            EntryVerdict::Affected(f) => Some(f.map(str::to_string)),
                            EntryVerdict::NotAffected => None,
                            other => panic!("{other:?} for a ranges entry"),
                        };
                        assert_eq!(got, expected, "{} {v} in {:?}", aff.package, aff.ranges);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000, "only {checked} checks");
    }
}
