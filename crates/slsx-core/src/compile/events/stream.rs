//! `stream`: DynamoDB and Kinesis event source mappings (with a dedicated Kinesis consumer on
//! `consumer`), and per function the statements reading those streams and writing failures need.

use serde_json::{json, Map, Value};

use super::{
    alias_logical_id, alphanumeric, filter_criteria, put, role_resource_name, source_name,
};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::{normalized_name, upper_first};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let consumer_naming = service
        .provider
        .raw
        .get("kinesis")
        .and_then(|k| k.get("consumerNamingMode"))
        .is_some_and(truthy);
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let (
            mut dynamodb,
            mut kinesis,
            mut kinesis_consumer_streams,
            mut consumers,
            mut sns,
            mut sqs,
        ) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        for (index, event) in super::events_of(f, "stream") {
            let obj = event.as_object();
            let get = |k: &str| obj.and_then(|o| o.get(k)).filter(|v| !v.is_null());
            let arn = match event {
                Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            let invalid = || {
                super::event_error(service, f, index, "stream", "STREAM_INVALID_ARN", "\"arn\" must be a stream ARN, or a CloudFormation reference to one together with \"type\"".into())
            };
            let stream_type = match get("type").and_then(Value::as_str) {
                Some(t) => t.to_string(),
                None => arn
                    .as_str()
                    .and_then(|s| s.split(':').nth(2))
                    .ok_or_else(invalid)?
                    .to_string(),
            };
            let stream_name = source_name(&arn, |s| {
                s.split('/').nth(1).unwrap_or_default().to_string()
            })
            .ok_or_else(invalid)?;
            let stream_name = if arn.get("Fn::Join").is_some() {
                stream_name
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            } else {
                stream_name
            };
            let mapping_id = format!(
                "{n}EventSourceMapping{}{}",
                upper_first(&stream_type),
                alphanumeric(&stream_name)
            );

            let mut depends_on: Vec<Value> = Vec::new();
            depends_on.extend(role_resource_name(service, f).map(Value::String));
            depends_on.extend(alias_logical_id(f).map(Value::String));
            let mut props = Map::new();
            props.insert(
                "BatchSize".into(),
                get("batchSize")
                    .filter(|v| truthy(v))
                    .cloned()
                    .unwrap_or(json!(10)),
            );
            props.insert(
                "Enabled".into(),
                get("enabled").cloned().unwrap_or(json!(true)),
            );
            props.insert("EventSourceArn".into(), arn.clone());
            props.insert(
                "FunctionName".into(),
                lambda_target(&f.key, target_alias(f).as_ref()),
            );
            put(
                &mut props,
                "ParallelizationFactor",
                get("parallelizationFactor").filter(|v| truthy(v)).cloned(),
            );
            props.insert(
                "StartingPosition".into(),
                get("startingPosition")
                    .filter(|v| truthy(v))
                    .cloned()
                    .unwrap_or(json!("TRIM_HORIZON")),
            );
            let consumer = get("consumer").filter(|v| truthy(v));
            if stream_type == "dynamodb" {
                dynamodb.push(arn.clone());
            } else if consumer.is_some() {
                kinesis_consumer_streams.push(arn.clone());
            } else {
                kinesis.push(arn.clone());
            }
            put(
                &mut props,
                "MaximumBatchingWindowInSeconds",
                get("batchWindow").cloned(),
            );
            put(
                &mut props,
                "MaximumRetryAttempts",
                get("maximumRetryAttempts").cloned(),
            );
            put(
                &mut props,
                "BisectBatchOnFunctionError",
                get("bisectBatchOnFunctionError").cloned(),
            );
            if let Some(t) = get("functionResponseType") {
                props.insert("FunctionResponseTypes".into(), json!([t]));
            }
            put(
                &mut props,
                "MaximumRecordAgeInSeconds",
                get("maximumRecordAgeInSeconds")
                    .filter(|v| truthy(v))
                    .cloned(),
            );
            put(
                &mut props,
                "TumblingWindowInSeconds",
                get("tumblingWindowInSeconds").cloned(),
            );
            if let Some(on_failure) = get("destinations")
                .and_then(|d| d.get("onFailure"))
                .filter(|v| !v.is_null())
            {
                let destination = match on_failure {
                    Value::Object(o) => o.get("arn").cloned().unwrap_or(Value::Null),
                    other => other.clone(),
                };
                let kind = on_failure
                    .get("type")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        destination
                            .as_str()
                            .and_then(|s| s.split(':').nth(2))
                            .map(str::to_string)
                    });
                if kind.as_deref() == Some("sns") {
                    sns.push(destination.clone());
                } else {
                    sqs.push(destination.clone());
                }
                props.insert(
                    "DestinationConfig".into(),
                    json!({ "OnFailure": { "Destination": destination } }),
                );
            }
            put(
                &mut props,
                "FilterCriteria",
                get("filterPatterns").and_then(filter_criteria),
            );

            if let (Some(consumer), "kinesis") = (consumer, stream_type.as_str()) {
                if consumer == &Value::Bool(true) {
                    let consumer_name = if consumer_naming {
                        format!(
                            "{}{stream_name}{}{}Consumer",
                            f.key, service.name, service.stage
                        )
                    } else {
                        format!("{}{stream_name}Consumer", f.key)
                    };
                    let consumer_id = format!("{}StreamConsumer", normalized_name(&consumer_name));
                    resources.insert(
                        consumer_id.clone(),
                        json!({ "Type": "AWS::Kinesis::StreamConsumer", "Properties": { "StreamARN": arn, "ConsumerName": consumer_name } }),
                    );
                    depends_on.push(json!(consumer_id));
                    props.insert("EventSourceArn".into(), json!({ "Ref": consumer_id }));
                    consumers.push(json!({ "Ref": consumer_id }));
                } else {
                    props.insert("EventSourceArn".into(), consumer.clone());
                    consumers.push(consumer.clone());
                }
                if get("startingPosition").and_then(Value::as_str) == Some("AT_TIMESTAMP")
                    && !get("startingPositionTimestamp").is_some_and(truthy)
                {
                    return Err(super::event_error(
                        service,
                        f,
                        index,
                        "stream",
                        "FUNCTION_STREAM_STARTING_POSITION_TIMESTAMP_INVALID",
                        format!("You must specify startingPositionTimestamp for function: {} when startingPosition is AT_TIMESTAMP", f.key),
                    ));
                }
                put(
                    &mut props,
                    "StartingPositionTimestamp",
                    get("startingPositionTimestamp")
                        .filter(|v| truthy(v))
                        .cloned(),
                );
            }
            resources.insert(mapping_id, json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": depends_on, "Properties": props }));
        }
        let statements = [
            (
                dynamodb,
                json!([
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:DescribeStream",
                    "dynamodb:ListStreams"
                ]),
            ),
            (
                kinesis,
                json!([
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStream",
                    "kinesis:ListStreams"
                ]),
            ),
            (
                kinesis_consumer_streams,
                json!([
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards"
                ]),
            ),
            (consumers, json!(["kinesis:SubscribeToShard"])),
            (sns, json!(["sns:Publish"])),
            (sqs, json!(["sqs:ListQueues", "sqs:SendMessage"])),
        ];
        for (resource, actions) in statements {
            if !resource.is_empty() {
                crate::compile::iam::push_statement(
                    resources,
                    json!({ "Effect": "Allow", "Action": actions, "Resource": resource }),
                    false,
                );
            }
        }
    }
    Ok(())
}
