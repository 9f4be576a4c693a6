//! Writing zips: `assemble` (from the spill where it has a file's bytes, else compressing as it
//! goes), `write_zip_file` (no spill) and `zip_in_memory` (small in-memory files).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::compress::{deflate_file, deflate_from, Deflater};
use super::format::{mode, CentralEntry, ZipWriter};
use super::spill::{copy_range, Spill, SpillBytes};
use super::{Source, Written};
use crate::error::{Error, Result};

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

fn write_zip<W: Write>(
    out: W,
    sources: &[Source],
    spill: Option<(&Spill, &SpillBytes)>,
) -> Result<Written> {
    let mut zip = ZipWriter::new(out, sources.len());
    let mut buf = vec![0u8; 256 * 1024];
    let mut deflater = Deflater::new();
    for src in sources {
        let offset = zip.start_entry(&src.name)?;
        let cached = spill.and_then(|(s, f)| s.entries.get(src.path.as_os_str()).map(|c| (c, f)));
        let (crc, compressed, uncompressed) = match cached {
            Some((c, f)) => {
                copy_range(f, c.offset, c.compressed, zip.data(), &mut buf)?;
                (c.crc, c.compressed, c.uncompressed)
            }
            None => {
                let start = zip.written();
                let (crc, n) = deflate_file(src, zip.data(), &mut deflater)?;
                (crc, zip.written() - start, n)
            }
        };
        zip.end_entry(CentralEntry {
            name: src.name.clone(),
            crc,
            compressed,
            uncompressed,
            offset,
            mode: mode(src.executable),
        })?;
    }
    Ok(zip.finish()?.1)
}

/// A zip of in-memory files (name, bytes), in the given order, with the same fixed times and modes
/// as every other zip slsx writes.
pub fn zip_in_memory(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Vec::new(), files.len());
    let mut deflater = Deflater::new();
    for (name, bytes) in files {
        let src = Source {
            name: name.to_string(),
            path: PathBuf::from(name),
            executable: false,
            size: bytes.len() as u64,
            stamp: 0,
        };
        let offset = zip.start_entry(name).expect("short names");
        let start = zip.written();
        let (crc, n) = deflate_from(&mut &bytes[..], &src, zip.data(), &mut deflater)
            .expect("deflating in memory");
        let compressed = zip.written() - start;
        zip.end_entry(CentralEntry {
            name: name.to_string(),
            crc,
            compressed,
            uncompressed: n,
            offset,
            mode: mode(false),
        })
        .expect("writing to memory");
    }
    zip.finish().expect("writing to memory").0
}
