//! `eventBridge`: a rule per event on the default bus, a bus the stack creates (by name) or an existing
//! one (by ARN or reference), the bus itself when new, and the invoke permission scoped to the rule.
//! In the legacy mode (`provider.eventBridge` without `useCloudFormation`) each rule is a
//! `Custom::EventBridge` resource instead.

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, events_of_type, invoke_permission, put};
use crate::compile::naming::{normalized_name, upper_first};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::event_bridge::uses_custom_resources;
use crate::config::events::{EventBridgeEvent, EventBus};
use crate::config::{Function, Service};
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
fn event_rule_name(e: &EventBridgeEvent, function_name: &str, idx: usize) -> String {
    match &e.name {
        Some(name) => name.clone(),
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

/// `inputTransformer` with its keys' first letters upper-cased.
fn upper_transformer(t: &Map<String, Value>) -> Value {
    Value::Object(t.iter().map(|(k, v)| (upper_first(k), v.clone())).collect())
}

/// The rule's state.
fn state(e: &EventBridgeEvent) -> Value {
    json!(if e.enabled { "ENABLED" } else { "DISABLED" })
}

/// An `arn:<partition>:events:<region>:<account>:<resource>` ARN.
fn events_arn(resource: Value) -> Value {
    json!({ "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "events", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, resource]] })
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    if uses_custom_resources(service) {
        compile_custom(service, resources);
        return Ok(());
    }
    for f in &service.functions {
        for (position, e) in events_of_type!(f, EventBridge) {
            compile_native(f, position + 1, e, resources);
        }
    }
    Ok(())
}

/// The bus an event's rule is on: its name (or reference) and whether it exists already.
fn bus_of(e: &EventBridgeEvent) -> (Option<Value>, bool) {
    match &e.event_bus {
        Some(EventBus::Arn { name, .. }) => (Some(json!(name)), true),
        Some(EventBus::Reference(v)) => (Some(v.clone()), true),
        Some(EventBus::Name(v)) => (Some(v.clone()), false),
        None => (None, false),
    }
}

/// One event as CloudFormation resources: the bus when the stack creates it, the rule and the
/// permission.
fn compile_native(
    f: &Function,
    idx: usize,
    e: &EventBridgeEvent,
    resources: &mut Map<String, Value>,
) {
    let rule = event_rule_name(e, &f.name, idx);
    let alias = alias_logical_id(f);
    let (bus_name, exists) = bus_of(e);
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

    let mut props = Map::new();
    put(&mut props, "Description", e.description.clone());
    if named != Some("default") {
        put(&mut props, "EventBusName", bus_name.clone());
    }
    put(&mut props, "EventPattern", e.pattern.clone());
    props.insert("Name".into(), json!(rule));
    put(&mut props, "ScheduleExpression", e.schedule.clone());
    props.insert("State".into(), state(e));
    props.insert("Targets".into(), json!([rule_target(f, e, &rule)]));
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
    resources.insert(
        format!(
            "{}EventBridgeLambdaPermission{idx}",
            normalized_name(&f.key)
        ),
        permission(f, bus_name.as_ref(), &rule),
    );
}

/// The rule's one target: the function, with its retry policy, dead-letter queue and input.
fn rule_target(f: &Function, e: &EventBridgeEvent, rule: &str) -> Value {
    let target_id = {
        let id = format!("{rule}-target");
        if id.chars().count() > 64 {
            hashed(&id, "target")
        } else {
            id
        }
    };
    let mut target = Map::new();
    target.insert(
        "Arn".into(),
        lambda_target(&f.key, target_alias(f).as_ref()),
    );
    target.insert("Id".into(), json!(target_id));
    if let Some(r) = &e.retry_policy {
        let mut policy = Map::new();
        put(
            &mut policy,
            "MaximumEventAgeInSeconds",
            r.maximum_event_age.clone(),
        );
        put(
            &mut policy,
            "MaximumRetryAttempts",
            r.maximum_retry_attempts.clone(),
        );
        target.insert("RetryPolicy".into(), Value::Object(policy));
    }
    if let Some(dlq) = &e.dead_letter_queue_arn {
        target.insert("DeadLetterConfig".into(), json!({ "Arn": dlq }));
    }
    // An empty string is no input; osls passes anything else (even `false`) as its JSON text.
    let given = |v: &Option<Value>| v.clone().filter(|v| v.as_str() != Some(""));
    if let Some(input) = given(&e.input) {
        target.insert("Input".into(), json!(input.to_string()));
    } else if let Some(path) = given(&e.input_path) {
        target.insert("InputPath".into(), path);
    } else if let Some(t) = &e.input_transformer {
        target.insert("InputTransformer".into(), upper_transformer(t));
    }
    Value::Object(target)
}

/// The permission for EventBridge to invoke the function from the rule (on its bus unless default).
fn permission(f: &Function, bus_name: Option<&Value>, rule: &str) -> Value {
    let mut arn_path = vec![json!("rule")];
    if let Some(b) = bus_name.filter(|b| b.as_str() != Some("default") && b.as_str() != Some("")) {
        arn_path.push(b.clone());
    }
    arn_path.push(json!(rule));
    invoke_permission(
        f,
        json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()),
            "Principal": "events.amazonaws.com",
            "SourceArn": events_arn(json!({ "Fn::Join": ["/", arn_path] }))
        }),
    )
}

/// The legacy mode: a `Custom::EventBridge` resource per event, and the handler's statements.
fn compile_custom(service: &Service, resources: &mut Map<String, Value>) {
    use crate::compile::custom_resources::{self, Kind};
    let handler = Kind::EventBridge.function_logical_id();
    let mut statements: Vec<Value> = Vec::new();
    let mut any = false;
    for f in &service.functions {
        for (position, e) in events_of_type!(f, EventBridge) {
            any = true;
            let idx = position + 1;
            let mut config = Map::new();
            config.insert("RuleName".into(), json!(event_rule_name(e, &f.name, idx)));
            config.insert("State".into(), state(e));
            put(
                &mut config,
                "EventBus",
                e.event_bus.as_ref().map(|b| match b {
                    EventBus::Arn { arn, .. } => json!(arn),
                    EventBus::Reference(v) | EventBus::Name(v) => v.clone(),
                }),
            );
            put(&mut config, "Schedule", e.schedule.clone());
            put(&mut config, "Pattern", e.pattern.clone());
            put(&mut config, "Input", e.input.clone());
            put(&mut config, "InputPath", e.input_path.clone());
            if let Some(t) = &e.input_transformer {
                config.insert("InputTransformer".into(), upper_transformer(t));
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
            let own_bus = e
                .event_bus
                .as_ref()
                .and_then(EventBus::name)
                .is_some_and(|b| !b.is_empty() && b != "default");
            if statements.is_empty() && own_bus {
                statements.push(json!({
                    "Effect": "Allow",
                    "Resource": events_arn(json!("event-bus/*")),
                    "Action": ["events:CreateEventBus", "events:DeleteEventBus"]
                }));
            }
        }
    }
    if !any {
        return;
    }
    statements.push(json!({
        "Effect": "Allow",
        "Resource": events_arn(json!("rule/*")),
        "Action": ["events:PutRule", "events:RemoveTargets", "events:PutTargets", "events:DeleteRule"]
    }));
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Join": [":", ["arn", { "Ref": "AWS::Partition" }, "lambda", { "Ref": "AWS::Region" }, { "Ref": "AWS::AccountId" }, "function", "*"]] },
        "Action": ["lambda:AddPermission", "lambda:RemovePermission"]
    }));
    custom_resources::add(service, resources, Kind::EventBridge, statements);
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
