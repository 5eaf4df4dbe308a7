//! Go: `go.mod` files and the build information Go embeds in executables.
//!
//! `go.mod` yields every `require`d module (direct and `// indirect`) with `replace`
//! directives applied, plus the Go standard library as package `stdlib` at the version of
//! the `toolchain` (or else `go`) directive. Go versions keep Go's own `v` prefix
//! (`stdlib` included: `v1.21.3`); advisory matching strips it. Replacements by local directories have no
//! version and are left out with an informational diagnostic.
//!
//! Executables carry a `\xff Go buildinf:` header; Go ≥ 1.18 stores the version and module
//! strings inline after it (varint-prefixed), older releases store pointers to them. Finding
//! the header and turning addresses into file offsets is done by [`super::binary`].

use super::{Parsed, info, package, text};
use crate::InventoryError;
use rampart_core::{Diagnostic, Ecosystem, Package};

const ECO: Ecosystem = Ecosystem::Go;

// ---------------------------------------------------------------- go.mod

struct Require {
    path: String,
    version: String,
    indirect: bool,
}

struct Replace {
    old_path: String,
    old_version: Option<String>,
    new_path: String,
    new_version: Option<String>,
}

/// Split a go.mod line into tokens, dropping the `//` comment (returned separately).
fn tokens(line: &str) -> (Vec<String>, &str) {
    let (code, comment) = match line.find("//") {
        Some(i) => (line.get(..i).unwrap_or(""), line.get(i + 2..).unwrap_or("")),
        None => (line, ""),
    };
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            for d in chars.by_ref() {
                if d == c {
                    break;
                }
                s.push(d);
            }
            out.push(s);
        } else {
            let mut s = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                s.push(d);
                chars.next();
            }
            out.push(s);
        }
    }
    (out, comment.trim())
}

fn is_local_path(p: &str) -> bool {
    p.starts_with("./") || p.starts_with("../") || p.starts_with('/') || p == "." || p == ".."
}

/// The Go version of a `go`/`toolchain` directive, spelt like module versions
/// (`go1.21.3-x` → `v1.21.3`, `1.19` → `v1.19`).
fn go_version(v: &str) -> String {
    let v = v.strip_prefix("go").unwrap_or(v);
    format!("v{}", v.split(['-', '+', ' ']).next().unwrap_or(v))
}

pub(crate) fn parse_go_mod(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let s = text(path, data)?;
    let mut requires: Vec<Require> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut go = None;
    let mut toolchain = None;
    let mut diags = Vec::new();
    let mut block: Option<String> = None;
    for (i, line) in s.lines().enumerate() {
        let lineno = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (toks, comment) = tokens(line);
        if toks.is_empty() {
            continue;
        }
        let (verb, args): (String, &[String]) = match &block {
            Some(b) => {
                if toks.first().is_some_and(|t| t == ")") {
                    block = None;
                    continue;
                }
                (b.clone(), &toks[..])
            }
            None => {
                let verb = toks.first().cloned().unwrap_or_default();
                let rest = toks.get(1..).unwrap_or(&[]);
                if rest.first().is_some_and(|t| t == "(") {
                    block = Some(verb);
                    continue;
                }
                (verb, rest)
            }
        };
        match verb.as_str() {
            "go" => go = args.first().cloned(),
            "toolchain" => toolchain = args.first().cloned(),
            "require" => match args {
                [p, v, ..] => requires.push(Require {
                    path: p.clone(),
                    version: v.clone(),
                    indirect: comment.split(';').any(|c| c.trim() == "indirect"),
                }),
                _ => diags.push(
                    Diagnostic::warning(path, format!("malformed require: {}", line.trim()))
                        .at_line(lineno),
                ),
            },
            "replace" => {
                let arrow = args.iter().position(|t| t == "=>");
                let parsed = arrow.and_then(|a| {
                    let (old, new) = (args.get(..a)?, args.get(a + 1..)?);
                    Some(Replace {
                        old_path: old.first()?.clone(),
                        old_version: old.get(1).cloned(),
                        new_path: new.first()?.clone(),
                        new_version: new.get(1).cloned(),
                    })
                });
                match parsed {
                    Some(r) => replaces.push(r),
                    None => diags.push(
                        Diagnostic::warning(path, format!("malformed replace: {}", line.trim()))
                            .at_line(lineno),
                    ),
                }
            }
            "module" | "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            other => {
                return Err(InventoryError::parse(
                    path,
                    format!("line {lineno}: unknown directive {other:?}"),
                ));
            }
        }
    }
    let mut pkgs = Vec::new();
    for req in requires {
        let rep = replaces.iter().find(|r| {
            r.old_path == req.path && r.old_version.as_ref().is_none_or(|v| *v == req.version)
        });
        let (name, version) = match rep {
            Some(r) if is_local_path(&r.new_path) || r.new_version.is_none() => {
                diags.push(info(
                    path,
                    format!("{} is replaced by local directory {}", req.path, r.new_path),
                ));
                continue;
            }
            Some(r) => (
                r.new_path.clone(),
                r.new_version.clone().unwrap_or_default(),
            ),
            None => (req.path, req.version),
        };
        // Indirect modules are linked in just the same: runtime scope either way.
        let _ = req.indirect;
        pkgs.push(package(ECO, &name, &version, path));
    }
    if let Some(v) = toolchain.as_deref().or(go.as_deref()) {
        pkgs.push(package(ECO, "stdlib", &go_version(v), path));
    }
    Ok((super::dedup(pkgs), diags))
}

// ---------------------------------------------------------------- build info

/// Sentinels around the module information string.
const INFO_START: usize = 16;

/// Turn a Go version string and module information (as embedded in a binary) into
/// packages: the main module, its dependencies (replacements applied) and `stdlib`.
pub(crate) fn packages_from_buildinfo(path: &str, version: &str, modinfo: &[u8]) -> Vec<Package> {
    let modinfo = String::from_utf8_lossy(strip_sentinels(modinfo));
    let mut pkgs: Vec<Package> = Vec::new();
    for line in modinfo.lines() {
        let mut f = line.split('\t');
        match f.next() {
            Some("mod") => {
                if let (Some(m), Some(v)) = (f.next(), f.next())
                    && !v.is_empty()
                    && v != "(devel)"
                {
                    pkgs.push(package(ECO, m, v, path));
                }
            }
            Some("dep") => {
                if let (Some(m), Some(v)) = (f.next(), f.next()) {
                    pkgs.push(package(ECO, m, v, path));
                }
            }
            Some("=>") => {
                // Replaces the dependency just before it.
                if let (Some(m), Some(v)) = (f.next(), f.next()) {
                    pkgs.pop();
                    if !v.is_empty() {
                        pkgs.push(package(ECO, m, v, path));
                    }
                }
            }
            _ => {}
        }
    }
    // `go1.21.3`, `go1.21.3 X:boringcrypto`, `go1.25-20250209-RC00`; not `devel …`.
    let go = version.split_whitespace().next().unwrap_or("");
    if let Some(v) = go.strip_prefix("go").filter(|v| !v.is_empty()) {
        let v = v.split('-').next().unwrap_or(v);
        pkgs.push(package(ECO, "stdlib", &format!("v{v}"), path));
    }
    super::dedup(pkgs)
}

/// Drop the 16-byte sentinels Go puts around the module information.
fn strip_sentinels(b: &[u8]) -> &[u8] {
    let n = b.len();
    if n > 2 * INFO_START && b.get(n - INFO_START - 1) == Some(&b'\n') {
        return b.get(INFO_START..n - INFO_START).unwrap_or(b);
    }
    b
}

/// Read a Go varint-prefixed string at `data[pos..]`: returns it and the position after.
pub(crate) fn read_varint_string(data: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    let mut p = pos;
    loop {
        let b = *data.get(p)?;
        p += 1;
        len |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let len = usize::try_from(len).ok()?;
    let end = p.checked_add(len)?;
    Some((data.get(p..end)?, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo_lines() {
        let info = "path\texample.com/cmd\nmod\texample.com\t(devel)\t\n\
                    dep\tgolang.org/x/net\tv0.1.0\th1:x\n\
                    dep\tgithub.com/a/b\tv1.0.0\th1:y\n=>\tgithub.com/c/b\tv1.1.0\th1:z\n";
        let pkgs = packages_from_buildinfo("bin", "go1.21.3 X:boringcrypto", info.as_bytes());
        let got: Vec<(&str, &str)> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("golang.org/x/net", "v0.1.0"),
                ("github.com/c/b", "v1.1.0"),
                ("stdlib", "v1.21.3")
            ]
        );
    }

    #[test]
    fn varint() {
        assert_eq!(read_varint_string(b"\x03abcd", 0), Some((&b"abc"[..], 4)));
        assert_eq!(read_varint_string(b"\x05ab", 0), None);
        assert_eq!(
            read_varint_string(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 0),
            None
        );
    }
}
