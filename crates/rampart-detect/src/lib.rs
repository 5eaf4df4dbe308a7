//! Detection engine: Falco and Sigma rules compiled into one ruleset, matched against
//! normalized events to produce alerts.
#![deny(missing_docs)]

pub mod fields;
pub mod sigma;
