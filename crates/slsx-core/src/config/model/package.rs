//! The `package:` block (service, function or layer level), typed.

use serde_json::Value;

use super::{opt_string, Ctx};
use crate::error::Result;

/// A `package:` block (service, function or layer level).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageConfig {
    pub patterns: Vec<String>,
    /// Legacy (v1/v2) `package.include` / `package.exclude`.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub individually: bool,
    /// A prebuilt zip: a path relative to the service, or `s3://bucket/key`.
    pub artifact: Option<String>,
    /// `functions.X.package.disable`: the function is not packaged.
    pub disable: bool,
    /// Service level only; default true.
    pub exclude_dev_dependencies: bool,
    /// Service level only: `package.path`, when a non-empty string (a prebuilt package directory).
    pub path: Option<String>,
}

/// A `package:` block read at `at`; an absent one is the default (development dependencies excluded).
pub(super) fn package_config(v: Option<&Value>, at: &str, ctx: &Ctx) -> Result<PackageConfig> {
    let o = match v {
        None | Some(Value::Null) => {
            return Ok(PackageConfig {
                exclude_dev_dependencies: true,
                ..Default::default()
            })
        }
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ctx.invalid(at, "must be a mapping")),
    };
    let list = |key: &str| -> Result<Vec<String>> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    _ => {
                        Err(ctx.invalid(&format!("{at}.{key}"), "must be a list of glob patterns"))
                    }
                })
                .collect(),
            Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be a list of glob patterns")),
        }
    };
    let flag = |key: &str, default: bool| -> Result<bool> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(ctx.invalid(&format!("{at}.{key}"), "must be true or false")),
        }
    };
    Ok(PackageConfig {
        patterns: list("patterns")?,
        include: list("include")?,
        exclude: list("exclude")?,
        individually: flag("individually", false)?,
        artifact: opt_string(o, "artifact", at, ctx)?.filter(|a| !a.is_empty()),
        disable: flag("disable", false)?,
        exclude_dev_dependencies: flag("excludeDevDependencies", true)?,
        path: o
            .get("path")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_string),
    })
}
