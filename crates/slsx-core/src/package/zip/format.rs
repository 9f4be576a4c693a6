//! The zip records: local headers, data descriptors, the central directory and its end (zip64 when
//! sizes or offsets need it), with the fixed times, flags and modes every slsx zip carries.

use std::io::Write;

use sha2::{Digest, Sha256};

use super::Written;
use crate::error::{Error, Result};

const DOS_TIME: u16 = 0;
/// 1980-01-01: (year-1980) << 9 | month << 5 | day.
const DOS_DATE: u16 = (1 << 5) | 1;
/// Bit 3: sizes and CRC follow the data; bit 11: names are UTF-8.
const FLAGS: u16 = 0x0008 | 0x0800;
const METHOD_DEFLATE: u16 = 8;
/// Made by Unix (3), spec version 2.0.
const VERSION_MADE_BY: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
const VERSION_NEEDED_ZIP64: u16 = 45;
pub(super) const MAX_32: u64 = 0xFFFF_FFFF;

/// One entry as the central directory lists it.
pub(super) struct CentralEntry {
    pub name: String,
    pub crc: u32,
    pub compressed: u64,
    pub uncompressed: u64,
    /// Where its local header starts.
    pub offset: u64,
    pub mode: u32,
}

/// The Unix mode of an entry: 0755 for executables, 0644 for everything else.
pub(super) fn mode(executable: bool) -> u32 {
    if executable {
        0o100755
    } else {
        0o100644
    }
}

pub(super) fn write_error(e: std::io::Error) -> Error {
    Error::io("cannot write zip", e)
}

/// Counts and hashes everything written through it.
pub(super) struct HashingWriter<W: Write> {
    inner: W,
    sha: Sha256,
    pub written: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A zip being written: entries one after another (`start_entry`, the data through `data`,
/// `end_entry`), then the central directory (`finish`).
pub(super) struct ZipWriter<W: Write> {
    out: HashingWriter<W>,
    central: Vec<CentralEntry>,
}

impl<W: Write> ZipWriter<W> {
    pub fn new(inner: W, entries: usize) -> Self {
        ZipWriter {
            out: HashingWriter {
                inner,
                sha: Sha256::new(),
                written: 0,
            },
            central: Vec::with_capacity(entries),
        }
    }

    /// Writes the local header of the next entry; returns where the entry starts.
    pub fn start_entry(&mut self, name: &str) -> Result<u64> {
        let offset = self.out.written;
        self.out
            .write_all(&local_header(name)?)
            .map_err(write_error)?;
        Ok(offset)
    }

    /// Where the entry's compressed data goes.
    pub fn data(&mut self) -> &mut HashingWriter<W> {
        &mut self.out
    }

    pub fn written(&self) -> u64 {
        self.out.written
    }

    /// Ends the entry: its data descriptor, and its record for the central directory.
    pub fn end_entry(&mut self, entry: CentralEntry) -> Result<()> {
        let mut desc = Vec::with_capacity(16);
        desc.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        desc.extend_from_slice(&entry.crc.to_le_bytes());
        desc.extend_from_slice(&(entry.compressed as u32).to_le_bytes());
        desc.extend_from_slice(&(entry.uncompressed as u32).to_le_bytes());
        self.out.write_all(&desc).map_err(write_error)?;
        self.central.push(entry);
        Ok(())
    }

    /// Writes the central directory and its end; returns the output, the zip's size and hash.
    pub fn finish(mut self) -> Result<(W, Written)> {
        let cd_start = self.out.written;
        for e in &self.central {
            write_central(&mut self.out, e).map_err(write_error)?;
        }
        let cd_size = self.out.written - cd_start;
        write_end(&mut self.out, self.central.len() as u64, cd_size, cd_start)
            .map_err(write_error)?;
        self.out.flush().map_err(write_error)?;
        let written = Written {
            size: self.out.written,
            sha256: self.out.sha.finalize().into(),
        };
        Ok((self.out.inner, written))
    }
}

fn local_header(name: &str) -> Result<Vec<u8>> {
    let name_len = u16::try_from(name.len()).map_err(|_| Error::Package {
        code: "PACKAGE_PATH_TOO_LONG",
        message: format!("path too long for a zip entry: {name}"),
    })?;
    let mut h = Vec::with_capacity(30 + name.len());
    h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    h.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
    h.extend_from_slice(&FLAGS.to_le_bytes());
    h.extend_from_slice(&METHOD_DEFLATE.to_le_bytes());
    h.extend_from_slice(&DOS_TIME.to_le_bytes());
    h.extend_from_slice(&DOS_DATE.to_le_bytes());
    h.extend_from_slice(&[0u8; 12]); // crc, sizes: in the data descriptor
    h.extend_from_slice(&name_len.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(name.as_bytes());
    Ok(h)
}

fn write_central<W: Write>(w: &mut W, e: &CentralEntry) -> std::io::Result<()> {
    let zip64_offset = e.offset >= MAX_32;
    let mut extra = Vec::new();
    if zip64_offset {
        extra.extend_from_slice(&0x0001u16.to_le_bytes());
        extra.extend_from_slice(&8u16.to_le_bytes());
        extra.extend_from_slice(&e.offset.to_le_bytes());
    }
    let mut h = Vec::with_capacity(46 + e.name.len() + extra.len());
    h.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    h.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
    let needed = if zip64_offset {
        VERSION_NEEDED_ZIP64
    } else {
        VERSION_NEEDED
    };
    h.extend_from_slice(&needed.to_le_bytes());
    h.extend_from_slice(&FLAGS.to_le_bytes());
    h.extend_from_slice(&METHOD_DEFLATE.to_le_bytes());
    h.extend_from_slice(&DOS_TIME.to_le_bytes());
    h.extend_from_slice(&DOS_DATE.to_le_bytes());
    h.extend_from_slice(&e.crc.to_le_bytes());
    h.extend_from_slice(&(e.compressed as u32).to_le_bytes());
    h.extend_from_slice(&(e.uncompressed as u32).to_le_bytes());
    h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
    h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes()); // comment
    h.extend_from_slice(&0u16.to_le_bytes()); // disk
    h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
    h.extend_from_slice(&(e.mode << 16).to_le_bytes());
    h.extend_from_slice(&(e.offset.min(MAX_32) as u32).to_le_bytes());
    h.extend_from_slice(e.name.as_bytes());
    h.extend_from_slice(&extra);
    w.write_all(&h)
}

fn write_end<W: Write>(
    w: &mut HashingWriter<W>,
    count: u64,
    cd_size: u64,
    cd_start: u64,
) -> std::io::Result<()> {
    let zip64 = count >= 0xFFFF || cd_size >= MAX_32 || cd_start >= MAX_32;
    let mut e = Vec::new();
    if zip64 {
        let record_start = w.written;
        e.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
        e.extend_from_slice(&44u64.to_le_bytes());
        e.extend_from_slice(&VERSION_MADE_BY.to_le_bytes());
        e.extend_from_slice(&VERSION_NEEDED_ZIP64.to_le_bytes());
        e.extend_from_slice(&0u32.to_le_bytes());
        e.extend_from_slice(&0u32.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&cd_size.to_le_bytes());
        e.extend_from_slice(&cd_start.to_le_bytes());
        // locator
        e.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
        e.extend_from_slice(&0u32.to_le_bytes());
        e.extend_from_slice(&record_start.to_le_bytes());
        e.extend_from_slice(&1u32.to_le_bytes());
    }
    e.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    let n16 = count.min(0xFFFF) as u16;
    e.extend_from_slice(&n16.to_le_bytes());
    e.extend_from_slice(&n16.to_le_bytes());
    e.extend_from_slice(&(cd_size.min(MAX_32) as u32).to_le_bytes());
    e.extend_from_slice(&(cd_start.min(MAX_32) as u32).to_le_bytes());
    e.extend_from_slice(&0u16.to_le_bytes());
    w.write_all(&e)
}
