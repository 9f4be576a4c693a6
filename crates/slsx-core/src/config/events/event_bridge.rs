//! `eventBridge`: a rule on the default bus, a bus the stack creates (by name) or an existing one (by
//! ARN or reference), with a pattern or schedule and what the function receives. In Serverless v3's
//! legacy mode (`provider.eventBridge` without `useCloudFormation: true`) a custom resource applies the
//! rule, which cannot reference a bus, retry, or use a dead-letter queue.

use serde_json::{Map, Value};

use super::body::{field, truthy_field, value_field};
use super::cloudwatch_event::input_forms;
use super::event_error;
use crate::config::{js_truthy, Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct EventBridgeEvent {
    /// `name`, when a non-empty string.
    pub name: Option<String>,
    /// False only for `enabled: false`.
    pub enabled: bool,
    pub event_bus: Option<EventBus>,
    pub schedule: Option<Value>,
    pub pattern: Option<Value>,
    pub description: Option<Value>,
    /// `input`, `inputPath` as written (at most one of these and `inputTransformer` is meaningful).
    pub input: Option<Value>,
    pub input_path: Option<Value>,
    /// `inputTransformer`, when a mapping.
    pub input_transformer: Option<Map<String, Value>>,
    /// `retryPolicy`, when a mapping.
    pub retry_policy: Option<RetryPolicy>,
    /// `deadLetterQueueArn`, when truthy.
    pub dead_letter_queue_arn: Option<Value>,
}

/// `eventBus`.
#[derive(Debug, Clone)]
pub enum EventBus {
    /// An existing bus by ARN; its name is what follows the first `/` (the whole ARN without one).
    Arn { arn: String, name: String },
    /// An existing bus by CloudFormation reference.
    Reference(Value),
    /// A bus by name: `default` (or empty) is the default bus, another is created by the stack. A
    /// scalar that is not a string (the schema refuses it) is kept as written.
    Name(Value),
}

impl EventBus {
    /// The bus's name, when it is a string (an ARN's name part).
    pub fn name(&self) -> Option<&str> {
        match self {
            EventBus::Arn { name, .. } => Some(name),
            EventBus::Name(v) => v.as_str(),
            EventBus::Reference(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub maximum_event_age: Option<Value>,
    pub maximum_retry_attempts: Option<Value>,
}

/// Serverless v3's legacy mode: `provider.eventBridge` set without `useCloudFormation: true` puts
/// each event in a `Custom::EventBridge` resource that a custom resource function applies.
pub fn uses_custom_resources(service: &Service) -> bool {
    service
        .provider
        .raw
        .get("eventBridge")
        .is_some_and(|e| !e.is_null() && !e.get("useCloudFormation").is_some_and(js_truthy))
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<EventBridgeEvent> {
    let fail =
        |code, message: String| Err(event_error(service, f, index, "eventBridge", code, message));
    if input_forms(body) > 1 {
        return fail("EVENTBRIDGE_MULTIPLE_INPUT_PROPERTIES", "You can only set one of input, inputPath, or inputTransformer properties for eventBridge events.".into());
    }
    if uses_custom_resources(service) {
        let unsupported = "is not supported for EventBridge integration backed by Custom Resources. Please use \"provider.eventBridge.useCloudFormation\" setting to use native CloudFormation support for EventBridge.";
        if truthy_field(body, "retryPolicy").is_some() {
            return fail(
                "ERROR_INVALID_RETRY_POLICY_TO_EVENT_BUS_CUSTOM_RESOURCE",
                format!("Configuring RetryPolicy {unsupported}"),
            );
        }
        if truthy_field(body, "deadLetterQueueArn").is_some() {
            return fail(
                "ERROR_INVALID_DEAD_LETTER_CONFIG_TO_EVENT_BUS_CUSTOM_RESOURCE",
                format!("Configuring DeadLetterConfig {unsupported}"),
            );
        }
        if field(body, "eventBus").is_some_and(Value::is_object) {
            return fail(
                "ERROR_INVALID_REFERENCE_TO_EVENT_BUS_CUSTOM_RESOURCE",
                format!(
                    "Referencing event bus with CloudFormation intrinsic functions {unsupported}"
                ),
            );
        }
    }
    Ok(EventBridgeEvent {
        name: field(body, "name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        enabled: field(body, "enabled") != Some(&Value::Bool(false)),
        event_bus: field(body, "eventBus").map(event_bus),
        schedule: value_field(body, "schedule"),
        pattern: value_field(body, "pattern"),
        description: value_field(body, "description"),
        input: value_field(body, "input"),
        input_path: value_field(body, "inputPath"),
        input_transformer: field(body, "inputTransformer")
            .and_then(Value::as_object)
            .cloned(),
        retry_policy: field(body, "retryPolicy")
            .and_then(Value::as_object)
            .map(|r| RetryPolicy {
                maximum_event_age: r.get("maximumEventAge").cloned(),
                maximum_retry_attempts: r.get("maximumRetryAttempts").cloned(),
            }),
        dead_letter_queue_arn: truthy_field(body, "deadLetterQueueArn"),
    })
}

fn event_bus(bus: &Value) -> EventBus {
    match bus {
        Value::String(s) if s.starts_with("arn") => EventBus::Arn {
            arn: s.clone(),
            name: s[s.find('/').map_or(0, |i| i + 1)..].to_string(),
        },
        v @ Value::Object(_) => EventBus::Reference(v.clone()),
        other => EventBus::Name(other.clone()),
    }
}
