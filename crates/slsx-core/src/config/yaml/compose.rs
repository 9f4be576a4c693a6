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
        let allow_block_scalars = allow_block_styles;
        let mut allow_block_collections = allow_block_styles;
        // 1: deeper than the parent, 0: same, -1: less.
        let mut indent_status = 1;
        let mut at_new_line = false;
        let mut has_content = false;
        let mut property_start: Option<Snapshot> = None;
        let status = |line_indent: i64| (line_indent - parent_indent).signum();

        if allow_to_seek && self.skip_separation_space(true) > 0 {
            at_new_line = true;
            indent_status = status(self.line_indent);
        }
        if indent_status == 1 {
            loop {
                let ch = self.ch();
                if ch != b'!' && ch != b'&' {
                    break;
                }
                // A second tag or anchor after a line break starts the first key of a nested mapping.
                if at_new_line
                    && ((ch == b'!' && self.tag.is_some()) || (ch == b'&' && self.anchor.is_some()))
                {
                    break;
                }
                let before = property_start.is_none().then(|| self.snapshot());
                if !self.read_tag_property()? && !self.read_anchor_property()? {
                    break;
                }
                if let Some(s) = before {
                    property_start = Some(s);
                }
                if self.skip_separation_space(true) > 0 {
                    at_new_line = true;
                    allow_block_collections = allow_block_styles;
                    indent_status = status(self.line_indent);
                } else {
                    allow_block_collections = false;
                }
            }
        }
        if allow_block_collections {
            allow_block_collections = at_new_line || allow_compact;
        }
        if indent_status == 1 || context == Context::BlockOut {
            let flow_indent = if matches!(context, Context::FlowIn | Context::FlowOut) {
                parent_indent
            } else {
                parent_indent + 1
            };
            let block_indent = self.column_of(self.position) as i64;
            if indent_status == 1 {
                if (allow_block_collections
                    && (self.read_block_sequence(block_indent)?
                        || self.read_block_mapping(block_indent, flow_indent)?))
                    || self.read_flow_collection(flow_indent)?
                {
                    has_content = true;
                } else {
                    let ch = self.ch();
                    let from_property = match property_start.take() {
                        Some(start)
                            if allow_block_styles
                                && !allow_block_collections
                                && ch != b'|'
                                && ch != b'>' =>
                        {
                            self.try_block_mapping_from_property(start, flow_indent)?
                        }
                        _ => false,
                    };
                    if from_property
                        || (allow_block_scalars && self.read_block_scalar(flow_indent)?)
                        || self.read_single_quoted_scalar()?
                        || self.read_double_quoted_scalar()?
                    {
                        has_content = true;
                    } else if self.read_alias()? {
                        has_content = true;
                        if self.tag.is_some() || self.anchor.is_some() {
                            return Err(self.error("alias node should not have any properties"));
                        }
                    } else if self.read_plain_scalar(flow_indent, context == Context::FlowIn)? {
                        has_content = true;
                        if self.tag.is_none() {
                            self.tag = Some(Cow::Borrowed("?"));
                        }
                    }
                }
            } else if indent_status == 0 {
                // Block sequences may have the indentation of their parent mapping.
                has_content = allow_block_collections && self.read_block_sequence(block_indent)?;
            }
        }
        self.resolve_tag()?;
        self.store_result_anchor();
        self.depth -= 1;
        Ok(self.tag.is_some() || self.anchor.is_some() || has_content)
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
