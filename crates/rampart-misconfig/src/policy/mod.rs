//! Policy as code: custom Rego policies evaluated in-process with `regorus`, following
//! conftest's conventions.
//!
//! - Rules named `deny`, `violation` or `warn`, or prefixed `deny_`, `violation_`, `warn_`,
//!   return messages: strings, or objects with a `msg` (and optionally `severity`).
//! - Only packages in the chosen namespaces are evaluated (`main` unless told otherwise), or
//!   all of them.
//! - Policies may be Rego v1 (the default, and what `import rego.v1` asks for) or older v0
//!   syntax; a file that does not parse as v1 is tried as v0.
//! - Data documents (JSON or YAML) are merged into `data`, under the directory path they
//!   were found in.
//! - A package may declare `__rego_metadata__ := {"id": ..., "title": ..., "severity": ...,
//!   "description": ..., "recommended_actions": ...}` (Trivy's custom-check convention) to
//!   name its findings.
//!
//! Each evaluation is bounded by a wall-clock limit, so an expensive or runaway policy ends
//! with an error instead of a hang. Rules that depend on themselves are refused by regorus.
//! Reading files from disk is the caller's job; [`input`] turns configuration files into the
//! documents policies see.

pub mod input;

use crate::{MisconfigError, Misconfiguration};
use input::Input;
use rampart_core::{Diagnostic, Severity};
use regorus::unstable::{Rule, RuleHead};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

/// Which packages run and how long one evaluation may take.
#[derive(Debug, Clone)]
pub struct PolicyConfig {
    /// Namespaces (package paths without `data.`) whose rules are evaluated.
    pub namespaces: Vec<String>,
    /// Evaluate every package, ignoring `namespaces`.
    pub all_namespaces: bool,
    /// Wall-clock limit of one rule evaluated on one document.
    pub time_limit: Duration,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            namespaces: vec!["main".to_string()],
            all_namespaces: false,
            time_limit: Duration::from_secs(5),
        }
    }
}

/// A data document to merge into `data`.
#[derive(Debug, Clone)]
pub struct DataFile<'a> {
    /// The file, for errors.
    pub path: &'a str,
    /// Where under `data` it goes (the directories between the `--data` root and the file).
    pub prefix: Vec<String>,
    /// JSON or YAML text.
    pub text: &'a str,
}

/// Package-level metadata (`__rego_metadata__`).
#[derive(Debug, Clone, Default)]
struct Meta {
    id: Option<String>,
    title: Option<String>,
    severity: Option<Severity>,
    remediation: Option<String>,
}

#[derive(Debug, Clone)]
struct PolicyRule {
    package: String,
    name: String,
    file: String,
    severity: Severity,
}

/// Loaded, parsed policies ready to evaluate.
#[derive(Clone)]
pub struct Policies {
    engine: Engine,
    rules: Vec<PolicyRule>,
    meta: BTreeMap<String, Meta>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

/// Whether `name` is a rule conftest evaluates, and the severity of its findings.
fn rule_kind(name: &str) -> Option<Severity> {
    let of =
        |base: &str| name == base || name.strip_prefix(base).is_some_and(|r| r.starts_with('_'));
    if of("deny") || of("violation") {
        Some(Severity::High)
    } else if of("warn") {
        Some(Severity::Low)
    } else {
        None
    }
}

/// Parse policies (path, Rego text) and data documents.
///
/// A policy that does not parse is an error naming its file and line; so is a data file that
/// is neither JSON nor YAML. Finding no `deny`/`violation`/`warn` rule in the chosen
/// namespaces is an error too, since the scan would silently check nothing.
pub fn load_policies(
    files: &[(&str, &str)],
    data: &[DataFile<'_>],
    cfg: &PolicyConfig,
) -> Result<Policies, MisconfigError> {
    let mut engine = Engine::new();
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: cfg.time_limit,
        check_interval: NonZeroU32::new(32).unwrap_or(NonZeroU32::MIN),
    });
    for (path, text) in files {
        add_policy(&mut engine, path, text)?;
    }
    for d in data {
        let value = parse_data(d)?;
        engine
            .add_data(Value::from(value))
            .map_err(|e| MisconfigError::Policy {
                path: d.path.to_string(),
                line: 1,
                reason: format!("cannot merge data document: {e}"),
            })?;
    }
    let mut rules: Vec<PolicyRule> = Vec::new();
    let mut packages = Vec::new();
    for m in engine.get_modules() {
        let package = m
            .package
            .refr
            .span()
            .text()
            .trim()
            .trim_start_matches("data.")
            .to_string();
        let file = m.package.span.source.file().to_string();
        packages.push(package.clone());
        if !cfg.all_namespaces && !cfg.namespaces.contains(&package) {
            continue;
        }
        for r in &m.policy {
            let Rule::Spec { head, .. } = r.as_ref() else {
                continue;
            };
            let refr = match head {
                RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. } => refr,
                RuleHead::Func { .. } => continue,
            };
            let name: String = refr
                .span()
                .text()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let Some(severity) = rule_kind(&name) else {
                continue;
            };
            if !rules.iter().any(|x| x.package == package && x.name == name) {
                rules.push(PolicyRule {
                    package: package.clone(),
                    name,
                    file: file.clone(),
                    severity,
                });
            }
        }
    }
    check_function_recursion(&mut engine)?;
    if rules.is_empty() {
        let wanted = if cfg.all_namespaces {
            "any namespace".to_string()
        } else {
            format!("namespace {}", cfg.namespaces.join(", "))
        };
        packages.sort();
        packages.dedup();
        return Err(MisconfigError::Policy {
            path: files.first().map_or("", |f| f.0).to_string(),
            line: 1,
            reason: format!(
                "no deny, violation or warn rules in {wanted} (packages found: {})",
                if packages.is_empty() {
                    "none".to_string()
                } else {
                    packages.join(", ")
                }
            ),
        });
    }
    let mut policies = Policies {
        engine,
        rules,
        meta: BTreeMap::new(),
    };
    policies.read_metadata()?;
    Ok(policies)
}

/// A function of a package: where it is declared and which functions its bodies call.
struct Function {
    package: String,
    name: String,
    file: String,
    line: u32,
    calls: Vec<(Option<String>, String)>,
}

/// Refuse functions that call themselves, directly or through other functions. Rego does not
/// allow recursion; regorus detects it between rules at run time but would exhaust the stack
/// on recursive functions, so the call graph is checked before anything runs. Calls are read
/// from the source of each function body: `f(` is a call in the same package, `lib.f(` a call
/// of `f` in a package whose last component is `lib`.
fn check_function_recursion(engine: &mut Engine) -> Result<(), MisconfigError> {
    let mut funcs: Vec<Function> = Vec::new();
    for m in engine.get_modules() {
        let package = m
            .package
            .refr
            .span()
            .text()
            .trim()
            .trim_start_matches("data.")
            .to_string();
        for r in &m.policy {
            let Rule::Spec {
                span,
                head: RuleHead::Func { refr, .. },
                ..
            } = r.as_ref()
            else {
                continue;
            };
            let name = refr
                .span()
                .text()
                .rsplit('.')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let text = span.source.contents();
            // Everything after the function's name: arguments, `:=` value and bodies.
            let body = text
                .get(refr.span().end as usize..span.end as usize)
                .unwrap_or("");
            funcs.push(Function {
                package: package.clone(),
                name,
                file: span.source.file().to_string(),
                line: refr.span().line,
                calls: calls_in(body),
            });
        }
    }
    if funcs.is_empty() {
        return Ok(());
    }
    let last = |p: &str| p.rsplit('.').next().unwrap_or(p).to_string();
    let edges: Vec<Vec<usize>> = funcs
        .iter()
        .map(|f| {
            let mut to: Vec<usize> = Vec::new();
            for (qualifier, name) in &f.calls {
                for (j, g) in funcs.iter().enumerate() {
                    let same_pkg = match qualifier {
                        None => g.package == f.package,
                        Some(q) => last(&g.package) == *q,
                    };
                    if g.name == *name && same_pkg && !to.contains(&j) {
                        to.push(j);
                    }
                }
            }
            to
        })
        .collect();
    // Iterative depth-first search with colours: 0 unseen, 1 on the stack, 2 done.
    let mut colour = vec![0u8; funcs.len()];
    for start in 0..funcs.len() {
        if colour[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        colour[start] = 1;
        while let Some((node, next)) = stack.pop() {
            if let Some(&to) = edges[node].get(next) {
                stack.push((node, next + 1));
                match colour[to] {
                    0 => {
                        colour[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let f = &funcs[to];
                        return Err(MisconfigError::Policy {
                            path: f.file.clone(),
                            line: f.line,
                            reason: format!(
                                "function {}.{} calls itself (recursion is not allowed in Rego)",
                                f.package, f.name
                            ),
                        });
                    }
                    _ => {}
                }
            } else {
                colour[node] = 2;
            }
        }
    }
    Ok(())
}

/// Calls `name(` and `qualifier.name(` in a piece of Rego source, skipping strings and
/// comments.
fn calls_in(body: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let b = body.as_bytes();
    let mut i = 0;
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            c if ident(c) || c == b'.' => {
                let start = i;
                while i < b.len() && (ident(b[i]) || b[i] == b'.') {
                    i += 1;
                }
                if b.get(i) == Some(&b'(') {
                    let path = &body[start..i];
                    let mut parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
                    if let Some(name) = parts.pop() {
                        out.push((parts.last().map(|q| q.to_string()), name.to_string()));
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Add one policy, as Rego v1 or else v0; when both fail, report the error of the parse
/// that got further.
fn add_policy(engine: &mut Engine, path: &str, text: &str) -> Result<(), MisconfigError> {
    engine.set_rego_v0(false);
    let v1 = engine.add_policy(path.to_string(), text.to_string());
    let Err(e1) = v1 else { return Ok(()) };
    let e1 = rego_error(path, &format!("{e1:#}"));
    if text.contains("import rego.v1") {
        return Err(e1);
    }
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(path.to_string(), text.to_string());
    engine.set_rego_v0(false);
    match v0 {
        Ok(_) => Ok(()),
        Err(e0) => {
            let e0 = rego_error(path, &format!("{e0:#}"));
            let line = |e: &MisconfigError| match e {
                MisconfigError::Policy { line, .. } => *line,
                _ => 0,
            };
            Err(if line(&e0) > line(&e1) { e0 } else { e1 })
        }
    }
}

/// regorus reports `--> file:line:col`, the source line, then `error: reason`: keep the line
/// and the reason.
fn rego_error(path: &str, text: &str) -> MisconfigError {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|loc| loc.rsplit(':').nth(1))
        .and_then(|l| l.parse().ok())
        .unwrap_or(1);
    let reason = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        });
    MisconfigError::Policy {
        path: path.to_string(),
        line,
        reason,
    }
}

fn parse_data(d: &DataFile<'_>) -> Result<serde_json::Value, MisconfigError> {
    let docs = crate::yaml::parse_documents(d.path, d.text, crate::yaml::Limits::default())?;
    let mut value = match docs.as_slice() {
        [] => serde_json::Value::Object(Default::default()),
        [one] => one.root.to_json(),
        _ => {
            return Err(MisconfigError::Policy {
                path: d.path.to_string(),
                line: docs[1].root.line,
                reason: "a data file holds one document".into(),
            });
        }
    };
    for key in d.prefix.iter().rev() {
        let mut m = serde_json::Map::new();
        m.insert(key.clone(), value);
        value = serde_json::Value::Object(m);
    }
    if !value.is_object() {
        return Err(MisconfigError::Policy {
            path: d.path.to_string(),
            line: 1,
            reason:
                "data at the root of `data` must be an object (put it in a directory to nest it)"
                    .into(),
        });
    }
    Ok(value)
}

impl Policies {
    /// How many rules are evaluated per document.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    fn read_metadata(&mut self) -> Result<(), MisconfigError> {
        self.engine.set_input(Value::new_object());
        let packages: Vec<(String, String)> = self
            .rules
            .iter()
            .map(|r| (r.package.clone(), r.file.clone()))
            .collect();
        for (package, file) in packages {
            if self.meta.contains_key(&package) {
                continue;
            }
            let declared = self
                .engine
                .has_declared_rule_rooted_at(&file, "__rego_metadata__")
                .unwrap_or(false);
            let mut meta = Meta::default();
            if declared {
                let v = self
                    .engine
                    .eval_rule(format!("data.{package}.__rego_metadata__"))
                    .map_err(|e| rego_error(&file, &format!("{e:#}")))?;
                let v = serde_json::to_value(&v).unwrap_or_default();
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
                meta = Meta {
                    id: s("id"),
                    title: s("title"),
                    severity: s("severity").and_then(|x| x.parse().ok()),
                    remediation: s("recommended_actions").or_else(|| s("remediation")),
                };
            }
            self.meta.insert(package, meta);
        }
        Ok(())
    }

    /// Evaluate every rule on one document.
    ///
    /// A failure that is a bug of the policy itself (a rule that depends on itself) or that
    /// hits the time limit is an error naming the policy, the rule and the input file. A
    /// failure that depends on the document (a built-in or `some .. in` given the wrong type,
    /// which OPA would treat as undefined) becomes a warning diagnostic and the other rules
    /// still run.
    pub fn eval(
        &mut self,
        input: &Input,
    ) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>), MisconfigError> {
        self.engine.set_input(Value::from(input.value.clone()));
        let mut out = Vec::new();
        let mut diags = Vec::new();
        for r in &self.rules {
            let path = format!("data.{}.{}", r.package, r.name);
            let v = match self.engine.eval_rule(path.clone()) {
                Ok(v) => v,
                Err(e) => {
                    let text = format!("{e:#}");
                    let MisconfigError::Policy { line, reason, .. } = rego_error(&r.file, &text)
                    else {
                        unreachable!("rego_error makes Policy errors")
                    };
                    let reason = format!("evaluating {path} on {}: {reason}", input.file);
                    if text.contains("recursion detected") || text.contains("exceeded time limit") {
                        return Err(MisconfigError::Policy {
                            path: r.file.clone(),
                            line,
                            reason,
                        });
                    }
                    diags.push(Diagnostic::warning(r.file.as_str(), reason).at_line(line));
                    continue;
                }
            };
            let meta = self.meta.get(&r.package).cloned().unwrap_or_default();
            for (msg, severity, result) in messages(&v) {
                let (line, resource) = match input::locate(input, &result, &msg) {
                    Some((line, resource)) => {
                        (line, resource.unwrap_or_else(|| input.resource.clone()))
                    }
                    None => (input.line, input.resource.clone()),
                };
                out.push(Misconfiguration {
                    rule_id: meta
                        .id
                        .clone()
                        .unwrap_or_else(|| format!("rego:{}.{}", r.package, r.name)),
                    title: meta.title.clone().unwrap_or_else(|| msg.clone()),
                    severity: severity.or(meta.severity).unwrap_or(r.severity),
                    resource,
                    file: input.file.clone(),
                    line,
                    frameworks: Vec::new(),
                    remediation: meta.remediation.clone().unwrap_or_default(),
                    message: msg,
                });
            }
        }
        Ok((out, diags))
    }
}

/// The messages of a rule's value: a set or array of strings or `{msg, severity}` objects, a
/// single string, or `true`; each with the result as JSON (to locate it in the input).
fn messages(v: &Value) -> Vec<(String, Option<Severity>, serde_json::Value)> {
    let one = |x: &Value| -> Option<(String, Option<Severity>, serde_json::Value)> {
        match x {
            Value::String(s) => Some((s.to_string(), None, serde_json::Value::Null)),
            Value::Bool(true) => Some((String::new(), None, serde_json::Value::Null)),
            Value::Object(_) => {
                let j = serde_json::to_value(x).unwrap_or_default();
                let msg = j
                    .get("msg")
                    .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_string))
                    .unwrap_or_else(|| j.to_string());
                let severity = j
                    .get("severity")
                    .and_then(|s| s.as_str())
                    .and_then(|s| s.parse().ok());
                Some((msg, severity, j))
            }
            Value::Undefined | Value::Null | Value::Bool(false) => None,
            other => Some((
                serde_json::to_string(other).unwrap_or_default(),
                None,
                serde_json::Value::Null,
            )),
        }
    };
    match v {
        Value::Set(s) => s.iter().filter_map(one).collect(),
        Value::Array(a) => a.iter().filter_map(one).collect(),
        other => one(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(policy: &str) -> Result<Policies, MisconfigError> {
        load_policies(&[("p.rego", policy)], &[], &PolicyConfig::default())
    }

    fn doc(v: serde_json::Value) -> Input {
        Input {
            file: "x.yaml".into(),
            line: 3,
            resource: "x.yaml".into(),
            value: v,
            anchors: Vec::new(),
        }
    }

    #[test]
    fn rule_names() {
        assert_eq!(rule_kind("deny"), Some(Severity::High));
        assert_eq!(rule_kind("deny_latest"), Some(Severity::High));
        assert_eq!(rule_kind("violation"), Some(Severity::High));
        assert_eq!(rule_kind("warn_x"), Some(Severity::Low));
        assert_eq!(rule_kind("denylist"), None);
        assert_eq!(rule_kind("allow"), None);
    }

    #[test]
    fn v1_and_v0_policies() {
        let mut p = load(
            "package main\n\ndeny contains msg if {\n  input.kind == \"Pod\"\n  msg := \"no pods\"\n}\n",
        )
        .unwrap();
        let (found, _) = p.eval(&doc(serde_json::json!({"kind": "Pod"}))).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule_id, "rego:main.deny");
        assert_eq!(found[0].message, "no pods");
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].line, 3);
        let mut p = load(
            "package main\n\nwarn[msg] {\n  input.kind == \"Pod\"\n  msg := {\"msg\": \"old\", \"severity\": \"MEDIUM\"}\n}\n",
        )
        .unwrap();
        let (found, _) = p.eval(&doc(serde_json::json!({"kind": "Pod"}))).unwrap();
        assert_eq!(found[0].message, "old");
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(
            p.eval(&doc(serde_json::json!({"kind": "Job"})))
                .unwrap()
                .0
                .is_empty()
        );
    }

    #[test]
    fn syntax_error_names_file_and_line() {
        let e = load("package main\n\ndeny contains msg if {\n  input.x ==\n}\n").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("p.rego: line "), "{text}");
        assert!(
            matches!(e, MisconfigError::Policy { line: 4 | 5, .. }),
            "{text}"
        );
    }

    #[test]
    fn other_namespaces_are_skipped_unless_asked() {
        let policy = "package k8s.security\n\ndeny contains \"x\" if { true }\n";
        let e = load(policy).unwrap_err().to_string();
        assert!(e.contains("packages found: k8s.security"), "{e}");
        let cfg = PolicyConfig {
            namespaces: vec!["k8s.security".into()],
            ..PolicyConfig::default()
        };
        let mut p = load_policies(&[("p.rego", policy)], &[], &cfg).unwrap();
        let (found, _) = p.eval(&doc(serde_json::json!({}))).unwrap();
        assert_eq!(found[0].rule_id, "rego:k8s.security.deny");
    }

    #[test]
    fn runaway_policy_is_bounded() {
        let policy = "package main\n\ndeny contains msg if {\n  some a in numbers.range(1, 5000)\n  some b in numbers.range(1, 5000)\n  a * b < 0\n  msg := \"never\"\n}\n";
        let cfg = PolicyConfig {
            time_limit: Duration::from_millis(200),
            ..PolicyConfig::default()
        };
        let mut p = load_policies(&[("slow.rego", policy)], &[], &cfg).unwrap();
        let start = std::time::Instant::now();
        let e = p.eval(&doc(serde_json::json!({}))).unwrap_err().to_string();
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(e.starts_with("slow.rego: line "), "{e}");
        assert!(e.contains("data.main.deny on x.yaml"), "{e}");
    }

    #[test]
    fn self_dependent_rules_are_an_error_not_a_hang() {
        let policy = "package main\n\nloop contains x if { some x in loop }\n\ndeny contains msg if {\n  count(loop) > 0\n  msg := \"x\"\n}\n";
        let r = load(policy).and_then(|mut p| p.eval(&doc(serde_json::json!({}))));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("recursion"), "{e}");
    }

    #[test]
    fn recursive_functions_are_an_error_not_a_crash() {
        let policy = "package main\n\nf(x) := f(x + 1)\n\ndeny contains msg if {\n  f(1) > 0\n  msg := \"x\"\n}\n";
        let r = load(policy).and_then(|mut p| p.eval(&doc(serde_json::json!({}))));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("recursion"), "{e}");
    }

    #[test]
    fn mutual_recursion_through_another_package_is_refused() {
        let lib = "package lib\n\ng(x) := main.f(x)\n";
        let main = "package main\n\nimport data.lib\n\nf(x) := lib.g(x)\n\nh(x) := lib.h(x)\n\ndeny contains \"x\" if { f(1) }\n";
        let e = load_policies(
            &[("lib.rego", lib), ("main.rego", main)],
            &[],
            &PolicyConfig::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("calls itself"), "{e}");
        // A wrapper of the same name in another package is not recursion.
        let lib = "package lib\n\nh(x) := x + 1\n";
        assert!(load_policies(&[("lib.rego", lib), ("main.rego", "package main\n\nimport data.lib\n\nh(x) := lib.h(x) # h(\n\ndeny contains \"x\" if { h(1) > 1 }\n")], &[], &PolicyConfig::default()).is_ok());
    }

    #[test]
    fn type_errors_on_odd_documents_are_diagnostics() {
        let policy = "package main\n\ndeny contains msg if {\n  some c in input.spec.containers\n  msg := c.name\n}\n\nwarn contains \"checked\" if { true }\n";
        let mut p = load(policy).unwrap();
        let (found, diags) = p
            .eval(&doc(serde_json::json!({"spec": {"containers": null}})))
            .unwrap();
        assert_eq!(found.len(), 1, "the other rule still runs");
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("data.main.deny on x.yaml"),
            "{diags:?}"
        );
    }

    #[test]
    fn data_documents_nest_under_their_directory() {
        let policy = "package main\n\ndeny contains msg if {\n  some r in data.registries.blocked\n  startswith(input.image, r)\n  msg := sprintf(\"blocked registry %s\", [r])\n}\n";
        let data = [DataFile {
            path: "data/registries/x.yaml",
            prefix: vec!["registries".into()],
            text: "blocked: [docker.io/]\n",
        }];
        let mut p = load_policies(&[("p.rego", policy)], &data, &PolicyConfig::default()).unwrap();
        let (found, _) = p
            .eval(&doc(serde_json::json!({"image": "docker.io/nginx"})))
            .unwrap();
        assert_eq!(found[0].message, "blocked registry docker.io/");
    }
}
