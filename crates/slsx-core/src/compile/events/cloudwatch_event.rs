//! `cloudwatchEvent`: an `AWS::Events::Rule` on the default bus matching an event pattern, and the
//! permission for EventBridge to invoke the function.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, event_error, input_forms, input_transformer, put, through_template};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// osls removes `\n` and `\r` escapes from the pattern's JSON text.
fn without_newline_escapes(text: &str) -> String {
    text.replace("\\n", "").replace("\\r", "")
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let depends_on = alias_logical_id(f);
        let mut number = 0;
        for (index, event) in super::events_of(f, "cloudwatchEvent") {
            number += 1;
            let get = |k: &str| event.get(k).filter(|v| !v.is_null());
            if input_forms(event) > 1 {
                return Err(event_error(
                    service,
                    f,
                    index,
                    "cloudwatchEvent",
                    "CLOUDWATCH_MULTIPLE_INPUT_PROPERTIES",
                    "You can only set one of input, inputPath, or inputTransformer properties at the same time for cloudwatch events. Please check the AWS docs for more info".into(),
                ));
            }
            let rule_id = format!("{n}EventsRuleCloudWatchEvent{number}");
            let mut t = Map::new();
            let input = match get("input") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(v @ Value::Object(_)) => Some(v.to_string()),
                _ => None,
            };
            put(
                &mut t,
                "Input",
                input.map(|i| {
                    Value::String(through_template(&without_newline_escapes(
                        &i.replace('"', "\\\""),
                    )))
                }),
            );
            put(
                &mut t,
                "InputPath",
                get("inputPath")
                    .and_then(Value::as_str)
                    .filter(|p| !p.is_empty())
                    .map(|p| {
                        Value::String(through_template(&p.replace("\r\n", "").replace('\n', "")))
                    }),
            );
            if let Some(Value::Object(tr)) = get("inputTransformer") {
                t.insert("InputTransformer".into(), input_transformer(tr));
            }
            t.insert("Arn".into(), target.clone());
            t.insert("Id".into(), json!(format!("{}CloudWatchEvent", f.key)));
            let mut props = Map::new();
            if let Some(pattern) = get("event") {
                let text = without_newline_escapes(&pattern.to_string());
                props.insert(
                    "EventPattern".into(),
                    serde_json::from_str(&text).unwrap_or_else(|_| pattern.clone()),
                );
            }
            props.insert(
                "State".into(),
                json!(if get("enabled") == Some(&Value::Bool(false)) {
                    "DISABLED"
                } else {
                    "ENABLED"
                }),
            );
            put(
                &mut props,
                "Description",
                get("description")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .map(|d| Value::String(through_template(d))),
            );
            put(
                &mut props,
                "Name",
                get("name")
                    .and_then(Value::as_str)
                    .filter(|d| !d.is_empty())
                    .map(|d| Value::String(through_template(d))),
            );
            props.insert("Targets".into(), json!([t]));
            let with_depends = |mut r: Map<String, Value>| {
                if let Some(a) = &depends_on {
                    r.insert("DependsOn".into(), json!(a));
                }
                Value::Object(r)
            };
            let mut rule = Map::new();
            rule.insert("Type".into(), json!("AWS::Events::Rule"));
            rule.insert("Properties".into(), Value::Object(props));
            let mut permission = Map::new();
            permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
            permission.insert(
                "Properties".into(),
                json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com", "SourceArn": { "Fn::GetAtt": [rule_id, "Arn"] } }),
            );
            resources.insert(rule_id, with_depends(rule));
            resources.insert(
                format!("{n}LambdaPermissionEventsRuleCloudWatchEvent{number}"),
                with_depends(permission),
            );
        }
    }
    Ok(())
}
