//! `resources:` and `functions:` written as a list of fragments (Serverless v1's form, still accepted
//! by v3 and osls 4.3.1), typically `- ${file(resources/table.yml)}`. osls folds such a list into one
//! object after the variables are resolved and before validation, so everything downstream (schema,
//! compile, `print`, the state file) only ever sees the merged object. The rules here are osls's:
//!
//! - entries are merged in order into an empty object; an entry that is "falsy" in JavaScript
//!   (`null`, `false`, `0`, `""`) is skipped, any other non-mapping (a list, `true`, a string, a
//!   number) is the error `LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT`;
//! - the merge is deep: mappings key by key, lists item by item (a later shorter list keeps the
//!   earlier list's tail), anything else (including `null`) replaces what was there;
//! - the keys `__proto__`, `prototype` and `constructor` are dropped at any depth of a merged list
//!   (osls's merge refuses them to avoid prototype pollution).

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

const CODE: &str = "LEGACY_CONFIGURATION_PROPERTY_MERGE_INVALID_INPUT";

/// Replaces a list-valued top-level `resources` / `functions` with the merge of its entries.
/// Errors carry the property path of the offending entry (`resources.1`) but no location: the
/// caller adds it with [`locate_error`].
pub(crate) fn merge_arrays(value: &mut Value) -> Result<()> {
    let Some(root) = value.as_object_mut() else {
        return Ok(());
    };
    for key in ["resources", "functions"] {
        let Some(Value::Array(entries)) = root.get(key) else {
            continue;
        };
        let mut merged = Map::new();
        for (index, entry) in entries.iter().enumerate() {
            match entry {
                Value::Object(fragment) => merge_object(&mut merged, fragment),
                // osls's `if (value)` skips JavaScript's falsy values.
                entry if !super::js_truthy(entry) => {}
                other => {
                    return Err(Error::Config {
                        code: CODE,
                        message: format!(
                            "Non-object value specified in {key} array: {} (at \"{key}.{index}\")",
                            inspect(other, 0)
                        ),
                        path: Some(format!("{key}.{index}")),
                        location: None,
                    })
                }
            }
        }
        root.insert(key.to_string(), Value::Object(merged));
    }
    Ok(())
}

/// Gives a merge error the line of the list entry it is about (`resources.1` -> the second `-` item
/// under the top-level `resources:`), or of the `resources:` key when the entries cannot be told
/// apart (flow style, JSON, JavaScript configurations).
pub(crate) fn locate_error(err: Error, file: &Path, source: &str) -> Error {
    match err {
        Error::Config {
            code,
            message,
            path: Some(path),
            location: None,
        } => {
            let position = path
                .split_once('.')
                .and_then(|(key, index)| Some((key, index.parse().ok()?)))
                .and_then(|(key, index)| locate_item(source, key, index))
                .or_else(|| crate::source::locate_path(source, &path));
            Error::Config {
                code,
                message,
                location: position
                    .map(|(line, column)| crate::source::location(file, source, line, column)),
                path: Some(path),
            }
        }
        other => other,
    }
}

/// The 1-based line and column of the `index`-th item of the block sequence under the top-level
/// `key:`. A position finder for errors only; the values come from the real parser.
fn locate_item(source: &str, key: &str, index: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines.iter().position(|l| {
        !l.starts_with([' ', '\t'])
            && l.contains(':')
            && l.split(':')
                .next()
                .map(|k| k.trim().trim_matches(['"', '\'']))
                == Some(key)
    })?;
    let mut item_indent = None;
    let mut seen = 0;
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ") || trimmed.starts_with("-\t");
        // A sequence under a top-level key may start at column 1 (`resources:\n- x`); any other
        // line at column 1 is the next top-level key.
        if indent == 0 && !is_item {
            return None;
        }
        let block = *item_indent.get_or_insert(indent);
        if indent < block {
            return None;
        }
        if indent == block && is_item {
            if seen == index {
                return Some((i + 1, indent + 1));
            }
            seen += 1;
        }
    }
    None
}

fn is_unsafe_key(key: &str) -> bool {
    matches!(key, "__proto__" | "prototype" | "constructor")
}

/// Deep merge of `source` into `target`, key by key.
fn merge_object(target: &mut Map<String, Value>, source: &Map<String, Value>) {
    for (key, value) in source {
        if is_unsafe_key(key) {
            continue;
        }
        match (target.get_mut(key), value) {
            (Some(Value::Object(t)), Value::Object(s)) => merge_object(t, s),
            (Some(Value::Array(t)), Value::Array(s)) => merge_list(t, s),
            _ => {
                target.insert(key.clone(), cleaned(value));
            }
        }
    }
}

/// Item by item: items present in both are merged like values of the same key, the target's items
/// past the source's end stay, the source's items past the target's end are appended.
fn merge_list(target: &mut Vec<Value>, source: &[Value]) {
    for (index, value) in source.iter().enumerate() {
        match (target.get_mut(index), value) {
            (Some(Value::Object(t)), Value::Object(s)) => merge_object(t, s),
            (Some(Value::Array(t)), Value::Array(s)) => merge_list(t, s),
            (Some(slot), _) => *slot = cleaned(value),
            (None, _) => target.push(cleaned(value)),
        }
    }
}

/// A copy of a value without the unsafe keys (osls clones every merged branch the same way).
fn cleaned(value: &Value) -> Value {
    match value {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !is_unsafe_key(k))
                .map(|(k, v)| (k.clone(), cleaned(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(cleaned).collect()),
        other => other.clone(),
    }
}

/// The value as Node's `util.inspect` shows it on one line (osls puts it in the message): strings
/// single-quoted, lists `[ a, b ]`, mappings `{ key: value }`, nested beyond two levels elided.
fn inspect(value: &Value, depth: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Value::String(s) => quote(s),
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Array(_) if depth > 2 => "[Array]".into(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|v| inspect(v, depth + 1)).collect();
            format!("[ {} ]", items.join(", "))
        }
        Value::Object(o) if o.is_empty() => "{}".into(),
        Value::Object(_) if depth > 2 => "[Object]".into(),
        Value::Object(o) => {
            let items: Vec<String> = o
                .iter()
                .map(|(k, v)| {
                    let plain = k
                        .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
                        && k.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
                    let key = if plain { k.clone() } else { quote(k) };
                    format!("{key}: {}", inspect(v, depth + 1))
                })
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// Node's choice of quotes: single, or double when the text holds a single quote, or backticks
/// when it holds both.
fn quote(s: &str) -> String {
    let q = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
