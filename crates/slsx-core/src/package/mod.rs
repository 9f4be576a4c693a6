//! Packaging: choose the files of each artifact, write deterministic zips, hash them.
//!
//! One walk of the service tree serves every artifact. Which zips exist follows Serverless: functions
//! packaged `individually` get `<function>.zip`, every other zip function shares `<service>.zip`,
//! each layer with a `path` gets `<layer>.zip`, prebuilt `artifact`s are used as they are, image
//! functions are not zipped.
//!
//! `package_service` (here) runs the steps: `layout` decides the artifacts, `build` walks the tree
//! (`walk`), selects each zip's files (`select`, `devdeps`) and writes the zips (`zip`), reusing
//! unchanged ones (`cache`); `prebuilt` copies given artifacts; `hash` hashes; `package_path` is
//! where packages go.

mod build;
mod cache;
pub mod devdeps;
pub mod hash;
mod layout;
pub mod package_path;
mod prebuilt;
mod select;
mod walk;
pub mod zip;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Service;
use crate::error::{Error, Result};
use crate::progress::{ProgressEvent, Reporter};

pub use select::{PatternSet, Selection, BUILT_IN_EXCLUDES};
pub use walk::{walk, FileEntry};

/// One zip in the package directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// File name inside the package directory (`<service>.zip`, `<function>.zip`, a prebuilt zip's name).
    pub file_name: String,
    pub path: PathBuf,
    pub size: u64,
    /// Lower-case hex SHA-256 of the zip bytes.
    pub sha256_hex: String,
    /// Base64 SHA-256 of the zip bytes (Lambda's `CodeSha256`, S3's `filesha256`).
    pub sha256_base64: String,
    /// Files in the zip (0 for a prebuilt artifact, which slsx does not open).
    pub entries: usize,
    /// A prebuilt `package.artifact`, copied into the package directory.
    pub prebuilt: bool,
}

/// Where a function's code comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// Index into `Packaged::artifacts`.
    Zip(usize),
    /// A container image: nothing packaged.
    Image,
}

#[derive(Debug, Clone, Default)]
pub struct Packaged {
    pub artifacts: Vec<Artifact>,
    /// Per function key, in config order.
    pub functions: Vec<(String, Code)>,
    /// Per layer key, in config order: index into `artifacts`.
    pub layers: Vec<(String, usize)>,
    /// Index of `<service>.zip` (or the service-level prebuilt artifact), when there is one.
    pub service_artifact: Option<usize>,
    pub warnings: Vec<String>,
}

/// `.serverless/` of a service.
pub fn output_dir(service: &Service) -> PathBuf {
    service.service_dir.join(".serverless")
}

/// Downloads an `s3://bucket/key` artifact to a local file (packaging itself never talks to AWS).
pub type Fetch<'a> = &'a (dyn Fn(&str, &Path) -> Result<()> + Sync);

/// A `Fetch` for callers without AWS access: every `s3://` artifact is an error.
pub fn no_fetch(uri: &str, _dest: &Path) -> Result<()> {
    Err(Error::Package {
        code: "INVALID_PACKAGE_ARTIFACT_PATH",
        message: format!("{uri} cannot be downloaded here: s3:// artifacts need AWS access"),
    })
}

/// Packages the service into `out_dir`. `fetch` downloads `s3://` artifacts. `previous` is the
/// previous package (moved aside): a zip whose inputs did not change since is taken from there instead
/// of being written again.
pub fn package_service(
    service: &Service,
    out_dir: &Path,
    previous: Option<&Path>,
    fetch: Fetch<'_>,
    reporter: &dyn Reporter,
) -> Result<Packaged> {
    std::fs::create_dir_all(out_dir)
        .map_err(|e| Error::io(format!("cannot create \"{}\"", out_dir.display()), e))?;
    let layout::Layout {
        mut packaged,
        mut jobs,
        slots,
    } = layout::layout(service, out_dir, previous, fetch)?;
    let built = build::build(
        service,
        &mut jobs,
        out_dir,
        previous,
        &mut packaged.warnings,
    )?;
    for slot in &slots {
        let artifact = match slot {
            layout::Slot::Built(name) => built[name].clone(),
            layout::Slot::Prebuilt(src) => prebuilt::copy_prebuilt(src, out_dir)?,
        };
        reporter.report(ProgressEvent::ArtifactPackaged {
            name: artifact.file_name.clone(),
            size: artifact.size,
            sha256: artifact.sha256_base64.clone(),
        });
        packaged.artifacts.push(artifact);
    }
    for w in &packaged.warnings {
        reporter.report(ProgressEvent::Warning { message: w.clone() });
    }
    Ok(packaged)
}

/// Hashes artifacts again from their files, in parallel (a plugin's hook rewrote or replaced them:
/// serverless-python-requirements adds to slsx's zips after they were made).
pub fn rehash(artifacts: &mut [Artifact]) -> Result<()> {
    artifacts.par_iter_mut().try_for_each(|a| {
        let (sha, size) = hash::sha256_file(&a.path)?;
        a.sha256_hex = hex::encode(sha);
        a.sha256_base64 = hash::base64(&sha);
        a.size = size;
        Ok(())
    })
}
