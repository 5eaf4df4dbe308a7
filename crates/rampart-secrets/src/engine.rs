//! The scanning engine: keyword prefilter, windowed regex matching, validation,
//! overlap resolution, suppression and redaction.
//!
//! This module owns how bytes become [`SecretFinding`]s. Which credential types exist is
//! [`crate::rules`]'s business; configuration parsing is [`crate::config`]'s.

use crate::config::glob_to_regex;
use crate::keywords::{Hit, Keywords, LANES};
use crate::redact::{
    is_obvious_placeholder, is_placeholder, is_template, redact, sha256_hex, shannon_entropy,
};
use crate::rule::{SecretRule, ValueFilter, Window};
use crate::{Config, SecretFinding, SecretsError, Stats, rules};
use memchr::memmem;
use rampart_core::Diagnostic;
use regex::RegexSet;
use regex_automata::meta::Regex as MetaRegex;
use regex_automata::{Anchored, Input, util::syntax};
use std::cell::RefCell;
use std::collections::HashMap;

/// How far a line window reaches either side of a keyword.
const LINE_REACH: usize = 4096;
/// Windows of one rule closer than this are merged, so the regex runs once over the
/// span instead of once per line (the per-call cost dominates on short lines).
const MERGE_GAP: usize = 256;
/// Bytes inspected for a NUL to call a file binary.
const BINARY_PROBE: usize = 8192;
/// Inline suppression marker.
const IGNORE_MARKER: &[u8] = b"rampart:ignore";
/// detect-secrets' inline marker, honoured so existing annotations keep working.
const PRAGMA_MARKER: &[u8] = b"pragma: allowlist secret";

thread_local! {
    /// Per-thread buffers reused across files, so a scan allocates nothing per line.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Buffers of one scan: keyword hits per lane and in order, and (rule, start, end)
/// windows.
#[derive(Default)]
struct Scratch {
    lanes: [Vec<Hit>; LANES],
    hits: Vec<Hit>,
    windows: Vec<(usize, usize, usize)>,
}

const PAIR_RULE: &str = "secret-aws-access-key-pair";
const PAIR_KEY_ID: &str = "secret-aws-access-key-id";
const PAIR_SECRETS: &[&str] = &[
    "secret-aws-secret-access-key",
    "secret-aws-credentials-file",
];
const PKCS12_RULE: &str = "secret-private-key-pkcs12";
const JKS_RULE: &str = "secret-private-key-jks";

struct Compiled {
    rule: &'static SecretRule,
    /// The pattern, searched unanchored over windows and anchored at keyword hits.
    re: MetaRegex,
    /// For rules whose every match starts at one of their keywords: where, relative to
    /// a hit, so one anchored search there decides whether the line needs the regex.
    at_hit: Option<Start>,
    /// True for PEM private-key rules, which also run on binary files.
    pem: bool,
    /// The secret must be followed by a non-word byte or the end (`token!` rules).
    end_boundary: bool,
}

/// A compiled set of secret rules; build once, scan many files, from many threads.
pub struct Scanner {
    rules: Vec<Compiled>,
    keywords: Option<Keywords>,
    /// Aho-Corasick pattern id → indices into `rules`.
    keyword_rules: Vec<Vec<usize>>,
    pem_rules: Vec<usize>,
    path_allow: Option<RegexSet>,
    value_allow: Vec<String>,
    max_file_size: u64,
    pair: Option<usize>,
    pkcs12: Option<usize>,
    jks: Option<usize>,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("rules", &self.rules.len())
            .field("keywords", &self.keyword_rules.len())
            .field("max_file_size", &self.max_file_size)
            .finish_non_exhaustive()
    }
}

/// A regex match before validation, in absolute byte offsets.
#[derive(Clone, Copy)]
struct Candidate {
    rule: usize,
    match_start: usize,
    start: usize,
    end: usize,
}

impl Scanner {
    /// Compiles the built-in rules (minus those the allowlist disables) and the allowlists.
    pub fn new(cfg: &Config) -> Result<Scanner, SecretsError> {
        let mut compiled = Vec::new();
        for rule in rules() {
            if cfg.allowlist.rules.iter().any(|r| r == rule.id) {
                continue;
            }
            let re = MetaRegex::builder()
                .syntax(syntax::Config::new().unicode(false).utf8(false))
                .configure(
                    MetaRegex::config()
                        .utf8_empty(false)
                        .nfa_size_limit(Some(64 << 20))
                        .hybrid_cache_capacity(8 << 20),
                )
                .build(rule.pattern)
                .map_err(|e| SecretsError::Rule {
                    id: rule.id.to_string(),
                    reason: e.to_string(),
                })?;
            let pem = rule.keywords.contains(&"private key");
            let end_boundary = rule.pattern.starts_with(crate::rules::TOKEN_PREFIX);
            let at_hit = match rule.window {
                Window::Line => match_start(rule),
                Window::Block(_) => None,
            };
            compiled.push(Compiled {
                rule,
                re,
                at_hit,
                pem,
                end_boundary,
            });
        }

        let mut keywords: Vec<&'static str> = Vec::new();
        let mut index: HashMap<&'static str, usize> = HashMap::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        for (ri, c) in compiled.iter().enumerate() {
            for &kw in c.rule.keywords {
                let slot = *index.entry(kw).or_insert_with(|| {
                    keywords.push(kw);
                    keyword_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if let Some(list) = keyword_rules.get_mut(slot) {
                    list.push(ri);
                }
            }
        }
        let keyword_set = if keywords.is_empty() {
            None
        } else {
            Some(Keywords::new(&keywords).map_err(SecretsError::Prefilter)?)
        };

        let path_allow = if cfg.allowlist.paths.is_empty() {
            None
        } else {
            let mut res = Vec::new();
            for glob in &cfg.allowlist.paths {
                let re = glob_to_regex(glob);
                regex::Regex::new(&re).map_err(|e| SecretsError::Glob {
                    glob: glob.clone(),
                    reason: e.to_string(),
                })?;
                res.push(re);
            }
            Some(RegexSet::new(&res).map_err(|e| SecretsError::Glob {
                glob: cfg.allowlist.paths.join(", "),
                reason: e.to_string(),
            })?)
        };

        let find = |id: &str| compiled.iter().position(|c| c.rule.id == id);
        let pair = find(PAIR_RULE);
        let pkcs12 = find(PKCS12_RULE);
        let jks = find(JKS_RULE);
        let pem_rules = compiled
            .iter()
            .enumerate()
            .filter(|(_, c)| c.pem)
            .map(|(i, _)| i)
            .collect();
        Ok(Scanner {
            value_allow: cfg
                .allowlist
                .values_sha256
                .iter()
                .map(|v| v.trim().to_ascii_lowercase())
                .filter(|v| v.len() >= 12)
                .collect(),
            rules: compiled,
            keywords: keyword_set,
            keyword_rules,
            pem_rules,
            path_allow,
            max_file_size: cfg.max_file_size,
            pair,
            pkcs12,
            jks,
        })
    }

    /// Number of compiled rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The keyword matcher in use: `"hyperscan"` (the build linked `libhs` and the CPU
    /// supports it) or `"dfa"` (the crate's own automaton).
    pub fn prefilter(&self) -> &'static str {
        self.keywords.as_ref().map_or("dfa", Keywords::backend)
    }

    /// Scans the contents `data` of the file at `path`, appending findings to `out` and
    /// counting into `stats`. Never panics and never reads anything but `data`.
    pub fn scan(&self, path: &str, data: &[u8], out: &mut Vec<SecretFinding>, stats: &mut Stats) {
        if let Some(set) = &self.path_allow
            && set.is_match(path)
        {
            stats.skipped_path_allowlist += 1;
            return;
        }
        if u64::try_from(data.len()).unwrap_or(u64::MAX) > self.max_file_size {
            stats.skipped_oversize += 1;
            stats.diagnostics.push(Diagnostic::warning(
                path,
                format!(
                    "skipped by the secret scanner: {} bytes is over the {}-byte limit",
                    data.len(),
                    self.max_file_size
                ),
            ));
            return;
        }
        let probe = data.get(..BINARY_PROBE).unwrap_or(data);
        let mut candidates = Vec::new();
        if memchr::memchr(0, probe).is_some() {
            stats.skipped_binary += 1;
            self.scan_binary(data, &mut candidates);
        } else {
            stats.files_scanned += 1;
            stats.bytes_scanned += data.len() as u64;
            self.scan_text(data, &mut candidates);
        }
        if candidates.is_empty() {
            return;
        }
        let kept = self.resolve(candidates);
        self.emit(path, data, kept, out, stats);
    }

    /// Binary files: magic-byte key stores, and PEM private keys embedded in the bytes.
    fn scan_binary(&self, data: &[u8], candidates: &mut Vec<Candidate>) {
        if let Some(ri) = self.pkcs12
            && is_pkcs12(data)
        {
            candidates.push(Candidate {
                rule: ri,
                match_start: 0,
                start: 0,
                end: data.len(),
            });
        }
        if let Some(ri) = self.jks
            && (data.starts_with(&[0xfe, 0xed, 0xfe, 0xed])
                || data.starts_with(&[0xce, 0xce, 0xce, 0xce]))
        {
            candidates.push(Candidate {
                rule: ri,
                match_start: 0,
                start: 0,
                end: data.len(),
            });
        }
        if self.pem_rules.is_empty() {
            return;
        }
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for hit in memmem::find_iter(data, b"PRIVATE KEY") {
            let start = hit.saturating_sub(64);
            let end = data.len().min(hit.saturating_add(65536));
            match windows.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => windows.push((start, end)),
            }
        }
        for &ri in &self.pem_rules {
            for &(s, e) in &windows {
                self.run_regex(ri, data, s, e, candidates);
            }
        }
    }

    fn scan_text(&self, data: &[u8], candidates: &mut Vec<Candidate>) {
        let Some(kw) = &self.keywords else { return };
        SCRATCH.with(|cell| {
            let mut fresh = Scratch::default();
            let mut guard = cell.try_borrow_mut();
            let scratch = match guard.as_deref_mut() {
                Ok(s) => s,
                Err(_) => &mut fresh,
            };
            let Scratch {
                lanes,
                hits,
                windows,
            } = scratch;
            hits.clear();
            windows.clear();
            kw.find(data, lanes, hits);
            if hits.is_empty() {
                return;
            }
            // One window per (rule, hit); the line around a hit is computed once and
            // reused by every rule the keyword wakes and by later hits on that line.
            let mut line: Option<(usize, usize, bool)> = None;
            for hit in hits.iter() {
                let Some(rule_ids) = self.keyword_rules.get(hit.keyword as usize) else {
                    continue;
                };
                let ke = hit.end;
                let ks = ke.saturating_sub(kw.len_of(hit.keyword));
                // The line around the hit, computed when a rule first needs it.
                let mut line_win: Option<(usize, usize)> = None;
                let mut line_of_hit = || {
                    *line_win.get_or_insert_with(|| match line {
                        Some((s, e, false)) if s <= ks && ke <= e => (s, e),
                        _ => {
                            let w = window_for(data, ks, ke, Window::Line);
                            line = Some(w);
                            (w.0, w.1)
                        }
                    })
                };
                for &ri in rule_ids {
                    let Some(c) = self.rules.get(ri) else {
                        continue;
                    };
                    // Rules whose match must start at this hit: a cheap anchored check
                    // there, and the line's regex only if it passes.
                    if let Some(start) = &c.at_hit {
                        // The boundary byte first: most hits end here, before the line
                        // is located.
                        let Some(from) = start.boundary_at(data, ks) else {
                            continue;
                        };
                        if !start.admits(&c.re, data, ks, from, line_of_hit()) {
                            continue;
                        }
                    }
                    let (s, e) = match c.rule.window {
                        Window::Line => line_of_hit(),
                        block => {
                            let (s, e, _) = window_for(data, ks, ke, block);
                            (s, e)
                        }
                    };
                    windows.push((ri, s, e));
                }
            }
            // Per rule, merge windows that overlap or lie close together, so the regex
            // runs once over the span instead of once per line.
            windows.sort_unstable();
            let mut current: Option<(usize, usize, usize)> = None;
            for &(ri, s, e) in windows.iter() {
                match current.as_mut() {
                    Some(cur) if cur.0 == ri && s <= cur.2.saturating_add(MERGE_GAP) => {
                        cur.2 = cur.2.max(e);
                    }
                    _ => {
                        if let Some((r, cs, ce)) = current {
                            self.run_regex(r, data, cs, ce, candidates);
                        }
                        current = Some((ri, s, e));
                    }
                }
            }
            if let Some((r, cs, ce)) = current {
                self.run_regex(r, data, cs, ce, candidates);
            }
        });
    }

    fn run_regex(&self, ri: usize, data: &[u8], s: usize, e: usize, out: &mut Vec<Candidate>) {
        let (Some(c), Some(hay)) = (self.rules.get(ri), data.get(s..e)) else {
            return;
        };
        let rule = c.rule;
        // Most windows hold no match: find that out without allocating capture slots.
        if !c.re.is_match(hay) {
            return;
        }
        let mut required: Option<bool> = None;
        for caps in c.re.captures_iter(hay) {
            let Some(whole) = caps.get_match().map(|m| m.span()) else {
                continue;
            };
            // The secret is the first capture group that took part in the match.
            let secret = (1..caps.group_len())
                .find_map(|g| caps.get_group(g))
                .unwrap_or(whole);
            let value = hay.get(secret.range()).unwrap_or_default();
            if c.end_boundary
                && hay
                    .get(secret.end)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
            {
                continue;
            }
            if let Some(min) = rule.entropy
                && shannon_entropy(value) < min
            {
                continue;
            }
            // A PEM block's body is base64: header strings of other blocks (as libraries embed
            // them one after another) are not a key.
            if hay
                .get(whole.range())
                .unwrap_or_default()
                .starts_with(b"-----BEGIN")
                && !pem_body(value)
            {
                continue;
            }
            let stand_in = match rule.filter {
                ValueFilter::Obvious => is_obvious_placeholder(value),
                ValueFilter::Template => is_template(value),
                ValueFilter::Generic => is_placeholder(value),
            };
            if stand_in {
                continue;
            }
            if !rule.requires.is_empty() {
                let ok = *required.get_or_insert_with(|| {
                    rule.requires
                        .iter()
                        .any(|lit| memmem::find(data, lit.as_bytes()).is_some())
                });
                if !ok {
                    return;
                }
            }
            // Report the opening line of multi-line values, the secret itself otherwise.
            let anchor = match rule.window {
                Window::Block(_) => whole.start,
                Window::Line => secret.start,
            };
            out.push(Candidate {
                rule: ri,
                match_start: s + anchor,
                start: s + secret.start,
                end: s + secret.end,
            });
        }
    }

    /// Sorts candidates, drops duplicates and overlaps (the earlier rule in the table
    /// wins), and turns a lone AWS secret key into a key pair when a key id is present.
    fn resolve(&self, mut cands: Vec<Candidate>) -> Vec<Candidate> {
        cands.sort_by_key(|c| (c.start, c.rule, c.end));
        let mut kept: Vec<Candidate> = Vec::with_capacity(cands.len());
        'next: for c in cands {
            while let Some(last) = kept.last() {
                if last.end <= c.start {
                    break;
                }
                if last.rule <= c.rule {
                    continue 'next;
                }
                kept.pop();
            }
            kept.push(c);
        }
        if let Some(pair) = self.pair {
            let id_of = |c: &Candidate| self.rules.get(c.rule).map(|r| r.rule.id);
            let has_key_id = kept.iter().any(|c| id_of(c) == Some(PAIR_KEY_ID));
            if has_key_id {
                for c in kept.iter_mut() {
                    if id_of(c).is_some_and(|id| PAIR_SECRETS.contains(&id)) {
                        c.rule = pair;
                    }
                }
            }
        }
        kept.sort_by_key(|c| (c.match_start, c.rule));
        kept
    }

    fn emit(
        &self,
        path: &str,
        data: &[u8],
        kept: Vec<Candidate>,
        out: &mut Vec<SecretFinding>,
        stats: &mut Stats,
    ) {
        let mut line: usize = 1;
        let mut line_start: usize = 0;
        let mut pos: usize = 0;
        for c in kept {
            let Some(compiled) = self.rules.get(c.rule) else {
                continue;
            };
            let rule = compiled.rule;
            let at = c.match_start.min(data.len());
            if at >= pos {
                let seg = data.get(pos..at).unwrap_or_default();
                line += memchr::memchr_iter(b'\n', seg).count();
                if let Some(nl) = memchr::memrchr(b'\n', seg) {
                    line_start = pos + nl + 1;
                }
                pos = at;
            }
            let value = data.get(c.start..c.end).unwrap_or_default();
            if self.inline_ignored(data, line_start, at, rule.id) {
                stats.suppressed_inline += 1;
                continue;
            }
            let hash = sha256_hex(value);
            if self
                .value_allow
                .iter()
                .any(|v| hash.starts_with(v.as_str()))
            {
                stats.suppressed_value += 1;
                continue;
            }
            stats.findings += 1;
            out.push(SecretFinding {
                rule_id: rule.id.to_string(),
                title: rule.title.to_string(),
                severity: rule.severity,
                path: path.to_string(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(at - line_start + 1).unwrap_or(u32::MAX),
                redacted: redact(value),
                fingerprint: format!("{}:{}:{}", rule.id, path, hash.get(..32).unwrap_or(&hash)),
                layer: None,
                deleted_in_layer: None,
            });
        }
    }

    /// True when the line holding `at` carries `rampart:ignore` (bare, or naming `id`) or
    /// detect-secrets' `pragma: allowlist secret`.
    fn inline_ignored(&self, data: &[u8], line_start: usize, at: usize, id: &str) -> bool {
        let from = line_start.max(at.saturating_sub(LINE_REACH));
        let limit = data.len().min(at.saturating_add(LINE_REACH));
        let rest = data.get(at..limit).unwrap_or_default();
        let to = at + memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let text = data.get(from..to).unwrap_or_default();
        if memmem::find(text, PRAGMA_MARKER).is_some() {
            return true;
        }
        for hit in memmem::find_iter(text, IGNORE_MARKER) {
            let after = text.get(hit + IGNORE_MARKER.len()..).unwrap_or_default();
            let named: Vec<&[u8]> = after
                .strip_prefix(b" ")
                .or_else(|| after.strip_prefix(b":"))
                .map(|tail| {
                    let end = tail
                        .iter()
                        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b',')))
                        .unwrap_or(tail.len());
                    tail.get(..end)
                        .unwrap_or_default()
                        .split(|&b| b == b',')
                        .filter(|s| s.starts_with(b"secret-"))
                        .collect()
                })
                .unwrap_or_default();
            if named.is_empty() || named.contains(&id.as_bytes()) {
                return true;
            }
        }
        false
    }
}

/// Where every match of a rule starts relative to the keyword hit that wakes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// At the keyword, or also one byte before it (`back`): every match begins with one
    /// of the rule's keywords, or with one byte and then a keyword (`[a-z0-9]Pass`).
    AtKeyword {
        /// Matches may also begin one byte before the keyword.
        back: bool,
    },
    /// One boundary byte before the keyword, or at the keyword when it starts its line:
    /// the pattern is `(?:^|[boundary])(SECRET…)` and every secret begins with a keyword.
    /// Holds the boundary class as a 256-bit set, so most hits (a keyword inside a
    /// longer word) are turned away without running the regex.
    AfterBoundary([u64; 4]),
    /// At the start of the keyword's line: the pattern opens with `(?m)^` (a match
    /// that begins on an earlier line through `\s*` has its suffix from the keyword's
    /// line start as a match too).
    OpensLine,
}

impl Start {
    /// Whether a match of `re` can start where this rule's matches start, for a hit at
    /// `ks` in the line window `s..e` of `data` (one or two anchored searches).
    /// `from` is [`Start::boundary_at`]'s answer, computed once by the caller.
    fn admits(
        &self,
        re: &MetaRegex,
        data: &[u8],
        ks: usize,
        from: usize,
        (s, e): (usize, usize),
    ) -> bool {
        let hay = data.get(s..e).unwrap_or_default();
        let at = |pos: usize| {
            re.is_match(
                Input::new(hay)
                    .range(pos.saturating_sub(s)..)
                    .anchored(Anchored::Yes),
            )
        };
        match self {
            Start::AtKeyword { back } => at(ks) || (*back && ks > s && at(ks - 1)),
            Start::AfterBoundary(_) => at(from),
            Start::OpensLine => at(s),
        }
    }

    /// For [`Start::AfterBoundary`]: where the anchored search begins, or `None` when the
    /// byte before the keyword is not a boundary (checked before the line is even
    /// located). A line window starts at the line's first byte or more than
    /// [`LINE_REACH`] bytes before the keyword, so `^` can only match at the keyword when
    /// it opens its line. Other kinds: always the keyword.
    fn boundary_at(&self, data: &[u8], ks: usize) -> Option<usize> {
        let Start::AfterBoundary(set) = self else {
            return Some(ks);
        };
        let Some(prev) = ks.checked_sub(1) else {
            return Some(ks);
        };
        let before = *data.get(prev)?;
        if before == b'\n' {
            return Some(ks);
        }
        let b = usize::from(before);
        let word = set.get(b / 64).copied().unwrap_or(0);
        (word >> (b % 64) & 1 == 1).then_some(prev)
    }
}

/// A `regex-syntax` class's ranges as code-point (or byte) pairs, whichever kind it is.
fn class_ranges(class: &regex_syntax::hir::Class) -> Vec<(u32, u32)> {
    use regex_syntax::hir::Class;
    match class {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
    }
}

/// The bytes a `regex-syntax` class matches, as a 256-bit set.
fn byte_set(class: &regex_syntax::hir::Class) -> [u64; 4] {
    let mut set = [0u64; 4];
    for (lo, hi) in class_ranges(class) {
        for b in lo..=hi.min(255) {
            if let Some(w) = set.get_mut((b / 64) as usize) {
                *w |= 1 << (b % 64);
            }
        }
    }
    set
}

/// Whether every match of `rule` starts at a keyword hit ([`Start`]), proven from the
/// pattern: its prefix literals (after an optional `(?:^|[class])` boundary) must be
/// finite and each begin with one of the rule's keywords. `None` when that cannot be
/// shown; such rules run their regex over the keyword's line.
fn match_start(rule: &SecretRule) -> Option<Start> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::{HirKind, Look};
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(rule.pattern)
        .ok()?;
    // Keywords match case-insensitively, so the proof may ignore case: folding first keeps
    // `(?i:…)` from multiplying into every case variant.
    // `(?:^|[class])`: the class as a byte set.
    let boundary = |h: &regex_syntax::hir::Hir| match h.kind() {
        HirKind::Alternation(alts)
            if alts.len() == 2
                && alts
                    .iter()
                    .any(|a| matches!(a.kind(), HirKind::Look(Look::Start))) =>
        {
            alts.iter().find_map(|a| match a.kind() {
                HirKind::Class(c) => Some(byte_set(c)),
                _ => None,
            })
        }
        _ => None,
    };
    let (body, start) = match hir.kind() {
        HirKind::Concat(parts)
            if parts
                .first()
                .is_some_and(|p| matches!(p.kind(), HirKind::Look(Look::StartLF))) =>
        {
            return Some(Start::OpensLine);
        }
        HirKind::Concat(parts)
            if parts
                .get(1)
                .is_some_and(|p| matches!(p.kind(), HirKind::Capture(c) if c.index == 1)) =>
        {
            match parts.first().and_then(boundary) {
                Some(set) => (parts.get(1)?, Start::AfterBoundary(set)),
                None => (&hir, Start::AtKeyword { back: false }),
            }
        }
        _ => (&hir, Start::AtKeyword { back: false }),
    };
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix).limit_class(40);
    let seq = extractor.extract(&fold_case(body));
    let lits = seq.literals()?;
    // Where a keyword begins in a literal: at 0, or at 1 (after one byte).
    let keyword_at = |lit: &[u8], off: usize| {
        rule.keywords.iter().any(|kw| {
            lit.get(off..off + kw.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(kw.as_bytes()))
        })
    };
    if lits.is_empty() {
        return None;
    }
    if lits.iter().all(|l| keyword_at(l.as_bytes(), 0)) {
        return Some(start);
    }
    let near = lits
        .iter()
        .all(|l| keyword_at(l.as_bytes(), 0) || keyword_at(l.as_bytes(), 1));
    (near && start == Start::AtKeyword { back: false }).then_some(Start::AtKeyword { back: true })
}

/// `hir` with ASCII letters folded to lower case: literals lowered, and a class that is
/// exactly one letter in both cases (`(?i:a)`) replaced by that letter.
fn fold_case(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    let lower = |b: u8| Hir::literal([b.to_ascii_lowercase()]);
    match hir.kind() {
        HirKind::Literal(lit) => Hir::literal(lit.0.to_ascii_lowercase()),
        HirKind::Class(c) => match class_ranges(c).as_slice() {
            &[(up, up2), (low, low2)]
                if up == up2
                    && low == low2
                    && u8::try_from(up).is_ok_and(|u| u.is_ascii_uppercase())
                    && up + 32 == low =>
            {
                u8::try_from(low).map_or_else(|_| hir.clone(), lower)
            }
            _ => hir.clone(),
        },
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(fold_case(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(fold_case(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(xs) => Hir::concat(xs.iter().map(fold_case).collect()),
        HirKind::Alternation(xs) => Hir::alternation(xs.iter().map(fold_case).collect()),
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
    }
}

/// The byte range a rule's regex runs on for a keyword at `ks..ke`, and whether the
/// range was cut short of the line's real end.
fn window_for(data: &[u8], ks: usize, ke: usize, window: Window) -> (usize, usize, bool) {
    let back_from = ks.saturating_sub(LINE_REACH);
    let back = data.get(back_from..ks).unwrap_or_default();
    let start = match memchr::memrchr(b'\n', back) {
        Some(nl) => back_from + nl + 1,
        None => back_from,
    };
    match window {
        Window::Line => {
            let limit = data.len().min(ke.saturating_add(LINE_REACH));
            let fwd = data.get(ke..limit).unwrap_or_default();
            match memchr::memchr(b'\n', fwd) {
                Some(nl) => (start, block_end(data, ke + nl), false),
                None => (start, limit, limit < data.len()),
            }
        }
        Window::Block(n) => {
            let end = data.len().min(ks.saturating_add(n));
            (start, end, end < data.len())
        }
    }
}

/// How far a line ending in `{` extends its window over the block it opens.
const BLOCK_REACH: usize = 512;

/// The end of a line window whose line ends at `eol`: the line itself, or, when the line
/// opens a block (`variable "okta_token" {`), also the whole lines of the next
/// [`BLOCK_REACH`] bytes, so a rule can pair the name with a `default =` below it.
fn block_end(data: &[u8], eol: usize) -> usize {
    let line = data.get(..eol).unwrap_or_default();
    let last = line
        .iter()
        .rev()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r'));
    if last != Some(&b'{') {
        return eol;
    }
    let limit = data.len().min(eol.saturating_add(BLOCK_REACH));
    let next = data.get(eol..limit).unwrap_or_default();
    if limit == data.len() {
        return limit;
    }
    match memchr::memrchr(b'\n', next) {
        Some(nl) => eol + nl,
        None => eol,
    }
}

/// PKCS#12 (RFC 7292): `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data ... } ... }`.
fn is_pkcs12(data: &[u8]) -> bool {
    let (Some(&0x30), Some(&len)) = (data.first(), data.get(1)) else {
        return false;
    };
    let header = match len {
        0x80 => 2,
        0x81..=0x84 => 2 + usize::from(len - 0x80),
        0x00..=0x7f => 2,
        _ => return false,
    };
    if data.get(header..header + 3) != Some(&[0x02, 0x01, 0x03][..]) {
        return false;
    }
    const PKCS7_DATA: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let probe = data.get(header + 3..).unwrap_or_default();
    let probe = probe.get(..48).unwrap_or(probe);
    memmem::find(probe, PKCS7_DATA).is_some()
}

/// Whether `body` reads as the base64 body of a PEM block: no other armor line inside, and at
/// least 40 base64 characters.
fn pem_body(body: &[u8]) -> bool {
    if memmem::find(body, b"-----").is_some() {
        return false;
    }
    body.iter()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
        .count()
        >= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `dir`, recursively.
    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                files_under(&p, out);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }

    fn findings(scanner: &Scanner, path: &str, data: &[u8]) -> Vec<(String, u32, u32, String)> {
        let mut out = Vec::new();
        scanner.scan(path, data, &mut out, &mut Stats::default());
        out.into_iter()
            .map(|f| (f.rule_id, f.line, f.column, f.redacted))
            .collect()
    }

    /// The anchored check at keyword hits only skips work: with it and without it, every
    /// file of the secret-rule corpus (thousands of real positive and negative examples of
    /// three scanners) and this crate's own sources give the same findings.
    #[test]
    fn anchored_check_changes_no_finding() {
        let anchored = Scanner::new(&Config::default()).expect("rules compile");
        let mut plain = Scanner::new(&Config::default()).expect("rules compile");
        let proven = plain.rules.iter().filter(|c| c.at_hit.is_some()).count();
        assert!(
            proven > 200,
            "only {proven} rules proven to start at a keyword"
        );
        for c in &mut plain.rules {
            c.at_hit = None;
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let corpus = root.join("../../../shared/corpus/secret-rule-examples");
        if !corpus.is_dir() {
            assert!(
                std::env::var("CI").is_err(),
                "{} is missing (CI is set)",
                corpus.display()
            );
            return;
        }
        let mut files = Vec::new();
        files_under(&corpus, &mut files);
        files_under(&root.join("src"), &mut files);
        files_under(&root.join("tests"), &mut files);
        files.sort();
        let (mut compared, mut found) = (0, 0);
        for f in &files {
            let Ok(data) = std::fs::read(f) else { continue };
            let path = f.to_string_lossy();
            let want = findings(&plain, &path, &data);
            assert_eq!(findings(&anchored, &path, &data), want, "{path}");
            compared += 1;
            found += want.len();
        }
        assert!(
            compared > 100 && found > 300,
            "{compared} files, {found} findings"
        );
    }

    /// Rules the proof must cover (the most frequent keywords in source trees), and
    /// rules it must refuse (a match may start before the keyword).
    #[test]
    fn match_start_proofs() {
        let by_id = |id: &str| rules().iter().find(|r| r.id == id).expect(id);
        for id in [
            "secret-github-pat",
            "secret-airtable-pat",
            "secret-twilio-api-key",
            "secret-url-basic-auth",
            "secret-aws-secret-access-key",
            "secret-azure-devops-pat-legacy",
            "secret-lob-api-key",
            "secret-generic-api-key",
        ] {
            assert!(match_start(by_id(id)).is_some(), "{id} should be proven");
        }
        for id in ["secret-azure-function-key", "secret-newrelic-license-key"] {
            assert_eq!(match_start(by_id(id)), None, "{id} must not be proven");
        }
        assert!(matches!(
            match_start(by_id("secret-github-pat")),
            Some(Start::AfterBoundary(_))
        ));
        // `[a-z0-9]Pass`: one byte before the keyword.
        assert_eq!(
            match_start(by_id("secret-generic-password")),
            Some(Start::AtKeyword { back: true })
        );
        assert_eq!(
            match_start(by_id("secret-kubeconfig-token")),
            Some(Start::OpensLine)
        );
    }

    #[test]
    fn windows_are_lines() {
        let data = b"one\ntwo key three\nfour";
        let (s, e, cut) = window_for(data, 8, 11, Window::Line);
        assert_eq!(&data[s..e], b"two key three");
        assert!(!cut);
        let (s, e, _) = window_for(data, 8, 11, Window::Block(4));
        assert_eq!(&data[s..e], b"two key ");
    }

    #[test]
    fn a_line_opening_a_block_reaches_into_it() {
        let data = b"x\nvariable \"okta_token\" {  \n  default = \"v\"\n}\nafter";
        let (s, e, cut) = window_for(data, 12, 16, Window::Line);
        assert!(!cut);
        assert_eq!(&data[s..e], &data[2..]);
        let mut long = b"key {\n".to_vec();
        long.extend(std::iter::repeat_n(b"0123456789\n".as_slice(), 100).flatten());
        let (s, e, _) = window_for(&long, 0, 3, Window::Line);
        assert_eq!(s, 0);
        assert!(e > 5 && e <= 5 + BLOCK_REACH && long[e] == b'\n', "{e}");
    }

    #[test]
    fn pkcs12_magic() {
        let mut p12 = vec![
            0x30, 0x82, 0x09, 0x80, 0x02, 0x01, 0x03, 0x30, 0x82, 0x09, 0x46,
        ];
        p12.extend_from_slice(&[
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
        ]);
        assert!(is_pkcs12(&p12));
        assert!(!is_pkcs12(&p12[..5]));
        assert!(!is_pkcs12(b"0\x82"));
        assert!(!is_pkcs12(&[]));
    }
}
