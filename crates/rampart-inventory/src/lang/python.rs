//! Python: pip `requirements*.txt`, `poetry.lock`, `Pipfile.lock`, `uv.lock`, and installed
//! `*.dist-info/METADATA` / `*.egg-info/PKG-INFO`.
//!
//! Requirements files only yield exactly pinned (`==`, `===`) requirements; includes
//! (`-r`, `-c`) are not followed, since this module never opens files: they become
//! diagnostics so the caller can see what was left out.

use super::{Parsed, dedup, info, json, package, text, toml_de};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, Scope};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

const ECO: Ecosystem = Ecosystem::PyPI;

// ---------------------------------------------------------------- requirements.txt

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// One requirement line (continuations joined, comments removed) → pinned (name, version).
fn pinned(line: &str) -> Option<(&str, &str)> {
    // Drop per-requirement options (`--hash=…`, `-C x`): everything from the first token
    // starting with '-'.
    let end = line
        .char_indices()
        .find(|&(i, c)| {
            c == '-'
                && i > 0
                && line
                    .get(..i)
                    .is_some_and(|s| s.ends_with(char::is_whitespace))
        })
        .map_or(line.len(), |(i, _)| i);
    let req = line.get(..end)?;
    let req = req.split(';').next()?.trim();
    if req.contains('@') {
        return None; // direct URL reference
    }
    let op = req.find(['=', '<', '>', '!', '~'])?;
    let name = req.get(..op)?;
    let name = name.split('[').next()?.trim();
    if !valid_name(name) {
        return None;
    }
    let specs = req.get(op..)?;
    specs.split(',').find_map(|spec| {
        let spec = spec.trim();
        let v = spec
            .strip_prefix("===")
            .or_else(|| spec.strip_prefix("=="))?
            .trim();
        let ok = !v.is_empty()
            && !v.contains('*')
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '!'));
        ok.then_some((name, v))
    })
}

pub(crate) fn parse_requirements(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = text(path, data)?;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut logical = String::new();
    let mut start_line = 0u32;
    for (i, raw) in s.lines().enumerate() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if logical.is_empty() {
            start_line = lineno;
        }
        let stripped = strip_comment(raw);
        if let Some(cont) = stripped.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(stripped);
        let line = std::mem::take(&mut logical);
        requirement_line(path, line.trim(), start_line, &mut pkgs, &mut diags);
    }
    // A continuation on the last line ends the requirement there.
    requirement_line(path, logical.trim(), start_line, &mut pkgs, &mut diags);
    Ok((dedup(pkgs), diags))
}

fn requirement_line(
    path: &str,
    line: &str,
    start_line: u32,
    pkgs: &mut Vec<rampart_core::Package>,
    diags: &mut Vec<Diagnostic>,
) {
    {
        if line.is_empty() {
            return;
        }
        if line.starts_with('-') {
            let mut words = line.split_whitespace();
            let opt = words.next().unwrap_or("");
            let (flag, inline) = opt.split_once('=').unwrap_or((opt, ""));
            if matches!(flag, "-r" | "--requirement" | "-c" | "--constraint") {
                let target = if inline.is_empty() {
                    words.next().unwrap_or("")
                } else {
                    inline
                };
                diags.push(
                    info(path, format!("included file {target} is not followed"))
                        .at_line(start_line),
                );
            } else if let Some(target) = opt.strip_prefix("-r").or_else(|| opt.strip_prefix("-c")) {
                diags.push(
                    info(path, format!("included file {target} is not followed"))
                        .at_line(start_line),
                );
            }
            return;
        }
        if let Some((name, version)) = pinned(line) {
            pkgs.push(package(ECO, name, version, path));
        }
    }
}

/// A requirements line without its comment (`#` at the start or after whitespace).
fn strip_comment(line: &str) -> &str {
    let b = line.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b.get(i - 1).is_some_and(|p| p.is_ascii_whitespace())) {
            return line.get(..i).unwrap_or(line).trim_end();
        }
    }
    line.trim_end()
}

// ---------------------------------------------------------------- poetry.lock

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    groups: Option<Vec<String>>,
}

pub(crate) fn parse_poetry_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: PoetryLock = toml_de(path, data)?;
    let pkgs = lock
        .package
        .into_iter()
        .map(|p| {
            let mut pkg = package(ECO, &p.name, &p.version, path);
            let dev = match (&p.groups, &p.category) {
                (Some(groups), _) => !groups.is_empty() && !groups.iter().any(|g| g == "main"),
                (None, Some(cat)) => cat == "dev",
                (None, None) => false,
            };
            pkg.scope = if dev {
                Some(Scope::Dev)
            } else if p.optional {
                Some(Scope::Optional)
            } else {
                None
            };
            pkg
        })
        .collect();
    Ok((dedup(pkgs), Vec::new()))
}

// ---------------------------------------------------------------- Pipfile.lock

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: Option<BTreeMap<String, PipfileEntry>>,
    #[serde(default)]
    develop: Option<BTreeMap<String, PipfileEntry>>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    #[serde(default)]
    version: Option<String>,
}

pub(crate) fn parse_pipfile_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: PipfileLock = json(path, data)?;
    let mut pkgs = Vec::new();
    for (section, scope) in [(lock.default, None), (lock.develop, Some(Scope::Dev))] {
        for (name, entry) in section.unwrap_or_default() {
            // Git, path and editable entries carry no version.
            let Some(v) = entry.version.as_deref() else {
                continue;
            };
            let v = v
                .strip_prefix("===")
                .or_else(|| v.strip_prefix("=="))
                .unwrap_or(v);
            if v.is_empty() || v == "*" {
                continue;
            }
            let mut p = package(ECO, &name, v, path);
            p.scope = scope;
            pkgs.push(p);
        }
    }
    Ok((dedup(pkgs), Vec::new()))
}

// ---------------------------------------------------------------- uv.lock

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Table>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, Vec<UvDep>>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
}

impl UvPackage {
    /// The project itself (or a workspace member): editable or virtual sources.
    fn is_local(&self) -> bool {
        self.source
            .as_ref()
            .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
    }
}

pub(crate) fn parse_uv_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: UvLock = toml_de(path, data)?;
    let by_name: HashMap<&str, &UvPackage> =
        lock.package.iter().map(|p| (p.name.as_str(), p)).collect();
    // Reachability from the local projects: through regular and optional dependencies
    // (runtime), and through dev groups (dev).
    let roots: Vec<&UvPackage> = lock.package.iter().filter(|p| p.is_local()).collect();
    let walk = |with_dev: bool| {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&str> = Vec::new();
        for r in &roots {
            stack.extend(r.dependencies.iter().map(|d| d.name.as_str()));
            stack.extend(
                r.optional_dependencies
                    .values()
                    .flatten()
                    .map(|d| d.name.as_str()),
            );
            if with_dev {
                stack.extend(
                    r.dev_dependencies
                        .values()
                        .flatten()
                        .map(|d| d.name.as_str()),
                );
            }
        }
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Some(p) = by_name.get(n) {
                stack.extend(p.dependencies.iter().map(|d| d.name.as_str()));
                stack.extend(
                    p.optional_dependencies
                        .values()
                        .flatten()
                        .map(|d| d.name.as_str()),
                );
            }
        }
        seen
    };
    let runtime = walk(false);
    let all = walk(true);
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    for p in &lock.package {
        if p.is_local() {
            continue;
        }
        let Some(version) = p.version.as_deref().filter(|v| !v.is_empty()) else {
            diags.push(Diagnostic::warning(
                path,
                format!("{}: package without a version", p.name),
            ));
            continue;
        };
        let mut pkg = package(ECO, &p.name, version, path);
        if !roots.is_empty() && !runtime.contains(p.name.as_str()) && all.contains(p.name.as_str())
        {
            pkg.scope = Some(Scope::Dev);
        }
        pkgs.push(pkg);
    }
    Ok((dedup(pkgs), diags))
}

// ---------------------------------------------------------------- METADATA / PKG-INFO

pub(crate) fn parse_metadata(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = String::from_utf8_lossy(data);
    let mut name = None;
    let mut version = None;
    for line in s.lines() {
        if line.trim().is_empty() {
            break; // the body (long description) starts here
        }
        if let Some((k, v)) = line.split_once(':') {
            match k {
                "Name" if name.is_none() => name = Some(v.trim().to_string()),
                "Version" if version.is_none() => version = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Ok((vec![package(ECO, &n, &v, path)], Vec::new()))
        }
        _ => Err(InventoryError::parse(path, "no Name and Version headers")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins() {
        assert_eq!(pinned("docopt == 0.6.1"), Some(("docopt", "0.6.1")));
        assert_eq!(pinned("pyjwt [crypto] == 2.1.0"), Some(("pyjwt", "2.1.0")));
        assert_eq!(
            pinned("foo5==1.0; python_version < \"2.7\" --hash=sha256:123"),
            Some(("foo5", "1.0"))
        );
        assert_eq!(pinned("foo17--hash==1.0"), Some(("foo17--hash", "1.0")));
        assert_eq!(pinned("yolo===1.0"), Some(("yolo", "1.0")));
        assert_eq!(pinned("requests [security] >= 2.8.1, == 2.8.* ; x"), None);
        assert_eq!(pinned("keyring >= 4.1.1"), None);
        assert_eq!(pinned("foo10== --hash=sha256:123"), None);
        assert_eq!(pinned("qwert==${MY_VARIABLE_1}"), None);
    }
}
