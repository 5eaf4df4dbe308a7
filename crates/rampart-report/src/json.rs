//! The JSON report (`--format json`), rampart's own schema.

use crate::{Report, ReportError};

/// The report as pretty-printed JSON.
pub fn to_string(report: &Report) -> Result<String, ReportError> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
