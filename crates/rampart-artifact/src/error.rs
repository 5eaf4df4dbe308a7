//! The one error type of this crate: the whole input cannot be read.
//!
//! Problems that spoil only part of an artifact (one layer, one entry) are not errors: they
//! become [`rampart_core::Diagnostic`]s in [`crate::Walk`].

use std::path::PathBuf;

/// Why an artifact could not be opened or walked at all.
///
/// Every variant names the file and the reason, so a caller can print it on one line.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// The operating system refused a read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The input is of no kind this crate reads.
    #[error("{}: not a recognised artifact: {reason}", path.display())]
    Unrecognized {
        /// The input.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The input has the right kind but is broken (bad JSON, missing manifest, ...).
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The input, or the member of it, that is broken.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A [`crate::Visitor`] gave up on a file.
    #[error("{path}: {reason}")]
    Visitor {
        /// The path of the file inside the artifact.
        path: String,
        /// Why the visitor stopped.
        reason: String,
    },
}

impl ArtifactError {
    /// The error a [`crate::Visitor`] returns to stop the walk at `path`.
    pub fn visitor(path: impl Into<String>, reason: impl Into<String>) -> Self {
        ArtifactError::Visitor {
            path: path.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ArtifactError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ArtifactError::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
