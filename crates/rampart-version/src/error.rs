//! The crate's error type.

use crate::Scheme;

/// Why a version or range was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The version does not follow the scheme's syntax.
    #[error("invalid {scheme} version {version:?}: {reason}")]
    Invalid {
        /// The scheme that rejected it.
        scheme: Scheme,
        /// The rejected input.
        version: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An npm range does not parse.
    #[error("invalid npm range {range:?}: {reason}")]
    Range {
        /// The rejected input.
        range: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}
