//! Double-quoted scalars as js-yaml reads them: escapes (`\n`, `\x41`, `\u00e9`, `\U0001F600`,
//! surrogate pairs written as two `\u`), and line folding.

use super::state::{is_eol, State};
use super::YamlError;

type R<T> = Result<T, YamlError>;

impl State<'_> {
    pub(super) fn read_double_quoted_scalar(&mut self) -> R<bool> {
        if self.ch() != b'"' {
            return Ok(false);
        }
        let mut out = String::new();
        // A `\uD83D` waiting for its low surrogate (JavaScript strings are UTF-16).
        let mut high_surrogate: Option<u32> = None;
        self.position += 1;
        let mut run = (self.position, self.position);
        loop {
            let ch = self.quoted_byte("double")?;
            if high_surrogate.is_some() && ch != b'\\' {
                return Err(self.lone_surrogate());
            }
            if ch == b'"' {
                self.capture(&mut out, run.0, self.position, true)?;
                self.position += 1;
                self.set_scalar(out);
                return Ok(true);
            } else if ch == b'\\' {
                self.capture(&mut out, run.0, self.position, true)?;
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
                run = (self.position, self.position);
            } else {
                self.quoted_content(ch, &mut out, &mut run, "double")?;
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
