//! rampart-misconfig.
