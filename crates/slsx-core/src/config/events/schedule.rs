//! `schedule`: rate or cron expressions, run through an EventBridge rule (the default `eventBus`
//! method) or an EventBridge Scheduler schedule (`method: scheduler`).

use serde_json::{Map, Value};

use super::body::{field, string_field, value_field};
use super::event_error;
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct ScheduleEvent {
    /// The `rate` expressions (as written), one rule or schedule each.
    pub expressions: Vec<Value>,
    /// False for `enabled: false` (the state `DISABLED`).
    pub enabled: bool,
    pub method: ScheduleMethod,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `input` as the JSON text the target receives.
    pub input: Option<String>,
    pub input_path: Option<String>,
    pub input_transformer: Option<Map<String, Value>>,
    /// Scheduler mode's `roleArn`, `groupName` and `timezone`, as written.
    pub role_arn: Option<Value>,
    pub group_name: Option<Value>,
    pub timezone: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleMethod {
    /// An `AWS::Events::Rule` on the default bus (any `method` but `scheduler`).
    EventBus,
    /// An `AWS::Scheduler::Schedule`.
    Scheduler,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<ScheduleEvent> {
    let err =
        |code, message: &str| event_error(service, f, index, "schedule", code, message.to_string());
    let (expressions, enabled) = match body {
        Value::Object(o) => {
            let rates = match o.get("rate") {
                Some(Value::Array(a)) => a.clone(),
                Some(v @ Value::String(_)) => vec![v.clone()],
                _ => {
                    return Err(err(
                        "SCHEDULE_RATE_MISSING",
                        "a schedule needs \"rate\": a list of rate() or cron() expressions",
                    ))
                }
            };
            (rates, o.get("enabled") != Some(&Value::Bool(false)))
        }
        other => (vec![other.clone()], true),
    };
    let method = match string_field(body, "method").as_deref() {
        Some("scheduler") => ScheduleMethod::Scheduler,
        _ => ScheduleMethod::EventBus,
    };
    let name = string_field(body, "name");
    if expressions.len() > 1 && name.is_some() {
        return Err(err(
            "SCHEDULE_NAME_NOT_ALLOWED_MULTIPLE_RATES",
            "You cannot specify a name when defining more than one rate expression",
        ));
    }
    // Each setting only one of the two methods knows.
    let scheduler = method == ScheduleMethod::Scheduler;
    for (key, allowed) in [
        ("inputTransformer", !scheduler),
        ("inputPath", !scheduler),
        ("timezone", scheduler),
        ("groupName", scheduler),
    ] {
        if !allowed && field(body, key).is_some() {
            let message = if scheduler {
                format!("Cannot setup \"schedule\" event: \"{key}\" is not supported with \"scheduler\" mode")
            } else {
                format!("Cannot setup \"schedule\" event: \"{key}\" is only supported with \"scheduler\" mode")
            };
            return Err(err("SCHEDULE_PARAMETER_NOT_SUPPORTED", &message));
        }
    }
    Ok(ScheduleEvent {
        expressions,
        enabled,
        method,
        name,
        description: string_field(body, "description"),
        input: field(body, "input").map(input_text),
        input_path: string_field(body, "inputPath"),
        input_transformer: field(body, "inputTransformer")
            .and_then(Value::as_object)
            .cloned(),
        role_arn: value_field(body, "roleArn"),
        group_name: value_field(body, "groupName"),
        timezone: value_field(body, "timezone"),
    })
}

/// `input` as text: a string as it is; a mapping as JSON, its `body` string parsed first when it is
/// JSON (osls does so, so the target receives the body as an object).
fn input_text(input: &Value) -> String {
    match input {
        Value::Object(i) => {
            let mut i = i.clone();
            if let Some(Value::String(body)) = i.get("body") {
                if let Ok(parsed) = serde_json::from_str::<Value>(body) {
                    i.insert("body".into(), parsed);
                }
            }
            Value::Object(i).to_string()
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
