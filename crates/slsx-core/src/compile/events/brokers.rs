//! What the broker and Kafka mappings (`activemq`, `rabbitmq`, `kafka`, `msk`) share: the batching
//! properties and the statement letting Lambda reach the source in its VPC.

use serde_json::{json, Map, Value};

use super::{filter_criteria, put};
use crate::config::events::Batching;

/// `BatchSize` and `MaximumBatchingWindowInSeconds` when set and not zero, `Enabled` when given,
/// `FilterCriteria` and `ProvisionedPollerConfig`.
pub(super) fn put_batching(props: &mut Map<String, Value>, batching: &Batching) {
    put(props, "BatchSize", batching.batch_size.clone());
    put(
        props,
        "MaximumBatchingWindowInSeconds",
        batching.maximum_batching_window.clone(),
    );
    put(props, "Enabled", batching.enabled.clone());
    put(
        props,
        "FilterCriteria",
        batching.filter_patterns.as_ref().and_then(filter_criteria),
    );
    if let Some(p) = &batching.provisioned_pollers {
        let mut out = Map::new();
        put(&mut out, "MinimumPollers", p.minimum.clone());
        put(&mut out, "MaximumPollers", p.maximum.clone());
        props.insert("ProvisionedPollerConfig".into(), Value::Object(out));
    }
}

/// The statement letting Lambda reach an event source inside a VPC (brokers, Kafka clusters).
pub(super) fn vpc_access_statement() -> Value {
    json!({
        "Effect": "Allow",
        "Action": ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"],
        "Resource": "*"
    })
}
