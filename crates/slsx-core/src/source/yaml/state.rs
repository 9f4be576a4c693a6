//! The reader's position and js-yaml's low-level steps: line breaks, separation space (where tabs are
//! noted, to refuse them later as indentation), document markers, errors with their position.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::YamlError;

/// What the node being composed is, as far as the explicit-tag checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Scalar,
    Sequence,
    Mapping,
}

/// A value js-yaml keeps that JSON cannot hold; it matters when the node is used as a mapping key
/// (`String(Infinity)` is `Infinity`) and is null (or an ISO string, or an object) in the result.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) enum Special {
    #[default]
    None,
    /// A number JSON cannot hold: ±Infinity or NaN.
    NonFinite(f64),
    /// A `!!timestamp` (a JS Date; its key form would be the local-time string).
    Date,
    /// A `!!binary` (a Uint8Array: its key form is the bytes joined by commas).
    Binary,
}

/// An anchor's value; `Pending` while its own collection is being read (an alias to it then would be a
/// circular structure, which osls cannot turn into JSON).
#[derive(Debug, Clone)]
pub(super) enum Anchored {
    Pending,
    Done(Value, Special, usize),
}

pub(super) struct State<'a> {
    pub input: &'a [u8],
    pub position: usize,
    /// 0-based line of `position`.
    pub line: usize,
    pub line_start: usize,
    /// Spaces at the start of the current line.
    pub line_indent: i64,
    /// Where the first tab of the current line's leading white space is, if any.
    pub first_tab_in_line: Option<usize>,
    pub depth: usize,
    pub total_merge_keys: usize,
    /// Nodes copied by aliases so far (js-yaml shares them; slsx copies, so a bound stops a
    /// "billion laughs" text from eating the memory).
    pub alias_nodes: usize,

    // The node being composed (js-yaml's state.tag / anchor / kind / result).
    /// Borrowed for the tags slsx names itself (`?`, the implicit types), owned for the text's.
    pub tag: Option<Cow<'static, str>>,
    pub anchor: Option<String>,
    pub kind: Option<Kind>,
    pub result: Value,
    pub special: Special,

    pub tag_map: HashMap<String, String>,
    pub anchors: HashMap<String, Anchored>,
    /// The first alias met inside the node it names. js-yaml builds such a circular object and osls
    /// only fails when it turns the configuration into JSON, after every syntax error: so it is kept
    /// here and reported once the text is read.
    pub circular: Option<YamlError>,
    /// Open anchor transactions: the previous value of each anchor set inside (for rollback).
    pub transactions: Vec<Vec<(String, Option<Anchored>)>>,
}

/// A saved reader position and node, to try a reading and go back.
#[derive(Clone)]
pub(super) struct Snapshot {
    position: usize,
    line: usize,
    line_start: usize,
    line_indent: i64,
    first_tab_in_line: Option<usize>,
    tag: Option<Cow<'static, str>>,
    anchor: Option<String>,
    kind: Option<Kind>,
    result: Value,
    special: Special,
}

pub(super) fn is_eol(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

pub(super) fn is_white_space(c: u8) -> bool {
    c == b'\t' || c == b' '
}

pub(super) fn is_ws_or_eol(c: u8) -> bool {
    is_white_space(c) || is_eol(c)
}

pub(super) fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> State<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        State {
            input,
            position: 0,
            line: 0,
            line_start: 0,
            line_indent: 0,
            first_tab_in_line: None,
            depth: 0,
            total_merge_keys: 0,
            alias_nodes: 0,
            tag: None,
            anchor: None,
            kind: None,
            result: Value::Null,
            special: Special::None,
            tag_map: HashMap::new(),
            anchors: HashMap::new(),
            transactions: Vec::new(),
            circular: None,
        }
    }

    /// The byte at `pos`; 0 past the end (the text holds no NUL: it is refused first).
    #[inline]
    pub fn at(&self, pos: usize) -> u8 {
        self.input.get(pos).copied().unwrap_or(0)
    }

    #[inline]
    pub fn ch(&self) -> u8 {
        self.at(self.position)
    }

    /// Moves one byte on and returns the new current byte.
    #[inline]
    pub fn advance(&mut self) -> u8 {
        self.position += 1;
        self.ch()
    }

    /// The text between two positions. Readers only stop on ASCII bytes or the ends, so the slice is
    /// whole characters.
    pub fn slice(&self, start: usize, end: usize) -> std::borrow::Cow<'a, str> {
        String::from_utf8_lossy(&self.input[start.min(end)..end.min(self.input.len())])
    }

    /// The column of `pos` on the current line, as js-yaml counts it.
    pub fn column_of(&self, pos: usize) -> usize {
        column(self.input, self.line_start, pos)
    }

    pub fn error(&self, reason: impl Into<String>) -> YamlError {
        YamlError {
            reason: reason.into(),
            line: self.line + 1,
            column: self.column_of(self.position) + 1,
        }
    }

    pub fn read_line_break(&mut self) -> Result<(), YamlError> {
        match self.ch() {
            b'\n' => self.position += 1,
            b'\r' => {
                self.position += 1;
                if self.ch() == b'\n' {
                    self.position += 1;
                }
            }
            _ => return Err(self.error("a line break is expected")),
        }
        self.line += 1;
        self.line_start = self.position;
        self.first_tab_in_line = None;
        Ok(())
    }

    /// Skips blanks, comments (when allowed) and line breaks; returns the number of line breaks, with
    /// `line_indent` the spaces of the line reached. (js-yaml's `checkIndent` only warns: not kept.)
    pub fn skip_separation_space(&mut self, allow_comments: bool) -> usize {
        let mut line_breaks = 0;
        let mut ch = self.ch();
        while ch != 0 {
            while is_white_space(ch) {
                if ch == b'\t' && self.first_tab_in_line.is_none() {
                    self.first_tab_in_line = Some(self.position);
                }
                ch = self.advance();
            }
            if allow_comments && ch == b'#' {
                loop {
                    ch = self.advance();
                    if ch == b'\n' || ch == b'\r' || ch == 0 {
                        break;
                    }
                }
            }
            if !is_eol(ch) {
                break;
            }
            // Cannot fail: the current byte is a line break.
            let _ = self.read_line_break();
            ch = self.ch();
            line_breaks += 1;
            self.line_indent = 0;
            while ch == b' ' {
                self.line_indent += 1;
                ch = self.advance();
            }
        }
        line_breaks
    }

    /// `---` or `...` followed by a blank, a line break or the end (the caller checks the line start).
    pub fn test_document_separator(&self) -> bool {
        let p = self.position;
        let ch = self.at(p);
        (ch == b'-' || ch == b'.')
            && self.at(p + 1) == ch
            && self.at(p + 2) == ch
            && (self.at(p + 3) == 0 || is_ws_or_eol(self.at(p + 3)))
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            position: self.position,
            line: self.line,
            line_start: self.line_start,
            line_indent: self.line_indent,
            first_tab_in_line: self.first_tab_in_line,
            tag: self.tag.clone(),
            anchor: self.anchor.clone(),
            kind: self.kind,
            result: self.result.clone(),
            special: self.special,
        }
    }

    pub fn restore(&mut self, s: Snapshot) {
        self.position = s.position;
        self.line = s.line;
        self.line_start = s.line_start;
        self.line_indent = s.line_indent;
        self.first_tab_in_line = s.first_tab_in_line;
        self.tag = s.tag;
        self.anchor = s.anchor;
        self.kind = s.kind;
        self.result = s.result;
        self.special = s.special;
    }
}

impl Snapshot {
    /// The column where the snapshot was taken.
    pub fn column(&self, input: &[u8]) -> i64 {
        column(input, self.line_start, self.position) as i64
    }
}

/// The column of `pos` in the line starting at `line_start`, in UTF-16 units (JavaScript strings).
pub(super) fn column(input: &[u8], line_start: usize, pos: usize) -> usize {
    let start = line_start.min(pos);
    input[start.min(input.len())..pos.min(input.len())]
        .iter()
        .map(|&b| match b {
            0x80..=0xBF => 0, // continuation byte
            0xF0..=0xFF => 2, // astral character: a surrogate pair
            _ => 1,
        })
        .sum::<usize>()
        + pos.saturating_sub(input.len())
}
