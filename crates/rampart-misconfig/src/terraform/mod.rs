//! Terraform: the HCL files of one directory (one module) parsed together (so `var.x` defaults
//! and `local.y` from any of its files resolve), then AWS, GCP and Azure checks over every
//! `resource` and `data` block. `count` and `for_each` on a resource, a module call or a
//! `dynamic` block, and `for` expressions, are expanded when their number or collection is
//! known statically (`count = var.enabled ? 1 : 0` with `enabled = false` creates nothing).
//! Local modules (`source = "./x"`) are followed: a directory that another scanned directory
//! calls is evaluated through each call, with the call's arguments as its variables, and its
//! findings are addressed `module.NAME.TYPE.NAME` in the child's file. A value that depends on
//! anything not known before plan (resource attributes, module outputs, variables without a
//! default, `each.value` of an unknown collection) is unknown, and no check fires on an
//! unknown. Registry and remote modules are not fetched; a plan ([`scan_terraform_plan`])
//! covers them with full addresses. Rule metadata (ids `tf-*`) lives in [`crate::rules`].
//!
//! ```
//! use rampart_misconfig::{Config, scan_terraform_files};
//! let tf = "resource \"aws_ebs_volume\" \"data\" {\n  size      = 10\n  encrypted = false\n}\n";
//! let (found, diags) = scan_terraform_files(&[("main.tf", tf)], &Config::default());
//! assert!(diags.is_empty());
//! let m = found.iter().find(|m| m.rule_id == "tf-aws-ebs-unencrypted").unwrap();
//! assert_eq!(m.resource, "aws_ebs_volume.data");
//! assert_eq!(m.line, 3);
//! ```

mod aws;
mod azure;
mod gcp;
pub mod parse;
mod plan;

pub use parse::{Attr, Block, Body, Resource, Value};
pub use plan::scan_terraform_plan;

use crate::{Config, Misconfiguration, error_diagnostic, rule};
use rampart_core::Diagnostic;
use std::collections::HashSet;

/// Check the `.tf` files of a scan, one module per directory as Terraform does: the files of
/// a directory are read together (so `var.x` defaults, `local.y` and references resolve
/// across them), and nothing leaks between directories. `.tfvars` files set the variable
/// values of their own directory, overriding defaults.
///
/// A file that is not valid HCL, or is past the size or nesting limits, becomes a warning
/// diagnostic naming the file and line; the other files are still checked.
pub fn scan_terraform_files(
    files: &[(&str, &str)],
    cfg: &Config,
) -> (Vec<Misconfiguration>, Vec<Diagnostic>) {
    let mut modules: Vec<(&str, Vec<parse::ParsedFile>)> = Vec::new();
    let mut diags = Vec::new();
    for (path, text) in files {
        match parse::parse_file(path, text, cfg.limits.max_bytes) {
            Ok(f) => {
                let dir = module_dir(path);
                match modules.iter_mut().find(|(d, _)| *d == dir) {
                    Some((_, group)) => group.push(f),
                    None => modules.push((dir, vec![f])),
                }
            }
            Err(e) => diags.push(error_diagnostic(path, &e)),
        }
    }
    // A directory that another scanned directory calls as a local module is evaluated through
    // its callers (with their arguments, under `module.NAME.`), not on its own.
    let roots: Vec<parse::Module> = modules
        .iter()
        .map(|(_, group)| parse::evaluate(group, None, ""))
        .collect();
    let called: HashSet<&str> = modules
        .iter()
        .zip(&roots)
        .flat_map(|((dir, _), m)| m.calls.iter().filter_map(|c| join(dir, &c.source)))
        .filter_map(|d| modules.iter().find(|(m, _)| *m == d).map(|(m, _)| *m))
        .collect();
    let mut found = Vec::new();
    let mut reached = HashSet::new();
    let mut roots: Vec<_> = modules.iter().zip(roots).collect();
    // Called modules come last, so that only those no root reaches (a cycle of calls) are
    // checked on their own.
    roots.sort_by_key(|((dir, _), _)| called.contains(dir));
    for ((dir, _), module) in roots {
        if called.contains(dir) && reached.contains(dir) {
            continue;
        }
        found.extend(run(&module.resources));
        let mut walk = Walk {
            stack: vec![*dir],
            reached: &mut reached,
            budget: MAX_MODULE_INSTANCES,
        };
        calls(&modules, dir, &module.calls, "", &mut walk, &mut found);
    }
    sort_findings(&mut found);
    (found, diags)
}

/// Most levels of local modules followed below a root module.
const MAX_MODULE_DEPTH: usize = 16;
/// Most module instances evaluated below one root module (`for_each` fan-out multiplies down
/// the levels; past it the remaining calls are not followed).
const MAX_MODULE_INSTANCES: usize = 4096;

/// The state of following one root module's calls.
struct Walk<'a, 'r> {
    /// The directories on the current call path (a cycle is not followed again).
    stack: Vec<&'a str>,
    /// Every directory reached through a call, from any root.
    reached: &'r mut HashSet<&'a str>,
    /// Module instances left to evaluate.
    budget: usize,
}

/// Evaluate and check the local modules `calls` made from `dir`, then theirs, each instance
/// with its arguments. A module that calls itself (directly or through others) is not
/// followed again.
fn calls<'a>(
    modules: &[(&'a str, Vec<parse::ParsedFile>)],
    dir: &str,
    calls_made: &[parse::ModuleCall],
    prefix: &str,
    walk: &mut Walk<'a, '_>,
    found: &mut Vec<Misconfiguration>,
) {
    if walk.stack.len() > MAX_MODULE_DEPTH {
        return;
    }
    for call in calls_made {
        let Some(child) = join(dir, &call.source) else {
            continue;
        };
        let Some((child_dir, files)) = modules.iter().find(|(d, _)| *d == child) else {
            continue;
        };
        if walk.stack.contains(child_dir) {
            continue;
        }
        walk.reached.insert(*child_dir);
        let prefix = format!("{prefix}module.{}.", call.name);
        for inputs in &call.instances {
            if walk.budget == 0 {
                return;
            }
            walk.budget -= 1;
            let m = parse::evaluate(files, Some(inputs), &prefix);
            found.extend(run(&m.resources));
            walk.stack.push(child_dir);
            calls(modules, child_dir, &m.calls, &prefix, walk, found);
            walk.stack.pop();
        }
    }
}

/// The directory a local module `source` names, relative to the calling module's directory
/// (`None` when it climbs above the scanned root).
fn join(dir: &str, source: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    for p in source.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The directory (module) a file belongs to: its path up to the last `/` (or `\`).
fn module_dir(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or("", |i| &path[..i])
}

fn sort_findings(found: &mut Vec<Misconfiguration>) {
    found.sort_by(|a, b| {
        (&a.file, a.line, &a.rule_id, &a.resource).cmp(&(&b.file, b.line, &b.rule_id, &b.resource))
    });
    found.dedup();
}

/// Run every check over the resources of one configuration or plan.
pub(crate) fn run(resources: &[Resource]) -> Vec<Misconfiguration> {
    let mut out = Out {
        all: resources,
        found: Vec::new(),
    };
    for r in resources {
        aws::check(&mut out, r);
        gcp::check(&mut out, r);
        azure::check(&mut out, r);
    }
    let mut found = out.found;
    sort_findings(&mut found);
    found
}

/// Findings being collected, and every resource of the scan for cross-resource checks.
pub(crate) struct Out<'a> {
    pub all: &'a [Resource],
    pub found: Vec<Misconfiguration>,
}

impl Out<'_> {
    pub fn add(&mut self, rule_id: &str, r: &Resource, line: u32, message: impl Into<String>) {
        let Some(meta) = rule(rule_id) else { return };
        self.found.push(Misconfiguration {
            rule_id: meta.id.clone(),
            title: meta.title.clone(),
            severity: meta.severity,
            resource: r.address(),
            file: r.file.clone(),
            line,
            frameworks: meta.frameworks.clone(),
            remediation: meta.remediation.clone(),
            message: message.into(),
        });
    }

    /// Resources of a type whose `attr` refers to `target` (or names it literally).
    pub fn referring<'b>(
        &'b self,
        rtype: &'b str,
        attr: &'b str,
        target: &'b Resource,
    ) -> impl Iterator<Item = &'b Resource> + 'b {
        let addr = target.address();
        let literal = target
            .body
            .attr(attr_name_for(target))
            .and_then(|a| a.value.as_str());
        self.all.iter().filter(move |r| {
            r.rtype == rtype
                && r.body.attr(attr).is_some_and(|a| {
                    a.refs.contains(&addr) || (literal.is_some() && a.value.as_str() == literal)
                })
        })
    }

    /// Whether any resource of this type exists in the scan.
    pub fn any_of(&self, rtype: &str) -> bool {
        self.all.iter().any(|r| r.rtype == rtype)
    }
}

fn attr_name_for(r: &Resource) -> &'static str {
    match r.rtype.as_str() {
        "aws_s3_bucket" => "bucket",
        _ => "name",
    }
}

/// How a setting stands: set to a known value, set to something unknown, or not set.
pub(crate) enum Setting<'a> {
    Known(&'a Attr),
    Unknown,
    Absent,
}

pub(crate) fn setting<'a>(body: &'a Body, path: &str) -> Setting<'a> {
    // A dynamic block on the path makes everything below it unknown.
    let mut b = body;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            return match b.attr(p) {
                // `x = null` (and a null in a plan) leaves the setting unset.
                Some(a) if a.value == Value::Null => Setting::Absent,
                Some(a) if a.value.has_unknown() => Setting::Unknown,
                Some(a) => Setting::Known(a),
                None => Setting::Absent,
            };
        }
        match b.block(p) {
            Some(blk) if blk.dynamic => return Setting::Unknown,
            Some(blk) => b = &blk.body,
            None => {
                return if b.attr(p).is_some() {
                    Setting::Unknown
                } else {
                    Setting::Absent
                };
            }
        }
    }
    Setting::Absent
}

/// The line of a finding about `path`: the attribute's line, else its enclosing block's, else
/// the resource's.
pub(crate) fn line_of(r: &Resource, path: &str) -> u32 {
    let mut line = r.line;
    let mut b = &r.body;
    let mut parts = path.split('.').peekable();
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            return b.attr(p).map_or(line, |a| a.line);
        }
        match b.block(p) {
            Some(blk) => {
                line = blk.line;
                b = &blk.body;
            }
            None => return line,
        }
    }
    line
}

/// A boolean setting: `Some(Some(b))` known, `Some(None)` unknown, `None` absent.
pub(crate) fn get_bool(body: &Body, path: &str) -> Option<Option<bool>> {
    match setting(body, path) {
        Setting::Known(a) => Some(a.value.as_bool()),
        Setting::Unknown => Some(None),
        Setting::Absent => None,
    }
}

/// A string setting: `Some(Some(s))` known, `Some(None)` unknown, `None` absent.
pub(crate) fn get_str(body: &Body, path: &str) -> Option<Option<String>> {
    match setting(body, path) {
        Setting::Known(a) => Some(a.value.as_str()),
        Setting::Unknown => Some(None),
        Setting::Absent => None,
    }
}

/// Fires when a boolean that should be `true` is known `false`, or absent when its default
/// is `false`.
pub(crate) fn require_true(
    out: &mut Out<'_>,
    r: &Resource,
    rule_id: &str,
    path: &str,
    default: bool,
    message: &str,
) {
    let bad = match get_bool(&r.body, path) {
        Some(Some(b)) => !b,
        Some(None) => false,
        None => !default,
    };
    if bad {
        out.add(rule_id, r, line_of(r, path), message);
    }
}

/// Fires when a boolean that should be `false` is known `true`, or absent when its default
/// is `true`.
pub(crate) fn require_false(
    out: &mut Out<'_>,
    r: &Resource,
    rule_id: &str,
    path: &str,
    default: bool,
    message: &str,
) {
    let bad = match get_bool(&r.body, path) {
        Some(Some(b)) => b,
        Some(None) => false,
        None => default,
    };
    if bad {
        out.add(rule_id, r, line_of(r, path), message);
    }
}

/// Fires when a setting is absent (or known null / empty).
pub(crate) fn require_set(
    out: &mut Out<'_>,
    r: &Resource,
    rule_id: &str,
    path: &str,
    message: &str,
) {
    let missing = match setting(&r.body, path) {
        Setting::Known(a) => {
            matches!(&a.value, Value::Null) || a.value.as_str().is_some_and(|s| s.is_empty())
        }
        Setting::Unknown => false,
        Setting::Absent => true,
    };
    if missing {
        out.add(rule_id, r, line_of(r, path), message);
    }
}

/// Strings of a list (or single string) value; `None` when any element is unknown.
pub(crate) fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::List(l) => l.iter().map(Value::as_str).collect(),
        Value::Null => Some(Vec::new()),
        other => other.as_str().map(|s| vec![s]),
    }
}

/// Whether a CIDR or address prefix means "anywhere".
pub(crate) fn is_open_cidr(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "0.0.0.0/0" | "::/0" | "*" | "0.0.0.0" | "internet" | "any" | "0/0"
    )
}

/// Whether a port range `from..=to` covers `port`.
pub(crate) fn covers(from: f64, to: f64, port: f64) -> bool {
    from <= port && port <= to
}

/// Parse `"22"`, `"20-25"` or `"*"` into an inclusive range.
pub(crate) fn port_range(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    if s == "*" || s.is_empty() {
        return Some((0.0, 65535.0));
    }
    match s.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p: f64 = s.parse().ok()?;
            Some((p, p))
        }
    }
}
