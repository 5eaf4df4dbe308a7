//! The one error type of rampart-misconfig: what went wrong, in which file, at which line.

/// Why a file could not be scanned at all.
#[derive(Debug, thiserror::Error)]
pub enum MisconfigError {
    /// The text is not valid YAML (or JSON).
    #[error("{path}: line {line}: invalid YAML: {reason}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: u32,
        /// What the parser said.
        reason: String,
    },
    /// The text is not valid HCL (Terraform).
    #[error("{path}: line {line}: invalid HCL: {reason}")]
    Hcl {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: u32,
        /// What the parser said.
        reason: String,
    },
    /// The text is not a Terraform plan in JSON (`terraform show -json`).
    #[error("{path}: line {line}: invalid Terraform plan JSON: {reason}")]
    Plan {
        /// The file.
        path: String,
        /// 1-based line of the problem.
        line: u32,
        /// What is wrong.
        reason: String,
    },
    /// The input exceeds a safety limit (size, alias expansion, nesting depth).
    #[error("{path}: line {line}: {reason}")]
    Limit {
        /// The file.
        path: String,
        /// 1-based line where the limit was reached (1 for whole-file limits).
        line: u32,
        /// Which limit and its value.
        reason: String,
    },
    /// A Rego policy or data document is invalid, or evaluating it failed.
    #[error("{path}: line {line}: {reason}")]
    Policy {
        /// The policy (or data) file.
        path: String,
        /// 1-based line of the problem.
        line: u32,
        /// What went wrong.
        reason: String,
    },
    /// A Pod Security Standards version string is not of the form `v1.N` or `latest`.
    #[error("invalid Pod Security Standards version {0:?} (expected \"latest\" or \"v1.N\")")]
    PssVersion(String),
}
