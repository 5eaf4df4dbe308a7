//! Detection engine: Falco and Sigma rules compiled into one ruleset, matched against
//! normalized events to produce alerts.
//!
//! - [`event`]: the normalized [`event::Event`] and its JSON-lines form.
//! - [`input`]: readers for rampart, Kubernetes audit, CloudTrail and JSON-lines input.
//! - [`falco`]: Falco rule files → [`falco::Ruleset`] → [`falco::Alert`].
//! - [`fields`]: the [`fields::FieldSource`] trait rule engines read events through.
//! - [`rawjson`]: [`rawjson::RawJson`], audit and JSON documents read in place.
//! - [`sigma`]: Sigma rules.
//! - [`engine`]: [`engine::Detector`], both rule languages over one event stream.
//! - [`noise`]: de-duplication and rate limiting with suppressed counts.
//! - [`output`]: alert outputs (writer, file, webhook, syslog).
//! - [`pipeline`]: [`pipeline::AlertPipeline`], noise control followed by the outputs.
//! - [`receiver`] (feature `net`): the Kubernetes audit webhook receiver (HTTP or HTTPS).
#![deny(missing_docs)]

pub mod engine;
pub mod error;
pub mod event;
pub mod falco;
pub mod fields;
pub mod input;
pub mod noise;
pub mod output;
pub mod pipeline;
pub mod rawjson;
#[cfg(feature = "net")]
pub mod receiver;
pub mod sigma;
pub mod strhash;

pub use error::DetectError;
