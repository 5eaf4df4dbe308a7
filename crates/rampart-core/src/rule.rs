//! Metadata every rule carries, whether built in or loaded from a rule file.

use crate::Severity;
use serde::{Deserialize, Serialize};

/// The one description of a rule: what `rampart rules list`, the generated docs and the
/// SARIF `rules[]` array are made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Short, stable id prefixed by domain (`k8s-privileged`, `secret-aws-access-key`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Default severity of its findings.
    pub severity: Severity,
    /// What it flags and why that is a risk.
    pub description: String,
    /// How to fix a finding.
    pub remediation: String,
    /// Controls of named standards this rule maps to (`"k8s-pss-baseline:privileged"`).
    #[serde(default)]
    pub frameworks: Vec<String>,
    /// Links to the standard or the provider's documentation.
    #[serde(default)]
    pub references: Vec<String>,
}
