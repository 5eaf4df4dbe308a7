//! The crate's error type: every failure names the file (and line, when there is one).

use std::path::PathBuf;

/// Errors of the detection engine.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    /// A rule file is not valid YAML or not a valid rule file.
    #[error("{path}: line {line}: {reason}")]
    RuleFile {
        /// The rule file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An input file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input file is not in the expected format.
    #[error("{path}: {reason}")]
    Input {
        /// The file being read.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}
