//! Nodes as js-yaml composes them: properties first, then the choice between block, flow and scalar
//! readers by indentation and context, then the node's type (implicit for plain scalars, or its tag).

use std::borrow::Cow;

use serde_json::Value;

use super::state::{Kind, Snapshot, Special, State};
use super::types::{construct_explicit, resolve_implicit, TagError};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// js-yaml's `maxDepth`.
const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    FlowIn,
    FlowOut,
    BlockIn,
    BlockOut,
}

/// Where a node being composed stands, as its properties leave it.
struct Place {
    parent_indent: i64,
    /// In a block context: block scalars and collections may start here.
    allow_block_styles: bool,
    allow_block_collections: bool,
    /// 1: deeper than the parent, 0: same, -1: less.
    indent_status: i64,
    at_new_line: bool,
    /// Where the first property started (a block mapping's first key may start there).
    property_start: Option<Snapshot>,
}

impl Place {
    fn status(&self, line_indent: i64) -> i64 {
        (line_indent - self.parent_indent).signum()
    }
}

impl State<'_> {
    /// `&a key: value` on one line: the properties belong to the first key of a block mapping.
    fn try_block_mapping_from_property(&mut self, start: Snapshot, flow_indent: i64) -> R<bool> {
        let node_indent = start.column(self.input);
        let fallback = self.snapshot();
        self.transactions.push(Vec::new());
        self.restore(start);
        self.tag = None;
        self.anchor = None;
        self.kind = None;
        self.result = Value::Null;
        self.special = Special::None;
        if self.read_block_mapping(node_indent, flow_indent)? && self.kind == Some(Kind::Mapping) {
            self.commit_transaction();
            return Ok(true);
        }
        self.rollback_transaction();
        self.restore(fallback);
        Ok(false)
    }

    /// Composes one node into `self.result`; false when there was none (no content, tag or anchor).
    pub(super) fn compose_node(
        &mut self,
        parent_indent: i64,
        context: Context,
        allow_to_seek: bool,
        allow_compact: bool,
    ) -> R<bool> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("nesting exceeded maxDepth ({MAX_DEPTH})")));
        }
        self.depth += 1;
        self.tag = None;
        self.anchor = None;
        self.kind = None;
        self.result = Value::Null;
        self.special = Special::None;
        let allow_block_styles = matches!(context, Context::BlockOut | Context::BlockIn);
        let mut place = Place {
            parent_indent,
            allow_block_styles,
            allow_block_collections: allow_block_styles,
            indent_status: 1,
            at_new_line: false,
            property_start: None,
        };
        if allow_to_seek && self.skip_separation_space(true) > 0 {
            place.at_new_line = true;
            place.indent_status = place.status(self.line_indent);
        }
        if place.indent_status == 1 {
            self.read_properties(&mut place)?;
        }
        if place.allow_block_collections {
            place.allow_block_collections = place.at_new_line || allow_compact;
        }
        let mut has_content = false;
        if place.indent_status == 1 || context == Context::BlockOut {
            let flow_indent = if matches!(context, Context::FlowIn | Context::FlowOut) {
                parent_indent
            } else {
                parent_indent + 1
            };
            let block_indent = self.column_of(self.position) as i64;
            if place.indent_status == 1 {
                has_content =
                    self.compose_content(&mut place, context, flow_indent, block_indent)?;
            } else if place.indent_status == 0 {
                // Block sequences may have the indentation of their parent mapping.
                has_content =
                    place.allow_block_collections && self.read_block_sequence(block_indent)?;
            }
        }
        self.resolve_tag()?;
        self.store_result_anchor();
        self.depth -= 1;
        Ok(self.tag.is_some() || self.anchor.is_some() || has_content)
    }

    /// The node's tag and anchor (`!t &a`, in either order), each line break after them updating where
    /// the node stands.
    fn read_properties(&mut self, place: &mut Place) -> R<()> {
        loop {
            let ch = self.ch();
            if ch != b'!' && ch != b'&' {
                break;
            }
            // A second tag or anchor after a line break starts the first key of a nested mapping.
            if place.at_new_line
                && ((ch == b'!' && self.tag.is_some()) || (ch == b'&' && self.anchor.is_some()))
            {
                break;
            }
            let before = place.property_start.is_none().then(|| self.snapshot());
            if !self.read_tag_property()? && !self.read_anchor_property()? {
                break;
            }
            if let Some(s) = before {
                place.property_start = Some(s);
            }
            if self.skip_separation_space(true) > 0 {
                place.at_new_line = true;
                place.allow_block_collections = place.allow_block_styles;
                place.indent_status = place.status(self.line_indent);
            } else {
                place.allow_block_collections = false;
            }
        }
        Ok(())
    }

    /// The content of a node deeper than its parent: a block or flow collection, a block or quoted
    /// scalar, an alias, or a plain scalar (which gets the `?` tag: its type is implicit).
    fn compose_content(
        &mut self,
        place: &mut Place,
        context: Context,
        flow_indent: i64,
        block_indent: i64,
    ) -> R<bool> {
        if (place.allow_block_collections
            && (self.read_block_sequence(block_indent)?
                || self.read_block_mapping(block_indent, flow_indent)?))
            || self.read_flow_collection(flow_indent)?
        {
            return Ok(true);
        }
        let ch = self.ch();
        let from_property = match place.property_start.take() {
            Some(start)
                if place.allow_block_styles
                    && !place.allow_block_collections
                    && ch != b'|'
                    && ch != b'>' =>
            {
                self.try_block_mapping_from_property(start, flow_indent)?
            }
            _ => false,
        };
        if from_property
            || (place.allow_block_styles && self.read_block_scalar(flow_indent)?)
            || self.read_single_quoted_scalar()?
            || self.read_double_quoted_scalar()?
        {
            return Ok(true);
        }
        if self.read_alias()? {
            if self.tag.is_some() || self.anchor.is_some() {
                return Err(self.error("alias node should not have any properties"));
            }
            return Ok(true);
        }
        if self.read_plain_scalar(flow_indent, context == Context::FlowIn)? {
            if self.tag.is_none() {
                self.tag = Some(Cow::Borrowed("?"));
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Applies the node's tag: implicit types for plain scalars (`?`), explicit ones otherwise.
    fn resolve_tag(&mut self) -> R<()> {
        let Some(tag) = self.tag.clone() else {
            return Ok(());
        };
        if tag == "?" {
            if !self.result.is_null() && self.kind != Some(Kind::Scalar) {
                return Err(self.error(format!(
                    "unacceptable node kind for !<?> tag; it should be \"scalar\", not \"{}\"",
                    kind_name(self.kind)
                )));
            }
            if let Some(r) = resolve_implicit(self.result.as_str()) {
                self.result = r.value;
                self.special = r.special;
                self.tag = Some(Cow::Borrowed(r.tag));
            }
            return Ok(());
        }
        if tag == "!" {
            return Ok(());
        }
        let data = std::mem::take(&mut self.result);
        match construct_explicit(&tag, self.kind, data) {
            Ok((value, special)) => {
                self.result = value;
                self.special = special;
                Ok(())
            }
            Err(TagError::Unknown) => Err(self.error(format!("unknown tag !<{tag}>"))),
            Err(TagError::WrongKind(want)) => Err(self.error(format!(
                "unacceptable node kind for !<{tag}> tag; it should be \"{want}\", not \"{}\"",
                kind_name(self.kind)
            ))),
            Err(TagError::CannotResolve) => {
                Err(self.error(format!("cannot resolve a node with !<{tag}> explicit tag")))
            }
        }
    }
}

fn kind_name(kind: Option<Kind>) -> &'static str {
    match kind {
        Some(Kind::Scalar) => "scalar",
        Some(Kind::Sequence) => "sequence",
        Some(Kind::Mapping) => "mapping",
        None => "null",
    }
}
