//! The one report rampart writes, and the writers that turn it into each output format.
//!
//! A [`Report`] is what every scan produces, whatever its target or scanners: the artifact,
//! its packages and every finding. It is built by the CLI from the engines' results; this
//! crate only holds the schema (`schemas/report.schema.json` documents it) and renders it.
//! Choosing a format and an exit code is the CLI's job.
//!
//! ```
//! use rampart_report::{Artifact, Report};
//! let report = Report::new(Artifact::new("filesystem", "."), "2026-01-01T00:00:00Z");
//! let json = rampart_report::json::to_string(&report).unwrap();
//! assert!(json.contains("\"schema_version\""));
//! ```
#![deny(missing_docs)]

pub mod cyclonedx;
pub mod json;
mod model;
pub mod sarif;
pub mod spdx;
pub mod table;

pub use model::*;

/// A report that cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Serialization failed.
    #[error("cannot serialize report: {0}")]
    Serialize(#[from] serde_json::Error),
    /// Writing to the output failed.
    #[error("cannot write report: {0}")]
    Io(#[from] std::io::Error),
}
