//! Secret scanning engine of rampart.
//!
//! This crate finds credentials in bytes handed to it: a file from a directory, a file of
//! an image layer (deleted or not), an image config. It reads no files and walks no
//! images itself; the caller supplies `path` and contents, and records the layer on the
//! findings it gets back.
//!
//! How it works: every rule in [`rules()`] lists lower-case keywords. One pass finds all
//! keywords (ASCII case-insensitive; Hyperscan's literal matcher when the build linked
//! `libhs`, an Aho-Corasick DFA otherwise — see [`Scanner::prefilter`]); only the rules
//! whose keyword occurs run their regex, and only on a window around the keyword (the
//! line, or a bounded block for PEM keys). Regexes are `regex::bytes` (linear time).
//! Binary files (a NUL byte in the first 8 KiB) are only checked by magic bytes and for
//! PEM private keys; oversize files are skipped; both are counted in [`Stats`].
//!
//! A [`SecretFinding`] never carries the secret: only [`SecretFinding::redacted`] (up to
//! four leading characters and a short hash) and a fingerprint for baselines.
//!
//! ```
//! use rampart_secrets::{Config, Scanner, Stats};
//! let scanner = Scanner::new(&Config::default()).unwrap();
//! let mut findings = Vec::new();
//! let mut stats = Stats::default();
//! let token = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
//! scanner.scan("app/.env", format!("GITHUB_TOKEN={token}\n").as_bytes(), &mut findings, &mut stats);
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule_id, "secret-github-pat");
//! assert_eq!((findings[0].line, findings[0].column), (1, 14));
//! assert!(!format!("{:?}", findings[0]).contains(&token));
//! ```
#![deny(missing_docs)]

mod config;
mod engine;
#[cfg(hyperscan)]
mod hyperscan;
mod keywords;
mod redact;
mod rule;
mod rules;

pub use config::{Allowlist, Config, DEFAULT_MAX_FILE_SIZE};
pub use engine::Scanner;
pub use redact::{is_placeholder, is_template, redact, sha256_hex, shannon_entropy};
pub use rule::{SecretRule, ValueFilter, Window};
pub use rules::rules;

use rampart_core::{Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Errors of the secret engine.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A configuration file could not be parsed.
    #[error("{path}: {reason}")]
    Config {
        /// Where the configuration came from.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A built-in rule's regex failed to compile (a bug caught by the tests).
    #[error("rule {id}: invalid pattern: {reason}")]
    Rule {
        /// Rule id.
        id: String,
        /// The regex compiler's message.
        reason: String,
    },
    /// An allowlist path glob could not be compiled.
    #[error("allowlist path glob {glob:?}: {reason}")]
    Glob {
        /// The glob as written.
        glob: String,
        /// Why it was refused.
        reason: String,
    },
    /// The keyword automaton could not be built.
    #[error("keyword prefilter: {0}")]
    Prefilter(String),
}

/// One secret found in one file. Carries no secret value, only its redacted form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// Id of the rule that matched (`secret-github-pat`).
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// The rule's severity.
    pub severity: Severity,
    /// Path of the file, as given to [`Scanner::scan`].
    pub path: String,
    /// 1-based line of the secret (of the opening line for multi-line keys).
    pub line: u32,
    /// 1-based column, in bytes from the start of the line.
    pub column: u32,
    /// Up to four leading characters, `…`, and `sha256:` with 12 hex digits of the hash.
    pub redacted: String,
    /// Stable identity for baselines: `<rule id>:<path>:<32 hex digits of the value hash>`.
    pub fingerprint: String,
    /// Digest of the image layer holding the file, set by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Digest of the layer that deleted the file, set by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in_layer: Option<String>,
}

impl fmt::Display for SecretFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}] {} ({})",
            self.path,
            self.line,
            self.column,
            self.severity,
            self.rule_id,
            self.title,
            self.redacted
        )
    }
}

/// Counters of one or more scans; merge per-thread stats with [`Stats::merge`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Files whose text was scanned.
    pub files_scanned: u64,
    /// Bytes of those files.
    pub bytes_scanned: u64,
    /// Binary files (NUL byte in the first 8 KiB): only magic and PEM checks ran.
    pub skipped_binary: u64,
    /// Files over `max_file_size`: not scanned at all.
    pub skipped_oversize: u64,
    /// Files matched by an allowlist path glob: not scanned.
    pub skipped_path_allowlist: u64,
    /// Findings reported.
    pub findings: u64,
    /// Findings suppressed by an inline `rampart:ignore` comment.
    pub suppressed_inline: u64,
    /// Findings suppressed by the value-hash allowlist.
    pub suppressed_value: u64,
    /// Recoverable problems (skipped files), one per file.
    pub diagnostics: Vec<Diagnostic>,
}

impl Stats {
    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: Stats) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.skipped_binary += other.skipped_binary;
        self.skipped_oversize += other.skipped_oversize;
        self.skipped_path_allowlist += other.skipped_path_allowlist;
        self.findings += other.findings;
        self.suppressed_inline += other.suppressed_inline;
        self.suppressed_value += other.suppressed_value;
        self.diagnostics.extend(other.diagnostics);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Scanner>();
    }
}
