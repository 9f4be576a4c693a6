//! The scanner: text with variables, and a variable's sources (`type:address`, `type(params):address`)
//! up to its closing `}`.

use serde_json::Value;

use super::{trimmed, Param, ParseError, Part, Source, Template, Variable};

pub(super) struct Parser<'a> {
    pub s: &'a str,
    pub chars: Vec<(usize, char)>,
    pub pos: usize,
}

impl<'a> Parser<'a> {
    pub fn new(s: &'a str) -> Parser<'a> {
        Parser {
            s,
            chars: s.char_indices().collect(),
            pos: 0,
        }
    }
}

impl Parser<'_> {
    pub fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }
    fn peek_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|(_, c)| *c)
    }
    pub fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.s.len(), |(b, _)| *b)
    }
    pub fn err(&self, code: &'static str, what: &str, at: usize) -> ParseError {
        ParseError {
            code,
            message: format!(
                "Invalid variable {what} at index {} in \"{}\"",
                self.byte(at),
                self.s
            ),
        }
    }

    /// `Missing variable closing bracket`: the text ends inside a variable.
    pub fn unterminated(&self) -> ParseError {
        ParseError {
            code: "UNTERMINATED_VARIABLE",
            message: format!("Missing variable closing bracket in {}", self.s),
        }
    }

    /// Text (with variables) until one of `stops` at nesting depth 0, or the end. In a param or an
    /// address (`nested`), `}` also stops.
    pub fn text_until(&mut self, stops: &[char], nested: bool) -> Result<Template, ParseError> {
        let mut parts: Template = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if stops.contains(&c) || (nested && c == '}') {
                break;
            }
            if c == '$' && self.peek_at(self.pos + 1) == Some('{') {
                // Backslashes right before `${`: an odd run escapes it, every run is halved.
                let run = text.chars().rev().take_while(|c| *c == '\\').count();
                text.truncate(text.len() - run);
                text.push_str(&"\\".repeat(run / 2));
                if run % 2 == 1 {
                    text.push('$');
                    self.pos += 1;
                    continue;
                }
                let start = self.pos;
                self.pos += 2;
                match self.variable(start)? {
                    Some(var) => {
                        if !text.is_empty() {
                            parts.push(Part::Text(std::mem::take(&mut text)));
                        }
                        parts.push(Part::Var(var));
                    }
                    None => {
                        // Not a variable (`${AWS::Region}`): the `${` is text; what follows is scanned on.
                        self.pos = start + 2;
                        text.push_str("${");
                    }
                }
                continue;
            }
            text.push(c);
            self.pos += 1;
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(parts)
    }

    pub fn skip_spaces(&mut self) {
        while self.peek() == Some(' ') {
            self.pos += 1;
        }
    }
    /// After `${`: a variable, or None when this is not one.
    fn variable(&mut self, start: usize) -> Result<Option<Variable>, ParseError> {
        let mut sources = Vec::new();
        // The first source must be a typed source.
        match self.typed_source(true)? {
            Some(s) => sources.push(s),
            None => return Ok(None),
        }
        loop {
            match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    let raw = self.s[self.byte(start)..self.byte(self.pos)].to_string();
                    return Ok(Some(Variable { sources, raw }));
                }
                Some(',') => {
                    self.pos += 1;
                    self.skip_spaces();
                    sources.push(self.fallback_source()?);
                }
                _ => return Err(self.unterminated()),
            }
        }
    }

    /// `type:address` or `type(params):address`. With `first`, anything else means "not a variable".
    pub fn typed_source(&mut self, first: bool) -> Result<Option<Source>, ParseError> {
        let type_start = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_lowercase()) {
            if first {
                return Ok(None);
            }
            return Err(self.err("INVALID_VARIABLE_SOURCE", "source", type_start));
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            self.pos += 1;
        }
        let kind: String = self.chars[type_start..self.pos]
            .iter()
            .map(|(_, c)| c)
            .collect();
        let mut params = Vec::new();
        match self.peek() {
            Some(':') => {
                self.pos += 1;
            }
            Some('(') => {
                self.pos += 1;
                params = self.params()?;
                self.skip_spaces();
                match self.peek() {
                    Some(':') => self.pos += 1,
                    Some('}') | Some(',') => {
                        return Ok(Some(Source::Typed {
                            kind,
                            params,
                            address: None,
                        }));
                    }
                    _ => return Err(self.err("INVALID_VARIABLE_ADDRESS", "address", self.pos)),
                }
            }
            _ if first => return Ok(None),
            _ => return Err(self.err("INVALID_VARIABLE_SOURCE", "source", type_start)),
        }
        // Address.
        self.skip_spaces();
        let address = match self.peek() {
            Some('}') | Some(',') | None => None,
            Some(':') if first && params.is_empty() => return Ok(None), // `${foo::bar}`
            Some(':') => return Err(self.err("INVALID_VARIABLE_ADDRESS", "address", self.pos)),
            Some(q @ ('"' | '\'')) => {
                let v = self.quoted(q)?;
                self.skip_spaces();
                Some(Param::Literal(Value::String(v)))
            }
            Some(_) => {
                let t = self.text_until(&[','], true)?;
                Some(trimmed(t))
            }
        };
        Ok(Some(Source::Typed {
            kind,
            params,
            address,
        }))
    }
}
