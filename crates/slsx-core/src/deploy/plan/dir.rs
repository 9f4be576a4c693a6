//! The package directory: emptied before packaging (what was there moved aside for reuse), the JSON
//! files written into it, and the name of a deployment's directory in the bucket.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{CREATE_TEMPLATE_FILE, STATE_FILE, UPDATE_TEMPLATE_FILE};
use crate::config::Service;
use crate::error::{Error, Result};
use crate::package;

/// Empties the package directory before packaging — `.serverless/` entirely (as Serverless does), a
/// `--package DIR` only of the files a package consists of, since it may hold other things. What was
/// there is moved into `<dir>/.slsx-previous/` (returned), so unchanged zips can be reused from it.
pub(in crate::deploy) fn clean_output(
    service: &Service,
    out_dir: &Path,
) -> Result<Option<PathBuf>> {
    if !out_dir.exists() {
        return Ok(None);
    }
    let err = |e| Error::io(format!("cannot clean \"{}\"", out_dir.display()), e);
    let whole = out_dir == package::output_dir(service);
    if !whole {
        let real = std::fs::canonicalize(out_dir).map_err(err)?;
        if service.service_dir.starts_with(&real) {
            return Err(Error::InvalidOption {
                message: format!("--package \"{}\" would overwrite the service itself: choose an empty directory", out_dir.display()),
            });
        }
    }
    let previous = out_dir.join(".slsx-previous");
    if previous.exists() {
        std::fs::remove_dir_all(&previous).map_err(err)?;
    }
    std::fs::create_dir(&previous).map_err(err)?;
    for entry in std::fs::read_dir(out_dir).map_err(err)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".slsx-previous" {
            continue;
        }
        let ours = name.ends_with(".zip")
            || [
                ".slsx-cache.json",
                ".slsx-deflate.bin",
                ".slsx-deflate.idx",
                ".slsx-deflate.json",
                STATE_FILE,
                CREATE_TEMPLATE_FILE,
                UPDATE_TEMPLATE_FILE,
            ]
            .contains(&name.as_str());
        if whole || (ours && entry.path().is_file()) {
            std::fs::rename(entry.path(), previous.join(&name)).map_err(err)?;
        }
    }
    Ok(Some(previous))
}

pub(super) fn write_json(path: &Path, value: &Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Internal {
        message: format!("cannot serialize {}: {e}", path.display()),
    })?;
    text.push('\n');
    std::fs::write(path, text)
        .map_err(|e| Error::io(format!("cannot write \"{}\"", path.display()), e))
}

/// `<epochms>-<ISO 8601 UTC>`, e.g. `1795749631966-2026-11-27T03:20:31.966Z`.
pub fn deployment_dir_name(now_ms: u64) -> String {
    format!("{now_ms}-{}", iso8601(now_ms))
}

/// `Date.prototype.toISOString` of `ms` since the epoch.
pub fn iso8601(ms: u64) -> String {
    crate::clock::iso8601(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(1_795_749_631_966), "2026-11-27T03:20:31.966Z");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }
}
