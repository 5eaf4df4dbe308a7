//! Field checks compiled from Sigma values and modifiers, and their evaluation.
//!
//! A detection item `field|mod1|mod2: values` becomes one [`Matcher`]: the field's slot
//! (its resolved event names, shared by every rule of the ruleset) and a [`Check`]. String
//! values are lowercased here, once; event values are lowercased once per event and field
//! by the evaluation cache ([`Ctx`]). Wildcard patterns reduce to exact / prefix / suffix /
//! substring tests where they can, many substrings of one field share an Aho-Corasick
//! automaton, and everything else becomes a `regex` (linear time, no backtracking).

use crate::fields::{FieldSource, FieldValue};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::borrow::Cow;
use std::net::IpAddr;

use super::yaml::Scalar as YScalar;

/// Substring alternatives at or above this count share one automaton.
const AC_MIN: usize = 4;
/// Largest compiled regex (bytes of program) accepted from a rule.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// `windash` expands to literal variants up to this many; above, a regex class is used.
const WINDASH_MAX_VARIANTS: usize = 25;
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// A compiled detection item.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// The field slot.
    pub field: usize,
    /// What the field must satisfy.
    pub check: Check,
    /// `neq`: the field exists and the check fails.
    pub negate: bool,
    /// Slots read by `fieldref` values.
    refs: Vec<usize>,
}

/// What a field must satisfy.
#[derive(Debug)]
pub(crate) enum Check {
    /// `exists: true/false`.
    Exists(bool),
    /// Some value matches one of the alternatives.
    Any(Alts),
    /// `all`: every value (each a set of alternatives) matches some field value.
    All(Vec<Alts>),
}

/// Alternatives of one check, any of which may match.
#[derive(Debug, Default)]
pub(crate) struct Alts {
    pats: Vec<Pat>,
    /// Case-insensitive substrings, lowercased, matched together.
    ac: Option<AhoCorasick>,
}

#[derive(Debug)]
enum Pat {
    Str { cased: bool, m: StrM },
    Null,
    Num(f64),
    Bool(bool),
    Cmp(CmpOp, f64),
    Cidr(IpAddr, u8),
    Re(Regex),
    FieldRef { field: usize, pos: Pos, cased: bool },
}

#[derive(Debug)]
enum StrM {
    Exact(Box<str>),
    Prefix(Box<str>),
    Suffix(Box<str>),
    Contains(Box<str>),
    Anything,
    Re(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pos {
    Exact,
    Prefix,
    Suffix,
    Contains,
}

/// Why an item could not be compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ItemError {
    /// The rule is wrong (bad CIDR, non-boolean `exists`...).
    Invalid(String),
    /// Valid Sigma that rampart does not evaluate.
    Unsupported(String),
}

/// Modifiers of one detection item.
#[derive(Debug, Default)]
pub(crate) struct Mods {
    pos: Option<Pos>,
    all: bool,
    re: bool,
    re_flags: String,
    cidr: bool,
    encodings: Vec<Enc>,
    windash: bool,
    exists: bool,
    cmp: Option<CmpOp>,
    fieldref: bool,
    cased: bool,
    neq: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Enc {
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    Utf16Bom,
}

impl Mods {
    /// Reads the modifier list of `field|a|b`.
    pub fn parse(list: &[&str]) -> Result<Mods, ItemError> {
        let mut m = Mods::default();
        let set_pos = |m: &mut Mods, p: Pos| -> Result<(), ItemError> {
            if m.pos.is_some() {
                return Err(ItemError::Invalid(
                    "more than one of contains/startswith/endswith".to_string(),
                ));
            }
            m.pos = Some(p);
            Ok(())
        };
        for &name in list {
            match name {
                "contains" => set_pos(&mut m, Pos::Contains)?,
                "startswith" => set_pos(&mut m, Pos::Prefix)?,
                "endswith" => set_pos(&mut m, Pos::Suffix)?,
                "all" => m.all = true,
                "re" => m.re = true,
                "i" | "m" | "s" if m.re => m.re_flags.push_str(name),
                "ignorecase" if m.re => m.re_flags.push('i'),
                "multiline" if m.re => m.re_flags.push('m'),
                "dotall" if m.re => m.re_flags.push('s'),
                "cidr" => m.cidr = true,
                "base64" => m.encodings.push(Enc::Base64),
                "base64offset" => m.encodings.push(Enc::Base64Offset),
                "wide" | "utf16le" => m.encodings.push(Enc::Utf16Le),
                "utf16be" => m.encodings.push(Enc::Utf16Be),
                "utf16" => m.encodings.push(Enc::Utf16Bom),
                "windash" => m.windash = true,
                "exists" => m.exists = true,
                "gt" => m.cmp = Some(CmpOp::Gt),
                "gte" => m.cmp = Some(CmpOp::Gte),
                "lt" => m.cmp = Some(CmpOp::Lt),
                "lte" => m.cmp = Some(CmpOp::Lte),
                "fieldref" => m.fieldref = true,
                "cased" => m.cased = true,
                "neq" => m.neq = true,
                "expand" => {
                    return Err(ItemError::Unsupported(
                        "modifier `expand` (placeholders need a pipeline)".to_string(),
                    ));
                }
                "minute" | "hour" | "day" | "week" | "month" | "year" => {
                    return Err(ItemError::Unsupported(format!("time modifier `{name}`")));
                }
                other => {
                    return Err(ItemError::Unsupported(format!(
                        "unknown modifier `{other}`"
                    )));
                }
            }
        }
        let kinds = [m.re, m.cidr, m.exists, m.cmp.is_some(), m.fieldref]
            .iter()
            .filter(|b| **b)
            .count();
        if kinds > 1 {
            return Err(ItemError::Invalid(format!(
                "modifiers `{}` cannot be combined",
                list.join("|")
            )));
        }
        Ok(m)
    }

    /// True for `neq`.
    pub fn neq(&self) -> bool {
        self.neq
    }
}

/// Compiles the values of one item. `resolve` interns a Sigma field name (for `fieldref`).
pub(crate) fn compile_check(
    mods: &Mods,
    values: &[YScalar<'_>],
    resolve: &mut dyn FnMut(&str) -> usize,
) -> Result<Check, ItemError> {
    if mods.exists {
        return match values {
            [YScalar::Bool(b)] => Ok(Check::Exists(*b)),
            [YScalar::Str(s)] if s.eq_ignore_ascii_case("true") => Ok(Check::Exists(true)),
            [YScalar::Str(s)] if s.eq_ignore_ascii_case("false") => Ok(Check::Exists(false)),
            _ => Err(ItemError::Invalid(
                "`exists` takes one boolean value".to_string(),
            )),
        };
    }
    if values.is_empty() {
        return Err(ItemError::Invalid("empty value list".to_string()));
    }
    let mut per_value = Vec::with_capacity(values.len());
    for v in values {
        per_value.push(compile_value(mods, v, resolve)?);
    }
    if mods.all && per_value.len() > 1 {
        Ok(Check::All(per_value.into_iter().map(Alts::new).collect()))
    } else {
        Ok(Check::Any(Alts::new(
            per_value.into_iter().flatten().collect(),
        )))
    }
}

fn has_string_mods(m: &Mods) -> bool {
    m.pos.is_some() || m.windash || !m.encodings.is_empty() || m.cased
}

fn num_text(v: &YScalar<'_>) -> Option<String> {
    match v {
        YScalar::Int(i) => Some(i.to_string()),
        YScalar::Float(f) => Some(f.to_string()),
        YScalar::Bool(b) => Some(b.to_string()),
        YScalar::Str(s) => Some(s.to_string()),
        YScalar::Null => None,
    }
}

fn compile_value(
    m: &Mods,
    v: &YScalar<'_>,
    resolve: &mut dyn FnMut(&str) -> usize,
) -> Result<Vec<Pat>, ItemError> {
    if let Some(op) = m.cmp {
        let n = match v {
            YScalar::Int(i) => *i as f64,
            YScalar::Float(f) => *f,
            YScalar::Str(s) => s.trim().parse::<f64>().map_err(|_| {
                ItemError::Invalid(format!("numeric modifier with non-numeric value {s:?}"))
            })?,
            _ => {
                return Err(ItemError::Invalid(
                    "numeric modifier needs a number".to_string(),
                ));
            }
        };
        return Ok(vec![Pat::Cmp(op, n)]);
    }
    if matches!(v, YScalar::Null) {
        return Ok(vec![Pat::Null]);
    }
    let Some(text) = num_text(v) else {
        return Ok(vec![Pat::Null]);
    };
    if m.re {
        let mut b = regex::RegexBuilder::new(&text);
        b.case_insensitive(m.re_flags.contains('i'))
            .multi_line(m.re_flags.contains('m'))
            .dot_matches_new_line(m.re_flags.contains('s'))
            .size_limit(REGEX_SIZE_LIMIT);
        return match b.build() {
            Ok(re) => Ok(vec![Pat::Re(re)]),
            Err(e) => Err(ItemError::Unsupported(format!(
                "regular expression {text:?}: {}",
                first_line(&e.to_string())
            ))),
        };
    }
    if m.cidr {
        return parse_cidr(&text)
            .map(|(ip, bits)| vec![Pat::Cidr(ip, bits)])
            .ok_or_else(|| ItemError::Invalid(format!("invalid CIDR {text:?}")));
    }
    if m.fieldref {
        return Ok(vec![Pat::FieldRef {
            field: resolve(&text),
            pos: m.pos.unwrap_or(Pos::Exact),
            cased: m.cased,
        }]);
    }
    if !has_string_mods(m) {
        match v {
            YScalar::Int(i) => return Ok(vec![Pat::Num(*i as f64)]),
            YScalar::Float(f) => return Ok(vec![Pat::Num(*f)]),
            YScalar::Bool(b) => return Ok(vec![Pat::Bool(*b)]),
            _ => {}
        }
    }
    // Encoded values are literal bytes; base64 output is case-sensitive by nature.
    let (variants, cased): (Vec<Vec<Tok>>, bool) = if m.encodings.is_empty() {
        let toks = wildcard_tokens(&text, m.windash);
        (expand_windash(toks), m.cased)
    } else {
        let mut cased = m.cased;
        let mut outs: Vec<Vec<u8>> = vec![text.into_bytes()];
        for enc in &m.encodings {
            outs = outs
                .into_iter()
                .flat_map(|bytes| match enc {
                    Enc::Utf16Le => vec![utf16(&bytes, false, false)],
                    Enc::Utf16Be => vec![utf16(&bytes, true, false)],
                    Enc::Utf16Bom => vec![utf16(&bytes, false, true)],
                    Enc::Base64 => {
                        cased = true;
                        vec![base64(&bytes).into_bytes()]
                    }
                    Enc::Base64Offset => {
                        cased = true;
                        base64_offsets(&bytes)
                            .into_iter()
                            .map(String::into_bytes)
                            .collect()
                    }
                })
                .collect();
        }
        let toks = outs
            .into_iter()
            .map(|b| {
                String::from_utf8_lossy(&b)
                    .chars()
                    .map(Tok::Lit)
                    .collect::<Vec<_>>()
            })
            .collect();
        (toks, cased)
    };
    let mut pats = Vec::with_capacity(variants.len());
    for mut toks in variants {
        match m.pos {
            Some(Pos::Contains) => {
                toks.insert(0, Tok::Star);
                toks.push(Tok::Star);
            }
            Some(Pos::Prefix) => toks.push(Tok::Star),
            Some(Pos::Suffix) => toks.insert(0, Tok::Star),
            _ => {}
        }
        pats.push(Pat::Str {
            cased,
            m: str_matcher(toks, cased)?,
        });
    }
    Ok(pats)
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lowercases for case-insensitive comparison; `None` when `s` has nothing to lower.
pub(crate) fn lower(s: &str) -> Option<String> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Some(s.to_ascii_lowercase())
        } else {
            None
        }
    } else {
        let l = s.to_lowercase();
        if l == s { None } else { Some(l) }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(char),
    Star,
    One,
    Dash,
}

/// Reads Sigma wildcards: `*`, `?`, and `\` escaping `*`, `?` and `\`.
fn wildcard_tokens(s: &str, windash: bool) -> Vec<Tok> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n @ ('*' | '?' | '\\')) => {
                    chars.next();
                    out.push(Tok::Lit(n));
                }
                _ => out.push(Tok::Lit('\\')),
            },
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::One),
            c if windash && DASHES.contains(&c) => out.push(Tok::Dash),
            c => out.push(Tok::Lit(c)),
        }
    }
    out
}

/// Expands `Dash` tokens into literal variants when there are few, else leaves them.
fn expand_windash(toks: Vec<Tok>) -> Vec<Vec<Tok>> {
    let dashes = toks.iter().filter(|t| **t == Tok::Dash).count();
    let variants = DASHES
        .len()
        .checked_pow(u32::try_from(dashes).unwrap_or(u32::MAX));
    if dashes == 0 || variants.is_none_or(|v| v > WINDASH_MAX_VARIANTS) {
        return vec![toks];
    }
    let mut out = vec![Vec::with_capacity(toks.len())];
    for t in toks {
        if t == Tok::Dash {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    DASHES.iter().map(move |d| {
                        let mut p = prefix.clone();
                        p.push(Tok::Lit(*d));
                        p
                    })
                })
                .collect();
        } else {
            for p in &mut out {
                p.push(t.clone());
            }
        }
    }
    out
}

fn lit_text(toks: &[Tok], cased: bool) -> Option<String> {
    let mut s = String::with_capacity(toks.len());
    for t in toks {
        match t {
            Tok::Lit(c) => s.push(*c),
            _ => return None,
        }
    }
    Some(if cased { s } else { s.to_lowercase() })
}

fn str_matcher(toks: Vec<Tok>, cased: bool) -> Result<StrM, ItemError> {
    let n = toks.len();
    let star = |i: usize| toks.get(i) == Some(&Tok::Star);
    if toks.iter().all(|t| *t == Tok::Star) && n > 0 {
        return Ok(StrM::Anything);
    }
    if let Some(s) = lit_text(&toks, cased) {
        return Ok(StrM::Exact(s.into()));
    }
    if n >= 2
        && star(0)
        && star(n - 1)
        && let Some(s) = lit_text(&toks[1..n - 1], cased)
    {
        return Ok(StrM::Contains(s.into()));
    }
    if n >= 1
        && star(n - 1)
        && let Some(s) = lit_text(&toks[..n - 1], cased)
    {
        return Ok(StrM::Prefix(s.into()));
    }
    if n >= 1
        && star(0)
        && let Some(s) = lit_text(&toks[1..], cased)
    {
        return Ok(StrM::Suffix(s.into()));
    }
    let mut re = String::from("(?s)^");
    let mut lit = String::new();
    let flush = |lit: &mut String, re: &mut String| {
        if !lit.is_empty() {
            let l = if cased {
                lit.clone()
            } else {
                lit.to_lowercase()
            };
            re.push_str(&regex::escape(&l));
            lit.clear();
        }
    };
    for t in &toks {
        match t {
            Tok::Lit(c) => lit.push(*c),
            Tok::Star => {
                flush(&mut lit, &mut re);
                re.push_str(".*");
            }
            Tok::One => {
                flush(&mut lit, &mut re);
                re.push('.');
            }
            Tok::Dash => {
                flush(&mut lit, &mut re);
                re.push_str("[-/\u{2013}\u{2014}\u{2015}]");
            }
        }
    }
    flush(&mut lit, &mut re);
    re.push('$');
    regex::RegexBuilder::new(&re)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map(StrM::Re)
        .map_err(|e| {
            ItemError::Unsupported(format!("pattern too large: {}", first_line(&e.to_string())))
        })
}

fn utf16(bytes: &[u8], be: bool, bom: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::with_capacity(bytes.len() * 2 + 2);
    if bom {
        out.extend_from_slice(&[0xFF, 0xFE]);
    }
    for unit in text.encode_utf16() {
        if be {
            out.extend_from_slice(&unit.to_be_bytes());
        } else {
            out.extend_from_slice(&unit.to_le_bytes());
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three shift-invariant middles of `value` inside any base64 text.
fn base64_offsets(value: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END_TRIM: [usize; 3] = [0, 3, 2];
    let mut out = Vec::with_capacity(3);
    for shift in 0..3 {
        let mut bytes = vec![b' '; shift];
        bytes.extend_from_slice(value);
        let enc = base64(&bytes);
        let end_trim = END_TRIM[(value.len() + shift) % 3];
        let end = enc.len().saturating_sub(end_trim);
        let s = enc.get(START[shift]..end).unwrap_or("").to_string();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match text.split_once('/') {
        Some((a, b)) => (a.trim(), Some(b.trim().parse::<u8>().ok()?)),
        None => (text.trim(), None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((ip, bits))
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V4(_)) => match a.to_ipv4_mapped() {
            Some(v4) => in_cidr(IpAddr::V4(v4), net, bits),
            None => false,
        },
        _ => false,
    }
}

impl Alts {
    fn new(pats: Vec<Pat>) -> Alts {
        let n_contains = pats
            .iter()
            .filter(|p| {
                matches!(
                    p,
                    Pat::Str {
                        cased: false,
                        m: StrM::Contains(_)
                    }
                )
            })
            .count();
        if n_contains < AC_MIN {
            return Alts { pats, ac: None };
        }
        let mut needles = Vec::with_capacity(n_contains);
        let mut rest = Vec::with_capacity(pats.len() - n_contains);
        for p in pats {
            match p {
                Pat::Str {
                    cased: false,
                    m: StrM::Contains(s),
                } => needles.push(s),
                other => rest.push(other),
            }
        }
        match AhoCorasick::new(needles.iter().map(|s| s.as_bytes())) {
            Ok(ac) => Alts {
                pats: rest,
                ac: Some(ac),
            },
            Err(_) => {
                rest.extend(needles.into_iter().map(|s| Pat::Str {
                    cased: false,
                    m: StrM::Contains(s),
                }));
                Alts {
                    pats: rest,
                    ac: None,
                }
            }
        }
    }

    fn has_null(&self) -> bool {
        self.pats.iter().any(|p| matches!(p, Pat::Null))
    }

    fn matches(&self, v: &Val<'_>, ctx: &Ctx<'_>) -> bool {
        if let Some(ac) = &self.ac
            && !v.null
            && ac.is_match(v.lowered())
        {
            return true;
        }
        self.pats.iter().any(|p| p.matches(v, ctx))
    }
}

impl Pat {
    fn matches(&self, v: &Val<'_>, ctx: &Ctx<'_>) -> bool {
        match self {
            Pat::Null => v.null,
            _ if v.null => false,
            Pat::Str { cased, m } => {
                let hay = if *cased { &v.text } else { v.lowered() };
                match m {
                    StrM::Exact(s) => hay == &**s,
                    StrM::Prefix(s) => hay.starts_with(&**s),
                    StrM::Suffix(s) => hay.ends_with(&**s),
                    StrM::Contains(s) => hay.contains(&**s),
                    StrM::Anything => true,
                    StrM::Re(re) => re.is_match(hay),
                }
            }
            Pat::Num(n) => v.number().is_some_and(|x| x == *n),
            Pat::Bool(b) => match v.boolean {
                Some(x) => x == *b,
                None => v
                    .text
                    .eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            },
            Pat::Cmp(op, n) => v.number().is_some_and(|x| match op {
                CmpOp::Gt => x > *n,
                CmpOp::Gte => x >= *n,
                CmpOp::Lt => x < *n,
                CmpOp::Lte => x <= *n,
            }),
            Pat::Cidr(net, bits) => v
                .text
                .trim()
                .parse::<IpAddr>()
                .is_ok_and(|ip| in_cidr(ip, *net, *bits)),
            Pat::Re(re) => re.is_match(&v.text),
            Pat::FieldRef { field, pos, cased } => {
                let Some(others) = ctx.peek(*field) else {
                    return false;
                };
                let hay = if *cased { &v.text } else { v.lowered() };
                others.iter().filter(|o| !o.null).any(|o| {
                    let needle = if *cased { &o.text } else { o.lowered() };
                    match pos {
                        Pos::Exact => hay == needle,
                        Pos::Prefix => hay.starts_with(needle),
                        Pos::Suffix => hay.ends_with(needle),
                        Pos::Contains => hay.contains(needle),
                    }
                })
            }
        }
    }

    fn field_refs(&self, out: &mut Vec<usize>) {
        if let Pat::FieldRef { field, .. } = self {
            out.push(*field);
        }
    }
}

/// One scalar of an event field, with its text and lowercase text.
#[derive(Debug)]
pub(crate) struct Val<'e> {
    text: Cow<'e, str>,
    lower: Option<String>,
    num: Option<f64>,
    boolean: Option<bool>,
    null: bool,
}

impl<'e> Val<'e> {
    fn lowered(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.text)
    }

    fn number(&self) -> Option<f64> {
        self.num.or_else(|| self.text.trim().parse::<f64>().ok())
    }

    fn push(v: FieldValue<'e>, out: &mut Vec<Val<'e>>) {
        let (text, num, boolean, null): (Cow<'e, str>, _, _, _) = match v {
            FieldValue::Str(s) => (s, None, None, false),
            FieldValue::Int(i) => (Cow::Owned(i.to_string()), Some(i as f64), None, false),
            FieldValue::UInt(u) => (Cow::Owned(u.to_string()), Some(u as f64), None, false),
            FieldValue::Float(f) => (Cow::Owned(f.to_string()), Some(f), None, false),
            FieldValue::Bool(b) => (
                Cow::Borrowed(if b { "true" } else { "false" }),
                None,
                Some(b),
                false,
            ),
            FieldValue::Null => (Cow::Borrowed(""), None, None, true),
            FieldValue::List(items) => {
                for i in items {
                    Val::push(i, out);
                }
                return;
            }
        };
        let lower = lower(&text);
        out.push(Val {
            text,
            lower,
            num,
            boolean,
            null,
        });
    }
}

/// Per-event evaluation state: fetched and lowercased field values, each at most once.
pub(crate) struct Ctx<'e> {
    ev: &'e dyn FieldSource,
    /// (slot, range in `vals`; `None` when the event lacks the field).
    cache: Vec<(usize, Option<(usize, usize)>)>,
    /// The values of every fetched field, back to back.
    vals: Vec<Val<'e>>,
}

impl<'e> Ctx<'e> {
    /// A fresh context for one event.
    pub fn new(ev: &'e dyn FieldSource) -> Self {
        Ctx {
            ev,
            cache: Vec::with_capacity(16),
            vals: Vec::with_capacity(16),
        }
    }

    fn position(&mut self, slot: usize, names: &[Vec<String>]) -> usize {
        if let Some(i) = self.cache.iter().position(|(s, _)| *s == slot) {
            return i;
        }
        let mut found = None;
        for name in names.get(slot).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(v) = self.ev.field(name) {
                let start = self.vals.len();
                Val::push(v, &mut self.vals);
                found = Some((start, self.vals.len()));
                break;
            }
        }
        self.cache.push((slot, found));
        self.cache.len() - 1
    }

    fn at(&self, i: usize) -> Option<&[Val<'e>]> {
        let (_, range) = self.cache.get(i)?;
        let (start, end) = (*range)?;
        self.vals.get(start..end)
    }

    /// The lowercased texts of the field in `slot` (empty when absent).
    pub fn lowered(&mut self, slot: usize, names: &[Vec<String>]) -> impl Iterator<Item = &str> {
        let i = self.position(slot, names);
        self.at(i)
            .unwrap_or(&[])
            .iter()
            .filter(|v| !v.null)
            .map(Val::lowered)
    }

    fn peek(&self, slot: usize) -> Option<&[Val<'e>]> {
        let i = self.cache.iter().position(|(s, _)| *s == slot)?;
        self.at(i)
    }
}

impl Matcher {
    /// Builds a matcher, noting the slots its `fieldref` values read.
    pub fn new(field: usize, check: Check, negate: bool) -> Matcher {
        let mut refs = Vec::new();
        match &check {
            Check::Any(a) => a.pats.iter().for_each(|p| p.field_refs(&mut refs)),
            Check::All(all) => all
                .iter()
                .for_each(|a| a.pats.iter().for_each(|p| p.field_refs(&mut refs))),
            Check::Exists(_) => {}
        }
        Matcher {
            field,
            check,
            negate,
            refs,
        }
    }

    /// When this matcher holds only if its field equals (ignoring case) one of a set of
    /// literals: the slot and the lowercased literals. Used to index rules.
    pub fn exact_values(&self) -> Option<(usize, Vec<&str>)> {
        let Check::Any(a) = &self.check else {
            return None;
        };
        if self.negate || a.ac.is_some() || a.pats.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(a.pats.len());
        for p in &a.pats {
            match p {
                Pat::Str {
                    cased: false,
                    m: StrM::Exact(s),
                } => out.push(&**s),
                _ => return None,
            }
        }
        Some((self.field, out))
    }

    /// Evaluates against the event of `ctx`; `names` are the ruleset's field slots.
    pub fn eval(&self, ctx: &mut Ctx<'_>, names: &[Vec<String>]) -> bool {
        for r in &self.refs {
            ctx.position(*r, names);
        }
        let i = ctx.position(self.field, names);
        let ctx: &Ctx<'_> = ctx;
        let vals = ctx.at(i);
        let hit = match (&self.check, vals) {
            (Check::Exists(want), v) => v.is_some() == *want,
            (Check::Any(a), None) => a.has_null(),
            (Check::Any(a), Some(vals)) => {
                (vals.is_empty() && a.has_null()) || vals.iter().any(|v| a.matches(v, ctx))
            }
            (Check::All(_), None) => false,
            (Check::All(all), Some(vals)) => {
                all.iter().all(|a| vals.iter().any(|v| a.matches(v, ctx)))
            }
        };
        if self.negate {
            vals.is_some() && !hit
        } else {
            hit
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_answers() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        // Sigma's documented example for base64offset of "/bin/bash".
        assert_eq!(
            base64_offsets(b"/bin/bash"),
            vec!["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]
        );
    }

    #[test]
    fn wildcard_reduction() {
        let m = |s: &str| str_matcher(wildcard_tokens(s, false), false).unwrap();
        assert!(matches!(m("abc"), StrM::Exact(s) if &*s == "abc"));
        assert!(matches!(m("*abc*"), StrM::Contains(s) if &*s == "abc"));
        assert!(matches!(m("ABC*"), StrM::Prefix(s) if &*s == "abc"));
        assert!(matches!(m("*abc"), StrM::Suffix(s) if &*s == "abc"));
        assert!(matches!(m("a\\*b"), StrM::Exact(s) if &*s == "a*b"));
        // `\*` escapes the wildcard; `\\*` is a backslash, then the wildcard.
        assert!(matches!(m("c:\\windows\\*"), StrM::Exact(s) if &*s == "c:\\windows*"));
        assert!(matches!(m("c:\\windows\\\\*"), StrM::Prefix(s) if &*s == "c:\\windows\\"));
        assert!(matches!(m("a?c"), StrM::Re(_)));
        assert!(matches!(m("*"), StrM::Anything));
    }

    #[test]
    fn cidr() {
        let (net, bits) = parse_cidr("10.0.0.0/8").unwrap();
        assert!(in_cidr("10.1.2.3".parse().unwrap(), net, bits));
        assert!(!in_cidr("11.1.2.3".parse().unwrap(), net, bits));
        let (net, bits) = parse_cidr("fd00::/8").unwrap();
        assert!(in_cidr("fd12::1".parse().unwrap(), net, bits));
        let (net, bits) = parse_cidr("0.0.0.0/0").unwrap();
        assert!(in_cidr("1.2.3.4".parse().unwrap(), net, bits));
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(parse_cidr("nope").is_none());
    }
}
