//! Executables (ELF, PE, Mach-O): Go build information and `cargo auditable` dependency
//! lists.
//!
//! Go: the `\xff Go buildinf:` header is looked for in `.go.buildinfo` (ELF),
//! `__go_buildinfo` (Mach-O) or `.data` (PE), never elsewhere, so that a program merely
//! quoting the magic is not misread; the strings it points at are decoded by
//! [`super::golang`]. Rust: the `.dep-v0` / `__dep_v0` section holds zlib-compressed JSON
//! written by `cargo auditable`; build-time dependencies are skipped (they are not in the
//! executable). Decompression is bounded so that a hostile section cannot exhaust memory.

use super::{Parsed, dedup, golang, one_line, package};
use crate::InventoryError;
use object::{Object, ObjectSection, ObjectSegment};
use rampart_core::{Diagnostic, Ecosystem};
use serde::Deserialize;
use std::io::Read;

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";
/// Most decompressed bytes accepted from a `.dep-v0` section.
const MAX_AUDIT_JSON: u64 = 16 << 20;
/// Most bytes read for one string referenced by old-format Go build information.
const MAX_GO_STRING: u64 = 4 << 20;

pub(crate) fn parse(path: &str, data: &[u8]) -> Result<Parsed, InventoryError> {
    let file = object::File::parse(data).ok();
    let is_exe = file.is_some();
    if let Some(found) = go_buildinfo(path, data, file.as_ref()) {
        return found;
    }
    if let Some(f) = &file
        && let Some(found) = rust_auditable(path, f)
    {
        return found;
    }
    if is_exe {
        Ok((Vec::new(), Vec::new()))
    } else {
        Err(InventoryError::parse(
            path,
            "not an ELF, PE or Mach-O executable",
        ))
    }
}

// ---------------------------------------------------------------- Go

fn go_buildinfo(
    path: &str,
    data: &[u8],
    file: Option<&object::File<'_>>,
) -> Option<Result<Parsed, InventoryError>> {
    // ELF and Mach-O keep the header in its own section; PE in `.data`. Only those are
    // searched, so a program that merely quotes the magic (a scanner, say) is not misread.
    let file = file?;
    let section = file
        .section_by_name(".go.buildinfo")
        .or_else(|| file.section_by_name("__go_buildinfo"))
        .or_else(|| match file.format() {
            object::BinaryFormat::Pe => file.section_by_name(".data"),
            _ => None,
        })?;
    let (start, size) = section.file_range()?;
    let start = usize::try_from(start).ok()?;
    let size = usize::try_from(size).ok()?;
    let hay = data.get(start..start.checked_add(size)?)?;
    let off = start + memchr::memmem::find(hay, GO_MAGIC)?;
    let hdr = data.get(off..off.checked_add(32)?)?;
    let ptr_size = usize::from(*hdr.get(14)?);
    let flags = *hdr.get(15)?;
    let big_endian = flags & 1 != 0;
    let (version, modinfo) = if flags & 2 != 0 {
        // Go ≥ 1.18: varint-prefixed strings right after the 32-byte header.
        let (v, next) = golang::read_varint_string(data, off + 32)?;
        let (m, _) = golang::read_varint_string(data, next)?;
        (v.to_vec(), m.to_vec())
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Some(Err(InventoryError::parse(
                path,
                format!("Go build information with pointer size {ptr_size}"),
            )));
        }
        let rd = Reader {
            data,
            file,
            ptr_size,
            big_endian,
        };
        let vptr = rd.uint(hdr.get(16..16 + ptr_size)?);
        let mptr = rd.uint(hdr.get(16 + ptr_size..16 + 2 * ptr_size)?);
        (rd.string(vptr)?, rd.string(mptr).unwrap_or_default())
    };
    let version = String::from_utf8_lossy(&version);
    let mut diags = Vec::new();
    if modinfo.is_empty() {
        diags.push(Diagnostic::warning(
            path,
            "Go binary without module information",
        ));
    }
    Some(Ok((
        golang::packages_from_buildinfo(path, &version, &modinfo),
        diags,
    )))
}

/// Reads pointers and Go string headers by virtual address.
struct Reader<'d, 'f> {
    data: &'d [u8],
    file: &'f object::File<'d>,
    ptr_size: usize,
    big_endian: bool,
}

impl Reader<'_, '_> {
    fn uint(&self, b: &[u8]) -> u64 {
        let mut v = 0u64;
        if self.big_endian {
            for &x in b {
                v = (v << 8) | u64::from(x);
            }
        } else {
            for &x in b.iter().rev() {
                v = (v << 8) | u64::from(x);
            }
        }
        v
    }

    /// File bytes at virtual address `addr`, `len` long.
    fn at(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let ranges = self
            .file
            .segments()
            .map(|s| (s.address(), s.file_range()))
            .chain(
                self.file
                    .sections()
                    .filter_map(|s| Some((s.address(), s.file_range()?))),
            );
        for (start, (off, size)) in ranges {
            if addr >= start && addr.checked_add(len)? <= start.checked_add(size)? {
                let o = usize::try_from(off.checked_add(addr - start)?).ok()?;
                let l = usize::try_from(len).ok()?;
                return self.data.get(o..o.checked_add(l)?);
            }
        }
        None
    }

    /// The Go string whose header (pointer, length) is at `addr`.
    fn string(&self, addr: u64) -> Option<Vec<u8>> {
        let ps = self.ptr_size as u64;
        let hdr = self.at(addr, 2 * ps)?;
        let ptr = self.uint(hdr.get(..self.ptr_size)?);
        let len = self.uint(hdr.get(self.ptr_size..)?);
        if len > MAX_GO_STRING {
            return None;
        }
        self.at(ptr, len).map(<[u8]>::to_vec)
    }
}

// ---------------------------------------------------------------- Rust

#[derive(Deserialize)]
struct AuditInfo {
    #[serde(default)]
    packages: Vec<AuditPackage>,
}

#[derive(Deserialize)]
struct AuditPackage {
    name: String,
    version: String,
    #[serde(default)]
    kind: Option<String>,
}

fn rust_auditable(path: &str, file: &object::File<'_>) -> Option<Result<Parsed, InventoryError>> {
    let section = file
        .section_by_name(".dep-v0")
        .or_else(|| file.section_by_name("__dep_v0"))?;
    let compressed = match section.data() {
        Ok(d) => d,
        Err(e) => {
            return Some(Err(InventoryError::parse(
                path,
                format!("unreadable .dep-v0 section: {}", one_line(&e.to_string())),
            )));
        }
    };
    let mut json = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(compressed).take(MAX_AUDIT_JSON + 1);
    if let Err(e) = dec.read_to_end(&mut json) {
        return Some(Err(InventoryError::parse(
            path,
            format!(".dep-v0 section: {}", one_line(&e.to_string())),
        )));
    }
    if json.len() as u64 > MAX_AUDIT_JSON {
        return Some(Err(InventoryError::parse(
            path,
            format!(".dep-v0 section decompresses to more than {MAX_AUDIT_JSON} bytes"),
        )));
    }
    let info: AuditInfo = match serde_json::from_slice(&json) {
        Ok(i) => i,
        Err(e) => {
            return Some(Err(InventoryError::parse(
                path,
                format!(
                    ".dep-v0 section: invalid JSON: {}",
                    one_line(&e.to_string())
                ),
            )));
        }
    };
    let pkgs = info
        .packages
        .iter()
        .filter(|p| p.kind.as_deref() != Some("build"))
        .map(|p| package(Ecosystem::Cargo, &p.name, &p.version, path))
        .collect();
    Some(Ok((dedup(pkgs), Vec::new())))
}
