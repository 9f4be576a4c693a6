//! core::Error -> JS Error. napi's async functions reject with a fixed status, so the message carries
//! the human text and, after a NUL marker, JSON with the stable `code` and, for config errors, `file`,
//! `line`, `column` and `path`. The package entry (`lib/index.js`) moves those onto the error object
//! and strips the marker, so users see `err.code === 'CONFIGURATION_PARSE_ERROR'`, `err.line`, ….

use napi::{Error, Status};

pub const DETAILS_MARKER: char = '\u{0}';

pub fn to_js_error(err: slsx_core::Error) -> Error {
    let mut details = serde_json::Map::new();
    details.insert("code".into(), err.code().into());
    if let Some(loc) = err.location() {
        details.insert("file".into(), loc.file.display().to_string().into());
        details.insert("line".into(), loc.line.into());
        details.insert("column".into(), loc.column.into());
    }
    if let slsx_core::Error::Plugin { plugin, hook, .. } = &err {
        details.insert("plugin".into(), plugin.clone().into());
        details.insert("hook".into(), hook.clone().into());
    }
    if let slsx_core::Error::Config { path: Some(p), .. } = &err {
        details.insert("path".into(), p.clone().into());
    }
    let mut reason = err.render();
    reason.push(DETAILS_MARKER);
    reason.push_str(&serde_json::Value::Object(details).to_string());
    Error::new(Status::GenericFailure, reason)
}
