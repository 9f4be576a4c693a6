//! A deterministic, streaming zip writer.
//!
//! The bytes depend only on the entry names, contents and exec bits: entries in the order given (the
//! caller sorts them by UTF-8 bytes), DOS time 1980-01-01 00:00, Unix modes 0644/0755, deflate level 6,
//! no extra fields, UTF-8 names. Each file is read in chunks and compressed straight into the output,
//! and the whole zip is hashed while it is written, so memory stays bounded whatever the file sizes.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use sha2::{Digest, Sha256};

use super::walk::FileEntry;
use crate::error::{Error, Result};

/// Deflate level used for every entry (zlib's default, as Serverless uses).
pub const DEFLATE_LEVEL: u32 = 6;

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
const MAX_32: u64 = 0xFFFF_FFFF;

/// One file to add.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub path: PathBuf,
    pub executable: bool,
    /// Size seen when the tree was walked; a file that changes size before it is read is an error.
    pub size: u64,
}

impl From<&FileEntry> for Source {
    fn from(e: &FileEntry) -> Self {
        Source {
            name: e.rel.clone(),
            path: e.abs.clone(),
            executable: e.executable,
            size: e.size,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub size: u64,
    pub sha256: [u8; 32],
}

struct CentralEntry {
    name: String,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
    mode: u32,
}

/// Counts and hashes everything written through it.
struct HashingWriter<W: Write> {
    inner: W,
    sha: Sha256,
    written: u64,
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

/// Writes `sources` (already in their final order) to `path`. The file is written under a temporary
/// name and renamed, so a failed run never leaves a half zip behind.
pub fn write_zip_file(path: &Path, sources: impl IntoIterator<Item = Source>) -> Result<Written> {
    let tmp = path.with_extension("zip.partial");
    let result = (|| {
        let file = File::create(&tmp)
            .map_err(|e| Error::io(format!("cannot create \"{}\"", tmp.display()), e))?;
        let written = write_zip(BufWriter::with_capacity(256 * 1024, file), sources)?;
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))?;
        Ok(written)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a zip of `sources` to `out`.
pub fn write_zip<W: Write>(out: W, sources: impl IntoIterator<Item = Source>) -> Result<Written> {
    let mut w = HashingWriter {
        inner: out,
        sha: Sha256::new(),
        written: 0,
    };
    let mut central = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    for source in sources {
        let entry = write_entry(&mut w, &source, &mut buf)?;
        central.push(entry);
    }
    let io = |e| Error::io("cannot write zip", e);
    let cd_start = w.written;
    for e in &central {
        write_central(&mut w, e).map_err(io)?;
    }
    let cd_size = w.written - cd_start;
    write_end(&mut w, central.len() as u64, cd_size, cd_start).map_err(io)?;
    w.flush().map_err(io)?;
    Ok(Written {
        size: w.written,
        sha256: w.sha.finalize().into(),
    })
}

fn write_entry<W: Write>(w: &mut HashingWriter<W>, src: &Source, buf: &mut [u8]) -> Result<CentralEntry> {
    let io_out = |e| Error::io("cannot write zip", e);
    let offset = w.written;
    let name = src.name.as_bytes();
    let name_len = u16::try_from(name.len()).map_err(|_| Error::Package {
        code: "PACKAGE_PATH_TOO_LONG",
        message: format!("path too long for a zip entry: {}", src.name),
    })?;
    let mut header = Vec::with_capacity(30 + name.len());
    header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    header.extend_from_slice(&VERSION_NEEDED.to_le_bytes());
    header.extend_from_slice(&FLAGS.to_le_bytes());
    header.extend_from_slice(&METHOD_DEFLATE.to_le_bytes());
    header.extend_from_slice(&DOS_TIME.to_le_bytes());
    header.extend_from_slice(&DOS_DATE.to_le_bytes());
    header.extend_from_slice(&[0u8; 12]); // crc, sizes: in the data descriptor
    header.extend_from_slice(&name_len.to_le_bytes());
    header.extend_from_slice(&0u16.to_le_bytes());
    header.extend_from_slice(name);
    w.write_all(&header).map_err(io_out)?;

    let mut file = File::open(&src.path)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", src.path.display()), e))?;
    let mut crc = Crc::new();
    let mut uncompressed = 0u64;
    let data_start = w.written;
    let mut encoder = DeflateEncoder::new(&mut *w, Compression::new(DEFLATE_LEVEL));
    loop {
        let n = file
            .read(buf)
            .map_err(|e| Error::io(format!("cannot read \"{}\"", src.path.display()), e))?;
        if n == 0 {
            break;
        }
        crc.update(&buf[..n]);
        uncompressed += n as u64;
        encoder.write_all(&buf[..n]).map_err(io_out)?;
    }
    encoder.finish().map_err(io_out)?;
    let compressed = w.written - data_start;
    if uncompressed != src.size {
        return Err(Error::Package {
            code: "FILE_CHANGED_WHILE_PACKAGING",
            message: format!(
                "\"{}\" changed while it was being packaged ({} bytes, then {uncompressed})",
                src.path.display(),
                src.size
            ),
        });
    }
    if compressed >= MAX_32 || uncompressed >= MAX_32 {
        return Err(Error::Package {
            code: "PACKAGE_FILE_TOO_LARGE",
            message: format!("\"{}\" is 4 GiB or larger, beyond what Lambda accepts", src.path.display()),
        });
    }
    let mut desc = Vec::with_capacity(16);
    desc.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
    desc.extend_from_slice(&crc.sum().to_le_bytes());
    desc.extend_from_slice(&(compressed as u32).to_le_bytes());
    desc.extend_from_slice(&(uncompressed as u32).to_le_bytes());
    w.write_all(&desc).map_err(io_out)?;
    Ok(CentralEntry {
        name: src.name.clone(),
        crc: crc.sum(),
        compressed,
        uncompressed,
        offset,
        mode: if src.executable { 0o100755 } else { 0o100644 },
    })
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
    let needed = if zip64_offset { VERSION_NEEDED_ZIP64 } else { VERSION_NEEDED };
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

fn write_end<W: Write>(w: &mut HashingWriter<W>, count: u64, cd_size: u64, cd_start: u64) -> std::io::Result<()> {
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
