//! From failed keywords to what the user reads: one line per problem, `at 'path': message` as osls
//! words them, and `configValidationMode` applied (an error before anything changes, warnings, or
//! nothing).

use serde_json::Value;

use crate::error::{Error, SourceLocation};

use super::normalize::normalize;
use super::validator::SchemaError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is, as a dotted path (`functions.hello.events.0.http.method`); `root` for
    /// the top level.
    pub path: String,
    /// The place as osls shows it: `'functions.hello.events.0'` (keys escaped as in a JSON
    /// pointer), or `root`.
    pub at: String,
    pub message: String,
    /// The key path whose line the error points at (an unrecognized property's own key).
    pub locate: String,
}

impl Problem {
    pub fn line(&self) -> String {
        format!("at {}: {}", self.at, self.message)
    }
}

/// ajv's errors reduced and worded as osls does, one problem a line, in osls's order.
pub(super) fn problems(errors: Vec<SchemaError>) -> Vec<Problem> {
    normalize(errors)
        .into_iter()
        .map(|line| {
            let e = line.error;
            let path = if e.path.is_empty() {
                "root".to_string()
            } else {
                e.path.join(".")
            };
            let locate = match &e.key {
                Some(k) if e.path.is_empty() => k.clone(),
                Some(k) => format!("{}.{k}", e.path.join(".")),
                None => e.path.join("."),
            };
            Problem {
                path,
                at: line.at,
                message: line.message,
                locate,
            }
        })
        .collect()
}

/// The `configValidationMode` osls acts on: the value as written (before any conversion), `error`
/// when it is missing or falsy in JavaScript's sense (`''`, `0`, `false`, null).
pub fn mode_of(written: Option<&Value>) -> String {
    match written {
        None | Some(Value::Null) | Some(Value::Bool(false)) => "error".into(),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => "error".into(),
        Some(Value::String(s)) if s.is_empty() => "error".into(),
        Some(Value::String(s)) => s.clone(),
        // Any other value (`true`, `5`, a list …) is neither `error` nor `off`: osls warns.
        Some(_) => "warn".into(),
    }
}

/// Applies `configValidationMode` (see [`mode_of`]) to the problems as osls does: an error naming
/// every problem and pointing at the first one's line for `error`, nothing for `off`, warnings for
/// any other value.
pub fn apply(
    mode: &str,
    problems: &[Problem],
    locate: &dyn Fn(&str) -> Option<Box<SourceLocation>>,
) -> Result<Vec<String>, Error> {
    if problems.is_empty() || mode == "off" {
        return Ok(Vec::new());
    }
    let lines: Vec<String> = problems.iter().map(Problem::line).collect();
    if mode != "error" {
        return Ok(lines
            .into_iter()
            .map(|l| format!("Invalid configuration encountered {l}"))
            .collect());
    }
    let message = if lines.len() == 1 {
        format!("Configuration error {}", lines[0])
    } else {
        format!("Configuration error:\n     {}", lines.join("\n     "))
    };
    Err(Error::Config {
        code: "INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION",
        message,
        path: Some(problems[0].locate.clone()),
        location: locate(&problems[0].locate),
    })
}
