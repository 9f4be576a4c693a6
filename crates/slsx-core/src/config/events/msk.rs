//! `msk`: a topic of an Amazon MSK cluster Lambda reads.

use serde_json::Value;

use super::body::{string_field, truthy_field, value_field};
use super::mapping::{batching, starting_position, Batching, StartingPosition};
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct MskEvent {
    /// The cluster's ARN: a string or a CloudFormation reference.
    pub arn: Value,
    pub topic: String,
    pub starting: StartingPosition,
    /// Set and truthy.
    pub consumer_group_id: Option<Value>,
    /// `saslScram512`: the secret to authenticate with.
    pub sasl_scram_512: Option<Value>,
    pub batching: Batching,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<MskEvent> {
    Ok(MskEvent {
        arn: value_field(body, "arn").unwrap_or(Value::Null),
        topic: string_field(body, "topic").unwrap_or_default(),
        starting: starting_position(
            service,
            f,
            index,
            "msk",
            "FUNCTION_MSK_STARTING_POSITION_TIMESTAMP_INVALID",
            body,
        )?,
        consumer_group_id: truthy_field(body, "consumerGroupId"),
        sasl_scram_512: value_field(body, "saslScram512"),
        batching: batching(body),
    })
}
