//! The `${source(params):address, fallback…}` grammar of Serverless v3, parsed into a small AST.
//!
//! Semantics follow v3's parser: a `${` whose content does not start like a source (`${AWS::Region}`
//! in a `Fn::Sub`, `${Foo.Arn}`, `${foo}`) is not a variable and stays as text; `\${` escapes (an odd
//! run of backslashes before `${` escapes it, and every run is halved); params and addresses may nest
//! variables; fallbacks are further sources or literals (`'s'`, `"s"`, numbers, `true`, `false`,
//! `null`), a quoted literal only last.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Var(Variable),
}

/// A string with variables: the parts in order.
pub type Template = Vec<Part>;

#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    pub sources: Vec<Source>,
    /// The variable as written, for messages.
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Literal(Value),
    Typed {
        kind: String,
        params: Vec<Param>,
        address: Option<Param>,
    },
}

/// A param or an address: a literal, or text with variables to resolve first.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Literal(Value),
    Template(Template),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub code: &'static str,
    pub message: String,
}

/// Whether the string may hold variables at all (cheap pre-check).
pub fn may_have_variables(s: &str) -> bool {
    s.contains("${")
}

/// Parses `s`. Returns None when it holds no variable (escapes alone count as variables: the
/// unescaped text differs from the input).
pub fn parse(s: &str) -> Result<Option<Template>, ParseError> {
    if !may_have_variables(s) {
        return Ok(None);
    }
    let mut p = Parser {
        s,
        chars: s.char_indices().collect(),
        pos: 0,
    };
    let parts = p.text_until(&[], false)?;
    let has_var = parts.iter().any(|x| matches!(x, Part::Var(_)))
        || parts
            .iter()
            .map(|x| match x {
                Part::Text(t) => t.as_str(),
                _ => "",
            })
            .collect::<String>()
            != s;
    Ok(has_var.then_some(parts))
}

struct Parser<'a> {
    s: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|(_, c)| *c)
    }
    fn peek_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|(_, c)| *c)
    }
    fn byte(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.s.len(), |(b, _)| *b)
    }
    fn err(&self, code: &'static str, what: &str, at: usize) -> ParseError {
        ParseError {
            code,
            message: format!(
                "Invalid variable {what} at index {} in \"{}\"",
                self.byte(at),
                self.s
            ),
        }
    }

    /// Text (with variables) until one of `stops` at nesting depth 0, or the end. In a param or an
    /// address (`nested`), `}` also stops.
    fn text_until(&mut self, stops: &[char], nested: bool) -> Result<Template, ParseError> {
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

    fn skip_spaces(&mut self) {
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
                _ => {
                    return Err(ParseError {
                        code: "UNTERMINATED_VARIABLE",
                        message: format!("Missing variable closing bracket in {}", self.s),
                    })
                }
            }
        }
    }

    /// `type:address` or `type(params):address`. With `first`, anything else means "not a variable".
    fn typed_source(&mut self, first: bool) -> Result<Option<Source>, ParseError> {
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

    fn params(&mut self) -> Result<Vec<Param>, ParseError> {
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
                    let p = trimmed(t);
                    params.push(match p {
                        Param::Template(t) if t.iter().all(|x| matches!(x, Part::Text(_))) => {
                            let text: String = t
                                .iter()
                                .map(|x| {
                                    if let Part::Text(s) = x {
                                        s.as_str()
                                    } else {
                                        ""
                                    }
                                })
                                .collect();
                            Param::Literal(literal(&text).unwrap_or(Value::String(text)))
                        }
                        other => other,
                    });
                    if self.peek() == Some(',') {
                        self.pos += 1;
                        // `a,)` ends the list; a following `,` is an empty param.
                    }
                }
            }
        }
    }

    /// A fallback: a typed source, a quoted string (only last), or a bare literal.
    fn fallback_source(&mut self) -> Result<Source, ParseError> {
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
    fn quoted(&mut self, q: char) -> Result<String, ParseError> {
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
        Err(ParseError {
            code: "UNTERMINATED_VARIABLE",
            message: format!("Missing variable closing bracket in {}", self.s),
        })
    }
}

/// `true`, `false`, `null` and numbers; anything else is not a literal.
fn literal(word: &str) -> Option<Value> {
    match word {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "null" => Some(Value::Null),
        w => {
            if let Ok(i) = w.parse::<i64>() {
                return Some(Value::from(i));
            }
            w.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }
    }
}

/// Trims the surrounding spaces of a param or address.
fn trimmed(mut t: Template) -> Param {
    if let Some(Part::Text(first)) = t.first_mut() {
        *first = first.trim_start().to_string();
    }
    if let Some(Part::Text(last)) = t.last_mut() {
        *last = last.trim_end().to_string();
    }
    t.retain(|p| !matches!(p, Part::Text(s) if s.is_empty()));
    if t.iter().all(|p| matches!(p, Part::Text(_))) {
        let text: String = t
            .iter()
            .map(|x| {
                if let Part::Text(s) = x {
                    s.as_str()
                } else {
                    ""
                }
            })
            .collect();
        return Param::Literal(Value::String(text));
    }
    Param::Template(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn var(s: &str) -> Variable {
        match parse(s).unwrap().unwrap().as_slice() {
            [Part::Var(v)] => v.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn typed(kind: &str, params: Vec<Param>, address: Option<&str>) -> Source {
        Source::Typed {
            kind: kind.into(),
            params,
            address: address.map(|a| Param::Literal(json!(a))),
        }
    }

    #[test]
    fn sources_params_addresses_and_fallbacks() {
        let v = var("${self:custom.a, env:B, 'lit'}");
        assert_eq!(
            v.sources,
            vec![
                typed("self", vec![], Some("custom.a")),
                typed("env", vec![], Some("B")),
                Source::Literal(json!("lit")),
            ]
        );
        let v = var("${ssm(us-east-1, raw):/a/b}");
        assert_eq!(
            v.sources,
            vec![typed(
                "ssm",
                vec![
                    Param::Literal(json!("us-east-1")),
                    Param::Literal(json!("raw"))
                ],
                Some("/a/b")
            )]
        );
        let v = var("${file(./x.yml):k}");
        assert_eq!(
            v.sources,
            vec![typed(
                "file",
                vec![Param::Literal(json!("./x.yml"))],
                Some("k")
            )]
        );
        assert_eq!(var("${env:X, 5}").sources[1], Source::Literal(json!(5)));
        assert_eq!(
            var("${env:X, null}").sources[1],
            Source::Literal(Value::Null)
        );
        assert_eq!(
            var("${env:X, \"a\\\"b\"}").sources[1],
            Source::Literal(json!("a\"b"))
        );
        assert_eq!(var("${self:}").sources, vec![typed("self", vec![], None)]);
    }

    #[test]
    fn nested_variables_in_addresses() {
        let v = var("${self:custom.${opt:stage}.size}");
        let Source::Typed {
            address: Some(Param::Template(t)),
            ..
        } = &v.sources[0]
        else {
            panic!()
        };
        assert_eq!(t.len(), 3);
        assert_eq!(t[0], Part::Text("custom.".into()));
        assert!(matches!(&t[1], Part::Var(_)));
    }

    #[test]
    fn foreign_dollar_braces_and_escapes_stay_text() {
        assert_eq!(parse("arn:${AWS::Partition}:s3:::${Bucket}").unwrap(), None);
        assert_eq!(parse("${foo}").unwrap(), None);
        assert_eq!(
            parse("\\${self:x}").unwrap(),
            Some(vec![Part::Text("${self:x}".into())])
        );
        let parts = parse("a-${self:service}-b").unwrap().unwrap();
        assert_eq!(parts.len(), 3);
        let parts = parse("\\\\${self:x}").unwrap().unwrap();
        assert_eq!(parts[0], Part::Text("\\".into()));
        assert!(matches!(parts[1], Part::Var(_)));
    }

    #[test]
    fn syntax_errors_have_codes() {
        assert_eq!(parse("${self:a").unwrap_err().code, "UNTERMINATED_VARIABLE");
        assert_eq!(
            parse("${env:A, %}").unwrap_err().code,
            "INVALID_VARIABLE_SOURCE"
        );
        assert_eq!(
            parse("${env:A, nope}").unwrap_err().code,
            "INVALID_VARIABLE_LITERAL_SOURCE"
        );
    }
}
