//! Bounds-checked reads of fixed-size integers from untrusted bytes, shared by the rpm
//! database readers. Every read returns `None` instead of panicking when it would run past
//! the end of the input.

/// Byte order of a database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endian {
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
}

/// `len` bytes at `off`, if they exist.
pub(super) fn slice(data: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    data.get(off..off.checked_add(len)?)
}

/// A `u16` at `off`.
pub(super) fn u16_at(data: &[u8], off: usize, e: Endian) -> Option<u16> {
    let b: [u8; 2] = slice(data, off, 2)?.try_into().ok()?;
    Some(match e {
        Endian::Little => u16::from_le_bytes(b),
        Endian::Big => u16::from_be_bytes(b),
    })
}

/// A `u32` at `off`.
pub(super) fn u32_at(data: &[u8], off: usize, e: Endian) -> Option<u32> {
    let b: [u8; 4] = slice(data, off, 4)?.try_into().ok()?;
    Some(match e {
        Endian::Little => u32::from_le_bytes(b),
        Endian::Big => u32::from_be_bytes(b),
    })
}

/// A `u32` at `off` as a `usize`.
pub(super) fn usize_at(data: &[u8], off: usize, e: Endian) -> Option<usize> {
    usize::try_from(u32_at(data, off, e)?).ok()
}
