//! Sigma rules.
