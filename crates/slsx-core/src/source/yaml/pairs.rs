//! How js-yaml stores a key/value pair of a mapping: keys made strings as JavaScript does
//! (`String(key)`), duplicates refused, `<<` merge keys copied in (and overridable by later keys).

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::number::js_number_string;
use super::state::{Special, State};
use super::types::MERGE_TAG;
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// js-yaml's limits on merge keys.
const MAX_MERGE_SEQUENCE: usize = 100;
const MAX_TOTAL_MERGE_KEYS: usize = 10_000;

/// A composed key node: its tag and value.
#[derive(Default)]
pub(super) struct Key {
    tag: Option<Cow<'static, str>>,
    pub value: Value,
    special: Special,
}

impl Key {
    pub fn take_node(&mut self, state: &mut State) {
        self.tag = state.tag.clone();
        self.take_value(state);
    }

    /// An explicit key (`? key`) keeps no tag in js-yaml: `? <<` is a plain `<<` key, not a merge.
    pub fn take_value(&mut self, state: &mut State) {
        self.value = std::mem::take(&mut state.result);
        self.special = state.special;
    }
}

/// Where js-yaml last noted a key's start: the duplicate-key error points there. It is not always the
/// key being stored (js-yaml moves it when it tries the next entry), and a zero is "unset" (the current
/// position is used), as in js-yaml.
#[derive(Default, Clone, Copy)]
pub(super) struct Mark {
    pub line: usize,
    line_start: usize,
    position: usize,
}

impl Mark {
    pub fn at(state: &State) -> Mark {
        Mark {
            line: state.line,
            line_start: state.line_start,
            position: state.position,
        }
    }
}

/// A mapping being built, and the keys a `<<` merge put there (a later key may override those).
#[derive(Default)]
pub(super) struct Mapping {
    pub map: Map<String, Value>,
    overridable: HashSet<String>,
}

impl State<'_> {
    pub(super) fn store_pair(
        &mut self,
        out: &mut Mapping,
        key: &Key,
        mark: Mark,
        value: Value,
    ) -> R<()> {
        if key.tag.as_deref() == Some(MERGE_TAG) {
            match value {
                Value::Array(items) => {
                    if items.len() > MAX_MERGE_SEQUENCE {
                        return Err(self.error("abnormal merge sequence size"));
                    }
                    for item in items {
                        self.merge(out, item)?;
                    }
                }
                other => self.merge(out, other)?,
            }
            return Ok(());
        }
        let name = self.key_string(key)?;
        if out.map.contains_key(&name)
            && (out.overridable.is_empty() || !out.overridable.contains(&name))
        {
            if mark.line != 0 {
                self.line = mark.line;
            }
            if mark.line_start != 0 {
                self.line_start = mark.line_start;
            }
            if mark.position != 0 {
                self.position = mark.position;
            }
            return Err(self.error("duplicated mapping key"));
        }
        if !out.overridable.is_empty() {
            out.overridable.remove(&name);
        }
        out.map.insert(name, value);
        Ok(())
    }

    /// Copies the keys of a `<<` source the mapping does not have yet.
    fn merge(&mut self, out: &mut Mapping, source: Value) -> R<()> {
        let entries: Vec<(String, Value)> = match source {
            Value::Object(m) => m.into_iter().collect(),
            // A JavaScript array is an object keyed by index.
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => {
                return Err(
                    self.error("cannot merge mappings; the provided source object is unacceptable")
                )
            }
        };
        self.charge_merge(1 + entries.len())?;
        for (k, v) in entries {
            if !out.map.contains_key(&k) {
                out.overridable.insert(k.clone());
                out.map.insert(k, v);
            }
        }
        Ok(())
    }

    fn charge_merge(&mut self, n: usize) -> R<()> {
        self.total_merge_keys += n;
        if self.total_merge_keys > MAX_TOTAL_MERGE_KEYS {
            return Err(self.error(format!(
                "merge keys exceeded maxTotalMergeKeys ({MAX_TOTAL_MERGE_KEYS})"
            )));
        }
        Ok(())
    }

    /// JavaScript's `String(key)`: `null`, `true`, `1.5`, `Infinity`, `a,b` for a sequence.
    fn key_string(&self, key: &Key) -> R<String> {
        match key.special {
            Special::NonFinite(v) => return Ok(js_number_string(v)),
            Special::Date => {
                return Err(self.error(
                    "a !!timestamp mapping key is not supported by slsx (JavaScript would make it a local-time text)",
                ))
            }
            Special::Binary | Special::None => {}
        }
        Ok(match &key.value {
            Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(match item {
                        Value::Array(_) => {
                            return Err(self.error("nested arrays are not supported inside keys"))
                        }
                        Value::Null => String::new(),
                        other => scalar_string(other),
                    });
                }
                parts.join(",")
            }
            Value::Object(_) if key.special == Special::Binary => key
                .value
                .as_object()
                .map(|m| m.values().map(scalar_string).collect::<Vec<_>>().join(","))
                .unwrap_or_default(),
            other => scalar_string(other),
        })
    }
}

/// `String(x)` of a JSON scalar (objects are `[object Object]`).
fn scalar_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => "[object Object]".into(),
    }
}
