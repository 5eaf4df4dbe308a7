//! A reader for rpm's own NDB format, `Packages.db` (SUSE Linux Enterprise 15, openSUSE).
//!
//! Layout (little-endian): a 32-byte header (`RpmP` magic, version, generation, number of
//! slot pages, next package index); then slots of 16 bytes (`Slot` magic, package index,
//! block offset, block count) filling the slot pages; each used slot points, in 16-byte
//! blocks, at a blob: a 16-byte head (`BlbS` magic, package index, generation, length), the
//! header blob, and a tail.

use super::bytes::{Endian, slice, usize_at};
use crate::InventoryError;
use rampart_core::Diagnostic;

/// Magic of the file header.
pub(crate) const MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_MAGIC: &[u8; 4] = b"BlbS";
const HEADER_SIZE: usize = 32;
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const BLOB_HEAD: usize = 16;

/// Call `emit` with each package header blob of an NDB `Packages.db`.
pub(crate) fn for_each_blob(
    path: &str,
    data: &[u8],
    diags: &mut Vec<Diagnostic>,
    emit: &mut dyn FnMut(&[u8]),
) -> Result<(), InventoryError> {
    let err = |reason: String| InventoryError::parse(path, format!("NDB: {reason}"));
    let le = Endian::Little;
    if !data.starts_with(MAGIC) {
        return Err(err("no RpmP magic".into()));
    }
    let version = usize_at(data, 4, le).ok_or_else(|| err("header truncated".into()))?;
    if version != 0 {
        return Err(err(format!("unsupported version {version}")));
    }
    let slot_pages = usize_at(data, 12, le).ok_or_else(|| err("header truncated".into()))?;
    let slot_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&end| end >= HEADER_SIZE && end <= data.len())
        .ok_or_else(|| err(format!("{slot_pages} slot pages do not fit in the file")))?;
    let mut skipped = 0usize;
    let mut off = HEADER_SIZE;
    while off + SLOT_SIZE <= slot_end {
        let slot = slice(data, off, SLOT_SIZE).unwrap_or_default();
        off += SLOT_SIZE;
        if !slot.starts_with(SLOT_MAGIC) {
            skipped += 1;
            continue;
        }
        let (Some(idx), Some(block)) = (usize_at(slot, 4, le), usize_at(slot, 8, le)) else {
            skipped += 1;
            continue;
        };
        if idx == 0 {
            continue; // free slot
        }
        match blob(data, idx, block) {
            Ok(b) => emit(b),
            Err(reason) => {
                skipped += 1;
                diags.push(Diagnostic::warning(
                    path,
                    format!("NDB: package {idx}: {reason}; skipped"),
                ));
            }
        }
    }
    if skipped > 0 && diags.is_empty() {
        diags.push(Diagnostic::warning(
            path,
            format!("NDB: {skipped} damaged slots skipped"),
        ));
    }
    Ok(())
}

fn blob(data: &[u8], idx: usize, block: usize) -> Result<&[u8], String> {
    let le = Endian::Little;
    let start = block
        .checked_mul(BLOCK_SIZE)
        .ok_or("block offset overflows")?;
    let head = slice(data, start, BLOB_HEAD).ok_or("blob starts past the end of the file")?;
    if !head.starts_with(BLOB_MAGIC) {
        return Err("no BlbS magic at the blob".into());
    }
    if usize_at(head, 4, le) != Some(idx) {
        return Err("blob belongs to another package".into());
    }
    let len = usize_at(head, 12, le).ok_or("blob head truncated")?;
    slice(data, start + BLOB_HEAD, len).ok_or_else(|| "blob runs past the end of the file".into())
}
