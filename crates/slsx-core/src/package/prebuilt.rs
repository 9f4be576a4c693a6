//! Prebuilt artifacts (`package.artifact`): a local file or an `s3://` object, copied into the package
//! directory and hashed as they are (slsx does not open them).

use std::path::{Path, PathBuf};

use super::{hash, Artifact, Fetch};
use crate::config::Service;
use crate::error::{Error, Result};

/// Where the artifact `artifact` (named at `key` of the configuration) is: downloaded into `out_dir`
/// first when it is on S3.
pub(super) fn prebuilt_source(
    service: &Service,
    artifact: &str,
    out_dir: &Path,
    fetch: Fetch<'_>,
    key: &str,
) -> Result<PathBuf> {
    if let Some(rest) = artifact.strip_prefix("s3://") {
        let name = rest
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && rest.contains('/'));
        let Some(name) = name else {
            return Err(invalid_artifact(
                service,
                key,
                artifact,
                "an S3 artifact is s3://<bucket>/<key>",
            ));
        };
        let dest = out_dir.join(name);
        if !dest.exists() {
            fetch(artifact, &dest)?;
        }
        return Ok(dest);
    }
    let path = service.service_dir.join(artifact);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(path),
        Ok(_) => Err(invalid_artifact(service, key, artifact, "it is not a file")),
        Err(e) => Err(invalid_artifact(service, key, artifact, &e.to_string())),
    }
}

fn invalid_artifact(service: &Service, key: &str, artifact: &str, why: &str) -> Error {
    Error::Config {
        code: "INVALID_PACKAGE_ARTIFACT_PATH",
        message: format!("Cannot access package artifact at \"{artifact}\" (\"{key}\"): {why}"),
        location: crate::config::locate(service, key),
        path: Some(key.to_string()),
    }
}

/// Copies a prebuilt artifact into `out_dir` (unless it is there already) and hashes it.
pub(super) fn copy_prebuilt(src: &Path, out_dir: &Path) -> Result<Artifact> {
    let file_name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dest = out_dir.join(&file_name);
    if src != dest {
        std::fs::copy(src, &dest)
            .map_err(|e| Error::io(format!("cannot copy \"{}\"", src.display()), e))?;
    }
    let (sha, size) = hash::sha256_file(&dest)?;
    Ok(Artifact {
        file_name,
        path: dest,
        size,
        sha256_hex: hex::encode(sha),
        sha256_base64: hash::base64(&sha),
        entries: 0,
        prebuilt: true,
    })
}
