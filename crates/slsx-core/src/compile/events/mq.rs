//! `activemq` and `rabbitmq`: an event source mapping per broker queue reading with the basic-auth
//! secret (and, for RabbitMQ, the virtual host), and per function the statements to read the secret,
//! describe the broker and reach it in its VPC.

use serde_json::{json, Map, Value};

use super::brokers::{put_batching, vpc_access_statement};
use super::{alphanumeric, events_of_type, mapping_depends_on};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::BrokerEvent;
use crate::config::{Function, Service};
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    // osls compiles every ActiveMQ event, then every RabbitMQ one.
    for f in &service.functions {
        let events: Vec<_> = events_of_type!(f, ActiveMq).map(|(_, e)| e).collect();
        compile_function(service, f, "ActiveMQ", &events, resources);
    }
    for f in &service.functions {
        let events: Vec<_> = events_of_type!(f, RabbitMq).map(|(_, e)| e).collect();
        compile_function(service, f, "RabbitMQ", &events, resources);
    }
    Ok(())
}

/// One function's mappings of one broker type (`word` in their logical IDs) and its statements.
fn compile_function(
    service: &Service,
    f: &Function,
    word: &str,
    events: &[&BrokerEvent],
    resources: &mut Map<String, Value>,
) {
    let n = normalized_name(&f.key);
    let (mut secrets, mut brokers) = (Vec::new(), Vec::new());
    for event in events {
        let queue_id: String = alphanumeric(&event.queue).chars().take(150).collect();
        let mut access = vec![json!({ "Type": "BASIC_AUTH", "URI": event.basic_auth_arn })];
        if let Some(host) = &event.virtual_host {
            access.push(json!({ "Type": "VIRTUAL_HOST", "URI": host }));
        }
        let mut props = Map::new();
        props.insert(
            "FunctionName".into(),
            lambda_target(&f.key, target_alias(f).as_ref()),
        );
        props.insert("EventSourceArn".into(), event.arn.clone());
        props.insert("Queues".into(), json!([event.queue]));
        props.insert("SourceAccessConfigurations".into(), Value::Array(access));
        put_batching(&mut props, &event.batching);
        brokers.push(event.arn.clone());
        secrets.push(event.basic_auth_arn.clone());
        resources.insert(
            format!("{n}EventSourceMapping{word}{queue_id}"),
            json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": mapping_depends_on(service, f), "Properties": props }),
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
