//! Building the zips of a layout: one walk of the tree for every zip, development-only packages
//! excluded, an unchanged zip taken from the previous package, every other distinct file compressed
//! once and the remaining zips written in parallel.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::layout::ZipJob;
use super::{cache, devdeps, hash, walk, zip, Artifact, FileEntry, Selection};
use crate::config::Service;
use crate::error::{Error, Result};

/// The zips built, by file name, and the cache records of this package.
type Built = (HashMap<String, Artifact>, HashMap<String, cache::Record>);

/// Builds `jobs` into `out_dir` (`previous`: the previous package, moved aside); returns the artifacts
/// by file name. What the development-dependency scan warns about is added to `warnings`.
pub(super) fn build(
    service: &Service,
    jobs: &mut [ZipJob],
    out_dir: &Path,
    previous: Option<&Path>,
    warnings: &mut Vec<String>,
) -> Result<HashMap<String, Artifact>> {
    if jobs.is_empty() {
        return Ok(HashMap::new());
    }
    // The output directory and the previous package are never part of a package.
    let mut skip = vec![out_dir.to_path_buf(), service.service_dir.join(".git")];
    skip.extend(previous.map(Path::to_path_buf));
    let files = walk(&service.service_dir, &skip)?;
    let cache = previous.map(cache::Cache::read).unwrap_or_default();
    let dev = dev_record(service, &files, &cache);
    if let Some(dev) = &dev {
        warnings.extend(dev.excludes.warnings.iter().cloned());
        for job in jobs.iter_mut() {
            job.patterns.dev_excludes = dev.excludes.globs.clone();
        }
    }
    let (built, fresh) = build_zips(jobs, &files, out_dir, previous.map(|p| (p, &cache)))?;
    cache::Cache { zips: fresh, dev }.write(out_dir)?;
    Ok(built)
}

/// With `excludeDevDependencies`, which packages are development-only: taken from the previous package
/// when no package.json or lockfile changed since.
fn dev_record(
    service: &Service,
    files: &[FileEntry],
    cache: &cache::Cache,
) -> Option<cache::DevRecord> {
    service.package.exclude_dev_dependencies.then(|| {
        let fingerprint = devdeps::fingerprint(files);
        match cache.dev.as_ref().filter(|d| d.fingerprint == fingerprint) {
            Some(known) => known.clone(),
            None => cache::DevRecord {
                fingerprint,
                excludes: devdeps::dev_excludes(&service.service_dir, files),
            },
        }
    })
}

/// Selects the files of every job; reuses a previous zip whose inputs are unchanged; compresses each
/// other distinct file once and writes the remaining zips in parallel.
fn build_zips(
    jobs: &[ZipJob],
    files: &[FileEntry],
    out_dir: &Path,
    previous: Option<(&Path, &cache::Cache)>,
) -> Result<Built> {
    let selections = select(jobs, files)?;
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
    let previous_dir = previous.map(|(dir, _)| dir);
    for (name, artifact, record) in write_zips(jobs, &selections, &todo, out_dir, previous_dir)? {
        built.insert(name.clone(), artifact);
        records.insert(name, record);
    }
    Ok((built, records))
}

/// The files of each job, named as in its zip; a job that selects nothing is an error.
fn select(jobs: &[ZipJob], files: &[FileEntry]) -> Result<Vec<Vec<zip::Source>>> {
    jobs.par_iter()
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
        .collect()
}

/// Compresses the files of the jobs `todo` (indexes into `jobs` and `selections`) once, then writes
/// their zips in parallel.
fn write_zips(
    jobs: &[ZipJob],
    selections: &[Vec<zip::Source>],
    todo: &[usize],
    out_dir: &Path,
    previous: Option<&Path>,
) -> Result<Vec<(String, Artifact, cache::Record)>> {
    let all: Vec<&zip::Source> = todo.iter().flat_map(|i| selections[*i].iter()).collect();
    let old_spill = previous.and_then(zip::Spill::read);
    let spill = zip::compress_all(&all, out_dir, old_spill.as_ref())?;
    let spill_bytes = spill.open()?;
    todo.par_iter()
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
        .collect()
}
