//! The spill: files compressed ahead of assembly, in one file beside the package
//! (`.slsx-deflate.bin`, indexed by `.slsx-deflate.idx`), read back range by range while zips are
//! assembled, and kept so the next package compresses only the files that changed.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::format::write_error;
use super::index::{decode_index, encode_index};
use crate::error::{Error, Result};

/// A file compressed ahead of assembly: its bytes sit in the spill file at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compressed {
    pub(super) crc: u32,
    pub(super) compressed: u64,
    pub(super) uncompressed: u64,
    pub(super) offset: u64,
    /// The file's size and change stamp when it was compressed: the bytes are reused for the same.
    pub(super) size: u64,
    pub(super) stamp: u64,
}

/// The spill file and where each compressed file is in it, by absolute path (as an `OsString`: it
/// hashes as bytes, where a `PathBuf` hashes component by component). It is kept beside the
/// package (`.slsx-deflate.bin` and its index `.slsx-deflate.idx`), so the next package compresses
/// only the files that changed.
pub struct Spill {
    pub(super) path: PathBuf,
    pub(super) entries: HashMap<OsString, Compressed>,
}

pub(super) const SPILL_FILE: &str = ".slsx-deflate.bin";
const SPILL_INDEX: &str = ".slsx-deflate.idx";

impl Spill {
    /// The spill a previous package left in `dir`, if any is readable.
    pub fn read(dir: &Path) -> Option<Spill> {
        let path = dir.join(SPILL_FILE);
        let index = std::fs::read(dir.join(SPILL_INDEX)).ok()?;
        let entries = decode_index(&index)?;
        path.is_file().then_some(Spill { path, entries })
    }

    /// Writes the index beside the spill file, so a later package can reuse it.
    pub(super) fn keep(&self) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let index = dir.join(SPILL_INDEX);
        let _ = std::fs::remove_file(&index);
        std::fs::write(&index, encode_index(&self.entries))
            .map_err(|e| Error::io("cannot write the deflate index", e))
    }

    /// The spill's bytes, to assemble zips from.
    pub fn open(&self) -> Result<SpillBytes> {
        let err = |e| Error::io("cannot read the compression spill file", e);
        let mut file = File::open(&self.path).map_err(err)?;
        let length = file.metadata().map_err(err)?.len();
        if length > SPILL_IN_MEMORY {
            return Ok(SpillBytes::File(file));
        }
        let mut bytes = Vec::with_capacity(length as usize);
        file.read_to_end(&mut bytes).map_err(err)?;
        Ok(SpillBytes::Memory(bytes))
    }

    /// Links a previous spill into `dir` unchanged (nothing was compressed this time).
    pub fn carry(&self, dir: &Path) {
        let (bin, index) = (dir.join(SPILL_FILE), dir.join(SPILL_INDEX));
        let from = self.path.parent().unwrap_or(Path::new("."));
        for (src, dst) in [(self.path.clone(), bin), (from.join(SPILL_INDEX), index)] {
            let _ = std::fs::remove_file(&dst);
            if std::fs::hard_link(&src, &dst).is_err() {
                let _ = std::fs::copy(&src, &dst);
            }
        }
    }
}

/// A spill's bytes while zips are assembled from it: read into memory in one go when it is not too
/// big (a few reads instead of one per file), else read range by range.
pub enum SpillBytes {
    Memory(Vec<u8>),
    File(File),
}

/// Spills up to this size are read into memory for assembly.
const SPILL_IN_MEMORY: u64 = 128 * 1024 * 1024;

pub(super) fn copy_range<W: Write>(
    bytes: &SpillBytes,
    mut offset: u64,
    mut len: u64,
    out: &mut W,
    buf: &mut [u8],
) -> Result<()> {
    let file = match bytes {
        SpillBytes::File(file) => file,
        SpillBytes::Memory(all) => {
            let range = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(offset + len).ok());
            let part = range.and_then(|(a, b)| all.get(a..b)).ok_or_else(|| {
                Error::io(
                    "cannot read the compression spill file",
                    std::io::ErrorKind::UnexpectedEof.into(),
                )
            })?;
            return out.write_all(part).map_err(write_error);
        }
    };
    while len > 0 {
        let n = len.min(buf.len() as u64) as usize;
        read_exact_at(file, &mut buf[..n], offset)
            .map_err(|e| Error::io("cannot read the compression spill file", e))?;
        out.write_all(&buf[..n]).map_err(write_error)?;
        offset += n as u64;
        len -= n as u64;
    }
    Ok(())
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
pub(super) fn read_exact_at(
    file: &File,
    mut buf: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_read(buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}
