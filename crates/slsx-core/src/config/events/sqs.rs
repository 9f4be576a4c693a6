//! `sqs`: a queue Lambda polls (an ARN, or an object with `arn` and the polling settings).

use serde_json::Value;

use super::{event_error, source_name};
use crate::config::{js_truthy, Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct SqsEvent {
    /// The queue's ARN: a string or a CloudFormation reference.
    pub arn: Value,
    /// The queue's name as osls derives it (for logical IDs).
    pub queue: String,
    /// Set and truthy (osls's default of 10 otherwise).
    pub batch_size: Option<Value>,
    pub maximum_batching_window: Option<Value>,
    pub enabled: Option<Value>,
    pub function_response_type: Option<Value>,
    pub filter_patterns: Option<Value>,
    /// Set and truthy.
    pub maximum_concurrency: Option<Value>,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<SqsEvent> {
    let obj = body.as_object();
    let get = |k: &str| obj.and_then(|o| o.get(k)).filter(|v| !v.is_null()).cloned();
    let arn = match body {
        Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let queue =
        source_name(&arn, |s| s.rsplit(':').next().unwrap_or(s).to_string()).ok_or_else(|| {
            event_error(
                service,
                f,
                index,
                "sqs",
                "SQS_INVALID_ARN",
                "\"arn\" must be a queue ARN or a CloudFormation reference to one".into(),
            )
        })?;
    Ok(SqsEvent {
        arn,
        queue,
        batch_size: get("batchSize").filter(js_truthy),
        maximum_batching_window: get("maximumBatchingWindow"),
        enabled: get("enabled"),
        function_response_type: get("functionResponseType"),
        filter_patterns: get("filterPatterns"),
        maximum_concurrency: get("maximumConcurrency").filter(js_truthy),
    })
}
