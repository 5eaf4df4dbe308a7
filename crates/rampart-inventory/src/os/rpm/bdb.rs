//! A read-only Berkeley DB Hash reader for the rpm `Packages` file (RHEL/CentOS 5–8, Amazon
//! Linux 2, older Fedora and SUSE).
//!
//! rpm keeps one record per package: a 4-byte instance number as key and the header blob as
//! data, normally stored off-page in a chain of overflow pages. Rather than walking the hash
//! buckets, every page is scanned once in file order and the data items of the hash pages
//! are read (inline items directly, off-page items by following their overflow chain), which
//! also recovers records from a database whose bucket links are damaged. Byte order is taken
//! from the metadata page's magic number.

use super::bytes::{Endian, slice, u16_at, u32_at, usize_at};
use crate::InventoryError;
use rampart_core::Diagnostic;

/// Magic number of a Hash database, at offset 12 of the metadata page.
pub(crate) const HASH_MAGIC: u32 = 0x0006_1561;
/// Magic number of a B-tree database (not used by rpm for `Packages`).
const BTREE_MAGIC: u32 = 0x0005_3162;

const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;

const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// Size of the generic page header.
const PAGE_HEADER: usize = 26;

/// The byte order of a BerkeleyDB Hash file, or `None` when `data` is not one.
pub(crate) fn detect(data: &[u8]) -> Option<Endian> {
    [Endian::Little, Endian::Big]
        .into_iter()
        .find(|&e| u32_at(data, 12, e) == Some(HASH_MAGIC))
}

/// Call `emit` with each package header blob of a BerkeleyDB `Packages` file.
pub(crate) fn for_each_blob(
    path: &str,
    data: &[u8],
    diags: &mut Vec<Diagnostic>,
    emit: &mut dyn FnMut(&[u8]),
) -> Result<(), InventoryError> {
    let err = |reason: String| InventoryError::parse(path, format!("BerkeleyDB: {reason}"));
    let Some(e) = detect(data) else {
        let btree = [Endian::Little, Endian::Big]
            .into_iter()
            .any(|e| u32_at(data, 12, e) == Some(BTREE_MAGIC));
        return Err(err(if btree {
            "a B-tree database, not the Hash database rpm keeps packages in".into()
        } else {
            "no Hash database magic".into()
        }));
    };
    let page_size = usize_at(data, 20, e).unwrap_or(0);
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(err(format!("invalid page size {page_size}")));
    }
    let last = usize_at(data, 32, e).unwrap_or(0);
    let in_file = data.len() / page_size;
    if in_file <= last {
        diags.push(Diagnostic::warning(
            path,
            format!(
                "BerkeleyDB: file holds {in_file} pages but the metadata names {} ; reading what is there",
                last + 1
            ),
        ));
    }
    let pages = in_file.min(last.saturating_add(1));
    let page = |n: usize| slice(data, n * page_size, page_size);
    let mut skipped = 0usize;
    for n in 1..pages {
        let Some(pg) = page(n) else { break };
        let kind = pg.get(25).copied().unwrap_or(0);
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let entries = usize::from(u16_at(pg, 20, e).unwrap_or(0));
        // Items are (key, data) pairs; inp[i] is the offset of item i, items grow downwards.
        let inp = |i: usize| u16_at(pg, PAGE_HEADER + 2 * i, e).map(usize::from);
        let mut i = 1;
        while i < entries {
            let (Some(key_off), Some(off)) = (inp(i - 1), inp(i)) else {
                skipped += 1;
                break;
            };
            i += 2;
            let key_end = if i == 3 {
                page_size
            } else {
                inp(i - 4).unwrap_or(0)
            };
            let key = pg.get(key_off..key_end.max(key_off)).unwrap_or_default();
            // Key 0 holds rpm's instance counter, not a package.
            if key.first() == Some(&H_KEYDATA)
                && key.get(1..).is_some_and(|k| k.iter().all(|&b| b == 0))
            {
                continue;
            }
            match pg.get(off).copied() {
                Some(H_OFFPAGE) => {
                    let (Some(first), Some(total)) =
                        (usize_at(pg, off + 4, e), usize_at(pg, off + 8, e))
                    else {
                        skipped += 1;
                        continue;
                    };
                    match overflow(data, page_size, pages, first, total, e) {
                        Ok(blob) => emit(&blob),
                        Err(reason) => {
                            skipped += 1;
                            diags.push(Diagnostic::warning(
                                path,
                                format!("BerkeleyDB: page {n}: {reason}; record skipped"),
                            ));
                        }
                    }
                }
                Some(H_KEYDATA) => match pg.get(off + 1..key_off) {
                    Some(blob) => emit(blob),
                    None => skipped += 1,
                },
                _ => skipped += 1,
            }
        }
    }
    if skipped > 0 {
        diags.push(Diagnostic::warning(
            path,
            format!("BerkeleyDB: {skipped} unreadable hash items skipped"),
        ));
    }
    Ok(())
}

/// Reassemble an off-page item of `total` bytes starting at overflow page `first`.
fn overflow(
    data: &[u8],
    page_size: usize,
    pages: usize,
    first: usize,
    total: usize,
    e: Endian,
) -> Result<Vec<u8>, String> {
    if total > data.len() {
        return Err(format!(
            "off-page item of {total} bytes is larger than the file"
        ));
    }
    let mut out = Vec::with_capacity(total);
    let mut n = first;
    let mut hops = 0usize;
    while out.len() < total {
        hops += 1;
        if n == 0 || n >= pages || hops > pages {
            return Err(format!("overflow chain broken at page {n}"));
        }
        let pg = slice(data, n * page_size, page_size).ok_or("overflow page truncated")?;
        if pg.get(25) != Some(&P_OVERFLOW) {
            return Err(format!("page {n} is not an overflow page"));
        }
        let len = usize::from(u16_at(pg, 22, e).ok_or("overflow page truncated")?);
        let take = len.min(total - out.len());
        out.extend_from_slice(slice(pg, PAGE_HEADER, take).ok_or("overflow length past the page")?);
        n = usize_at(pg, 16, e).ok_or("overflow page truncated")?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PS: usize = 512;

    fn put32(p: &mut [u8], off: usize, v: u32, e: Endian) {
        let b = match e {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        p[off..off + 4].copy_from_slice(&b);
    }

    fn put16(p: &mut [u8], off: usize, v: u16, e: Endian) {
        let b = match e {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        p[off..off + 2].copy_from_slice(&b);
    }

    /// A Hash database: the instance counter (key 0), one record off-page across two
    /// overflow pages and one record inline.
    fn build(e: Endian, big: &[u8], small: &[u8]) -> Vec<u8> {
        let mut db = vec![0u8; PS * 4];
        put32(&mut db, 12, HASH_MAGIC, e);
        put32(&mut db, 20, PS as u32, e);
        put32(&mut db, 32, 3, e);
        db[25] = 8;
        // Page 1: hash items, stored from the end of the page downwards.
        let mut offpage = vec![H_OFFPAGE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        put32(&mut offpage, 4, 2, e);
        put32(&mut offpage, 8, big.len() as u32, e);
        let mut inline = vec![H_KEYDATA];
        inline.extend_from_slice(small);
        let items: Vec<Vec<u8>> = vec![
            vec![H_KEYDATA, 0, 0, 0, 0],
            vec![H_KEYDATA, 9, 0, 0, 0],
            vec![H_KEYDATA, 1, 0, 0, 0],
            offpage,
            vec![H_KEYDATA, 2, 0, 0, 0],
            inline,
        ];
        let page = &mut db[PS..2 * PS];
        page[25] = P_HASH;
        put16(page, 20, items.len() as u16, e);
        let mut top = PS;
        for (i, item) in items.iter().enumerate() {
            top -= item.len();
            page[top..top + item.len()].copy_from_slice(item);
            put16(page, PAGE_HEADER + 2 * i, top as u16, e);
        }
        // Pages 2 and 3: the overflow chain.
        let (first, second) = big.split_at(PS - PAGE_HEADER);
        for (n, chunk, next) in [(2, first, 3u32), (3, second, 0)] {
            let page = &mut db[n * PS..(n + 1) * PS];
            page[25] = P_OVERFLOW;
            put32(page, 16, next, e);
            put16(page, 22, chunk.len() as u16, e);
            page[PAGE_HEADER..PAGE_HEADER + chunk.len()].copy_from_slice(chunk);
        }
        db
    }

    fn blobs(db: &[u8]) -> (Vec<Vec<u8>>, Vec<Diagnostic>) {
        let mut out = Vec::new();
        let mut diags = Vec::new();
        for_each_blob("Packages", db, &mut diags, &mut |b| out.push(b.to_vec())).unwrap();
        (out, diags)
    }

    #[test]
    fn both_byte_orders_inline_and_off_page() {
        let big: Vec<u8> = (0..700u32).map(|i| (i % 251) as u8).collect();
        let small = b"inline header bytes".to_vec();
        for e in [Endian::Little, Endian::Big] {
            let db = build(e, &big, &small);
            assert_eq!(detect(&db), Some(e));
            let (got, diags) = blobs(&db);
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(got, vec![big.clone(), small.clone()], "{e:?}");
        }
    }

    #[test]
    fn broken_chain_and_loops_are_diagnostics() {
        let big: Vec<u8> = vec![7; 700];
        let mut db = build(Endian::Little, &big, b"x");
        // Point the second overflow page back at itself, and claim more bytes than exist.
        put32(&mut db[3 * PS..], 16, 3, Endian::Little);
        let item = usize::from(u16_at(&db[PS..], PAGE_HEADER + 2 * 3, Endian::Little).unwrap());
        put32(&mut db[PS..], item + 8, 1500, Endian::Little);
        let (got, diags) = blobs(&db);
        assert_eq!(got, vec![b"x".to_vec()]);
        let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "BerkeleyDB: page 1: overflow chain broken at page 3; record skipped",
                "BerkeleyDB: 1 unreadable hash items skipped",
            ]
        );
    }
}
