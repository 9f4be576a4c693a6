//! Which installed packages are development-only, the way osls finds them with `npm ls --dev` minus
//! `npm ls --prod` in every directory holding a `package.json` (outside node_modules).
//!
//! `npm ls` reads the installed tree, not the lockfile, so this reads it too: each package's
//! `package.json` dependencies are resolved as Node and npm's arborist resolve them — from the
//! package's real directory upwards — which gives the same answer for npm (lockfile v1–v3), yarn (v1
//! and berry with node_modules) and pnpm layouts, and stays right when a lockfile is stale. Packages
//! reachable only through `devDependencies` are excluded (`<path>/**`), with their `.bin` links; a
//! package that is also a production dependency anywhere stays.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::FileEntry;

const LOCKFILES: [&str; 4] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
];

/// Dev-dependency exclude globs (relative to the service) and warnings.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DevExcludes {
    pub globs: Vec<String>,
    pub warnings: Vec<String>,
}

/// What `dev_excludes` depends on: the paths and change stamps of every `package.json` and lockfile
/// in the walk (a package added, removed, moved or edited changes it).
pub fn fingerprint(files: &[FileEntry]) -> String {
    use sha2::{Digest, Sha256};
    let mut sha = Sha256::new();
    sha.update(b"slsx-devdeps/1\n");
    for f in files {
        let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
        if name == "package.json" || LOCKFILES.contains(&name) {
            sha.update(f.rel.as_bytes());
            sha.update([0]);
            sha.update(f.stamp.to_le_bytes());
        }
    }
    hex::encode(sha.finalize())
}

/// `files` is the walk of the service; every `package.json` outside node_modules is a project root.
pub fn dev_excludes(service_dir: &Path, files: &[FileEntry]) -> DevExcludes {
    let mut out = DevExcludes::default();
    let mut roots: Vec<&str> = files
        .iter()
        .filter(|f| {
            (f.rel == "package.json" || f.rel.ends_with("/package.json"))
                && !f.rel.contains("node_modules")
        })
        .map(|f| f.rel.trim_end_matches("package.json").trim_end_matches('/'))
        .collect();
    roots.sort_unstable();
    for root in roots {
        let dir = if root.is_empty() {
            service_dir.to_path_buf()
        } else {
            service_dir.join(root)
        };
        if !dir.join("node_modules").is_dir() {
            continue;
        }
        if !LOCKFILES.iter().any(|l| dir.join(l).is_file()) {
            out.warnings.push(format!(
                "No lockfile in \"{}\": devDependencies were worked out from the installed node_modules alone",
                if root.is_empty() { "." } else { root }
            ));
        }
        let prefix = if root.is_empty() {
            String::new()
        } else {
            format!("{root}/")
        };
        for location in Tree::new(&dir).dev_only() {
            add_globs(&dir, &prefix, &location, &mut out.globs);
        }
    }
    out
}

/// `<location>/**` and the `.bin` links of its executables, as osls writes them (for a scoped package
/// the `.bin` path keeps the scope directory, as osls does).
fn add_globs(dir: &Path, prefix: &str, location: &str, globs: &mut Vec<String>) {
    let Some(pkg) = read_package(&dir.join(location)) else {
        return; // osls skips packages whose package.json it cannot read
    };
    globs.push(format!("{prefix}{location}/**"));
    let (module_path, module_name) = match location.rfind('/') {
        Some(i) => (&location[..=i], &location[i + 1..]),
        None => ("", location),
    };
    match pkg.get("bin") {
        Some(Value::Object(bins)) => {
            for exe in bins.keys() {
                globs.push(format!("{prefix}{module_path}.bin/{exe}"));
            }
        }
        Some(Value::String(_)) => globs.push(format!("{prefix}{module_path}.bin/{module_name}")),
        _ => {}
    }
}

fn read_package(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The installed tree of one project, explored lazily from its root.
struct Tree {
    root: PathBuf,
    root_real: PathBuf,
    /// Location (relative to the root, as found) -> real directory.
    real: HashMap<String, PathBuf>,
    /// Real directory -> the names its package.json depends on (each file is read once).
    deps: HashMap<PathBuf, Vec<String>>,
}

impl Tree {
    fn new(root: &Path) -> Tree {
        let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Tree {
            root: root.to_path_buf(),
            root_real,
            real: HashMap::new(),
            deps: HashMap::new(),
        }
    }

    /// Locations reachable from the root only through devDependencies.
    fn dev_only(&mut self) -> Vec<String> {
        let Some(root_pkg) = read_package(&self.root) else {
            return Vec::new();
        };
        let prod_roots = names(
            &root_pkg,
            &["dependencies", "optionalDependencies", "peerDependencies"],
        );
        let dev_roots = names(&root_pkg, &["devDependencies"]);
        let root_real = self.root_real.clone();
        let prod = self.reach(&root_real, &prod_roots);
        let mut all_roots = prod_roots;
        all_roots.extend(dev_roots);
        let all = self.reach(&root_real, &all_roots);
        let mut dev: Vec<String> = all.difference(&prod).cloned().collect();
        dev.sort();
        dev
    }

    /// Breadth-first over dependency edges, starting with `deps` resolved from `from`.
    fn reach(&mut self, from: &Path, deps: &[String]) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut queue: VecDeque<(PathBuf, String)> = deps
            .iter()
            .map(|d| (from.to_path_buf(), d.clone()))
            .collect();
        while let Some((dir, name)) = queue.pop_front() {
            let Some(location) = self.resolve(&dir, &name) else {
                continue;
            };
            if !seen.insert(location.clone()) {
                continue;
            }
            let real = self.real[&location].clone();
            let deps = self.deps.entry(real.clone()).or_insert_with(|| {
                read_package(&real)
                    .map(|pkg| {
                        names(
                            &pkg,
                            &["dependencies", "optionalDependencies", "peerDependencies"],
                        )
                    })
                    .unwrap_or_default()
            });
            queue.extend(deps.iter().map(|dep| (real.clone(), dep.clone())));
        }
        seen
    }

    /// Where `name` is found from the real directory `from`: `from/node_modules/name`, then each
    /// ancestor's `node_modules` up to the project root. Returns the location relative to the root.
    fn resolve(&mut self, from: &Path, name: &str) -> Option<String> {
        let mut dir = Some(from);
        while let Some(d) = dir {
            if !d.starts_with(&self.root_real) {
                break;
            }
            if d.file_name().is_some_and(|n| n != "node_modules") || d == self.root_real {
                let candidate = d.join("node_modules").join(name);
                if candidate.join("package.json").is_file() {
                    let rel = candidate
                        .strip_prefix(&self.root_real)
                        .ok()?
                        .to_string_lossy()
                        .replace('\\', "/");
                    if !self.real.contains_key(&rel) {
                        let real = std::fs::canonicalize(&candidate).unwrap_or(candidate);
                        self.real.insert(rel.clone(), real);
                    }
                    return Some(rel);
                }
            }
            dir = d.parent();
        }
        None
    }
}

fn names(pkg: &Value, keys: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for key in keys {
        if let Some(Value::Object(deps)) = pkg.get(*key) {
            out.extend(deps.keys().cloned());
        }
    }
    out
}
