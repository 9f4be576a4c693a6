//! `sns`: a topic Serverless creates (by name) with the function subscribed, or a subscription to an
//! existing topic (by ARN), the invoke permission, and for `redrivePolicy` the dead-letter queue's policy.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, put};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// Splits an ARN on single colons (a `::` stays inside a part), like osls.
fn split_arn(arn: &str) -> Vec<String> {
    let chars: Vec<char> = arn.chars().collect();
    let mut parts = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let single = c == ':' && (i == 0 || chars[i - 1] != ':') && chars.get(i + 1) != Some(&':');
        if single {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let alias = alias_logical_id(f);
        let endpoint = lambda_target(&f.key, target_alias(f).as_ref());
        let n = normalized_name(&f.key);
        for (index, event) in super::events_of(f, "sns") {
            let obj = event.as_object();
            let get = |k: &str| obj.and_then(|o| o.get(k)).filter(|v| !v.is_null());
            let mut topic_arn: Option<Value> = None;
            let mut region: Option<String> = None;
            let topic_name: String = match event {
                Value::Object(o) => {
                    if let Some(arn) = o.get("arn").filter(|v| !v.is_null()) {
                        topic_arn = Some(arn.clone());
                        let mut name = None;
                        if let Value::String(s) = arn {
                            let parts = split_arn(s);
                            name = parts.last().cloned();
                            if parts.get(3).map(String::as_str) != Some(service.region.as_str()) {
                                region = parts.get(3).cloned();
                            }
                        }
                        match o.get("topicName").and_then(Value::as_str).map(str::to_string).or(name) {
                            Some(n) => n,
                            None => {
                                return Err(super::event_error(
                                    service,
                                    f,
                                    index,
                                    "sns",
                                    "SNS_MISSING_TOPIC_NAME",
                                    "Missing \"sns.topicName\" setting (it needs to be provided if \"sns.arn\" is not provided as plain ARN string)".into(),
                                ))
                            }
                        }
                    } else {
                        o.get("topicName")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string()
                    }
                }
                Value::String(s) if s.starts_with("arn:") => {
                    topic_arn = Some(Value::String(s.clone()));
                    s.rsplit(':').next().unwrap_or_default().to_string()
                }
                Value::String(s) => s.clone(),
                _ => continue,
            };
            let topic = alphanumeric(&topic_name);

            let mut redrive = None;
            if let Some(Value::Object(policy)) = get("redrivePolicy") {
                let (target_arn, target_url) = if let Some(Value::String(arn)) =
                    policy.get("deadLetterTargetArn")
                {
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
                } else if let Some(r) = policy.get("deadLetterTargetRef") {
                    (json!({ "Fn::GetAtt": [r, "Arn"] }), json!({ "Ref": r }))
                } else {
                    let import = policy
                        .get("deadLetterTargetImport")
                        .cloned()
                        .unwrap_or(Value::Null);
                    (
                        json!({ "Fn::ImportValue": import.get("arn") }),
                        json!({ "Fn::ImportValue": import.get("url") }),
                    )
                };
                redrive = Some(json!({ "deadLetterTargetArn": target_arn }));
                let policy_id = format!("{topic}To{n}DLQPolicy");
                let mut statement = json!({
                    "Effect": "Allow",
                    "Principal": { "Service": "sns.amazonaws.com" },
                    "Action": "sqs:SendMessage",
                    "Resource": target_arn,
                });
                if let Some(arn) = &topic_arn {
                    statement["Condition"] = json!({ "ArnEquals": { "aws:SourceArn": arn } });
                } else {
                    statement["Condition"] = json!({ "ArnEquals": {} });
                }
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
            }

            let subscription_id = format!("{n}SnsSubscription{topic}");
            let with_depends = |mut r: Map<String, Value>| {
                if let Some(a) = &alias {
                    r.insert("DependsOn".into(), json!(a));
                }
                Value::Object(r)
            };
            let source_arn = if let Some(arn) = topic_arn {
                let mut props = Map::new();
                props.insert("TopicArn".into(), arn.clone());
                props.insert("Protocol".into(), json!("lambda"));
                props.insert("Endpoint".into(), endpoint.clone());
                put(&mut props, "FilterPolicy", get("filterPolicy").cloned());
                put(
                    &mut props,
                    "FilterPolicyScope",
                    get("filterPolicyScope").cloned(),
                );
                put(&mut props, "RedrivePolicy", redrive.clone());
                put(&mut props, "Region", region.map(Value::String));
                let mut r = Map::new();
                r.insert("Type".into(), json!("AWS::SNS::Subscription"));
                r.insert("Properties".into(), Value::Object(props));
                resources.insert(subscription_id, with_depends(r));
                arn
            } else {
                let topic_id = format!("SNSTopic{topic}");
                if !resources.contains_key(&topic_id) {
                    let mut props = Map::new();
                    props.insert("TopicName".into(), json!(topic_name));
                    put(&mut props, "DisplayName", get("displayName").cloned());
                    let mut r = Map::new();
                    r.insert("Type".into(), json!("AWS::SNS::Topic"));
                    r.insert("Properties".into(), Value::Object(props));
                    resources.insert(topic_id.clone(), with_depends(r));
                } else if let Some(a) = &alias {
                    merge_depends_on(resources.get_mut(&topic_id), a);
                }
                let subscription = json!({ "Endpoint": endpoint, "Protocol": "lambda" });
                if get("filterPolicy").is_some() || redrive.is_some() {
                    let mut props = subscription.as_object().cloned().unwrap_or_default();
                    props.insert("TopicArn".into(), json!({ "Ref": topic_id }));
                    put(&mut props, "FilterPolicy", get("filterPolicy").cloned());
                    put(
                        &mut props,
                        "FilterPolicyScope",
                        get("filterPolicyScope").cloned(),
                    );
                    put(&mut props, "RedrivePolicy", redrive.clone());
                    let mut r = Map::new();
                    r.insert("Type".into(), json!("AWS::SNS::Subscription"));
                    r.insert("Properties".into(), Value::Object(props));
                    resources.insert(subscription_id, with_depends(r));
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
                json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":sns:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", topic_name]] })
            };
            let mut permission = Map::new();
            permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
            permission.insert(
                "Properties".into(),
                json!({ "FunctionName": endpoint, "Action": "lambda:InvokeFunction", "Principal": "sns.amazonaws.com", "SourceArn": source_arn }),
            );
            resources.insert(
                format!("{n}LambdaPermission{topic}SNS"),
                with_depends(permission),
            );
        }
    }
    Ok(())
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
