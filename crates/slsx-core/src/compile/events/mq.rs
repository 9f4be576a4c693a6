//! `activemq` and `rabbitmq`: an event source mapping per broker queue reading with the basic-auth
//! secret (and, for RabbitMQ, the virtual host), and per function the statements to read the secret,
//! describe the broker and reach it in its VPC.

use serde_json::{json, Map, Value};

use super::{alphanumeric, mapping_depends_on, put_batching, vpc_access_statement};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// `kind` and the word in the mapping's logical ID.
const KINDS: [(&str, &str); 2] = [("activemq", "ActiveMQ"), ("rabbitmq", "RabbitMQ")];

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for (kind, word) in KINDS {
        for f in &service.functions {
            let n = normalized_name(&f.key);
            let (mut secrets, mut brokers) = (Vec::new(), Vec::new());
            for (_, event) in super::events_of(f, kind) {
                let get = |k: &str| event.get(k).filter(|v| !v.is_null());
                let queue = get("queue").and_then(Value::as_str).unwrap_or_default();
                let queue_id: String = alphanumeric(queue).chars().take(150).collect();
                let depends_on = mapping_depends_on(service, f);
                let arn = get("arn").cloned().unwrap_or(Value::Null);
                let auth = get("basicAuthArn").cloned().unwrap_or(Value::Null);
                let mut access = vec![json!({ "Type": "BASIC_AUTH", "URI": auth })];
                if kind == "rabbitmq" {
                    if let Some(host) = get("virtualHost").filter(|v| truthy(v)) {
                        access.push(json!({ "Type": "VIRTUAL_HOST", "URI": host }));
                    }
                }
                let mut props = Map::new();
                props.insert(
                    "FunctionName".into(),
                    lambda_target(&f.key, target_alias(f).as_ref()),
                );
                props.insert("EventSourceArn".into(), arn.clone());
                props.insert("Queues".into(), json!([queue]));
                props.insert("SourceAccessConfigurations".into(), Value::Array(access));
                put_batching(&mut props, event);
                brokers.push(arn);
                secrets.push(auth);
                resources.insert(
                    format!("{n}EventSourceMapping{word}{queue_id}"),
                    json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": depends_on, "Properties": props }),
                );
            }
            if !brokers.is_empty() {
                for statement in [
                    json!({ "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secrets }),
                    json!({ "Effect": "Allow", "Action": ["mq:DescribeBroker"], "Resource": brokers }),
                    vpc_access_statement(),
                ] {
                    crate::compile::iam::push_statement(resources, statement, false);
                }
            }
        }
    }
    Ok(())
}
