//! `sqs`: an `AWS::Lambda::EventSourceMapping` per queue, and one statement letting the role receive
//! and delete from every queue.

use serde_json::{json, Map, Value};

use super::{alphanumeric, events_of_type, filter_criteria, mapping_depends_on, put};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut queues = Vec::new();
    for f in &service.functions {
        for (_, event) in events_of_type!(f, Sqs) {
            let mut props = Map::new();
            props.insert(
                "BatchSize".into(),
                event.batch_size.clone().unwrap_or(json!(10)),
            );
            put(
                &mut props,
                "MaximumBatchingWindowInSeconds",
                event.maximum_batching_window.clone(),
            );
            props.insert("EventSourceArn".into(), event.arn.clone());
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert(
                "Enabled".into(),
                event.enabled.clone().unwrap_or(json!(true)),
            );
            if let Some(t) = &event.function_response_type {
                props.insert("FunctionResponseTypes".into(), json!([t]));
            }
            put(
                &mut props,
                "FilterCriteria",
                event.filter_patterns.as_ref().and_then(filter_criteria),
            );
            if let Some(c) = &event.maximum_concurrency {
                props.insert("ScalingConfig".into(), json!({ "MaximumConcurrency": c }));
            }
            queues.push(event.arn.clone());
            resources.insert(
                format!("{}EventSourceMappingSQS{}", normalized_name(&f.key), alphanumeric(&event.queue)),
                json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": mapping_depends_on(service, f), "Properties": props }),
            );
        }
    }
    if !queues.is_empty() {
        crate::compile::iam::push_statement(
            resources,
            json!({ "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": queues }),
            false,
        );
    }
    Ok(())
}
