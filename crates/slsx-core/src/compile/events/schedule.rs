//! `schedule`: an EventBridge rule (`AWS::Events::Rule` + permission) per rate or cron expression, or
//! with `method: scheduler` an `AWS::Scheduler::Schedule` whose role may invoke the function.

use serde_json::{json, Map, Value};

use super::{
    alias_logical_id, events_of_type, input_transformer, invoke_permission, put, through_template,
};
use crate::compile::naming::{function_logical_id, normalized_name, ROLE_LAMBDA_EXECUTION};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::{ScheduleEvent, ScheduleMethod};
use crate::config::{Function, Service};
use crate::error::Result;

/// One expression of a function's schedule event: what its resources are built from.
struct Run<'a> {
    f: &'a Function,
    event: &'a ScheduleEvent,
    expression: &'a Value,
    /// The expression's number among all of the function's (logical IDs).
    number: usize,
    /// The function (or its alias) invoked.
    target: &'a Value,
    /// The alias the resources wait for.
    depends_on: Option<Value>,
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut invoked = Vec::new();
    let mut any_scheduler = false;
    for f in &service.functions {
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let depends_on = alias_logical_id(f).map(Value::String);
        let mut number = 0;
        let mut has_scheduler = false;
        for (_, event) in events_of_type!(f, Schedule) {
            let scheduler = event.method == ScheduleMethod::Scheduler;
            any_scheduler |= scheduler;
            for expression in &event.expressions {
                number += 1;
                let run = Run {
                    f,
                    event,
                    expression,
                    number,
                    target: &target,
                    depends_on: depends_on.clone(),
                };
                if scheduler {
                    has_scheduler = true;
                    add_scheduler_schedule(&run, resources);
                } else {
                    add_events_rule(&run, resources);
                }
            }
        }
        if has_scheduler {
            let arn = format!(
                "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}",
                f.name
            );
            invoked.push(json!({ "Fn::Sub": arn }));
            invoked.push(json!({ "Fn::Sub": format!("{arn}:*") }));
        }
    }
    if any_scheduler {
        allow_scheduler(resources, invoked);
    }
    Ok(())
}

/// `method: scheduler`: an `AWS::Scheduler::Schedule` invoking the function with `roleArn`, else the
/// function's own role.
fn add_scheduler_schedule(run: &Run, resources: &mut Map<String, Value>) {
    let event = run.event;
    let role = event.role_arn.clone().or_else(|| {
        resources
            .get(&function_logical_id(&run.f.key))
            .and_then(|r| r.pointer("/Properties/Role"))
            .cloned()
    });
    let mut t = Map::new();
    t.insert("Arn".into(), run.target.clone());
    put(&mut t, "RoleArn", role);
    put(&mut t, "Input", event.input.clone().map(Value::String));
    let mut props = Map::new();
    props.insert("ScheduleExpression".into(), run.expression.clone());
    props.insert("State".into(), state(event));
    props.insert("Target".into(), Value::Object(t));
    props.insert("FlexibleTimeWindow".into(), json!({ "Mode": "OFF" }));
    put(&mut props, "Name", event.name.clone().map(Value::String));
    put(&mut props, "GroupName", event.group_name.clone());
    put(
        &mut props,
        "Description",
        event.description.clone().map(Value::String),
    );
    put(
        &mut props,
        "ScheduleExpressionTimezone",
        event.timezone.clone(),
    );
    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::Scheduler::Schedule"));
    put(&mut resource, "DependsOn", run.depends_on.clone());
    resource.insert("Properties".into(), Value::Object(props));
    resources.insert(
        format!(
            "{}SchedulerSchedule{}",
            normalized_name(&run.f.key),
            run.number
        ),
        Value::Object(resource),
    );
}

/// The default method: an `AWS::Events::Rule` targeting the function, and the permission for
/// EventBridge to invoke it. osls writes the strings into a JSON text template (`through_template`).
fn add_events_rule(run: &Run, resources: &mut Map<String, Value>) {
    let (event, n) = (run.event, normalized_name(&run.f.key));
    let rule_id = format!("{n}EventsRuleSchedule{}", run.number);
    let text = |s: &Option<String>| s.as_deref().map(|s| Value::String(through_template(s)));
    let mut t = Map::new();
    put(&mut t, "Input", text(&event.input));
    put(&mut t, "InputPath", text(&event.input_path));
    if let Some(tr) = &event.input_transformer {
        t.insert("InputTransformer".into(), input_transformer(tr));
    }
    t.insert("Arn".into(), run.target.clone());
    t.insert("Id".into(), json!(format!("{}Schedule", run.f.key)));
    let mut props = Map::new();
    props.insert(
        "ScheduleExpression".into(),
        match run.expression {
            Value::String(s) => Value::String(through_template(s)),
            other => other.clone(),
        },
    );
    props.insert("State".into(), state(event));
    put(&mut props, "Name", text(&event.name));
    put(&mut props, "Description", text(&event.description));
    props.insert("Targets".into(), json!([t]));
    let mut rule = Map::new();
    rule.insert("Type".into(), json!("AWS::Events::Rule"));
    put(&mut rule, "DependsOn", run.depends_on.clone());
    rule.insert("Properties".into(), Value::Object(props));
    let permission = invoke_permission(
        run.f,
        json!({
            "FunctionName": run.target,
            "Action": "lambda:InvokeFunction",
            "Principal": "events.amazonaws.com",
            "SourceArn": { "Fn::GetAtt": [rule_id, "Arn"] }
        }),
    );
    resources.insert(rule_id, Value::Object(rule));
    resources.insert(
        format!("{n}LambdaPermissionEventsRuleSchedule{}", run.number),
        permission,
    );
}

fn state(event: &ScheduleEvent) -> Value {
    json!(if event.enabled { "ENABLED" } else { "DISABLED" })
}

/// Scheduler schedules run as the role Serverless creates: EventBridge Scheduler may assume it, and
/// it may invoke the functions (`invoked`).
fn allow_scheduler(resources: &mut Map<String, Value>, invoked: Vec<Value>) {
    let Some(role) = resources.get_mut(ROLE_LAMBDA_EXECUTION) else {
        return;
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
        json!({ "Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": invoked }),
        false,
    );
}
