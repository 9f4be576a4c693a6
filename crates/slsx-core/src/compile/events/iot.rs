//! `iot`: an `AWS::IoT::TopicRule` per event with the function as its action, and the permission for
//! IoT to invoke it.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, events_of_type, invoke_permission};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let alias = alias_logical_id(f);
        for (number, (_, event)) in (1..).zip(events_of_type!(f, Iot)) {
            let rule_id = format!("{n}IotTopicRule{number}");
            let mut payload = Map::new();
            payload.insert("RuleDisabled".into(), json!(!event.enabled));
            payload.insert("Sql".into(), json!(event.sql));
            payload.insert(
                "Actions".into(),
                json!([{ "Lambda": { "FunctionArn": target } }]),
            );
            if let Some(d) = &event.description {
                payload.insert("Description".into(), json!(d));
            }
            if let Some(v) = &event.sql_version {
                payload.insert("AwsIotSqlVersion".into(), json!(v));
            }
            let mut props = Map::new();
            props.insert("TopicRulePayload".into(), Value::Object(payload));
            if let Some(name) = &event.name {
                props.insert("RuleName".into(), json!(name));
            }
            let mut rule = Map::new();
            rule.insert("Type".into(), json!("AWS::IoT::TopicRule"));
            if let Some(a) = &alias {
                rule.insert("DependsOn".into(), json!(a));
            }
            rule.insert("Properties".into(), Value::Object(props));
            let permission = invoke_permission(
                f,
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
                permission,
            );
        }
    }
    Ok(())
}
