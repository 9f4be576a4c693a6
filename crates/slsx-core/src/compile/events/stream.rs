//! `stream`: DynamoDB and Kinesis event source mappings (with a dedicated Kinesis consumer on
//! `consumer: true`), and per function the statements reading those streams and writing failures need.

use serde_json::{json, Map, Value};

use super::{alphanumeric, events_of_type, filter_criteria, mapping_depends_on, put};
use crate::compile::naming::{normalized_name, upper_first};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::{StreamConsumer, StreamEvent};
use crate::config::{Function, Service};
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let consumer_naming = service.provider.settings.api.kinesis_consumer_naming;
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let mut access = StreamAccess::default();
        for (_, event) in events_of_type!(f, Stream) {
            let mapping_id = format!(
                "{n}EventSourceMapping{}{}",
                upper_first(&event.stream_type),
                alphanumeric(&event.stream_name)
            );
            let mut depends_on = mapping_depends_on(service, f);
            let mut props = mapping_properties(f, event);
            access.add(event);
            if let (Some(consumer), "kinesis") = (&event.consumer, event.stream_type.as_str()) {
                let source = match consumer {
                    StreamConsumer::Dedicated => {
                        let name = if consumer_naming {
                            format!(
                                "{}{}{}{}Consumer",
                                f.key, event.stream_name, service.name, service.stage
                            )
                        } else {
                            format!("{}{}Consumer", f.key, event.stream_name)
                        };
                        let id = format!("{}StreamConsumer", normalized_name(&name));
                        resources.insert(
                            id.clone(),
                            json!({ "Type": "AWS::Kinesis::StreamConsumer", "Properties": { "StreamARN": event.arn, "ConsumerName": name } }),
                        );
                        depends_on.push(json!(id));
                        json!({ "Ref": id })
                    }
                    StreamConsumer::Arn(arn) => arn.clone(),
                };
                props.insert("EventSourceArn".into(), source.clone());
                access.consumers.push(source);
                put(
                    &mut props,
                    "StartingPositionTimestamp",
                    event.starting_position_timestamp.clone(),
                );
            }
            resources.insert(mapping_id, json!({ "Type": "AWS::Lambda::EventSourceMapping", "DependsOn": depends_on, "Properties": props }));
        }
        access.push_statements(resources);
    }
    Ok(())
}

/// The mapping's properties (its source the stream; a consumer replaces it).
fn mapping_properties(f: &Function, event: &StreamEvent) -> Map<String, Value> {
    let mut props = Map::new();
    props.insert(
        "BatchSize".into(),
        event.batch_size.clone().unwrap_or(json!(10)),
    );
    props.insert(
        "Enabled".into(),
        event.enabled.clone().unwrap_or(json!(true)),
    );
    props.insert("EventSourceArn".into(), event.arn.clone());
    props.insert(
        "FunctionName".into(),
        lambda_target(&f.key, target_alias(f).as_ref()),
    );
    put(
        &mut props,
        "ParallelizationFactor",
        event.parallelization_factor.clone(),
    );
    props.insert(
        "StartingPosition".into(),
        event
            .starting_position
            .clone()
            .unwrap_or(json!("TRIM_HORIZON")),
    );
    // The optional settings, in osls's order.
    let optional = [
        ("MaximumBatchingWindowInSeconds", event.batch_window.clone()),
        ("MaximumRetryAttempts", event.maximum_retry_attempts.clone()),
        (
            "BisectBatchOnFunctionError",
            event.bisect_batch_on_function_error.clone(),
        ),
        (
            "FunctionResponseTypes",
            event.function_response_type.as_ref().map(|t| json!([t])),
        ),
        (
            "MaximumRecordAgeInSeconds",
            event.maximum_record_age.clone(),
        ),
        ("TumblingWindowInSeconds", event.tumbling_window.clone()),
        (
            "DestinationConfig",
            event
                .on_failure
                .as_ref()
                .map(|d| json!({ "OnFailure": { "Destination": d.arn } })),
        ),
        (
            "FilterCriteria",
            event.filter_patterns.as_ref().and_then(filter_criteria),
        ),
    ];
    for (key, value) in optional {
        put(&mut props, key, value);
    }
    props
}

/// What one function's role must reach, in the order osls writes the statements.
#[derive(Default)]
struct StreamAccess {
    dynamodb: Vec<Value>,
    kinesis: Vec<Value>,
    /// Streams read through a consumer.
    kinesis_consumer_streams: Vec<Value>,
    consumers: Vec<Value>,
    sns: Vec<Value>,
    sqs: Vec<Value>,
}

impl StreamAccess {
    /// The event's stream and failure destination (its consumer is added by the caller).
    fn add(&mut self, event: &StreamEvent) {
        if event.stream_type == "dynamodb" {
            self.dynamodb.push(event.arn.clone());
        } else if event.consumer.is_some() {
            self.kinesis_consumer_streams.push(event.arn.clone());
        } else {
            self.kinesis.push(event.arn.clone());
        }
        if let Some(on_failure) = &event.on_failure {
            let list = if on_failure.sns {
                &mut self.sns
            } else {
                &mut self.sqs
            };
            list.push(on_failure.arn.clone());
        }
    }

    fn push_statements(self, resources: &mut Map<String, Value>) {
        let statements = [
            (
                self.dynamodb,
                json!([
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:DescribeStream",
                    "dynamodb:ListStreams"
                ]),
            ),
            (
                self.kinesis,
                json!([
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStream",
                    "kinesis:ListStreams"
                ]),
            ),
            (
                self.kinesis_consumer_streams,
                json!([
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:ListShards"
                ]),
            ),
            (self.consumers, json!(["kinesis:SubscribeToShard"])),
            (self.sns, json!(["sns:Publish"])),
            (self.sqs, json!(["sqs:ListQueues", "sqs:SendMessage"])),
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
}
