//! Which files go into an artifact: Serverless's ordered pattern list, last match wins, compiled once
//! into one glob set so every path is matched in a single pass.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;

use crate::config::Service;
use crate::error::{Error, Result};

/// Excluded from every artifact before any user pattern (Serverless's built-in list).
const BUILT_IN_EXCLUDES: [&str; 7] = [
    ".git/**",
    ".gitignore",
    ".DS_Store",
    "npm-debug.log",
    "yarn-*.log",
    ".serverless/**",
    ".serverless_plugins/**",
];

#[derive(Debug)]
pub struct Selection {
    set: GlobSet,
    /// Parallel to the globs in `set`: true when the pattern includes.
    include: Vec<bool>,
}

impl Selection {
    /// The service-wide selection: built-in excludes, the config file, legacy `package.exclude` /
    /// `package.include`, then `package.patterns` in order.
    pub fn for_service(service: &Service) -> Result<Selection> {
        let mut patterns: Vec<(String, bool)> = BUILT_IN_EXCLUDES
            .iter()
            .map(|p| (p.to_string(), false))
            .collect();
        patterns.push((service.config_file_name(), false));
        let package = service.raw.get("package");
        for p in string_list(package, "exclude", service)? {
            // An exclude written `!x` re-includes.
            match p.strip_prefix('!') {
                Some(rest) => patterns.push((rest.to_string(), true)),
                None => patterns.push((p, false)),
            }
        }
        for key in ["include", "patterns"] {
            for p in string_list(package, key, service)? {
                match p.strip_prefix('!') {
                    Some(rest) => patterns.push((rest.to_string(), false)),
                    None => patterns.push((p, true)),
                }
            }
        }
        Selection::new(&patterns)
    }

    pub fn new(patterns: &[(String, bool)]) -> Result<Selection> {
        let mut builder = GlobSetBuilder::new();
        let mut include = Vec::with_capacity(patterns.len());
        for (pattern, inc) in patterns {
            let normalized = pattern.trim_start_matches("./");
            let glob = GlobBuilder::new(normalized)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| Error::Config {
                    code: "INVALID_PACKAGE_PATTERN",
                    message: format!("Invalid package pattern \"{pattern}\": {e}"),
                    path: Some("package.patterns".into()),
                    location: None,
                })?;
            builder.add(glob);
            include.push(*inc);
        }
        let set = builder.build().map_err(|e| Error::Internal {
            message: format!("cannot compile package patterns: {e}"),
        })?;
        Ok(Selection { set, include })
    }

    /// Whether `rel` (POSIX, relative to the service) is packaged: the last matching pattern decides,
    /// and a path no pattern matches is included.
    pub fn includes(&self, rel: &str) -> bool {
        self.set
            .matches(rel)
            .into_iter()
            .max()
            .is_none_or(|i| self.include[i])
    }
}

fn string_list(package: Option<&Value>, key: &str, service: &Service) -> Result<Vec<String>> {
    match package.and_then(|p| p.get(key)) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(service, key)),
            })
            .collect(),
        Some(_) => Err(invalid(service, key)),
    }
}

fn invalid(service: &Service, key: &str) -> Error {
    let path = format!("package.{key}");
    Error::Config {
        code: "CONFIGURATION_INVALID",
        message: format!("\"{path}\" must be a list of glob patterns"),
        location: crate::config::locate(service, &path),
        path: Some(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(p: &[(&str, bool)]) -> Selection {
        Selection::new(&p.iter().map(|(s, i)| (s.to_string(), *i)).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn last_match_wins_and_star_stays_in_its_directory() {
        let s = sel(&[(".git/**", false), ("test/**", false), ("test/keep.js", true), ("*.md", false)]);
        assert!(s.includes("handler.js"));
        assert!(!s.includes(".git/config"));
        assert!(!s.includes("test/a.js"));
        assert!(s.includes("test/keep.js"));
        assert!(!s.includes("README.md"));
        assert!(s.includes("docs/README.md"));
    }
}
