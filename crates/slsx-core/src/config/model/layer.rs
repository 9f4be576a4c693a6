//! `layers.<key>`, typed: path or artifact, package, name, retention, sharing and the settings copied
//! into the layer version.

use std::path::Path;

use serde_json::{Map, Value};

use super::package::{package_config, PackageConfig};
use super::{opt_string, Ctx};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct Layer {
    /// The key under `layers:`.
    pub key: String,
    /// Directory of the layer's files, relative to the service.
    pub path: Option<String>,
    pub package: PackageConfig,
    /// `name`, as written (the layer's key names it otherwise).
    pub name: Option<String>,
    /// `retain`: old versions are kept (the logical ID carries the content's hash).
    pub retain: bool,
    /// `allowedAccounts`: who may use the layer.
    pub allowed_accounts: Vec<Value>,
    /// `description`, `licenseInfo`, `compatibleRuntimes`, `compatibleArchitectures` when set: copied
    /// into the layer version as they are.
    pub optional: Map<String, Value>,
    pub raw: Map<String, Value>,
}

/// One layer (`at` its path, `raw` its mapping), its path checked.
pub(super) fn layer(key: &str, at: String, raw: Map<String, Value>, ctx: &Ctx) -> Result<Layer> {
    let package = package_config(raw.get("package"), &format!("{at}.package"), ctx)?;
    let path = opt_string(&raw, "path", &at, ctx)?;
    if path.is_none() && package.artifact.is_none() {
        return Err(ctx.invalid(&format!("{at}.path"), "is required (or package.artifact)"));
    }
    if let Some(p) = &path {
        let normalized = p.trim_end_matches('/');
        if normalized.is_empty()
            || normalized == "."
            || Path::new(normalized).is_absolute()
            || normalized.split('/').any(|s| s == "..")
        {
            return Err(ctx.invalid(
                &format!("{at}.path"),
                "must be a directory inside the service",
            ));
        }
    }
    Ok(Layer {
        key: key.to_string(),
        path: path.map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string()),
        package,
        name: raw.get("name").and_then(Value::as_str).map(str::to_string),
        retain: raw.get("retain").and_then(Value::as_bool).unwrap_or(false),
        allowed_accounts: raw
            .get("allowedAccounts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        optional: [
            "description",
            "licenseInfo",
            "compatibleRuntimes",
            "compatibleArchitectures",
        ]
        .into_iter()
        .filter_map(|k| Some((k.to_string(), raw.get(k).filter(|v| !v.is_null())?.clone())))
        .collect(),
        raw,
    })
}
