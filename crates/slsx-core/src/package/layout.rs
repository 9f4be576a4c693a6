//! What a package holds, decided before any file is read: which zips to build (`ZipJob`s with their
//! patterns), which prebuilt artifacts to copy, and which artifact each function, layer and the
//! service point at — following Serverless's rules (`individually`, `artifact`, `disable`, layers).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::prebuilt::prebuilt_source;
use super::{package_path, Code, Fetch, Packaged, PatternSet, BUILT_IN_EXCLUDES};
use crate::config::{Function, PackageConfig, Service};
use crate::error::{Error, Result};

/// A zip to build: its name, its root inside the service (layers), and its patterns.
pub(super) struct ZipJob {
    pub file_name: String,
    /// For layers: the layer's directory relative to the service; names in the zip are relative to it.
    pub root: Option<String>,
    pub patterns: PatternSet,
    /// What the error message calls it.
    pub label: String,
}

/// One artifact of the package: a zip built by name, or a prebuilt file by its resolved source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Slot {
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

/// The package's layout: `packaged` without its artifacts (they follow `slots`, in order), and the
/// zips to build.
pub(super) struct Layout {
    pub packaged: Packaged,
    pub jobs: Vec<ZipJob>,
    pub slots: Vec<Slot>,
}

/// Lays out the package of `service` into `out_dir` (`previous`: the previous package, moved aside).
/// `fetch` downloads `s3://` artifacts.
pub(super) fn layout(
    service: &Service,
    out_dir: &Path,
    previous: Option<&Path>,
    fetch: Fetch<'_>,
) -> Result<Layout> {
    let mut service_excludes = excludes(service, true);
    // A package directory inside the service is never packaged into the service's zips.
    for dir in std::iter::once(out_dir).chain(previous) {
        service_excludes.extend(package_path::exclude_pattern(service, dir));
    }
    let mut planner = Planner {
        service,
        out_dir,
        fetch,
        service_excludes,
        layer_excludes: excludes(service, false),
        service_includes: service
            .package
            .include
            .iter()
            .chain(&service.package.patterns)
            .cloned()
            .collect(),
        layout: Layout {
            packaged: Packaged::default(),
            jobs: Vec::new(),
            slots: Vec::new(),
        },
    };
    planner.legacy_warning();
    let shared = planner.functions()?;
    planner.service_artifact(&shared)?;
    planner.layers()?;
    check_names(&planner.layout.slots)?;
    Ok(planner.layout)
}

struct Planner<'a> {
    service: &'a Service,
    out_dir: &'a Path,
    fetch: Fetch<'a>,
    service_excludes: Vec<String>,
    layer_excludes: Vec<String>,
    service_includes: Vec<String>,
    layout: Layout,
}

impl<'a> Planner<'a> {
    /// The index of `slot`, added when new.
    fn slot(&mut self, slot: Slot) -> usize {
        let slots = &mut self.layout.slots;
        if let Some(i) = slots.iter().position(|s| *s == slot) {
            return i;
        }
        slots.push(slot);
        slots.len() - 1
    }

    fn prebuilt(&mut self, artifact: &str, key: &str) -> Result<usize> {
        let src = prebuilt_source(self.service, artifact, self.out_dir, self.fetch, key)?;
        Ok(self.slot(Slot::Prebuilt(src)))
    }

    /// A zip to build under `file_name`, and its slot.
    fn job(
        &mut self,
        file_name: String,
        root: Option<String>,
        patterns: PatternSet,
        label: String,
    ) -> usize {
        self.layout.jobs.push(ZipJob {
            file_name: file_name.clone(),
            root,
            patterns,
            label,
        });
        self.slot(Slot::Built(file_name))
    }

    /// The patterns of a zip of its own (a function packaged individually, a layer): `excludes` and
    /// the service's includes, then its own.
    fn own_patterns(&self, excludes: &[String], package: &PackageConfig) -> PatternSet {
        PatternSet {
            excludes: [excludes, &package.exclude].concat(),
            includes: [
                &self.service_includes[..],
                &package.include,
                &package.patterns,
            ]
            .concat(),
            dev_excludes: Vec::new(),
        }
    }

    fn legacy_warning(&mut self) {
        let service = self.service;
        let legacy = !service.package.include.is_empty()
            || !service.package.exclude.is_empty()
            || service
                .functions
                .iter()
                .any(|f| !f.package.include.is_empty() || !f.package.exclude.is_empty());
        if legacy {
            self.layout.packaged.warnings.push(
                "package.include and package.exclude are deprecated: use package.patterns (\"!glob\" excludes)".into(),
            );
        }
    }

    /// Each function's code: an image, its prebuilt artifact, or its own zip. Returns the functions that
    /// share the service artifact instead.
    fn functions(&mut self) -> Result<Vec<&'a Function>> {
        let service = self.service;
        let mut shared = Vec::new();
        for f in &service.functions {
            let code = if f.image.is_some() {
                Code::Image
            } else if let Some(artifact) = &f.package.artifact {
                Code::Zip(
                    self.prebuilt(artifact, &format!("functions.{}.package.artifact", f.key))?,
                )
            } else if (f.package.individually || service.package.individually) && !f.package.disable
            {
                let patterns = self.own_patterns(&self.service_excludes, &f.package);
                let label = format!("function \"{}\"", f.key);
                Code::Zip(self.job(format!("{}.zip", f.key), None, patterns, label))
            } else {
                if !f.package.patterns.is_empty() && !service.package.individually {
                    self.layout.packaged.warnings.push(format!(
                        "Package patterns of function \"{}\" apply only with package.individually (service or function level); they are ignored",
                        f.key
                    ));
                }
                shared.push(f);
                continue;
            };
            self.layout.packaged.functions.push((f.key.clone(), code));
        }
        Ok(shared)
    }

    /// Zip functions that are not packaged on their own share the service artifact (a function with
    /// package.disable points at it too, as in Serverless, but does not make it exist).
    fn service_artifact(&mut self, shared: &[&Function]) -> Result<()> {
        let service = self.service;
        let slot = if shared.is_empty() {
            None
        } else if let Some(artifact) = &service.package.artifact {
            Some(self.prebuilt(artifact, "package.artifact")?)
        } else if shared.iter().all(|f| f.package.disable) {
            return Err(Error::Package {
                code: "NO_FILES_TO_PACKAGE",
                message: format!(
                    "Function \"{}\" has package.disable but there is no service package to point it at: \
                     give it a package.artifact or package another function with the service",
                    shared[0].key
                ),
            });
        } else {
            let patterns = PatternSet {
                excludes: self.service_excludes.clone(),
                includes: self.service_includes.clone(),
                dev_excludes: Vec::new(),
            };
            let name = format!("{}.zip", service.name);
            Some(self.job(name, None, patterns, "the service package".into()))
        };
        let packaged = &mut self.layout.packaged;
        for f in shared {
            packaged
                .functions
                .push((f.key.clone(), Code::Zip(slot.expect("set above"))));
        }
        // Keep the config order of functions.
        let order: HashMap<&str, usize> = service
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| (f.key.as_str(), i))
            .collect();
        packaged.functions.sort_by_key(|(k, _)| order[k.as_str()]);
        packaged.service_artifact = slot;
        Ok(())
    }

    /// Each layer's artifact: prebuilt, or a zip of its `path`.
    fn layers(&mut self) -> Result<()> {
        for l in &self.service.layers {
            let i = match (&l.package.artifact, &l.path) {
                (Some(artifact), _) => {
                    self.prebuilt(artifact, &format!("layers.{}.package.artifact", l.key))?
                }
                (None, Some(path)) => {
                    let patterns = self.own_patterns(&self.layer_excludes, &l.package);
                    let label = format!("layer \"{}\"", l.key);
                    self.job(
                        format!("{}.zip", l.key),
                        Some(path.clone()),
                        patterns,
                        label,
                    )
                }
                (None, None) => unreachable!("config validation requires a path or an artifact"),
            };
            self.layout.packaged.layers.push((l.key.clone(), i));
        }
        Ok(())
    }
}

/// Two artifacts written under one name would overwrite each other.
fn check_names(slots: &[Slot]) -> Result<()> {
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
    Ok(())
}

/// `getExcludes`: built-ins, the config file, `plugins.localPath`, legacy `package.exclude`, layer
/// directories (function and service packages only), `.env*` with `useDotenv`.
fn excludes(service: &Service, with_layers: bool) -> Vec<String> {
    let mut out: Vec<String> = BUILT_IN_EXCLUDES.iter().map(|s| s.to_string()).collect();
    out.push(service.config_file_name());
    if let Some(local) = &service.plugins_local_path {
        out.push(local.clone());
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
