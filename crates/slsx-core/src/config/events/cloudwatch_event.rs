//! `cloudwatchEvent`: a rule on the default bus matching an event pattern, with at most one of
//! `input`, `inputPath` and `inputTransformer` for what the function receives.

use serde_json::{Map, Value};

use super::body::field;
use super::event_error;
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct CloudwatchEventEvent {
    /// `event`: the pattern, as written.
    pub pattern: Option<Value>,
    /// `input`: a non-empty string as written, a mapping as its JSON text.
    pub input: Option<String>,
    /// `inputPath`, when a non-empty string.
    pub input_path: Option<String>,
    /// `inputTransformer`, when a mapping.
    pub input_transformer: Option<Map<String, Value>>,
    /// False only for `enabled: false`.
    pub enabled: bool,
    /// `description`, when a non-empty string.
    pub description: Option<String>,
    /// `name`, when a non-empty string.
    pub name: Option<String>,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<CloudwatchEventEvent> {
    if input_forms(body) > 1 {
        return Err(event_error(
            service,
            f,
            index,
            "cloudwatchEvent",
            "CLOUDWATCH_MULTIPLE_INPUT_PROPERTIES",
            "You can only set one of input, inputPath, or inputTransformer properties at the same time for cloudwatch events. Please check the AWS docs for more info".into(),
        ));
    }
    let text = |k: &str| {
        field(body, k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(CloudwatchEventEvent {
        pattern: field(body, "event").cloned(),
        input: match field(body, "input") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(v @ Value::Object(_)) => Some(v.to_string()),
            _ => None,
        },
        input_path: text("inputPath"),
        input_transformer: field(body, "inputTransformer")
            .and_then(Value::as_object)
            .cloned(),
        enabled: field(body, "enabled") != Some(&Value::Bool(false)),
        description: text("description"),
        name: text("name"),
    })
}

/// How many of `input`, `inputPath` and `inputTransformer` an event sets (at most one is allowed;
/// `""` and `false` count as unset).
pub(super) fn input_forms(event: &Value) -> usize {
    ["input", "inputPath", "inputTransformer"]
        .iter()
        .filter(|k| {
            field(event, k).is_some_and(|v| {
                !matches!(v, Value::String(s) if s.is_empty()) && v != &Value::Bool(false)
            })
        })
        .count()
}
