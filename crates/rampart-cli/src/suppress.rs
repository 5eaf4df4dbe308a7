//! Suppressions, one model for every kind of finding: OpenVEX statements (`--vex FILE`) and
//! the `.rampartignore` file. Each suppression names what it covers (an id, optionally a purl
//! or a path), why, and until when; an expired entry stops suppressing and says so. With
//! `--show-suppressed` suppressed findings stay in the report, marked with the reason.
//!
//! `.rampartignore` is YAML, a list of entries:
//!
//! ```yaml
//! - id: CVE-2023-1234                 # a vulnerability id or alias, or a rule id
//!   purl: pkg:deb/debian/openssl      # optional: only this package (any version when none given)
//!   path: deploy/legacy/*             # optional: only findings in matching files
//!   reason: not reachable from the service entry points
//!   expires: 2026-12-31               # optional: stops suppressing after this day
//! ```

use anyhow::{Context, Result, bail};
use rampart_core::Diagnostic;
use rampart_report::Report;
use serde::Deserialize;
use std::path::Path;

/// One suppression.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    /// Vulnerability id or alias, or rule id.
    pub id: String,
    /// Only findings of this package (purl; without a version it covers every version).
    #[serde(default)]
    pub purl: Option<String>,
    /// Only findings in files matching this glob (`*` within a segment, `**` across).
    #[serde(default)]
    pub path: Option<String>,
    /// Why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Last day it applies (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires: Option<String>,
    /// Where it came from, for the report (`ignore-file`, `vex:not_affected`).
    #[serde(skip)]
    pub origin: String,
}

/// Read a `.rampartignore` file.
pub fn read_ignore_file(path: &Path) -> Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut entries: Vec<Entry> =
        serde_yaml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    for e in &mut entries {
        e.origin = "ignore-file".into();
        if let Some(x) = &e.expires
            && !valid_date(x)
        {
            bail!(
                "{}: entry {}: expires {x:?} is not a YYYY-MM-DD date",
                path.display(),
                e.id
            );
        }
    }
    Ok(entries)
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Read an OpenVEX document: statements with status `not_affected` or `fixed` suppress.
pub fn read_vex(path: &Path) -> Result<Vec<Entry>> {
    let text = std::fs::read(path).with_context(|| path.display().to_string())?;
    let doc: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", path.display()))?;
    let Some(statements) = doc.get("statements").and_then(|s| s.as_array()) else {
        bail!(
            "{}: not an OpenVEX document (no statements)",
            path.display()
        );
    };
    let id_of = |v: &serde_json::Value| -> Option<String> {
        v.as_str().map(str::to_string).or_else(|| {
            v.get("@id")
                .or_else(|| v.get("name"))
                .and_then(|x| x.as_str())
                .map(str::to_string)
        })
    };
    let mut out = Vec::new();
    for st in statements {
        let status = st
            .get("status")
            .and_then(|s| s.as_str())
            .unwrap_or_default();
        if status != "not_affected" && status != "fixed" {
            continue;
        }
        let Some(vuln) = st.get("vulnerability").and_then(id_of) else {
            continue;
        };
        let mut purls = Vec::new();
        for p in st
            .get("products")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let subs: Vec<String> = p
                .get("subcomponents")
                .and_then(|s| s.as_array())
                .into_iter()
                .flatten()
                .filter_map(id_of)
                .collect();
            if subs.is_empty() {
                purls.extend(id_of(p));
            } else {
                purls.extend(subs);
            }
        }
        let reason = st
            .get("justification")
            .or_else(|| st.get("impact_statement"))
            .and_then(|s| s.as_str())
            .map(str::to_string);
        if purls.is_empty() {
            purls.push(String::new());
        }
        for purl in purls {
            out.push(Entry {
                id: vuln.clone(),
                purl: (!purl.is_empty()).then_some(purl),
                path: None,
                reason: reason.clone(),
                expires: None,
                origin: format!("vex:{status}"),
            });
        }
    }
    Ok(out)
}

/// Whether `pattern` (a purl, maybe without version or qualifiers) covers `purl`.
fn purl_covers(pattern: &str, purl: &str) -> bool {
    let strip = |s: &str| s.split(['?', '#']).next().unwrap_or(s).to_string();
    let (pat, p) = (strip(pattern), strip(purl));
    if pat.contains('@') {
        pat == p
    } else {
        p.split('@').next() == Some(pat.as_str())
    }
}

/// Glob match with `*` (within a path segment) and `**` (across segments).
pub fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = p.get(2..).unwrap_or_default();
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=s.len()).any(|i| go(rest, &s[i..]))
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != b'/')
                .any(|i| go(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && go(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// Apply `entries` to the report as of `today` (`YYYY-MM-DD`): remove (or, with `keep`,
/// mark with the entry's origin and reason) what they cover; expired entries become
/// diagnostics. Vulnerabilities match by id or alias (and purl), misconfigurations and
/// secrets by rule id (and path glob); every kind is kept marked with `keep`.
pub fn apply(report: &mut Report, entries: &[Entry], today: &str, keep: bool) {
    let live: Vec<&Entry> = entries
        .iter()
        .filter(|e| match &e.expires {
            Some(x) if x.as_str() < today => {
                report.diagnostics.push(Diagnostic::warning(
                    e.origin.as_str(),
                    format!(
                        "suppression of {} expired on {x}; it no longer applies",
                        e.id
                    ),
                ));
                false
            }
            _ => true,
        })
        .collect();
    let why = |e: &Entry| match &e.reason {
        Some(r) => format!("{}: {r}", e.origin),
        None => e.origin.clone(),
    };
    let mut vulns = Vec::with_capacity(report.vulnerabilities.len());
    for mut v in std::mem::take(&mut report.vulnerabilities) {
        let hit = live.iter().find(|e| {
            (e.id == v.id || v.aliases.contains(&e.id))
                && e.purl.as_deref().is_none_or(|p| purl_covers(p, &v.purl))
        });
        match hit {
            None => vulns.push(v),
            Some(e) if keep => {
                v.suppressed = Some(why(e));
                vulns.push(v);
            }
            Some(_) => {}
        }
    }
    report.vulnerabilities = vulns;
    let covers = |e: &Entry, rule: &str, file: &str| {
        e.id == rule && e.path.as_deref().is_none_or(|g| glob(g, file))
    };
    let mut misconfigs = Vec::with_capacity(report.misconfigurations.len());
    for mut m in std::mem::take(&mut report.misconfigurations) {
        // An inline `rampart:ignore` already suppressing it wins: it is the more specific.
        let hit = live.iter().find(|e| covers(e, &m.rule_id, &m.file));
        match hit {
            None => misconfigs.push(m),
            Some(_) if m.suppressed.is_some() => misconfigs.push(m),
            Some(e) if keep => {
                m.suppressed = Some(why(e));
                misconfigs.push(m);
            }
            Some(_) => {}
        }
    }
    report.misconfigurations = misconfigs;
    // Secrets match by rule id and path like misconfigurations; a kept one stays redacted.
    let mut secrets = Vec::with_capacity(report.secrets.len());
    for mut s in std::mem::take(&mut report.secrets) {
        let hit = live.iter().find(|e| covers(e, &s.rule_id, &s.file));
        match hit {
            None => secrets.push(s),
            Some(_) if s.suppressed.is_some() => secrets.push(s),
            Some(e) if keep => {
                s.suppressed = Some(why(e));
                secrets.push(s);
            }
            Some(_) => {}
        }
    }
    report.secrets = secrets;
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::Severity;
    use rampart_report::{Artifact, Secret};

    fn entry(id: &str, path: Option<&str>, reason: Option<&str>, expires: Option<&str>) -> Entry {
        Entry {
            id: id.into(),
            purl: None,
            path: path.map(str::to_string),
            reason: reason.map(str::to_string),
            expires: expires.map(str::to_string),
            origin: "ignore-file".into(),
        }
    }

    fn secret(rule: &str, file: &str) -> Secret {
        Secret {
            rule_id: rule.into(),
            title: format!("{rule} title"),
            severity: Severity::Critical,
            file: file.into(),
            line: 2,
            layer: None,
            deleted_in_layer: None,
            commit: None,
            redacted: "ghp_…sha256:0123456789ab".into(),
            suppressed: None,
        }
    }

    /// Secrets the ignore file covers (rule id, path glob) are dropped, or with `keep` stay
    /// marked with the entry's reason and still redacted; others, and those under an expired
    /// entry, stay open.
    #[test]
    fn secrets_are_kept_marked_with_keep() {
        let entries = [
            entry(
                "secret-github-pat",
                Some("test/**"),
                Some("fixture token, revoked"),
                None,
            ),
            entry("secret-slack-token", None, None, None),
            entry("secret-aws-access-key-id", None, None, Some("2020-01-01")),
        ];
        let report = || {
            let mut r = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
            r.secrets = vec![
                secret("secret-github-pat", "test/fixtures/token.env"),
                secret("secret-github-pat", "src/config.env"),
                secret("secret-slack-token", "ops/hook.sh"),
                secret("secret-aws-access-key-id", "deploy/env"),
            ];
            r
        };
        let open = |r: &Report| -> Vec<(String, String, Option<String>)> {
            r.secrets
                .iter()
                .map(|s| (s.rule_id.clone(), s.file.clone(), s.suppressed.clone()))
                .collect()
        };
        let s = |rule: &str, file: &str, why: Option<&str>| {
            (rule.to_string(), file.to_string(), why.map(str::to_string))
        };

        let mut dropped = report();
        apply(&mut dropped, &entries, "2026-06-01", false);
        assert_eq!(
            open(&dropped),
            vec![
                s("secret-github-pat", "src/config.env", None),
                s("secret-aws-access-key-id", "deploy/env", None),
            ]
        );
        assert!(
            dropped
                .diagnostics
                .iter()
                .any(|d| d.to_string().contains("secret-aws-access-key-id expired")),
            "{:?}",
            dropped.diagnostics
        );

        let mut kept = report();
        apply(&mut kept, &entries, "2026-06-01", true);
        assert_eq!(
            open(&kept),
            vec![
                s(
                    "secret-github-pat",
                    "test/fixtures/token.env",
                    Some("ignore-file: fixture token, revoked")
                ),
                s("secret-github-pat", "src/config.env", None),
                s("secret-slack-token", "ops/hook.sh", Some("ignore-file")),
                s("secret-aws-access-key-id", "deploy/env", None),
            ]
        );
        assert!(
            kept.secrets
                .iter()
                .all(|x| x.redacted == "ghp_…sha256:0123456789ab")
        );
    }

    #[test]
    fn globs() {
        assert!(glob("deploy/*.yaml", "deploy/a.yaml"));
        assert!(!glob("deploy/*.yaml", "deploy/x/a.yaml"));
        assert!(glob("deploy/**/*.yaml", "deploy/x/y/a.yaml"));
        assert!(glob("**/test/*", "a/b/test/key.pem"));
        assert!(glob("file?.txt", "file1.txt"));
    }

    #[test]
    fn purls() {
        assert!(purl_covers(
            "pkg:deb/debian/openssl",
            "pkg:deb/debian/openssl@1.1?arch=amd64"
        ));
        assert!(purl_covers(
            "pkg:golang/x/y@v1.0.0",
            "pkg:golang/x/y@v1.0.0"
        ));
        assert!(!purl_covers(
            "pkg:golang/x/y@v1.0.0",
            "pkg:golang/x/y@v1.0.1"
        ));
        assert!(!purl_covers(
            "pkg:deb/debian/openssl",
            "pkg:deb/debian/openssl-dev@1"
        ));
    }
}
