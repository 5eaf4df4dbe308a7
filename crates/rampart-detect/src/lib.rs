//! Detection engine: Falco and Sigma rules compiled into one ruleset, matched against
//! normalized events to produce alerts.
//!
//! - [`event`]: the normalized [`event::Event`] and its JSON-lines form.
//! - [`input`]: readers for rampart, Kubernetes audit, CloudTrail and JSON-lines input.
//! - [`falco`]: Falco rule files → [`falco::Ruleset`] → [`falco::Alert`].
//! - [`fields`]: the [`fields::FieldSource`] trait rule engines read events through.
//! - [`sigma`]: Sigma rules.
#![deny(missing_docs)]

pub mod error;
pub mod event;
pub mod falco;
pub mod fields;
pub mod input;
pub mod sigma;

pub use error::DetectError;
