//! Artifacts read as one layered filesystem, streamed, never extracted.
//!
//! rampart-artifact opens container images (`docker save` archives, OCI layouts and OCI
//! archives), root filesystems, plain directories and zip files, and walks them:
//! every regular file of every layer is streamed to a [`Visitor`] in layer order, and
//! whiteouts are applied to build the final view ([`FileIndex`]): which path is visible,
//! from which layer, and which files later layers deleted or replaced.
//!
//! It owns formats and layering only; what files mean (packages, secrets, malware) is left
//! to the engines that visit them.
//!
//! ```
//! use rampart_artifact::{Limits, collect, open};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir().join(format!("rampart-artifact-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("etc"))?;
//! std::fs::write(dir.join("etc/hostname"), "box\n")?;
//! let artifact = open(&dir)?;
//! let got = collect(&artifact, &Limits::default(), |p| p == "etc/hostname")?;
//! assert_eq!(got.files[0].data, b"box\n");
//! assert!(got.files[0].visible);
//! assert_eq!(got.walk.index.len(), 2); // etc, etc/hostname
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(()) }
//! ```
//!
//! Memory is bounded: the index holds metadata only, layer members of archives are read
//! in place at their offsets, and [`Limits`] caps bytes per file, total uncompressed bytes,
//! entries and compression ratio. A damaged part of an input becomes a
//! [`rampart_core::Diagnostic`] in [`Walk::diagnostics`]; only an unusable input is an
//! [`ArtifactError`].
//!
//! What is left to consumers: archives nested in the artifact (jars, wheels, zips inside a
//! zip) are ordinary files here; hard links are recorded in the index
//! ([`EntryKind::Hardlink`]) but their data is handed to visitors only once, under the
//! target's path. With the cargo feature `registry`, `registry::pull` downloads an image
//! from an OCI distribution registry and opens it.
#![deny(missing_docs)]

mod config;
mod error;
mod index;
mod limits;
mod meter;
mod open;
mod path;
#[cfg(feature = "registry")]
pub mod registry;
mod walk;

pub use config::{HistoryEntry, ImageConfig};
pub use error::ArtifactError;
pub use index::{DeletedFile, DeletionReason, EntryKind, FileIndex, FileRecord};
pub use limits::Limits;
pub use open::{Artifact, ArtifactKind, LayerInfo, OpenOptions, open, open_as, open_with};
pub use walk::{Collected, CollectedFile, Entry, Visitor, Walk, collect, fuzz_tar_layer, walk};
