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

#[cfg(test)]
mod tests {
    use super::*;

    /// An NDB file with one slot page: the given (slot index, blob) pairs, blobs from
    /// block 256 (offset 4096) on.
    fn build(entries: &[(u32, &[u8])]) -> Vec<u8> {
        let mut db = vec![0u8; PAGE_SIZE];
        db[..4].copy_from_slice(MAGIC);
        db[12..16].copy_from_slice(&1u32.to_le_bytes());
        let mut off = HEADER_SIZE;
        let mut block = (PAGE_SIZE / BLOCK_SIZE) as u32;
        for (idx, blob) in entries {
            db[off..off + 4].copy_from_slice(SLOT_MAGIC);
            db[off + 4..off + 8].copy_from_slice(&idx.to_le_bytes());
            db[off + 8..off + 12].copy_from_slice(&block.to_le_bytes());
            off += SLOT_SIZE;
            let mut b = Vec::new();
            b.extend_from_slice(BLOB_MAGIC);
            b.extend_from_slice(&idx.to_le_bytes());
            b.extend_from_slice(&1u32.to_le_bytes());
            b.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            b.extend_from_slice(blob);
            b.extend_from_slice(&[0; 12]);
            while b.len() % BLOCK_SIZE != 0 {
                b.push(0);
            }
            block += (b.len() / BLOCK_SIZE) as u32;
            db.extend(b);
        }
        // Remaining slots are free (magic, index 0).
        while off + SLOT_SIZE <= PAGE_SIZE {
            db[off..off + 4].copy_from_slice(SLOT_MAGIC);
            off += SLOT_SIZE;
        }
        db
    }

    fn blobs(db: &[u8]) -> (Vec<Vec<u8>>, Vec<String>) {
        let mut out = Vec::new();
        let mut diags = Vec::new();
        for_each_blob("Packages.db", db, &mut diags, &mut |b| out.push(b.to_vec())).unwrap();
        (out, diags.into_iter().map(|d| d.message).collect())
    }

    #[test]
    fn slots_and_blobs() {
        let db = build(&[(1, b"first"), (2, b"second blob")]);
        let (got, diags) = blobs(&db);
        assert_eq!(got, vec![b"first".to_vec(), b"second blob".to_vec()]);
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn damaged_blobs_are_diagnostics() {
        let mut db = build(&[(1, b"first"), (2, b"second")]);
        // The second blob claims another package's index.
        let second = PAGE_SIZE + 48;
        db[second + 4] = 9;
        let (got, diags) = blobs(&db);
        assert_eq!(got, vec![b"first".to_vec()]);
        assert_eq!(
            diags,
            vec!["NDB: package 2: blob belongs to another package; skipped"]
        );
        let e = for_each_blob("p", b"RpmP\x01\0\0\0", &mut Vec::new(), &mut |_| {}).unwrap_err();
        assert_eq!(e.to_string(), "p: NDB: unsupported version 1");
    }
}
