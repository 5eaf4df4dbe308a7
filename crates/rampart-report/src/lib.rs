//! rampart-report.
