//! The `${source(params):address, fallback…}` grammar of Serverless v3, parsed into a small AST.
//!
//! Semantics follow v3's parser: a `${` whose content does not start like a source (`${AWS::Region}`
//! in a `Fn::Sub`, `${Foo.Arn}`, `${foo}`) is not a variable and stays as text; `\${` escapes (an odd
//! run of backslashes before `${` escapes it, and every run is halved); params and addresses may nest
//! variables; fallbacks are further sources or literals (`'s'`, `"s"`, numbers, `true`, `false`,
//! `null`), a quoted literal only last.
//!
//! The AST and `parse` are here; `scanner` walks text and variables (`${…}`, their sources), `params`
//! reads what a source holds (params, fallbacks, quoted strings).

mod params;
mod scanner;

use serde_json::Value;

use scanner::Parser;

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
    let parts = Parser::new(s).text_until(&[], false)?;
    let has_var = text_of(&parts).is_none_or(|text| text != s);
    Ok(has_var.then_some(parts))
}

/// The text of a template that holds no variable; None when it holds one.
fn text_of(t: &Template) -> Option<String> {
    t.iter()
        .map(|p| match p {
            Part::Text(s) => Some(s.as_str()),
            Part::Var(_) => None,
        })
        .collect()
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
    match text_of(&t) {
        Some(text) => Param::Literal(Value::String(text)),
        None => Param::Template(t),
    }
}

#[cfg(test)]
mod tests;
