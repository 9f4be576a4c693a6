//! `cloudwatchEvent`: an `AWS::Events::Rule` on the default bus matching an event pattern, and the
//! permission for EventBridge to invoke the function.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, events_of_type, input_transformer, put, through_template};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::CloudwatchEventEvent;
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
        let with_depends = |mut r: Map<String, Value>| {
            if let Some(a) = &depends_on {
                r.insert("DependsOn".into(), json!(a));
            }
            Value::Object(r)
        };
        for (number, (_, event)) in (1..).zip(events_of_type!(f, CloudwatchEvent)) {
            let rule_id = format!("{n}EventsRuleCloudWatchEvent{number}");
            let target_entry = rule_target(event, &target, &f.key);
            let mut rule = Map::new();
            rule.insert("Type".into(), json!("AWS::Events::Rule"));
            rule.insert(
                "Properties".into(),
                Value::Object(rule_properties(event, target_entry)),
            );
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

/// The rule's one target: the function, with what it receives.
fn rule_target(event: &CloudwatchEventEvent, target: &Value, function_key: &str) -> Value {
    let mut t = Map::new();
    put(
        &mut t,
        "Input",
        event.input.as_ref().map(|i| {
            Value::String(through_template(&without_newline_escapes(
                &i.replace('"', "\\\""),
            )))
        }),
    );
    put(
        &mut t,
        "InputPath",
        event
            .input_path
            .as_ref()
            .map(|p| Value::String(through_template(&p.replace("\r\n", "").replace('\n', "")))),
    );
    if let Some(tr) = &event.input_transformer {
        t.insert("InputTransformer".into(), input_transformer(tr));
    }
    t.insert("Arn".into(), target.clone());
    t.insert("Id".into(), json!(format!("{function_key}CloudWatchEvent")));
    Value::Object(t)
}

fn rule_properties(event: &CloudwatchEventEvent, target: Value) -> Map<String, Value> {
    let mut props = Map::new();
    if let Some(pattern) = &event.pattern {
        let text = without_newline_escapes(&pattern.to_string());
        props.insert(
            "EventPattern".into(),
            serde_json::from_str(&text).unwrap_or_else(|_| pattern.clone()),
        );
    }
    props.insert(
        "State".into(),
        json!(if event.enabled { "ENABLED" } else { "DISABLED" }),
    );
    let text = |s: &Option<String>| s.as_deref().map(|d| Value::String(through_template(d)));
    put(&mut props, "Description", text(&event.description));
    put(&mut props, "Name", text(&event.name));
    props.insert("Targets".into(), json!([target]));
    props
}
