//! Collections as js-yaml reads them: flow (`[…]`, `{…}`), block sequences and block mappings, and
//! how a key/value pair is stored (keys made strings as JavaScript does, duplicates refused, `<<`
//! merge keys copied in).

use std::borrow::Cow;
use std::collections::HashSet;

use serde_json::{Map, Value};

use super::compose::Context;
use super::number::js_number_string;
use super::state::{is_white_space, is_ws_or_eol, Kind, Special, State};
use super::types::MERGE_TAG;
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// js-yaml's limits on merge keys.
const MAX_MERGE_SEQUENCE: usize = 100;
const MAX_TOTAL_MERGE_KEYS: usize = 10_000;

/// A composed key node: its tag and value.
#[derive(Default)]
struct Key {
    tag: Option<Cow<'static, str>>,
    value: Value,
    special: Special,
}

impl Key {
    fn take_node(&mut self, state: &mut State) {
        self.tag = state.tag.clone();
        self.take_value(state);
    }

    /// An explicit key (`? key`) keeps no tag in js-yaml: `? <<` is a plain `<<` key, not a merge.
    fn take_value(&mut self, state: &mut State) {
        self.value = std::mem::take(&mut state.result);
        self.special = state.special;
    }
}

/// Where js-yaml last noted a key's start: the duplicate-key error points there. It is not always the
/// key being stored (js-yaml moves it when it tries the next entry), and a zero is "unset" (the current
/// position is used), as in js-yaml.
#[derive(Default, Clone, Copy)]
struct Mark {
    line: usize,
    line_start: usize,
    position: usize,
}

impl Mark {
    fn at(state: &State) -> Mark {
        Mark {
            line: state.line,
            line_start: state.line_start,
            position: state.position,
        }
    }
}

/// A mapping being built, and the keys a `<<` merge put there (a later key may override those).
#[derive(Default)]
struct Mapping {
    map: Map<String, Value>,
    overridable: HashSet<String>,
}

impl State<'_> {
    fn store_pair(&mut self, out: &mut Mapping, key: &Key, mark: Mark, value: Value) -> R<()> {
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

    pub(super) fn read_flow_collection(&mut self, node_indent: i64) -> R<bool> {
        let (terminator, is_mapping) = match self.ch() {
            b'[' => (b']', false),
            b'{' => (b'}', true),
            _ => return Ok(false),
        };
        let (tag, anchor) = (self.tag.clone(), self.anchor.clone());
        if let Some(a) = &anchor {
            self.store_pending(a);
        }
        let mut mapping = Mapping::default();
        let mut items = Vec::new();
        let mut read_next = true;
        let mut ch = self.advance();
        while ch != 0 {
            self.skip_separation_space(true);
            ch = self.ch();
            if ch == terminator {
                self.position += 1;
                self.tag = tag;
                self.anchor = anchor;
                self.special = Special::None;
                if is_mapping {
                    self.kind = Some(Kind::Mapping);
                    self.result = Value::Object(mapping.map);
                } else {
                    self.kind = Some(Kind::Sequence);
                    self.result = Value::Array(items);
                }
                return Ok(true);
            } else if !read_next {
                return Err(self.error("missed comma between flow collection entries"));
            } else if ch == b',' {
                return Err(self.error("expected the node content, but found ','"));
            }
            let mut is_pair = false;
            let mut is_explicit_pair = false;
            if ch == b'?' && is_ws_or_eol(self.at(self.position + 1)) {
                is_pair = true;
                is_explicit_pair = true;
                self.position += 1;
                self.skip_separation_space(true);
            }
            let mark = Mark::at(self);
            let mut key = Key::default();
            self.compose_node(node_indent, Context::FlowIn, false, true)?;
            key.take_node(self);
            self.skip_separation_space(true);
            let mut value = Value::Null;
            if (is_explicit_pair || self.line == mark.line) && self.ch() == b':' {
                is_pair = true;
                self.position += 1;
                self.skip_separation_space(true);
                self.compose_node(node_indent, Context::FlowIn, false, true)?;
                value = std::mem::take(&mut self.result);
            }
            if is_mapping {
                self.store_pair(&mut mapping, &key, mark, value)?;
            } else if is_pair {
                let mut pair = Mapping::default();
                self.store_pair(&mut pair, &key, mark, value)?;
                items.push(Value::Object(pair.map));
            } else {
                items.push(key.value);
            }
            self.skip_separation_space(true);
            ch = self.ch();
            if ch == b',' {
                read_next = true;
                ch = self.advance();
            } else {
                read_next = false;
            }
        }
        Err(self.error("unexpected end of the stream within a flow collection"))
    }

    pub(super) fn read_block_sequence(&mut self, node_indent: i64) -> R<bool> {
        // A tab before this token: not a block collection (it may still be a flow one or a scalar).
        if self.first_tab_in_line.is_some() {
            return Ok(false);
        }
        let (tag, anchor) = (self.tag.clone(), self.anchor.clone());
        if let Some(a) = &anchor {
            self.store_pending(a);
        }
        let mut items = Vec::new();
        let mut detected = false;
        let mut ch = self.ch();
        while ch != 0 {
            if let Some(tab) = self.first_tab_in_line {
                self.position = tab;
                return Err(self.error("tab characters must not be used in indentation"));
            }
            if ch != b'-' || !is_ws_or_eol(self.at(self.position + 1)) {
                break;
            }
            detected = true;
            self.position += 1;
            if self.skip_separation_space(true) > 0 && self.line_indent <= node_indent {
                items.push(Value::Null);
                ch = self.ch();
                continue;
            }
            let line = self.line;
            self.compose_node(node_indent, Context::BlockIn, false, true)?;
            items.push(std::mem::take(&mut self.result));
            self.skip_separation_space(true);
            ch = self.ch();
            if (self.line == line || self.line_indent > node_indent) && ch != 0 {
                return Err(self.error("bad indentation of a sequence entry"));
            } else if self.line_indent < node_indent {
                break;
            }
        }
        if !detected {
            return Ok(false);
        }
        self.tag = tag;
        self.anchor = anchor;
        self.kind = Some(Kind::Sequence);
        self.result = Value::Array(items);
        self.special = Special::None;
        Ok(true)
    }

    pub(super) fn read_block_mapping(&mut self, node_indent: i64, flow_indent: i64) -> R<bool> {
        if self.first_tab_in_line.is_some() {
            return Ok(false);
        }
        let (tag, anchor) = (self.tag.clone(), self.anchor.clone());
        if let Some(a) = &anchor {
            self.store_pending(a);
        }
        let mut mapping = Mapping::default();
        let mut key = Key::default();
        let mut mark = Mark::default();
        let mut value = Value::Null;
        let mut at_explicit_key = false;
        let mut detected = false;
        let mut allow_compact: bool;
        let mut ch = self.ch();
        while ch != 0 {
            if let (false, Some(tab)) = (at_explicit_key, self.first_tab_in_line) {
                self.position = tab;
                return Err(self.error("tab characters must not be used in indentation"));
            }
            let following = self.at(self.position + 1);
            let line = self.line;
            if (ch == b'?' || ch == b':') && is_ws_or_eol(following) {
                // Explicit notation: `? key` then `: value`.
                if ch == b'?' {
                    if at_explicit_key {
                        self.store_pair(&mut mapping, &key, mark, Value::Null)?;
                        key = Key::default();
                    }
                    detected = true;
                    at_explicit_key = true;
                    allow_compact = true;
                } else if at_explicit_key {
                    at_explicit_key = false;
                    allow_compact = true;
                } else {
                    return Err(self.error("incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line"));
                }
                self.position += 1;
                ch = following;
            } else {
                // Implicit notation: a flow-style node, then `:`.
                mark = Mark::at(self);
                if !self.compose_node(flow_indent, Context::FlowOut, false, true)? {
                    break;
                }
                if self.line != line {
                    if detected {
                        return Err(self.error("can not read a block mapping entry; a multiline key may not be an implicit key"));
                    }
                    // Not a mapping: keep the node just composed.
                    self.tag = tag;
                    self.anchor = anchor;
                    return Ok(true);
                }
                ch = self.ch();
                while is_white_space(ch) {
                    ch = self.advance();
                }
                if ch != b':' {
                    if detected {
                        return Err(
                            self.error("can not read an implicit mapping pair; a colon is missed")
                        );
                    }
                    self.tag = tag;
                    self.anchor = anchor;
                    return Ok(true);
                }
                ch = self.advance();
                if !is_ws_or_eol(ch) {
                    return Err(self.error("a whitespace character is expected after the key-value separator within a block mapping"));
                }
                if at_explicit_key {
                    self.store_pair(&mut mapping, &key, mark, Value::Null)?;
                }
                detected = true;
                at_explicit_key = false;
                allow_compact = false;
                key = Key::default();
                key.take_node(self);
            }
            if self.line == line || self.line_indent > node_indent {
                if at_explicit_key {
                    mark = Mark::at(self);
                }
                if self.compose_node(node_indent, Context::BlockOut, true, allow_compact)? {
                    if at_explicit_key {
                        key.take_value(self);
                    } else {
                        value = std::mem::take(&mut self.result);
                    }
                }
                if !at_explicit_key {
                    self.store_pair(&mut mapping, &key, mark, std::mem::take(&mut value))?;
                    key = Key::default();
                }
                self.skip_separation_space(true);
                ch = self.ch();
            }
            if (self.line == line || self.line_indent > node_indent) && ch != 0 {
                return Err(self.error("bad indentation of a mapping entry"));
            } else if self.line_indent < node_indent {
                break;
            }
        }
        // A last explicit key with no value.
        if at_explicit_key {
            self.store_pair(&mut mapping, &key, mark, Value::Null)?;
        }
        if detected {
            self.tag = tag;
            self.anchor = anchor;
            self.kind = Some(Kind::Mapping);
            self.result = Value::Object(mapping.map);
            self.special = Special::None;
        }
        Ok(detected)
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
