//! Reusing unchanged zips. Each package records, per zip, a fingerprint of its inputs — the entry
//! names, exec bits, sizes and change stamps (inode, device, modification and change times) of its
//! files, and the zip format — with the zip's hash. The next package takes a zip from the previous
//! one when the fingerprint is the same, instead of reading and compressing every file again: the
//! bytes would be identical, since zips are a pure function of those inputs. A "nothing changed"
//! deploy then costs a walk of the tree instead of a compression of it.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::zip::{Source, DEFLATE_LEVEL};
use super::Artifact;
use crate::error::{Error, Result};

const FILE: &str = ".slsx-cache.json";
/// Bumped whenever the zip bytes for the same inputs could change.
const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cache {
    pub zips: HashMap<String, Record>,
    /// The development-only packages found for this package, when it excluded them.
    #[serde(default)]
    pub dev: Option<DevRecord>,
}

/// `devdeps::dev_excludes` of a tree, and `devdeps::fingerprint` of the files it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevRecord {
    pub fingerprint: String,
    pub excludes: super::devdeps::DevExcludes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub fingerprint: String,
    pub sha256_hex: String,
    pub size: u64,
    pub entries: usize,
}

impl Record {
    pub fn artifact(&self, out_dir: &Path, file_name: &str) -> Artifact {
        let sha = hex::decode(&self.sha256_hex).unwrap_or_default();
        Artifact {
            file_name: file_name.to_string(),
            path: out_dir.join(file_name),
            size: self.size,
            sha256_hex: self.sha256_hex.clone(),
            sha256_base64: super::hash::base64(&sha),
            entries: self.entries,
            prebuilt: false,
        }
    }
}

pub fn fingerprint(sources: &[Source]) -> String {
    let mut sha = Sha256::new();
    sha.update(format!(
        "slsx-zip/{FORMAT}/{DEFLATE_LEVEL}/{}\n",
        env!("CARGO_PKG_VERSION")
    ));
    for s in sources {
        sha.update(s.name.as_bytes());
        sha.update([0, u8::from(s.executable)]);
        sha.update(s.size.to_le_bytes());
        sha.update(s.stamp.to_le_bytes());
    }
    hex::encode(sha.finalize())
}

impl Cache {
    /// The records of the package in `dir` (none when absent or unreadable).
    pub fn read(dir: &Path) -> Cache {
        std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let text = serde_json::to_vec(self).map_err(|e| Error::Internal {
            message: format!("cannot write the zip cache: {e}"),
        })?;
        std::fs::write(dir.join(FILE), text)
            .map_err(|e| Error::io(format!("cannot write \"{}\"", dir.join(FILE).display()), e))
    }

    /// Links (or copies) a previous zip into `out_dir` as `file_name` when its inputs are unchanged and
    /// it is still the file recorded (same size): the zip of that name, else any zip of the same inputs
    /// (`deploy function` packs one function alone into `<function>.zip`, whose files are often exactly
    /// those of the service's zip). The previous package is left as it was.
    pub fn reuse(
        &self,
        previous: &Path,
        file_name: &str,
        fingerprint: &str,
        out_dir: &Path,
    ) -> Option<Record> {
        let same_name = self
            .zips
            .get(file_name)
            .filter(|r| r.fingerprint == fingerprint)
            .map(|r| (file_name, r));
        let (old_name, record) = same_name.or_else(|| {
            let mut same_inputs: Vec<(&String, &Record)> = self
                .zips
                .iter()
                .filter(|(_, r)| r.fingerprint == fingerprint)
                .collect();
            same_inputs.sort_by(|a, b| a.0.cmp(b.0));
            same_inputs.first().map(|(n, r)| (n.as_str(), *r))
        })?;
        let old = previous.join(old_name);
        if std::fs::metadata(&old).ok()?.len() != record.size {
            return None;
        }
        let new = out_dir.join(file_name);
        let _ = std::fs::remove_file(&new);
        if std::fs::hard_link(&old, &new).is_err() {
            std::fs::copy(&old, &new).ok()?;
        }
        Some(record.clone())
    }
}
