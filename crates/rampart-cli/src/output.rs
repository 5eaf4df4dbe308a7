//! Rendering a report in the chosen format and writing it whole: to stdout, or to a file
//! through a temporary file renamed into place, so a failed run never leaves half a report.

use crate::cli::Format;
use anyhow::{Context, Result};
use rampart_report::Report;
use std::io::Write;
use std::path::Path;

/// The report in `format`.
pub fn render(report: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Table => rampart_report::table::to_string(report),
        Format::Json => rampart_report::json::to_string(report)?,
        Format::Cyclonedx => rampart_report::cyclonedx::to_string(report)?,
        Format::SpdxJson => rampart_report::spdx::to_string(report)?,
        Format::Sarif => rampart_report::sarif::to_string(report)?,
    })
}

/// Write `text` to `path`, or to stdout when `path` is `None`. A closed stdout (a pipe into
/// `head`) is not an error.
pub fn write(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("stdout"),
            }
        }
        Some(p) if p.exists() && !p.is_file() => {
            // A device or a pipe (`/dev/null`, `/dev/stdout`): nothing to replace atomically.
            std::fs::write(p, text).with_context(|| format!("{}", p.display()))
        }
        Some(p) => {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("{}", dir.display()))?;
            tmp.write_all(text.as_bytes())
                .with_context(|| format!("{}", p.display()))?;
            tmp.persist(p).with_context(|| format!("{}", p.display()))?;
            Ok(())
        }
    }
}
