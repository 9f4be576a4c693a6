//! Locating the config file and parsing it into JSON with positions for syntax errors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::yaml;
use crate::error::{code_frame, Error, Result, SourceLocation};

/// The names Serverless looks for, in its order. The JS kinds are loaded on the JavaScript side.
const CANDIDATES: [&str; 3] = ["serverless.yml", "serverless.yaml", "serverless.json"];

#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// Absolute path of the file read.
    pub path: PathBuf,
    /// The file's text (kept to point at lines in later errors).
    pub source: String,
    pub value: Value,
}

/// `config` is the `--config` option: a path relative to the service directory.
pub fn find_config_file(service_dir: &Path, config: Option<&str>) -> Result<PathBuf> {
    if let Some(name) = config {
        let path = service_dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
        return Err(Error::config(
            "CONFIGURATION_NOT_FOUND",
            format!(
                "Cannot find the configuration file \"{}\" given by --config",
                path.display()
            ),
        ));
    }
    CANDIDATES
        .iter()
        .map(|name| service_dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::config(
                "SERVICE_NOT_FOUND",
                format!(
                    "No serverless.yml, serverless.yaml or serverless.json found in \"{}\"",
                    service_dir.display()
                ),
            )
        })
}

pub fn load_config(path: &Path) -> Result<LoadedConfig> {
    let source = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read \"{}\"", path.display()), e))?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    let value = if is_json {
        serde_json::from_str::<Value>(&source)
            .map_err(|e| syntax_error(path, &source, e.line(), e.column(), &e.to_string()))?
    } else {
        // js-yaml's `undefined` (no document at all) is not a mapping either: refused below.
        yaml::load(&source)
            .map_err(|e| syntax_error(path, &source, e.line, e.column, &e.reason))?
            .unwrap_or(Value::Null)
    };
    if !value.is_object() {
        return Err(Error::Config {
            code: "CONFIGURATION_INVALID",
            message: format!(
                "\"{}\" must hold a mapping of keys (service, provider, functions …)",
                file_name(path)
            ),
            path: None,
            location: Some(location(path, &source, 1, 1)),
        });
    }
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        source,
        value,
    })
}

fn syntax_error(path: &Path, source: &str, line: usize, column: usize, msg: &str) -> Error {
    Error::Config {
        code: "CONFIGURATION_PARSE_ERROR",
        message: format!(
            "Cannot parse \"{}\": {msg} (line {line}, column {column})",
            file_name(path)
        ),
        path: None,
        location: (line > 0).then(|| location(path, source, line, column)),
    }
}

pub(crate) fn location(
    path: &Path,
    source: &str,
    line: usize,
    column: usize,
) -> Box<SourceLocation> {
    Box::new(SourceLocation {
        file: path.to_path_buf(),
        line,
        column,
        frame: code_frame(source, line, column),
    })
}

/// Finds the line and column of a dotted key path (`functions.hello.handler`) in block-style YAML.
/// When the last keys are missing it points at the deepest one present, which is where the user has to
/// add something. A position finder for errors only: values come from the real parser.
pub(crate) fn locate_path(source: &str, path: &str) -> Option<(usize, usize)> {
    // A byte order mark is not part of the first key (js-yaml drops it too).
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source.lines().collect();
    let mut start = 0;
    let mut parent_indent: Option<usize> = None;
    let mut found = None;
    for segment in path.split('.') {
        let mut block_indent = None;
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            if parent_indent.is_some_and(|p| indent <= p) {
                break;
            }
            let block = *block_indent.get_or_insert(indent);
            if indent != block {
                continue;
            }
            let key = trimmed.split(':').next().unwrap_or("").trim();
            let key = key.trim_matches(|c| c == '"' || c == '\'');
            if key == segment && trimmed[trimmed.find(':').unwrap_or(0)..].starts_with(':') {
                hit = Some((i, indent));
                break;
            }
        }
        let Some((i, indent)) = hit else { break };
        found = Some((i + 1, indent + 1));
        start = i + 1;
        parent_indent = Some(indent);
    }
    found
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_the_deepest_present_parent() {
        let src = "service: a\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: h.x\n  other:\n    name: o\n";
        assert_eq!(locate_path(src, "provider.name"), Some((3, 3)));
        assert_eq!(locate_path(src, "functions.hello.handler"), Some((6, 5)));
        assert_eq!(locate_path(src, "functions.other.handler"), Some((7, 3)));
        assert_eq!(locate_path(src, "nope"), None);
        // A BOM, CRLF line ends and tabs after `key:` (which js-yaml accepts) change nothing.
        let src = "\u{feff}service: a\r\nprovider:\r\n  name:\taws\r\n";
        assert_eq!(locate_path(src, "service"), Some((1, 1)));
        assert_eq!(locate_path(src, "provider.name"), Some((3, 3)));
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("slsx-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("serverless.yml");
        std::fs::write(&file, "service: x\nprovider:\n  name: aws\n runtime: [\n").unwrap();
        let err = load_config(&file).unwrap_err();
        assert_eq!(err.code(), "CONFIGURATION_PARSE_ERROR");
        let loc = err.location().expect("location");
        assert_eq!(loc.file, file);
        assert_eq!(loc.line, 4);
        assert!(
            err.render().contains("serverless.yml:4:"),
            "{}",
            err.render()
        );
        std::fs::remove_dir_all(dir).ok();
    }
}
