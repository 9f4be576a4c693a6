//! `schedule`: an EventBridge rule (`AWS::Events::Rule` + permission) per rate or cron expression, or
//! with `method: scheduler` an `AWS::Scheduler::Schedule` whose role may invoke the function.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, event_error, input_transformer, put, through_template};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::{function_logical_id, normalized_name, ROLE_LAMBDA_EXECUTION};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut scheduler_resources = Vec::new();
    for f in &service.functions {
        let mut number = 0;
        let mut has_scheduler = false;
        let alias = target_alias(f);
        let target = lambda_target(&f.key, alias.as_ref());
        let depends_on = alias_logical_id(f);
        for (index, event) in super::events_of(f, "schedule") {
            let err = |code, message: &str| {
                event_error(service, f, index, "schedule", code, message.to_string())
            };
            let (expressions, state, obj) = match event {
                Value::Object(o) => {
                    let rates =
                        match o.get("rate") {
                            Some(Value::Array(a)) => a.clone(),
                            Some(v @ Value::String(_)) => vec![v.clone()],
                            _ => return Err(err(
                                "SCHEDULE_RATE_MISSING",
                                "a schedule needs \"rate\": a list of rate() or cron() expressions",
                            )),
                        };
                    let state = if o.get("enabled") == Some(&Value::Bool(false)) {
                        "DISABLED"
                    } else {
                        "ENABLED"
                    };
                    (rates, state, Some(o))
                }
                other => (vec![other.clone()], "ENABLED", None),
            };
            let get = |k: &str| obj.and_then(|o| o.get(k)).filter(|v| !v.is_null());
            let str_of = |k: &str| get(k).and_then(Value::as_str).map(str::to_string);
            let method = str_of("method").unwrap_or_else(|| "eventBus".into());
            let scheduler = method == "scheduler";
            let name = str_of("name");
            if expressions.len() > 1 && name.is_some() {
                return Err(err(
                    "SCHEDULE_NAME_NOT_ALLOWED_MULTIPLE_RATES",
                    "You cannot specify a name when defining more than one rate expression",
                ));
            }
            let input = match get("input") {
                Some(Value::Object(i)) => {
                    let mut i = i.clone();
                    if let Some(Value::String(body)) = i.get("body") {
                        if let Ok(parsed) = serde_json::from_str::<Value>(body) {
                            i.insert("body".into(), parsed);
                        }
                    }
                    Some(Value::Object(i).to_string())
                }
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
                None => None,
            };
            if scheduler && get("inputTransformer").is_some() {
                return Err(err("SCHEDULE_PARAMETER_NOT_SUPPORTED", "Cannot setup \"schedule\" event: \"inputTransformer\" is not supported with \"scheduler\" mode"));
            }
            if scheduler && get("inputPath").is_some() {
                return Err(err("SCHEDULE_PARAMETER_NOT_SUPPORTED", "Cannot setup \"schedule\" event: \"inputPath\" is not supported with \"scheduler\" mode"));
            }
            if !scheduler && get("timezone").is_some() {
                return Err(err("SCHEDULE_PARAMETER_NOT_SUPPORTED", "Cannot setup \"schedule\" event: \"timezone\" is only supported with \"scheduler\" mode"));
            }
            if !scheduler && get("groupName").is_some() {
                return Err(err("SCHEDULE_PARAMETER_NOT_SUPPORTED", "Cannot setup \"schedule\" event: \"groupName\" is only supported with \"scheduler\" mode"));
            }
            let description = str_of("description");
            for expression in expressions {
                number += 1;
                if scheduler {
                    has_scheduler = true;
                    let role = get("roleArn").cloned().or_else(|| {
                        resources
                            .get(&function_logical_id(&f.key))
                            .and_then(|r| r.pointer("/Properties/Role"))
                            .cloned()
                    });
                    let mut t = Map::new();
                    t.insert("Arn".into(), target.clone());
                    put(&mut t, "RoleArn", role);
                    put(&mut t, "Input", input.clone().map(Value::String));
                    let mut props = Map::new();
                    props.insert("ScheduleExpression".into(), expression.clone());
                    props.insert("State".into(), json!(state));
                    props.insert("Target".into(), Value::Object(t));
                    props.insert("FlexibleTimeWindow".into(), json!({ "Mode": "OFF" }));
                    put(&mut props, "Name", name.clone().map(Value::String));
                    put(&mut props, "GroupName", get("groupName").cloned());
                    put(
                        &mut props,
                        "Description",
                        description.clone().map(Value::String),
                    );
                    put(
                        &mut props,
                        "ScheduleExpressionTimezone",
                        get("timezone").cloned(),
                    );
                    let mut resource = Map::new();
                    resource.insert("Type".into(), json!("AWS::Scheduler::Schedule"));
                    put(
                        &mut resource,
                        "DependsOn",
                        depends_on.clone().map(Value::String),
                    );
                    resource.insert("Properties".into(), Value::Object(props));
                    resources.insert(
                        format!("{}SchedulerSchedule{number}", normalized_name(&f.key)),
                        Value::Object(resource),
                    );
                    continue;
                }
                let rule_id = format!("{}EventsRuleSchedule{number}", normalized_name(&f.key));
                let mut t = Map::new();
                put(
                    &mut t,
                    "Input",
                    input.as_deref().map(|i| Value::String(through_template(i))),
                );
                put(
                    &mut t,
                    "InputPath",
                    str_of("inputPath").map(|p| Value::String(through_template(&p))),
                );
                if let Some(Value::Object(tr)) = get("inputTransformer") {
                    t.insert("InputTransformer".into(), input_transformer(tr));
                }
                t.insert("Arn".into(), target.clone());
                t.insert("Id".into(), json!(format!("{}Schedule", f.key)));
                let mut props = Map::new();
                props.insert(
                    "ScheduleExpression".into(),
                    match &expression {
                        Value::String(s) => Value::String(through_template(s)),
                        other => other.clone(),
                    },
                );
                props.insert("State".into(), json!(state));
                put(
                    &mut props,
                    "Name",
                    name.as_deref().map(|n| Value::String(through_template(n))),
                );
                put(
                    &mut props,
                    "Description",
                    description
                        .as_deref()
                        .map(|d| Value::String(through_template(d))),
                );
                props.insert("Targets".into(), json!([t]));
                let mut rule = Map::new();
                rule.insert("Type".into(), json!("AWS::Events::Rule"));
                put(
                    &mut rule,
                    "DependsOn",
                    depends_on.clone().map(Value::String),
                );
                rule.insert("Properties".into(), Value::Object(props));
                let mut permission = Map::new();
                permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
                put(
                    &mut permission,
                    "DependsOn",
                    depends_on.clone().map(Value::String),
                );
                permission.insert(
                    "Properties".into(),
                    json!({
                        "FunctionName": target,
                        "Action": "lambda:InvokeFunction",
                        "Principal": "events.amazonaws.com",
                        "SourceArn": { "Fn::GetAtt": [rule_id, "Arn"] }
                    }),
                );
                resources.insert(rule_id, Value::Object(rule));
                resources.insert(
                    format!(
                        "{}LambdaPermissionEventsRuleSchedule{number}",
                        normalized_name(&f.key)
                    ),
                    Value::Object(permission),
                );
            }
        }
        if has_scheduler {
            let arn = format!(
                "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}",
                f.name
            );
            scheduler_resources.push(json!({ "Fn::Sub": arn }));
            scheduler_resources.push(json!({ "Fn::Sub": format!("{arn}:*") }));
        }
    }
    if scheduler_resources.is_empty()
        && !service.functions.iter().any(|f| {
            super::events_of(f, "schedule")
                .any(|(_, e)| e.get("method").and_then(Value::as_str) == Some("scheduler"))
        })
    {
        return Ok(());
    }
    let Some(role) = resources.get_mut(ROLE_LAMBDA_EXECUTION) else {
        return Ok(());
    };
    if let Some(Value::Array(statements)) =
        role.pointer_mut("/Properties/AssumeRolePolicyDocument/Statement")
    {
        if let Some(services) = statements.iter_mut().find_map(|s| {
            s.pointer_mut("/Principal/Service")
                .and_then(Value::as_array_mut)
                .filter(|list| list.iter().any(|v| v == "lambda.amazonaws.com"))
        }) {
            services.push(json!("scheduler.amazonaws.com"));
        }
    }
    crate::compile::iam::push_statement(
        resources,
        json!({ "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": scheduler_resources }),
        false,
    );
    Ok(())
}
