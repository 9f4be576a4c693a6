//! `activemq` and `rabbitmq`: a broker queue Lambda reads with a basic-auth secret (and, for RabbitMQ,
//! a virtual host).

use serde_json::Value;

use super::body::{string_field, truthy_field, value_field};
use super::mapping::{batching, Batching};

#[derive(Debug, Clone)]
pub struct BrokerEvent {
    /// The broker's ARN: a string or a CloudFormation reference.
    pub arn: Value,
    pub queue: String,
    /// The secret holding the broker's user and password.
    pub basic_auth_arn: Value,
    /// RabbitMQ's `virtualHost` when truthy (none for ActiveMQ).
    pub virtual_host: Option<Value>,
    pub batching: Batching,
}

/// An `activemq` event (the schema requires `arn`, `queue` and `basicAuthArn`; nothing else to check).
pub(super) fn parse_activemq(body: &Value) -> BrokerEvent {
    broker(body, None)
}

/// A `rabbitmq` event.
pub(super) fn parse_rabbitmq(body: &Value) -> BrokerEvent {
    broker(body, truthy_field(body, "virtualHost"))
}

fn broker(body: &Value, virtual_host: Option<Value>) -> BrokerEvent {
    BrokerEvent {
        arn: value_field(body, "arn").unwrap_or(Value::Null),
        queue: string_field(body, "queue").unwrap_or_default(),
        basic_auth_arn: value_field(body, "basicAuthArn").unwrap_or(Value::Null),
        virtual_host,
        batching: batching(body),
    }
}
