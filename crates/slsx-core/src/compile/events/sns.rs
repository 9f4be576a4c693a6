//! `sns`: a topic Serverless creates (by name) with the function subscribed, or a subscription to an
//! existing topic (by ARN), the invoke permission, and for `redrivePolicy` the dead-letter queue's policy.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, events_of_type, put};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::{DeadLetterQueue, SnsEvent};
use crate::config::Service;
use crate::error::Result;

/// What every event of one function shares.
struct Subscriber {
    /// The function's normalized name (logical IDs).
    n: String,
    /// The function (or its alias) the topic invokes.
    endpoint: Value,
    /// The alias every resource waits for.
    alias: Option<String>,
}

impl Subscriber {
    /// A resource of `kind` with `props`, waiting for the alias.
    fn resource(&self, kind: &str, props: Map<String, Value>) -> Value {
        let mut r = Map::new();
        r.insert("Type".into(), json!(kind));
        r.insert("Properties".into(), Value::Object(props));
        if let Some(a) = &self.alias {
            r.insert("DependsOn".into(), json!(a));
        }
        Value::Object(r)
    }
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let who = Subscriber {
            n: normalized_name(&f.key),
            endpoint: lambda_target(&f.key, target_alias(f).as_ref()),
            alias: alias_logical_id(f),
        };
        for (_, event) in events_of_type!(f, Sns) {
            let topic = alphanumeric(&event.topic_name);
            let redrive = event
                .dead_letter
                .as_ref()
                .map(|queue| dead_letter_policy(&who, event, &topic, queue, resources));
            let source_arn = match &event.arn {
                Some(arn) => {
                    subscribe_existing(&who, event, &topic, arn, redrive, resources);
                    arn.clone()
                }
                None => subscribe_new(&who, event, &topic, redrive, resources),
            };
            let permission = json!({ "FunctionName": who.endpoint, "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": source_arn });
            resources.insert(
                format!("{}LambdaPermission{topic}SNS", who.n),
                who.resource("AWS::Lambda::Permission", as_map(permission)),
            );
        }
    }
    Ok(())
}

/// The queue policy letting the topic send to the dead-letter queue; the subscription's
/// `RedrivePolicy`.
fn dead_letter_policy(
    who: &Subscriber,
    event: &SnsEvent,
    topic: &str,
    queue: &DeadLetterQueue,
    resources: &mut Map<String, Value>,
) -> Value {
    let (target_arn, target_url) = match queue {
        DeadLetterQueue::Arn(arn) => {
            let mut rev = arn.split(':').rev();
            let (queue, account, region) = (
                rev.next().unwrap_or(""),
                rev.next().unwrap_or(""),
                rev.next().unwrap_or(""),
            );
            (
                json!(arn),
                json!({ "Fn::Join": ["", [format!("https://sqs.{region}."), { "Ref": "AWS::URLSuffix" }, format!("/{account}/{queue}")]] }),
            )
        }
        DeadLetterQueue::Ref(r) => (json!({ "Fn::GetAtt": [r, "Arn"] }), json!({ "Ref": r })),
        DeadLetterQueue::Import(import) => (
            json!({ "Fn::ImportValue": import.get("arn") }),
            json!({ "Fn::ImportValue": import.get("url") }),
        ),
    };
    let policy_id = format!("{topic}To{}DLQPolicy", who.n);
    let condition = match &event.arn {
        Some(arn) => json!({ "ArnEquals": { "aws:SourceArn": arn } }),
        None => json!({ "ArnEquals": {} }),
    };
    let statement = json!({
        "Effect": "Allow",
        "Principal": { "Service": "sns.amazonaws.com" },
        "Action": "sqs:SendMessage",
        "Resource": target_arn,
        "Condition": condition,
    });
    resources.insert(
        policy_id.clone(),
        json!({
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "PolicyDocument": { "Version": "2012-10-17", "Id": policy_id, "Statement": [statement] },
                "Queues": [target_url]
            }
        }),
    );
    json!({ "deadLetterTargetArn": target_arn })
}

/// A subscription to a topic made elsewhere.
fn subscribe_existing(
    who: &Subscriber,
    event: &SnsEvent,
    topic: &str,
    arn: &Value,
    redrive: Option<Value>,
    resources: &mut Map<String, Value>,
) {
    let mut props = Map::new();
    props.insert("TopicArn".into(), arn.clone());
    props.insert("Protocol".into(), json!("lambda"));
    props.insert("Endpoint".into(), who.endpoint.clone());
    put_filter_and_redrive(&mut props, event, redrive);
    put(
        &mut props,
        "Region",
        event.region.clone().map(Value::String),
    );
    resources.insert(
        format!("{}SnsSubscription{topic}", who.n),
        who.resource("AWS::SNS::Subscription", props),
    );
}

/// The topic Serverless creates (once per name) and the function's subscription: inside the topic,
/// or as its own resource when it has a filter or a dead-letter queue. Gives the topic's ARN.
fn subscribe_new(
    who: &Subscriber,
    event: &SnsEvent,
    topic: &str,
    redrive: Option<Value>,
    resources: &mut Map<String, Value>,
) -> Value {
    let topic_id = format!("SNSTopic{topic}");
    if !resources.contains_key(&topic_id) {
        let mut props = Map::new();
        props.insert("TopicName".into(), json!(event.topic_name));
        put(&mut props, "DisplayName", event.display_name.clone());
        resources.insert(topic_id.clone(), who.resource("AWS::SNS::Topic", props));
    } else if let Some(a) = &who.alias {
        merge_depends_on(resources.get_mut(&topic_id), a);
    }
    let subscription = json!({ "Endpoint": who.endpoint, "Protocol": "lambda" });
    if event.filter_policy.is_some() || redrive.is_some() {
        let mut props = as_map(subscription);
        props.insert("TopicArn".into(), json!({ "Ref": topic_id }));
        put_filter_and_redrive(&mut props, event, redrive);
        resources.insert(
            format!("{}SnsSubscription{topic}", who.n),
            who.resource("AWS::SNS::Subscription", props),
        );
    } else if let Some(props) = resources
        .get_mut(&topic_id)
        .and_then(|t| t.get_mut("Properties"))
        .and_then(Value::as_object_mut)
    {
        let list = props.entry("Subscription").or_insert_with(|| json!([]));
        if let Some(l) = list.as_array_mut() {
            l.push(subscription);
        }
    }
    json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":sns:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", event.topic_name]] })
}

/// A subscription's filter and dead-letter queue.
fn put_filter_and_redrive(
    props: &mut Map<String, Value>,
    event: &SnsEvent,
    redrive: Option<Value>,
) {
    put(props, "FilterPolicy", event.filter_policy.clone());
    put(
        props,
        "FilterPolicyScope",
        event.filter_policy_scope.clone(),
    );
    put(props, "RedrivePolicy", redrive);
}

fn as_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Adds `dependency` to a resource's `DependsOn` (a string or a list) unless it is there.
fn merge_depends_on(resource: Option<&mut Value>, dependency: &str) {
    let Some(Value::Object(r)) = resource else {
        return;
    };
    match r.get_mut("DependsOn") {
        None => {
            r.insert("DependsOn".into(), json!(dependency));
        }
        Some(Value::Array(list)) => {
            if !list.iter().any(|d| d == dependency) {
                list.push(json!(dependency));
            }
        }
        Some(existing) => {
            if existing != dependency {
                *existing = json!([existing.clone(), dependency]);
            }
        }
    }
}
