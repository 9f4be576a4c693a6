//! The resolver: walks the configuration, resolving each value on demand so that a `self:` reference
//! resolves its target first (with cycle detection), and replaces every variable by its value.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::context::Context;
use super::parse::{parse, Param, Part, Source, Template, Variable};
use super::sources;
use crate::error::{Error, Result};

/// Resolved strings that hold variables are resolved again, up to this depth.
const MAX_DEPTH: usize = 10;

/// The resolved values of a few properties (None: absent), leaving the rest of `config` alone.
pub fn resolve_paths(
    config: &Value,
    ctx: &Context<'_>,
    paths: &[&[&str]],
) -> Result<Vec<Option<Value>>> {
    let mut r = Resolver::new(config.clone(), ctx);
    paths
        .iter()
        .map(|p| r.resolve_path(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()))
        .collect()
}

/// Resolves every variable of `config`.
pub fn resolve_config(config: Value, ctx: &Context<'_>) -> Result<Value> {
    let mut r = Resolver::new(config, ctx);
    r.resolve_subtree(&[])?;
    Ok(r.root)
}

pub(super) struct Resolver<'a, 'b> {
    pub root: Value,
    pub ctx: &'a Context<'b>,
    /// Properties being resolved, outermost first: one reached again is a cycle.
    in_progress: Vec<String>,
    pub files: HashMap<PathBuf, Option<Value>>,
}

pub(super) type Path_ = [String];

pub(super) fn humanize(path: &Path_) -> String {
    path.join(".")
}

impl<'a, 'b> Resolver<'a, 'b> {
    fn new(root: Value, ctx: &'a Context<'b>) -> Resolver<'a, 'b> {
        Resolver {
            root,
            ctx,
            in_progress: Vec::new(),
            files: HashMap::new(),
        }
    }

    /// Resolves all variables at and below `path`; returns the resolved value there (None: no such
    /// property).
    pub fn resolve_path(&mut self, path: &Path_) -> Result<Option<Value>> {
        // An unresolved string on the way down (the address goes into a variable's result) first.
        for i in 0..path.len() {
            match get(&self.root, &path[..i]) {
                Some(Value::String(s)) if parse_or_none(s) => self.resolve_leaf(&path[..i])?,
                None => return Ok(None),
                _ => {}
            }
        }
        self.resolve_subtree(path)?;
        Ok(get(&self.root, path).cloned())
    }

    fn resolve_subtree(&mut self, path: &Path_) -> Result<()> {
        let children: Vec<String> = match get(&self.root, path) {
            Some(Value::String(s)) => {
                if parse_or_none(s) {
                    self.resolve_leaf(path)?;
                    // A resolved object may hold further variables (from a file, say).
                    if matches!(
                        get(&self.root, path),
                        Some(Value::Object(_) | Value::Array(_))
                    ) {
                        return self.resolve_subtree(path);
                    }
                }
                return Ok(());
            }
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(Value::Array(a)) => (0..a.len()).map(|i| i.to_string()).collect(),
            _ => return Ok(()),
        };
        let mut child = path.to_vec();
        for c in children {
            child.push(c);
            self.resolve_subtree(&child)?;
            child.pop();
        }
        Ok(())
    }

    fn resolve_leaf(&mut self, path: &Path_) -> Result<()> {
        let key = humanize(path);
        if let Some(i) = self.in_progress.iter().position(|p| *p == key) {
            let mut chain: Vec<&str> = self.in_progress[i..].iter().map(String::as_str).collect();
            chain.push(&key);
            return Err(self.error(
                path,
                "VARIABLES_RESOLUTION_ERROR",
                &format!(
                    "Circular reference among {} properties ({})",
                    self.in_progress[i..]
                        .iter()
                        .rev()
                        .map(|p| format!("\"{p}\""))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    chain.join(" -> ")
                ),
            ));
        }
        let Some(Value::String(s)) = get(&self.root, path).cloned() else {
            return Ok(());
        };
        self.in_progress.push(key);
        let result = self.eval_string(&s, path, 0);
        self.in_progress.pop();
        let value = result?;
        set(&mut self.root, path, value);
        Ok(())
    }

    /// The value of a string with variables (for the property at `path`).
    pub fn eval_string(&mut self, s: &str, path: &Path_, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                path,
                "EXCESSIVE_RESOLVED_VARIABLES_NEST_DEPTH",
                &format!("Variables are nested deeper than {MAX_DEPTH} levels (a resolved value keeps producing new variables)"),
            ));
        }
        let template = match parse(s) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(Value::String(s.to_string())),
            Err(e) => {
                return Err(self.error(
                    path,
                    "VARIABLES_RESOLUTION_ERROR",
                    &format!("Variable syntax error: {} ({})", e.message, e.code),
                ))
            }
        };
        self.eval_template(&template, path, depth)
    }

    /// A whole-value variable gives any type; text with variables gives a string.
    fn eval_template(&mut self, template: &Template, path: &Path_, depth: usize) -> Result<Value> {
        if let [Part::Var(v)] = template.as_slice() {
            return self.eval_var_again(v, path, depth);
        }
        let mut out = String::new();
        for part in template {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => match self.eval_var_again(v, path, depth)? {
                    Value::String(s) => out.push_str(&s),
                    Value::Number(n) => out.push_str(&n.to_string()),
                    Value::Bool(b) => out.push_str(&b.to_string()),
                    _ => {
                        return Err(self.error(
                            path,
                            "VARIABLES_RESOLUTION_ERROR",
                            &format!("String value consist of variable which resolve with non-string value ({})", v.raw),
                        ))
                    }
                },
            }
        }
        Ok(Value::String(out))
    }

    /// A variable's value; a resolved string that holds variables is resolved again (escapes in the
    /// text around variables are not: they are literal).
    fn eval_var_again(&mut self, var: &Variable, path: &Path_, depth: usize) -> Result<Value> {
        match self.eval_var(var, path)? {
            Value::String(v) if v.contains("${") => self.eval_string(&v, path, depth + 1),
            other => Ok(other),
        }
    }

    fn eval_var(&mut self, var: &Variable, path: &Path_) -> Result<Value> {
        let mut last = String::new();
        for source in &var.sources {
            match source {
                Source::Literal(v) => return Ok(v.clone()),
                Source::Typed {
                    kind,
                    params,
                    address,
                } => {
                    let params: Vec<Value> = params
                        .iter()
                        .map(|p| self.eval_param(p, path))
                        .collect::<Result<_>>()?;
                    let address = match address {
                        Some(a) => match self.eval_param(a, path)? {
                            Value::Null => None,
                            Value::String(s) => Some(s),
                            other => Some(other.to_string()),
                        },
                        None => None,
                    };
                    let value = sources::resolve(self, kind, &params, address.as_deref(), path)?;
                    if !value.is_null() {
                        return Ok(value);
                    }
                    last = match &address {
                        Some(a) => format!("{kind}:{a}"),
                        None => kind.clone(),
                    };
                }
            }
        }
        Err(self
            .error(
                path,
                "VARIABLES_RESOLUTION_ERROR",
                &format!(
                    "Value not found at \"{}\" source",
                    last.split(':').next().unwrap_or(&last)
                ),
            )
            .with_detail(&format!("(variable {}, {last})", var.raw)))
    }

    fn eval_param(&mut self, p: &Param, path: &Path_) -> Result<Value> {
        match p {
            Param::Literal(v) => Ok(v.clone()),
            Param::Template(t) => self.eval_template(t, path, 0),
        }
    }

    /// Resolves variables inside a value that is not part of the configuration (a `file()` result).
    pub fn resolve_detached(&mut self, value: Value, path: &Path_) -> Result<Value> {
        Ok(match value {
            Value::String(s) if parse_or_none(&s) => self.eval_string(&s, path, 0)?,
            Value::Array(a) => Value::Array(
                a.into_iter()
                    .map(|v| self.resolve_detached(v, path))
                    .collect::<Result<_>>()?,
            ),
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(k, self.resolve_detached(v, path)?);
                }
                Value::Object(out)
            }
            other => other,
        })
    }

    /// "Cannot resolve variable at "<path>": …" with the file position of the property.
    pub fn error(&self, path: &Path_, code: &'static str, detail: &str) -> Error {
        let at = humanize(path);
        let location = crate::source::locate_in(&self.ctx.config_file, &self.ctx.source, &at);
        Error::Config {
            code,
            message: format!("Cannot resolve variable at \"{at}\": {detail}"),
            path: Some(at),
            location,
        }
    }

    pub fn service_dir(&self) -> &Path {
        &self.ctx.service_dir
    }
}

fn parse_or_none(s: &str) -> bool {
    s.contains("${")
}

trait WithDetail {
    fn with_detail(self, detail: &str) -> Self;
}

impl WithDetail for Error {
    fn with_detail(self, detail: &str) -> Self {
        match self {
            Error::Config {
                code,
                message,
                path,
                location,
            } => Error::Config {
                code,
                message: format!("{message} {detail}"),
                path,
                location,
            },
            other => other,
        }
    }
}

/// The value at `path` (object keys; array indexes as decimal strings).
pub(super) fn get<'v>(root: &'v Value, path: &Path_) -> Option<&'v Value> {
    let mut cur = root;
    for seg in path {
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn set(root: &mut Value, path: &Path_, value: Value) {
    let mut cur = root;
    for seg in path {
        cur = match cur {
            Value::Object(m) => match m.get_mut(seg) {
                Some(v) => v,
                None => return,
            },
            Value::Array(a) => match seg.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    *cur = value;
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
