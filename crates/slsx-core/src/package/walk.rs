//! One walk of the service tree, shared by every artifact. Symlinked files and directories are followed
//! as Serverless does (its globber runs with `follow: true`); a link back to a directory already on the
//! current path is a loop, reported as an error instead of being followed forever.

use std::path::{Path, PathBuf};

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
pub fn walk(root: &Path, skip: &[PathBuf]) -> Result<Vec<FileEntry>> {
    let mut out = Vec::new();
    let mut ancestors = Vec::new();
    visit(root, String::new(), skip, &mut ancestors, &mut out)?;
    out.sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(out)
}

fn visit(
    dir: &Path,
    prefix: String,
    skip: &[PathBuf],
    ancestors: &mut Vec<PathBuf>,
    out: &mut Vec<FileEntry>,
) -> Result<()> {
    let real = std::fs::canonicalize(dir)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
    if ancestors.contains(&real) {
        return Err(Error::Package {
            code: "PACKAGE_SYMLINK_LOOP",
            message: format!(
                "Symbolic link loop: \"{}\" leads back to \"{}\", which contains it. Remove the link or exclude it.",
                dir.display(),
                real.display()
            ),
        });
    }
    ancestors.push(real);
    let read = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
    for entry in read {
        let entry =
            entry.map_err(|e| Error::io(format!("cannot read \"{}\"", dir.display()), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        // metadata() follows symlinks; a dangling link is skipped like globby does.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if meta.is_dir() {
            if !skip.contains(&path) {
                visit(&path, rel, skip, ancestors, out)?;
            }
        } else if meta.is_file() {
            out.push(FileEntry {
                rel,
                abs: path,
                size: meta.len(),
                executable: is_executable(&meta),
                stamp: stamp(&meta),
            });
        }
    }
    ancestors.pop();
    Ok(())
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
