//! The rpm header blob stored for each package in every rpm database backend.
//!
//! Layout (big-endian): `il` (index entry count) and `dl` (data length) as `u32`, then `il`
//! entries of 16 bytes (`tag`, `type`, `offset`, `count`), then `dl` bytes of data. Only the
//! identifying tags are read; file lists, dependencies and signatures are skipped.

use super::bytes::{Endian, slice, u32_at, usize_at};

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_VENDOR: u32 = 1011;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// Limits rpm itself enforces on headers (`hdrchkTags`, `hdrchkData`).
const MAX_ENTRIES: usize = 0x00ff_ffff;
const MAX_DATA: usize = 0x0fff_ffff;

/// The identifying tags of one installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RpmHeader {
    pub name: String,
    pub epoch: Option<u32>,
    pub version: String,
    pub release: String,
    pub arch: Option<String>,
    pub source_rpm: Option<String>,
    pub license: Option<String>,
    pub vendor: Option<String>,
}

/// Parse a header blob; the reason names what is wrong when it cannot be read.
pub(crate) fn parse_header(blob: &[u8]) -> Result<RpmHeader, String> {
    let be = Endian::Big;
    let il = usize_at(blob, 0, be).ok_or("header shorter than 8 bytes")?;
    let dl = usize_at(blob, 4, be).ok_or("header shorter than 8 bytes")?;
    if il == 0 || il > MAX_ENTRIES || dl > MAX_DATA {
        return Err(format!("implausible header sizes (il={il}, dl={dl})"));
    }
    let index_len = il * 16;
    let data_start = 8 + index_len;
    let store = slice(blob, data_start, dl).ok_or_else(|| {
        format!(
            "header truncated: needs {} bytes, has {}",
            data_start + dl,
            blob.len()
        )
    })?;
    let mut h = RpmHeader::default();
    for i in 0..il {
        let e = 8 + i * 16;
        let (Some(tag), Some(ty), Some(off), Some(count)) = (
            u32_at(blob, e, be),
            u32_at(blob, e + 4, be),
            usize_at(blob, e + 8, be),
            u32_at(blob, e + 12, be),
        ) else {
            return Err("header index truncated".into());
        };
        let string = || -> Result<String, String> {
            if !matches!(ty, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || count == 0 {
                return Err(format!("tag {tag} has type {ty}, not a string"));
            }
            let rest = store
                .get(off..)
                .ok_or_else(|| format!("tag {tag} points past the data store"))?;
            let end = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| format!("tag {tag} string is not terminated"))?;
            Ok(String::from_utf8_lossy(rest.get(..end).unwrap_or_default()).into_owned())
        };
        match tag {
            TAG_NAME => h.name = string()?,
            TAG_VERSION => h.version = string()?,
            TAG_RELEASE => h.release = string()?,
            TAG_ARCH => h.arch = Some(string()?),
            TAG_SOURCERPM => h.source_rpm = Some(string()?),
            TAG_LICENSE => h.license = Some(string()?),
            TAG_VENDOR => h.vendor = Some(string()?),
            TAG_EPOCH => {
                if ty != TYPE_INT32 || count == 0 {
                    return Err(format!("EPOCH has type {ty}, not INT32"));
                }
                h.epoch = Some(u32_at(store, off, be).ok_or("EPOCH points past the data store")?);
            }
            _ => {}
        }
    }
    if h.name.is_empty() {
        return Err("header has no NAME".into());
    }
    Ok(h)
}

/// Split a source rpm file name (`util-linux-2.32.1-42.el8_8.src.rpm`) into name, version
/// and release.
pub(crate) fn split_source_rpm(s: &str) -> Option<(&str, &str, &str)> {
    let base = s
        .strip_suffix(".src.rpm")
        .or_else(|| s.strip_suffix(".nosrc.rpm"))
        .or_else(|| s.strip_suffix(".rpm"))?;
    let (rest, release) = base.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name, version, release))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Build a header blob from (tag, type, data) triples.
    fn blob(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store = Vec::new();
        for (tag, ty, data) in entries {
            if *ty == TYPE_INT32 {
                while store.len() % 4 != 0 {
                    store.push(0);
                }
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(store.len() as u32).to_be_bytes());
            index.extend_from_slice(&1u32.to_be_bytes());
            store.extend_from_slice(data);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(store);
        out
    }

    #[test]
    fn reads_tags() {
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, b"bash\0"),
            (TAG_VERSION, TYPE_STRING, b"5.1.8\0"),
            (TAG_RELEASE, TYPE_STRING, b"9.el9\0"),
            (TAG_EPOCH, TYPE_INT32, &2u32.to_be_bytes()),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0"),
            (TAG_LICENSE, TYPE_STRING, b"GPLv3+\0"),
        ]);
        let h = parse_header(&b).unwrap();
        assert_eq!(h.name, "bash");
        assert_eq!(h.epoch, Some(2));
        assert_eq!(h.release, "9.el9");
        assert_eq!(h.license.as_deref(), Some("GPLv3+"));
        assert_eq!(h.source_rpm, None);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let b = blob(&[
            (TAG_NAME, TYPE_STRING, b"bash\0"),
            (TAG_EPOCH, TYPE_INT32, &2u32.to_be_bytes()),
        ]);
        for n in 0..b.len() {
            assert!(parse_header(&b[..n]).is_err(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm"),
            Some(("util-linux", "2.32.1", "42.el8_8"))
        );
        assert_eq!(split_source_rpm("(none)"), None);
        assert_eq!(split_source_rpm("a-1.src.rpm"), None);
    }
}
