//! `functions.<key>`, typed: name, handler or image, package, sizing, environment and the settings
//! with the provider's fallback.

use serde_json::{Map, Value};

use super::package::{package_config, PackageConfig};
use super::{opt_map, opt_string, opt_u64, Ctx};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct Function {
    /// The key under `functions:`.
    pub key: String,
    /// Deployed name: `name:` or `<service>-<stage>-<key>`.
    pub name: String,
    /// Empty for image functions.
    pub handler: String,
    /// `image:` (a URI, a name in `provider.ecr.images`, or an object): not zipped.
    pub image: Option<Value>,
    pub package: PackageConfig,
    pub runtime: Option<String>,
    pub memory_size: Option<u64>,
    pub timeout: Option<u64>,
    pub description: Option<String>,
    pub environment: Map<String, Value>,
    /// The settings the compiler and `deploy function` read, with the provider's fallback.
    pub settings: crate::config::FunctionSettings,
    /// `events`, parsed (filled once the whole service is read: events refer to other parts).
    pub events: Vec<crate::config::events::FunctionEvent>,
    pub raw: Map<String, Value>,
}

/// One function (`at` its path, `raw` its mapping).
pub(super) fn function(
    key: &str,
    at: String,
    raw: Map<String, Value>,
    provider: &Map<String, Value>,
    service: &str,
    stage: &str,
    ctx: &Ctx,
) -> Result<Function> {
    let image = raw.get("image").filter(|v| !v.is_null()).cloned();
    let handler = match raw.get("handler") {
        Some(Value::String(h)) if !h.is_empty() => h.clone(),
        Some(_) => return Err(ctx.invalid(&format!("{at}.handler"), "must be a non-empty string")),
        None if image.is_some() => String::new(),
        None => {
            return Err(ctx.invalid(
                &format!("{at}.handler"),
                "is required (e.g. handler: handler.main), unless the function has an image",
            ))
        }
    };
    if image.is_some() && raw.get("handler").is_some() {
        return Err(ctx.invalid(&at, "cannot have both \"handler\" and \"image\""));
    }
    let name =
        opt_string(&raw, "name", &at, ctx)?.unwrap_or_else(|| format!("{service}-{stage}-{key}"));
    Ok(Function {
        key: key.to_string(),
        name,
        handler,
        image,
        package: package_config(raw.get("package"), &format!("{at}.package"), ctx)?,
        runtime: opt_string(&raw, "runtime", &at, ctx)?,
        memory_size: opt_u64(&raw, "memorySize", &at, ctx)?,
        timeout: opt_u64(&raw, "timeout", &at, ctx)?,
        description: opt_string(&raw, "description", &at, ctx)?,
        environment: opt_map(&raw, "environment", &at, ctx)?,
        events: Vec::new(),
        settings: crate::config::FunctionSettings::read(&raw, provider),
        raw,
    })
}
