//! Block scalars as js-yaml reads them: `|` (literal) and `>` (folded), with their header's chomping
//! (`+`, `-`) and indentation (`1`…`9`) indicators.

use super::scalars::push_newlines;
use super::state::{is_eol, is_white_space, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Clip,
    Strip,
    Keep,
}

/// What a block scalar's header says.
struct Header {
    chomping: Chomping,
    /// The content's indentation, when the header gives it.
    text_indent: Option<i64>,
}

impl State<'_> {
    pub(super) fn read_block_scalar(&mut self, node_indent: i64) -> R<bool> {
        let folding = match self.ch() {
            b'|' => false,
            b'>' => true,
            _ => return Ok(false),
        };
        let header = self.read_block_header(node_indent)?;
        let mut out = String::new();
        let mut did_read_content = false;
        let mut detected_indent = header.text_indent.is_some();
        let mut text_indent = header.text_indent.unwrap_or(node_indent);
        let mut empty_lines = 0usize;
        let mut at_more_indented = false;
        let mut ch = self.ch();
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
            // The line breaks before this line's content, once content was read.
            let breaks = usize::from(did_read_content) + empty_lines;
            if self.line_indent < text_indent {
                // The end of the scalar: chomp.
                match header.chomping {
                    Chomping::Keep => push_newlines(&mut out, breaks),
                    Chomping::Clip if did_read_content => out.push('\n'),
                    _ => {}
                }
                break;
            }
            if !folding {
                push_newlines(&mut out, breaks);
            } else if is_white_space(ch) {
                // More-indented lines are not folded.
                at_more_indented = true;
                push_newlines(&mut out, breaks);
            } else if at_more_indented {
                at_more_indented = false;
                push_newlines(&mut out, empty_lines + 1);
            } else if empty_lines == 0 {
                if did_read_content {
                    out.push(' ');
                }
            } else {
                push_newlines(&mut out, empty_lines);
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

    /// The indicators after `|` or `>`, then the spaces and the comment up to the line's end.
    fn read_block_header(&mut self, node_indent: i64) -> R<Header> {
        let mut header = Header {
            chomping: Chomping::Clip,
            text_indent: None,
        };
        let mut ch = self.ch();
        while ch != 0 {
            ch = self.advance();
            if ch == b'+' || ch == b'-' {
                if header.chomping != Chomping::Clip {
                    return Err(self.error("repeat of a chomping mode identifier"));
                }
                header.chomping = if ch == b'+' {
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
                if header.text_indent.is_some() {
                    return Err(self.error("repeat of an indentation width identifier"));
                }
                header.text_indent = Some(node_indent + width - 1);
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
        Ok(header)
    }
}
