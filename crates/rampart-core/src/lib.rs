//! Shared types of rampart.
//!
//! This crate owns the vocabulary that every engine speaks: [`Package`], [`Ecosystem`],
//! [`Severity`], [`Diagnostic`] and [`RuleMeta`]. It does no IO and knows no file format;
//! engines (inventory, vulnerability matching, misconfiguration, secrets, detection) meet
//! only through these types.
//!
//! ```
//! use rampart_core::{Ecosystem, Package};
//! let pkg = Package::new("serde", "1.0.200", Ecosystem::Cargo);
//! assert_eq!(pkg.purl, "pkg:cargo/serde@1.0.200");
//! ```
#![deny(missing_docs)]

mod diagnostic;
mod package;
pub mod purl;
mod rule;
mod severity;

pub use diagnostic::{Diagnostic, Level};
pub use package::{Ecosystem, OsInfo, Package, Scope, default_purl};
pub use rule::RuleMeta;
pub use severity::{Severity, UnknownSeverity};
