//! Falco rules: load `falco_rules.yaml`-style files, compile them into a [`Ruleset`],
//! match [`Event`]s and produce [`Alert`]s in Falco's JSON shape.
//!
//! ```
//! use rampart_detect::event::{Event, EventType, Process};
//! use rampart_detect::falco::{load_falco, Ruleset};
//!
//! let rules = "- rule: shell\n  desc: d\n  condition: evt.type=execve and proc.name=bash\n  output: shell %proc.name\n  priority: WARNING\n";
//! let (ruleset, report) = load_falco(&[("r.yaml".as_ref(), rules)]);
//! assert!(!report.has_errors());
//! let ev = Event {
//!     evt_type: EventType::Execve,
//!     proc: Process { name: "bash".into(), ..Process::default() },
//!     ..Event::default()
//! };
//! let mut alerts = Vec::new();
//! ruleset.matches(&ev, &mut alerts);
//! assert_eq!(&*alerts[0].rule, "shell");
//! assert_eq!(alerts[0].output, "1970-01-01T00:00:00.000000000+0000: Warning shell bash");
//! ```
//!
//! Per rule, [`load_falco`] reports whether it compiled, is unsupported (which fields
//! rampart cannot read), or is in error (file and line). Sigma lives in [`crate::sigma`].

pub mod compile;
pub mod condition;
pub mod extract;
pub mod fast;
mod fields_map;
pub mod loader;
pub mod program;
pub mod yaml;

use crate::event::{Event, EventType, Source};
use crate::fields::FieldValue;
use extract::{Field, Kind};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use fields_map::OutputFields;

/// Falco priorities, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Priority {
    /// Emergency.
    Emergency,
    /// Alert.
    Alert,
    /// Critical.
    Critical,
    /// Error.
    Error,
    /// Warning.
    Warning,
    /// Notice.
    Notice,
    /// Informational.
    Informational,
    /// Debug.
    Debug,
}

impl Priority {
    /// Parses a priority, case-insensitively (`INFO` and `informational` both work).
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" => Priority::Warning,
            "notice" => Priority::Notice,
            "info" | "informational" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// Falco's spelling in alerts (`Warning`, `Informational`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

/// Severity of a load message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MsgLevel {
    /// The item was not loaded.
    Error,
    /// The item loaded (or was skipped as unsupported); worth knowing.
    Warning,
}

/// One problem found while loading rule files, in Falco's vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadMessage {
    /// Error or warning.
    pub level: MsgLevel,
    /// Falco's code, e.g. `LOAD_ERR_VALIDATE`, `LOAD_UNUSED_MACRO`.
    pub code: &'static str,
    /// `rule`, `macro`, `list`, `exception`, `rules content`, ...
    pub item_type: String,
    /// Name of the item (empty when it has none).
    pub item_name: String,
    /// The rule file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LoadMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: line {}: {} {} '{}': {} ({})",
            self.file.display(),
            self.line,
            match self.level {
                MsgLevel::Error => "error in",
                MsgLevel::Warning => "warning for",
            },
            self.item_type,
            self.item_name,
            self.message,
            self.code
        )
    }
}

impl LoadMessage {
    /// This message as a core diagnostic (for reports).
    pub fn to_diagnostic(&self) -> rampart_core::Diagnostic {
        rampart_core::Diagnostic::warning(
            self.file.display().to_string(),
            format!(
                "{} '{}': {} ({})",
                self.item_type, self.item_name, self.message, self.code
            ),
        )
        .at_line(u32::try_from(self.line).unwrap_or(u32::MAX))
    }
}

/// Whether a rule could be used.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum RuleState {
    /// Compiled; `output_fields_missing` lists output fields rendered as `<NA>`.
    Ok {
        /// Output fields rampart cannot fill.
        output_fields_missing: Vec<String>,
    },
    /// Not usable here: fields or sources rampart does not implement.
    Unsupported {
        /// What is missing, e.g. `proc.exe_ino.ctime: filter_check called with ...`.
        missing: Vec<String>,
    },
    /// Invalid rule.
    Error {
        /// The rule file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The outcome for one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleStatus {
    /// Rule name.
    pub name: String,
    /// File that defined it.
    pub file: PathBuf,
    /// Line of its definition.
    pub line: usize,
    /// Its `source`.
    pub source: String,
    /// Ok, unsupported or error.
    #[serde(flatten)]
    pub state: RuleState,
}

/// Everything [`load_falco`] has to say about the rule files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    /// One entry per rule, in load order.
    pub rules: Vec<RuleStatus>,
    /// Errors and warnings, Falco-style.
    pub messages: Vec<LoadMessage>,
}

impl LoadReport {
    /// True when any item failed to load (Falco would refuse these files).
    pub fn has_errors(&self) -> bool {
        self.messages.iter().any(|m| m.level == MsgLevel::Error)
    }

    /// The error messages.
    pub fn errors(&self) -> impl Iterator<Item = &LoadMessage> {
        self.messages.iter().filter(|m| m.level == MsgLevel::Error)
    }

    /// Counts of rules per state: (ok, unsupported, error).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for r in &self.rules {
            match r.state {
                RuleState::Ok { .. } => c.0 += 1,
                RuleState::Unsupported { .. } => c.1 += 1,
                RuleState::Error { .. } => c.2 += 1,
            }
        }
        c
    }
}

enum Piece {
    Text(String),
    Field {
        name: Arc<str>,
        field: Option<(Field, Kind)>,
        /// Slot in the per-event field cache ([`compile::NO_MEMO`]: none).
        slot: u32,
    },
}

/// A compiled output template (`%field` and `%field[arg]` placeholders).
pub struct OutputFormat {
    pieces: Vec<Piece>,
    /// Output fields rampart cannot fill (rendered `<NA>`).
    pub unsupported: Vec<String>,
    /// A guess at the rendered length, to size the output once.
    size_hint: usize,
    /// Per field name, in name order, the placeholder (numbered in template order) whose
    /// value `output_fields` keeps (the last of that name): the order in which they are
    /// built in one go.
    key_order: Vec<u32>,
    /// The number of field placeholders.
    n_fields: usize,
}

impl std::fmt::Debug for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputFormat")
            .field("pieces", &self.pieces.len())
            .finish()
    }
}

impl OutputFormat {
    /// Parses `template` for events of `source`. Unknown field classes are an error
    /// (`invalid formatting token X`); known fields rampart lacks render as `<NA>`.
    pub fn parse(source: Source, template: &str) -> Result<OutputFormat, String> {
        let mut pieces = Vec::new();
        let mut unsupported = Vec::new();
        let mut text = String::new();
        let b = template.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'.')
                {
                    j += 1;
                }
                if j == start {
                    text.push('%');
                    i += 1;
                    continue;
                }
                let base = template[start..j].trim_end_matches('.').to_string();
                j = start + base.len();
                let mut arg = None;
                if j < b.len()
                    && b[j] == b'['
                    && let Some(rel) = template[j + 1..].find(']')
                {
                    arg = Some(template[j + 1..j + 1 + rel].to_string());
                    j = j + 2 + rel;
                }
                if !base.contains('.') {
                    return Err(format!("invalid formatting token {base}"));
                }
                let name = match &arg {
                    Some(a) => format!("{base}[{a}]"),
                    None => base.clone(),
                };
                let field = extract::resolve(source, &base, arg.as_deref()).ok();
                if field.is_none() {
                    unsupported.push(name.clone());
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Field {
                    name: name.into(),
                    field,
                    slot: compile::NO_MEMO,
                });
                i = j;
            } else {
                let ch_len = template[i..].chars().next().map_or(1, char::len_utf8);
                text.push_str(&template[i..i + ch_len]);
                i += ch_len;
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        let size_hint = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Field { .. } => 32,
            })
            .sum();
        let names: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Field { name, .. } => Some(&**name),
                Piece::Text(_) => None,
            })
            .collect();
        let mut key_order: Vec<u32> = (0..names.len() as u32).collect();
        key_order.sort_by_key(|&i| names[i as usize]);
        // Of placeholders with one name (adjacent, in template order), the last wins.
        let mut winners: Vec<u32> = Vec::with_capacity(key_order.len());
        for i in key_order {
            match winners.last_mut() {
                Some(w) if names[*w as usize] == names[i as usize] => *w = i,
                _ => winners.push(i),
            }
        }
        let n_fields = names.len();
        Ok(OutputFormat {
            pieces,
            unsupported,
            size_hint,
            key_order: winners,
            n_fields,
        })
    }

    /// Renders the template for `ev`, filling `fields` with each placeholder's value.
    pub fn render(&self, ev: &Event, fields: &mut OutputFields) -> String {
        let mut out = String::new();
        self.render_into(ev, fields, &mut out);
        out
    }

    /// Like [`OutputFormat::render`], appending to `out` (trailing whitespace trimmed).
    pub fn render_into(&self, ev: &Event, fields: &mut OutputFields, out: &mut String) {
        self.render_cached(ev, None, fields, out);
    }

    /// The document fields of the template (those the per-event field cache can hold).
    fn cacheable_fields(&self) -> impl Iterator<Item = &Field> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Field {
                field: Some((f, _)),
                ..
            } if f.reads_raw_json() => Some(f),
            _ => None,
        })
    }

    /// Points the template's document fields at their field-cache slots.
    fn assign_field_slots(&mut self, slots: &HashMap<Field, u32>) {
        for p in &mut self.pieces {
            if let Piece::Field {
                field: Some((f, _)),
                slot,
                ..
            } = p
            {
                *slot = match slots.get(f) {
                    Some(&s) if f.reads_raw_json() => s,
                    _ => compile::NO_MEMO,
                };
            }
        }
    }

    /// [`OutputFormat::render_into`], reading fields through `cx`'s field cache when given
    /// (`cx` is a context for `ev`).
    fn render_cached(
        &self,
        ev: &Event,
        cx: Option<&fast::Ctx<'_>>,
        fields: &mut OutputFields,
        out: &mut String,
    ) {
        let start = out.len();
        let mut pairs: Vec<(Arc<str>, serde_json::Value)> = Vec::with_capacity(self.n_fields);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { name, field, slot } => {
                    let fresh;
                    let cell = cx.and_then(|cx| Some((cx.field_cell(*slot)?, cx.ev)));
                    let v = match (field, cell) {
                        (Some((f, _)), Some((cell, cev))) => {
                            cell.get_or_init(|| f.extract(cev)).as_ref()
                        }
                        (Some((f, _)), None) => {
                            fresh = f.extract(ev);
                            fresh.as_ref()
                        }
                        (None, _) => None,
                    };
                    let is_time = matches!(field, Some((Field::EvtTime | Field::EvtTimeIso, _)));
                    // The text is built once, for the output and the JSON value.
                    let text = match v {
                        None => {
                            out.push_str("<NA>");
                            None
                        }
                        Some(list @ FieldValue::List(items)) => {
                            out.push('(');
                            for (n, i) in items.iter().enumerate() {
                                if n > 0 {
                                    out.push(',');
                                }
                                out.push_str(&compile::value_text(i));
                            }
                            out.push(')');
                            Some(compile::value_text(list))
                        }
                        Some(other) => {
                            let t = compile::value_text(other);
                            out.push_str(&t);
                            Some(t)
                        }
                    };
                    let json = match (v, text) {
                        (Some(_), _) if is_time => serde_json::Value::from(ev.time),
                        (None, _) | (_, None) => serde_json::Value::Null,
                        (Some(FieldValue::Int(i)), _) => serde_json::Value::from(*i),
                        (Some(FieldValue::UInt(u)), _) => serde_json::Value::from(*u),
                        (Some(FieldValue::Bool(b)), _) => serde_json::Value::from(*b),
                        (Some(_), Some(t)) => serde_json::Value::from(t.into_owned()),
                    };
                    pairs.push((Arc::clone(name), json));
                }
            }
        }
        if fields.is_empty() && pairs.len() == self.n_fields {
            // Built in name order in one go (a later duplicate wins, as with inserts).
            *fields = OutputFields::from_sorted(
                self.key_order
                    .iter()
                    .map(|&i| std::mem::take(&mut pairs[i as usize]))
                    .collect(),
            );
        } else {
            fields.extend(pairs);
        }
        let len = out.trim_end().len().max(start);
        out.truncate(len);
    }
}

/// An alert, in Falco's JSON shape (what falcosidekick consumes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
///
/// The parts an alert shares with its rule or with other alerts (rule name, tags, output
/// field names, hostname) are reference-counted, and the fixed spellings (priority, source)
/// borrowed: an alert costs its output text, its time and its field values.
pub struct Alert {
    /// Event time, RFC 3339 with nanoseconds.
    pub time: String,
    /// Rule name.
    pub rule: Arc<str>,
    /// Falco priority spelling.
    pub priority: Cow<'static, str>,
    /// Rendered output, prefixed like Falco's: `2016-08-04T16:17:57.881781397+0000: Warning ...`.
    pub output: String,
    /// Values of the output's fields.
    pub output_fields: OutputFields,
    /// Event source.
    pub source: Cow<'static, str>,
    /// Rule tags.
    pub tags: Arc<[String]>,
    /// Host that saw the event.
    pub hostname: Arc<str>,
}

/// What one rule cost while matching: how often it was evaluated, how often it matched and
/// the time spent evaluating it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RuleCost {
    /// Events the rule was evaluated on (after the event-type or literal index).
    pub evaluated: u64,
    /// Events it matched.
    pub matched: u64,
    /// Time spent evaluating it, in nanoseconds.
    pub nanos: u64,
}

impl RuleCost {
    /// Records one evaluation.
    pub fn add(&mut self, took: std::time::Duration, matched: bool) {
        self.evaluated += 1;
        self.matched += u64::from(matched);
        self.nanos += u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
    }
}

/// Whether every matching rule alerts, or only the first in load order (Falco's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchMode {
    /// Only the first matching rule alerts (Falco's `rule_matching: first`).
    #[default]
    First,
    /// Every matching rule alerts.
    All,
}

#[derive(Default)]
struct SourceIndex {
    any: Vec<u32>,
    known: Vec<Vec<u32>>,
    named: HashMap<String, Vec<u32>>,
}

type NameMap = HashMap<String, Vec<u32>, crate::strhash::StrHashBuilder>;

/// The candidate rules of one event type: those that require a process name, by name, and
/// the others. Both lists are in load order.
#[derive(Default)]
struct Slot {
    ungated: Vec<u32>,
    by_name: NameMap,
    /// System call rules not gated by process name that require a file name prefix.
    by_path: PathIndex,
    /// Every candidate, for an event whose index field is not text.
    all: Vec<u32>,
}

impl Slot {
    fn new(ids: &[u32], gates: &[Option<Vec<String>>], paths: &[Option<Vec<String>>]) -> Slot {
        let mut slot = Slot {
            all: ids.to_vec(),
            ..Slot::default()
        };
        for &i in ids {
            let gate = gates.get(i as usize).and_then(Option::as_ref);
            let path = paths.get(i as usize).and_then(Option::as_ref);
            match (gate, path) {
                (Some(names), _) => {
                    for n in names {
                        let v = slot.by_name.entry(n.clone()).or_default();
                        if v.last() != Some(&i) {
                            v.push(i);
                        }
                    }
                }
                (None, Some(prefixes)) => {
                    for p in prefixes {
                        slot.by_path.insert(p, i);
                    }
                }
                (None, None) => slot.ungated.push(i),
            }
        }
        slot
    }

    fn is_empty(&self) -> bool {
        self.ungated.is_empty() && self.by_name.is_empty() && self.by_path.is_empty()
    }
}

/// Rules by the file name prefix they require (see [`compile::path_prefixes`]): a trie
/// over the prefixes' bytes, walked along an event's file name.
#[derive(Default)]
struct PathIndex {
    /// Node 0 is the root (the empty prefix).
    nodes: Vec<PathNode>,
}

#[derive(Default)]
struct PathNode {
    /// Children by next byte, sorted.
    next: Vec<(u8, u32)>,
    /// Rules whose prefix ends here, in load order.
    rules: Vec<u32>,
}

impl PathIndex {
    fn insert(&mut self, prefix: &str, rule: u32) {
        if self.nodes.is_empty() {
            self.nodes.push(PathNode::default());
        }
        let mut at = 0usize;
        for &b in prefix.as_bytes() {
            let next = match self.nodes[at].next.binary_search_by_key(&b, |e| e.0) {
                Ok(k) => self.nodes[at].next[k].1 as usize,
                Err(k) => {
                    self.nodes.push(PathNode::default());
                    let n = self.nodes.len() - 1;
                    self.nodes[at].next.insert(k, (b, n as u32));
                    n
                }
            };
            at = next;
        }
        let rules = &mut self.nodes[at].rules;
        if rules.last() != Some(&rule) {
            rules.push(rule);
        }
    }

    fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Appends the rules of every indexed prefix of `name` to `out`, sorted, each once.
    fn collect(&self, name: &str, out: &mut Vec<u32>) {
        let Some(mut node) = self.nodes.first() else {
            return;
        };
        out.extend_from_slice(&node.rules);
        for &b in name.as_bytes() {
            let Some(&(_, n)) = node.next.iter().find(|e| e.0 == b) else {
                break;
            };
            let Some(next) = self.nodes.get(n as usize) else {
                break;
            };
            node = next;
            out.extend_from_slice(&node.rules);
        }
        out.sort_unstable();
        out.dedup();
    }
}

/// Rule candidates per source: by event type, then by the value of the source's index
/// field ([`gate_field`]).
#[derive(Default)]
struct Slots {
    any: Slot,
    known: Vec<Slot>,
    named: HashMap<String, Slot>,
}

/// Compiled Falco rules, indexed by source and event type.
pub struct Ruleset {
    rules: Vec<loader::CompiledRule>,
    index: Vec<(Source, Slots)>,
    /// Per source, the index field and its slot in the per-event field cache.
    gate_fields: Vec<(Source, Field, u32)>,
    /// Memo slots of the checks several rules share.
    memo_slots: usize,
    /// Field-cache slots of the document fields several checks read.
    field_slots: usize,
    mode: MatchMode,
    min_priority: Priority,
    hostname: Arc<str>,
}

impl std::fmt::Debug for Ruleset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ruleset")
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// Loads Falco rule files, in order (later files append to / override earlier ones).
///
/// Never fails as a whole: every problem is in the [`LoadReport`] with file and line,
/// and the returned [`Ruleset`] holds every rule that compiled.
pub fn load_falco(files: &[(&Path, &str)]) -> (Ruleset, LoadReport) {
    let mut l = loader::Loader::new();
    for (path, text) in files {
        l.add_file(path, text);
    }
    let (rules, statuses, messages) = l.finish();
    let ruleset = Ruleset::new(rules);
    (
        ruleset,
        LoadReport {
            rules: statuses,
            messages,
        },
    )
}

/// Reads and loads rule files from disk, in order. Fails only when a file cannot be read;
/// problems inside the files are in the [`LoadReport`].
pub fn load_falco_files(paths: &[PathBuf]) -> Result<(Ruleset, LoadReport), crate::DetectError> {
    let mut texts = Vec::with_capacity(paths.len());
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|source| crate::DetectError::Io {
            path: p.clone(),
            source,
        })?;
        texts.push(text);
    }
    let files: Vec<(&Path, &str)> = paths
        .iter()
        .map(PathBuf::as_path)
        .zip(texts.iter().map(String::as_str))
        .collect();
    Ok(load_falco(&files))
}

/// The field a source's rules are indexed by (see [`compile::gate`]): the one most rules
/// of the upstream rule files require a value of.
fn gate_field(source: Source) -> Option<Field> {
    let name = match source {
        Source::Syscall => "proc.name",
        Source::K8sAudit => "ka.target.resource",
        Source::AwsCloudtrail => "ct.name",
        Source::Json => return None,
    };
    extract::resolve(source, name, None).ok().map(|(f, _)| f)
}

fn read_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl Ruleset {
    fn new(mut rules: Vec<loader::CompiledRule>) -> Ruleset {
        let memo_slots = {
            let mut ms: Vec<&mut program::Program> =
                rules.iter_mut().map(|r| &mut r.matcher).collect();
            compile::assign_memo(&mut ms)
        };
        let field_slots = Ruleset::assign_field_slots(&mut rules);
        let mut rs = Ruleset {
            rules,
            memo_slots,
            field_slots,
            index: Vec::new(),
            gate_fields: Vec::new(),
            mode: MatchMode::First,
            min_priority: Priority::Debug,
            hostname: Arc::from(read_hostname()),
        };
        rs.reindex();
        rs
    }

    /// Gives each document field (`ka.*`, `ct.*`, `json.*`) read more than once per event
    /// (by conditions and output templates together) a slot in the per-event field cache;
    /// returns the number of slots.
    fn assign_field_slots(rules: &mut [loader::CompiledRule]) -> usize {
        let mut counts = HashMap::new();
        {
            let mut ms: Vec<&mut program::Program> =
                rules.iter_mut().map(|r| &mut r.matcher).collect();
            compile::count_cached_fields(&mut ms, &mut counts);
        }
        for r in rules.iter() {
            for f in r.output.cacheable_fields() {
                *counts.entry(f.clone()).or_insert(0) += 1;
            }
        }
        let mut slots: HashMap<Field, u32> = HashMap::new();
        let mut fields: Vec<&Field> = counts
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(f, _)| f)
            .collect();
        // Slot numbers in a stable order (HashMap order varies between runs).
        fields.sort_by_key(|f| format!("{f:?}"));
        for (i, f) in fields.into_iter().enumerate() {
            slots.insert(f.clone(), i as u32);
        }
        let mut ms: Vec<&mut program::Program> = rules.iter_mut().map(|r| &mut r.matcher).collect();
        compile::assign_field_slots(&mut ms, &slots);
        for r in rules.iter_mut() {
            r.output.assign_field_slots(&slots);
        }
        slots.len()
    }

    fn reindex(&mut self) {
        let mut index: HashMap<Source, SourceIndex> = HashMap::new();
        for (i, r) in self.rules.iter().enumerate() {
            if !r.enabled || r.priority > self.min_priority {
                continue;
            }
            let idx = index.entry(r.source).or_insert_with(|| SourceIndex {
                known: vec![Vec::new(); EventType::KNOWN.len()],
                ..SourceIndex::default()
            });
            let i = i as u32;
            match &r.types {
                None => {
                    idx.any.push(i);
                    for k in idx.known.iter_mut() {
                        k.push(i);
                    }
                    for v in idx.named.values_mut() {
                        v.push(i);
                    }
                }
                Some(types) => {
                    for t in types {
                        match EventType::from_name(t).index() {
                            Some(k) => {
                                if let Some(slot) = idx.known.get_mut(k) {
                                    slot.push(i);
                                }
                            }
                            None => {
                                let any = idx.any.clone();
                                idx.named.entry(t.clone()).or_insert(any).push(i);
                            }
                        }
                    }
                }
            }
        }
        // Per rule, the values of its source's index field it requires (see
        // [`compile::gate`]), and for system call rules the file name prefixes (see
        // [`compile::path_prefixes`]).
        self.gate_fields.clear();
        let mut gates = Vec::with_capacity(self.rules.len());
        for r in &self.rules {
            let gate = gate_field(r.source).and_then(|f| {
                let (values, slot) = compile::gate(&r.matcher, &f)?;
                if !self.gate_fields.iter().any(|g| g.0 == r.source) {
                    self.gate_fields.push((r.source, f, slot));
                }
                Some(values)
            });
            gates.push(gate);
        }
        let paths: Vec<Option<Vec<String>>> = self
            .rules
            .iter()
            .map(|r| {
                (r.source == Source::Syscall)
                    .then(|| compile::path_prefixes(&r.matcher))
                    .flatten()
            })
            .collect();
        let (paths, gates) = (&paths, &gates);
        // A handful of sources: a vector scan beats hashing the key per event.
        self.index = index
            .into_iter()
            .map(|(src, idx)| {
                let slots = Slots {
                    any: Slot::new(&idx.any, gates, paths),
                    known: idx
                        .known
                        .iter()
                        .map(|ids| Slot::new(ids, gates, paths))
                        .collect(),
                    named: idx
                        .named
                        .iter()
                        .map(|(k, ids)| (k.clone(), Slot::new(ids, gates, paths)))
                        .collect(),
                };
                (src, slots)
            })
            .collect();
    }

    /// Chooses whether all matching rules alert or only the first (default).
    pub fn set_match_mode(&mut self, mode: MatchMode) {
        self.mode = mode;
    }

    /// Ignores rules less severe than `p` (Falco's `priority` option).
    pub fn set_min_priority(&mut self, p: Priority) {
        self.min_priority = p;
        self.reindex();
    }

    /// Sets the hostname alerts carry.
    pub fn set_hostname(&mut self, hostname: impl Into<String>) {
        self.hostname = Arc::from(hostname.into());
    }

    /// Enables or disables rules by name; returns how many rules changed.
    pub fn set_enabled(&mut self, name: &str, enabled: bool) -> usize {
        let mut n = 0;
        for r in &mut self.rules {
            if &*r.name == name && r.enabled != enabled {
                r.enabled = enabled;
                n += 1;
            }
        }
        self.reindex();
        n
    }

    /// Number of compiled rules (enabled or not).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when no rule compiled.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Names of the compiled rules, in load order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| &*r.name)
    }

    /// The event types the enabled rules of `source` can match, for filtering at the
    /// event source; `None` when some rule matches any type.
    pub fn event_types(&self, source: Source) -> Option<std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeSet::new();
        for r in self
            .rules
            .iter()
            .filter(|r| r.enabled && r.source == source)
        {
            if r.priority > self.min_priority {
                continue;
            }
            out.extend(r.types.as_ref()?.iter().cloned());
        }
        Some(out)
    }

    /// Matches `ev` against the rules of its source and event type, appending alerts.
    pub fn matches(&self, ev: &Event, out: &mut Vec<Alert>) {
        self.matches_inner(ev, out, None);
    }

    /// Like [`Ruleset::matches`], and adds each evaluated rule's cost to `costs` (indexed
    /// like [`Ruleset::rule_names`]; grown as needed). Costs one clock read per rule.
    pub fn matches_profiled(&self, ev: &Event, out: &mut Vec<Alert>, costs: &mut Vec<RuleCost>) {
        if costs.len() < self.rules.len() {
            costs.resize(self.rules.len(), RuleCost::default());
        }
        self.matches_inner(ev, out, Some(costs));
    }

    /// The enabled rules of `ev`'s source and type that match it, in load order, without
    /// building alerts.
    pub fn matching_rules(&self, ev: &Event) -> Vec<&str> {
        let mut out = Vec::new();
        self.with_candidates(ev, |i, r, cx| {
            if r.matcher.eval_ctx(cx) {
                out.push(&*self.rules[i].name);
            }
            true
        });
        out
    }

    /// Like [`Ruleset::matching_rules`], but the slow way: every enabled rule of the
    /// source (no event-type index), each condition evaluated through generic field
    /// extraction only. The reference the compiled matchers are tested against.
    pub fn matching_rules_reference(&self, ev: &Event) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| r.enabled && r.priority <= self.min_priority && r.source == ev.source)
            .filter(|r| r.matcher.eval_reference(ev))
            .map(|r| &*r.name)
            .collect()
    }

    /// Calls `f` with each candidate rule of `ev` (by source and event type) and one
    /// evaluation context for the event; stops when `f` returns false.
    fn with_candidates(
        &self,
        ev: &Event,
        mut f: impl FnMut(usize, &loader::CompiledRule, &fast::Ctx<'_>) -> bool,
    ) {
        thread_local! {
            static BUFFERS: std::cell::Cell<fast::Buffers> =
                std::cell::Cell::new(fast::Buffers::default());
            static PATHS: std::cell::Cell<Vec<u32>> = const { std::cell::Cell::new(Vec::new()) };
        }
        prefetch_event(ev);
        let Some((_, idx)) = self.index.iter().find(|(s, _)| *s == ev.source) else {
            return;
        };
        let slot: &Slot = match ev.evt_type.index() {
            Some(k) => match idx.known.get(k) {
                Some(s) => s,
                None => return,
            },
            None => match &ev.evt_type {
                EventType::Other(name) => idx.named.get(name.as_ref()).unwrap_or(&idx.any),
                _ => &idx.any,
            },
        };
        if slot.is_empty() {
            return;
        }
        let cx = fast::Ctx::with_buffers(ev, BUFFERS.with(std::cell::Cell::take), self.memo_slots)
            .with_field_slots(self.field_slots);
        // The rules gated by the event's value of the index field; every rule when that
        // value is not text (a list, a number read as one).
        let mut all = false;
        let gated: &[u32] = if slot.by_name.is_empty() {
            &[]
        } else if ev.source == Source::Syscall {
            slot.by_name
                .get(ev.proc.name.as_str())
                .map_or(&[], Vec::as_slice)
        } else if let Some((_, field, field_slot)) =
            self.gate_fields.iter().find(|g| g.0 == ev.source)
        {
            let fresh;
            let v = match cx.field_cell(*field_slot) {
                Some(cell) => cell.get_or_init(|| field.extract(cx.ev)).as_ref(),
                None => {
                    fresh = field.extract(ev);
                    fresh.as_ref()
                }
            };
            match v {
                None => &[],
                Some(FieldValue::Str(s)) => slot.by_name.get(s.as_ref()).map_or(&[], Vec::as_slice),
                Some(_) => {
                    all = true;
                    &[]
                }
            }
        } else {
            &[]
        };
        let ungated = if all {
            slot.all.as_slice()
        } else {
            slot.ungated.as_slice()
        };
        // The rules gated by a prefix of the event's file name (none without one).
        let mut by_path = PATHS.with(std::cell::Cell::take);
        by_path.clear();
        if !all
            && !slot.by_path.is_empty()
            && ev.source == Source::Syscall
            && let Some(fd) = &ev.fd
        {
            slot.by_path.collect(&fd.name, &mut by_path);
        }
        // The three lists (each rule is in one) in load order: merge them.
        let lists = [ungated, gated, by_path.as_slice()];
        let mut at = [0usize; 3];
        loop {
            let mut pick = None;
            for (k, list) in lists.iter().enumerate() {
                if let Some(&x) = list.get(at[k])
                    && pick.is_none_or(|(_, y)| x < y)
                {
                    pick = Some((k, x));
                }
            }
            let Some((k, i)) = pick else {
                break;
            };
            at[k] += 1;
            let Some(r) = self.rules.get(i as usize) else {
                continue;
            };
            if !f(i as usize, r, &cx) {
                break;
            }
        }
        PATHS.with(|p| p.set(by_path));
        BUFFERS.with(|b| b.set(cx.into_buffers()));
    }

    fn matches_inner(
        &self,
        ev: &Event,
        out: &mut Vec<Alert>,
        mut costs: Option<&mut Vec<RuleCost>>,
    ) {
        // The event's time as alerts carry it, formatted once for all its alerts.
        let mut time = None;
        self.with_candidates(ev, |i, r, cx| {
            let hit = match costs.as_deref_mut() {
                None => r.matcher.eval_ctx(cx),
                Some(costs) => {
                    let t = std::time::Instant::now();
                    let hit = r.matcher.eval_ctx(cx);
                    if let Some(c) = costs.get_mut(i) {
                        c.add(t.elapsed(), hit);
                    }
                    hit
                }
            };
            if hit {
                out.push(self.alert(r, ev, Some(cx), &mut time));
                if self.mode == MatchMode::First {
                    return false;
                }
            }
            true
        });
    }

    /// The alert of rule `r` for `ev`; `time` caches the event's formatted time.
    fn alert(
        &self,
        r: &loader::CompiledRule,
        ev: &Event,
        cx: Option<&fast::Ctx<'_>>,
        time: &mut Option<String>,
    ) -> Alert {
        let mut output_fields = OutputFields::new();
        let time = time
            .get_or_insert_with(|| extract::format_time(ev.time))
            .clone();
        // The time prefix, the priority, then the template.
        let mut output = String::with_capacity(48 + r.output.size_hint.max(208));
        output.push_str(time.trim_end_matches('Z'));
        output.push_str("+0000: ");
        output.push_str(r.priority.as_str());
        output.push(' ');
        r.output
            .render_cached(ev, cx, &mut output_fields, &mut output);
        Alert {
            output,
            time,
            rule: Arc::clone(&r.name),
            priority: Cow::Borrowed(r.priority.as_str()),
            output_fields,
            source: Cow::Borrowed(ev.source.as_str()),
            tags: Arc::clone(&r.tags),
            hostname: Arc::clone(&self.hostname),
        }
    }
}

/// Asks the CPU for every cache line of `ev` at once. Rules read fields all over the
/// 900-byte event (source, type, process, file); for an event that is not in the cache
/// (matched well after it was built) those loads each waited for memory in turn, and
/// issued together they overlap. For an event just built, it costs a few cycles.
fn prefetch_event(ev: &Event) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let base = (ev as *const Event).cast::<i8>();
        for off in (0..std::mem::size_of::<Event>()).step_by(64) {
            // SAFETY: a prefetch is a hint that never faults, whatever the address; these
            // are inside `ev` anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(off)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = ev;
}
