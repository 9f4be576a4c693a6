//! What the event source mappings of brokers and Kafka (`activemq`, `rabbitmq`, `kafka`, `msk`) share:
//! the batching settings and the starting position.

use serde_json::{json, Value};

use super::body::{field, truthy_field, value_field};
use super::event_error;
use crate::config::{Function, Service};
use crate::error::Result;

/// Batching, enabling, filtering and provisioned pollers of a broker or Kafka mapping.
#[derive(Debug, Clone)]
pub struct Batching {
    /// Set and truthy (osls leaves `0` out).
    pub batch_size: Option<Value>,
    /// Set and truthy.
    pub maximum_batching_window: Option<Value>,
    pub enabled: Option<Value>,
    pub filter_patterns: Option<Value>,
    /// `provisionedPollerConfig`, when it is a mapping.
    pub provisioned_pollers: Option<ProvisionedPollers>,
}

#[derive(Debug, Clone)]
pub struct ProvisionedPollers {
    pub minimum: Option<Value>,
    pub maximum: Option<Value>,
}

pub(super) fn batching(body: &Value) -> Batching {
    Batching {
        batch_size: truthy_field(body, "batchSize"),
        maximum_batching_window: truthy_field(body, "maximumBatchingWindow"),
        enabled: value_field(body, "enabled"),
        filter_patterns: value_field(body, "filterPatterns"),
        provisioned_pollers: field(body, "provisionedPollerConfig")
            .filter(|p| p.is_object())
            .map(|p| ProvisionedPollers {
                minimum: value_field(p, "minimumPollers"),
                maximum: value_field(p, "maximumPollers"),
            }),
    }
}

/// Where a Kafka or MSK mapping starts reading.
#[derive(Debug, Clone)]
pub struct StartingPosition {
    /// `startingPosition` when truthy, else osls's `TRIM_HORIZON`.
    pub position: Value,
    /// `startingPositionTimestamp` as written (required by `AT_TIMESTAMP`).
    pub timestamp: Option<Value>,
}

/// The starting position of a `kind` event; `AT_TIMESTAMP` without a timestamp is `code`.
pub(super) fn starting_position(
    service: &Service,
    f: &Function,
    index: usize,
    kind: &str,
    code: &'static str,
    body: &Value,
) -> Result<StartingPosition> {
    let position = truthy_field(body, "startingPosition").unwrap_or(json!("TRIM_HORIZON"));
    let timestamp = value_field(body, "startingPositionTimestamp");
    if position == "AT_TIMESTAMP" && timestamp.is_none() {
        return Err(event_error(
            service,
            f,
            index,
            kind,
            code,
            format!(
                "You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP.",
                f.key
            ),
        ));
    }
    Ok(StartingPosition {
        position,
        timestamp,
    })
}
