//! Java: archives (`.jar`, `.war`, `.ear`, `.par`) and Maven `pom.xml`.
//!
//! An archive yields every `META-INF/maven/**/pom.properties` it holds; without one, its
//! `META-INF/MANIFEST.MF` (`Implementation-*` or `Bundle-*` headers), and failing that its
//! file name (`name-1.2.3.jar`). Archives nested inside archives are read the same way, at
//! most [`MAX_DEPTH`] deep and [`MAX_NESTED_BYTES`] each, so a crafted archive cannot make
//! the reader loop or exhaust memory; nested locations read `outer.war!/WEB-INF/lib/x.jar`.
//!
//! `pom.xml` yields the direct `<dependencies>` with literal versions, `${property}`
//! references resolved from the same file, and versions left out taken from the same file's
//! `<dependencyManagement>`; unresolved ones become diagnostics. Parent POMs, imported BOMs
//! and transitive dependencies are left to a resolver that can fetch other POMs.

use super::{Parsed, dedup, one_line, package};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, Package, Scope};
use std::collections::HashMap;
use std::io::{Cursor, Read};

const ECO: Ecosystem = Ecosystem::Maven;
/// Deepest nesting of archives inside archives that is read.
pub const MAX_DEPTH: usize = 4;
/// Largest nested archive (decompressed) that is read.
pub const MAX_NESTED_BYTES: u64 = 64 << 20;
/// Largest `pom.properties` / `MANIFEST.MF` read.
const MAX_META_BYTES: u64 = 1 << 20;
/// Total decompressed bytes of nested archives read for one outer archive.
const MAX_TOTAL_NESTED: u64 = 512 << 20;

/// Deepest element nesting read in a pom.xml.
const MAX_POM_DEPTH: usize = 64;

fn is_archive_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".par"]
        .iter()
        .any(|e| lower.ends_with(e))
}

pub(crate) fn parse_jar(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    let mut budget = MAX_TOTAL_NESTED;
    read_archive(path, data, 0, &mut budget, &mut pkgs, &mut diags)?;
    Ok((dedup(pkgs), diags))
}

fn read_archive(
    path: &str,
    data: &[u8],
    depth: usize,
    budget: &mut u64,
    pkgs: &mut Vec<Package>,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), InventoryError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(data)).map_err(|e| {
        InventoryError::parse(
            path,
            format!("not a readable zip archive: {}", one_line(&e.to_string())),
        )
    })?;
    let mut found = Vec::new();
    let mut manifest: Option<String> = None;
    let mut nested: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                diags.push(Diagnostic::warning(path, format!("zip entry {i}: {e}")));
                continue;
            }
        };
        let name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            match read_bounded(&mut entry, MAX_META_BYTES) {
                Some(bytes) => {
                    if let Some(p) = from_pom_properties(&String::from_utf8_lossy(&bytes), path) {
                        found.push(p);
                    }
                }
                None => diags.push(Diagnostic::warning(
                    path,
                    format!("{name}: too large or unreadable"),
                )),
            }
        } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
            if let Some(bytes) = read_bounded(&mut entry, MAX_META_BYTES) {
                manifest = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
        } else if is_archive_name(&name) {
            if depth + 1 > MAX_DEPTH {
                diags.push(Diagnostic::warning(
                    path,
                    format!("{name}: archives nested deeper than {MAX_DEPTH} are not read"),
                ));
                continue;
            }
            let limit = MAX_NESTED_BYTES.min(*budget);
            match read_bounded(&mut entry, limit) {
                Some(bytes) => {
                    *budget = budget.saturating_sub(bytes.len() as u64);
                    nested.push((name, bytes));
                }
                None => diags.push(Diagnostic::warning(
                    path,
                    format!("{name}: nested archive larger than {limit} bytes is not read"),
                )),
            }
        }
    }
    if found.is_empty() {
        let from_manifest = manifest.as_deref().and_then(|m| from_manifest(m, path));
        let file_name = path.rsplit(['/', '!']).next().unwrap_or(path);
        if let Some(p) = from_manifest.or_else(|| from_file_name(file_name, path)) {
            found.push(p);
        }
    }
    pkgs.extend(found);
    for (name, bytes) in nested {
        let inner = format!("{path}!/{name}");
        if let Err(e) = read_archive(&inner, &bytes, depth + 1, budget, pkgs, diags) {
            diags.push(Diagnostic::warning(path, e.to_string()));
        }
    }
    Ok(())
}

/// Read at most `limit` bytes of `r`; `None` when it holds more or cannot be read.
fn read_bounded(r: &mut impl Read, limit: u64) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf).ok()?;
    (buf.len() as u64 <= limit).then_some(buf)
}

fn maven(group: &str, artifact: &str, version: &str, path: &str) -> Package {
    if group.is_empty() {
        package(ECO, artifact, version, path)
    } else {
        package(ECO, &format!("{group}:{artifact}"), version, path)
    }
}

fn from_pom_properties(text: &str, path: &str) -> Option<Package> {
    let mut props = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        if let Some((k, v)) = line.split_once(['=', ':']) {
            props.insert(k.trim(), v.trim());
        }
    }
    let (g, a, v) = (
        props.get("groupId")?,
        props.get("artifactId")?,
        props.get("version")?,
    );
    (!a.is_empty() && !v.is_empty()).then(|| maven(g, a, v, path))
}

fn from_manifest(text: &str, path: &str) -> Option<Package> {
    // Long headers continue on lines that start with one space.
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = headers.last_mut() {
                v.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let h: HashMap<&str, &str> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.trim()))
        .collect();
    let get = |k: &str| h.get(k).copied().filter(|v| !v.is_empty());
    let version = get("Implementation-Version").or_else(|| get("Bundle-Version"))?;
    let symbolic = get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
    let artifact = get("Implementation-Title")
        .filter(|t| !t.contains(' '))
        .or_else(|| symbolic.map(|s| s.rsplit('.').next().unwrap_or(s)))?;
    let group = get("Implementation-Vendor-Id")
        .or_else(|| symbolic.and_then(|s| s.rsplit_once('.').map(|(g, _)| g)))
        .unwrap_or("");
    Some(maven(group, artifact, version, path))
}

/// `commons-lang3-3.12.0.jar` → `commons-lang3` 3.12.0.
fn from_file_name(file: &str, path: &str) -> Option<Package> {
    let stem = file.rsplit_once('.')?.0;
    let b = stem.as_bytes();
    let cut = (1..b.len())
        .find(|&i| b.get(i - 1) == Some(&b'-') && b.get(i).is_some_and(u8::is_ascii_digit))?;
    let (name, version) = (stem.get(..cut - 1)?, stem.get(cut..)?);
    (!name.is_empty() && !version.is_empty()).then(|| maven("", name, version, path))
}

// ---------------------------------------------------------------- pom.xml

#[derive(Default)]
struct Dep {
    group: String,
    artifact: String,
    version: String,
    scope: String,
    optional: String,
}

pub(crate) fn parse_pom(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    use quick_xml::events::Event;
    let text = String::from_utf8_lossy(data);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut props: HashMap<String, String> = HashMap::new();
    let mut deps: Vec<Dep> = Vec::new();
    let mut managed: Vec<Dep> = Vec::new();
    let mut cur: Option<Dep> = None;
    let mut saw_project = false;
    loop {
        let ev = reader.read_event().map_err(|e| {
            InventoryError::parse(
                path,
                format!(
                    "invalid XML at byte {}: {}",
                    reader.buffer_position(),
                    one_line(&e.to_string())
                ),
            )
        })?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    if name != "project" {
                        return Err(InventoryError::parse(
                            path,
                            format!("root element is <{name}>, not <project>"),
                        ));
                    }
                    saw_project = true;
                }
                // pom.xml nests a handful of levels; a deep document is not one, and walking
                // it costs time in proportion to depth squared.
                if stack.len() >= MAX_POM_DEPTH {
                    return Err(InventoryError::parse(
                        path,
                        format!("elements nested deeper than {MAX_POM_DEPTH}"),
                    ));
                }
                stack.push(name);
                buf.clear();
                if is_dep_path(&stack) {
                    cur = Some(Dep::default());
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    InventoryError::parse(
                        path,
                        format!("invalid XML text: {}", one_line(&e.to_string())),
                    )
                })?;
                buf.push_str(&s);
            }
            // Entity references arrive as their own events.
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else {
                    match &*r.decode().unwrap_or_default() {
                        "amp" => buf.push('&'),
                        "lt" => buf.push('<'),
                        "gt" => buf.push('>'),
                        "quot" => buf.push('"'),
                        "apos" => buf.push('\''),
                        other => {
                            return Err(InventoryError::parse(
                                path,
                                format!("unknown XML entity &{};", one_line(other)),
                            ));
                        }
                    }
                }
            }
            Event::CData(t) => buf.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let value = buf.trim().to_string();
                let names: Vec<&str> = stack.iter().map(String::as_str).collect();
                match names.as_slice() {
                    ["project", "properties", key] => {
                        props.insert((*key).to_string(), value);
                    }
                    ["project", field @ ("groupId" | "artifactId" | "version")] => {
                        props.insert(format!("project.{field}"), value);
                    }
                    ["project", "parent", field @ ("groupId" | "version")] => {
                        props.insert(format!("project.parent.{field}"), value);
                    }
                    ["project", "dependencies", "dependency", field] => {
                        if let Some(d) = cur.as_mut() {
                            match *field {
                                "groupId" => d.group = value,
                                "artifactId" => d.artifact = value,
                                "version" => d.version = value,
                                "scope" => d.scope = value,
                                "optional" => d.optional = value,
                                _ => {}
                            }
                        }
                    }
                    ["project", "dependencies", "dependency"] => deps.extend(cur.take()),
                    [
                        "project",
                        "dependencyManagement",
                        "dependencies",
                        "dependency",
                        field,
                    ] => {
                        if let Some(d) = cur.as_mut() {
                            match *field {
                                "groupId" => d.group = value,
                                "artifactId" => d.artifact = value,
                                "version" => d.version = value,
                                _ => {}
                            }
                        }
                    }
                    [
                        "project",
                        "dependencyManagement",
                        "dependencies",
                        "dependency",
                    ] => managed.extend(cur.take()),
                    _ => {}
                }
                stack.pop();
                buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_project {
        return Err(InventoryError::parse(path, "no <project> element"));
    }
    // Inherited values stand in when the project does not set its own.
    for f in ["groupId", "version"] {
        if !props.contains_key(&format!("project.{f}"))
            && let Some(v) = props.get(&format!("project.parent.{f}")).cloned()
        {
            props.insert(format!("project.{f}"), v);
        }
    }
    let mut pkgs = Vec::new();
    let mut diags = Vec::new();
    for d in deps {
        let (group, artifact) = (
            interpolate(&d.group, &props),
            interpolate(&d.artifact, &props),
        );
        // No version of its own: the same file's <dependencyManagement> may give one.
        let raw_version = if d.version.is_empty() {
            managed
                .iter()
                .find(|m| m.group == d.group && m.artifact == d.artifact)
                .map_or("", |m| m.version.as_str())
        } else {
            d.version.as_str()
        };
        let version = interpolate(raw_version, &props);
        let (Some(group), Some(artifact)) = (group, artifact) else {
            diags.push(Diagnostic::warning(
                path,
                format!(
                    "{}:{}: unresolved property in coordinates",
                    d.group, d.artifact
                ),
            ));
            continue;
        };
        let version = match version {
            Some(v) if !v.is_empty() => v,
            Some(_) => {
                diags.push(Diagnostic::warning(
                    path,
                    format!("{group}:{artifact}: no version (managed elsewhere)"),
                ));
                continue;
            }
            None => {
                diags.push(Diagnostic::warning(
                    path,
                    format!("{group}:{artifact}: unresolved version {}", d.version),
                ));
                continue;
            }
        };
        let mut p = maven(&group, &artifact, &version, path);
        p.scope = if d.scope == "test" {
            Some(Scope::Test)
        } else if d.optional == "true" {
            Some(Scope::Optional)
        } else {
            None
        };
        pkgs.push(p);
    }
    Ok((dedup(pkgs), diags))
}

fn is_dep_path(stack: &[String]) -> bool {
    let names: Vec<&str> = stack.iter().map(String::as_str).collect();
    names == ["project", "dependencies", "dependency"]
        || names
            == [
                "project",
                "dependencyManagement",
                "dependencies",
                "dependency",
            ]
}

/// Replace `${name}` references; `None` when one cannot be resolved.
fn interpolate(s: &str, props: &HashMap<String, String>) -> Option<String> {
    let mut out = s.to_string();
    for _ in 0..10 {
        let Some(start) = out.find("${") else {
            return Some(out);
        };
        let end = start + out.get(start..)?.find('}')?;
        let key = out.get(start + 2..end)?;
        let key = key
            .strip_prefix("pom.")
            .map(|k| format!("project.{k}"))
            .unwrap_or_else(|| key.to_string());
        let value = props.get(&key).or_else(|| {
            if key == "version" {
                props.get("project.version")
            } else {
                None
            }
        })?;
        out.replace_range(start..=end, value);
    }
    (!out.contains("${")).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let p = from_file_name("commons-lang3-3.12.0.jar", "x").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("commons-lang3", "3.12.0")
        );
        assert!(from_file_name("app.jar", "x").is_none());
    }

    #[test]
    fn properties() {
        let mut props = HashMap::new();
        props.insert("a".to_string(), "${b}".to_string());
        props.insert("b".to_string(), "1.0".to_string());
        assert_eq!(interpolate("${a}", &props).as_deref(), Some("1.0"));
        assert_eq!(interpolate("${c}", &props), None);
        props.insert("loop".to_string(), "${loop}".to_string());
        assert_eq!(interpolate("${loop}", &props), None);
    }
}
