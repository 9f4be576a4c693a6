//! From failed keywords to what the user reads: one line per problem, `at 'path': message` as osls
//! words them, and `configValidationMode` applied (an error before anything changes, warnings, or
//! nothing).

use crate::error::{Error, SourceLocation};

use super::validator::SchemaError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is, as a dotted path (`functions.hello.events.0.http.method`); `root` for
    /// the top level.
    pub path: String,
    pub message: String,
    /// The key path whose line the error points at (an unrecognized property's own key).
    pub locate: String,
}

impl Problem {
    pub fn line(&self) -> String {
        let at = if self.path == "root" {
            "root".to_string()
        } else {
            format!("'{}'", self.path)
        };
        format!("at {at}: {}", self.message)
    }
}

pub(super) fn problems(errors: Vec<SchemaError>) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    for e in errors {
        let path = if e.path.is_empty() {
            "root".to_string()
        } else {
            e.path.join(".")
        };
        let message = match (&e.key, e.path.as_slice()) {
            (Some(k), [only]) if only == "functions" => format!("name '{k}' must be alphanumeric"),
            _ => e.message,
        };
        let locate = match &e.key {
            Some(k) if e.path.is_empty() => k.clone(),
            Some(k) => format!("{}.{k}", e.path.join(".")),
            None => e.path.join("."),
        };
        let problem = Problem {
            path,
            message,
            locate,
        };
        if !out.iter().any(|p| p.line() == problem.line()) {
            out.push(problem);
        }
    }
    out
}

/// Applies `configValidationMode` (osls's default: `error`) to the problems: an error naming every
/// problem and pointing at the first one's line, warnings, or nothing.
pub fn apply(
    mode: &str,
    problems: &[Problem],
    locate: &dyn Fn(&str) -> Option<Box<SourceLocation>>,
) -> Result<Vec<String>, Error> {
    if problems.is_empty() || mode == "off" {
        return Ok(Vec::new());
    }
    let lines: Vec<String> = problems.iter().map(Problem::line).collect();
    if mode == "warn" {
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
