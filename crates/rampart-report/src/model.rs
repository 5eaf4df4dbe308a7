//! The report schema. Field names are a contract (DESIGN.md, `schemas/report.schema.json`).

use rampart_core::{Diagnostic, OsInfo, Package, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the JSON report layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one scan found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Layout version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// When the scan ran (RFC 3339, UTC).
    pub created_at: String,
    /// What was scanned.
    pub artifact: Artifact,
    /// Installed packages.
    pub packages: Vec<Package>,
    /// Known vulnerabilities in those packages.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Misconfigurations.
    pub misconfigurations: Vec<Misconfiguration>,
    /// Secrets (always redacted).
    pub secrets: Vec<Secret>,
    /// Malware signature or indicator matches.
    pub malware: Vec<Malware>,
    /// Problems met while reading the input that did not stop the scan.
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    /// Pass/fail per control of the framework asked for with `--compliance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compliance: Option<Compliance>,
    /// Counts.
    pub summary: Summary,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tool {
    /// `rampart`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// What was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// `container_image`, `rootfs`, `filesystem`, `archive` or `config`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Path or reference as given.
    pub name: String,
    /// Image digest (config or manifest digest), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Operating system, when one was detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    /// Image layers, lowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Layer>,
    /// Image configuration highlights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfigSummary>,
}

impl Artifact {
    /// An artifact with only a kind and a name.
    pub fn new(kind: impl Into<String>, name: impl Into<String>) -> Self {
        Artifact {
            kind: kind.into(),
            name: name.into(),
            digest: None,
            os: None,
            layers: Vec::new(),
            image_config: None,
        }
    }
}

/// One image layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Digest of the uncompressed layer (diff id) where known.
    pub digest: String,
    /// The build step that made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// The parts of an image's configuration that matter to security reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImageConfigSummary {
    /// `USER`, empty when the image runs as root by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Entrypoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    /// Command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    /// Exposed ports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposed_ports: Vec<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// A known vulnerability affecting an installed package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// Preferred id (a CVE when there is one).
    pub id: String,
    /// Other ids of the same vulnerability (GHSA, OSV, DSA, ...).
    pub aliases: Vec<String>,
    /// The affected installed package.
    pub purl: String,
    /// Installed version.
    pub installed_version: String,
    /// First fixed version, when a fix exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// `fixed`, `affected` (no fix yet), `will_not_fix`, `end_of_life`.
    pub status: String,
    /// Severity.
    pub severity: Severity,
    /// CVSS vectors and scores by source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<Cvss>,
    /// Where the record came from (`debian-security-tracker`, `osv:crates.io`).
    pub data_source: String,
    /// Short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Why it would not be reported without `--show-suppressed` (`not_affected`, `no_dsa`,
    /// `ignored`, `vex:not_affected`, `ignore-file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// One CVSS rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// Who rated it (`nvd`, `ghsa`, ...).
    pub source: String,
    /// The vector string.
    pub vector: String,
    /// Base score.
    pub score: f64,
}

/// A misconfiguration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misconfiguration {
    /// Rule id (`k8s-privileged`).
    pub rule_id: String,
    /// Rule title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// The resource (`Deployment/default/web`).
    pub resource: String,
    /// File, relative to the scanned directory.
    pub file: String,
    /// Line of the offending setting, or of the resource.
    pub line: u32,
    /// Controls of standards this maps to.
    pub frameworks: Vec<String>,
    /// How to fix it.
    pub remediation: String,
    /// What exactly is wrong here.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Why it would not be reported without `--show-suppressed`: `inline: <reason>` for a
    /// `rampart:ignore` comment in the file, `ignore-file: <reason>` for a `.rampartignore`
    /// entry (the reason is left out when the suppression gives none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// A secret. The value itself never appears in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// Rule id (`secret-aws-access-key-id`).
    pub rule_id: String,
    /// Rule title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// File, relative to the scanned directory or inside the image.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// The layer that holds it, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The layer that deleted the file, when a later layer did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in_layer: Option<String>,
    /// The git commit that added it, for secrets found in a repository's history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// A prefix and a hash of the value: enough to recognise it, not to use it.
    pub redacted: String,
    /// Why it would not be reported without `--show-suppressed`: `ignore-file: <reason>` for
    /// a `.rampartignore` (or `--ignorefile`) entry naming its rule (the reason is left out
    /// when the entry gives none). A suppressed secret stays redacted like any other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// A malware match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malware {
    /// Rule (signature or indicator list) id.
    pub rule_id: String,
    /// What the rule detects, or the indicator's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// File; `archive!/member` for files found inside (nested) zip archives.
    pub file: String,
    /// The layer that holds it, for images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The layer that deleted the file, when a later layer did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in_layer: Option<String>,
    /// SHA-256 of the file (of the member, inside archives).
    pub sha256: String,
}

/// A compliance framework's verdict per control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    /// Framework name (`k8s-pss-restricted`, `k8s-nsa`, `k8s-cis`, `docker-cis`).
    pub framework: String,
    /// Every control rampart checks for it.
    pub controls: Vec<ControlResult>,
}

/// One control's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    /// Control id within the framework (`5.2.1`, `Privileged Containers`).
    pub id: String,
    /// `PASS` or `FAIL`.
    pub status: String,
    /// Findings against it.
    pub findings: usize,
    /// Rules that check it.
    pub rules: Vec<String>,
}

/// Counts of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Number of packages.
    pub packages: usize,
    /// Vulnerabilities by severity.
    pub vulnerabilities: BTreeMap<Severity, usize>,
    /// Misconfigurations by severity.
    pub misconfigurations: BTreeMap<Severity, usize>,
    /// Number of secrets.
    pub secrets: usize,
    /// Number of malware matches.
    pub malware: usize,
}

impl Report {
    /// An empty report for `artifact`, stamped with `created_at`.
    pub fn new(artifact: Artifact, created_at: impl Into<String>) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "rampart".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            created_at: created_at.into(),
            artifact,
            packages: Vec::new(),
            vulnerabilities: Vec::new(),
            misconfigurations: Vec::new(),
            secrets: Vec::new(),
            malware: Vec::new(),
            diagnostics: Vec::new(),
            compliance: None,
            summary: Summary::default(),
        }
    }

    /// Sort every list into its canonical order and recompute the summary. Writers expect
    /// a finished report; call this once after filling it.
    pub fn finish(&mut self) {
        self.packages.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.version, &a.locations).cmp(&(
                b.ecosystem,
                &b.name,
                &b.version,
                &b.locations,
            ))
        });
        self.vulnerabilities
            .sort_by(|a, b| (&a.purl, &a.id).cmp(&(&b.purl, &b.id)));
        self.misconfigurations
            .sort_by(|a, b| (&a.file, a.line, &a.rule_id).cmp(&(&b.file, b.line, &b.rule_id)));
        self.secrets
            .sort_by(|a, b| (&a.file, a.line, &a.rule_id).cmp(&(&b.file, b.line, &b.rule_id)));
        self.malware
            .sort_by(|a, b| (&a.file, &a.rule_id).cmp(&(&b.file, &b.rule_id)));
        let mut s = Summary {
            packages: self.packages.len(),
            secrets: self.secrets.len(),
            malware: self.malware.len(),
            ..Summary::default()
        };
        for v in &self.vulnerabilities {
            *s.vulnerabilities.entry(v.severity).or_default() += 1;
        }
        for m in &self.misconfigurations {
            *s.misconfigurations.entry(m.severity).or_default() += 1;
        }
        self.summary = s;
    }

    /// The highest severity of any finding, if there is a finding.
    pub fn max_severity(&self) -> Option<Severity> {
        let v = self.vulnerabilities.iter().map(|v| v.severity);
        let m = self.misconfigurations.iter().map(|m| m.severity);
        let s = self.secrets.iter().map(|s| s.severity);
        let mw = self.malware.iter().map(|_| Severity::Critical);
        v.chain(m).chain(s).chain(mw).max()
    }
}

/// A GitHub-token secret finding at `file:line` (redacted value only), for format tests.
#[cfg(test)]
pub(crate) fn test_secret(file: &str, line: u32, suppressed: Option<&str>) -> Secret {
    Secret {
        rule_id: "secret-github-pat".into(),
        title: "GitHub personal access token".into(),
        severity: Severity::Critical,
        file: file.into(),
        line,
        layer: None,
        deleted_in_layer: None,
        commit: None,
        redacted: "ghp_…sha256:0123456789ab".into(),
        suppressed: suppressed.map(str::to_string),
    }
}
