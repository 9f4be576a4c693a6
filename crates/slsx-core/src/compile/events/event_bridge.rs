//! `eventBridge`: a rule per event on the default bus, a bus the stack creates (by name) or an existing
//! one (by ARN or reference), the bus itself when new, and the invoke permission scoped to the rule.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, event_error, input_forms, put};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// `name` cut short and made unique with its MD5, when longer than 64 characters (rule names and
/// target IDs are limited to 64).
fn hashed(name: &str, suffix: &str) -> String {
    let keep: String = name
        .chars()
        .take(31usize.saturating_sub(suffix.len()))
        .collect();
    format!(
        "{keep}{}-{suffix}",
        hex::encode(Md5::digest(name.as_bytes()))
    )
}

fn rule_name(function_name: &str, index: usize) -> String {
    format!("{function_name}-rule-{index}")
}

/// The rule's name: `name`, else `<function name>-rule-<idx>` (hashed past 64 characters).
fn event_rule_name(e: &Value, function_name: &str, idx: usize) -> String {
    match e
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        Some(name) => name.to_string(),
        None => {
            let name = rule_name(function_name, idx);
            if name.chars().count() > 64 {
                hashed(&name, &format!("rule-{idx}"))
            } else {
                name
            }
        }
    }
}

fn compile_custom(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    use crate::compile::custom_resources::{self, Kind};
    let handler = Kind::EventBridge.function_logical_id();
    let mut statements: Vec<Value> = Vec::new();
    let mut any = false;
    let unsupported = "is not supported for EventBridge integration backed by Custom Resources. Please use \"provider.eventBridge.useCloudFormation\" setting to use native CloudFormation support for EventBridge.";
    for f in &service.functions {
        let events = f
            .raw
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (position, event) in events.iter().enumerate() {
            let Some(e) = event.get("eventBridge").filter(|v| !v.is_null()) else {
                continue;
            };
            any = true;
            let idx = position + 1;
            let get = |k: &str| e.get(k).filter(|v| !v.is_null());
            let fail = |code, message: String| {
                Err(event_error(
                    service,
                    f,
                    position,
                    "eventBridge",
                    code,
                    message,
                ))
            };
            if input_forms(e) > 1 {
                return fail("EVENTBRIDGE_MULTIPLE_INPUT_PROPERTIES", "You can only set one of input, inputPath, or inputTransformer properties for eventBridge events.".into());
            }
            if get("retryPolicy").is_some_and(crate::compile::functions::truthy) {
                return fail(
                    "ERROR_INVALID_RETRY_POLICY_TO_EVENT_BUS_CUSTOM_RESOURCE",
                    format!("Configuring RetryPolicy {unsupported}"),
                );
            }
            if get("deadLetterQueueArn").is_some_and(crate::compile::functions::truthy) {
                return fail(
                    "ERROR_INVALID_DEAD_LETTER_CONFIG_TO_EVENT_BUS_CUSTOM_RESOURCE",
                    format!("Configuring DeadLetterConfig {unsupported}"),
                );
            }
            let bus = get("eventBus").cloned();
            if bus.as_ref().is_some_and(Value::is_object) {
                return fail("ERROR_INVALID_REFERENCE_TO_EVENT_BUS_CUSTOM_RESOURCE", format!("Referencing event bus with CloudFormation intrinsic functions {unsupported}"));
            }
            let bus_name = bus.as_ref().and_then(Value::as_str).map(|s| {
                if s.starts_with("arn") {
                    s[s.find('/').map_or(0, |i| i + 1)..].to_string()
                } else {
                    s.to_string()
                }
            });
            let mut config = Map::new();
            config.insert("RuleName".into(), json!(event_rule_name(e, &f.name, idx)));
            config.insert(
                "State".into(),
                json!(if get("enabled") == Some(&Value::Bool(false)) {
                    "DISABLED"
                } else {
                    "ENABLED"
                }),
            );
            put(&mut config, "EventBus", bus.clone());
            put(&mut config, "Schedule", get("schedule").cloned());
            put(&mut config, "Pattern", get("pattern").cloned());
            put(&mut config, "Input", get("input").cloned());
            put(&mut config, "InputPath", get("inputPath").cloned());
            if let Some(Value::Object(t)) = get("inputTransformer") {
                let upper: Map<String, Value> = t
                    .iter()
                    .map(|(k, v)| (crate::compile::naming::upper_first(k), v.clone()))
                    .collect();
                config.insert("InputTransformer".into(), Value::Object(upper));
            }
            resources.insert(
                format!("{}CustomEventBridge{idx}", normalized_name(&f.key)),
                json!({
                    "Type": "Custom::EventBridge",
                    "Version": 1,
                    "DependsOn": [crate::compile::naming::function_logical_id(&f.key), handler],
                    "Properties": { "ServiceToken": { "Fn::GetAtt": [handler, "Arn"] }, "FunctionName": f.name, "EventBridgeConfig": config }
                }),
            );
            if statements.is_empty()
                && bus_name
                    .as_deref()
                    .is_some_and(|b| !b.is_empty() && b != "default")
            {
                statements.push(json!({
                    "Effect": "Allow",
                    "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "events", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "event-bus/*"]] },
                    "Action": ["events:CreateEventBus", "events:DeleteEventBus"]
                }));
            }
        }
    }
    if !any {
        return Ok(());
    }
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "events", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "rule/*"]] },
        "Action": ["events:PutRule", "events:RemoveTargets", "events:PutTargets", "events:DeleteRule"]
    }));
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "lambda", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "function", "*"]] },
        "Action": ["lambda:AddPermission", "lambda:RemovePermission"]
    }));
    custom_resources::add(service, resources, Kind::EventBridge, statements);
    Ok(())
}

/// Serverless v3's legacy mode: `provider.eventBridge` set without `useCloudFormation: true` puts
/// each event in a `Custom::EventBridge` resource that a custom resource function applies.
fn custom_resource_mode(service: &Service) -> bool {
    service.provider.raw.get("eventBridge").is_some_and(|e| {
        !e.is_null()
            && !e
                .get("useCloudFormation")
                .is_some_and(crate::compile::functions::truthy)
    })
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    if custom_resource_mode(service) {
        return compile_custom(service, resources);
    }
    for f in &service.functions {
        let n = normalized_name(&f.key);
        let target_arn = lambda_target(&f.key, target_alias(f).as_ref());
        let alias = alias_logical_id(f);
        let events = f
            .raw
            .get("events")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (position, event) in events.iter().enumerate() {
            let Some(e) = event.get("eventBridge").filter(|v| !v.is_null()) else {
                continue;
            };
            let idx = position + 1;
            let get = |k: &str| e.get(k).filter(|v| !v.is_null());
            let rule = event_rule_name(e, &f.name, idx);
            let truthy =
                |k: &str| get(k).is_some_and(|v| !matches!(v, Value::String(s) if s.is_empty()));
            if input_forms(e) > 1 {
                return Err(event_error(
                    service,
                    f,
                    position,
                    "eventBridge",
                    "EVENTBRIDGE_MULTIPLE_INPUT_PROPERTIES",
                    "You can only set one of input, inputPath, or inputTransformer properties for eventBridge events.".into(),
                ));
            }

            let bus = get("eventBus").cloned();
            let (bus_name, exists) = match &bus {
                Some(Value::String(s)) if s.starts_with("arn") => {
                    (Some(json!(s[s.find('/').map_or(0, |i| i + 1)..])), true)
                }
                Some(v @ Value::Object(_)) => (Some(v.clone()), true),
                Some(v) => (Some(v.clone()), false),
                None => (None, false),
            };
            let named = bus_name.as_ref().and_then(Value::as_str);
            let create_bus = !exists && named.is_some_and(|b| !b.is_empty() && b != "default");
            let bus_id = named.map(|b| format!("{}EventBridgeEventBus", normalized_name(b)));
            if create_bus {
                if let (Some(id), Some(name)) = (&bus_id, named) {
                    resources.insert(
                        id.clone(),
                        json!({ "Type": "AWS::Events::EventBus", "Properties": { "Name": name } }),
                    );
                }
            }

            let target_id = {
                let id = format!("{rule}-target");
                if id.chars().count() > 64 {
                    hashed(&id, "target")
                } else {
                    id
                }
            };
            let mut target = Map::new();
            target.insert("Arn".into(), target_arn.clone());
            target.insert("Id".into(), json!(target_id));
            if let Some(Value::Object(r)) = get("retryPolicy") {
                let mut policy = Map::new();
                put(
                    &mut policy,
                    "MaximumEventAgeInSeconds",
                    r.get("maximumEventAge").cloned(),
                );
                put(
                    &mut policy,
                    "MaximumRetryAttempts",
                    r.get("maximumRetryAttempts").cloned(),
                );
                target.insert("RetryPolicy".into(), Value::Object(policy));
            }
            if let Some(dlq) = get("deadLetterQueueArn")
                .filter(|v| crate::compile::functions::truthy(v) || v.is_object())
            {
                target.insert("DeadLetterConfig".into(), json!({ "Arn": dlq }));
            }
            if truthy("input") {
                target.insert("Input".into(), json!(get("input").map(Value::to_string)));
            } else if truthy("inputPath") {
                put(&mut target, "InputPath", get("inputPath").cloned());
            } else if let Some(Value::Object(t)) = get("inputTransformer") {
                let upper: Map<String, Value> = t
                    .iter()
                    .map(|(k, v)| (crate::compile::naming::upper_first(k), v.clone()))
                    .collect();
                target.insert("InputTransformer".into(), Value::Object(upper));
            }

            let mut props = Map::new();
            put(&mut props, "Description", get("description").cloned());
            if named != Some("default") {
                put(&mut props, "EventBusName", bus_name.clone());
            }
            put(&mut props, "EventPattern", get("pattern").cloned());
            props.insert("Name".into(), json!(rule));
            put(&mut props, "ScheduleExpression", get("schedule").cloned());
            props.insert(
                "State".into(),
                json!(if get("enabled") == Some(&Value::Bool(false)) {
                    "DISABLED"
                } else {
                    "ENABLED"
                }),
            );
            props.insert("Targets".into(), json!([target]));
            let mut rule_resource = Map::new();
            rule_resource.insert("Type".into(), json!("AWS::Events::Rule"));
            let mut depends: Vec<Value> = alias.iter().map(|a| json!(a)).collect();
            if create_bus {
                depends.extend(bus_id.iter().map(|b| json!(b)));
            }
            match depends.len() {
                0 => {}
                1 => {
                    rule_resource.insert("DependsOn".into(), depends.remove(0));
                }
                _ => {
                    rule_resource.insert("DependsOn".into(), Value::Array(depends));
                }
            }
            rule_resource.insert("Properties".into(), Value::Object(props));
            resources.insert(
                format!("{}EventBridgeRule", alphanumeric(&rule_name(&f.name, idx))),
                Value::Object(rule_resource),
            );

            let mut arn_path = vec![json!("rule")];
            if let Some(b) = bus_name
                .as_ref()
                .filter(|b| b.as_str() != Some("default") && b.as_str() != Some(""))
            {
                arn_path.push(b.clone());
            }
            arn_path.push(json!(rule));
            let mut permission = Map::new();
            permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
            if let Some(a) = &alias {
                permission.insert("DependsOn".into(), json!(a));
            }
            permission.insert(
                "Properties".into(),
                json!({
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": target_arn,
                    "Principal": "events.amazonaws.com",
                    "SourceArn": { "Fn::Join": [":", [
                        "arn", { "Ref": "AWS::Partition" }, "events", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" },
                        { "Fn::Join": ["/", arn_path] }
                    ]] }
                }),
            );
            resources.insert(
                format!("{n}EventBridgeLambdaPermission{idx}"),
                Value::Object(permission),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_rule_names_are_cut_and_hashed_like_osls() {
        // Expected value computed with osls's own helper (node's md5) for this name.
        let name = rule_name(
            "a-very-long-service-name-production-some-really-long-function-name",
            3,
        );
        assert_eq!(name.len(), 73);
        assert_eq!(
            hashed(&name, "rule-3"),
            "a-very-long-service-name-86927f8aca51cd5ec474943ce612044c-rule-3"
        );
    }
}
