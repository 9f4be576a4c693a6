//! `kafka`: a topic of a self-managed Kafka cluster Lambda reads, with its bootstrap servers and the
//! access configurations (VPC subnets and security groups, authentication secrets).

use serde_json::Value;

use super::body::{field, string_field, truthy_field, value_field};
use super::event_error;
use super::mapping::{batching, starting_position, Batching, StartingPosition};
use crate::config::{Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct KafkaEvent {
    pub topic: String,
    pub bootstrap_servers: Option<Value>,
    /// One per value of `accessConfigurations`, in the order written.
    pub access: Vec<AccessConfiguration>,
    /// A VPC subnet and security group are configured: Lambda reaches the cluster in its VPC.
    pub vpc: bool,
    pub starting: StartingPosition,
    /// Set and truthy.
    pub consumer_group_id: Option<Value>,
    /// Set and truthy.
    pub on_failure_destination: Option<Value>,
    pub batching: Batching,
}

/// One `SourceAccessConfigurations` entry.
#[derive(Debug, Clone)]
pub struct AccessConfiguration {
    /// Lambda's type (`VPC_SUBNET`, `BASIC_AUTH` …).
    pub kind: String,
    pub uri: String,
    /// The value as written when it names a secret the role must read.
    pub secret: Option<Value>,
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<KafkaEvent> {
    let access = field(body, "accessConfigurations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (sg, subnet) = (
        access.contains_key("vpcSecurityGroup"),
        access.contains_key("vpcSubnet"),
    );
    if sg != subnet {
        let missing = if sg { "vpcSubnet" } else { "vpcSecurityGroup" };
        return Err(event_error(
            service,
            f,
            index,
            "kafka",
            "FUNCTION_KAFKA_VPC_ACCESS_CONFIGURATION_INVALID",
            format!(
                "You must specify at least one \"{missing}\" accessConfiguration for function: {}",
                f.key
            ),
        ));
    }
    let starting = starting_position(
        service,
        f,
        index,
        "kafka",
        "FUNCTION_KAFKA_STARTING_POSITION_TIMESTAMP_INVALID",
        body,
    )?;
    let mut configurations = Vec::new();
    for (key, values) in &access {
        let (kind, prefix, secret) = access_type(key);
        for v in values.as_array().into_iter().flatten() {
            let uri = match v {
                Value::String(s) => format!("{prefix}{s}"),
                other => format!("{prefix}{other}"),
            };
            configurations.push(AccessConfiguration {
                kind: kind.clone(),
                uri,
                secret: secret.then(|| v.clone()),
            });
        }
    }
    Ok(KafkaEvent {
        topic: string_field(body, "topic").unwrap_or_default(),
        bootstrap_servers: value_field(body, "bootstrapServers"),
        access: configurations,
        vpc: sg,
        starting,
        consumer_group_id: truthy_field(body, "consumerGroupId"),
        on_failure_destination: truthy_field(body, "onFailureDestination"),
        batching: batching(body),
    })
}

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
