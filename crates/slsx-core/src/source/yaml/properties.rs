//! Node properties as js-yaml reads them: tags (`!Ref`, `!!str`, `!<verbatim>`, `%TAG` handles),
//! anchors (with the transactions a look-ahead can roll back) and aliases.

use std::borrow::Cow;

use serde_json::Value;

use super::state::{is_flow_indicator, is_ws_or_eol, Anchored, Special, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// Nodes that aliases may copy in one text: far above any real configuration, low enough that a
/// text of nested aliases (a "billion laughs") is refused instead of filling the memory.
const MAX_ALIAS_NODES: usize = 1_000_000;

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

    pub(super) fn store_result_anchor(&mut self) {
        if let Some(name) = self.anchor.clone() {
            let size = node_count(&self.result);
            self.store_anchor(
                &name,
                Anchored::Done(self.result.clone(), self.special, size),
            );
        }
    }

    pub(super) fn commit_transaction(&mut self) {
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

    pub(super) fn rollback_transaction(&mut self) {
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

    pub(super) fn read_tag_property(&mut self) -> R<bool> {
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
        self.tag = Some(Cow::Owned(if is_verbatim {
            name
        } else if let Some(prefix) = self.tag_map.get(&handle) {
            format!("{prefix}{name}")
        } else if handle == "!" {
            format!("!{name}")
        } else if handle == "!!" {
            format!("tag:yaml.org,2002:{name}")
        } else {
            return Err(self.error(format!("undeclared tag handle \"{handle}\"")));
        }));
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

    pub(super) fn read_anchor_property(&mut self) -> R<bool> {
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

    pub(super) fn read_alias(&mut self) -> R<bool> {
        if self.ch() != b'*' {
            return Ok(false);
        }
        self.position += 1;
        let name = self.read_name("alias")?;
        match self.anchors.get(&name) {
            None => return Err(self.error(format!("unidentified alias \"{name}\""))),
            Some(Anchored::Pending) => {
                if self.circular.is_none() {
                    self.circular = Some(self.error(format!(
                        "alias \"*{name}\" is inside the node it refers to: a circular structure, which osls cannot turn into JSON either"
                    )));
                }
                self.result = Value::Null;
                self.special = Special::None;
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
}

/// `!`, `!!` or `!word!`.
pub(super) fn is_tag_handle(s: &str) -> bool {
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
pub(super) fn is_tag_uri(s: &str) -> bool {
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
pub(super) fn percent_decode(s: &str) -> Option<String> {
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
