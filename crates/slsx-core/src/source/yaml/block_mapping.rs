//! Block mappings as js-yaml reads them: implicit entries (`key: value`, the key a one-line flow-style
//! node) and explicit ones (`? key` then `: value`).

use serde_json::Value;

use super::compose::Context;
use super::pairs::{Key, Mapping, Mark};
use super::state::{is_white_space, is_ws_or_eol, Kind, Special, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// A block mapping being read.
#[derive(Default)]
struct Entries {
    mapping: Mapping,
    /// The key waiting for its value, and where its entry started.
    key: Key,
    mark: Mark,
    /// After `? key`, until its `: value`.
    at_explicit_key: bool,
    /// An entry was read: this is a mapping.
    detected: bool,
}

/// What the node at an implicit entry's place turned out to be.
enum Implicit {
    /// A key and its `:`: the value follows.
    Key,
    /// No node: the mapping ends.
    Nothing,
    /// A node that is no key (on one line with no `:` after it, before any entry): the node itself.
    NotAMapping,
}

impl State<'_> {
    pub(super) fn read_block_mapping(&mut self, node_indent: i64, flow_indent: i64) -> R<bool> {
        if self.first_tab_in_line.is_some() {
            return Ok(false);
        }
        let (tag, anchor) = (self.tag.clone(), self.anchor.clone());
        if let Some(a) = &anchor {
            self.store_pending(a);
        }
        let mut e = Entries::default();
        while self.ch() != 0 {
            if let (false, Some(tab)) = (e.at_explicit_key, self.first_tab_in_line) {
                self.position = tab;
                return Err(self.error("tab characters must not be used in indentation"));
            }
            let (ch, following) = (self.ch(), self.at(self.position + 1));
            let line = self.line;
            let allow_compact = if (ch == b'?' || ch == b':') && is_ws_or_eol(following) {
                self.explicit_indicator(&mut e, ch == b'?')?;
                self.position += 1;
                true
            } else {
                match self.implicit_key(&mut e, flow_indent, line)? {
                    Implicit::Key => false,
                    Implicit::Nothing => break,
                    Implicit::NotAMapping => {
                        // Keep the node just composed.
                        self.tag = tag;
                        self.anchor = anchor;
                        return Ok(true);
                    }
                }
            };
            if self.line == line || self.line_indent > node_indent {
                self.entry_value(&mut e, node_indent, allow_compact)?;
            }
            if (self.line == line || self.line_indent > node_indent) && self.ch() != 0 {
                return Err(self.error("bad indentation of a mapping entry"));
            } else if self.line_indent < node_indent {
                break;
            }
        }
        // A last explicit key with no value.
        if e.at_explicit_key {
            self.store_pair(&mut e.mapping, &e.key, e.mark, Value::Null)?;
        }
        if e.detected {
            self.tag = tag;
            self.anchor = anchor;
            self.kind = Some(Kind::Mapping);
            self.result = Value::Object(e.mapping.map);
            self.special = Special::None;
        }
        Ok(e.detected)
    }

    /// `?` (a key follows; a pending explicit key has no value) or `:` after an explicit key.
    fn explicit_indicator(&mut self, e: &mut Entries, question: bool) -> R<()> {
        if question {
            if e.at_explicit_key {
                self.store_pair(&mut e.mapping, &e.key, e.mark, Value::Null)?;
                e.key = Key::default();
            }
            e.detected = true;
            e.at_explicit_key = true;
        } else if e.at_explicit_key {
            e.at_explicit_key = false;
        } else {
            return Err(self.error("incomplete explicit mapping pair; a key node is missed; or followed by a non-tabulated empty line"));
        }
        Ok(())
    }

    /// A flow-style node on the entry's line, then `:` and a space.
    fn implicit_key(&mut self, e: &mut Entries, flow_indent: i64, line: usize) -> R<Implicit> {
        e.mark = Mark::at(self);
        if !self.compose_node(flow_indent, Context::FlowOut, false, true)? {
            return Ok(Implicit::Nothing);
        }
        if self.line != line {
            if e.detected {
                return Err(self.error("can not read a block mapping entry; a multiline key may not be an implicit key"));
            }
            return Ok(Implicit::NotAMapping);
        }
        let mut ch = self.ch();
        while is_white_space(ch) {
            ch = self.advance();
        }
        if ch != b':' {
            if e.detected {
                return Err(self.error("can not read an implicit mapping pair; a colon is missed"));
            }
            return Ok(Implicit::NotAMapping);
        }
        if !is_ws_or_eol(self.advance()) {
            return Err(self.error("a whitespace character is expected after the key-value separator within a block mapping"));
        }
        if e.at_explicit_key {
            self.store_pair(&mut e.mapping, &e.key, e.mark, Value::Null)?;
        }
        e.detected = true;
        e.at_explicit_key = false;
        e.key = Key::default();
        e.key.take_node(self);
        Ok(Implicit::Key)
    }

    /// The node after `? ` (the key) or after `key: ` (the value, then the pair is stored).
    fn entry_value(&mut self, e: &mut Entries, node_indent: i64, allow_compact: bool) -> R<()> {
        if e.at_explicit_key {
            e.mark = Mark::at(self);
        }
        let mut value = Value::Null;
        if self.compose_node(node_indent, Context::BlockOut, true, allow_compact)? {
            if e.at_explicit_key {
                e.key.take_value(self);
            } else {
                value = std::mem::take(&mut self.result);
            }
        }
        if !e.at_explicit_key {
            let key = std::mem::take(&mut e.key);
            self.store_pair(&mut e.mapping, &key, e.mark, value)?;
        }
        self.skip_separation_space(true);
        Ok(())
    }
}
