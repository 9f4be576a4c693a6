//! Which files go into an artifact, with Serverless's semantics (osls `package-service.js`): the
//! ordered list `excludes (as !p), includes, devDependency excludes` is applied to every file, last
//! match wins, and a file no pattern matches stays in. (Serverless first globs `['**', ...includes]`;
//! since its negative patterns only skip files they match, that universe never removes a file the
//! ordered list keeps, so it needs no pass of its own.) Duplicate patterns keep their first position,
//! as Serverless's `Set`s do.
//!
//! Every pattern is compiled once into one glob set, so each path is matched in a single pass.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};

/// Excluded from every artifact before any user pattern (Serverless's built-in list).
pub const BUILT_IN_EXCLUDES: [&str; 7] = [
    ".git/**",
    ".gitignore",
    ".DS_Store",
    "npm-debug.log",
    "yarn-*.log",
    ".serverless/**",
    ".serverless_plugins/**",
];

/// The inputs of one artifact's selection, in Serverless's terms.
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    /// `getExcludes`: built-ins, config file, plugins.localPath, legacy excludes, layer paths, `.env*`.
    pub excludes: Vec<String>,
    /// `getIncludes`: legacy includes and `package.patterns` (service, then function or layer).
    pub includes: Vec<String>,
    /// Dev-dependency excludes, applied last.
    pub dev_excludes: Vec<String>,
}

#[derive(Debug)]
pub struct Selection {
    set: GlobSet,
    /// Per glob in `set`, in list order: true when a match includes the file.
    include: Vec<bool>,
    /// Dev-dependency excludes, last in the list so they win when they match. They are all
    /// `<package dir>/**` or an exact `.bin` path, so they are looked up, not matched: a large tree
    /// has thousands of them, too many for one glob set.
    dev_dirs: std::collections::HashSet<String>,
    dev_files: std::collections::HashSet<String>,
}

fn dedupe(items: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .filter(|p| seen.insert(p.as_str()))
        .cloned()
        .collect()
}

impl Selection {
    pub fn new(patterns: &PatternSet) -> Result<Selection> {
        let dev: std::collections::HashSet<&str> =
            patterns.dev_excludes.iter().map(String::as_str).collect();
        let mut list: Vec<(String, bool)> = Vec::new();
        // Excludes (one written `!x` includes), except dev excludes, which go last.
        for p in dedupe(&patterns.excludes)
            .into_iter()
            .filter(|p| !dev.contains(p.as_str()))
        {
            let (negated, body) = split_negation(&p);
            list.push((body.to_string(), !negated));
        }
        for p in dedupe(&patterns.includes) {
            let (include, body) = split_negation(&p);
            list.push((body.to_string(), include));
        }
        let mut dev_dirs = std::collections::HashSet::new();
        let mut dev_files = std::collections::HashSet::new();
        for p in &patterns.dev_excludes {
            match p.strip_suffix("/**") {
                Some(dir) => dev_dirs.insert(dir.to_string()),
                None => dev_files.insert(p.clone()),
            };
        }
        let mut builder = GlobSetBuilder::new();
        for (pattern, _) in &list {
            builder.add(compile(pattern)?);
        }
        let set = builder.build().map_err(|e| Error::Internal {
            message: format!("cannot compile package patterns: {e}"),
        })?;
        Ok(Selection {
            set,
            include: list.into_iter().map(|(_, i)| i).collect(),
            dev_dirs,
            dev_files,
        })
    }

    /// Whether `rel` (POSIX, relative to the artifact's root) is packaged.
    pub fn includes(&self, rel: &str) -> bool {
        !self.dev_excluded(rel)
            && self
                .set
                .matches(rel)
                .into_iter()
                .max()
                .is_none_or(|i| self.include[i])
    }

    fn dev_excluded(&self, rel: &str) -> bool {
        if self.dev_files.contains(rel) {
            return true;
        }
        !self.dev_dirs.is_empty()
            && rel
                .match_indices('/')
                .any(|(i, _)| self.dev_dirs.contains(&rel[..i]))
    }
}

/// `!x` -> (false, "x"); `x` -> (true, "x"). A leading `./` is dropped as micromatch does.
fn split_negation(p: &str) -> (bool, &str) {
    match p.strip_prefix('!') {
        Some(rest) => (false, rest.trim_start_matches("./")),
        None => (true, p.trim_start_matches("./")),
    }
}

fn compile(pattern: &str) -> Result<globset::Glob> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| Error::Config {
            code: "INVALID_PACKAGE_PATTERN",
            message: format!("Invalid package pattern \"{pattern}\": {e}"),
            path: Some("package.patterns".into()),
            location: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(excludes: &[&str], includes: &[&str], dev: &[&str]) -> Selection {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Selection::new(&PatternSet {
            excludes: v(excludes),
            includes: v(includes),
            dev_excludes: v(dev),
        })
        .unwrap()
    }

    #[test]
    fn last_match_wins_and_star_stays_in_its_directory() {
        let s = sel(&[".git/**"], &["!test/**", "test/keep.js", "!*.md"], &[]);
        assert!(s.includes("handler.js"));
        assert!(!s.includes(".git/config"));
        assert!(!s.includes("test/a.js"));
        assert!(s.includes("test/keep.js"));
        assert!(!s.includes("README.md"));
        assert!(s.includes("docs/README.md"));
    }

    #[test]
    fn a_negated_directory_name_without_glob_hides_nothing() {
        // micromatch matches files only: `!src/secret*` does not reach src/secret/inner.txt.
        let s = sel(&[], &["!src/secret*"], &[]);
        assert!(s.includes("src/secret/inner.txt"));
        assert!(!s.includes("src/secret.txt"));
    }

    #[test]
    fn dev_excludes_win_over_user_includes_and_exclude_bang_includes() {
        let s = sel(
            &["secret/**", "!secret/ok.txt"],
            &["node_modules/**"],
            &["node_modules/dev/**"],
        );
        assert!(!s.includes("node_modules/dev/a.js"));
        assert!(s.includes("node_modules/prod/a.js"));
        assert!(!s.includes("secret/x"));
        assert!(s.includes("secret/ok.txt"));
    }

    #[test]
    fn duplicates_keep_their_first_position() {
        // Set semantics: the second "!a/**" is dropped, so a/x stays included.
        let s = sel(&[], &["!a/**", "a/x", "!a/**"], &[]);
        assert!(s.includes("a/x"));
    }
}
