//! One walk of the service tree, shared by every artifact. Symlinked files and directories are followed
//! as Serverless does (its globber runs with `follow: true`); a link back to a directory already on the
//! current path is a loop, reported as an error instead of being followed forever.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// POSIX path relative to the walk root, as it appears in the zip.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    /// Owner-execute bit set: stored as 0755, else 0644.
    pub executable: bool,
    /// Identity and change stamp of the file (inode, device, modification and change times, size):
    /// equal stamps mean an unchanged file, as git's index assumes.
    pub stamp: u64,
}

/// Every regular file under `root`, sorted by the UTF-8 bytes of the relative path. Directories in
/// `skip` are not entered (the package output directory, `.git`: excluded by every package anyway).
/// Sibling directories are read in parallel: one `stat` per entry, nothing else per directory.
pub fn walk(root: &Path, skip: &[PathBuf]) -> Result<Vec<FileEntry>> {
    let meta = std::fs::metadata(root)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", root.display()), e))?;
    let mut out = visit(root, "", skip, &[dir_id(root, &meta)])?;
    out.par_sort_unstable_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(out)
}

/// The files under `dir` (whose identity ends `ancestors`), `prefix` naming it in the package.
fn visit(
    dir: &Path,
    prefix: &str,
    skip: &[PathBuf],
    ancestors: &[DirId],
) -> Result<Vec<FileEntry>> {
    let read = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in read {
        let entry =
            entry.map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // Symbolic links are followed; a dangling link is skipped like globby does. Anything else is
        // stat'ed relative to the open directory (no walk of the whole path for each file).
        let meta = match entry.metadata() {
            Ok(m) if m.file_type().is_symlink() => std::fs::metadata(&path),
            other => other,
        };
        let Ok(meta) = meta else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if meta.is_dir() {
            if !skip.contains(&path) {
                let id = dir_id(&path, &meta);
                if ancestors.contains(&id) {
                    let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                    return Err(Error::Package {
                        code: "PACKAGE_SYMLINK_LOOP",
                        message: format!(
                            "Symbolic link loop: \"{}\" leads back to \"{}\", which contains it. Remove the link or exclude it.",
                            path.display(),
                            real.display()
                        ),
                    });
                }
                dirs.push((path, rel, id));
            }
        } else if meta.is_file() {
            files.push(FileEntry {
                rel,
                abs: path,
                size: meta.len(),
                executable: is_executable(&meta),
                stamp: stamp(&meta),
            });
        }
    }
    let nested: Vec<Vec<FileEntry>> = dirs
        .par_iter()
        .map(|(path, rel, id)| {
            let chain = [ancestors, std::slice::from_ref(id)].concat();
            visit(path, rel, skip, &chain)
        })
        .collect::<Result<_>>()?;
    files.extend(nested.into_iter().flatten());
    Ok(files)
}

/// What identifies a directory, however it is reached (a symbolic link loop comes back to one of its
/// ancestors): device and inode where there are some, else the canonical path.
#[cfg(unix)]
type DirId = (u64, u64);

#[cfg(unix)]
fn dir_id(_path: &Path, meta: &std::fs::Metadata) -> DirId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
type DirId = PathBuf;

#[cfg(not(unix))]
fn dir_id(path: &Path, _meta: &std::fs::Metadata) -> DirId {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(unix)]
fn stamp(meta: &std::fs::Metadata) -> u64 {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        meta.ino(),
        meta.dev(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
        meta.len(),
        meta.mode(),
    )
        .hash(&mut h);
    h.finish()
}

#[cfg(not(unix))]
fn stamp(meta: &std::fs::Metadata) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (meta.modified().ok(), meta.len()).hash(&mut h);
    h.finish()
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o100 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    // Serverless stores every file as 0755 on Windows.
    true
}
