//! Packaging: choose the files of each artifact, write deterministic zips, hash them.
//!
//! One walk of the service tree serves every artifact. Which zips exist follows Serverless: functions
//! packaged `individually` get `<function>.zip`, every other zip function shares `<service>.zip`,
//! each layer with a `path` gets `<layer>.zip`, prebuilt `artifact`s are used as they are, image
//! functions are not zipped.

mod cache;
pub mod devdeps;
pub mod hash;
pub mod package_path;
mod select;
mod walk;
pub mod zip;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Function, Service};
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

/// A zip to build: its name, its root inside the service (layers), and its patterns.
struct ZipJob {
    file_name: String,
    /// For layers: the layer's directory relative to the service; names in the zip are relative to it.
    root: Option<String>,
    patterns: PatternSet,
    /// What the error message calls it.
    label: String,
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
    let mut packaged = Packaged::default();
    let mut jobs: Vec<ZipJob> = Vec::new();
    // Artifact slots: built zips by file name, prebuilt files by resolved source.
    let mut slots: Vec<Slot> = Vec::new();
    let slot_of = |slots: &mut Vec<Slot>, slot: Slot| -> usize {
        if let Some(i) = slots.iter().position(|s| *s == slot) {
            return i;
        }
        slots.push(slot);
        slots.len() - 1
    };

    let legacy = !service.package.include.is_empty()
        || !service.package.exclude.is_empty()
        || service
            .functions
            .iter()
            .any(|f| !f.package.include.is_empty() || !f.package.exclude.is_empty());
    if legacy {
        packaged.warnings.push(
            "package.include and package.exclude are deprecated: use package.patterns (\"!glob\" excludes)".into(),
        );
    }
    let mut service_excludes = excludes(service, true);
    // A package directory inside the service is never packaged into the service's zips.
    for dir in std::iter::once(out_dir).chain(previous) {
        service_excludes.extend(package_path::exclude_pattern(service, dir));
    }
    let layer_excludes = excludes(service, false);
    let service_includes: Vec<String> = service
        .package
        .include
        .iter()
        .chain(&service.package.patterns)
        .cloned()
        .collect();

    let mut needs_service_zip = Vec::new();
    for f in &service.functions {
        if f.image.is_some() {
            packaged.functions.push((f.key.clone(), Code::Image));
            continue;
        }
        if let Some(artifact) = &f.package.artifact {
            let src = prebuilt_source(
                service,
                artifact,
                out_dir,
                fetch,
                &format!("functions.{}.package.artifact", f.key),
            )?;
            let i = slot_of(&mut slots, Slot::Prebuilt(src));
            packaged.functions.push((f.key.clone(), Code::Zip(i)));
            continue;
        }
        if (f.package.individually || service.package.individually) && !f.package.disable {
            let file_name = format!("{}.zip", f.key);
            let i = slot_of(&mut slots, Slot::Built(file_name.clone()));
            jobs.push(ZipJob {
                file_name,
                root: None,
                patterns: PatternSet {
                    excludes: [service_excludes.clone(), f.package.exclude.clone()].concat(),
                    includes: [
                        service_includes.clone(),
                        f.package.include.clone(),
                        f.package.patterns.clone(),
                    ]
                    .concat(),
                    dev_excludes: Vec::new(),
                },
                label: format!("function \"{}\"", f.key),
            });
            packaged.functions.push((f.key.clone(), Code::Zip(i)));
            continue;
        }
        if !f.package.patterns.is_empty() && !service.package.individually {
            packaged.warnings.push(format!(
                "Package patterns of function \"{}\" apply only with package.individually (service or function level); they are ignored",
                f.key
            ));
        }
        needs_service_zip.push(f);
    }
    // Zip functions that are not packaged on their own share the service artifact (a function with
    // package.disable points at it too, as in Serverless, but does not make it exist).
    let service_slot = if needs_service_zip.is_empty() {
        None
    } else {
        Some(match &service.package.artifact {
            Some(artifact) => {
                let src = prebuilt_source(service, artifact, out_dir, fetch, "package.artifact")?;
                slot_of(&mut slots, Slot::Prebuilt(src))
            }
            None if needs_service_zip
                .iter()
                .all(|f: &&Function| f.package.disable) =>
            {
                return Err(Error::Package {
                    code: "NO_FILES_TO_PACKAGE",
                    message: format!(
                        "Function \"{}\" has package.disable but there is no service package to point it at: \
                         give it a package.artifact or package another function with the service",
                        needs_service_zip[0].key
                    ),
                });
            }
            None => {
                let file_name = format!("{}.zip", service.name);
                jobs.push(ZipJob {
                    file_name: file_name.clone(),
                    root: None,
                    patterns: PatternSet {
                        excludes: service_excludes.clone(),
                        includes: service_includes.clone(),
                        dev_excludes: Vec::new(),
                    },
                    label: "the service package".into(),
                });
                slot_of(&mut slots, Slot::Built(file_name))
            }
        })
    };
    for f in needs_service_zip {
        packaged
            .functions
            .push((f.key.clone(), Code::Zip(service_slot.expect("set above"))));
    }
    // Keep the config order of functions.
    let order: HashMap<&str, usize> = service
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    packaged.functions.sort_by_key(|(k, _)| order[k.as_str()]);
    packaged.service_artifact = service_slot;

    for l in &service.layers {
        let i = match (&l.package.artifact, &l.path) {
            (Some(artifact), _) => {
                let src = prebuilt_source(
                    service,
                    artifact,
                    out_dir,
                    fetch,
                    &format!("layers.{}.package.artifact", l.key),
                )?;
                slot_of(&mut slots, Slot::Prebuilt(src))
            }
            (None, Some(path)) => {
                let file_name = format!("{}.zip", l.key);
                jobs.push(ZipJob {
                    file_name: file_name.clone(),
                    root: Some(path.clone()),
                    patterns: PatternSet {
                        excludes: [layer_excludes.clone(), l.package.exclude.clone()].concat(),
                        includes: [
                            service_includes.clone(),
                            l.package.include.clone(),
                            l.package.patterns.clone(),
                        ]
                        .concat(),
                        dev_excludes: Vec::new(),
                    },
                    label: format!("layer \"{}\"", l.key),
                });
                slot_of(&mut slots, Slot::Built(file_name))
            }
            (None, None) => unreachable!("config validation requires a path or an artifact"),
        };
        packaged.layers.push((l.key.clone(), i));
    }

    let names: Vec<String> = slots.iter().map(Slot::file_name).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        return Err(Error::Package {
            code: "PACKAGE_NAME_CONFLICT",
            message: format!("Two artifacts would both be written as \"{dup}\": rename a function, layer or prebuilt artifact"),
        });
    }

    // One walk of the tree for every zip.
    let built = if jobs.is_empty() {
        HashMap::new()
    } else {
        // The output directory and the previous package are never part of a package.
        let mut skip = vec![out_dir.to_path_buf(), service.service_dir.join(".git")];
        skip.extend(previous.map(Path::to_path_buf));
        let files = walk(&service.service_dir, &skip)?;
        let cache = previous.map(cache::Cache::read).unwrap_or_default();
        // Which packages are development-only is taken from the previous package when no
        // package.json or lockfile changed since.
        let dev = service.package.exclude_dev_dependencies.then(|| {
            let fingerprint = devdeps::fingerprint(&files);
            match cache.dev.as_ref().filter(|d| d.fingerprint == fingerprint) {
                Some(known) => known.clone(),
                None => cache::DevRecord {
                    fingerprint,
                    excludes: devdeps::dev_excludes(&service.service_dir, &files),
                },
            }
        });
        if let Some(dev) = &dev {
            packaged
                .warnings
                .extend(dev.excludes.warnings.iter().cloned());
            for job in &mut jobs {
                job.patterns.dev_excludes = dev.excludes.globs.clone();
            }
        }
        let (built, fresh) = build_zips(&jobs, &files, out_dir, previous.map(|p| (p, &cache)))?;
        cache::Cache { zips: fresh, dev }.write(out_dir)?;
        built
    };

    for slot in &slots {
        let artifact = match slot {
            Slot::Built(name) => built[name].clone(),
            Slot::Prebuilt(src) => copy_prebuilt(src, out_dir)?,
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

#[derive(Debug, Clone, PartialEq, Eq)]
enum Slot {
    Built(String),
    Prebuilt(PathBuf),
}

impl Slot {
    fn file_name(&self) -> String {
        match self {
            Slot::Built(n) => n.clone(),
            Slot::Prebuilt(p) => p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }
}

/// `getExcludes`: built-ins, the config file, `plugins.localPath`, legacy `package.exclude`, layer
/// directories (function and service packages only), `.env*` with `useDotenv`.
fn excludes(service: &Service, with_layers: bool) -> Vec<String> {
    let mut out: Vec<String> = BUILT_IN_EXCLUDES.iter().map(|s| s.to_string()).collect();
    out.push(service.config_file_name());
    if let Some(local) = service
        .raw
        .get("plugins")
        .and_then(|p| p.get("localPath"))
        .and_then(|v| v.as_str())
    {
        out.push(local.to_string());
    }
    out.extend(service.package.exclude.iter().cloned());
    if with_layers {
        out.extend(
            service
                .layers
                .iter()
                .filter_map(|l| l.path.as_ref())
                .map(|p| format!("{p}/**")),
        );
    }
    if service.use_dotenv {
        out.push(".env*".into());
    }
    out
}

fn prebuilt_source(
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

fn copy_prebuilt(src: &Path, out_dir: &Path) -> Result<Artifact> {
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

/// Selects the files of every job; reuses a previous zip whose inputs are unchanged; compresses each
/// other distinct file once and writes the remaining zips in parallel. Returns the artifacts and the
/// cache records of this package.
fn build_zips(
    jobs: &[ZipJob],
    files: &[FileEntry],
    out_dir: &Path,
    previous: Option<(&Path, &cache::Cache)>,
) -> Result<(HashMap<String, Artifact>, HashMap<String, cache::Record>)> {
    let selections: Vec<Vec<zip::Source>> = jobs
        .par_iter()
        .map(|job| {
            let selection = Selection::new(&job.patterns)?;
            let prefix = job.root.as_ref().map(|r| format!("{r}/"));
            let chosen: Vec<zip::Source> = files
                .iter()
                .filter_map(|f| {
                    let name = match &prefix {
                        Some(p) => f.rel.strip_prefix(p.as_str())?,
                        None => f.rel.as_str(),
                    };
                    selection.includes(name).then(|| zip::Source {
                        name: name.to_string(),
                        path: f.abs.clone(),
                        executable: f.executable,
                        size: f.size,
                        stamp: f.stamp,
                    })
                })
                .collect();
            if chosen.is_empty() {
                return Err(Error::Package {
                    code: "NO_FILES_TO_PACKAGE",
                    message: format!(
                        "No file matches include / exclude patterns for {}: nothing to put in {} (patterns: {})",
                        job.label,
                        job.file_name,
                        job.patterns.includes.join(", ")
                    ),
                });
            }
            Ok(chosen)
        })
        .collect::<Result<_>>()?;

    let mut built = HashMap::new();
    let mut records = HashMap::new();
    let mut todo: Vec<usize> = Vec::new();
    for (i, (job, sources)) in jobs.iter().zip(&selections).enumerate() {
        let fingerprint = cache::fingerprint(sources);
        let reused =
            previous.and_then(|(dir, c)| c.reuse(dir, &job.file_name, &fingerprint, out_dir));
        match reused {
            Some(record) => {
                built.insert(
                    job.file_name.clone(),
                    record.artifact(out_dir, &job.file_name),
                );
                records.insert(job.file_name.clone(), record);
            }
            None => todo.push(i),
        }
    }
    if todo.is_empty() {
        // Nothing compressed: the previous compressed files stay usable for the next package.
        if let Some(old) = previous.and_then(|(dir, _)| zip::Spill::read(dir)) {
            old.carry(out_dir);
        }
        return Ok((built, records));
    }
    let all: Vec<&zip::Source> = todo.iter().flat_map(|i| selections[*i].iter()).collect();
    let old_spill = previous.and_then(|(dir, _)| zip::Spill::read(dir));
    let spill = zip::compress_all(&all, out_dir, old_spill.as_ref())?;
    let spill_bytes = spill.open()?;
    let written: Vec<(String, Artifact, cache::Record)> = todo
        .par_iter()
        .map(|i| {
            let (job, sources) = (&jobs[*i], &selections[*i]);
            let path = out_dir.join(&job.file_name);
            let written = zip::assemble(&path, sources, Some((&spill, &spill_bytes)))?;
            let artifact = Artifact {
                file_name: job.file_name.clone(),
                path,
                size: written.size,
                sha256_hex: hex::encode(written.sha256),
                sha256_base64: hash::base64(&written.sha256),
                entries: sources.len(),
                prebuilt: false,
            };
            let record = cache::Record {
                fingerprint: cache::fingerprint(sources),
                sha256_hex: artifact.sha256_hex.clone(),
                size: artifact.size,
                entries: artifact.entries,
            };
            Ok((job.file_name.clone(), artifact, record))
        })
        .collect::<Result<_>>()?;
    for (name, artifact, record) in written {
        built.insert(name.clone(), artifact);
        records.insert(name, record);
    }
    Ok((built, records))
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
