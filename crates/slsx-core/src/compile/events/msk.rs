//! `msk`: an event source mapping per Amazon MSK cluster topic, and per function the statements to
//! describe the clusters and reach them in their VPC.

use serde_json::{json, Map, Value};

use super::brokers::{put_batching, vpc_access_statement};
use super::{alphanumeric, events_of_type, mapping_depends_on};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

/// The cluster's name in the mapping's logical ID: an import's or `Ref`'s name, else the ARN's
/// second `/` part.
fn cluster_token(arn: &Value) -> String {
    if let Some(v) = arn.get("Fn::ImportValue").or_else(|| arn.get("Ref")) {
        return v.as_str().unwrap_or_default().to_string();
    }
    arn.as_str()
        .and_then(|s| s.split('/').nth(1))
        .unwrap_or_default()
        .to_string()
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let mut clusters = Vec::new();
        for (_, event) in events_of_type!(f, Msk) {
            let mut props = Map::new();
            props.insert("EventSourceArn".into(), event.arn.clone());
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert("StartingPosition".into(), event.starting.position.clone());
            props.insert("Topics".into(), json!([event.topic]));
            if let Some(t) = &event.starting.timestamp {
                props.insert("StartingPositionTimestamp".into(), t.clone());
            }
            if let Some(g) = &event.consumer_group_id {
                props.insert(
                    "AmazonManagedKafkaEventSourceConfig".into(),
                    json!({ "ConsumerGroupId": g }),
                );
            }
            if let Some(secret) = &event.sasl_scram_512 {
                props.insert(
                    "SourceAccessConfigurations".into(),
                    json!([{ "Type": "SASL_SCRAM_512_AUTH", "URI": secret }]),
                );
            }
            put_batching(&mut props, &event.batching);
            let cluster: String = alphanumeric(&cluster_token(&event.arn))
                .chars()
                .take(79)
                .collect();
            let topic_id: String = alphanumeric(&event.topic).chars().take(79).collect();
            clusters.push(event.arn.clone());
            resources.insert(
                format!("{n}EventSourceMappingMSK{cluster}{topic_id}"),
                json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": mapping_depends_on(service, f), "Properties": props }),
            );
        }
        if !clusters.is_empty() {
            crate::compile::iam::push_statement(
                resources,
                json!({ "Effect": "Allow", "Action": ["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"], "Resource": clusters }),
                false,
            );
            crate::compile::iam::push_statement(resources, vpc_access_statement(), false);
        }
    }
    Ok(())
}
