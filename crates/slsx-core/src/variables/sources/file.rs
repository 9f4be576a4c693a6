//! `file(path):address`: a value from a YAML (CloudFormation tags understood) or JSON file beside the
//! service. A missing file gives null, so a fallback applies. Variables inside the file are resolved.

use std::path::PathBuf;

use serde_json::Value;

use super::super::resolve::{get, Path_, Resolver};
use crate::error::Result;

pub(super) fn resolve(r: &mut Resolver<'_, '_>, params: &[Value], address: Option<&str>, path: &Path_) -> Result<Value> {
    let Some(Value::String(rel)) = params.first() else {
        return Err(r.error(path, "VARIABLE_RESOLUTION_ERROR", "\"file\" needs a path: ${file(./config.yml):key}"));
    };
    let full: PathBuf = r.service_dir().join(rel);
    let content = match r.files.get(&full) {
        Some(v) => v.clone(),
        None => {
            let v = load(r, &full, rel, path)?;
            r.files.insert(full.clone(), v.clone());
            v
        }
    };
    let Some(content) = content else { return Ok(Value::Null) };
    let value = match address {
        None | Some("") => content,
        Some(a) => {
            let segments: Vec<String> = a.split('.').map(str::to_string).collect();
            match get(&content, &segments) {
                Some(v) => v.clone(),
                None => return Ok(Value::Null),
            }
        }
    };
    r.resolve_detached(value, path)
}

fn load(r: &Resolver<'_, '_>, full: &PathBuf, rel: &str, path: &Path_) -> Result<Option<Value>> {
    let text = match std::fs::read_to_string(full) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(r.error(path, "VARIABLE_RESOLUTION_ERROR", &format!("Cannot read \"{rel}\": {e}"))),
    };
    let ext = full.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "yml" | "yaml" => {
            let yaml: serde_norway::Value = serde_norway::from_str(&text)
                .map_err(|e| r.error(path, "VARIABLE_RESOLUTION_ERROR", &format!("Cannot parse \"{rel}\": {e}")))?;
            crate::config::yaml_to_json(yaml)
                .map(Some)
                .map_err(|e| r.error(path, "VARIABLE_RESOLUTION_ERROR", &format!("Cannot parse \"{rel}\": {e}")))
        }
        "json" | "tfstate" => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| r.error(path, "VARIABLE_RESOLUTION_ERROR", &format!("Cannot parse \"{rel}\": {e}"))),
        _ => Err(r.error(
            path,
            "VARIABLE_RESOLUTION_ERROR",
            &format!("Cannot read \"{rel}\": slsx reads .yml, .yaml and .json files (JavaScript files are not supported yet)"),
        )),
    }
}
