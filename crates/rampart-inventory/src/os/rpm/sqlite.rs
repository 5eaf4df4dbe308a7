//! A minimal read-only SQLite reader for `rpmdb.sqlite` (rpm 4.16+: Fedora 33+, RHEL 9,
//! CBL-Mariner, Amazon Linux 2023).
//!
//! It reads just enough of the file format to list the `blob` column of the `Packages`
//! table: the 100-byte file header, `sqlite_master` on page 1 to find the table's root page,
//! table b-tree pages (interior and leaf), overflow page chains and the record format. Index
//! b-trees, the freelist and every other table are ignored. Committed pages of the
//! write-ahead log (`rpmdb.sqlite-wal`), when one is given, take precedence over the main
//! file's, as they do for SQLite (rpm checkpoints on close, so the log is usually empty). Each page is visited
//! at most once, so a corrupt file with page cycles still terminates.

use super::bytes::{Endian, slice, u16_at, u32_at, usize_at};
use crate::InventoryError;
use rampart_core::Diagnostic;
use std::borrow::Cow;
use std::collections::HashMap;

/// The first 16 bytes of every SQLite 3 database.
pub(crate) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

const LEAF_TABLE: u8 = 0x0d;
const INTERIOR_TABLE: u8 = 0x05;

struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    usable: usize,
    pages: usize,
    /// Committed pages from the write-ahead log, newest version of each.
    wal: HashMap<usize, &'a [u8]>,
}

/// Call `emit` with each row's `blob` of the `Packages` table. `wal` is the content of
/// `rpmdb.sqlite-wal`, when present: its committed pages replace those of the main file.
pub(crate) fn for_each_blob<'a>(
    path: &str,
    data: &'a [u8],
    wal: Option<&'a [u8]>,
    diags: &mut Vec<Diagnostic>,
    emit: &mut dyn FnMut(&[u8]),
) -> Result<(), InventoryError> {
    let err = |reason: String| InventoryError::parse(path, format!("rpmdb.sqlite: {reason}"));
    if !data.starts_with(MAGIC) {
        return Err(err("not a SQLite 3 database".into()));
    }
    if data.len() < 100 {
        return Err(err(format!(
            "truncated: {} bytes, shorter than the 100-byte header",
            data.len()
        )));
    }
    let be = Endian::Big;
    let page_size = match u16_at(data, 16, be) {
        Some(1) => 65536,
        Some(n) => usize::from(n),
        None => 0,
    };
    if !page_size.is_power_of_two() || !(512..=65536).contains(&page_size) {
        return Err(err(format!("invalid page size {page_size}")));
    }
    let reserved = usize::from(data.get(20).copied().unwrap_or(0));
    let usable = page_size - reserved;
    if usable < 480 {
        return Err(err(format!("usable page size {usable} is below 480")));
    }
    let mut pages = data.len() / page_size;
    let mut wal_pages = HashMap::new();
    if let Some(w) = wal.filter(|w| !w.is_empty()) {
        match read_wal(w, page_size) {
            Ok(Some((frames, size))) => {
                // The size comes from the log; never trust it beyond the pages that exist.
                let highest = frames.keys().copied().max().unwrap_or(0);
                pages = size.min(pages.max(highest));
                wal_pages = frames;
            }
            Ok(None) => {}
            Err(reason) => diags.push(Diagnostic::warning(
                path,
                format!("rpmdb.sqlite-wal: {reason}; read the main file alone"),
            )),
        }
    }
    // The header's page count is valid when its "version-valid-for" matches the change
    // counter; a file shorter than it has been truncated.
    let counted = usize_at(data, 28, be).unwrap_or(0);
    if wal_pages.is_empty() && u32_at(data, 92, be) == u32_at(data, 24, be) && counted > pages {
        return Err(err(format!(
            "truncated: the header counts {counted} pages of {page_size} bytes, the file holds {pages}"
        )));
    }
    let db = Db {
        data,
        page_size,
        usable,
        pages,
        wal: wal_pages,
    };

    // Find the root page of `Packages` and its blob column in sqlite_master.
    let mut root = None;
    db.walk_table(1, &mut |payload| {
        let Ok(cols) = record(&payload) else { return };
        let text = |i: usize| match cols.get(i) {
            Some(Value::Text(t)) => std::str::from_utf8(t).ok(),
            _ => None,
        };
        if text(0) == Some("table")
            && text(1).is_some_and(|n| n.eq_ignore_ascii_case("Packages"))
            && let Some(Value::Int(r)) = cols.get(3)
        {
            root = usize::try_from(*r).ok();
        }
    })
    .map_err(&err)?;
    let root = root.ok_or_else(|| err("no Packages table in sqlite_master".into()))?;

    let mut bad_rows = 0usize;
    db.walk_table(root, &mut |payload| match record(&payload) {
        Ok(cols) => {
            // `hnum INTEGER PRIMARY KEY, blob BLOB`: the blob is the first blob column.
            match cols.iter().find_map(|c| match c {
                Value::Blob(b) => Some(*b),
                _ => None,
            }) {
                Some(b) => emit(b),
                None => bad_rows += 1,
            }
        }
        Err(_) => bad_rows += 1,
    })
    .map_err(&err)?;
    if bad_rows > 0 {
        diags.push(Diagnostic::warning(
            path,
            format!("rpmdb.sqlite: {bad_rows} Packages rows without a readable blob; skipped"),
        ));
    }
    Ok(())
}

impl<'a> Db<'a> {
    /// Page `n` (1-based).
    fn page(&self, n: usize) -> Result<&'a [u8], String> {
        if n == 0 || n > self.pages {
            return Err(format!(
                "page {n} is outside the file ({} pages)",
                self.pages
            ));
        }
        if let Some(p) = self.wal.get(&n) {
            return Ok(p);
        }
        slice(self.data, (n - 1) * self.page_size, self.page_size)
            .ok_or_else(|| format!("page {n} is truncated"))
    }

    /// Visit every row payload of the table b-tree rooted at `root`.
    fn walk_table(&self, root: usize, visit: &mut dyn FnMut(Cow<'a, [u8]>)) -> Result<(), String> {
        let mut seen = vec![false; self.pages + 1];
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match seen.get_mut(n) {
                Some(s) if !*s => *s = true,
                Some(_) => return Err(format!("page {n} is reached twice (corrupt b-tree)")),
                None => {
                    return Err(format!(
                        "page {n} is outside the file ({} pages)",
                        self.pages
                    ));
                }
            }
            let page = self.page(n)?;
            let hdr = if n == 1 { 100 } else { 0 };
            let kind = *page.get(hdr).ok_or("page header truncated")?;
            let cells =
                usize::from(u16_at(page, hdr + 3, Endian::Big).ok_or("page header truncated")?);
            match kind {
                LEAF_TABLE => {
                    for i in 0..cells {
                        let ptr = usize::from(
                            u16_at(page, hdr + 8 + 2 * i, Endian::Big)
                                .ok_or("cell pointer array truncated")?,
                        );
                        visit(self.leaf_payload(page, ptr, n)?);
                    }
                }
                INTERIOR_TABLE => {
                    stack
                        .push(usize_at(page, hdr + 8, Endian::Big).ok_or("page header truncated")?);
                    for i in 0..cells {
                        let ptr = usize::from(
                            u16_at(page, hdr + 12 + 2 * i, Endian::Big)
                                .ok_or("cell pointer array truncated")?,
                        );
                        stack.push(
                            usize_at(page, ptr, Endian::Big)
                                .ok_or_else(|| format!("page {n}: cell truncated"))?,
                        );
                    }
                }
                other => {
                    return Err(format!(
                        "page {n} has type {other:#04x}, not a table b-tree page"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The full payload of the table leaf cell at `ptr`, following overflow pages.
    fn leaf_payload(&self, page: &'a [u8], ptr: usize, n: usize) -> Result<Cow<'a, [u8]>, String> {
        let bad = || format!("page {n}: cell at {ptr} is truncated");
        let (size, a) = varint(page.get(ptr..).ok_or_else(bad)?).ok_or_else(bad)?;
        let (_rowid, b) = varint(page.get(ptr + a..).ok_or_else(bad)?).ok_or_else(bad)?;
        let start = ptr + a + b;
        let size = usize::try_from(size).map_err(|_| bad())?;
        if size > self.data.len() {
            return Err(format!(
                "page {n}: payload of {size} bytes is larger than the file"
            ));
        }
        let u = self.usable;
        let x = u - 35;
        let local = if size <= x {
            size
        } else {
            let m = ((u - 12) * 32 / 255) - 23;
            let k = m + (size - m) % (u - 4);
            if k <= x { k } else { m }
        };
        let inline = slice(page, start, local).ok_or_else(bad)?;
        if local == size {
            return Ok(Cow::Borrowed(inline));
        }
        let mut out = Vec::with_capacity(size);
        out.extend_from_slice(inline);
        let mut next = usize_at(page, start + local, Endian::Big).ok_or_else(bad)?;
        let mut hops = 0usize;
        while out.len() < size {
            hops += 1;
            if hops > self.pages {
                return Err(format!("page {n}: overflow chain loops"));
            }
            let ov = self.page(next)?;
            let take = (size - out.len()).min(u - 4);
            out.extend_from_slice(slice(ov, 4, take).ok_or("overflow page truncated")?);
            next = usize_at(ov, 0, Endian::Big).ok_or("overflow page truncated")?;
        }
        Ok(Cow::Owned(out))
    }
}

/// Magic of a WAL file whose checksums use little-endian words (`+1`: big-endian).
const WAL_MAGIC: u32 = 0x377f_0682;

/// The committed pages of a write-ahead log and the database size (in pages) after the
/// last commit; `None` when the log holds no commit (or belongs to an older checkpoint).
/// Frames are read up to the first whose salt or cumulative checksum does not match, as
/// SQLite does when it recovers a log.
#[allow(clippy::type_complexity)]
fn read_wal(w: &[u8], page_size: usize) -> Result<Option<(HashMap<usize, &[u8]>, usize)>, String> {
    let be = Endian::Big;
    let magic = u32_at(w, 0, be).ok_or("shorter than its 32-byte header")?;
    if magic & !1 != WAL_MAGIC {
        return Err("no WAL magic".into());
    }
    let order = if magic & 1 == 1 {
        Endian::Big
    } else {
        Endian::Little
    };
    if usize_at(w, 8, be) != Some(page_size) {
        return Err("page size differs from the database".into());
    }
    let header = slice(w, 0, 32).ok_or("shorter than its 32-byte header")?;
    let (s0, s1) = wal_checksum(slice(header, 0, 24).unwrap_or_default(), (0, 0), order);
    if u32_at(header, 24, be) != Some(s0) || u32_at(header, 28, be) != Some(s1) {
        return Err("header checksum mismatch".into());
    }
    let salts = slice(header, 16, 8).unwrap_or_default();
    let mut sums = (s0, s1);
    let mut pending: Vec<(usize, &[u8])> = Vec::new();
    let mut committed: HashMap<usize, &[u8]> = HashMap::new();
    let mut size = None;
    let mut off = 32;
    while let Some(frame) = slice(w, off, 24 + page_size) {
        off += 24 + page_size;
        if frame.get(8..16) != Some(salts) {
            break;
        }
        let page_data = frame.get(24..).unwrap_or_default();
        let sums1 = wal_checksum(frame.get(..8).unwrap_or_default(), sums, order);
        let sums2 = wal_checksum(page_data, sums1, order);
        if u32_at(frame, 16, be) != Some(sums2.0) || u32_at(frame, 20, be) != Some(sums2.1) {
            break;
        }
        sums = sums2;
        let n = usize_at(frame, 0, be).unwrap_or(0);
        pending.push((n, page_data));
        let commit = usize_at(frame, 4, be).unwrap_or(0);
        if commit > 0 {
            committed.extend(pending.drain(..));
            size = Some(commit);
        }
    }
    Ok(size.map(|s| (committed, s)))
}

/// SQLite's WAL checksum over 32-bit words, continuing from `(s0, s1)`.
fn wal_checksum(data: &[u8], (mut s0, mut s1): (u32, u32), order: Endian) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let x0 = u32_at(pair, 0, order).unwrap_or(0);
        let x1 = u32_at(pair, 4, order).unwrap_or(0);
        s0 = s0.wrapping_add(x0).wrapping_add(s1);
        s1 = s1.wrapping_add(x1).wrapping_add(s0);
    }
    (s0, s1)
}

/// One column value of a record.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Null,
    Int(i64),
    Float,
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

/// Decode a record (header of serial types, then the values).
fn record(p: &[u8]) -> Result<Vec<Value<'_>>, String> {
    let (hlen, mut pos) = varint(p).ok_or("record header truncated")?;
    let hlen = usize::try_from(hlen).map_err(|_| "record header too long")?;
    if hlen > p.len() {
        return Err("record header past the payload".into());
    }
    let mut body = hlen;
    let mut out = Vec::new();
    while pos < hlen {
        let (ty, n) =
            varint(p.get(pos..hlen).unwrap_or_default()).ok_or("serial type truncated")?;
        pos += n;
        let len = match ty {
            0 | 8 | 9 => 0,
            1..=4 => usize::try_from(ty).unwrap_or(0),
            5 => 6,
            6 | 7 => 8,
            10 | 11 => return Err(format!("reserved serial type {ty}")),
            _ => usize::try_from((ty - 12) / 2).map_err(|_| "value too long")?,
        };
        let v = slice(p, body, len).ok_or("record value past the payload")?;
        body += len;
        out.push(match ty {
            0 => Value::Null,
            8 => Value::Int(0),
            9 => Value::Int(1),
            1..=6 => {
                let mut acc: i64 = if v.first().is_some_and(|b| b & 0x80 != 0) {
                    -1
                } else {
                    0
                };
                for &b in v {
                    acc = (acc << 8) | i64::from(b);
                }
                Value::Int(acc)
            }
            7 => Value::Float,
            t if t % 2 == 0 => Value::Blob(v),
            _ => Value::Text(v),
        });
    }
    Ok(out)
}

/// A SQLite varint: up to 9 bytes, big-endian, 7 bits per byte except the ninth.
fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(i)?;
        if i == 8 {
            return Some(((v << 8) | u64::from(byte), 9));
        }
        v = (v << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9]), Some((u64::MAX, 9)));
        assert_eq!(varint(&[0x81]), None);
    }

    #[test]
    fn records() {
        // header of 5 bytes: its length, then NULL, int8, text(2), blob(1)
        let p = [5u8, 0, 1, 17, 14, 0xfe, b'h', b'i', 7];
        assert_eq!(
            record(&p).unwrap(),
            vec![
                Value::Null,
                Value::Int(-2),
                Value::Text(b"hi"),
                Value::Blob(&[7])
            ]
        );
        assert!(record(&p[..7]).is_err());
    }
}
