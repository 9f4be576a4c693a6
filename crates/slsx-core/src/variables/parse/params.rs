//! What a source holds: its params (`(a, 'b', ${x})`), its fallbacks (another source, or a literal)
//! and quoted strings.

use serde_json::Value;

use super::scanner::Parser;
use super::{literal, trimmed, Param, ParseError, Source};

impl Parser<'_> {
    pub(super) fn params(&mut self) -> Result<Vec<Param>, ParseError> {
        let mut params = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    return Ok(params);
                }
                Some(',') => {
                    self.pos += 1;
                    params.push(Param::Literal(Value::Null));
                }
                Some(q @ ('"' | '\'')) => {
                    let v = self.quoted(q)?;
                    params.push(Param::Literal(Value::String(v)));
                    self.skip_spaces();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some(')') => {}
                        _ => return Err(self.err("INVALID_VARIABLE_PARAM", "param", self.pos)),
                    }
                }
                Some('}') | None => {
                    return Err(self.err("INVALID_VARIABLE_PARAM", "param", self.pos))
                }
                Some(_) => {
                    let t = self.text_until(&[',', ')'], true)?;
                    if self.peek() == Some('}') || self.peek().is_none() {
                        return Err(self.err("INVALID_VARIABLE_PARAM", "param", self.pos));
                    }
                    // Unquoted text is a string param as it is (`(1)` is "1"), unlike a fallback.
                    params.push(trimmed(t));
                    if self.peek() == Some(',') {
                        self.pos += 1;
                        // `a,)` ends the list; a following `,` is an empty param.
                    }
                }
            }
        }
    }

    /// A fallback: a typed source, a quoted string (only last), or a bare literal.
    pub(super) fn fallback_source(&mut self) -> Result<Source, ParseError> {
        match self.peek() {
            Some(q @ ('"' | '\'')) => {
                let v = self.quoted(q)?;
                self.skip_spaces();
                if self.peek() != Some('}') {
                    return Err(self.err("INVALID_VARIABLE_SOURCE", "source", self.pos));
                }
                Ok(Source::Literal(Value::String(v)))
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '.' || c == '-' => {
                // A bare word: a source type when `:` or `(` follows, else a literal.
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ' ')
                {
                    self.pos += 1;
                }
                match self.peek() {
                    Some(':') | Some('(') => {
                        self.pos = start;
                        let word: String = self.chars[start..]
                            .iter()
                            .map(|(_, c)| *c)
                            .take_while(|c| c.is_ascii_alphanumeric())
                            .collect();
                        if !word.starts_with(|c: char| c.is_ascii_lowercase()) {
                            return Err(self.err("INVALID_VARIABLE_SOURCE", "source", start));
                        }
                        Ok(self.typed_source(false)?.expect("typed source"))
                    }
                    Some('}') => {
                        let word: String = self.chars[start..self.pos]
                            .iter()
                            .map(|(_, c)| c)
                            .collect::<String>()
                            .trim()
                            .to_string();
                        literal(&word)
                            .map(Source::Literal)
                            .ok_or_else(|| ParseError {
                                code: "INVALID_VARIABLE_LITERAL_SOURCE",
                                message: format!(
                                    "Invalid literal source \"{word}\" at index {} in \"{}\"",
                                    self.byte(start),
                                    self.s
                                ),
                            })
                    }
                    _ => Err(self.err("INVALID_VARIABLE_SOURCE", "source", start)),
                }
            }
            _ => Err(self.err("INVALID_VARIABLE_SOURCE", "source", self.pos)),
        }
    }

    /// A quoted string: single quotes are taken as they are, double quotes as a JSON string.
    pub(super) fn quoted(&mut self, q: char) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == '\\' && q == '"' {
                self.pos += 1;
                continue;
            }
            if c == q {
                let raw = &self.s[self.byte(start)..self.byte(self.pos)];
                return if q == '\'' {
                    Ok(raw[1..raw.len() - 1].to_string())
                } else {
                    serde_json::from_str::<String>(raw).map_err(|e| ParseError {
                        code: "INVALID_VARIABLE_STRING_LITERAL",
                        message: format!(
                            "Invalid string literal at index {} in \"{}\": {e}",
                            self.byte(start),
                            self.s
                        ),
                    })
                };
            }
        }
        Err(self.unterminated())
    }
}
