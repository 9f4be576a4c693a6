//! `sns`: a topic Serverless creates (by name), or an existing topic (by ARN) the function subscribes
//! to, with the subscription's filter and dead-letter queue.

use serde_json::Value;

use super::body::{field, string_field, value_field};
use super::event_error;
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct SnsEvent {
    /// The topic's name: the name of a topic Serverless creates, and the logical IDs' part.
    pub topic_name: String,
    /// An existing topic's ARN (a string or a CloudFormation reference); none: Serverless creates it.
    pub arn: Option<Value>,
    /// The region of a topic given by a plain `arn` when it is not the service's.
    pub region: Option<String>,
    pub display_name: Option<Value>,
    pub filter_policy: Option<Value>,
    pub filter_policy_scope: Option<Value>,
    /// `redrivePolicy`'s dead-letter queue.
    pub dead_letter: Option<DeadLetterQueue>,
}

/// The queue of `redrivePolicy`, in one of its three forms.
#[derive(Debug, Clone)]
pub enum DeadLetterQueue {
    /// `deadLetterTargetArn`: the queue's ARN.
    Arn(String),
    /// `deadLetterTargetRef`: the queue's logical ID in this stack.
    Ref(Value),
    /// `deadLetterTargetImport`: the exported `{ arn, url }` names.
    Import(Value),
}

/// The event; none for a body that is neither a mapping nor a string (only possible with validation
/// off), which osls's compiler passes over.
pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<Option<SnsEvent>> {
    let mut arn = None;
    let mut region = None;
    let topic_name = match body {
        Value::Object(_) => match field(body, "arn") {
            Some(given) => {
                arn = Some(given.clone());
                let mut name = None;
                if let Value::String(s) = given {
                    let parts = split_arn(s);
                    name = parts.last().cloned();
                    if parts.get(3).map(String::as_str) != Some(service.region.as_str()) {
                        region = parts.get(3).cloned();
                    }
                }
                match string_field(body, "topicName").or(name) {
                    Some(n) => n,
                    None => {
                        return Err(event_error(
                            service,
                            f,
                            index,
                            "sns",
                            "SNS_MISSING_TOPIC_NAME",
                            "Missing \"sns.topicName\" setting (it needs to be provided if \"sns.arn\" is not provided as plain ARN string)".into(),
                        ))
                    }
                }
            }
            None => string_field(body, "topicName").unwrap_or_default(),
        },
        Value::String(s) if s.starts_with("arn:") => {
            arn = Some(body.clone());
            s.rsplit(':').next().unwrap_or_default().to_string()
        }
        Value::String(s) => s.clone(),
        _ => return Ok(None),
    };
    Ok(Some(SnsEvent {
        topic_name,
        arn,
        region,
        display_name: value_field(body, "displayName"),
        filter_policy: value_field(body, "filterPolicy"),
        filter_policy_scope: value_field(body, "filterPolicyScope"),
        dead_letter: field(body, "redrivePolicy")
            .and_then(Value::as_object)
            .map(|policy| {
                if let Some(Value::String(arn)) = policy.get("deadLetterTargetArn") {
                    DeadLetterQueue::Arn(arn.clone())
                } else if let Some(r) = policy.get("deadLetterTargetRef") {
                    DeadLetterQueue::Ref(r.clone())
                } else {
                    DeadLetterQueue::Import(
                        policy
                            .get("deadLetterTargetImport")
                            .cloned()
                            .unwrap_or(Value::Null),
                    )
                }
            }),
    }))
}

/// Splits an ARN on single colons (a `::` stays inside a part), like osls.
fn split_arn(arn: &str) -> Vec<String> {
    let chars: Vec<char> = arn.chars().collect();
    let mut parts = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let single = c == ':' && (i == 0 || chars[i - 1] != ':') && chars.get(i + 1) != Some(&':');
        if single {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}
