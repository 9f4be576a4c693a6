//! `sqs`: an `AWS::Lambda::EventSourceMapping` per queue, and one statement letting the role receive
//! and delete from every queue.

use serde_json::{json, Map, Value};

use super::{
    alias_logical_id, alphanumeric, filter_criteria, put, role_resource_name, source_name,
};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut queues = Vec::new();
    for f in &service.functions {
        for (index, event) in super::events_of(f, "sqs") {
            let obj = event.as_object();
            let get = |k: &str| obj.and_then(|o| o.get(k)).filter(|v| !v.is_null());
            let arn = match event {
                Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            let queue = source_name(&arn, |s| s.rsplit(':').next().unwrap_or(s).to_string())
                .ok_or_else(|| {
                    super::event_error(
                        service,
                        f,
                        index,
                        "sqs",
                        "SQS_INVALID_ARN",
                        "\"arn\" must be a queue ARN or a CloudFormation reference to one".into(),
                    )
                })?;
            let mut depends_on = Vec::new();
            depends_on.extend(role_resource_name(service, f).map(Value::String));
            depends_on.extend(alias_logical_id(f).map(Value::String));
            let mut props = Map::new();
            let batch = get("batchSize")
                .filter(|v| super::super::functions::truthy(v))
                .cloned()
                .unwrap_or(json!(10));
            props.insert("BatchSize".into(), batch);
            put(
                &mut props,
                "MaximumBatchingWindowInSeconds",
                get("maximumBatchingWindow").cloned(),
            );
            props.insert("EventSourceArn".into(), arn.clone());
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            props.insert(
                "Enabled".into(),
                get("enabled").cloned().unwrap_or(json!(true)),
            );
            if let Some(t) = get("functionResponseType") {
                props.insert("FunctionResponseTypes".into(), json!([t]));
            }
            put(
                &mut props,
                "FilterCriteria",
                get("filterPatterns").and_then(filter_criteria),
            );
            if let Some(c) =
                get("maximumConcurrency").filter(|v| super::super::functions::truthy(v))
            {
                props.insert("ScalingConfig".into(), json!({ "MaximumConcurrency": c }));
            }
            queues.push(arn);
            resources.insert(
                format!("{}EventSourceMappingSQS{}", normalized_name(&f.key), alphanumeric(&queue)),
                json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": depends_on, "Properties": props }),
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
