//! Packaging: choose the files of each artifact, write deterministic zips, hash them.

pub mod hash;
mod select;
mod walk;
pub mod zip;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Service;
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

pub use select::Selection;
pub use walk::{walk, FileEntry};

/// One zip written to `.serverless/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// File name inside `.serverless/` (`<service>.zip`).
    pub file_name: String,
    pub path: PathBuf,
    pub size: u64,
    /// Lower-case hex SHA-256 of the zip bytes.
    pub sha256_hex: String,
    /// Base64 SHA-256 of the zip bytes (Lambda's `CodeSha256`, S3's `filesha256`).
    pub sha256_base64: String,
    /// Number of files in the zip.
    pub entries: usize,
}

/// `.serverless/` of a service.
pub fn output_dir(service: &Service) -> PathBuf {
    service.service_dir.join(".serverless")
}

/// Packages the service: every function without its own artifact shares `<service>.zip`.
pub fn package_service(service: &Service, reporter: &dyn Reporter) -> Result<Vec<Artifact>> {
    if service.functions.is_empty() {
        return Ok(Vec::new());
    }
    let out_dir = output_dir(service);
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| Error::io(format!("cannot create \"{}\"", out_dir.display()), e))?;
    let files = walk(&service.service_dir)?;
    let selection = Selection::for_service(service)?;
    let chosen: Vec<&FileEntry> = files.iter().filter(|f| selection.includes(&f.rel)).collect();
    let artifacts: Vec<(String, Vec<&FileEntry>)> = vec![(format!("{}.zip", service.name), chosen)];
    artifacts
        .into_par_iter()
        .map(|(file_name, entries)| {
            let artifact = write_artifact(&out_dir, &file_name, &entries)?;
            reporter.report(ProgressEvent::ArtifactPackaged {
                name: artifact.file_name.clone(),
                size: artifact.size,
                sha256: artifact.sha256_base64.clone(),
            });
            Ok(artifact)
        })
        .collect()
}

fn write_artifact(out_dir: &Path, file_name: &str, entries: &[&FileEntry]) -> Result<Artifact> {
    if entries.is_empty() {
        return Err(Error::Package {
            code: "NO_FILES_TO_PACKAGE",
            message: format!(
                "No file matches include / exclude patterns: nothing to put in {file_name}"
            ),
        });
    }
    let path = out_dir.join(file_name);
    let written = zip::write_zip_file(&path, entries.iter().map(|e| zip::Source::from(*e)))?;
    Ok(Artifact {
        file_name: file_name.to_string(),
        path,
        size: written.size,
        sha256_hex: hex::encode(written.sha256),
        sha256_base64: hash::base64(&written.sha256),
        entries: entries.len(),
    })
}
