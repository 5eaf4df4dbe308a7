//! rampart-version.
