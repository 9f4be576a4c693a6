//! A deterministic, streaming zip writer.
//!
//! The bytes depend only on the entry names, contents and exec bits: entries in the order given (the
//! caller sorts them by UTF-8 bytes), DOS time 1980-01-01 00:00, Unix modes 0644/0755, deflate level 6,
//! no extra fields, UTF-8 names. Files are read in chunks; the zip is hashed while it is written.
//!
//! Compression and assembly are separate: `compress_all` deflates every distinct file once, in
//! parallel, into a spill file (`Compressed`), and `assemble` writes a zip by copying those bytes. A
//! file shared by several artifacts (the node_modules of individually packaged functions) is therefore
//! read and compressed once, and memory stays bounded whatever the file sizes: files above
//! `SPILL_LIMIT` are compressed straight into the zip instead.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Deflate level used for every entry (zlib's default, as Serverless uses).
pub const DEFLATE_LEVEL: u32 = 6;
/// Files up to this size are compressed ahead, in parallel; bigger ones are streamed into the zip.
pub const SPILL_LIMIT: u64 = 1024 * 1024;

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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    /// Name inside the zip.
    pub name: String,
    pub path: PathBuf,
    pub executable: bool,
    /// Size seen when the tree was walked; a file that changes size before it is read is an error.
    pub size: u64,
    /// The file's change stamp (`FileEntry::stamp`).
    pub stamp: u64,
}

impl From<&super::FileEntry> for Source {
    fn from(e: &super::FileEntry) -> Self {
        Source {
            name: e.rel.clone(),
            path: e.abs.clone(),
            executable: e.executable,
            size: e.size,
            stamp: e.stamp,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub size: u64,
    pub sha256: [u8; 32],
}

/// A file compressed ahead of assembly: its bytes sit in the spill file at `offset`.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Compressed {
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
    /// The file's size and change stamp when it was compressed: the bytes are reused for the same.
    size: u64,
    stamp: u64,
}

/// The spill file and where each compressed file is in it, by absolute path. It is kept beside the
/// package (`.slsx-deflate.bin` and its index `.slsx-deflate.json`), so the next package compresses
/// only the files that changed.
pub struct Spill {
    path: PathBuf,
    entries: HashMap<PathBuf, Compressed>,
}

const SPILL_FILE: &str = ".slsx-deflate.bin";
const SPILL_INDEX: &str = ".slsx-deflate.json";

impl Spill {
    /// The spill a previous package left in `dir`, if any is readable.
    pub fn read(dir: &Path) -> Option<Spill> {
        let path = dir.join(SPILL_FILE);
        let index = std::fs::read(dir.join(SPILL_INDEX)).ok()?;
        let entries: HashMap<PathBuf, Compressed> = serde_json::from_slice(&index).ok()?;
        path.is_file().then_some(Spill { path, entries })
    }

    /// Writes the index beside the spill file, so a later package can reuse it.
    fn keep(&self) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let text = serde_json::to_vec(&self.entries).map_err(|e| Error::Internal {
            message: format!("cannot write the deflate index: {e}"),
        })?;
        std::fs::write(dir.join(SPILL_INDEX), text)
            .map_err(|e| Error::io("cannot write the deflate index", e))
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

/// Deflates every distinct file up to `SPILL_LIMIT` once, in parallel, into `<dir>/.slsx-deflate.bin`;
/// a file `previous` holds with the same size and change stamp is copied from it instead. Each worker
/// compresses into its own reused buffer and appends it under a lock: no buffer crosses threads, so
/// the allocator keeps reusing the same memory (handing buffers to a writer thread made glibc grow a
/// new arena after another, to over a gigabyte on 50 MB of node_modules).
pub fn compress_all(files: &[&Source], dir: &Path, previous: Option<&Spill>) -> Result<Spill> {
    let spill_path = &dir.join(SPILL_FILE);
    let old_file = previous.and_then(|p| File::open(&p.path).ok());
    let mut unique: Vec<&Source> = files
        .iter()
        .copied()
        .filter(|s| s.size <= SPILL_LIMIT)
        .collect();
    unique.sort_by(|a, b| a.path.cmp(&b.path));
    unique.dedup_by(|a, b| a.path == b.path);

    let file = File::create(spill_path)
        .map_err(|e| Error::io(format!("cannot create \"{}\"", spill_path.display()), e))?;
    let mut spill = Spill {
        path: spill_path.to_path_buf(),
        entries: HashMap::with_capacity(unique.len()),
    };
    struct Out {
        writer: BufWriter<File>,
        offset: u64,
        entries: HashMap<PathBuf, Compressed>,
    }
    let out = Mutex::new(Out {
        writer: BufWriter::with_capacity(1024 * 1024, file),
        offset: 0,
        entries: std::mem::take(&mut spill.entries),
    });
    let spill_error = |e| Error::io("cannot write the compression spill file", e);
    unique.par_iter().try_for_each_init(
        || (Vec::with_capacity(SPILL_LIMIT as usize), Deflater::new()),
        |(buf, deflater), src| {
            buf.clear();
            let old = previous.zip(old_file.as_ref()).and_then(|(p, f)| {
                let c = p
                    .entries
                    .get(&src.path)
                    .filter(|c| c.size == src.size && c.stamp == src.stamp)?;
                buf.resize(c.compressed as usize, 0);
                read_exact_at(f, buf, c.offset).ok()?;
                Some((c.crc, c.uncompressed))
            });
            let (crc, uncompressed) = match old {
                Some(found) => found,
                None => {
                    buf.clear();
                    deflate_file(src, buf, deflater)?
                }
            };
            let mut out = out.lock().map_err(|_| Error::Internal {
                message: "a packaging thread panicked".into(),
            })?;
            out.writer.write_all(buf).map_err(spill_error)?;
            let offset = out.offset;
            let compressed = buf.len() as u64;
            out.entries.insert(
                src.path.clone(),
                Compressed {
                    crc,
                    compressed,
                    uncompressed,
                    offset,
                    size: src.size,
                    stamp: src.stamp,
                },
            );
            out.offset += compressed;
            Ok::<_, Error>(())
        },
    )?;
    let mut out = out.into_inner().map_err(|_| Error::Internal {
        message: "a packaging thread panicked".into(),
    })?;
    out.writer.flush().map_err(spill_error)?;
    spill.entries = out.entries;
    spill.keep()?;
    Ok(spill)
}

/// A reusable deflater: the compressor state and the I/O buffers live as long as a worker thread, so
/// compressing thousands of files allocates almost nothing.
pub struct Deflater {
    compress: Compress,
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Deflater {
    pub fn new() -> Deflater {
        Deflater {
            compress: Compress::new(Compression::new(DEFLATE_LEVEL), false),
            input: vec![0u8; 64 * 1024],
            output: vec![0u8; 64 * 1024],
        }
    }
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater::new()
    }
}

/// Deflates `src` into `out`; returns its CRC-32 and size, checking the size did not change.
fn deflate_file<W: Write>(src: &Source, out: &mut W, d: &mut Deflater) -> Result<(u32, u64)> {
    let mut file = File::open(&src.path).map_err(|e| read_error(src, e))?;
    deflate_from(&mut file, src, out, d)
}

/// Deflates what `input` holds (`src` names it and gives its expected size) into `out`.
fn deflate_from<R: Read, W: Write>(
    input: &mut R,
    src: &Source,
    out: &mut W,
    d: &mut Deflater,
) -> Result<(u32, u64)> {
    let write_err = |e| Error::io("cannot write zip", e);
    let file = input;
    let mut crc = Crc::new();
    let mut total = 0u64;
    d.compress.reset();
    loop {
        let n = file.read(&mut d.input).map_err(|e| read_error(src, e))?;
        crc.update(&d.input[..n]);
        total += n as u64;
        let flush = if n == 0 {
            FlushCompress::Finish
        } else {
            FlushCompress::None
        };
        let mut consumed = 0;
        loop {
            let (in_before, out_before) = (d.compress.total_in(), d.compress.total_out());
            let status = d
                .compress
                .compress(&d.input[consumed..n], &mut d.output, flush)
                .map_err(|e| Error::Internal {
                    message: format!("deflate failed: {e}"),
                })?;
            consumed += (d.compress.total_in() - in_before) as usize;
            let produced = (d.compress.total_out() - out_before) as usize;
            out.write_all(&d.output[..produced]).map_err(write_err)?;
            let done = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                _ => consumed == n && produced < d.output.len(),
            };
            if done {
                break;
            }
        }
        if n == 0 {
            break;
        }
    }
    if total != src.size {
        return Err(Error::Package {
            code: "FILE_CHANGED_WHILE_PACKAGING",
            message: format!(
                "\"{}\" changed while it was being packaged ({} bytes, then {total})",
                src.path.display(),
                src.size
            ),
        });
    }
    if total >= MAX_32 {
        return Err(Error::Package {
            code: "PACKAGE_FILE_TOO_LARGE",
            message: format!(
                "\"{}\" is 4 GiB or larger, beyond what Lambda accepts",
                src.path.display()
            ),
        });
    }
    Ok((crc.sum(), total))
}

fn read_error(src: &Source, e: std::io::Error) -> Error {
    Error::Package {
        code: "CANNOT_READ_FILE",
        message: format!("Cannot read file \"{}\": {e}", src.path.display()),
    }
}

/// Writes a zip of `sources` (already in their final order) to `path`, taking compressed bytes from
/// `spill` where it has them. Written under a temporary name and renamed: a failure leaves no half zip.
pub fn assemble(path: &Path, sources: &[Source], spill: Option<&Spill>) -> Result<Written> {
    let tmp = path.with_extension("zip.partial");
    let result = (|| {
        let file = File::create(&tmp)
            .map_err(|e| Error::io(format!("cannot create \"{}\"", tmp.display()), e))?;
        let spill_file = match spill {
            Some(s) => Some(
                File::open(&s.path)
                    .map_err(|e| Error::io("cannot read the compression spill file", e))?,
            ),
            None => None,
        };
        let written = write_zip(
            BufWriter::with_capacity(256 * 1024, file),
            sources,
            spill.zip(spill_file.as_ref()),
        )?;
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))?;
        Ok(written)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Streams a zip of `sources` to `path`, compressing each file as it goes (no spill file).
pub fn write_zip_file(path: &Path, sources: impl IntoIterator<Item = Source>) -> Result<Written> {
    let sources: Vec<Source> = sources.into_iter().collect();
    assemble(path, &sources, None)
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

fn write_zip<W: Write>(
    out: W,
    sources: &[Source],
    spill: Option<(&Spill, &File)>,
) -> Result<Written> {
    let io = |e| Error::io("cannot write zip", e);
    let mut w = HashingWriter {
        inner: out,
        sha: Sha256::new(),
        written: 0,
    };
    let mut central = Vec::with_capacity(sources.len());
    let mut buf = vec![0u8; 256 * 1024];
    let mut deflater = Deflater::new();
    for src in sources {
        let offset = w.written;
        w.write_all(&local_header(&src.name)?).map_err(io)?;
        let cached = spill.and_then(|(s, f)| s.entries.get(&src.path).map(|c| (c, f)));
        let (crc, compressed, uncompressed) = match cached {
            Some((c, f)) => {
                copy_range(f, c.offset, c.compressed, &mut w, &mut buf)?;
                (c.crc, c.compressed, c.uncompressed)
            }
            None => {
                let start = w.written;
                let (crc, n) = deflate_file(src, &mut w, &mut deflater)?;
                (crc, w.written - start, n)
            }
        };
        let mut desc = Vec::with_capacity(16);
        desc.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        desc.extend_from_slice(&crc.to_le_bytes());
        desc.extend_from_slice(&(compressed as u32).to_le_bytes());
        desc.extend_from_slice(&(uncompressed as u32).to_le_bytes());
        w.write_all(&desc).map_err(io)?;
        central.push(CentralEntry {
            name: src.name.clone(),
            crc,
            compressed,
            uncompressed,
            offset,
            mode: if src.executable { 0o100755 } else { 0o100644 },
        });
    }
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

/// A zip of in-memory files (name, bytes), in the given order, with the same fixed times and modes
/// as every other zip slsx writes.
pub fn zip_in_memory(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = HashingWriter {
        inner: Vec::new(),
        sha: Sha256::new(),
        written: 0,
    };
    let mut central = Vec::with_capacity(files.len());
    let mut deflater = Deflater::new();
    for (name, bytes) in files {
        let offset = w.written;
        let src = Source {
            name: name.to_string(),
            path: PathBuf::from(name),
            executable: false,
            size: bytes.len() as u64,
            stamp: 0,
        };
        w.write_all(&local_header(name).expect("short names"))
            .expect("writing to memory");
        let start = w.written;
        let (crc, n) = deflate_from(&mut &bytes[..], &src, &mut w, &mut deflater)
            .expect("deflating in memory");
        let compressed = w.written - start;
        let mut desc = Vec::with_capacity(16);
        desc.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        desc.extend_from_slice(&crc.to_le_bytes());
        desc.extend_from_slice(&(compressed as u32).to_le_bytes());
        desc.extend_from_slice(&(n as u32).to_le_bytes());
        w.write_all(&desc).expect("writing to memory");
        central.push(CentralEntry {
            name: name.to_string(),
            crc,
            compressed,
            uncompressed: n,
            offset,
            mode: 0o100644,
        });
    }
    let cd_start = w.written;
    for e in &central {
        write_central(&mut w, e).expect("writing to memory");
    }
    let cd_size = w.written - cd_start;
    write_end(&mut w, central.len() as u64, cd_size, cd_start).expect("writing to memory");
    w.inner
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

fn copy_range<W: Write>(
    file: &File,
    mut offset: u64,
    mut len: u64,
    out: &mut W,
    buf: &mut [u8],
) -> Result<()> {
    while len > 0 {
        let n = len.min(buf.len() as u64) as usize;
        read_exact_at(file, &mut buf[..n], offset)
            .map_err(|e| Error::io("cannot read the compression spill file", e))?;
        out.write_all(&buf[..n])
            .map_err(|e| Error::io("cannot write zip", e))?;
        offset += n as u64;
        len -= n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
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
