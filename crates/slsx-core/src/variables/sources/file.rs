//! `file(path):address`: a value from a YAML (CloudFormation tags understood) or JSON file beside the
//! service. A missing file gives null, so a fallback applies. Variables inside the file are resolved.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::context::JsFileEvent;
use super::super::resolve::{get, Path_, Resolver};
use crate::error::Result;

pub(super) fn resolve(
    r: &mut Resolver<'_, '_>,
    params: &[Value],
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    let Some(Value::String(rel)) = params.first() else {
        return Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            "\"file\" needs a path: ${file(./config.yml):key}",
        ));
    };
    let full: PathBuf = r.service_dir().join(rel);
    let content = match r.files.get(&full) {
        Some(v) => v.clone(),
        None if is_js(&full) => None,
        None => {
            let v = load(r, &full, rel, path)?;
            r.files.insert(full.clone(), v.clone());
            v
        }
    };
    if is_js(&full) {
        if !full.is_file() {
            return Ok(Value::Null);
        }
        // JavaScript evaluates the address itself: a function found there is called too.
        let value = load_js(r, &full, rel, address, path)?;
        return r.resolve_detached(value, path);
    }
    let Some(content) = content else {
        return Ok(Value::Null);
    };
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

fn load(
    r: &mut Resolver<'_, '_>,
    full: &PathBuf,
    rel: &str,
    path: &Path_,
) -> Result<Option<Value>> {
    let text = match std::fs::read_to_string(full) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(r.error(
                path,
                "VARIABLES_RESOLUTION_ERROR",
                &format!("Cannot read \"{rel}\": {e}"),
            ))
        }
    };
    // The extension is compared as written, as osls does: `x.YML` is text, not YAML.
    let ext = full.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "yml" | "yaml" => {
            // An empty file is js-yaml's `undefined`: no value, as for a missing file.
            crate::source::yaml::load(&text).map_err(|e| {
                r.error(
                    path,
                    "VARIABLES_RESOLUTION_ERROR",
                    &format!("Cannot parse \"{rel}\": {e}"),
                )
            })
        }
        "json" | "tfstate" => serde_json::from_str(&text).map(Some).map_err(|e| {
            r.error(
                path,
                "VARIABLES_RESOLUTION_ERROR",
                &format!("Cannot parse \"{rel}\": {e}"),
            )
        }),
        // Any other file is text.
        _ => Ok(Some(Value::String(text))),
    }
}

fn is_js(path: &std::path::Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "cjs" | "mjs")
    )
}

/// Runs a JavaScript file in Node.js, answering its `resolveVariable` calls while it runs.
fn load_js(
    r: &mut Resolver<'_, '_>,
    full: &Path,
    rel: &str,
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    let Some(js) = r.ctx.js else {
        return Err(r.error(path, "VARIABLES_RESOLUTION_ERROR", &format!("Cannot read \"{rel}\": JavaScript files need Node.js (use slsx from its npm package)")));
    };
    let events = js.load(full, address);
    drain(r, events, &format!("Cannot load \"{rel}\""), path)
}

/// `${name:address}` of a plugin's `configurationVariablesSources`, resolved by its resolver in
/// Node.js (which may ask for other variables while it runs).
pub(super) fn plugin_source(
    r: &mut Resolver<'_, '_>,
    name: &str,
    params: &[Value],
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    let Some(js) = r.ctx.js else {
        return Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            &format!("\"{name}\" is a plugin's source: it needs Node.js"),
        ));
    };
    let events = js.source(name, params, address);
    drain(r, events, &format!("Cannot resolve \"{name}\""), path)
}

/// Answers the JavaScript side's `resolveVariable` calls until it is done.
fn drain(
    r: &mut Resolver<'_, '_>,
    events: std::sync::mpsc::Receiver<JsFileEvent>,
    what: &str,
    path: &Path_,
) -> Result<Value> {
    loop {
        match events.recv() {
            Ok(JsFileEvent::Resolve { expression, reply }) => {
                let value = r
                    .eval_string(&format!("${{{expression}}}"), path, 0)
                    .map_err(|e| e.to_string());
                let _ = reply.send(value);
            }
            Ok(JsFileEvent::Done(Ok(value))) => return Ok(value),
            Ok(JsFileEvent::Done(Err(e))) => {
                return Err(r.error(path, "VARIABLES_RESOLUTION_ERROR", &format!("{what}: {e}")))
            }
            Err(_) => {
                return Err(r.error(
                    path,
                    "VARIABLES_RESOLUTION_ERROR",
                    &format!("{what}: Node.js went away"),
                ))
            }
        }
    }
}
