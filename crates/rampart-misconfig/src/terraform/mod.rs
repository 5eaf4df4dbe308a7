//! Terraform: the HCL files of one directory (one module) parsed together (so `var.x` defaults
//! and `local.y` from any of its files resolve), then AWS, GCP and Azure checks over every
//! `resource` and `data` block. `for_each` on a resource and on a `dynamic` block, and `for`
//! expressions, are expanded when their collection is known statically. A value that depends
//! on anything not known before plan (resource attributes, variables without a default,
//! `each.value` of an unknown collection) is unknown, and no check fires on an unknown.
//! Local modules are not followed from HCL; a plan ([`scan_terraform_plan`]) covers them with
//! full addresses. Rule metadata (ids `tf-*`) lives in [`crate::rules`].
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
    let mut found = Vec::new();
    for (_, group) in &modules {
        found.extend(run(&parse::resources(group)));
    }
    sort_findings(&mut found);
    (found, diags)
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
