//! SARIF 2.1.0 (`--format sarif`), in the shape GitHub code scanning accepts: one run, a rule
//! per distinct finding kind with a `security-severity`, a result per finding located at a
//! file and line (for vulnerabilities, the file that declares the package).
//!
//! Suppressed findings (kept with `--show-suppressed`) carry SARIF `suppressions[]`: kind
//! `inSource` for a `rampart:ignore` comment in the file, `external` for `.rampartignore`,
//! OpenVEX and distro-tracker suppressions, with the reason as the justification.

use crate::{Report, ReportError};
use rampart_core::Severity;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// The numeric `security-severity` GitHub uses to rank alerts.
fn security_severity(s: Severity, cvss: Option<f64>) -> String {
    let v = cvss.unwrap_or(match s {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Unknown => 0.0,
    });
    format!("{v:.1}")
}

struct Rules {
    list: Vec<Value>,
    index: BTreeMap<String, usize>,
}

impl Rules {
    fn add(&mut self, id: &str, make: impl FnOnce() -> Value) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.list.len();
        self.list.push(make());
        self.index.insert(id.to_string(), i);
        i
    }
}

/// SARIF `suppressions` for a finding's `suppressed` value (`inline: <reason>`,
/// `ignore-file: <reason>`, `vex:not_affected: <reason>`, `no_dsa`, ...), or `None`.
pub fn suppressions(suppressed: Option<&str>) -> Option<Value> {
    let why = suppressed?;
    let (origin, reason) = match why.split_once(": ") {
        Some((o, r)) => (o, Some(r)),
        None => (why, None),
    };
    let kind = if origin == "inline" {
        "inSource"
    } else {
        "external"
    };
    let mut s = json!({
        "kind": kind,
        "status": "accepted",
        "properties": {"origin": origin},
    });
    if let Some(r) = reason {
        s["justification"] = json!(r);
    }
    Some(json!([s]))
}

/// A SARIF result, with `suppressions` when the finding is suppressed.
fn result(mut r: Value, suppressed: Option<&str>) -> Value {
    if let Some(s) = suppressions(suppressed) {
        r["suppressions"] = s;
    }
    r
}

fn location(file: &str, line: u32) -> Value {
    json!([{"physicalLocation": {
        "artifactLocation": {"uri": file.trim_start_matches('/')},
        "region": {"startLine": line.max(1)},
    }}])
}

/// The report as a SARIF 2.1.0 log.
pub fn to_string(report: &Report) -> Result<String, ReportError> {
    let mut rules = Rules {
        list: Vec::new(),
        index: BTreeMap::new(),
    };
    let mut results = Vec::new();
    for v in &report.vulnerabilities {
        let pkg = report.packages.iter().find(|p| p.purl == v.purl);
        let name = pkg.map(|p| p.name.as_str()).unwrap_or(v.purl.as_str());
        let file = pkg
            .and_then(|p| p.locations.first())
            .map(String::as_str)
            .unwrap_or(report.artifact.name.as_str());
        let score = v
            .cvss
            .iter()
            .map(|c| c.score)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        let idx = rules.add(&v.id, || {
            json!({
                "id": v.id,
                "name": "VulnerablePackage",
                "shortDescription": {"text": v.title.clone().unwrap_or_else(|| v.id.clone())},
                "fullDescription": {"text": v.title.clone().unwrap_or_else(|| v.id.clone())},
                "help": {"text": format!("{}: {}. Aliases: {}", v.id, v.title.clone().unwrap_or_default(), v.aliases.join(", "))},
                "defaultConfiguration": {"level": level(v.severity)},
                "properties": {"security-severity": security_severity(v.severity, score), "tags": ["security", "vulnerability", v.severity.as_str()]},
            })
        });
        let fix = v
            .fixed_version
            .as_deref()
            .map(|f| format!(" Upgrade to {f}."))
            .unwrap_or_else(|| " No fix yet.".into());
        results.push(result(
            json!({
                "ruleId": v.id,
                "ruleIndex": idx,
                "level": level(v.severity),
                "message": {"text": format!("{name} {} is affected by {} ({}).{fix}", v.installed_version, v.id, v.severity)},
                "locations": location(file, 1),
            }),
            v.suppressed.as_deref(),
        ));
    }
    for m in &report.misconfigurations {
        let idx = rules.add(&m.rule_id, || {
            json!({
                "id": m.rule_id,
                "name": m.rule_id,
                "shortDescription": {"text": m.title},
                "fullDescription": {"text": m.title},
                "help": {"text": m.remediation},
                "defaultConfiguration": {"level": level(m.severity)},
                "properties": {"security-severity": security_severity(m.severity, None), "tags": ["security", "misconfiguration"]},
            })
        });
        let msg = if m.message.is_empty() {
            m.title.clone()
        } else {
            m.message.clone()
        };
        results.push(result(
            json!({
                "ruleId": m.rule_id,
                "ruleIndex": idx,
                "level": level(m.severity),
                "message": {"text": format!("{msg} ({})", m.resource)},
                "locations": location(&m.file, m.line),
            }),
            m.suppressed.as_deref(),
        ));
    }
    for s in &report.secrets {
        let idx = rules.add(&s.rule_id, || {
            json!({
                "id": s.rule_id,
                "name": s.rule_id,
                "shortDescription": {"text": s.title},
                "fullDescription": {"text": s.title},
                "help": {"text": "Revoke the credential, remove it from the file and its history, and load it from a secret store."},
                "defaultConfiguration": {"level": level(s.severity)},
                "properties": {"security-severity": security_severity(s.severity, None), "tags": ["security", "secret"]},
            })
        });
        results.push(result(
            json!({
                "ruleId": s.rule_id,
                "ruleIndex": idx,
                "level": level(s.severity),
                "message": {"text": format!("{} ({})", s.title, s.redacted)},
                "locations": location(&s.file, s.line),
            }),
            s.suppressed.as_deref(),
        ));
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rampart",
                "version": report.tool.version,
                "informationUri": "https://github.com/rampart-sec/rampart",
                "rules": rules.list,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Artifact, Misconfiguration};

    fn misconfig(rule: &str, line: u32, suppressed: Option<&str>) -> Misconfiguration {
        Misconfiguration {
            rule_id: rule.into(),
            title: format!("{rule} title"),
            severity: Severity::High,
            resource: "Pod/ops/debug".into(),
            file: "pod.yaml".into(),
            line,
            frameworks: vec!["k8s-pss-baseline:Privileged Containers".into()],
            remediation: "Fix it.".into(),
            message: String::new(),
            suppressed: suppressed.map(str::to_string),
        }
    }

    /// Suppressed misconfigurations: a `rampart:ignore` comment is `inSource`, a
    /// `.rampartignore` entry `external`, each with its reason; open findings have none.
    #[test]
    fn suppressed_misconfigurations_carry_suppressions() {
        let mut r = Report::new(Artifact::new("config", "deploy"), "2026-01-01T00:00:00Z");
        r.misconfigurations = vec![
            misconfig(
                "k8s-privileged",
                13,
                Some("inline: needs raw device access"),
            ),
            misconfig(
                "k8s-host-namespaces",
                7,
                Some("ignore-file: node debugging pod"),
            ),
            misconfig("k8s-run-as-root", 9, None),
            misconfig("k8s-no-limits", 10, Some("inline")),
        ];
        r.finish();
        let text = to_string(&r).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let by_rule = |id: &str| {
            results
                .iter()
                .find(|x| x["ruleId"] == id)
                .unwrap_or_else(|| panic!("{id} missing"))
        };
        // Keys sorted: serde_json keeps insertion order when another crate of the build
        // turns on its `preserve_order` feature, and the snapshot must not depend on that.
        insta::with_settings!({ sort_maps => true }, {
            insta::assert_json_snapshot!(
                "suppressions",
                results
                    .iter()
                    .map(|x| json!({"ruleId": x["ruleId"], "suppressions": x["suppressions"]}))
                    .collect::<Vec<_>>()
            );
        });
        assert_eq!(
            by_rule("k8s-privileged")["suppressions"],
            json!([{"kind": "inSource", "status": "accepted", "justification": "needs raw device access", "properties": {"origin": "inline"}}])
        );
        assert_eq!(
            by_rule("k8s-host-namespaces")["suppressions"][0]["kind"],
            "external"
        );
        assert_eq!(
            by_rule("k8s-host-namespaces")["suppressions"][0]["justification"],
            "node debugging pod"
        );
        // A comment without a reason: no justification to give.
        assert_eq!(
            by_rule("k8s-no-limits")["suppressions"],
            json!([{"kind": "inSource", "status": "accepted", "properties": {"origin": "inline"}}])
        );
        assert!(by_rule("k8s-run-as-root").get("suppressions").is_none());
    }

    /// Suppressed secrets (an ignore-file entry, kept with `--show-suppressed`) carry
    /// `external` suppressions with the entry's reason; open ones have none, and the message
    /// gives only the redacted value either way.
    #[test]
    fn suppressed_secrets_carry_suppressions() {
        let mut r = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
        let secret =
            |file: &str, suppressed: Option<&str>| crate::model::test_secret(file, 1, suppressed);
        r.secrets = vec![
            secret("test/token.env", Some("ignore-file: revoked test token")),
            secret("src/app.env", None),
            secret("test/other.env", Some("ignore-file")),
        ];
        r.finish();
        let doc: Value = serde_json::from_str(&to_string(&r).unwrap()).unwrap();
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let at = |file: &str| {
            results
                .iter()
                .find(|x| x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file)
                .unwrap_or_else(|| panic!("{file} missing"))
        };
        assert_eq!(
            at("test/token.env")["suppressions"],
            json!([{"kind": "external", "status": "accepted", "justification": "revoked test token", "properties": {"origin": "ignore-file"}}])
        );
        assert_eq!(
            at("test/other.env")["suppressions"],
            json!([{"kind": "external", "status": "accepted", "properties": {"origin": "ignore-file"}}])
        );
        assert!(at("src/app.env").get("suppressions").is_none());
        for x in results {
            assert_eq!(
                x["message"]["text"],
                "GitHub personal access token (ghp_…sha256:0123456789ab)"
            );
        }
        // One rule for the three results.
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
