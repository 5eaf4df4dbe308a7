//! Sigma rules: parse SigmaHQ-style YAML, compile it to a [`SigmaRuleset`], and match any
//! [`FieldSource`] against the rules of its log source.
//!
//! This module owns the Sigma rule format (metadata, `logsource`, `detection` with every
//! value modifier of the specification but `expand` and the time modifiers, the condition
//! grammar), the field mapping from Sigma's taxonomy to event field names
//! ([`FieldMapping`]) and [`JsonDoc`], which reads JSON records (CloudTrail, Kubernetes
//! audit, EVTX-as-JSON) by dotted path. Building events from logs and turning matches into
//! alerts are left to the rest of the crate.
//!
//! Loading never drops a rule silently: every rule gets a [`SigmaRuleStatus`], `Ok`,
//! `Unsupported` (with reasons, such as correlation rules or unknown modifiers) or `Error`
//! (file, line, reason).
//!
//! ```
//! use rampart_detect::sigma::{load_sigma, JsonDoc, LogSource};
//! let rule = "title: Root login\nid: r1\nlevel: high\nlogsource:\n  product: aws\n  service: cloudtrail\n\
//! detection:\n  sel:\n    userIdentity.type: Root\n    eventName|startswith: Console\n  condition: sel\n";
//! let (rules, status) = load_sigma(&[("root.yml", rule)]);
//! assert!(status[0].is_ok());
//! let record = serde_json::json!({"userIdentity": {"type": "Root"}, "eventName": "ConsoleLogin"});
//! let mut out = Vec::new();
//! rules.matches(LogSource::AWS_CLOUDTRAIL, &JsonDoc(&record), &mut out);
//! assert_eq!(out[0].title, "Root login");
//! ```

mod condition;
mod json;
mod mapping;
mod matcher;
mod yaml;

pub use json::{JsonDoc, KEYWORDS_FIELD};
pub use mapping::{FieldMapping, LogSource, SourceMapping};

use crate::fields::FieldSource;
use condition::{Cond, CondError};
use matcher::{Check, Ctx, ItemError, Matcher, Mods};
use rampart_core::{Diagnostic, RuleMeta, Severity};
use std::collections::HashMap;
use std::fmt;
use yaml::{Node, Scalar, Value};

/// Errors of the Sigma module, each naming the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigmaError {
    /// A field-mapping file is invalid.
    #[error("{path}: line {line}: {reason}")]
    Mapping {
        /// The mapping file.
        path: String,
        /// 1-based line.
        line: u32,
        /// What is wrong.
        reason: String,
    },
    /// A rule is invalid.
    #[error("{path}: line {line}: {reason}")]
    Rule {
        /// The rule file.
        path: String,
        /// 1-based line.
        line: u32,
        /// What is wrong.
        reason: String,
    },
}

/// What became of one rule (or one document of a rule file) when loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigmaRuleStatus {
    /// Compiled; it is in the ruleset.
    Ok {
        /// The rule file.
        path: String,
        /// The rule's `id`.
        id: Option<String>,
        /// The rule's `title`.
        title: String,
    },
    /// Valid Sigma that rampart does not evaluate; not in the ruleset.
    Unsupported {
        /// The rule file.
        path: String,
        /// The rule's `id`.
        id: Option<String>,
        /// The rule's `title` (empty when it has none).
        title: String,
        /// Why, one reason per construct.
        reasons: Vec<String>,
    },
    /// Invalid; not in the ruleset.
    Error {
        /// The rule file.
        path: String,
        /// 1-based line of the problem, when known.
        line: Option<u32>,
        /// What is wrong.
        reason: String,
    },
}

impl SigmaRuleStatus {
    /// True when the rule compiled.
    pub fn is_ok(&self) -> bool {
        matches!(self, SigmaRuleStatus::Ok { .. })
    }

    /// The rule file.
    pub fn path(&self) -> &str {
        match self {
            SigmaRuleStatus::Ok { path, .. }
            | SigmaRuleStatus::Unsupported { path, .. }
            | SigmaRuleStatus::Error { path, .. } => path,
        }
    }

    /// A warning for rules that were not loaded; `None` for loaded ones.
    pub fn to_diagnostic(&self) -> Option<Diagnostic> {
        match self {
            SigmaRuleStatus::Ok { .. } => None,
            SigmaRuleStatus::Unsupported {
                path,
                title,
                reasons,
                ..
            } => Some(Diagnostic::warning(
                path.clone(),
                format!("Sigma rule {title:?} unsupported: {}", reasons.join("; ")),
            )),
            SigmaRuleStatus::Error { path, line, reason } => {
                let d = Diagnostic::warning(path.clone(), reason.clone());
                Some(match line {
                    Some(l) => d.at_line(*l),
                    None => d,
                })
            }
        }
    }
}

impl fmt::Display for SigmaRuleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigmaRuleStatus::Ok { path, title, .. } => write!(f, "{path}: ok: {title}"),
            SigmaRuleStatus::Unsupported {
                path,
                title,
                reasons,
                ..
            } => write!(f, "{path}: unsupported: {title}: {}", reasons.join("; ")),
            SigmaRuleStatus::Error {
                path,
                line: Some(l),
                reason,
            } => write!(f, "{path}: line {l}: {reason}"),
            SigmaRuleStatus::Error { path, reason, .. } => write!(f, "{path}: {reason}"),
        }
    }
}

/// The metadata of a loaded Sigma rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigmaRule {
    /// The file it came from.
    pub path: String,
    /// `title`.
    pub title: String,
    /// `id`.
    pub id: Option<String>,
    /// `status` (`stable`, `test`, `experimental`...).
    pub status: Option<String>,
    /// `level` as written (`informational`, `low`, `medium`, `high`, `critical`).
    pub level: Option<String>,
    /// `level` on rampart's scale (`informational` is `Low`).
    pub severity: Severity,
    /// `description`.
    pub description: Option<String>,
    /// `logsource.product`.
    pub product: Option<String>,
    /// `logsource.category`.
    pub category: Option<String>,
    /// `logsource.service`.
    pub service: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `falsepositives`.
    pub falsepositives: Vec<String>,
    /// `fields` (fields worth showing with an alert).
    pub fields: Vec<String>,
    /// `references`.
    pub references: Vec<String>,
}

impl SigmaRule {
    /// The rule's log source.
    pub fn logsource(&self) -> LogSource<'_> {
        LogSource::new(
            self.product.as_deref(),
            self.category.as_deref(),
            self.service.as_deref(),
        )
    }

    /// rampart's common rule metadata; the id is `sigma-<id>` (or `sigma-<title>`).
    pub fn to_rule_meta(&self) -> RuleMeta {
        RuleMeta {
            id: format!("sigma-{}", self.id.as_deref().unwrap_or(&self.title)),
            title: self.title.clone(),
            severity: self.severity,
            description: self.description.clone().unwrap_or_default(),
            remediation: String::new(),
            frameworks: self.tags.clone(),
            references: self.references.clone(),
        }
    }
}

/// One rule that matched an event; borrows from the ruleset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SigmaMatch<'r> {
    /// Index of the rule in [`SigmaRuleset::rules`].
    pub index: usize,
    /// `title`.
    pub title: &'r str,
    /// `id`.
    pub id: Option<&'r str>,
    /// `level` as written.
    pub level: Option<&'r str>,
    /// `level` on rampart's scale.
    pub severity: Severity,
    /// `tags`.
    pub tags: &'r [String],
}

struct Compiled {
    /// OR of AND groups, per selection.
    selections: Vec<Vec<Vec<Matcher>>>,
    cond: Cond,
}

/// The rules of one log source. Rules that can only match when some field equals one of a
/// few literals (CloudTrail's `eventName`, audit's `verb`) are indexed by those literals;
/// the rest are always evaluated.
struct Group {
    product: Option<String>,
    category: Option<String>,
    service: Option<String>,
    rules: Vec<usize>,
    always: Vec<usize>,
    /// (slot, lowercased literal → rules).
    index: Vec<(usize, LiteralMap)>,
}

/// Lowercased literal → rules (keys come from rules; lookups only probe).
type LiteralMap = HashMap<String, Vec<usize>, crate::strhash::StrHashBuilder>;

/// Compiled Sigma rules, grouped by log source.
pub struct SigmaRuleset {
    meta: Vec<SigmaRule>,
    compiled: Vec<Compiled>,
    groups: Vec<Group>,
    /// Field slots: the event names each slot tries, in order.
    slots: Vec<Vec<String>>,
}

impl fmt::Debug for SigmaRuleset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigmaRuleset")
            .field("rules", &self.meta.len())
            .field("sources", &self.groups.len())
            .field("fields", &self.slots.len())
            .finish()
    }
}

/// Loads Sigma rule files (`(path, text)` pairs) with the default field mapping.
pub fn load_sigma(files: &[(&str, &str)]) -> (SigmaRuleset, Vec<SigmaRuleStatus>) {
    load_sigma_with(files, &FieldMapping::default())
}

/// Loads Sigma rule files with an explicit field mapping.
pub fn load_sigma_with(
    files: &[(&str, &str)],
    mapping: &FieldMapping,
) -> (SigmaRuleset, Vec<SigmaRuleStatus>) {
    let mut b = Builder {
        mapping,
        slots: Vec::new(),
        slot_index: HashMap::new(),
        meta: Vec::new(),
        compiled: Vec::new(),
    };
    let mut status = Vec::new();
    for (path, text) in files {
        load_file(&mut b, path, text, &mut status);
    }
    let mut groups: Vec<Group> = Vec::new();
    for (i, m) in b.meta.iter().enumerate() {
        let lower = |s: &Option<String>| s.as_ref().map(|s| s.to_ascii_lowercase());
        let (p, c, s) = (lower(&m.product), lower(&m.category), lower(&m.service));
        match groups
            .iter_mut()
            .find(|g| g.product == p && g.category == c && g.service == s)
        {
            Some(g) => g.rules.push(i),
            None => groups.push(Group {
                product: p,
                category: c,
                service: s,
                rules: vec![i],
                always: Vec::new(),
                index: Vec::new(),
            }),
        }
    }
    for g in &mut groups {
        build_index(g, &b.compiled);
    }
    (
        SigmaRuleset {
            meta: b.meta,
            compiled: b.compiled,
            groups,
            slots: b.slots,
        },
        status,
    )
}

impl SigmaRuleset {
    /// The loaded rules, in load order.
    pub fn rules(&self) -> &[SigmaRule] {
        &self.meta
    }

    /// Number of loaded rules.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// True when no rule loaded.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Appends to `out` every rule of a log source covering `source` that matches `ev`.
    pub fn matches<'r>(
        &'r self,
        source: LogSource<'_>,
        ev: &dyn FieldSource,
        out: &mut Vec<SigmaMatch<'r>>,
    ) {
        self.matches_inner(source, ev, out, None);
    }

    /// Like [`SigmaRuleset::matches`], and adds each evaluated rule's cost to `costs`
    /// (indexed like [`SigmaRuleset::rules`]; grown as needed).
    pub fn matches_profiled<'r>(
        &'r self,
        source: LogSource<'_>,
        ev: &dyn FieldSource,
        out: &mut Vec<SigmaMatch<'r>>,
        costs: &mut Vec<crate::falco::RuleCost>,
    ) {
        if costs.len() < self.meta.len() {
            costs.resize(self.meta.len(), crate::falco::RuleCost::default());
        }
        self.matches_inner(source, ev, out, Some(costs));
    }

    fn eval_costed(
        &self,
        i: usize,
        ctx: &mut Ctx<'_>,
        costs: &mut Option<&mut Vec<crate::falco::RuleCost>>,
    ) -> bool {
        match costs.as_deref_mut() {
            None => self.eval_rule(i, ctx),
            Some(costs) => {
                let t = std::time::Instant::now();
                let hit = self.eval_rule(i, ctx);
                if let Some(c) = costs.get_mut(i) {
                    c.add(t.elapsed(), hit);
                }
                hit
            }
        }
    }

    fn matches_inner<'r>(
        &'r self,
        source: LogSource<'_>,
        ev: &dyn FieldSource,
        out: &mut Vec<SigmaMatch<'r>>,
        mut costs: Option<&mut Vec<crate::falco::RuleCost>>,
    ) {
        let mut ctx = Ctx::new(ev);
        let mut candidates = Vec::new();
        for g in &self.groups {
            let spec = LogSource::new(
                g.product.as_deref(),
                g.category.as_deref(),
                g.service.as_deref(),
            );
            if !mapping::covers(&spec, &source) {
                continue;
            }
            if g.index.is_empty() {
                for &i in &g.always {
                    if self.eval_costed(i, &mut ctx, &mut costs) {
                        out.push(self.hit(i));
                    }
                }
                continue;
            }
            candidates.clear();
            candidates.extend_from_slice(&g.always);
            for (slot, map) in &g.index {
                for v in ctx.lowered(*slot, &self.slots) {
                    if let Some(rules) = map.get(v) {
                        candidates.extend_from_slice(rules);
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            for &i in &candidates {
                if self.eval_costed(i, &mut ctx, &mut costs) {
                    out.push(self.hit(i));
                }
            }
        }
    }

    /// Whether rule `index` matches `ev`, whatever its log source.
    pub fn matches_rule(&self, index: usize, ev: &dyn FieldSource) -> bool {
        let mut ctx = Ctx::new(ev);
        self.eval_rule(index, &mut ctx)
    }

    fn hit(&self, i: usize) -> SigmaMatch<'_> {
        let m = &self.meta[i];
        SigmaMatch {
            index: i,
            title: &m.title,
            id: m.id.as_deref(),
            level: m.level.as_deref(),
            severity: m.severity,
            tags: &m.tags,
        }
    }

    fn eval_rule(&self, i: usize, ctx: &mut Ctx<'_>) -> bool {
        match self.compiled.get(i) {
            Some(c) => self.eval_cond(c, &c.cond, ctx),
            None => false,
        }
    }

    fn eval_cond(&self, c: &Compiled, cond: &Cond, ctx: &mut Ctx<'_>) -> bool {
        match cond {
            Cond::Sel(s) => c.selections.get(*s).is_some_and(|groups| {
                groups
                    .iter()
                    .any(|and| and.iter().all(|m| m.eval(ctx, &self.slots)))
            }),
            Cond::And(items) => items.iter().all(|x| self.eval_cond(c, x, ctx)),
            Cond::Or(items) => items.iter().any(|x| self.eval_cond(c, x, ctx)),
            Cond::Not(x) => !self.eval_cond(c, x, ctx),
        }
    }
}

/// A field slot and the lowercased literals it must equal one of.
type Literals<'c> = (usize, Vec<&'c str>);

/// Necessary conditions of `cond`: (slot, literals) pairs such that the condition can only
/// hold when the slot's value is one of the literals.
fn necessary<'c>(c: &'c Compiled, cond: &Cond) -> Vec<Literals<'c>> {
    match cond {
        Cond::Sel(s) => {
            let Some(groups) = c.selections.get(*s) else {
                return Vec::new();
            };
            let mut acc: Option<Vec<Literals<'_>>> = None;
            for and in groups {
                let mut mine: Vec<Literals<'_>> = Vec::new();
                for m in and {
                    if let Some((slot, vals)) = m.exact_values()
                        && !mine.iter().any(|(s, _)| *s == slot)
                    {
                        mine.push((slot, vals));
                    }
                }
                acc = Some(match acc {
                    None => mine,
                    Some(prev) => union_common(prev, mine),
                });
            }
            acc.unwrap_or_default()
        }
        Cond::And(items) => items.iter().flat_map(|x| necessary(c, x)).collect(),
        Cond::Or(items) => {
            let mut acc: Option<Vec<Literals<'_>>> = None;
            for x in items {
                let mine = necessary(c, x);
                acc = Some(match acc {
                    None => mine,
                    Some(prev) => union_common(prev, mine),
                });
            }
            acc.unwrap_or_default()
        }
        Cond::Not(_) => Vec::new(),
    }
}

/// For slots constrained on both sides of an OR, the union of their literals.
fn union_common<'c>(a: Vec<Literals<'c>>, b: Vec<Literals<'c>>) -> Vec<Literals<'c>> {
    a.into_iter()
        .filter_map(|(slot, mut vals)| {
            let (_, other) = b.iter().find(|(s, _)| *s == slot)?;
            vals.extend(other.iter().copied());
            Some((slot, vals))
        })
        .collect()
}

fn build_index(g: &mut Group, compiled: &[Compiled]) {
    let options: Vec<(usize, Vec<Literals<'_>>)> = g
        .rules
        .iter()
        .map(|&i| {
            let opts = compiled
                .get(i)
                .map(|c| necessary(c, &c.cond))
                .unwrap_or_default();
            (i, opts)
        })
        .collect();
    // Prefer the slot with the most distinct literals in the group: the most selective.
    let mut distinct: HashMap<usize, std::collections::HashSet<&str>> = HashMap::new();
    for (_, opts) in &options {
        for (slot, vals) in opts {
            distinct
                .entry(*slot)
                .or_default()
                .extend(vals.iter().copied());
        }
    }
    for (i, opts) in options {
        let best = opts.into_iter().max_by_key(|(slot, vals)| {
            (
                distinct.get(slot).map_or(0, |d| d.len()),
                usize::MAX - vals.len(),
            )
        });
        match best {
            None => g.always.push(i),
            Some((slot, vals)) => {
                let pos = match g.index.iter().position(|(s, _)| *s == slot) {
                    Some(p) => p,
                    None => {
                        g.index.push((slot, LiteralMap::default()));
                        g.index.len() - 1
                    }
                };
                if let Some((_, map)) = g.index.get_mut(pos) {
                    for v in vals {
                        let rules = map.entry(v.to_string()).or_default();
                        if !rules.contains(&i) {
                            rules.push(i);
                        }
                    }
                }
            }
        }
    }
}

struct Builder<'m> {
    mapping: &'m FieldMapping,
    slots: Vec<Vec<String>>,
    slot_index: HashMap<Vec<String>, usize>,
    meta: Vec<SigmaRule>,
    compiled: Vec<Compiled>,
}

impl Builder<'_> {
    fn slot(&mut self, names: Vec<String>) -> usize {
        if let Some(&i) = self.slot_index.get(&names) {
            return i;
        }
        self.slots.push(names.clone());
        self.slot_index.insert(names, self.slots.len() - 1);
        self.slots.len() - 1
    }
}

fn load_file(b: &mut Builder<'_>, path: &str, text: &str, status: &mut Vec<SigmaRuleStatus>) {
    let docs = match yaml::load(text) {
        Ok(d) => d,
        Err(e) => {
            status.push(SigmaRuleStatus::Error {
                path: path.to_string(),
                line: Some(e.line),
                reason: format!("invalid YAML: {}", e.reason),
            });
            return;
        }
    };
    if docs.is_empty() {
        status.push(SigmaRuleStatus::Error {
            path: path.to_string(),
            line: None,
            reason: "no YAML document".to_string(),
        });
        return;
    }
    if let Some(action) = docs.iter().find_map(|d| d.get("action")) {
        status.push(SigmaRuleStatus::Unsupported {
            path: path.to_string(),
            id: None,
            title: docs
                .iter()
                .find_map(|d| d.get("title").and_then(Node::as_str))
                .unwrap_or_default()
                .to_string(),
            reasons: vec![format!(
                "rule collection (`action: {}`, line {})",
                action.as_str().unwrap_or("?"),
                action.line
            )],
        });
        return;
    }
    for doc in &docs {
        status.push(load_rule(b, path, doc));
    }
}

enum Problem {
    Invalid(u32, String),
    Unsupported(String),
}

fn load_rule(b: &mut Builder<'_>, path: &str, doc: &Node) -> SigmaRuleStatus {
    let error = |line: u32, reason: String| SigmaRuleStatus::Error {
        path: path.to_string(),
        line: Some(line),
        reason,
    };
    if !matches!(doc.value, Value::Map(_)) {
        return error(doc.line, "a rule must be a YAML mapping".to_string());
    }
    let text = |key: &str| doc.get(key).and_then(Node::as_str).map(str::to_string);
    let list = |key: &str| doc.get(key).map(Node::strings).unwrap_or_default();
    let Some(title) = text("title") else {
        return error(doc.line, "rule has no `title`".to_string());
    };
    let id = text("id");
    let unsupported = |reasons: Vec<String>| SigmaRuleStatus::Unsupported {
        path: path.to_string(),
        id: id.clone(),
        title: title.clone(),
        reasons,
    };
    if doc.get("correlation").is_some() {
        return unsupported(vec!["correlation rule".to_string()]);
    }
    if doc.get("filter").is_some() && doc.get("detection").is_none() {
        return unsupported(vec!["filter rule".to_string()]);
    }
    let logsource = doc.get("logsource");
    let ls = |key: &str| {
        logsource
            .and_then(|l| l.get(key))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let level = text("level");
    let severity = level
        .as_deref()
        .and_then(|l| l.parse::<Severity>().ok())
        .unwrap_or_default();
    let meta = SigmaRule {
        path: path.to_string(),
        title: title.clone(),
        id: id.clone(),
        status: text("status"),
        level,
        severity,
        description: text("description"),
        product: ls("product"),
        category: ls("category"),
        service: ls("service"),
        tags: list("tags"),
        falsepositives: list("falsepositives"),
        fields: list("fields"),
        references: list("references"),
    };
    let Some(detection) = doc.get("detection") else {
        return error(doc.line, "rule has no `detection`".to_string());
    };
    match compile_detection(b, &meta, detection) {
        Ok(compiled) => {
            b.meta.push(meta);
            b.compiled.push(compiled);
            SigmaRuleStatus::Ok {
                path: path.to_string(),
                id,
                title,
            }
        }
        Err(problems) => {
            if let Some((line, reason)) = problems.iter().find_map(|p| match p {
                Problem::Invalid(l, r) => Some((*l, r.clone())),
                Problem::Unsupported(_) => None,
            }) {
                return error(line, reason);
            }
            unsupported(
                problems
                    .into_iter()
                    .filter_map(|p| match p {
                        Problem::Unsupported(r) => Some(r),
                        Problem::Invalid(..) => None,
                    })
                    .collect(),
            )
        }
    }
}

fn compile_detection(
    b: &mut Builder<'_>,
    meta: &SigmaRule,
    detection: &Node,
) -> Result<Compiled, Vec<Problem>> {
    let Value::Map(entries) = &detection.value else {
        return Err(vec![Problem::Invalid(
            detection.line,
            "`detection` must be a mapping".to_string(),
        )]);
    };
    let mut problems = Vec::new();
    let mut names = Vec::new();
    let mut selections = Vec::new();
    let mut condition = None;
    for (k, v) in entries {
        let Some(name) = k.as_str() else {
            problems.push(Problem::Invalid(
                k.line,
                "selection names must be strings".into(),
            ));
            continue;
        };
        match name {
            "condition" => condition = Some(v),
            "timeframe" => problems.push(Problem::Unsupported(
                "`timeframe` (aggregation over time)".to_string(),
            )),
            _ => {
                names.push(name.to_string());
                match compile_selection(b, meta, v) {
                    Ok(s) => selections.push(s),
                    Err(mut p) => {
                        problems.append(&mut p);
                        selections.push(Vec::new());
                    }
                }
            }
        }
    }
    let Some(condition) = condition else {
        problems.push(Problem::Invalid(
            detection.line,
            "`detection` has no `condition`".to_string(),
        ));
        return Err(problems);
    };
    let texts: Vec<String> = match &condition.value {
        Value::Scalar(s, _) => vec![s.clone()],
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect(),
        Value::Map(_) => Vec::new(),
    };
    if texts.is_empty() {
        problems.push(Problem::Invalid(
            condition.line,
            "`condition` must be a string or a list of strings".to_string(),
        ));
        return Err(problems);
    }
    let mut conds = Vec::new();
    for t in &texts {
        match condition::parse(t, &names) {
            Ok(c) => conds.push(c),
            Err(CondError::Syntax(r)) => problems.push(Problem::Invalid(condition.line, r)),
            Err(CondError::Unsupported(r)) => problems.push(Problem::Unsupported(r)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let cond = if conds.len() == 1 {
        conds.pop().unwrap_or(Cond::Or(Vec::new()))
    } else {
        Cond::Or(conds)
    };
    Ok(Compiled { selections, cond })
}

/// A selection: a map (AND of items), a list of maps (OR), or a list of keywords.
fn compile_selection(
    b: &mut Builder<'_>,
    meta: &SigmaRule,
    node: &Node,
) -> Result<Vec<Vec<Matcher>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut groups = Vec::new();
    match &node.value {
        Value::Map(_) => match compile_map(b, meta, node) {
            Ok(g) => groups.push(g),
            Err(mut p) => problems.append(&mut p),
        },
        Value::Seq(items) => {
            let mut keywords = Vec::new();
            for item in items {
                match &item.value {
                    Value::Map(_) => match compile_map(b, meta, item) {
                        Ok(g) => groups.push(g),
                        Err(mut p) => problems.append(&mut p),
                    },
                    Value::Scalar(..) => keywords.push(item.clone()),
                    Value::Seq(_) => problems.push(Problem::Invalid(
                        item.line,
                        "a selection list holds maps or values, not lists".to_string(),
                    )),
                }
            }
            if !keywords.is_empty() {
                let list = Node {
                    line: node.line,
                    value: Value::Seq(keywords),
                };
                match compile_item(b, meta, None, &[], &list) {
                    Ok(m) => groups.push(vec![m]),
                    Err(p) => problems.push(p),
                }
            }
        }
        Value::Scalar(..) => match compile_item(b, meta, None, &[], node) {
            Ok(m) => groups.push(vec![m]),
            Err(p) => problems.push(p),
        },
    }
    if problems.is_empty() {
        Ok(groups)
    } else {
        Err(problems)
    }
}

fn compile_map(
    b: &mut Builder<'_>,
    meta: &SigmaRule,
    node: &Node,
) -> Result<Vec<Matcher>, Vec<Problem>> {
    let Value::Map(entries) = &node.value else {
        return Err(vec![Problem::Invalid(
            node.line,
            "expected a mapping".into(),
        )]);
    };
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let Some(key) = k.as_str() else {
            problems.push(Problem::Invalid(
                k.line,
                "field names must be strings".into(),
            ));
            continue;
        };
        let mut parts = key.split('|');
        let field = parts.next().unwrap_or_default();
        let mods: Vec<&str> = parts.collect();
        let field = (!field.is_empty()).then_some(field);
        match compile_item(b, meta, field, &mods, v) {
            Ok(m) => out.push(m),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// One `field|mods: values` item; `field` is `None` for keyword searches.
fn compile_item(
    b: &mut Builder<'_>,
    meta: &SigmaRule,
    field: Option<&str>,
    mods: &[&str],
    values: &Node,
) -> Result<Matcher, Problem> {
    let invalid = |r: String| {
        Problem::Invalid(
            values.line,
            match field {
                Some(f) => format!("field `{f}`: {r}"),
                None => format!("keywords: {r}"),
            },
        )
    };
    // Keywords are substring searches unless a position is given.
    let mut mod_list: Vec<&str> = mods.to_vec();
    if field.is_none()
        && !mods
            .iter()
            .any(|m| matches!(*m, "contains" | "startswith" | "endswith" | "re" | "cidr"))
    {
        mod_list.push("contains");
    }
    let to_problem = |e: ItemError| match e {
        ItemError::Invalid(r) => invalid(r),
        ItemError::Unsupported(r) => Problem::Unsupported(r),
    };
    let parsed = Mods::parse(&mod_list).map_err(to_problem)?;
    let scalars: Vec<Scalar<'_>> = match &values.value {
        Value::Scalar(..) => values.scalar().into_iter().collect(),
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                match i.scalar() {
                    Some(s) => out.push(s),
                    None => return Err(invalid("values must be scalars".to_string())),
                }
            }
            out
        }
        Value::Map(_) => return Err(invalid("values must be scalars, not a mapping".into())),
    };
    let logsource = meta.logsource();
    let mapping = b.mapping;
    let slot_names = match field {
        Some(f) => mapping.resolve(&logsource, f),
        None => mapping.keywords(&logsource),
    };
    let slot = b.slot(slot_names);
    let mut resolve = |name: &str| b.slot(mapping.resolve(&logsource, name));
    let check: Check =
        matcher::compile_check(&parsed, &scalars, &mut resolve).map_err(to_problem)?;
    Ok(Matcher::new(slot, check, parsed.neq()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doc_example_and_status() {
        let rule = "title: t\nlogsource:\n  product: aws\ndetection:\n  sel:\n    a: 1\n  condition: sel\n";
        let (rs, st) = load_sigma(&[("x.yml", rule)]);
        assert!(st[0].is_ok(), "{}", st[0]);
        let ev = json!({"a": 1});
        let mut out = Vec::new();
        rs.matches(LogSource::AWS_CLOUDTRAIL, &JsonDoc(&ev), &mut out);
        assert_eq!(out.len(), 1);
        out.clear();
        rs.matches(LogSource::KUBERNETES_AUDIT, &JsonDoc(&ev), &mut out);
        assert!(out.is_empty());
    }
}
