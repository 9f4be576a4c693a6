//! Scalars as js-yaml reads them: plain (folded over lines, ended by `: `, ` #` and, in flow
//! collections, by flow indicators) and single-quoted, and what every scalar reader shares (capture of
//! the text, line folding). Double-quoted scalars are in `double_quoted`, block scalars (`|`, `>`) in
//! `block_scalar`.

use serde_json::Value;

use super::state::{is_eol, is_flow_indicator, is_white_space, is_ws_or_eol, Kind, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

/// Appends `n` line breaks.
pub(super) fn push_newlines(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('\n', n));
}

/// js-yaml folds `count` line breaks into one space, or keeps `count - 1` of them.
fn write_folded_lines(out: &mut String, count: usize) {
    if count == 1 {
        out.push(' ');
    } else if count > 1 {
        push_newlines(out, count - 1);
    }
}

/// Characters a plain or block scalar may not hold (C0/C1 controls but tab and line breaks, DEL,
/// U+FFFE/U+FFFF).
fn is_non_printable(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{84}'
        | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

impl State<'_> {
    /// Appends the text between two positions; quoted scalars (`json`) only refuse control characters.
    pub(super) fn capture(&self, out: &mut String, start: usize, end: usize, json: bool) -> R<()> {
        if start >= end {
            return Ok(());
        }
        let text = self.slice(start, end);
        if json {
            if text.bytes().any(|b| b < 0x20 && b != b'\t') {
                return Err(self.error("expected valid JSON character"));
            }
        } else if text.chars().any(is_non_printable) {
            return Err(self.error("the stream contains non-printable characters"));
        }
        out.push_str(&text);
        Ok(())
    }

    pub(super) fn set_scalar(&mut self, text: String) {
        self.kind = Some(Kind::Scalar);
        self.result = Value::String(text);
    }

    pub(super) fn read_plain_scalar(&mut self, node_indent: i64, within_flow: bool) -> R<bool> {
        let mut ch = self.ch();
        if is_ws_or_eol(ch)
            || is_flow_indicator(ch)
            || matches!(
                ch,
                b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`'
            )
        {
            return Ok(false);
        }
        if ch == b'?' || ch == b'-' {
            let following = self.at(self.position + 1);
            if is_ws_or_eol(following) || (within_flow && is_flow_indicator(following)) {
                return Ok(false);
            }
        }
        let mut out = String::new();
        let (mut capture_start, mut capture_end) = (self.position, self.position);
        let mut has_pending_content = false;
        let mut saved_line = self.line;
        while ch != 0 {
            if ch == b':' {
                let following = self.at(self.position + 1);
                if is_ws_or_eol(following) || (within_flow && is_flow_indicator(following)) {
                    break;
                }
            } else if ch == b'#' {
                if self.position > 0 && is_ws_or_eol(self.at(self.position - 1)) {
                    break;
                }
            } else if (self.position == self.line_start && self.test_document_separator())
                || (within_flow && is_flow_indicator(ch))
            {
                break;
            } else if is_eol(ch) {
                let (line, line_start, line_indent) =
                    (self.line, self.line_start, self.line_indent);
                saved_line = line;
                self.skip_separation_space(false);
                if self.line_indent >= node_indent {
                    has_pending_content = true;
                    ch = self.ch();
                    continue;
                }
                // A less indented line ends the scalar: back to its last character.
                self.position = capture_end;
                self.line = line;
                self.line_start = line_start;
                self.line_indent = line_indent;
                break;
            }
            if has_pending_content {
                self.capture(&mut out, capture_start, capture_end, false)?;
                write_folded_lines(&mut out, self.line - saved_line);
                capture_start = self.position;
                capture_end = self.position;
                has_pending_content = false;
            }
            if !is_white_space(ch) {
                capture_end = self.position + 1;
            }
            ch = self.advance();
        }
        self.capture(&mut out, capture_start, capture_end, false)?;
        if out.is_empty() {
            return Ok(false);
        }
        self.set_scalar(out);
        Ok(true)
    }

    pub(super) fn read_single_quoted_scalar(&mut self) -> R<bool> {
        if self.ch() != b'\'' {
            return Ok(false);
        }
        let mut out = String::new();
        self.position += 1;
        let mut run = (self.position, self.position);
        loop {
            let ch = self.quoted_byte("single")?;
            if ch == b'\'' {
                self.capture(&mut out, run.0, self.position, true)?;
                if self.advance() != b'\'' {
                    self.set_scalar(out);
                    return Ok(true);
                }
                // `''` is one quote: keep the second.
                run.0 = self.position;
                self.position += 1;
                run.1 = self.position;
            } else {
                self.quoted_content(ch, &mut out, &mut run, "single")?;
            }
        }
    }

    /// The current byte of a quoted scalar: the end of the text is an error.
    pub(super) fn quoted_byte(&self, style: &str) -> R<u8> {
        match self.ch() {
            0 => Err(self.error(format!(
                "unexpected end of the stream within a {style} quoted scalar"
            ))),
            ch => Ok(ch),
        }
    }

    /// A byte of a quoted scalar that is neither its quote nor an escape: a line break folds, a
    /// document marker at a line's start ends the document too early, anything else is content.
    /// `run` is the content not captured yet, up to its last non-space byte.
    pub(super) fn quoted_content(
        &mut self,
        ch: u8,
        out: &mut String,
        run: &mut (usize, usize),
        style: &str,
    ) -> R<()> {
        if is_eol(ch) {
            self.capture(out, run.0, run.1, true)?;
            let breaks = self.skip_separation_space(false);
            write_folded_lines(out, breaks);
            *run = (self.position, self.position);
        } else if self.position == self.line_start && self.test_document_separator() {
            return Err(self.error(format!(
                "unexpected end of the document within a {style} quoted scalar"
            )));
        } else {
            self.position += 1;
            if !is_white_space(ch) {
                run.1 = self.position;
            }
        }
        Ok(())
    }
}
