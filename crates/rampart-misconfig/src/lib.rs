//! Misconfiguration checks for Kubernetes manifests, Dockerfiles and Terraform.
//!
//! rampart-misconfig reads Kubernetes YAML or JSON (multi-document files, `List` kinds,
//! whole-cluster `kubectl get -A -o json` dumps), finds every workload's pod spec and
//! reports [`Misconfiguration`]s carrying the file and line of the offending setting.
//! The checks are the Pod Security Standards (baseline and restricted, evaluated as a chosen
//! policy version defined them, see [`pss`]) plus common NSA/CISA and CIS workload, RBAC and
//! network checks. Dockerfiles are checked by [`scan_dockerfile`], Terraform (AWS, GCP, Azure)
//! by [`scan_terraform_files`] (HCL) and [`scan_terraform_plan`] (plan JSON), docker-compose
//! files by [`scan_compose`] and an image's own configuration by [`scan_image_config`]. Custom
//! Rego policies run through [`policy`] (conftest's conventions, evaluated in-process), and
//! [`inline_ignores`] reads `# rampart:ignore RULE-ID reason` comments. Every rule is declared
//! once in [`rules()`]. File discovery, output formats, exit codes and what to do with a
//! suppressed finding belong to the CLI.
//!
//! ```
//! use rampart_misconfig::{Config, scan_k8s};
//! let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n";
//! let (found, _diags) = scan_k8s("pod.yaml", yaml, &Config::default()).unwrap();
//! let privileged = found.iter().find(|m| m.rule_id == "k8s-privileged").unwrap();
//! assert_eq!(privileged.resource, "Pod/shop/web");
//! assert_eq!(privileged.line, 9);
//! ```
#![deny(missing_docs)]

mod checks;
pub mod compose;
pub mod dockerfile;
mod error;
pub mod ignore;
pub mod image;
pub mod k8s;
pub mod policy;
pub mod pss;
mod rules;
pub mod terraform;
pub mod yaml;

pub use compose::scan_compose;
pub use dockerfile::scan_dockerfile;
pub use error::MisconfigError;
pub use ignore::{InlineIgnore, inline_ignores};
pub use image::{ImageConfig, scan_image_config};
pub use pss::{Level, PssVersion, Violation, pss_verdict};
pub use rules::{rule, rules};
pub use terraform::{scan_terraform_files, scan_terraform_plan};

use rampart_core::{Diagnostic, Severity};
use serde::Serialize;

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// Pod Security Standards profile workloads are held to (`None` skips the PSS controls).
    pub pss_level: Option<Level>,
    /// Policy version the PSS controls are evaluated as.
    pub pss_version: PssVersion,
    /// Let a `Namespace` in the scan that carries `pod-security.kubernetes.io/enforce` (and
    /// `enforce-version`) labels choose the profile and version for its own workloads, as
    /// Pod Security admission would.
    pub namespace_labels: bool,
    /// Parser limits (size, alias expansion, depth).
    pub limits: yaml::Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pss_level: Some(Level::Restricted),
            pss_version: PssVersion::LATEST,
            namespace_labels: true,
            limits: yaml::Limits::default(),
        }
    }
}

/// One misconfiguration found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Misconfiguration {
    /// Rule id (`k8s-privileged`).
    pub rule_id: String,
    /// Rule title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// The resource (`Deployment/ns/name`, or `Kind/name` without a namespace).
    pub resource: String,
    /// The file.
    pub file: String,
    /// 1-based line of the offending setting, or of the resource.
    pub line: u32,
    /// Controls of standards the rule maps to.
    pub frameworks: Vec<String>,
    /// How to fix it.
    pub remediation: String,
    /// What exactly is wrong here.
    pub message: String,
}

/// Check every Kubernetes object in one file.
///
/// Documents that are not Kubernetes objects are skipped (one info diagnostic per file says
/// so when nothing in it was a Kubernetes object), and so are unrendered Helm templates that
/// do not parse (an info diagnostic). Invalid YAML and inputs past the limits are errors
/// naming the file and line. Checks that need every document of a scan (for
/// instance the default-deny NetworkPolicy check) see only this file's documents here; use
/// [`scan_k8s_files`] to scan several files together.
pub fn scan_k8s(
    path: &str,
    text: &str,
    cfg: &Config,
) -> Result<(Vec<Misconfiguration>, Vec<Diagnostic>), MisconfigError> {
    let docs = match yaml::parse_documents(path, text, cfg.limits) {
        Ok(docs) => docs,
        Err(e @ MisconfigError::Syntax { .. }) if text.contains("{{") => {
            // An unrendered Helm or Go template: not an error of the file, but nothing to check.
            let d = Diagnostic {
                level: rampart_core::Level::Info,
                message: format!(
                    "unrendered template ({{{{ ... }}}}); render it first (helm template) to check it: {e}"
                ),
                ..error_diagnostic(path, &e)
            };
            return Ok((Vec::new(), vec![d]));
        }
        Err(e) => return Err(e),
    };
    Ok(checks::run(&[(path, docs)], cfg))
}

/// Check several files as one scan, so cross-document checks (default-deny NetworkPolicy
/// per namespace) see all of them. A file that cannot be parsed becomes a warning
/// diagnostic naming it and the line, and the other files are still checked.
pub fn scan_k8s_files(
    files: &[(&str, &str)],
    cfg: &Config,
) -> (Vec<Misconfiguration>, Vec<Diagnostic>) {
    let mut parsed = Vec::with_capacity(files.len());
    let mut diags = Vec::new();
    for (path, text) in files {
        match yaml::parse_documents(path, text, cfg.limits) {
            Ok(docs) => parsed.push((*path, docs)),
            Err(e) => diags.push(error_diagnostic(path, &e)),
        }
    }
    let (found, mut more) = checks::run(&parsed, cfg);
    diags.append(&mut more);
    (found, diags)
}

pub(crate) fn error_diagnostic(path: &str, e: &MisconfigError) -> Diagnostic {
    let d = Diagnostic::warning(path, e.to_string());
    match e {
        MisconfigError::Syntax { line, .. }
        | MisconfigError::Hcl { line, .. }
        | MisconfigError::Plan { line, .. }
        | MisconfigError::Limit { line, .. }
        | MisconfigError::Policy { line, .. } => d.at_line(*line),
        MisconfigError::PssVersion(_) => d,
    }
}
