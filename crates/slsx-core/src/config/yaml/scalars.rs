//! Scalars as js-yaml reads them: plain (folded over lines, ended by `: `, ` #` and, in flow
//! collections, by flow indicators), single- and double-quoted, and block scalars (`|`, `>`, chomping
//! and indentation indicators).

use serde_json::Value;

use super::state::{is_eol, is_flow_indicator, is_white_space, is_ws_or_eol, Kind, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Clip,
    Strip,
    Keep,
}

fn push_repeat(out: &mut String, c: char, n: usize) {
    out.extend(std::iter::repeat_n(c, n));
}

/// js-yaml folds `count` line breaks into one space, or keeps `count - 1` of them.
fn write_folded_lines(out: &mut String, count: usize) {
    if count == 1 {
        out.push(' ');
    } else if count > 1 {
        push_repeat(out, '\n', count - 1);
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
    fn capture(&self, out: &mut String, start: usize, end: usize, json: bool) -> R<()> {
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

    fn set_scalar(&mut self, text: String) {
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
        let (mut capture_start, mut capture_end) = (self.position, self.position);
        loop {
            let ch = self.ch();
            if ch == 0 {
                return Err(
                    self.error("unexpected end of the stream within a single quoted scalar")
                );
            }
            if ch == b'\'' {
                self.capture(&mut out, capture_start, self.position, true)?;
                if self.advance() != b'\'' {
                    self.set_scalar(out);
                    return Ok(true);
                }
                // `''` is one quote: keep the second.
                capture_start = self.position;
                self.position += 1;
                capture_end = self.position;
            } else if is_eol(ch) {
                self.capture(&mut out, capture_start, capture_end, true)?;
                let breaks = self.skip_separation_space(false);
                write_folded_lines(&mut out, breaks);
                capture_start = self.position;
                capture_end = self.position;
            } else if self.position == self.line_start && self.test_document_separator() {
                return Err(
                    self.error("unexpected end of the document within a single quoted scalar")
                );
            } else {
                self.position += 1;
                if !is_white_space(ch) {
                    capture_end = self.position;
                }
            }
        }
    }

    pub(super) fn read_double_quoted_scalar(&mut self) -> R<bool> {
        if self.ch() != b'"' {
            return Ok(false);
        }
        let mut out = String::new();
        // A `\uD83D` waiting for its low surrogate (JavaScript strings are UTF-16).
        let mut high_surrogate: Option<u32> = None;
        self.position += 1;
        let (mut capture_start, mut capture_end) = (self.position, self.position);
        loop {
            let ch = self.ch();
            if ch == 0 {
                return Err(
                    self.error("unexpected end of the stream within a double quoted scalar")
                );
            }
            if high_surrogate.is_some() && ch != b'\\' {
                return Err(self.lone_surrogate());
            }
            if ch == b'"' {
                self.capture(&mut out, capture_start, self.position, true)?;
                self.position += 1;
                self.set_scalar(out);
                return Ok(true);
            } else if ch == b'\\' {
                self.capture(&mut out, capture_start, self.position, true)?;
                let ch = self.advance();
                if is_eol(ch) {
                    self.skip_separation_space(false);
                } else if let Some(c) = simple_escape(ch) {
                    if high_surrogate.is_some() {
                        return Err(self.lone_surrogate());
                    }
                    out.push(c);
                    self.position += 1;
                } else if let Some(len) = escaped_hex_len(ch) {
                    let mut code: u32 = 0;
                    for _ in 0..len {
                        let digit = (self.advance() as char).to_digit(16);
                        match digit {
                            Some(d) => code = (code << 4) | d,
                            None => return Err(self.error("expected hexadecimal character")),
                        }
                    }
                    self.push_code_point(&mut out, code, &mut high_surrogate)?;
                    self.position += 1;
                } else {
                    return Err(self.error("unknown escape sequence"));
                }
                capture_start = self.position;
                capture_end = self.position;
            } else if is_eol(ch) {
                self.capture(&mut out, capture_start, capture_end, true)?;
                let breaks = self.skip_separation_space(false);
                write_folded_lines(&mut out, breaks);
                capture_start = self.position;
                capture_end = self.position;
            } else if self.position == self.line_start && self.test_document_separator() {
                return Err(
                    self.error("unexpected end of the document within a double quoted scalar")
                );
            } else {
                self.position += 1;
                if !is_white_space(ch) {
                    capture_end = self.position;
                }
            }
        }
    }

    /// A `\x`/`\u`/`\U` escape. Surrogate pairs written as two `\u` escapes make one character, as in
    /// JavaScript; a lone surrogate cannot be held by the configuration (JavaScript keeps it, slsx
    /// refuses it).
    fn push_code_point(&self, out: &mut String, code: u32, high: &mut Option<u32>) -> R<()> {
        if let Some(h) = high.take() {
            if !(0xDC00..=0xDFFF).contains(&code) {
                return Err(self.lone_surrogate());
            }
            let c = 0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00);
            out.push(char::from_u32(c).ok_or_else(|| self.lone_surrogate())?);
            return Ok(());
        }
        if (0xD800..=0xDBFF).contains(&code) {
            *high = Some(code);
            return Ok(());
        }
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(self.error(format!(
                "the escape \\U{code:08X} is not a Unicode character slsx can hold"
            ))),
        }
    }

    fn lone_surrogate(&self) -> YamlError {
        self.error(
            "a \\u escape of half a surrogate pair (a lone surrogate) cannot be held by slsx",
        )
    }

    pub(super) fn read_block_scalar(&mut self, node_indent: i64) -> R<bool> {
        let folding = match self.ch() {
            b'|' => false,
            b'>' => true,
            _ => return Ok(false),
        };
        let mut out = String::new();
        let mut chomping = Chomping::Clip;
        let mut did_read_content = false;
        let mut detected_indent = false;
        let mut text_indent = node_indent;
        let mut empty_lines = 0usize;
        let mut at_more_indented = false;
        let mut ch = self.ch();
        while ch != 0 {
            ch = self.advance();
            if ch == b'+' || ch == b'-' {
                if chomping != Chomping::Clip {
                    return Err(self.error("repeat of a chomping mode identifier"));
                }
                chomping = if ch == b'+' {
                    Chomping::Keep
                } else {
                    Chomping::Strip
                };
            } else if ch.is_ascii_digit() {
                let width = i64::from(ch - b'0');
                if width == 0 {
                    return Err(self.error(
                        "bad explicit indentation width of a block scalar; it cannot be less than one",
                    ));
                }
                if detected_indent {
                    return Err(self.error("repeat of an indentation width identifier"));
                }
                text_indent = node_indent + width - 1;
                detected_indent = true;
            } else {
                break;
            }
        }
        if is_white_space(ch) {
            while is_white_space(ch) {
                ch = self.advance();
            }
            if ch == b'#' {
                while !is_eol(ch) && ch != 0 {
                    ch = self.advance();
                }
            }
        }
        while ch != 0 {
            self.read_line_break()?;
            self.line_indent = 0;
            ch = self.ch();
            while (!detected_indent || self.line_indent < text_indent) && ch == b' ' {
                self.line_indent += 1;
                ch = self.advance();
            }
            if !detected_indent && self.line_indent > text_indent {
                text_indent = self.line_indent;
            }
            if is_eol(ch) {
                empty_lines += 1;
                continue;
            }
            if !detected_indent && text_indent == 0 {
                return Err(self.error("missing indentation for block scalar"));
            }
            if self.line_indent < text_indent {
                // The end of the scalar: chomp.
                match chomping {
                    Chomping::Keep => {
                        let n = if did_read_content {
                            1 + empty_lines
                        } else {
                            empty_lines
                        };
                        push_repeat(&mut out, '\n', n);
                    }
                    Chomping::Clip if did_read_content => out.push('\n'),
                    _ => {}
                }
                break;
            }
            let breaks = if did_read_content {
                1 + empty_lines
            } else {
                empty_lines
            };
            if folding {
                if is_white_space(ch) {
                    // More-indented lines are not folded.
                    at_more_indented = true;
                    push_repeat(&mut out, '\n', breaks);
                } else if at_more_indented {
                    at_more_indented = false;
                    push_repeat(&mut out, '\n', empty_lines + 1);
                } else if empty_lines == 0 {
                    if did_read_content {
                        out.push(' ');
                    }
                } else {
                    push_repeat(&mut out, '\n', empty_lines);
                }
            } else {
                push_repeat(&mut out, '\n', breaks);
            }
            did_read_content = true;
            detected_indent = true;
            empty_lines = 0;
            let capture_start = self.position;
            while !is_eol(ch) && ch != 0 {
                ch = self.advance();
            }
            self.capture(&mut out, capture_start, self.position, false)?;
        }
        self.set_scalar(out);
        Ok(true)
    }
}

fn simple_escape(c: u8) -> Option<char> {
    Some(match c {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0B',
        b'f' => '\x0C',
        b'r' => '\r',
        b'e' => '\x1B',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{A0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        _ => return None,
    })
}

fn escaped_hex_len(c: u8) -> Option<usize> {
    match c {
        b'x' => Some(2),
        b'u' => Some(4),
        b'U' => Some(8),
        _ => None,
    }
}
