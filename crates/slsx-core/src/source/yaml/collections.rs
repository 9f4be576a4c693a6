//! Collections as js-yaml reads them: flow (`[…]`, `{…}`) and block sequences. Block mappings are in
//! `block_mapping`, how a pair is stored in `pairs`.

use serde_json::Value;

use super::compose::Context;
use super::pairs::{Key, Mapping, Mark};
use super::state::{is_ws_or_eol, Kind, Special, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

impl State<'_> {
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
}
