//! rampart-artifact.
