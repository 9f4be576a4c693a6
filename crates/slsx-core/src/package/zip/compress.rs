//! Deflating: every distinct small file once, in parallel, into the spill (`compress_all`), reusing
//! what the previous package's spill still holds; and the streaming deflater both the spill and the
//! zip writer use.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::Mutex;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use rayon::prelude::*;

use super::format::{write_error, MAX_32};
use super::spill::{read_exact_at, Compressed, Spill, SPILL_FILE};
use super::{Source, DEFLATE_LEVEL, SPILL_LIMIT};
use crate::error::{Error, Result};

/// Deflates every distinct file up to `SPILL_LIMIT` once, in parallel, into `<dir>/.slsx-deflate.bin`.
/// A file `previous` holds with the same size and change stamp is not compressed again: when most of
/// the previous spill is still in use, it is linked here and only the new files are appended to it
/// (the previous package's index stays right: its bytes do not move); otherwise the files still in
/// use are copied into a new spill, which drops the rest. Each worker compresses into its own reused
/// buffer and appends it under a lock: no buffer crosses threads, so the allocator keeps reusing the
/// same memory (handing buffers to a writer thread made glibc grow a new arena after another, to over
/// a gigabyte on 50 MB of node_modules).
pub fn compress_all(files: &[&Source], dir: &Path, previous: Option<&Spill>) -> Result<Spill> {
    let spill_path = dir.join(SPILL_FILE);
    let mut unique: Vec<&Source> = files
        .iter()
        .copied()
        .filter(|s| s.size <= SPILL_LIMIT)
        .collect();
    unique.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    unique.dedup_by(|a, b| a.path == b.path);

    // Never write through a name that may be a link to another package's spill.
    let _ = std::fs::remove_file(&spill_path);
    let start = match previous.and_then(|p| append_to(p, &unique, &spill_path)) {
        Some(start) => start,
        None => fresh(previous, &spill_path, unique.len())?,
    };
    let todo: Vec<&Source> = unique
        .into_iter()
        .filter(|s| !start.entries.contains_key(s.path.as_os_str()))
        .collect();
    let spill = Spill {
        entries: compress_into(&todo, start)?,
        path: spill_path,
    };
    spill.keep()?;
    Ok(spill)
}

/// A new spill's beginning: the open file, where appending starts, the entries it holds already, and
/// the previous spill to copy still-valid bytes from.
struct Start<'a> {
    file: File,
    offset: u64,
    entries: HashMap<OsString, Compressed>,
    copy_from: Option<(&'a Spill, File)>,
}

/// The previous spill's bytes for `src`, when they were compressed from the same file.
fn reusable(p: &Spill, src: &Source) -> Option<Compressed> {
    p.entries
        .get(src.path.as_os_str())
        .filter(|c| c.size == src.size && c.stamp == src.stamp)
        .copied()
}

/// Whether the entry lies inside a spill of `length` bytes: only those are kept, so a truncated spill
/// costs a compression, not a broken zip.
fn within(c: &Compressed, length: u64) -> bool {
    c.offset
        .checked_add(c.compressed)
        .is_some_and(|end| end <= length)
}

/// The previous spill linked to `spill_path` and opened for appending, when at least half of it is
/// still in use.
fn append_to<'a>(p: &'a Spill, unique: &[&Source], spill_path: &Path) -> Option<Start<'a>> {
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
    let entries = unique
        .iter()
        .filter_map(|s| {
            let c = reusable(p, s).filter(|c| within(c, length))?;
            Some((s.path.clone().into_os_string(), c))
        })
        .collect();
    Some(Start {
        file,
        offset: length,
        entries,
        copy_from: None,
    })
}

/// An empty spill at `spill_path`; the files still in use are copied from `previous` into it.
fn fresh<'a>(previous: Option<&'a Spill>, spill_path: &Path, capacity: usize) -> Result<Start<'a>> {
    let _ = std::fs::remove_file(spill_path);
    let file = File::create(spill_path)
        .map_err(|e| Error::io(format!("cannot create \"{}\"", spill_path.display()), e))?;
    let copy_from = previous.and_then(|p| File::open(&p.path).ok().map(|f| (p, f)));
    Ok(Start {
        file,
        offset: 0,
        entries: HashMap::with_capacity(capacity),
        copy_from,
    })
}

/// Compresses (or copies from the previous spill) every file of `todo` onto the end of the spill;
/// returns every entry the spill then holds.
fn compress_into(todo: &[&Source], start: Start<'_>) -> Result<HashMap<OsString, Compressed>> {
    struct Out {
        writer: BufWriter<File>,
        offset: u64,
        entries: HashMap<OsString, Compressed>,
    }
    let Start {
        file,
        offset,
        entries,
        copy_from,
    } = start;
    let out = Mutex::new(Out {
        writer: BufWriter::with_capacity(1024 * 1024, file),
        offset,
        entries,
    });
    let spill_error = |e| Error::io("cannot write the compression spill file", e);
    let panicked = || Error::Internal {
        message: "a packaging thread panicked".into(),
    };
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
            let mut out = out.lock().map_err(|_| panicked())?;
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
    let mut out = out.into_inner().map_err(|_| panicked())?;
    out.writer.flush().map_err(spill_error)?;
    Ok(out.entries)
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
pub(super) fn deflate_file<W: Write>(
    src: &Source,
    out: &mut W,
    d: &mut Deflater,
) -> Result<(u32, u64)> {
    let mut file = File::open(&src.path).map_err(|e| read_error(src, e))?;
    deflate_from(&mut file, src, out, d)
}

/// Deflates what `input` holds (`src` names it and gives its expected size) into `out`.
pub(super) fn deflate_from<R: Read, W: Write>(
    input: &mut R,
    src: &Source,
    out: &mut W,
    d: &mut Deflater,
) -> Result<(u32, u64)> {
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
            out.write_all(&d.output[..produced]).map_err(write_error)?;
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
