//! A deterministic, streaming zip writer.
//!
//! The bytes depend only on the entry names, contents and exec bits: entries in the order given (the
//! caller sorts them by UTF-8 bytes), DOS time 1980-01-01 00:00, Unix modes 0644/0755, deflate level 6,
//! no extra fields, UTF-8 names. Files are read in chunks; the zip is hashed while it is written.
//!
//! Compression and assembly are separate: `compress_all` (`compress.rs`) deflates every distinct file
//! once, in parallel, into a spill file (`spill.rs`, with its index in `index.rs`), and `assemble`
//! (`writer.rs`) writes a zip by copying those bytes into the records `format.rs` lays out. A file
//! shared by several artifacts (the node_modules of individually packaged functions) is therefore
//! read and compressed once, and memory stays bounded whatever the file sizes: files above
//! `SPILL_LIMIT` are compressed straight into the zip instead.

mod compress;
mod format;
mod index;
mod spill;
#[cfg(test)]
mod tests;
mod writer;

use std::path::PathBuf;

pub use compress::{compress_all, Deflater};
pub use spill::{Compressed, Spill, SpillBytes};
pub use writer::{assemble, write_zip_file, zip_in_memory};

/// Deflate level used for every entry (zlib's default, as Serverless uses).
pub const DEFLATE_LEVEL: u32 = 6;
/// Files up to this size are compressed ahead, in parallel; bigger ones are streamed into the zip.
pub const SPILL_LIMIT: u64 = 1024 * 1024;

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
