//! `kafka`: an event source mapping per self-managed Kafka topic with its bootstrap servers and
//! access configurations, and per function the statements to read the secrets and reach the VPC.

use serde_json::{json, Map, Value};

use super::{alphanumeric, event_error, mapping_depends_on, put_batching, vpc_access_statement};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// An access configuration key: its Lambda type, the URI prefix, and whether it names a secret.
fn access_type(key: &str) -> (String, &'static str, bool) {
    match key {
        "vpcSubnet" => ("VPC_SUBNET".into(), "subnet:", false),
        "vpcSecurityGroup" => ("VPC_SECURITY_GROUP".into(), "security_group:", false),
        "saslPlainAuth" => ("BASIC_AUTH".into(), "", true),
        "saslScram256Auth" => ("SASL_SCRAM_256_AUTH".into(), "", true),
        "saslScram512Auth" => ("SASL_SCRAM_512_AUTH".into(), "", true),
        "clientCertificateTlsAuth" => ("CLIENT_CERTIFICATE_TLS_AUTH".into(), "", true),
        "serverRootCaCertificate" => ("SERVER_ROOT_CA_CERTIFICATE".into(), "", true),
        other => (other.to_string(), "", false),
    }
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let (mut has_kafka, mut needs_ec2, mut secrets) = (false, false, Vec::new());
        for (index, event) in super::events_of(f, "kafka") {
            let get = |k: &str| event.get(k).filter(|v| !v.is_null());
            let access = get("accessConfigurations")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let (sg, subnet) = (
                access.contains_key("vpcSecurityGroup"),
                access.contains_key("vpcSubnet"),
            );
            if sg != subnet {
                let missing = if sg { "vpcSubnet" } else { "vpcSecurityGroup" };
                return Err(event_error(service, f, index, "kafka", "FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID", format!(
                    "You must specify at least one \"{missing}\" accessConfiguration for function: {}",
                    f.key
                )));
            }
            has_kafka = true;
            let starting = get("startingPosition")
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(json!("TRIM_HORIZON"));
            if starting == "AT_TIMESTAMP" && get("startingPositionTimestamp").is_none() {
                return Err(event_error(service, f, index, "kafka", "FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID", format!(
                    "You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP.",
                    f.key
                )));
            }
            let topic = get("topic").and_then(Value::as_str).unwrap_or_default();
            let mut configurations = Vec::new();
            for (key, values) in &access {
                let (kind, prefix, secret) = access_type(key);
                needs_ec2 |= key == "vpcSubnet" || key == "vpcSecurityGroup";
                for v in values.as_array().into_iter().flatten() {
                    if secret {
                        secrets.push(v.clone());
                    }
                    let uri = match v {
                        Value::String(s) => json!(format!("{prefix}{s}")),
                        other => json!(format!("{prefix}{other}")),
                    };
                    configurations.push(json!({ "Type": kind, "URI": uri }));
                }
            }
            let mut props = Map::new();
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert("StartingPosition".into(), starting);
            props.insert(
                "SelfManagedEventSource".into(),
                json!({ "Endpoints": { "KafkaBootstrapServers": get("bootstrapServers") } }),
            );
            props.insert("Topics".into(), json!([topic]));
            props.insert(
                "SourceAccessConfigurations".into(),
                Value::Array(configurations),
            );
            if let Some(g) = get("consumerGroupId").filter(|v| truthy(v)) {
                props.insert(
                    "SelfManagedKafkaEventSourceConfig".into(),
                    json!({ "ConsumerGroupId": g }),
                );
            }
            if let Some(t) = get("startingPositionTimestamp") {
                props.insert("StartingPositionTimestamp".into(), t.clone());
            }
            if let Some(d) = get("onFailureDestination").filter(|v| truthy(v)) {
                props.insert(
                    "DestinationConfig".into(),
                    json!({ "OnFailure": { "Destination": d } }),
                );
            }
            put_batching(&mut props, event);
            let topic_id: String = alphanumeric(topic).chars().take(158).collect();
            resources.insert(
                format!("{n}EventSourceMappingKafka{topic_id}"),
                json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": mapping_depends_on(service, f), "Properties": props }),
            );
        }
        if has_kafka {
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
    }
    Ok(())
}
