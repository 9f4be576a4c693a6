//! `kafka`: an event source mapping per self-managed Kafka topic with its bootstrap servers and
//! access configurations, and per function the statements to read the secrets and reach the VPC.

use serde_json::{json, Map, Value};

use super::brokers::{put_batching, vpc_access_statement};
use super::{alphanumeric, events_of_type, mapping_depends_on};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let (mut needs_ec2, mut secrets) = (false, Vec::new());
        for (_, event) in events_of_type!(f, Kafka) {
            needs_ec2 |= event.vpc;
            let configurations: Vec<Value> = event
                .access
                .iter()
                .map(|a| json!({ "Type": a.kind, "URI": a.uri }))
                .collect();
            secrets.extend(event.access.iter().filter_map(|a| a.secret.clone()));
            let mut props = Map::new();
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert("StartingPosition".into(), event.starting.position.clone());
            props.insert(
                "SelfManagedEventSource".into(),
                json!({ "Endpoints": { "KafkaBootstrapServers": event.bootstrap_servers } }),
            );
            props.insert("Topics".into(), json!([event.topic]));
            props.insert(
                "SourceAccessConfigurations".into(),
                Value::Array(configurations),
            );
            if let Some(g) = &event.consumer_group_id {
                props.insert(
                    "SelfManagedKafkaEventSourceConfig".into(),
                    json!({ "ConsumerGroupId": g }),
                );
            }
            if let Some(t) = &event.starting.timestamp {
                props.insert("StartingPositionTimestamp".into(), t.clone());
            }
            if let Some(d) = &event.on_failure_destination {
                props.insert(
                    "DestinationConfig".into(),
                    json!({ "OnFailure": { "Destination": d } }),
                );
            }
            put_batching(&mut props, &event.batching);
            let topic_id: String = alphanumeric(&event.topic).chars().take(158).collect();
            resources.insert(
                format!("{n}EventSourceMappingKafka{topic_id}"),
                json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": mapping_depends_on(service, f), "Properties": props }),
            );
        }
        if !secrets.is_empty() {
            crate::compile::iam::push_statement(
                resources,
                json!({ "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets }),
                false,
            );
        }
        if needs_ec2 {
            crate::compile::iam::push_statement(resources, vpc_access_statement(), false);
        }
    }
    Ok(())
}
