//! The sensor's one error type.

use std::path::PathBuf;

/// What stopped the sensor from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum SensorError {
    /// The kernel exposes no BTF, which CO-RE programs need.
    #[error(
        "{}: no kernel BTF; the sensor needs a kernel built with CONFIG_DEBUG_INFO_BTF=y",
        path.display()
    )]
    NoBtf {
        /// Where BTF was looked for.
        path: PathBuf,
    },
    /// The process lacks a capability the sensor needs.
    #[error("missing capability {missing}: run as root or grant {missing}")]
    Privilege {
        /// The capability names, `CAP_BPF and CAP_PERFMON` style.
        missing: String,
    },
    /// The kernel refused the programs or maps.
    #[error("loading the BPF programs: {0}")]
    Load(String),
    /// A program could not be attached.
    #[error("attaching {program}: {reason}")]
    Attach {
        /// The program.
        program: &'static str,
        /// The kernel's answer.
        reason: String,
    },
    /// A rule file could not be read (for the open filter).
    #[error("{}: {reason}", path.display())]
    Rules {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Reading the ring buffer failed.
    #[error("reading the ring buffer: {0}")]
    Ring(String),
}
