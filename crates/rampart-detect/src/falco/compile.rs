//! Compiles an expanded condition ([`Expr`] with macros and lists resolved) into a
//! [`Matcher`]: fields pre-resolved, literals pre-parsed, `in` lists as hash sets,
//! `pmatch` as a prefix table, groups of `contains` over one field as one Aho-Corasick
//! automaton, regexes compiled once (linear time).

use super::condition::{Expr, FieldRef, Op, Operand, Transformer};
use super::extract::{Field, Kind, resolve};
use super::fast::{BoolFn, Ctx, IpFn, NumFn, StrAcc};
use super::program::Program;
use crate::event::{Event, Source};
use crate::fields::FieldValue;
use crate::strhash::same_bytes;
use aho_corasick::AhoCorasick;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::net::IpAddr;

use crate::strhash::StrSet;

/// A compiled condition.
#[derive(Debug)]
pub enum Matcher {
    /// All of.
    And(Vec<Matcher>),
    /// Any of.
    Or(Vec<Matcher>),
    /// Negation.
    Not(Box<Matcher>),
    /// Constant.
    Const(bool),
    /// One field test.
    Check(Box<Check>),
    /// Any of several substrings in one field.
    ContainsAny(Box<ContainsAny>),
}

/// `f contains a or f contains b or ...`: one automaton over the field.
#[derive(Debug)]
pub struct ContainsAny {
    field: Field,
    acc: Option<StrAcc>,
    ac: AhoCorasick,
}

/// How a check reads its field: typed when the field allows it, generically otherwise.
enum Fast {
    /// Through [`Field::extract`].
    Generic,
    /// A text field read in place.
    Str(StrAcc),
    /// `evt.type`: the test's outcome for every known event type, computed at compile time.
    Type(Box<[bool]>),
    /// A number.
    Num(NumFn),
    /// A boolean.
    Bool(BoolFn),
    /// One IP address.
    Ip(IpFn),
}

impl std::fmt::Debug for Fast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fast::Generic => "Generic",
            Fast::Str(_) => "Str",
            Fast::Type(_) => "Type",
            Fast::Num(_) => "Num",
            Fast::Bool(_) => "Bool",
            Fast::Ip(_) => "Ip",
        })
    }
}

/// `pmatch` prefixes: a path matches when it, or its part before any `/`, is in `set`.
#[derive(Debug, Default)]
struct PrefixTable {
    set: StrSet,
    empty: bool,
    globs: Vec<String>,
}

/// A network literal: an address with a prefix length.
#[derive(Debug, Clone, Copy)]
struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    fn parse(s: &str) -> Option<Net> {
        let (a, b) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match b {
            Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max)?,
            None => max,
        };
        Some(Net { addr, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - u32::from(self.bits))
                };
                u32::from(n) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - u32::from(self.bits))
                };
                u128::from(n) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

/// One compiled field test.
#[derive(Debug)]
pub struct Check {
    field: Field,
    transformers: Vec<Transformer>,
    op: Op,
    strs: Vec<String>,
    set: StrSet,
    nums: Vec<i64>,
    nets: Vec<Net>,
    bools: Vec<bool>,
    // Boxed: rarely set, and large (the finder alone is ~290 bytes); keeping them out of
    // line keeps a check within a few cache lines.
    regex: Option<Box<regex::Regex>>,
    rhs_field: Option<Box<Field>>,
    fast: Fast,
    finder: Option<Box<memchr::memmem::Finder<'static>>>,
    prefixes: Option<Box<PrefixTable>>,
    /// Slot in the per-event memo when several rules share this check.
    memo: u32,
    /// Slot in the per-event field cache when several checks read this (raw-JSON) field.
    field_slot: u32,
}

/// No memo slot.
pub const NO_MEMO: u32 = u32::MAX;

/// What a condition could not use: fields rampart cannot read.
#[derive(Debug, Default)]
pub struct Missing {
    /// Why each unknown or unsupported field cannot be read.
    pub fields: BTreeSet<String>,
    /// The field names themselves.
    pub names: BTreeSet<String>,
}

/// A hard compile error (bad literal, bad regex).
pub type CompileError = String;

fn lit_texts(rhs: &[Operand]) -> Vec<&str> {
    rhs.iter()
        .filter_map(|o| match o {
            Operand::Lit { text, .. } => Some(text.as_str()),
            Operand::Field(_) => None,
        })
        .collect()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

fn compile_check(
    source: Source,
    field: &FieldRef,
    op: Op,
    rhs: &[Operand],
    missing: &mut Missing,
) -> Result<Matcher, CompileError> {
    let (f, mut kind) = match resolve(source, &field.name, field.arg.as_deref()) {
        Ok(x) => x,
        Err(reason) => {
            missing.names.insert(field.name.clone());
            missing
                .fields
                .insert(if reason.contains(field.name.as_str()) {
                    reason
                } else {
                    format!("{field}: {reason}")
                });
            return Ok(Matcher::Const(false));
        }
    };
    if field.transformers.contains(&Transformer::Len) {
        kind = Kind::Num;
    } else if !field.transformers.is_empty() {
        kind = Kind::Str;
    }
    let mut c = Check::empty(f, field.transformers.clone(), op);
    if let [Operand::Field(other)] = rhs {
        match resolve(source, &other.name, other.arg.as_deref()) {
            Ok((of, _)) => c.rhs_field = Some(Box::new(of)),
            Err(reason) => {
                missing.names.insert(other.name.clone());
                missing.fields.insert(format!("{other}: {reason}"));
                return Ok(Matcher::Const(false));
            }
        }
        return Ok(Matcher::Check(Box::new(c)));
    }
    let texts = lit_texts(rhs);
    match op {
        Op::Exists => {}
        Op::Regex => {
            let pat = texts.first().copied().unwrap_or("");
            c.regex = Some(Box::new(
                regex::Regex::new(pat).map_err(|e| format!("invalid regex '{pat}': {e}"))?,
            ));
        }
        Op::BContains | Op::BStartsWith => {
            for t in &texts {
                let bytes =
                    hex_decode(t).ok_or_else(|| format!("invalid hex string '{t}' for {op:?}"))?;
                c.strs.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        _ => match kind {
            Kind::Num => {
                for t in &texts {
                    let n: i64 = t
                        .parse()
                        .map_err(|_| format!("'{t}' is not a valid number for field {field}"))?;
                    c.nums.push(n);
                }
            }
            Kind::Bool => {
                for t in &texts {
                    c.bools.push(match *t {
                        "true" => true,
                        "false" => false,
                        _ => return Err(format!("'{t}' is not a valid boolean for field {field}")),
                    });
                }
            }
            Kind::Ip => {
                for t in &texts {
                    c.nets.push(Net::parse(t).ok_or_else(|| {
                        format!("'{t}' is not a valid IP address or network for field {field}")
                    })?);
                }
            }
            Kind::Str => {
                for t in &texts {
                    let v = match op {
                        Op::IContains | Op::IGlob => t.to_lowercase(),
                        Op::PMatch => t.trim_end_matches('/').to_string(),
                        _ => (*t).to_string(),
                    };
                    c.strs.push(v);
                }
                if matches!(op, Op::In | Op::Intersects) {
                    c.set = c.strs.iter().cloned().collect();
                }
            }
        },
    }
    if c.op != Op::Exists && texts.is_empty() && c.op.takes_list() {
        // `x in ()` never matches.
        return Ok(Matcher::Const(false));
    }
    Ok(Matcher::Check(Box::new(c.specialized())))
}

/// Compiles `expr` (already expanded) for rules of `source`.
pub fn compile(
    source: Source,
    expr: &Expr,
    missing: &mut Missing,
) -> Result<Matcher, CompileError> {
    Ok(match expr {
        Expr::And(items) => {
            let ms: Vec<Matcher> = items
                .iter()
                .map(|e| compile(source, e, missing))
                .collect::<Result<_, _>>()?;
            optimize_and(ms)
        }
        Expr::Or(items) => optimize_or(
            items
                .iter()
                .map(|e| compile(source, e, missing))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(e) => Matcher::Not(Box::new(compile(source, e, missing)?)),
        Expr::Const(b) => Matcher::Const(*b),
        Expr::Macro(name) => {
            // The loader expands macros; one left here is undefined.
            missing.fields.insert(format!("{name}: undefined macro"));
            Matcher::Const(false)
        }
        Expr::Check { field, op, rhs, .. } => compile_check(source, field, *op, rhs, missing)?,
    })
}

/// The text values of `f = a` / `f in (a, b)` on a scalar text field, when `m` is one.
fn eq_values(m: &Matcher) -> Option<&Field> {
    match m {
        Matcher::Check(c)
            if matches!(c.op, Op::Eq | Op::In)
                && c.is_plain_text()
                && scalar_text_field(&c.field) =>
        {
            Some(&c.field)
        }
        _ => None,
    }
}

/// Flattens nested conjunctions, merges `not f in (A) and not f in (B)` on one scalar
/// text field into `not f in (A ∪ B)`, and orders the terms: positive tests (the
/// selective ones) before negations (exceptions, mostly true), cheap before costly.
/// Evaluation has no side effects, so the order changes time, never the result.
fn optimize_and(items: Vec<Matcher>) -> Matcher {
    let mut flat = Vec::with_capacity(items.len());
    for m in items {
        match m {
            Matcher::And(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    let mut groups: Vec<(Field, Vec<String>)> = Vec::new();
    let mut rest = Vec::with_capacity(flat.len());
    for m in flat {
        match m {
            Matcher::Not(inner) if eq_values(&inner).is_some() => {
                let Matcher::Check(c) = *inner else {
                    continue;
                };
                group_strings(&mut groups, *c);
            }
            other => rest.push(other),
        }
    }
    for (field, vals) in groups {
        rest.push(Matcher::Not(Box::new(Matcher::Check(Box::new(
            Check::strings(field, Op::In, vals),
        )))));
    }
    if rest.len() == 1 {
        return rest.pop().unwrap_or(Matcher::Const(true));
    }
    rest.sort_by_key(|m| (matches!(m, Matcher::Not(_)), m.cost()));
    Matcher::And(rest)
}

/// Adds a check's strings to the group of its field (a new group for a new field), for
/// merging many checks on one field into one set or automaton.
fn group_strings(groups: &mut Vec<(Field, Vec<String>)>, c: Check) {
    let Check {
        field, mut strs, ..
    } = c;
    match groups.iter_mut().find(|(f, _)| *f == field) {
        Some((_, vals)) => vals.append(&mut strs),
        None => groups.push((field, strs)),
    }
}

/// Merges `f contains a or f contains b or ...` into one automaton.
fn optimize_or(items: Vec<Matcher>) -> Matcher {
    let mut flat = Vec::with_capacity(items.len());
    for m in items {
        match m {
            Matcher::Or(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    let items = flat;
    let mut groups: Vec<(Field, Vec<String>)> = Vec::new();
    let mut eq_groups: Vec<(Field, Vec<String>)> = Vec::new();
    let mut rest = Vec::new();
    for m in items {
        match m {
            // `f = a or f = b or ...` on a scalar text field: one hash-set lookup.
            Matcher::Check(c)
                if matches!(c.op, Op::Eq | Op::In)
                    && c.is_plain_text()
                    && scalar_text_field(&c.field) =>
            {
                group_strings(&mut eq_groups, *c);
            }
            Matcher::Check(c)
                if c.op == Op::Contains
                    && c.transformers.is_empty()
                    && c.rhs_field.is_none()
                    && c.strs.len() == 1 =>
            {
                group_strings(&mut groups, *c);
            }
            other => rest.push(other),
        }
    }
    for (field, vals) in eq_groups {
        rest.push(Matcher::Check(Box::new(Check::strings(
            field,
            Op::In,
            vals,
        ))));
    }
    for (field, pats) in groups {
        if pats.len() >= 3
            && let Ok(ac) = AhoCorasick::new(&pats)
        {
            rest.push(Matcher::ContainsAny(Box::new(ContainsAny {
                acc: StrAcc::for_field(&field),
                field,
                ac,
            })));
        } else {
            for p in pats {
                rest.push(Matcher::Check(Box::new(Check::strings(
                    field.clone(),
                    Op::Contains,
                    vec![p],
                ))));
            }
        }
    }
    if rest.len() == 1 {
        rest.pop().unwrap_or(Matcher::Const(false))
    } else {
        rest.sort_by_key(Matcher::cost);
        Matcher::Or(rest)
    }
}

/// Fields that always extract one text value (never a list), so `=` and `in` agree.
fn scalar_text_field(f: &Field) -> bool {
    matches!(
        f,
        Field::EvtType
            | Field::ProcName
            | Field::ProcExe
            | Field::ProcExepath
            | Field::ProcPname
            | Field::ProcPexe
            | Field::ProcPexepath
            | Field::ProcCmdline
            | Field::ProcPcmdline
            | Field::ProcCwd
            | Field::UserName
            | Field::GroupName
            | Field::FdName
            | Field::FdDirectory
            | Field::FdFilename
            | Field::FdTypechar
            | Field::FdType
            | Field::FdL4proto
            | Field::ContainerId
            | Field::ContainerName
            | Field::ContainerImage
            | Field::ContainerImageRepository
            | Field::K8sNsName
            | Field::K8sPodName
            | Field::AName(Some(_))
            | Field::EvtArg(_)
    )
}

/// Shell-style glob: `*`, `?`, `[...]` (with `!`/`^` negation and ranges), over bytes.
pub fn glob_match(pat: &str, text: &str) -> bool {
    let p = pat.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if let Some(&pc) = p.get(pi) {
            match pc {
                b'*' => {
                    star = Some(pi);
                    mark = ti;
                    pi += 1;
                    continue;
                }
                b'?' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                b'[' => {
                    if let Some((true, next)) = class_match(p, pi, t[ti]) {
                        pi = next;
                        ti += 1;
                        continue;
                    }
                }
                b'\\' if p.get(pi + 1) == Some(&t[ti]) => {
                    pi += 2;
                    ti += 1;
                    continue;
                }
                c if c == t[ti] => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some(s) => {
                pi = s + 1;
                mark += 1;
                ti = mark;
            }
            None => return false,
        }
    }
    while p.get(pi) == Some(&b'*') {
        pi += 1;
    }
    pi == p.len()
}

fn class_match(p: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let neg = matches!(p.get(i), Some(b'!') | Some(b'^'));
    if neg {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() && (first || p[i] != b']') {
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    if i >= p.len() {
        return None;
    }
    Some((matched != neg, i + 1))
}

/// `needle_lower` (already lowercase) occurs in `hay`, ignoring case.
fn icontains(hay: &str, needle_lower: &str) -> bool {
    if needle_lower.is_ascii() {
        let n = needle_lower.as_bytes();
        if n.is_empty() {
            return true;
        }
        hay.as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n))
    } else {
        hay.to_lowercase().contains(needle_lower)
    }
}

fn has_glob(p: &str) -> bool {
    p.bytes().any(|b| matches!(b, b'*' | b'?' | b'['))
}

fn transform<'a>(v: FieldValue<'a>, trs: &[Transformer]) -> Option<FieldValue<'a>> {
    let mut v = v;
    for t in trs.iter().rev() {
        v = match v {
            FieldValue::List(items) => FieldValue::List(
                items
                    .into_iter()
                    .filter_map(|i| transform(i, &[*t]))
                    .collect(),
            ),
            other => {
                let s = value_text(&other);
                match t {
                    Transformer::ToLower => FieldValue::Str(Cow::Owned(s.to_lowercase())),
                    Transformer::ToUpper => FieldValue::Str(Cow::Owned(s.to_uppercase())),
                    Transformer::Basename => {
                        FieldValue::Str(Cow::Owned(s.rsplit('/').next().unwrap_or("").to_string()))
                    }
                    Transformer::Len => FieldValue::Int(s.chars().count() as i64),
                    Transformer::B64 => FieldValue::Str(Cow::Owned(
                        String::from_utf8_lossy(&b64_decode(&s)?).into_owned(),
                    )),
                }
            }
        };
    }
    Some(v)
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A value as text (numbers and booleans in decimal / `true`/`false`).
pub fn value_text<'a>(v: &'a FieldValue<'_>) -> Cow<'a, str> {
    match v {
        FieldValue::Str(s) => Cow::Borrowed(s.as_ref()),
        FieldValue::Int(i) => Cow::Owned(i.to_string()),
        FieldValue::UInt(i) => Cow::Owned(i.to_string()),
        FieldValue::Float(f) => Cow::Owned(f.to_string()),
        FieldValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        FieldValue::Null => Cow::Borrowed(""),
        FieldValue::List(items) => Cow::Owned(
            items
                .iter()
                .map(|i| value_text(i).into_owned())
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

impl Check {
    /// Whether the check compares the field's own text with literal strings: no
    /// transformer, no field on the right, and no number, address or boolean reading of the
    /// literals.
    fn is_plain_text(&self) -> bool {
        self.transformers.is_empty()
            && self.rhs_field.is_none()
            && !self.strs.is_empty()
            && self.nums.is_empty()
            && self.nets.is_empty()
            && self.bools.is_empty()
    }

    /// A check of `field` with `op` and no operands yet.
    fn empty(field: Field, transformers: Vec<Transformer>, op: Op) -> Check {
        Check {
            field,
            transformers,
            op,
            strs: Vec::new(),
            set: StrSet::default(),
            nums: Vec::new(),
            nets: Vec::new(),
            bools: Vec::new(),
            regex: None,
            rhs_field: None,
            fast: Fast::Generic,
            finder: None,
            prefixes: None,
            memo: NO_MEMO,
            field_slot: NO_MEMO,
        }
    }

    /// A check of `field` against string literals with `op`, as the compiler builds when it
    /// folds several conditions into one (`in` sets, negated `in` groups, `contains` lists).
    fn strings(field: Field, op: Op, strs: Vec<String>) -> Check {
        let set = if op == Op::In {
            strs.iter().cloned().collect()
        } else {
            StrSet::default()
        };
        Check {
            set,
            strs,
            ..Check::empty(field, Vec::new(), op)
        }
        .specialized()
    }

    fn scalar(&self, v: &FieldValue<'_>, ev: &Event, plain: bool) -> bool {
        if let Some(rf) = &self.rhs_field {
            let Some(other) = rf.extract(ev) else {
                return false;
            };
            let (a, b) = (value_text(v), value_text(&other));
            return match self.op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Contains => a.contains(b.as_ref()),
                Op::StartsWith => a.starts_with(b.as_ref()),
                Op::EndsWith => a.ends_with(b.as_ref()),
                _ => false,
            };
        }
        match v {
            FieldValue::Int(_) | FieldValue::UInt(_)
                if !self.nums.is_empty() || self.strs.is_empty() =>
            {
                let n = match v {
                    FieldValue::Int(i) => *i,
                    FieldValue::UInt(u) => i64::try_from(*u).unwrap_or(i64::MAX),
                    _ => 0,
                };
                let first = self.nums.first().copied().unwrap_or(0);
                match self.op {
                    Op::Eq => n == first,
                    Op::Ne => n != first,
                    Op::Lt => n < first,
                    Op::Le => n <= first,
                    Op::Gt => n > first,
                    Op::Ge => n >= first,
                    Op::In | Op::Intersects => self.nums.contains(&n),
                    _ => self.str_test_with(&n.to_string(), plain),
                }
            }
            FieldValue::Bool(b) if !self.bools.is_empty() => match self.op {
                Op::Eq | Op::In | Op::Intersects => self.bools.contains(b),
                Op::Ne => !self.bools.contains(b),
                _ => false,
            },
            other => {
                let text = value_text(other);
                if !self.nets.is_empty() {
                    let Ok(ip) = text.parse::<IpAddr>() else {
                        return false;
                    };
                    let hit = self.nets.iter().any(|n| n.contains(ip));
                    return match self.op {
                        Op::Ne => !hit,
                        Op::Eq | Op::In | Op::Intersects | Op::PMatch => hit,
                        _ => false,
                    };
                }
                if !self.nums.is_empty() {
                    let Ok(n) = text.trim().parse::<i64>() else {
                        return false;
                    };
                    return self.scalar(&FieldValue::Int(n), ev, plain);
                }
                self.str_test_with(&text, plain)
            }
        }
    }

    fn str_test(&self, s: &str) -> bool {
        self.str_test_with(s, false)
    }

    fn str_test_with(&self, s: &str, plain: bool) -> bool {
        let first = self.strs.first().map(String::as_str).unwrap_or("");
        match self.op {
            Op::Eq => same_bytes(s.as_bytes(), first.as_bytes()),
            Op::Ne => !same_bytes(s.as_bytes(), first.as_bytes()),
            Op::Lt => s < first,
            Op::Le => s <= first,
            Op::Gt => s > first,
            Op::Ge => s >= first,
            Op::Contains | Op::BContains => match &self.finder {
                Some(f) if !plain => f.find(s.as_bytes()).is_some(),
                _ => s.contains(first),
            },
            Op::IContains => icontains(s, first),
            Op::StartsWith | Op::BStartsWith => s
                .as_bytes()
                .get(..first.len())
                .is_some_and(|p| same_bytes(p, first.as_bytes())),
            Op::EndsWith => s
                .len()
                .checked_sub(first.len())
                .and_then(|at| s.as_bytes().get(at..))
                .is_some_and(|t| same_bytes(t, first.as_bytes())),
            Op::Glob => glob_match(first, s),
            Op::IGlob => glob_match(first, &s.to_lowercase()),
            Op::PMatch if !plain && self.prefixes.is_some() => {
                self.prefixes.as_ref().is_some_and(|t| t.matches(s))
            }
            Op::PMatch => self.strs.iter().any(|p| {
                s == p
                    || (s.len() > p.len()
                        && s.starts_with(p.as_str())
                        && s.as_bytes().get(p.len()) == Some(&b'/'))
                    || p.is_empty() && s.starts_with('/')
                    || (has_glob(p) && glob_match(p, s))
            }),
            Op::In | Op::Intersects => self.set.contains(s),
            Op::Regex => self.regex.as_ref().is_some_and(|r| r.is_match(s)),
            Op::Exists => true,
        }
    }

    fn num_test(&self, n: i64) -> bool {
        let first = self.nums.first().copied().unwrap_or(0);
        match self.op {
            Op::Eq => n == first,
            Op::Ne => n != first,
            Op::Lt => n < first,
            Op::Le => n <= first,
            Op::Gt => n > first,
            Op::Ge => n >= first,
            Op::In | Op::Intersects => self.nums.contains(&n),
            _ => self.str_test(&n.to_string()),
        }
    }

    /// Its slot in the per-event memo ([`NO_MEMO`]: none).
    pub(super) fn memo(&self) -> u32 {
        self.memo
    }

    /// Whether the check reads its field through [`Field::extract`] and the field walks
    /// a raw document: worth the per-event field cache.
    fn field_cacheable(&self) -> bool {
        matches!(self.fast, Fast::Generic) && self.field.reads_raw_json()
    }

    /// Identifies the test (field, operator, literals), for sharing it between rules.
    fn memo_key(&self) -> String {
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.field,
            self.transformers,
            self.op,
            self.strs,
            self.nums,
            self.nets,
            self.bools,
            self.rhs_field
        )
    }

    pub(super) fn eval_uncached(&self, cx: &Ctx<'_>) -> bool {
        let exists = self.op == Op::Exists;
        match &self.fast {
            Fast::Generic if self.field_slot != NO_MEMO => self.eval_cached(cx),
            Fast::Generic => self.eval_generic(cx.ev, false),
            Fast::Str(acc) => acc
                .with(cx, |s| exists || self.str_test(s))
                .unwrap_or(false),
            Fast::Type(table) => {
                let ev = cx.ev;
                if ev.source != Source::Syscall {
                    return false;
                }
                match ev.evt_type.index().and_then(|k| table.get(k)) {
                    Some(hit) => *hit,
                    None => self.str_test(ev.evt_type.as_str()),
                }
            }
            Fast::Num(f) => f(cx.ev).is_some_and(|n| exists || self.num_test(n)),
            Fast::Bool(f) => f(cx.ev).is_some_and(|b| {
                exists
                    || match self.op {
                        Op::Eq | Op::In | Op::Intersects => self.bools.contains(&b),
                        Op::Ne => !self.bools.contains(&b),
                        _ => false,
                    }
            }),
            Fast::Ip(f) => f(cx.ev).is_some_and(|ip| {
                if exists {
                    return true;
                }
                let hit = self.nets.iter().any(|n| n.contains(ip));
                match self.op {
                    Op::Ne => !hit,
                    Op::Eq | Op::In | Op::Intersects | Op::PMatch => hit,
                    _ => false,
                }
            }),
        }
    }

    /// Chooses the typed reader and the compiled string tests, where they give the same
    /// answers as [`Check::eval_generic`].
    fn specialized(mut self) -> Check {
        if matches!(self.op, Op::Contains | Op::BContains)
            && let Some(first) = self.strs.first()
        {
            self.finder = Some(Box::new(
                memchr::memmem::Finder::new(first.as_bytes()).into_owned(),
            ));
        }
        if self.op == Op::PMatch {
            self.prefixes = Some(Box::new(PrefixTable {
                set: self.strs.iter().cloned().collect(),
                empty: self.strs.iter().any(String::is_empty),
                globs: self.strs.iter().filter(|p| has_glob(p)).cloned().collect(),
            }));
        }
        if !self.transformers.is_empty() || self.rhs_field.is_some() {
            return self;
        }
        let exists = self.op == Op::Exists;
        let text = self.nums.is_empty() && self.nets.is_empty() && self.bools.is_empty();
        let numeric_op = matches!(
            self.op,
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::In | Op::Intersects
        );
        self.fast = if self.field == Field::EvtType && !exists && text {
            Fast::Type(
                crate::event::EventType::KNOWN
                    .iter()
                    .map(|t| self.str_test(t.as_str()))
                    .collect(),
            )
        } else if let Some(acc) = StrAcc::for_field(&self.field).filter(|_| exists || text) {
            Fast::Str(acc)
        } else if let Some(f) = super::fast::num_fn(&self.field)
            .filter(|_| exists || (!self.nums.is_empty() && numeric_op))
        {
            Fast::Num(f)
        } else if let Some(f) =
            super::fast::bool_fn(&self.field).filter(|_| exists || !self.bools.is_empty())
        {
            Fast::Bool(f)
        } else if let Some(f) =
            super::fast::ip_fn(&self.field).filter(|_| exists || !self.nets.is_empty())
        {
            Fast::Ip(f)
        } else {
            Fast::Generic
        };
        self
    }

    /// A rough relative cost, to evaluate cheap tests first.
    fn cost(&self) -> u32 {
        let base = match &self.fast {
            Fast::Type(_) | Fast::Num(_) | Fast::Bool(_) => 1,
            Fast::Ip(_) => 2,
            Fast::Str(StrAcc::Lazy(_)) => 6,
            Fast::Str(_) => 2,
            Fast::Generic => 8,
        };
        base + match self.op {
            Op::Regex => 20,
            Op::Glob | Op::IGlob | Op::IContains => 6,
            Op::Contains | Op::BContains | Op::PMatch => 3,
            _ => 0,
        }
    }

    pub(super) fn eval_generic(&self, ev: &Event, plain: bool) -> bool {
        self.eval_value(self.field.extract(ev).as_ref(), ev, plain)
    }

    /// [`Check::eval_generic`] with the field read through the event's field cache.
    fn eval_cached(&self, cx: &Ctx<'_>) -> bool {
        match cx.field_cell(self.field_slot) {
            Some(cell) => {
                let v = cell.get_or_init(|| self.field.extract(cx.ev));
                self.eval_value(v.as_ref(), cx.ev, false)
            }
            None => self.eval_generic(cx.ev, false),
        }
    }

    /// The test on an extracted value (`None`: the event lacks the field).
    fn eval_value(&self, v: Option<&FieldValue<'_>>, ev: &Event, plain: bool) -> bool {
        let Some(v) = v else {
            return false;
        };
        if self.op == Op::Exists {
            return true;
        }
        let transformed;
        let v = if self.transformers.is_empty() {
            v
        } else {
            match transform(v.clone(), &self.transformers) {
                Some(t) => {
                    transformed = t;
                    &transformed
                }
                None => return false,
            }
        };
        match v {
            // `proc.aname` without an index: true when any ancestor matches.
            FieldValue::List(items)
                if matches!(
                    self.field,
                    Field::AName(None)
                        | Field::APid(None)
                        | Field::AExe(None)
                        | Field::AExepath(None)
                ) =>
            {
                items.iter().any(|i| self.scalar(i, ev, plain))
            }
            FieldValue::List(items) => match self.op {
                Op::In => !items.is_empty() && items.iter().all(|i| self.scalar(i, ev, plain)),
                Op::Ne => items.iter().all(|i| self.scalar(i, ev, plain)),
                _ => items.iter().any(|i| self.scalar(i, ev, plain)),
            },
            other => self.scalar(other, ev, plain),
        }
    }
}

impl ContainsAny {
    /// Whether the field contains any of the substrings.
    pub(super) fn eval(&self, cx: &Ctx<'_>) -> bool {
        if let Some(acc) = &self.acc {
            return acc.with(cx, |s| self.ac.is_match(s)).unwrap_or(false);
        }
        self.eval_reference(cx.ev)
    }

    /// The same through [`Field::extract`].
    pub(super) fn eval_reference(&self, ev: &Event) -> bool {
        match self.field.extract(ev) {
            Some(FieldValue::List(items)) => items
                .iter()
                .any(|i| self.ac.is_match(value_text(i).as_ref())),
            Some(v) => self.ac.is_match(value_text(&v).as_ref()),
            None => false,
        }
    }
}

impl PrefixTable {
    fn matches(&self, s: &str) -> bool {
        self.set.contains(s)
            || memchr::memchr_iter(b'/', s.as_bytes()).any(|i| self.set.contains(&s[..i]))
            || (self.empty && s.starts_with('/'))
            || self.globs.iter().any(|g| glob_match(g, s))
    }
}

impl Matcher {
    /// A rough relative cost, to evaluate cheap tests first.
    fn cost(&self) -> u32 {
        match self {
            Matcher::Const(_) => 0,
            Matcher::Check(c) => c.cost(),
            Matcher::ContainsAny(b) => {
                4 + match b.acc {
                    Some(StrAcc::Lazy(_)) => 4,
                    Some(_) => 0,
                    None => 6,
                }
            }
            Matcher::Not(m) => m.cost(),
            Matcher::And(items) | Matcher::Or(items) => items
                .iter()
                .map(Matcher::cost)
                .fold(0u32, u32::saturating_add)
                .min(1000),
        }
    }
}

/// Gives every check that occurs in more than one place of `matchers` a memo slot, so
/// that one event evaluates it once; returns the number of slots. Checks that cost
/// less than a memo lookup (event type, numbers, booleans) are left alone.
pub fn assign_memo(matchers: &mut [&mut Program]) -> usize {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    // (`evt.is_open_*` read the flags argument and search it: worth remembering.)
    let worth = |c: &Check| match c.fast {
        Fast::Type(_) | Fast::Num(_) => false,
        Fast::Bool(_) => matches!(
            c.field,
            Field::EvtIsOpenRead | Field::EvtIsOpenWrite | Field::EvtIsOpenExec
        ),
        _ => true,
    };
    for m in matchers.iter_mut() {
        m.checks_mut(&mut |c| {
            if worth(c) {
                *seen.entry(c.memo_key()).or_insert(0) += 1;
            }
        });
    }
    let mut slots: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for m in matchers.iter_mut() {
        m.checks_mut(&mut |c| {
            c.memo = NO_MEMO;
            if !worth(c) {
                return;
            }
            let key = c.memo_key();
            if seen.get(&key).copied().unwrap_or(0) > 1 {
                let next = slots.len() as u32;
                c.memo = *slots.entry(key).or_insert(next);
            }
        });
    }
    slots.len()
}

/// Counts, per field of an audit or JSON document (`ka.*`, `ct.*`, `json.*`), the generic
/// checks of `matchers` that read it (see [`assign_field_slots`]).
pub fn count_cached_fields(matchers: &mut [&mut Program], counts: &mut HashMap<Field, u32>) {
    for m in matchers.iter_mut() {
        m.checks_mut(&mut |c| {
            if c.field_cacheable() {
                *counts.entry(c.field.clone()).or_insert(0) += 1;
            }
        });
    }
}

/// Gives every generic check of `matchers` whose field has a slot in `slots` that slot of
/// the per-event field cache, so that one event walks its document for the field once.
pub fn assign_field_slots(matchers: &mut [&mut Program], slots: &HashMap<Field, u32>) {
    for m in matchers.iter_mut() {
        m.checks_mut(&mut |c| {
            c.field_slot = NO_MEMO;
            if c.field_cacheable()
                && let Some(&slot) = slots.get(&c.field)
            {
                c.field_slot = slot;
            }
        });
    }
}

/// The values of `field` a rule requires, when its condition is (a conjunction with)
/// `field = x` or `field in (...)` compared as text, or an `or` of such tests (see
/// [`Program::required_values`]): the rule cannot match an event whose value of `field`
/// is none of them (or which lacks the field), so rules can be indexed by that value.
/// Also gives the field's slot in the per-event field cache.
///
/// The index field is `proc.name` for system calls (read typed), `ka.target.resource`
/// for Kubernetes audit events and `ct.name` for CloudTrail records (see
/// [`super::gate_field`]).
pub fn gate(m: &Program, field: &Field) -> Option<(Vec<String>, u32)> {
    m.required_values(&|c: &Check| {
        if c.field != *field || !c.is_plain_text() {
            return None;
        }
        if *field == Field::ProcName && !matches!(c.fast, Fast::Str(_)) {
            return None;
        }
        match c.op {
            Op::Eq => Some((c.strs[..1].to_vec(), c.field_slot)),
            Op::In => Some((c.strs.clone(), c.field_slot)),
            _ => None,
        }
    })
}

/// Literal prefixes one of which a system call event's `fd.name` must start with for the
/// rule to match: from a required test (see [`Program::required_values`]) of `fd.name`
/// or `fd.directory` (always a prefix of `fd.name`) by `=`, `in`, `startswith`, `pmatch`
/// or `glob` (a pattern's text before its first wildcard or escape). An event without a
/// file name cannot match such a rule either.
pub fn path_prefixes(m: &Program) -> Option<Vec<String>> {
    let lit = |p: &str| p[..p.find(['*', '?', '[', '\\']).unwrap_or(p.len())].to_string();
    m.required_values(&|c: &Check| {
        if !matches!(c.field, Field::FdName | Field::FdDirectory) || !c.is_plain_text() {
            return None;
        }
        let values = match c.op {
            Op::Eq | Op::StartsWith => vec![lit(&c.strs[0])],
            Op::In | Op::PMatch | Op::Glob => c.strs.iter().map(|p| lit(p)).collect(),
            _ => return None,
        };
        Some((values, NO_MEMO))
    })
    .map(|(values, _)| values)
}

/// The event types a condition can match (`None`: any), from its `evt.type` checks.
pub fn event_types(expr: &Expr) -> Option<BTreeSet<String>> {
    match expr {
        Expr::Check {
            field,
            op: Op::Eq | Op::In | Op::Intersects,
            rhs,
            ..
        } if field.name == "evt.type" && field.transformers.is_empty() => {
            Some(lit_texts(rhs).into_iter().map(str::to_string).collect())
        }
        Expr::And(items) => {
            let mut acc: Option<BTreeSet<String>> = None;
            for i in items {
                if let Some(s) = event_types(i) {
                    acc = Some(match acc {
                        None => s,
                        Some(a) => a.intersection(&s).cloned().collect(),
                    });
                }
            }
            acc
        }
        Expr::Or(items) => {
            let mut acc = BTreeSet::new();
            for i in items {
                acc.extend(event_types(i)?);
            }
            Some(acc)
        }
        Expr::Const(false) => Some(BTreeSet::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/etc/*", "/etc/passwd"));
        assert!(glob_match("*.sh", "/tmp/a.sh"));
        assert!(glob_match("/dev/tty[0-9]", "/dev/tty1"));
        assert!(!glob_match("/dev/tty[!0-9]", "/dev/tty1"));
        assert!(!glob_match("/etc/?", "/etc/ab"));
    }

    #[test]
    fn nets() {
        let n = Net::parse("10.0.0.0/8").expect("valid");
        assert!(n.contains("10.2.3.4".parse().expect("ip")));
        assert!(!n.contains("11.0.0.1".parse().expect("ip")));
        assert!(Net::parse("10.0.0.0/99").is_none());
    }

    #[test]
    fn base64() {
        assert_eq!(b64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
    }
}
