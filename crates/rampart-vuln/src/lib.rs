//! Vulnerability data and matching.
//!
//! Feeds (OSV, the Debian Security Tracker JSON, Alpine secdb, NVD) are imported into
//! normalized [`Advisory`] records ([`import`]), stored in one read-only file ([`db::Db`])
//! and matched against installed packages ([`matcher::match_packages`]) with each ecosystem's
//! own version ordering (`rampart-version`).
//!
//! **Invariant:** this crate does no network IO. `rampart db update` downloads in the CLI and
//! hands the files to [`import`].
//!
//! ```
//! use rampart_vuln::{db::Db, import::{import_bytes, Sink}, matcher::{match_packages, MatchConfig}};
//! use rampart_core::{Ecosystem, Package};
//! let osv = br#"{"id":"RUSTSEC-2024-0001","aliases":["CVE-2024-0001"],"affected":[{"package":
//!   {"ecosystem":"crates.io","name":"foo"},"ranges":[{"type":"SEMVER","events":[
//!   {"introduced":"0"},{"fixed":"1.2.0"}]}]}]}"#;
//! let mut sink = Sink::default();
//! import_bytes("foo.json", osv, &mut sink);
//! let db = Db::from_sink(sink, vec![], 0);
//! let pkgs = [Package::new("foo", "1.1.0", Ecosystem::Cargo)];
//! let found = match_packages(&db, &pkgs, None, &MatchConfig::default());
//! assert_eq!(found[0].id, "CVE-2024-0001");
//! assert_eq!(found[0].fixed_version.as_deref(), Some("1.2.0"));
//! ```
#![deny(missing_docs)]

pub mod cvss;
pub mod db;
pub mod import;
mod index;
pub mod matcher;
pub mod model;

pub use model::{Advisory, Affected, AffectedStatus, CveInfo, CvssScore, Event, Range};

use std::path::Path;

/// What can go wrong with feeds and database files.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A feed file is unusable as a whole.
    #[error("{path}: {reason}")]
    Feed {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A database file is unusable.
    #[error("{path}: {reason}")]
    Db {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl VulnError {
    /// An IO error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        VulnError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
