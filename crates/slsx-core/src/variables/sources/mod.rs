//! The variable sources. Each takes the evaluated params and address and returns a value, or null
//! when it has none (the next fallback is tried); an error stops resolution.

pub mod aws;
mod file;

use serde_json::Value;

use super::resolve::{Path_, Resolver};
use crate::error::Result;

pub use aws::{AwsSource, SourceError};

pub(super) fn resolve(
    r: &mut Resolver<'_, '_>,
    kind: &str,
    params: &[Value],
    address: Option<&str>,
    path: &Path_,
) -> Result<Value> {
    match kind {
        "self" => self_source(r, address),
        "opt" => Ok(match address {
            None => Value::Object(r.ctx.options.clone()),
            Some(a) => r.ctx.options.get(a).cloned().unwrap_or(Value::Null),
        }),
        "env" => Ok(address
            .and_then(|a| r.ctx.env.get(a))
            .map_or(Value::Null, |v| Value::String(v.clone()))),
        "sls" => match address {
            Some("instanceId") => Ok(Value::String(r.ctx.instance_id.clone())),
            Some("stage") => Ok(Value::String(stage(r)?)),
            other => Err(r.error(
                path,
                "VARIABLES_RESOLUTION_ERROR",
                &format!(
                    "Unsupported \"sls\" address \"{}\": use instanceId or stage",
                    other.unwrap_or("")
                ),
            )),
        },
        "param" => param(r, address, path),
        "file" => file::resolve(r, params, address, path),
        "strToBool" => str_to_bool(r, params, path),
        "aws" | "cf" | "s3" | "ssm" => aws::resolve(r, kind, params, address, path),
        other if r.ctx.js.is_some_and(|j| j.has_source(other)) => {
            file::plugin_source(r, other, params, address, path)
        }
        // Before the plugins are constructed, their sources stay as written (behind a marker that
        // keeps the resolver from taking them for variables again: `UNRESOLVED_MARK`).
        other if r.ctx.tolerate_unknown_sources => Ok(Value::String(format!(
            "{UNRESOLVED_MARK}{{{other}{}{}}}",
            if params.is_empty() {
                String::new()
            } else {
                format!(
                    "({})",
                    params
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            address.map(|a| format!(":{a}")).unwrap_or_default()
        ))),
        other => Err(r.error(
            path,
            "UNRECOGNIZED_VARIABLE_SOURCES",
            &format!("Unrecognized configuration variable sources: \"{other}\""),
        )),
    }
}

/// Stands for the `$` of a variable left unresolved (`tolerate_unknown_sources`); `restore_unresolved`
/// puts the `$` back once resolution is over.
pub const UNRESOLVED_MARK: char = '\u{E000}';

/// Puts back the `$` of the variables left unresolved in `value`.
pub fn restore_unresolved(value: &mut Value) {
    match value {
        Value::String(s) if s.contains(UNRESOLVED_MARK) => {
            *s = s.replace(UNRESOLVED_MARK, "$");
        }
        Value::Array(a) => a.iter_mut().for_each(restore_unresolved),
        Value::Object(o) => o.values_mut().for_each(restore_unresolved),
        _ => {}
    }
}

/// `self:a.b.c`: the resolved value of another property (`self:` alone: the whole configuration).
fn self_source(r: &mut Resolver<'_, '_>, address: Option<&str>) -> Result<Value> {
    let path: Vec<String> = match address {
        None | Some("") => Vec::new(),
        Some(a) => a.split('.').map(str::to_string).collect(),
    };
    Ok(r.resolve_path(&path)?.unwrap_or(Value::Null))
}

/// `sls:stage`: `--stage`, else `provider.stage`, else `dev`.
pub(super) fn stage(r: &mut Resolver<'_, '_>) -> Result<String> {
    let cli = r
        .ctx
        .options
        .get("stage")
        .and_then(Value::as_str)
        .map(str::to_string);
    let configured = match cli {
        Some(_) => None,
        None => r.resolve_path(&["provider".into(), "stage".into()])?,
    };
    Ok(crate::defaults::stage(
        cli.as_deref(),
        configured.as_ref().and_then(Value::as_str),
    ))
}

/// `aws:region`: `--region`, else `provider.region`, else `us-east-1`.
pub(super) fn region(r: &mut Resolver<'_, '_>) -> Result<String> {
    let cli = r
        .ctx
        .options
        .get("region")
        .and_then(Value::as_str)
        .map(str::to_string);
    let configured = match cli {
        Some(_) => None,
        None => r.resolve_path(&["provider".into(), "region".into()])?,
    };
    Ok(crate::defaults::region(
        cli.as_deref(),
        configured.as_ref().and_then(Value::as_str),
    ))
}

/// `param:name`: `--param name=value`, else `params.<stage>.name`, else `params.default.name`.
fn param(r: &mut Resolver<'_, '_>, address: Option<&str>, path: &Path_) -> Result<Value> {
    let Some(name) = address.filter(|a| !a.is_empty()) else {
        return Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            "\"param\" needs a name: ${param:name}",
        ));
    };
    if let Some((_, v)) = r.ctx.params.iter().rev().find(|(k, _)| k == name) {
        return Ok(Value::String(v.clone()));
    }
    let stage = stage(r)?;
    for scope in [stage.as_str(), "default"] {
        let p = vec!["params".to_string(), scope.to_string(), name.to_string()];
        if let Some(v) = r.resolve_path(&p)?.filter(|v| !v.is_null()) {
            return Ok(v);
        }
    }
    Ok(Value::Null)
}

/// `strToBool(value)`: `true`/`1` and `false`/`0`, case-insensitive; anything else is an error.
fn str_to_bool(r: &Resolver<'_, '_>, params: &[Value], path: &Path_) -> Result<Value> {
    let raw = match params.first() {
        Some(Value::String(s)) => s.trim().to_lowercase(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    match raw.as_str() {
        "true" | "1" => Ok(Value::Bool(true)),
        "false" | "0" => Ok(Value::Bool(false)),
        _ => Err(r.error(
            path,
            "VARIABLES_RESOLUTION_ERROR",
            &format!("Invalid \"strToBool\" input: Expected either \"true\", \"false\", \"0\", or \"1\". Received: {raw}"),
        )),
    }
}
