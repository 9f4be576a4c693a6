//! `msk`: an event source mapping per Amazon MSK cluster topic, and per function the statements to
//! describe the clusters and reach them in their VPC.

use serde_json::{json, Map, Value};

use super::{alphanumeric, event_error, mapping_depends_on, put_batching, vpc_access_statement};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::normalized_name;
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
        for (index, event) in super::events_of(f, "msk") {
            let get = |k: &str| event.get(k).filter(|v| !v.is_null());
            let arn = get("arn").cloned().unwrap_or(Value::Null);
            let topic = get("topic").and_then(Value::as_str).unwrap_or_default();
            let starting = get("startingPosition")
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(json!("TRIM_HORIZON"));
            if starting == "AT_TIMESTAMP" && get("startingPositionTimestamp").is_none() {
                return Err(event_error(service, f, index, "msk", "FUNCTION_MSK_STARTING_POSITION_TIMESTAMP_INVALID", format!(
                    "You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP.",
                    f.key
                )));
            }
            let mut props = Map::new();
            props.insert("EventSourceArn".into(), arn.clone());
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert("StartingPosition".into(), starting);
            props.insert("Topics".into(), json!([topic]));
            if let Some(t) = get("startingPositionTimestamp") {
                props.insert("StartingPositionTimestamp".into(), t.clone());
            }
            if let Some(g) = get("consumerGroupId").filter(|v| truthy(v)) {
                props.insert(
                    "AmazonManagedKafkaEventSourceConfig".into(),
                    json!({ "ConsumerGroupId": g }),
                );
            }
            if let Some(secret) = get("saslScram512") {
                props.insert(
                    "SourceAccessConfigurations".into(),
                    json!([{ "Type": "SASL_SCRAM_512_AUTH", "URI": secret }]),
                );
            }
            put_batching(&mut props, event);
            let cluster: String = alphanumeric(&cluster_token(&arn))
                .chars()
                .take(79)
                .collect();
            let topic_id: String = alphanumeric(topic).chars().take(79).collect();
            clusters.push(arn);
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
