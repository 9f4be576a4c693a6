//! `{F}LambdaEvConf` (`AWS::Lambda::EventInvokeConfig`): `destinations`, `maximumEventAge` and
//! `maximumRetryAttempts`, and the permission the execution role needs to reach each destination.

use serde_json::{json, Map, Value};

use super::iam::{custom_execution_role, push_statement};
use super::naming::{function_logical_id, normalized_name};
use super::targets::{lambda_target, target_alias, with_condition};
use crate::config::{Function, Service};
use crate::error::{Error, Result};

pub fn add_event_invoke_config(
    service: &Service,
    f: &Function,
    alias: Option<&(String, String)>,
    condition: &Option<Value>,
    resources: &mut Map<String, Value>,
    seen: &mut Vec<String>,
) -> Result<()> {
    let destinations = f.settings.destinations.as_ref();
    let max_age = f.settings.maximum_event_age.as_ref();
    let retries = f.settings.maximum_retry_attempts.as_ref();
    if destinations.is_none() && max_age.is_none() && retries.is_none() {
        return Ok(());
    }
    let mut config = Map::new();
    let mut depends: Vec<String> = alias.map(|(id, _)| id.clone()).into_iter().collect();
    if let Some(d) = destinations {
        let permissions = custom_execution_role(service, f).is_none();
        for (key, name) in [("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")] {
            let Some(target) = d.get(key).filter(|t| !t.is_null()) else {
                continue;
            };
            let (arn, target_fn) = destination_arn(service, target)?;
            config.insert(name.into(), json!({ "Destination": arn }));
            if let Some(tf) = target_fn.and_then(target_alias) {
                depends.push(tf.0);
            }
            if permissions {
                let dedupe = target.to_string();
                if !seen.contains(&dedupe) {
                    seen.push(dedupe);
                    push_statement(resources, permission(service, target)?, false);
                }
            }
        }
    }
    let mut resource = json!({
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": { "Ref": function_logical_id(&f.key) },
            "DestinationConfig": config,
            "Qualifier": alias.map_or("$LATEST".to_string(), |(_, n)| n.clone()),
        },
    });
    let mut unique: Vec<String> = Vec::new();
    for d in depends {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    match unique.len() {
        0 => {}
        1 => resource["DependsOn"] = json!(unique[0]),
        _ => resource["DependsOn"] = json!(unique),
    }
    if let Some(age) = max_age {
        resource["Properties"]["MaximumEventAgeInSeconds"] = age.clone();
    }
    if let Some(r) = retries {
        resource["Properties"]["MaximumRetryAttempts"] = r.clone();
    }
    with_condition(&mut resource, condition);
    resources.insert(format!("{}LambdaEvConf", normalized_name(&f.key)), resource);
    Ok(())
}

/// A destination's ARN: `{ arn }`, an ARN, or a function of the service.
fn destination_arn<'s>(
    service: &'s Service,
    target: &Value,
) -> Result<(Value, Option<&'s Function>)> {
    match target {
        Value::Object(o) => Ok((o.get("arn").cloned().unwrap_or(Value::Null), None)),
        Value::String(s) if s.starts_with("arn:") => Ok((json!(s), None)),
        Value::String(name) => {
            let f = find(service, name)?;
            Ok((lambda_target(&f.key, target_alias(f).as_ref()), Some(f)))
        }
        other => Ok((other.clone(), None)),
    }
}

fn find<'s>(service: &'s Service, name: &str) -> Result<&'s Function> {
    service
        .functions
        .iter()
        .find(|f| f.key == name)
        .ok_or_else(|| Error::Config {
            code: "UNSUPPORTED_DESTINATION_TARGET",
            message: format!(
                "Unsupported destination target {name}: not an ARN nor a function of the service"
            ),
            path: None,
            location: None,
        })
}

fn permission(service: &Service, target: &Value) -> Result<Value> {
    let (action, resource) = match target {
        Value::Object(o) => {
            let action = match o.get("type").and_then(Value::as_str) {
                Some("function") => "lambda:InvokeFunction",
                Some("sqs") => "sqs:SendMessage",
                Some("sns") => "sns:Publish",
                Some("eventBus") => "events:PutEvents",
                _ => return Err(unsupported(target)),
            };
            (action, o.get("arn").cloned().unwrap_or(Value::Null))
        }
        Value::String(s) if s.starts_with("arn:") => {
            let action = if s.contains(":function:") {
                "lambda:InvokeFunction"
            } else if s.contains(":sqs:") {
                "sqs:SendMessage"
            } else if s.contains(":sns:") {
                "sns:Publish"
            } else if s.contains(":event-bus/") {
                "events:PutEvents"
            } else {
                return Err(unsupported(target));
            };
            (action, json!(s))
        }
        Value::String(name) => {
            let f = find(service, name)?;
            let suffix = target_alias(f)
                .map(|(_, n)| format!(":{n}"))
                .unwrap_or_default();
            (
                "lambda:InvokeFunction",
                json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}{suffix}", f.name) }),
            )
        }
        _ => return Err(unsupported(target)),
    };
    Ok(json!({ "Effect": "Allow", "Action": action, "Resource": resource }))
}

fn unsupported(target: &Value) -> Error {
    Error::Config {
        code: "UNSUPPORTED_DESTINATION_TARGET",
        message: format!("Unsupported destination target {target}"),
        path: None,
        location: None,
    }
}
