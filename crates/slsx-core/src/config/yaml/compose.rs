//! Nodes and documents as js-yaml composes them: node properties (tags, anchors), aliases, the choice
//! between block, flow and scalar readers by indentation, type resolution, directives and documents.

use serde_json::Value;

use super::state::{
    is_flow_indicator, is_white_space, is_ws_or_eol, Anchored, Kind, Snapshot, Special, State,
};
use super::types::{construct_explicit, resolve_implicit, TagError, MERGE_TAG};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// js-yaml's `maxDepth`.
const MAX_DEPTH: usize = 100;
/// Nodes that aliases may copy in one text: far above any real configuration, low enough that a
/// text of nested aliases (a "billion laughs") is refused instead of filling the memory.
const MAX_ALIAS_NODES: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    FlowIn,
    FlowOut,
    BlockIn,
    BlockOut,
}

/// A document and the 1-based line where it starts.
pub(super) struct Document {
    pub value: Value,
    pub line: usize,
}

fn node_count(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(node_count).sum::<usize>(),
        _ => 1,
    }
}

impl State<'_> {
    fn store_anchor(&mut self, name: &str, value: Anchored) {
        if let Some(transaction) = self.transactions.last_mut() {
            if !transaction.iter().any(|(n, _)| n == name) {
                transaction.push((name.to_string(), self.anchors.get(name).cloned()));
            }
        }
        self.anchors.insert(name.to_string(), value);
    }

    /// Marks an anchor whose collection is being read.
    pub(super) fn store_pending(&mut self, name: &str) {
        self.store_anchor(name, Anchored::Pending);
    }

    fn store_result_anchor(&mut self) {
        if let Some(name) = self.anchor.clone() {
            let size = node_count(&self.result);
            self.store_anchor(
                &name,
                Anchored::Done(self.result.clone(), self.special, size),
            );
        }
    }

    fn commit_transaction(&mut self) {
        let Some(done) = self.transactions.pop() else {
            return;
        };
        if let Some(parent) = self.transactions.last_mut() {
            for (name, previous) in done {
                if !parent.iter().any(|(n, _)| *n == name) {
                    parent.push((name, previous));
                }
            }
        }
    }

    fn rollback_transaction(&mut self) {
        let Some(done) = self.transactions.pop() else {
            return;
        };
        for (name, previous) in done.into_iter().rev() {
            match previous {
                Some(value) => self.anchors.insert(name, value),
                None => self.anchors.remove(&name),
            };
        }
    }

    fn read_tag_property(&mut self) -> R<bool> {
        if self.ch() != b'!' {
            return Ok(false);
        }
        if self.tag.is_some() {
            return Err(self.error("duplication of a tag property"));
        }
        let mut ch = self.advance();
        let mut is_verbatim = false;
        let mut is_named = false;
        let mut handle = "!".to_string();
        if ch == b'<' {
            is_verbatim = true;
            ch = self.advance();
        } else if ch == b'!' {
            is_named = true;
            handle = "!!".into();
            ch = self.advance();
        }
        let mut start = self.position;
        let name;
        if is_verbatim {
            loop {
                ch = self.advance();
                if ch == 0 || ch == b'>' {
                    break;
                }
            }
            if self.position >= self.input.len() {
                return Err(self.error("unexpected end of the stream within a verbatim tag"));
            }
            name = self.slice(start, self.position).into_owned();
            self.position += 1;
        } else {
            while ch != 0 && !is_ws_or_eol(ch) {
                if ch == b'!' {
                    if is_named {
                        return Err(self.error("tag suffix cannot contain exclamation marks"));
                    }
                    handle = self.slice(start - 1, self.position + 1).into_owned();
                    if !is_tag_handle(&handle) {
                        return Err(self.error("named tag handle cannot contain such characters"));
                    }
                    is_named = true;
                    start = self.position + 1;
                }
                ch = self.advance();
            }
            name = self.slice(start, self.position).into_owned();
            if name.bytes().any(is_flow_indicator) {
                return Err(self.error("tag suffix cannot contain flow indicator characters"));
            }
        }
        if !name.is_empty() && !is_tag_uri(&name) {
            return Err(self.error(format!("tag name cannot contain such characters: {name}")));
        }
        let Some(name) = percent_decode(&name) else {
            return Err(self.error(format!("tag name is malformed: {name}")));
        };
        self.tag = Some(if is_verbatim {
            name
        } else if let Some(prefix) = self.tag_map.get(&handle) {
            format!("{prefix}{name}")
        } else if handle == "!" {
            format!("!{name}")
        } else if handle == "!!" {
            format!("tag:yaml.org,2002:{name}")
        } else {
            return Err(self.error(format!("undeclared tag handle \"{handle}\"")));
        });
        Ok(true)
    }

    /// `&name` or `*name`: the name runs to a blank, a line break or a flow indicator.
    fn read_name(&mut self, what: &str) -> R<String> {
        let start = self.position;
        let mut ch = self.ch();
        while ch != 0 && !is_ws_or_eol(ch) && !is_flow_indicator(ch) {
            ch = self.advance();
        }
        if self.position == start {
            return Err(self.error(format!(
                "name of an {what} node must contain at least one character"
            )));
        }
        Ok(self.slice(start, self.position).into_owned())
    }

    fn read_anchor_property(&mut self) -> R<bool> {
        if self.ch() != b'&' {
            return Ok(false);
        }
        if self.anchor.is_some() {
            return Err(self.error("duplication of an anchor property"));
        }
        self.position += 1;
        self.anchor = Some(self.read_name("anchor")?);
        Ok(true)
    }

    fn read_alias(&mut self) -> R<bool> {
        if self.ch() != b'*' {
            return Ok(false);
        }
        self.position += 1;
        let name = self.read_name("alias")?;
        match self.anchors.get(&name) {
            None => return Err(self.error(format!("unidentified alias \"{name}\""))),
            Some(Anchored::Pending) => {
                return Err(self.error(format!(
                    "alias \"*{name}\" is inside the node it refers to: a circular structure, which osls cannot turn into JSON either"
                )))
            }
            Some(Anchored::Done(value, special, size)) => {
                self.alias_nodes += size;
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.error(format!(
                        "aliases copy more than {MAX_ALIAS_NODES} nodes (nested aliases that multiply)"
                    )));
                }
                self.result = value.clone();
                self.special = *special;
            }
        }
        self.skip_separation_space(true);
        Ok(true)
    }

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
                            self.tag = Some("?".into());
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
                self.tag = Some(if r.tag == MERGE_TAG {
                    MERGE_TAG.to_string()
                } else {
                    format!("tag:yaml.org,2002:{}", r.tag)
                });
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

/// `!`, `!!` or `!word!`.
fn is_tag_handle(s: &str) -> bool {
    s == "!"
        || s == "!!"
        || (s.len() > 2
            && s.starts_with('!')
            && s.ends_with('!')
            && s[1..s.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// js-yaml's tag URI pattern: a first character that is not a flow indicator, then `%XX` escapes or
/// URI characters.
fn is_tag_uri(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(',' | '[' | ']' | '{' | '}') | None => return false,
        Some(_) => {}
    }
    let rest = chars.as_str().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        if b == b'%' {
            if i + 2 < rest.len()
                && rest[i + 1].is_ascii_hexdigit()
                && rest[i + 2].is_ascii_hexdigit()
            {
                i += 3;
                continue;
            }
            return false;
        }
        if !(b.is_ascii_alphanumeric() || b"-#;/?:@&=+$,_.!~*'()[]".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

/// `decodeURIComponent`: `%XX` escapes as UTF-8; `None` when malformed.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl State<'_> {
    fn read_directive(&mut self, version_seen: &mut bool) -> R<()> {
        let mut ch = self.advance();
        let start = self.position;
        while ch != 0 && !is_ws_or_eol(ch) {
            ch = self.advance();
        }
        let name = self.slice(start, self.position).into_owned();
        if name.is_empty() {
            return Err(self.error("directive name must not be less than one character in length"));
        }
        let mut args = Vec::new();
        while ch != 0 {
            while is_white_space(ch) {
                ch = self.advance();
            }
            if ch == b'#' {
                while ch != 0 && ch != b'\n' && ch != b'\r' {
                    ch = self.advance();
                }
                break;
            }
            if ch == b'\n' || ch == b'\r' {
                break;
            }
            let start = self.position;
            while ch != 0 && !is_ws_or_eol(ch) {
                ch = self.advance();
            }
            args.push(self.slice(start, self.position).into_owned());
        }
        if ch != 0 {
            self.read_line_break()?;
        }
        match name.as_str() {
            "YAML" => {
                if *version_seen {
                    return Err(self.error("duplication of %YAML directive"));
                }
                if args.len() != 1 {
                    return Err(self.error("YAML directive accepts exactly one argument"));
                }
                let major = match args[0].split_once('.') {
                    Some((major, minor))
                        if !major.is_empty()
                            && !minor.is_empty()
                            && major
                                .bytes()
                                .chain(minor.bytes())
                                .all(|b| b.is_ascii_digit()) =>
                    {
                        major.parse::<u64>().unwrap_or(u64::MAX)
                    }
                    _ => return Err(self.error("ill-formed argument of the YAML directive")),
                };
                if major != 1 {
                    return Err(self.error("unacceptable YAML version of the document"));
                }
                *version_seen = true;
            }
            "TAG" => {
                if args.len() != 2 {
                    return Err(self.error("TAG directive accepts exactly two arguments"));
                }
                let (handle, prefix) = (&args[0], &args[1]);
                if !is_tag_handle(handle) {
                    return Err(
                        self.error("ill-formed tag handle (first argument) of the TAG directive")
                    );
                }
                if self.tag_map.contains_key(handle) {
                    return Err(self.error(format!(
                        "there is a previously declared suffix for \"{handle}\" tag handle"
                    )));
                }
                if !is_tag_uri(prefix) {
                    return Err(
                        self.error("ill-formed tag prefix (second argument) of the TAG directive")
                    );
                }
                let Some(decoded) = percent_decode(prefix) else {
                    return Err(self.error(format!("tag prefix is malformed: {prefix}")));
                };
                self.tag_map.insert(handle.clone(), decoded);
            }
            // js-yaml only warns about other directives.
            _ => {}
        }
        Ok(())
    }

    fn read_document(&mut self) -> R<Document> {
        let mut has_directives = false;
        let mut version_seen = false;
        self.tag_map.clear();
        self.anchors.clear();
        while self.ch() != 0 {
            self.skip_separation_space(true);
            if self.line_indent > 0 || self.ch() != b'%' {
                break;
            }
            has_directives = true;
            self.read_directive(&mut version_seen)?;
        }
        self.skip_separation_space(true);
        let line = self.line + 1;
        if self.line_indent == 0
            && self.ch() == b'-'
            && self.at(self.position + 1) == b'-'
            && self.at(self.position + 2) == b'-'
        {
            self.position += 3;
            self.skip_separation_space(true);
        } else if has_directives {
            return Err(self.error("directives end mark is expected"));
        }
        self.compose_node(self.line_indent - 1, Context::BlockOut, false, true)?;
        self.skip_separation_space(true);
        let value = std::mem::take(&mut self.result);
        if self.position == self.line_start && self.test_document_separator() {
            if self.ch() == b'.' {
                self.position += 3;
                self.skip_separation_space(true);
            }
        } else if self.position + 1 < self.input.len() {
            return Err(self.error("end of the stream or a document separator is expected"));
        }
        Ok(Document { value, line })
    }
}

/// Every document of the text, as js-yaml's `loadAll` reads them.
pub(super) fn load_documents(source: &str) -> R<Vec<Document>> {
    if source.is_empty() {
        return Ok(Vec::new());
    }
    let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    let mut text = String::with_capacity(source.len() + 1);
    text.push_str(source);
    if !text.ends_with(['\n', '\r']) {
        text.push('\n');
    }
    let input = text.as_bytes();
    let mut state = State::new(input);
    if let Some(nul) = input.iter().position(|&b| b == 0) {
        // Point at the real line (js-yaml says line 1).
        let mut probe = State::new(input);
        probe.line = input[..nul].iter().filter(|&&b| b == b'\n').count();
        probe.line_start = input[..nul]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        probe.position = nul;
        return Err(probe.error("null byte is not allowed in input"));
    }
    while state.ch() == b' ' {
        state.line_indent += 1;
        state.position += 1;
    }
    let mut documents = Vec::new();
    while state.position + 1 < input.len() {
        documents.push(state.read_document()?);
    }
    Ok(documents)
}
