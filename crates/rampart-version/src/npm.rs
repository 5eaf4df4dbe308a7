//! npm versions and ranges, with node-semver's semantics.
//!
//! [`compare`] orders versions as `semver.compare` does with `loose: true` (a leading `v`
//! or `=` and whitespace are tolerated; build metadata is ignored). [`Range`] implements
//! node-semver's range grammar: `||` alternatives of space-separated comparators
//! (`<`, `<=`, `>`, `>=`, `=`), hyphen ranges `A - B`, x-ranges (`1.x`, `1.2.*`, `*`, `1`),
//! tilde (`~1.2.3`, `~>1.2`) and caret (`^0.2.3`) ranges. As in node-semver, a pre-release
//! version only satisfies a range when some comparator of the matching alternative names a
//! pre-release of the same `major.minor.patch`, unless `include_prerelease` is set.
//! [`Range::parse_loose`] follows node-semver's `loose` option, which also drops
//! comparators it cannot read instead of refusing the range.

use std::cmp::Ordering;
use std::fmt;

use crate::VersionError;
use crate::semver::{Dialect, MAX_SAFE, Sem, cmp_pre, parse as parse_sem};
use crate::util::{fallback, span};

/// Checks that node-semver (without `loose`) accepts `v` as a version.
pub fn validate(v: &str) -> Result<(), &'static str> {
    parse_sem(v, Dialect::Npm)
        .map(|_| ())
        .ok_or("not a valid npm (node-semver) version")
}

/// Compares two npm versions (node-semver `compare` with `loose`); invalid strings sort first.
pub fn compare(a: &str, b: &str) -> Ordering {
    fallback(
        a,
        b,
        parse_sem(a, Dialect::NpmLoose),
        parse_sem(b, Dialect::NpmLoose),
        crate::semver::cmp_sem,
    )
}

/// A version inside a comparator, normalized (no leading zeros, no build).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl fmt::Display for Ver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

fn to_num(d: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &c in d {
        n = n
            .checked_mul(10)?
            .checked_add(u64::from(c.checked_sub(b'0')?))?;
    }
    (n <= MAX_SAFE).then_some(n)
}

/// Numeric pre-release identifiers lose their leading zeros, as in node-semver.
fn norm_pre(pre: &str) -> String {
    pre.split('.')
        .map(|id| {
            let b = id.as_bytes();
            if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
                match to_num(b) {
                    Some(n) => n.to_string(),
                    None => id.to_string(),
                }
            } else {
                id.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Ver {
    fn new(major: u64, minor: u64, patch: u64, pre: &str) -> Result<Ver, &'static str> {
        if major > MAX_SAFE || minor > MAX_SAFE || patch > MAX_SAFE {
            return Err("version number too large");
        }
        Ok(Ver {
            major,
            minor,
            patch,
            pre: if pre.is_empty() {
                String::new()
            } else {
                norm_pre(pre)
            },
        })
    }

    /// Orders the version `s` against this comparator version.
    fn cmp_sem(&self, s: &Sem<'_>) -> Ordering {
        // Parsed npm numbers fit in 2^53; anything longer is larger than every `v`.
        let n = |d: &[u8], v: u64| to_num(d).map_or(Ordering::Greater, |x| x.cmp(&v));
        n(s.major, self.major)
            .then_with(|| n(s.minor, self.minor))
            .then_with(|| n(s.patch, self.patch))
            .then_with(|| cmp_pre(s.pre, &self.pre, false))
    }

    fn cmp_ver(&self, o: &Ver) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| cmp_pre(&self.pre, &o.pre, false))
    }

    fn same_triple(&self, s: &Sem<'_>) -> bool {
        [
            (s.major, self.major),
            (s.minor, self.minor),
            (s.patch, self.patch),
        ]
        .iter()
        .all(|(d, v)| to_num(d) == Some(*v))
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// One comparator; `None` is the comparator that matches everything (`*`, `""`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Comparator(Option<(Op, Ver)>);

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((op, v)) = &self.0 else {
            return Ok(());
        };
        let o = match op {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "",
        };
        write!(f, "{o}{v}")
    }
}

impl Comparator {
    fn any() -> Self {
        Comparator(None)
    }
    fn of(op: Op, v: Ver) -> Self {
        Comparator(Some((op, v)))
    }
    fn null() -> Self {
        Comparator::of(
            Op::Lt,
            Ver {
                major: 0,
                minor: 0,
                patch: 0,
                pre: "0".into(),
            },
        )
    }
    fn test(&self, s: &Sem<'_>) -> bool {
        let Some((op, v)) = &self.0 else {
            return true;
        };
        let o = v.cmp_sem(s);
        match op {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Eq => o == Ordering::Equal,
        }
    }
}

/// A partial version in a range: `None` components are `x`, `*` or missing.
#[derive(Debug, Clone)]
struct Partial<'a> {
    nums: [Option<u64>; 3],
    pre: &'a str,
}

impl Partial<'_> {
    fn x_at(&self) -> Option<usize> {
        self.nums.iter().position(Option::is_none)
    }
}

/// Parses `[v=\s]*N[.N[.N[-pre][+build]]]` where each N may be `x`, `X` or `*`. A number
/// after an `x` (`1.x.5`) is ignored when `after_x` is set (caret, tilde and hyphen ranges,
/// as node-semver does) and refused otherwise.
fn parse_partial(s: &str, loose: bool, after_x: bool) -> Result<Partial<'_>, &'static str> {
    let s = s.trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_whitespace());
    let b = s.as_bytes();
    let mut i = 0;
    let mut nums = [None; 3];
    let mut seen_x = false;
    let mut count = 0;
    for (k, slot) in nums.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                break;
            }
            i += 1;
        }
        match b.get(i) {
            Some(b'x' | b'X' | b'*') => {
                i += 1;
                seen_x = true;
            }
            _ => {
                let rest = b.get(i..).unwrap_or_default();
                let n = span(rest, |c| c.is_ascii_digit());
                let d = rest.get(..n).unwrap_or_default();
                if d.is_empty() {
                    return Err("expected a number or x");
                }
                if !loose && d.len() > 1 && d.first() == Some(&b'0') {
                    return Err("leading zero in a number");
                }
                if seen_x && !after_x {
                    return Err("a number after an x");
                }
                let value = to_num(d).ok_or("number too large")?;
                if !seen_x {
                    *slot = Some(value);
                }
                i += n;
            }
        }
        count = k + 1;
    }
    let rest = s.get(i..).unwrap_or_default();
    let (head, build) = match rest.find('+') {
        Some(p) => (
            rest.get(..p).unwrap_or_default(),
            Some(rest.get(p + 1..).unwrap_or_default()),
        ),
        None => (rest, None),
    };
    let ident =
        |id: &str| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-');
    if build.is_some_and(|bd| !bd.split('.').all(ident)) {
        return Err("bad build metadata");
    }
    let pre = if head.is_empty() {
        ""
    } else if count < 3 {
        return Err("unexpected text after the version");
    } else if let Some(p) = head.strip_prefix('-') {
        p
    } else if loose {
        head
    } else {
        return Err("pre-release must start with '-'");
    };
    if !head.is_empty() {
        for id in pre.split('.') {
            if !ident(id) {
                return Err("bad pre-release identifier");
            }
            let d = id.as_bytes();
            if !loose && d.len() > 1 && d.iter().all(u8::is_ascii_digit) && d.first() == Some(&b'0')
            {
                return Err("leading zero in a numeric pre-release identifier");
            }
        }
    }
    Ok(Partial { nums, pre })
}

type Set = Vec<Comparator>;

struct Ctx {
    loose: bool,
    inc_pre: bool,
}

impl Ctx {
    fn z(&self) -> &'static str {
        if self.inc_pre { "0" } else { "" }
    }

    fn ver(&self, m: u64, n: u64, p: u64, pre: &str) -> Result<Ver, &'static str> {
        Ver::new(m, n, p, pre)
    }

    /// node-semver keeps the text of a full hyphen bound (`>=` + text), so a prefix other
    /// than `v` (`=1.2.3 - 2`) makes the comparator invalid unless loose.
    fn raw_ok(&self, raw: &str) -> bool {
        let prefix = raw.len() - raw.trim_start_matches(['v', '=', ' ']).len();
        self.loose || prefix == 0 || raw.get(..prefix) == Some("v")
    }

    fn hyphen(
        &self,
        (from, from_raw): (&Partial<'_>, &str),
        (to, to_raw): (&Partial<'_>, &str),
        out: &mut Set,
    ) -> Result<(), &'static str> {
        let z = self.z();
        if from.x_at().is_none() && !self.raw_ok(from_raw) {
            return Err("unexpected prefix before the hyphen range start");
        }
        if to.x_at().is_none() && to.pre.is_empty() && !self.inc_pre && !self.raw_ok(to_raw) {
            return Err("unexpected prefix before the hyphen range end");
        }
        match (from.x_at(), from.nums) {
            (Some(0), _) => {}
            (Some(1), [Some(m), ..]) => out.push(Comparator::of(Op::Ge, self.ver(m, 0, 0, z)?)),
            (Some(_), [Some(m), Some(n), _]) => {
                out.push(Comparator::of(Op::Ge, self.ver(m, n, 0, z)?))
            }
            (None, [Some(m), Some(n), Some(p)]) => {
                let pre = if from.pre.is_empty() { z } else { from.pre };
                out.push(Comparator::of(Op::Ge, self.ver(m, n, p, pre)?));
            }
            _ => return Err("bad hyphen range start"),
        }
        match (to.x_at(), to.nums) {
            (Some(0), _) => {}
            (Some(1), [Some(m), ..]) => {
                out.push(Comparator::of(Op::Lt, self.ver(m + 1, 0, 0, "0")?))
            }
            (Some(_), [Some(m), Some(n), _]) => {
                out.push(Comparator::of(Op::Lt, self.ver(m, n + 1, 0, "0")?))
            }
            (None, [Some(m), Some(n), Some(p)]) => {
                if !to.pre.is_empty() {
                    out.push(Comparator::of(Op::Le, self.ver(m, n, p, to.pre)?));
                } else if self.inc_pre {
                    out.push(Comparator::of(Op::Lt, self.ver(m, n, p + 1, "0")?));
                } else {
                    out.push(Comparator::of(Op::Le, self.ver(m, n, p, "")?));
                }
            }
            _ => return Err("bad hyphen range end"),
        }
        Ok(())
    }

    fn caret(&self, v: &Partial<'_>, out: &mut Set) -> Result<(), &'static str> {
        let z = self.z();
        let (lo, hi) = match (v.x_at(), v.nums) {
            (Some(0), _) => {
                out.push(Comparator::any());
                return Ok(());
            }
            (Some(1), [Some(m), ..]) => (self.ver(m, 0, 0, z)?, self.ver(m + 1, 0, 0, "0")?),
            (Some(_), [Some(m), Some(n), _]) => {
                let hi = if m == 0 {
                    self.ver(0, n + 1, 0, "0")?
                } else {
                    self.ver(m + 1, 0, 0, "0")?
                };
                (self.ver(m, n, 0, z)?, hi)
            }
            (None, [Some(m), Some(n), Some(p)]) => {
                let pre = v.pre;
                let hi = match (m, n) {
                    (0, 0) => self.ver(0, 0, p + 1, "0")?,
                    (0, _) => self.ver(0, n + 1, 0, "0")?,
                    _ => self.ver(m + 1, 0, 0, "0")?,
                };
                (self.ver(m, n, p, pre)?, hi)
            }
            _ => return Err("bad caret range"),
        };
        out.push(Comparator::of(Op::Ge, lo));
        out.push(Comparator::of(Op::Lt, hi));
        Ok(())
    }

    fn tilde(&self, v: &Partial<'_>, out: &mut Set) -> Result<(), &'static str> {
        let (lo, hi) = match (v.x_at(), v.nums) {
            (Some(0), _) => {
                out.push(Comparator::any());
                return Ok(());
            }
            (Some(1), [Some(m), ..]) => (self.ver(m, 0, 0, self.z())?, self.ver(m + 1, 0, 0, "0")?),
            (Some(_), [Some(m), Some(n), _]) => {
                (self.ver(m, n, 0, self.z())?, self.ver(m, n + 1, 0, "0")?)
            }
            (None, [Some(m), Some(n), Some(p)]) => {
                (self.ver(m, n, p, v.pre)?, self.ver(m, n + 1, 0, "0")?)
            }
            _ => return Err("bad tilde range"),
        };
        out.push(Comparator::of(Op::Ge, lo));
        out.push(Comparator::of(Op::Lt, hi));
        Ok(())
    }

    fn xrange(&self, op: Option<Op>, v: &Partial<'_>, out: &mut Set) -> Result<(), &'static str> {
        let z = self.z();
        let Some(x) = v.x_at() else {
            let [Some(m), Some(n), Some(p)] = v.nums else {
                return Err("incomplete version");
            };
            out.push(Comparator::of(
                op.unwrap_or(Op::Eq),
                self.ver(m, n, p, v.pre)?,
            ));
            return Ok(());
        };
        let op = if op == Some(Op::Eq) { None } else { op };
        let m = v.nums[0].unwrap_or(0);
        let n = v.nums[1].unwrap_or(0);
        if x == 0 {
            out.push(if matches!(op, Some(Op::Gt | Op::Lt)) {
                Comparator::null()
            } else {
                Comparator::any()
            });
            return Ok(());
        }
        let xm = x == 1;
        match op {
            Some(Op::Gt) => {
                let v = if xm {
                    self.ver(m + 1, 0, 0, z)?
                } else {
                    self.ver(m, n + 1, 0, z)?
                };
                out.push(Comparator::of(Op::Ge, v));
            }
            Some(Op::Le) => {
                let v = if xm {
                    self.ver(m + 1, 0, 0, "0")?
                } else {
                    self.ver(m, n + 1, 0, "0")?
                };
                out.push(Comparator::of(Op::Lt, v));
            }
            Some(Op::Lt) => out.push(Comparator::of(
                Op::Lt,
                self.ver(m, if xm { 0 } else { n }, 0, "0")?,
            )),
            Some(Op::Ge) => out.push(Comparator::of(
                Op::Ge,
                self.ver(m, if xm { 0 } else { n }, 0, z)?,
            )),
            _ if xm => {
                out.push(Comparator::of(Op::Ge, self.ver(m, 0, 0, z)?));
                out.push(Comparator::of(Op::Lt, self.ver(m + 1, 0, 0, "0")?));
            }
            _ => {
                out.push(Comparator::of(Op::Ge, self.ver(m, n, 0, z)?));
                out.push(Comparator::of(Op::Lt, self.ver(m, n + 1, 0, "0")?));
            }
        }
        Ok(())
    }

    fn comparator(&self, tok: &str, out: &mut Set) -> Result<(), &'static str> {
        const OPS: [&str; 8] = [">=", "<=", ">", "<", "=", "~>", "~", "^"];
        let (op, rest) = OPS
            .iter()
            .find_map(|o| tok.strip_prefix(o).map(|r| (*o, r)))
            .unwrap_or(("", tok));
        if rest.is_empty() && !op.is_empty() {
            return Err("operator without a version");
        }
        if rest.starts_with(['<', '>', '~', '^']) {
            return Err("two operators in a row");
        }
        let v = parse_partial(rest, self.loose, matches!(op, "^" | "~" | "~>"))?;
        match op {
            "^" => self.caret(&v, out),
            "~" | "~>" => self.tilde(&v, out),
            _ => {
                let op = match op {
                    ">=" => Some(Op::Ge),
                    "<=" => Some(Op::Le),
                    ">" => Some(Op::Gt),
                    "<" => Some(Op::Lt),
                    "=" => Some(Op::Eq),
                    _ => None,
                };
                if v.x_at().is_none() {
                    // A plain comparator: only `v` may precede the version unless loose.
                    let body = rest.strip_prefix('v').unwrap_or(rest);
                    if !self.loose && body.starts_with(['v', '=']) {
                        return Err("unexpected prefix before the version");
                    }
                }
                self.xrange(op, &v, out)
            }
        }
    }

    /// One `||` alternative; `None` when `loose` dropped all its comparators.
    fn set(&self, alt: &str) -> Result<Option<Set>, &'static str> {
        let mut out = Vec::new();
        let pieces: Vec<&str> = alt.split(" - ").collect();
        if let [from, to] = pieces[..]
            && let (Ok(f), Ok(t)) = (
                parse_partial(from, self.loose, true),
                parse_partial(to, self.loose, true),
            )
        {
            match self.hyphen((&f, from), (&t, to), &mut out) {
                Ok(()) => return Ok(Some(self.finish(out))),
                Err(_) if self.loose => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        // Join operators written apart from their version (`>= 1.2.3`, `~ 1.2`).
        let mut toks: Vec<String> = Vec::new();
        let mut pending = String::new();
        let is_op = |c: u8| b"<>=~^".contains(&c);
        for t in alt.split(' ').filter(|t| !t.is_empty()) {
            // `^`/`~` join whatever follows them; `<`, `>=`, ... join a version, which may
            // start with `=` or `v`.
            let joins = pending.ends_with(['^', '~'])
                || pending == "~>"
                || !t.starts_with(['<', '>', '~', '^']);
            if pending.is_empty() || !joins || t.bytes().all(is_op) {
                if !pending.is_empty() {
                    // An operator followed by another operator: node-semver cannot join them.
                    if !self.loose {
                        return Err("operator without a version");
                    }
                    pending.clear();
                }
                if t.bytes().all(is_op) {
                    pending.push_str(t);
                    continue;
                }
            }
            toks.push(std::mem::take(&mut pending) + t);
        }
        if !pending.is_empty() && !self.loose {
            return Err("operator without a version");
        }
        if toks.is_empty() && pending.is_empty() {
            out.push(Comparator::any());
        }
        for t in &toks {
            match self.comparator(t, &mut out) {
                Ok(()) => {}
                // With `loose`, node-semver drops comparators it cannot read.
                Err(_) if self.loose => {}
                Err(e) => return Err(e),
            }
        }
        if out.is_empty() {
            // Every comparator was dropped: the alternative disappears.
            return Ok(None);
        }
        Ok(Some(self.finish(out)))
    }

    /// node-semver's clean-up of one alternative.
    fn finish(&self, comps: Set) -> Set {
        let gte0 = Comparator::of(
            Op::Ge,
            Ver {
                major: 0,
                minor: 0,
                patch: 0,
                pre: self.z().into(),
            },
        );
        let mut out: Set = Vec::new();
        for c in comps {
            let c = if c == gte0 { Comparator::any() } else { c };
            if c == Comparator::null() {
                return vec![c];
            }
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.len() > 1 {
            out.retain(|c| c.0.is_some());
        }
        if out.is_empty() {
            out.push(Comparator::any());
        }
        out
    }

    fn range(&self, s: &str) -> Result<Vec<Set>, &'static str> {
        let norm = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut sets = Vec::new();
        for alt in norm.split("||") {
            if let Some(set) = self.set(alt.trim())? {
                sets.push(set);
            }
        }
        if sets.is_empty() {
            return Err("no valid comparator");
        }
        if sets.len() > 1 {
            let first = sets.first().cloned().unwrap_or_default();
            sets.retain(|s| s.first() != Some(&Comparator::null()));
            if sets.is_empty() {
                sets.push(first);
            } else if let Some(any) = sets
                .iter()
                .find(|s| s.len() == 1 && s.first().is_some_and(|c| c.0.is_none()))
            {
                sets = vec![any.clone()];
            }
        }
        Ok(sets)
    }
}

/// An npm version range, parsed once, usable with or without `includePrerelease`.
#[derive(Debug, Clone)]
pub struct Range {
    loose: bool,
    /// The alternatives as parsed without and with `includePrerelease` (node-semver can
    /// accept a range under one option and refuse it under the other).
    sets: [Option<Vec<Set>>; 2],
}

impl Range {
    /// Parses a range the way node-semver does without `loose`.
    pub fn parse(s: &str) -> Result<Range, VersionError> {
        Self::parse_opts(s, false)
    }

    /// Parses a range with node-semver's `loose` option (leading zeros, `1.2.3beta`, ...).
    pub fn parse_loose(s: &str) -> Result<Range, VersionError> {
        Self::parse_opts(s, true)
    }

    fn parse_opts(s: &str, loose: bool) -> Result<Range, VersionError> {
        let plain = Ctx {
            loose,
            inc_pre: false,
        }
        .range(s);
        let inc = Ctx {
            loose,
            inc_pre: true,
        }
        .range(s);
        match (plain, inc) {
            (Err(reason), Err(_)) => Err(VersionError::Range {
                range: s.to_string(),
                reason,
            }),
            (plain, inc) => Ok(Range {
                loose,
                sets: [plain.ok(), inc.ok()],
            }),
        }
    }

    /// Whether node-semver accepts the range under the given `includePrerelease` option.
    pub fn is_valid(&self, include_prerelease: bool) -> bool {
        self.sets[usize::from(include_prerelease)].is_some()
    }

    /// node-semver's canonical form of the range (`validRange`: `>=1.2.3 <2.0.0-0||1.0.0`,
    /// `*` when it matches everything); `None` when node-semver refuses the range under
    /// this option.
    pub fn canonical(&self, include_prerelease: bool) -> Option<String> {
        let s = self.sets[usize::from(include_prerelease)]
            .as_ref()?
            .iter()
            .map(|s| {
                s.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("||");
        Some(if s.is_empty() { "*".to_string() } else { s })
    }

    /// Whether version `v` satisfies the range (`semver.satisfies`). An unparsable version
    /// satisfies nothing, and neither does anything when the range is invalid under this
    /// option (see [`Range::is_valid`]).
    pub fn satisfies(&self, v: &str, include_prerelease: bool) -> bool {
        let dialect = if self.loose {
            Dialect::NpmLoose
        } else {
            Dialect::Npm
        };
        let Some(s) = parse_sem(v, dialect) else {
            return false;
        };
        let Some(sets) = &self.sets[usize::from(include_prerelease)] else {
            return false;
        };
        sets.iter().any(|set| {
            if !set.iter().all(|c| c.test(&s)) {
                return false;
            }
            if s.pre.is_empty() || include_prerelease {
                return true;
            }
            set.iter().any(|c| match &c.0 {
                Some((_, cv)) => !cv.pre.is_empty() && cv.same_triple(&s),
                None => false,
            })
        })
    }
}

impl Range {
    /// `semver.gtr`: true when `v` is greater than every version the range can match.
    pub fn gtr(&self, v: &str, include_prerelease: bool) -> bool {
        self.outside(v, true, include_prerelease)
    }

    /// `semver.ltr`: true when `v` is less than every version the range can match.
    pub fn ltr(&self, v: &str, include_prerelease: bool) -> bool {
        self.outside(v, false, include_prerelease)
    }

    /// node-semver's `outside` (`hi`: the `>` direction). An unparsable version, or a range
    /// invalid under this option, is never outside.
    fn outside(&self, v: &str, hi: bool, include_prerelease: bool) -> bool {
        let dialect = if self.loose {
            Dialect::NpmLoose
        } else {
            Dialect::Npm
        };
        let (Some(s), Some(sets)) = (
            parse_sem(v, dialect),
            &self.sets[usize::from(include_prerelease)],
        ) else {
            return false;
        };
        if self.satisfies(v, include_prerelease) {
            return false;
        }
        // In the `<` direction every comparison is mirrored.
        let (up, down) = if hi {
            (Ordering::Greater, Ordering::Less)
        } else {
            (Ordering::Less, Ordering::Greater)
        };
        let (comp, ecomp) = if hi {
            (Op::Gt, Op::Ge)
        } else {
            (Op::Lt, Op::Le)
        };
        let zero = (
            Op::Ge,
            Ver {
                major: 0,
                minor: 0,
                patch: 0,
                pre: String::new(),
            },
        );
        for set in sets {
            let mut high: Option<&(Op, Ver)> = None;
            let mut low: Option<&(Op, Ver)> = None;
            for c in set {
                let c = c.0.as_ref().unwrap_or(&zero);
                let h = *high.get_or_insert(c);
                let l = *low.get_or_insert(c);
                if c.1.cmp_ver(&h.1) == up {
                    high = Some(c);
                } else if c.1.cmp_ver(&l.1) == down {
                    low = Some(c);
                }
            }
            let (Some(high), Some(low)) = (high, low) else {
                continue;
            };
            if high.0 == comp || high.0 == ecomp {
                return false;
            }
            // `s` against the low edge, as seen from the `hi` direction.
            let sv = low.1.cmp_sem(&s);
            let le = sv != up;
            let lt = sv == down;
            if (low.0 == Op::Eq || low.0 == comp) && le {
                return false;
            }
            if low.0 == ecomp && lt {
                return false;
            }
        }
        true
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.canonical(false).or_else(|| self.canonical(true));
        f.write_str(c.as_deref().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = Range::parse("^1.2.3").unwrap();
        assert_eq!(r.canonical(false).as_deref(), Some(">=1.2.3 <2.0.0-0"));
        assert!(r.satisfies("1.9.9", false));
        assert!(!r.satisfies("2.0.0-rc.1", false));
        assert!(!r.satisfies("1.3.0-beta", false));
        assert!(r.satisfies("1.3.0-beta", true));
        assert_eq!(r.to_string(), ">=1.2.3 <2.0.0-0");
        assert_eq!(
            Range::parse("~1.2").unwrap().canonical(false).as_deref(),
            Some(">=1.2.0 <1.3.0-0")
        );
        assert_eq!(
            Range::parse("1.2.3 - 2")
                .unwrap()
                .canonical(false)
                .as_deref(),
            Some(">=1.2.3 <3.0.0-0")
        );
        // node-semver accepts this only with includePrerelease.
        let r = Range::parse("1.2.0 - =1.2.3").unwrap();
        assert!(!r.is_valid(false) && r.is_valid(true));
        assert!(Range::parse("1.x.5").is_err());
        assert!(Range::parse(">01.02.03").is_err());
    }
}
