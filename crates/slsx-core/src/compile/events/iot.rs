//! `iot`: an `AWS::IoT::TopicRule` per event with the function as its action, and the permission for
//! IoT to invoke it.

use serde_json::{json, Map, Value};

use super::alias_logical_id;
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

fn one_line(s: &str) -> String {
    s.replace("\r\n", "").replace('\n', "")
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let alias = alias_logical_id(f);
        let mut number = 0;
        for (_, event) in super::events_of(f, "iot") {
            number += 1;
            let text = |k: &str| {
                event
                    .get(k)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(one_line)
            };
            let rule_id = format!("{n}IotTopicRule{number}");
            let mut payload = Map::new();
            payload.insert(
                "RuleDisabled".into(),
                json!(event.get("enabled") == Some(&Value::Bool(false))),
            );
            payload.insert("Sql".into(), json!(text("sql").unwrap_or_default()));
            payload.insert(
                "Actions".into(),
                json!([{ "Lambda": { "FunctionArn": target } }]),
            );
            if let Some(d) = text("description") {
                payload.insert("Description".into(), json!(d));
            }
            if let Some(v) = text("sqlVersion") {
                payload.insert("AwsIotSqlVersion".into(), json!(v));
            }
            let mut props = Map::new();
            props.insert("TopicRulePayload".into(), Value::Object(payload));
            if let Some(name) = text("name") {
                props.insert("RuleName".into(), json!(name));
            }
            let mut rule = Map::new();
            rule.insert("Type".into(), json!("AWS::IoT::TopicRule"));
            let mut permission = Map::new();
            permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
            if let Some(a) = &alias {
                rule.insert("DependsOn".into(), json!(a));
                permission.insert("DependsOn".into(), json!(a));
            }
            rule.insert("Properties".into(), Value::Object(props));
            permission.insert(
                "Properties".into(),
                json!({
                    "FunctionName": target,
                    "Action": "lambda:InvokeFunction",
                    "Principal": "iot.amazonaws.com",
                    "SourceArn": { "Fn::Join": ["", [
                        "arn:", { "Ref": "AWS::Partition" }, ":iot:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" },
                        ":rule/", { "Ref": rule_id }
                    ]] }
                }),
            );
            resources.insert(rule_id, Value::Object(rule));
            resources.insert(
                format!("{n}LambdaPermissionIotTopicRule{number}"),
                Value::Object(permission),
            );
        }
    }
    Ok(())
}
