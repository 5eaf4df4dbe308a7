//! Package inventory: which packages an image, root filesystem or source tree holds.
//!
//! Parsers here work on bytes already read by `rampart-artifact`; they never open files
//! themselves. `os` reads operating-system package databases (dpkg, apk, rpm) and detects the
//! OS; `lang` reads language lockfiles, installed-package metadata and binaries.
#![deny(missing_docs)]

pub mod collect;
pub mod lang;
pub mod os;

/// An input that cannot be read at all. Recoverable problems inside an otherwise readable
/// input are returned as [`rampart_core::Diagnostic`]s beside the packages instead.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// The file is not in the format its name promises.
    #[error("{path}: {reason}")]
    Parse {
        /// File (relative to the scanned root or inside the image).
        path: String,
        /// One-line reason.
        reason: String,
    },
}

impl InventoryError {
    /// A parse error for `path`.
    pub fn parse(path: impl Into<String>, reason: impl Into<String>) -> Self {
        InventoryError::Parse {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
