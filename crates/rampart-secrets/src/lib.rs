//! rampart-secrets.
