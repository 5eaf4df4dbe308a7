//! Ruby: Bundler `Gemfile.lock` / `gems.locked` and installed `specifications/*.gemspec`.
//!
//! From a lockfile, the gems under `GEM`, `GIT` and `PATH` sections are reported (a `PATH`
//! gem is vendored source, but its name and version are still those of the gem); platform
//! suffixes (`1.11.7-x86_64-linux`) are dropped from versions, so one gem locked for several
//! platforms is reported once. Gemfile groups are not recorded in the lockfile, so no scope
//! is set.

use super::{Parsed, dedup, package, text};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem};

const ECO: Ecosystem = Ecosystem::RubyGems;

pub(crate) fn parse_gemfile_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = text(path, data)?;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut section = "";
    let mut in_specs = false;
    for (i, line) in s.lines().enumerate() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim();
            in_specs = false;
            continue;
        }
        if line.trim_end() == "  specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs || !matches!(section, "GEM" | "GIT" | "PATH") {
            continue;
        }
        // Specs sit at four spaces; their own dependencies at six.
        let indent = line.len() - line.trim_start().len();
        if indent != 4 {
            continue;
        }
        let spec = line.trim();
        let parsed = spec.split_once(" (").and_then(|(name, rest)| {
            let version = rest.strip_suffix(')')?;
            let version = version.split('-').next()?;
            (!name.is_empty() && !version.is_empty()).then_some((name, version))
        });
        match parsed {
            Some((name, version)) => pkgs.push(package(ECO, name, version, path)),
            None => diags.push(
                Diagnostic::warning(path, format!("cannot read gem spec {spec:?}")).at_line(lineno),
            ),
        }
    }
    Ok((dedup(pkgs), diags))
}

/// The first double- or single-quoted string in `s`.
fn first_quoted(s: &str) -> Option<&str> {
    let start = s.find(['"', '\''])?;
    let q = s.get(start..start + 1)?;
    let rest = s.get(start + 1..)?;
    let end = rest.find(q)?;
    rest.get(..end)
}

pub(crate) fn parse_gemspec(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = String::from_utf8_lossy(data);
    let mut name = None;
    let mut version = None;
    for line in s.lines() {
        let t = line.trim();
        let Some((lhs, rhs)) = t.split_once('=') else {
            continue;
        };
        let lhs = lhs.trim();
        if name.is_none() && lhs.ends_with(".name") {
            name = first_quoted(rhs);
        } else if version.is_none() && lhs.ends_with(".version") {
            version = first_quoted(rhs);
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Ok((vec![package(ECO, n, v, path)], Vec::new()))
        }
        _ => Err(InventoryError::parse(path, "no gem name and version found")),
    }
}
