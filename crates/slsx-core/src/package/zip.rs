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
use std::ffi::{OsStr, OsString};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compressed {
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
    /// The file's size and change stamp when it was compressed: the bytes are reused for the same.
    size: u64,
    stamp: u64,
}

/// The spill file and where each compressed file is in it, by absolute path (as an `OsString`: it
/// hashes as bytes, where a `PathBuf` hashes component by component). It is kept beside the
/// package (`.slsx-deflate.bin` and its index `.slsx-deflate.idx`), so the next package compresses
/// only the files that changed.
pub struct Spill {
    path: PathBuf,
    entries: HashMap<OsString, Compressed>,
}

const SPILL_FILE: &str = ".slsx-deflate.bin";
const SPILL_INDEX: &str = ".slsx-deflate.idx";
/// First bytes of the index; bumped when its layout changes (an unknown index is ignored).
const INDEX_MAGIC: &[u8; 8] = b"slsxdfl1";

impl Spill {
    /// The spill a previous package left in `dir`, if any is readable.
    pub fn read(dir: &Path) -> Option<Spill> {
        let path = dir.join(SPILL_FILE);
        let index = std::fs::read(dir.join(SPILL_INDEX)).ok()?;
        let entries = decode_index(&index)?;
        path.is_file().then_some(Spill { path, entries })
    }

    /// Writes the index beside the spill file, so a later package can reuse it.
    fn keep(&self) -> Result<()> {
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

/// The index: magic, entry count, then per entry the path (length and bytes) and the six numbers of
/// `Compressed`, little-endian. Read in one pass: a `deploy function` reads it on every run.
fn encode_index(entries: &HashMap<OsString, Compressed>) -> Vec<u8> {
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

fn decode_index(bytes: &[u8]) -> Option<HashMap<OsString, Compressed>> {
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

/// Deflates every distinct file up to `SPILL_LIMIT` once, in parallel, into `<dir>/.slsx-deflate.bin`.
/// A file `previous` holds with the same size and change stamp is not compressed again: when most of
/// the previous spill is still in use, it is linked here and only the new files are appended to it
/// (the previous package's index stays right: its bytes do not move); otherwise the files still in
/// use are copied into a new spill, which drops the rest. Each worker compresses into its own reused
/// buffer and appends it under a lock: no buffer crosses threads, so the allocator keeps reusing the
/// same memory (handing buffers to a writer thread made glibc grow a new arena after another, to over
/// a gigabyte on 50 MB of node_modules).
pub fn compress_all(files: &[&Source], dir: &Path, previous: Option<&Spill>) -> Result<Spill> {
    let spill_path = &dir.join(SPILL_FILE);
    let mut unique: Vec<&Source> = files
        .iter()
        .copied()
        .filter(|s| s.size <= SPILL_LIMIT)
        .collect();
    unique.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    unique.dedup_by(|a, b| a.path == b.path);
    let reusable = |p: &Spill, src: &Source| {
        p.entries
            .get(src.path.as_os_str())
            .filter(|c| c.size == src.size && c.stamp == src.stamp)
            .copied()
    };

    // Never write through a name that may be a link to another package's spill.
    let _ = std::fs::remove_file(spill_path);
    let create_error = |e| Error::io(format!("cannot create \"{}\"", spill_path.display()), e);
    // (Only entries that lie inside the file are kept: a truncated spill then costs a compression.)
    let within = |c: &Compressed, length: u64| {
        c.offset
            .checked_add(c.compressed)
            .is_some_and(|end| end <= length)
    };
    let appended = previous.and_then(|p| {
        let length = std::fs::metadata(&p.path).ok()?.len();
        let used: u64 = unique
            .iter()
            .filter_map(|s| reusable(p, s).filter(|c| within(c, length)))
            .map(|c| c.compressed)
            .sum();
        if used * 2 < length {
            return None;
        }
        std::fs::hard_link(&p.path, spill_path).ok()?;
        let file = File::options().append(true).open(spill_path).ok()?;
        Some((p, file, length))
    });
    let (file, offset, copy_from, entries) = match appended {
        Some((p, file, length)) => {
            let kept: HashMap<OsString, Compressed> = unique
                .iter()
                .filter_map(|s| {
                    let c = reusable(p, s).filter(|c| within(c, length))?;
                    Some((s.path.clone().into_os_string(), c))
                })
                .collect();
            (file, length, None, kept)
        }
        None => {
            let _ = std::fs::remove_file(spill_path);
            let file = File::create(spill_path).map_err(create_error)?;
            let copy_from = previous.and_then(|p| File::open(&p.path).ok().map(|f| (p, f)));
            (file, 0, copy_from, HashMap::with_capacity(unique.len()))
        }
    };
    let todo: Vec<&Source> = unique
        .into_iter()
        .filter(|s| !entries.contains_key(s.path.as_os_str()))
        .collect();

    struct Out {
        writer: BufWriter<File>,
        offset: u64,
        entries: HashMap<OsString, Compressed>,
    }
    let out = Mutex::new(Out {
        writer: BufWriter::with_capacity(1024 * 1024, file),
        offset,
        entries,
    });
    let spill_error = |e| Error::io("cannot write the compression spill file", e);
    todo.par_iter().try_for_each_init(
        || (Vec::with_capacity(SPILL_LIMIT as usize), Deflater::new()),
        |(buf, deflater), src| {
            buf.clear();
            let old = copy_from.as_ref().and_then(|(p, f)| {
                let c = reusable(p, src)?;
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
                src.path.clone().into_os_string(),
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
    let spill = Spill {
        path: spill_path.to_path_buf(),
        entries: out.entries,
    };
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
pub fn assemble(
    path: &Path,
    sources: &[Source],
    spill: Option<(&Spill, &SpillBytes)>,
) -> Result<Written> {
    let tmp = path.with_extension("zip.partial");
    let result = (|| {
        let file = File::create(&tmp)
            .map_err(|e| Error::io(format!("cannot create \"{}\"", tmp.display()), e))?;
        let written = write_zip(BufWriter::with_capacity(256 * 1024, file), sources, spill)?;
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
    spill: Option<(&Spill, &SpillBytes)>,
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
        let cached = spill.and_then(|(s, f)| s.entries.get(src.path.as_os_str()).map(|c| (c, f)));
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
            return out
                .write_all(part)
                .map_err(|e| Error::io("cannot write zip", e));
        }
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str, files: usize) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("slsx-spill-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        for i in 0..files {
            std::fs::write(
                dir.join("src").join(format!("f{i}.js")),
                format!("exports.n = {i}\n").repeat(50),
            )
            .unwrap();
        }
        dir
    }

    fn sources(root: &Path) -> Vec<Source> {
        super::super::walk(&root.join("src"), &[])
            .unwrap()
            .iter()
            .map(Source::from)
            .collect()
    }

    fn package(sources: &[Source], out: &Path, previous: Option<&Spill>) -> (Spill, Vec<u8>) {
        std::fs::create_dir_all(out).unwrap();
        let refs: Vec<&Source> = sources.iter().collect();
        let spill = compress_all(&refs, out, previous).unwrap();
        let bytes = spill.open().unwrap();
        assemble(&out.join("a.zip"), sources, Some((&spill, &bytes))).unwrap();
        (spill, std::fs::read(out.join("a.zip")).unwrap())
    }

    fn from_scratch(sources: &[Source], out: &Path) -> Vec<u8> {
        write_zip_file(&out.join("scratch.zip"), sources.to_vec()).unwrap();
        std::fs::read(out.join("scratch.zip")).unwrap()
    }

    #[cfg(unix)]
    fn length(spill: &Spill) -> u64 {
        std::fs::metadata(&spill.path).unwrap().len()
    }

    #[cfg(unix)]
    fn same_file(a: &Spill, b: &Spill) -> bool {
        use std::os::unix::fs::MetadataExt;
        let inode = |s: &Spill| std::fs::metadata(&s.path).unwrap().ino();
        inode(a) == inode(b)
    }

    #[test]
    fn the_index_reads_back_what_was_written_and_rejects_anything_else() {
        let mut entries = HashMap::new();
        for (i, name) in ["/a/b.js", "/a/é.js", "/x"].iter().enumerate() {
            let n = i as u64;
            let c = Compressed {
                crc: 7 + i as u32,
                compressed: n,
                uncompressed: 2 * n,
                offset: 3 * n,
                size: 4 * n,
                stamp: u64::MAX - n,
            };
            entries.insert(OsString::from(name), c);
        }
        let bytes = encode_index(&entries);
        assert_eq!(decode_index(&bytes), Some(entries));
        assert_eq!(decode_index(&bytes[..bytes.len() - 1]), None, "truncated");
        assert_eq!(
            decode_index(&[bytes.as_slice(), b"x"].concat()),
            None,
            "trailing bytes"
        );
        assert_eq!(
            decode_index(b"{\"/a/b.js\": {}}"),
            None,
            "the former JSON index"
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_small_change_appends_to_the_previous_spill_which_stays_valid() {
        let root = tree("append", 40);
        let before = sources(&root);
        let (first, first_zip) = package(&before, &root.join("out1"), None);
        let first_len = length(&first);

        std::fs::write(root.join("src/f3.js"), "changed\n").unwrap();
        let after = sources(&root);
        let previous = Spill::read(&root.join("out1")).unwrap();
        let (second, second_zip) = package(&after, &root.join("out2"), Some(&previous));
        assert!(
            same_file(&first, &second),
            "the previous spill was linked, not copied"
        );
        assert!(length(&second) > first_len, "the changed file was appended");
        assert_eq!(
            second_zip,
            from_scratch(&after, &root),
            "the zip is the one a package from scratch writes"
        );

        // The previous package's index still describes its (longer) spill.
        let again = Spill::read(&root.join("out1")).unwrap();
        let bytes = again.open().unwrap();
        assemble(
            &root.join("out1/again.zip"),
            &before,
            Some((&again, &bytes)),
        )
        .unwrap();
        assert_eq!(
            std::fs::read(root.join("out1/again.zip")).unwrap(),
            first_zip
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn a_spill_mostly_out_of_use_is_written_anew() {
        let root = tree("compact", 10);
        let (first, _) = package(&sources(&root), &root.join("out1"), None);
        for i in 0..8 {
            std::fs::write(
                root.join("src").join(format!("f{i}.js")),
                format!("changed {i}\n"),
            )
            .unwrap();
        }
        let after = sources(&root);
        let previous = Spill::read(&root.join("out1")).unwrap();
        let (second, zip) = package(&after, &root.join("out2"), Some(&previous));
        assert!(!same_file(&first, &second), "a new spill");
        let used: u64 = second.entries.values().map(|c| c.compressed).sum();
        assert_eq!(length(&second), used, "holding only the files in use");
        assert_eq!(zip, from_scratch(&after, &root));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_truncated_spill_costs_compressions_not_a_broken_zip() {
        let root = tree("truncated", 20);
        let files = sources(&root);
        let (first, _) = package(&files, &root.join("out1"), None);
        let length = std::fs::metadata(&first.path).unwrap().len();
        let f = File::options().write(true).open(&first.path).unwrap();
        f.set_len(length / 2).unwrap();
        drop(f);
        let previous = Spill::read(&root.join("out1")).unwrap();
        let (_, zip) = package(&files, &root.join("out2"), Some(&previous));
        assert_eq!(zip, from_scratch(&files, &root));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
