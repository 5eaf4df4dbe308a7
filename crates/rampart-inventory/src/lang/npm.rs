//! npm-family lockfiles: `package-lock.json` (v1–v3), `yarn.lock` (classic and Berry),
//! `pnpm-lock.yaml` (v5, v6, v9) and installed `node_modules/**/package.json`.
//!
//! Local packages (workspace members, `file:`/`link:` dependencies, symlinks) are not
//! reported: they are not published packages and no advisory can name them.
//!
//! `package-lock.json` is read into targeted structs that borrow from the input, its
//! `packages` object as pairs in file order (no map is built): a generated 5,000-entry,
//! 1.3 MB lockfile parses in about 5 ms in a release build (2.5 ms of it JSON), where a
//! `serde_json::Value` tree of the same bytes takes 18 ms (2 shared cores, measured by hand).

use super::{Parsed, dedup, json, package, text, yaml};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, Package, Scope};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

const ECO: Ecosystem = Ecosystem::Npm;

// ---------------------------------------------------------------- package-lock.json

#[derive(Deserialize)]
struct PackageLock<'a> {
    #[serde(default, borrow, deserialize_with = "map_in_order")]
    packages: Option<Vec<(Cow<'a, str>, LockEntry<'a>)>>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Dep>>,
}

#[derive(Deserialize)]
struct LockEntry<'a> {
    #[serde(default, borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    version: Option<Cow<'a, str>>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default, rename = "devOptional")]
    dev_optional: bool,
    #[serde(default)]
    link: bool,
}

#[derive(Deserialize)]
struct V1Dep {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Dep>>,
}

fn scope_of(dev: bool, optional: bool) -> Option<Scope> {
    if dev {
        Some(Scope::Dev)
    } else if optional {
        Some(Scope::Optional)
    } else {
        None
    }
}

/// A JSON object read as its (key, value) pairs in file order (no map to build).
fn map_in_order<'de, K, V, D>(d: D) -> Result<Option<Vec<(K, V)>>, D::Error>
where
    D: serde::Deserializer<'de>,
    K: Deserialize<'de>,
    V: Deserialize<'de>,
{
    struct Pairs<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> serde::de::Visitor<'de> for Pairs<K, V> {
        type Value = Option<Vec<(K, V)>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0));
            while let Some(pair) = m.next_entry()? {
                out.push(pair);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(Pairs(std::marker::PhantomData))
}

/// True for versions that point at local folders rather than published packages.
fn is_local_version(v: &str) -> bool {
    v.starts_with("file:") || v.starts_with("link:") || v.starts_with("workspace:")
}

/// `npm:@scope/name@1.2.3` → (`@scope/name`, `1.2.3`).
fn split_alias(v: &str) -> Option<(&str, &str)> {
    let rest = v.strip_prefix("npm:")?;
    split_name_at(rest)
}

/// Split `name@rest` at the `@` that ends the (possibly scoped) name.
fn split_name_at(s: &str) -> Option<(&str, &str)> {
    let start = usize::from(s.starts_with('@'));
    let at = s.get(start..)?.find('@')? + start;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

pub(crate) fn parse_package_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: Option<PackageLock<'_>> = json(path, data)?;
    let Some(lock) = lock else {
        return Ok((Vec::new(), Vec::new())); // `null`: nothing locked
    };
    let mut pkgs = Vec::new();
    let diags = Vec::new();
    if let Some(packages) = lock.packages.filter(|p| !p.is_empty()) {
        for (key, entry) in packages {
            if entry.link {
                continue;
            }
            // Only installed packages: workspace folders and the root have no node_modules.
            let Some((_, from_path)) = key.rsplit_once("node_modules/") else {
                continue;
            };
            let Some(version) = entry.version.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            if is_local_version(version) {
                continue;
            }
            let (name, version) = match split_alias(version) {
                Some((n, v)) => (n, v),
                None => (entry.name.as_deref().unwrap_or(from_path), version),
            };
            let mut p = package(ECO, name, version, path);
            // `devOptional`: needed in development, or optionally at run time.
            p.scope = scope_of(entry.dev, entry.optional || entry.dev_optional);
            pkgs.push(p);
        }
    } else if let Some(deps) = lock.dependencies {
        walk_v1(path, &deps, &mut pkgs, 0);
    }
    Ok((dedup(pkgs), diags))
}

fn walk_v1(path: &str, deps: &BTreeMap<String, V1Dep>, out: &mut Vec<Package>, depth: usize) {
    if depth > 256 {
        return;
    }
    for (name, dep) in deps {
        if let Some(version) = dep.version.as_deref().filter(|v| !v.is_empty())
            && !is_local_version(version)
        {
            let (name, version) = split_alias(version).unwrap_or((name, version));
            let mut p = package(ECO, name, version, path);
            p.scope = scope_of(dep.dev, dep.optional);
            out.push(p);
        }
        if let Some(nested) = &dep.dependencies {
            walk_v1(path, nested, out, depth + 1);
        }
    }
}

// ---------------------------------------------------------------- package.json

#[derive(Deserialize)]
struct PackageJson {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

pub(crate) fn parse_package_json(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let pj: PackageJson = json(path, data)?;
    match (pj.name, pj.version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Ok((vec![package(ECO, &n, &v, path)], Vec::new()))
        }
        _ => Ok((
            Vec::new(),
            vec![Diagnostic::warning(
                path,
                "package.json without name and version",
            )],
        )),
    }
}

// ---------------------------------------------------------------- yarn.lock

pub(crate) fn parse_yarn_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = text(path, data)?;
    if s.lines().any(|l| l.starts_with("__metadata:")) {
        parse_yarn_berry(path, data)
    } else {
        parse_yarn_v1(path, s)
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// The package name a yarn v1 header (`"a@^1", a@^1.2`) stands for.
fn yarn_v1_name(header: &str) -> Option<&str> {
    let first = unquote(header.trim_end_matches(':').split(", ").next()?);
    let (name, spec) = split_name_at(first)?;
    if let Some(aliased) = spec.strip_prefix("npm:")
        && let Some((real, _)) = split_name_at(aliased)
    {
        return Some(real);
    }
    Some(name)
}

/// True when a yarn v1 header's first specifier points at a local folder
/// (`"x@file:../x"`, `"x@link:./x"`).
fn yarn_v1_is_local(header: &str) -> bool {
    header
        .split(", ")
        .next()
        .map(unquote)
        .and_then(split_name_at)
        .is_some_and(|(_, spec)| is_local_version(spec))
}

fn parse_yarn_v1(path: &str, s: &str) -> Result<Parsed, InventoryError> {
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut current: Option<(&str, u32)> = None; // header, line
    let mut version: Option<&str> = None;
    let mut flush = |cur: Option<(&str, u32)>, ver: Option<&str>, pkgs: &mut Vec<Package>| {
        let Some((header, line)) = cur else { return };
        let Some(name) = yarn_v1_name(header) else {
            diags.push(
                Diagnostic::warning(path, format!("cannot read package name from {header:?}"))
                    .at_line(line),
            );
            return;
        };
        if yarn_v1_is_local(header) {
            return;
        }
        match ver {
            Some(v) if !v.is_empty() && !is_local_version(v) => {
                pkgs.push(package(ECO, name, v, path))
            }
            Some(_) => {}
            None => diags.push(
                Diagnostic::warning(path, format!("{name}: entry without a version")).at_line(line),
            ),
        }
    };
    for (i, line) in s.lines().enumerate() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') && !line.starts_with('\t') {
            if line.trim_end().ends_with(':') {
                flush(current.take(), version.take(), &mut pkgs);
                current = Some((line.trim_end(), lineno));
            }
            continue;
        }
        // Only the entry's own fields (two-space indent), not its dependency lists.
        let indent = line.len() - line.trim_start().len();
        if indent == 2 {
            let field = line.trim_start();
            let rest = field
                .strip_prefix("\"version\"")
                .or_else(|| field.strip_prefix("version"));
            if let Some(rest) = rest
                && rest.starts_with([' ', ':'])
            {
                version = Some(unquote(rest.trim_start_matches(':')));
            }
        }
    }
    flush(current.take(), version.take(), &mut pkgs);
    Ok((dedup(pkgs), diags))
}

#[derive(Deserialize)]
struct BerryEntry {
    #[serde(default)]
    version: Option<serde_yaml::Value>,
    #[serde(default)]
    resolution: Option<String>,
}

fn yaml_scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_yarn_berry(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let entries: BTreeMap<String, serde_yaml::Value> = yaml(path, data)?;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    for (key, value) in entries {
        if key == "__metadata" {
            continue;
        }
        let entry: BerryEntry = match serde_yaml::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::warning(path, format!("{key}: {e}")));
                continue;
            }
        };
        let Some(version) = entry.version.as_ref().and_then(yaml_scalar) else {
            diags.push(Diagnostic::warning(
                path,
                format!("{key}: entry without a version"),
            ));
            continue;
        };
        let resolution = entry.resolution.as_deref().unwrap_or(&key);
        let Some((name, protocol)) = split_name_at(resolution) else {
            diags.push(Diagnostic::warning(
                path,
                format!("{key}: cannot read the resolution"),
            ));
            continue;
        };
        if protocol.starts_with("workspace:")
            || protocol.starts_with("link:")
            || protocol.starts_with("portal:")
            || protocol.starts_with("file:")
        {
            continue;
        }
        pkgs.push(package(ECO, name, &version, path));
    }
    Ok((dedup(pkgs), diags))
}

// ---------------------------------------------------------------- pnpm-lock.yaml

#[derive(Deserialize)]
struct PnpmLock {
    #[serde(default, rename = "lockfileVersion")]
    lockfile_version: Option<serde_yaml::Value>,
    #[serde(default)]
    packages: Option<BTreeMap<String, PnpmPackage>>,
    #[serde(default)]
    importers: Option<BTreeMap<String, PnpmImporter>>,
    #[serde(default)]
    snapshots: Option<BTreeMap<String, PnpmSnapshot>>,
}

#[derive(Deserialize, Default)]
struct PnpmPackage {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<serde_yaml::Value>,
    #[serde(default)]
    dev: Option<bool>,
    #[serde(default)]
    optional: Option<bool>,
}

#[derive(Deserialize, Default)]
struct PnpmImporter {
    #[serde(default)]
    dependencies: Option<BTreeMap<String, serde_yaml::Value>>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Option<BTreeMap<String, serde_yaml::Value>>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: Option<BTreeMap<String, serde_yaml::Value>>,
}

#[derive(Deserialize, Default)]
struct PnpmSnapshot {
    #[serde(default)]
    dependencies: Option<BTreeMap<String, serde_yaml::Value>>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Option<BTreeMap<String, serde_yaml::Value>>,
}

/// Split a pnpm `packages` key into name and version.
///
/// v5: `/name/1.2.3_peer@1`, `/@scope/name/1.2.3`; v6: `/name@1.2.3(peer@1)`;
/// v9: `name@1.2.3(peer@1)`. Hosts may lead (`registry.example/name/1.2.3`).
fn pnpm_key(key: &str, v6_or_later: bool) -> Option<(String, String)> {
    let key = key.split('(').next()?;
    let had_slash = key.starts_with('/');
    let key = key.strip_prefix('/').unwrap_or(key);
    if v6_or_later {
        let (name, version) = split_name_at(key)?;
        return Some((name.to_string(), version.to_string()));
    }
    // v5: [host/]name/version[_peers], the name possibly scoped.
    let mut segs: Vec<&str> = key.split('/').collect();
    if !had_slash && segs.first().is_some_and(|s| s.contains('.')) {
        segs.remove(0);
    }
    let (name, version) = match segs.as_slice() {
        [scope, name, version] if scope.starts_with('@') => (format!("{scope}/{name}"), *version),
        [name, version] if !name.starts_with('@') => ((*name).to_string(), *version),
        _ => return None,
    };
    let version = version.split('_').next()?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| (name, version.to_string()))
}

fn pnpm_version_number(v: Option<&serde_yaml::Value>) -> f64 {
    match v {
        Some(serde_yaml::Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(serde_yaml::Value::String(s)) => s
            .split('.')
            .take(2)
            .collect::<Vec<_>>()
            .join(".")
            .parse()
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The version part of an importer/snapshot dependency value (`1.2.3(peer@1)` or
/// `{version: 1.2.3}`), peer suffix dropped.
fn dep_version(v: &serde_yaml::Value) -> Option<String> {
    let s = match v {
        serde_yaml::Value::Mapping(m) => m.get("version").and_then(yaml_scalar)?,
        other => yaml_scalar(other)?,
    };
    Some(s.split('(').next().unwrap_or(&s).to_string())
}

pub(crate) fn parse_pnpm_lock(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let lock: Option<PnpmLock> = yaml(path, data)?;
    let Some(lock) = lock else {
        return Ok((Vec::new(), Vec::new()));
    };
    let version = pnpm_version_number(lock.lockfile_version.as_ref());
    let v6 = version >= 6.0;
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut keyed: Vec<(String, Package)> = Vec::new();
    for (key, entry) in lock.packages.unwrap_or_default() {
        if key.starts_with("file:") || key.starts_with("link:") {
            continue; // local folders and tarballs
        }
        let parsed = pnpm_key(&key, v6);
        let name = entry
            .name
            .clone()
            .or_else(|| parsed.as_ref().map(|p| p.0.clone()));
        let version = entry
            .version
            .as_ref()
            .and_then(yaml_scalar)
            .or_else(|| parsed.as_ref().map(|p| p.1.clone()));
        let (Some(name), Some(version)) = (name, version) else {
            diags.push(Diagnostic::warning(
                path,
                format!("cannot read name and version from {key:?}"),
            ));
            continue;
        };
        if name.is_empty() || version.is_empty() || is_local_version(&version) {
            continue;
        }
        let mut p = package(ECO, &name, &version, path);
        p.scope = scope_of(entry.dev == Some(true), entry.optional == Some(true));
        keyed.push((
            key.split('(')
                .next()
                .unwrap_or(&key)
                .trim_start_matches('/')
                .to_string(),
            p,
        ));
    }
    // v9 records no dev flag on packages: derive it from the importers and snapshots.
    if version >= 9.0
        && let Some(importers) = &lock.importers
    {
        let snapshots = lock.snapshots.unwrap_or_default();
        let runtime = pnpm_reachable(importers, &snapshots, Group::Runtime);
        let optional = pnpm_reachable(importers, &snapshots, Group::Optional);
        let any = pnpm_reachable(importers, &snapshots, Group::Dev);
        for (key, p) in &mut keyed {
            if runtime.contains(key.as_str()) {
                p.scope = None;
            } else if optional.contains(key.as_str()) {
                p.scope = Some(Scope::Optional);
            } else if any.contains(key.as_str()) {
                p.scope = Some(Scope::Dev);
            }
        }
    }
    pkgs.extend(keyed.into_iter().map(|(_, p)| p));
    Ok((dedup(pkgs), diags))
}

/// Which importer dependency lists a reachability walk starts from.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Group {
    /// `dependencies` only.
    Runtime,
    /// `dependencies` and `optionalDependencies`.
    Optional,
    /// All lists, `devDependencies` included.
    Dev,
}

/// Package keys (`name@version`, no peer suffix) reachable from the importers' lists of
/// `group` and below.
fn pnpm_reachable(
    importers: &BTreeMap<String, PnpmImporter>,
    snapshots: &BTreeMap<String, PnpmSnapshot>,
    group: Group,
) -> std::collections::HashSet<String> {
    let mut snap_by_key: BTreeMap<&str, Vec<&PnpmSnapshot>> = BTreeMap::new();
    for (k, s) in snapshots {
        snap_by_key
            .entry(k.split('(').next().unwrap_or(k))
            .or_default()
            .push(s);
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<String> = Vec::new();
    let push = |name: &str, v: &serde_yaml::Value, stack: &mut Vec<String>| {
        if let Some(ver) = dep_version(v) {
            if ver.starts_with("link:") {
                return;
            }
            // Aliased: the value is itself `real-name@version`.
            if split_name_at(&ver).is_some() && !ver.starts_with(|c: char| c.is_ascii_digit()) {
                stack.push(ver);
            } else {
                stack.push(format!("{name}@{ver}"));
            }
        }
    };
    for imp in importers.values() {
        let groups = [
            Some(&imp.dependencies),
            (group >= Group::Optional).then_some(&imp.optional_dependencies),
            (group >= Group::Dev).then_some(&imp.dev_dependencies),
        ];
        for (n, v) in groups.into_iter().flatten().flatten().flatten() {
            push(n, v, &mut stack);
        }
    }
    while let Some(key) = stack.pop() {
        if !seen.insert(key.clone()) {
            continue;
        }
        for snap in snap_by_key.get(key.as_str()).into_iter().flatten() {
            for (n, v) in [&snap.dependencies, &snap.optional_dependencies]
                .into_iter()
                .flatten()
                .flatten()
            {
                push(n, v, &mut stack);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_keys() {
        let k = |s, v6| pnpm_key(s, v6).unwrap();
        assert_eq!(
            k("/lodash/4.17.4", false),
            ("lodash".into(), "4.17.4".into())
        );
        assert_eq!(
            k("/@babel/core/7.0.0_x@1", false),
            ("@babel/core".into(), "7.0.0".into())
        );
        assert_eq!(
            k("/@babel/core@7.0.0(x@1)", true),
            ("@babel/core".into(), "7.0.0".into())
        );
        assert_eq!(k("lodash@4.17.4", true), ("lodash".into(), "4.17.4".into()));
        assert_eq!(
            k("registry.example/@a/b/1.1.0", false),
            ("@a/b".into(), "1.1.0".into())
        );
        assert_eq!(pnpm_key("github.com/kevva/is-positive", false), None);
        assert_eq!(pnpm_key("/foo/bar", false), None);
    }

    #[test]
    fn yarn_names() {
        assert_eq!(
            yarn_v1_name("\"@babel/core@^7\", \"@babel/core@^7.1\":"),
            Some("@babel/core")
        );
        assert_eq!(yarn_v1_name("\"x-cjs@npm:@s/x@^5.0.0\":"), Some("@s/x"));
        assert_eq!(yarn_v1_name("lodash@^4:"), Some("lodash"));
    }
}
