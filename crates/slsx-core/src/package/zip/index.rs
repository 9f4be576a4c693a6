//! The spill's index on disk: which file's compressed bytes lie where in the spill file. Binary and
//! read in one pass: a `deploy function` reads it on every run.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};

use super::spill::Compressed;

/// First bytes of the index; bumped when its layout changes (an unknown index is ignored).
const INDEX_MAGIC: &[u8; 8] = b"slsxdfl1";

/// The index: magic, entry count, then per entry the path (length and bytes) and the six numbers of
/// `Compressed`, little-endian.
pub(super) fn encode_index(entries: &HashMap<OsString, Compressed>) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + entries.len() * 140);
    out.extend_from_slice(INDEX_MAGIC);
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (path, c) in entries {
        let bytes = path_bytes(path);
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&bytes);
        out.extend_from_slice(&c.crc.to_le_bytes());
        for n in [c.compressed, c.uncompressed, c.offset, c.size, c.stamp] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    out
}

pub(super) fn decode_index(bytes: &[u8]) -> Option<HashMap<OsString, Compressed>> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
        *bytes = rest;
        Some(head)
    }
    fn u64_at(bytes: &mut &[u8]) -> Option<u64> {
        Some(u64::from_le_bytes(take(bytes, 8)?.try_into().ok()?))
    }
    let mut rest = bytes;
    if take(&mut rest, 8)? != INDEX_MAGIC {
        return None;
    }
    let count = u64_at(&mut rest)?;
    let mut entries = HashMap::with_capacity(count.min(1 << 24) as usize);
    for _ in 0..count {
        let len = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?) as usize;
        let path = path_from_bytes(take(&mut rest, len)?)?;
        let crc = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
        let [compressed, uncompressed, offset, size, stamp] = [
            u64_at(&mut rest)?,
            u64_at(&mut rest)?,
            u64_at(&mut rest)?,
            u64_at(&mut rest)?,
            u64_at(&mut rest)?,
        ];
        entries.insert(
            path,
            Compressed {
                crc,
                compressed,
                uncompressed,
                offset,
                size,
                stamp,
            },
        );
    }
    rest.is_empty().then_some(entries)
}

#[cfg(unix)]
fn path_bytes(path: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(path.as_bytes())
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> Option<OsString> {
    use std::os::unix::ffi::OsStrExt;
    Some(OsStr::from_bytes(bytes).to_os_string())
}

// Elsewhere a path that is not Unicode is written lossily: it then matches no file, which is only
// compressed again.
#[cfg(not(unix))]
fn path_bytes(path: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    match path.to_string_lossy() {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
    }
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> Option<OsString> {
    Some(OsString::from(std::str::from_utf8(bytes).ok()?))
}
