//! `stream`: a DynamoDB or Kinesis stream Lambda reads (an ARN, or an object with `arn` and the
//! polling settings), optionally through a Kinesis consumer.

use serde_json::Value;

use super::body::{field, string_field, truthy_field, value_field};
use super::{event_error, source_name};
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct StreamEvent {
    /// The stream's ARN: a string or a CloudFormation reference.
    pub arn: Value,
    /// `type`, else the ARN's service (`dynamodb`, `kinesis`).
    pub stream_type: String,
    /// The stream's name as osls derives it (for logical IDs).
    pub stream_name: String,
    // The settings copied into the mapping as written. osls tests batchSize, parallelizationFactor,
    // startingPosition, startingPositionTimestamp and maximumRecordAgeInSeconds for truthiness: those
    // are unset here when falsy (`0`, `""`).
    pub batch_size: Option<Value>,
    pub enabled: Option<Value>,
    pub parallelization_factor: Option<Value>,
    pub starting_position: Option<Value>,
    pub starting_position_timestamp: Option<Value>,
    pub batch_window: Option<Value>,
    pub maximum_retry_attempts: Option<Value>,
    pub bisect_batch_on_function_error: Option<Value>,
    pub function_response_type: Option<Value>,
    pub maximum_record_age: Option<Value>,
    pub tumbling_window: Option<Value>,
    pub filter_patterns: Option<Value>,
    /// `consumer` when truthy.
    pub consumer: Option<StreamConsumer>,
    /// `destinations.onFailure`.
    pub on_failure: Option<FailureDestination>,
}

/// How a Kinesis stream is read through a consumer.
#[derive(Debug, Clone)]
pub enum StreamConsumer {
    /// `consumer: true`: a consumer Serverless creates.
    Dedicated,
    /// An existing consumer's ARN (or reference).
    Arn(Value),
}

/// Where records that failed go.
#[derive(Debug, Clone)]
pub struct FailureDestination {
    pub arn: Value,
    /// An SNS topic (by `type`, else the ARN's service); otherwise an SQS queue.
    pub sns: bool,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<StreamEvent> {
    let arn = match body {
        Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let invalid = || {
        event_error(service, f, index, "stream", "STREAM_INVALID_ARN", "\"arn\" must be a stream ARN, or a CloudFormation reference to one together with \"type\"".into())
    };
    let stream_type = match string_field(body, "type") {
        Some(t) => t,
        None => arn_part(&arn, 2).ok_or_else(invalid)?,
    };
    let stream_name = source_name(&arn, |s| {
        s.split('/').nth(1).unwrap_or_default().to_string()
    })
    .ok_or_else(invalid)?;
    // A joined ARN names its stream after the last `/`.
    let stream_name = if arn.get("Fn::Join").is_some() {
        stream_name
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        stream_name
    };
    let consumer = truthy_field(body, "consumer").map(|c| match c {
        Value::Bool(true) => StreamConsumer::Dedicated,
        other => StreamConsumer::Arn(other),
    });
    let starting_position_timestamp = truthy_field(body, "startingPositionTimestamp");
    if consumer.is_some()
        && stream_type == "kinesis"
        && field(body, "startingPosition").and_then(Value::as_str) == Some("AT_TIMESTAMP")
        && starting_position_timestamp.is_none()
    {
        return Err(event_error(
            service,
            f,
            index,
            "stream",
            "FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID",
            format!("You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP", f.key),
        ));
    }
    Ok(StreamEvent {
        batch_size: truthy_field(body, "batchSize"),
        enabled: value_field(body, "enabled"),
        parallelization_factor: truthy_field(body, "parallelizationFactor"),
        starting_position: truthy_field(body, "startingPosition"),
        starting_position_timestamp,
        batch_window: value_field(body, "batchWindow"),
        maximum_retry_attempts: value_field(body, "maximumRetryAttempts"),
        bisect_batch_on_function_error: value_field(body, "bisectBatchOnFunctionError"),
        function_response_type: value_field(body, "functionResponseType"),
        maximum_record_age: truthy_field(body, "maximumRecordAgeInSeconds"),
        tumbling_window: value_field(body, "tumblingWindowInSeconds"),
        filter_patterns: value_field(body, "filterPatterns"),
        on_failure: field(body, "destinations")
            .and_then(|d| field(d, "onFailure"))
            .map(failure_destination),
        consumer,
        arn,
        stream_type,
        stream_name,
    })
}

/// `destinations.onFailure`: an ARN, or `{ arn, type }`.
fn failure_destination(on_failure: &Value) -> FailureDestination {
    let arn = match on_failure {
        Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let kind = on_failure
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| arn_part(&arn, 2));
    FailureDestination {
        sns: kind.as_deref() == Some("sns"),
        arn,
    }
}

/// The `n`th `:` part of a string ARN.
fn arn_part(arn: &Value, n: usize) -> Option<String> {
    arn.as_str()
        .and_then(|s| s.split(':').nth(n))
        .map(str::to_string)
}
