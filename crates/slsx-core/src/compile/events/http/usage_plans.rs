//! `provider.apiGateway.apiKeys` and `usagePlan`: an `AWS::ApiGateway::ApiKey` per key, a usage plan
//! (`default`, or one per named plan of a `usagePlan` list) and a `UsagePlanKey` tying each key to its
//! plan. Keys may be grouped by plan (`- <plan name>: [keys]`); numbering follows osls's counters.

use serde_json::{json, Map, Value};

use super::super::put;
use crate::compile::naming::upper_first;
use crate::compile::targets::truthy;
use crate::config::Service;

/// What every key and plan of the API refers to.
struct Context<'a> {
    service: &'a Service,
    rest_api_id: &'a Value,
    deployment_id: &'a str,
    /// `usagePlan`: one plan's limits, or a list of `{ <name>: limits }`.
    usage_plan: Option<&'a Value>,
    /// The names of a `usagePlan` list, in order.
    plan_names: Vec<String>,
}

/// `api` is `provider.apiGateway`.
pub(super) fn compile(
    service: &Service,
    api: &Map<String, Value>,
    rest_api_id: &Value,
    deployment_id: &str,
    resources: &mut Map<String, Value>,
) {
    let keys = api.get("apiKeys").and_then(Value::as_array);
    let usage_plan = api.get("usagePlan").filter(|v| !v.is_null());
    let plan_names: Vec<String> = usage_plan
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .filter_map(|o| o.as_object()?.keys().next().cloned())
                .collect()
        })
        .unwrap_or_default();
    let cx = Context {
        service,
        rest_api_id,
        deployment_id,
        usage_plan,
        plan_names,
    };
    if let Some(keys) = keys {
        api_keys(&cx, keys, resources);
    }
    if usage_plan.is_none() && keys.is_none() {
        return;
    }
    let names = if usage_plan.is_some_and(Value::is_array) {
        for name in &cx.plan_names {
            resources.insert(plan_id(Some(name)), plan_resource(&cx, name));
        }
        cx.plan_names.clone()
    } else {
        resources.insert(plan_id(None), plan_resource(&cx, "default"));
        vec!["default".to_string()]
    };
    if let Some(keys) = keys {
        plan_keys(keys, &names, resources);
    }
}

/// The API keys: `ApiGatewayApiKey<n>`, or `ApiGatewayApiKey<Plan><i>` in a plan's group.
fn api_keys(cx: &Context, keys: &[Value], resources: &mut Map<String, Value>) {
    let mut n = 0;
    for k in keys {
        match group(cx, k) {
            Some((name, list)) => {
                for (i, key) in list.iter().enumerate() {
                    resources.insert(
                        format!("ApiGatewayApiKey{}{}", upper_first(&name), i + 1),
                        key_resource(cx, key),
                    );
                }
                // osls's counter restarts after a group.
                n = list.len();
            }
            None => {
                n += 1;
                resources.insert(format!("ApiGatewayApiKey{n}"), key_resource(cx, k));
            }
        }
    }
}

/// A key entry that is a group of a named plan: `{ <plan name>: [keys] }`.
fn group(cx: &Context, k: &Value) -> Option<(String, Vec<Value>)> {
    let (name, list) = k.as_object()?.iter().next()?;
    cx.plan_names
        .contains(name)
        .then(|| (name.clone(), list.as_array().cloned().unwrap_or_default()))
}

/// A key: a name, or `{ name, value, description, customerId, enabled }`.
fn key_resource(cx: &Context, key: &Value) -> Value {
    let obj = key.as_object();
    let get = |k: &str| obj.and_then(|o| o.get(k));
    let name = match key {
        Value::String(s) => Some(json!(s)),
        _ => get("name").cloned(),
    };
    let mut props = Map::new();
    props.insert(
        "Enabled".into(),
        get("enabled")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!(true)),
    );
    put(&mut props, "Name", name);
    put(
        &mut props,
        "Value",
        get("value").filter(|v| truthy(v)).cloned(),
    );
    put(&mut props, "Description", get("description").cloned());
    put(&mut props, "CustomerId", get("customerId").cloned());
    props.insert(
        "StageKeys".into(),
        json!([{ "RestApiId": cx.rest_api_id, "StageName": cx.service.stage }]),
    );
    json!({ "Type": "AWS::ApiGateway::ApiKey", "Properties": props, "DependsOn": cx.deployment_id })
}

fn plan_id(name: Option<&str>) -> String {
    name.map_or_else(
        || "ApiGatewayUsagePlan".to_string(),
        |n| format!("ApiGatewayUsagePlan{}", upper_first(n)),
    )
}

/// A usage plan: `default` (the single `usagePlan`) or a named one of the list, with its `quota`
/// and `throttle` when not empty.
fn plan_resource(cx: &Context, name: &str) -> Value {
    let (service, stage) = (&cx.service.name, &cx.service.stage);
    let (limits, plan_name, description) = if name == "default" {
        (
            cx.usage_plan.cloned(),
            format!("{service}-{stage}"),
            format!("Usage plan for {service} {stage} stage"),
        )
    } else {
        let limits = cx
            .usage_plan
            .and_then(Value::as_array)
            .and_then(|p| p.iter().rev().find_map(|o| o.get(name)).cloned());
        (
            limits,
            format!("{service}-{name}-{stage}"),
            format!("Usage plan \"{name}\" for {service} {stage} stage"),
        )
    };
    let mut props = Map::new();
    props.insert(
        "ApiStages".into(),
        json!([{ "ApiId": cx.rest_api_id, "Stage": stage }]),
    );
    props.insert("Description".into(), json!(description));
    props.insert("UsagePlanName".into(), json!(plan_name));
    let sections = [
        (
            "quota",
            "Quota",
            &[
                ("limit", "Limit"),
                ("offset", "Offset"),
                ("period", "Period"),
            ][..],
        ),
        (
            "throttle",
            "Throttle",
            &[("burstLimit", "BurstLimit"), ("rateLimit", "RateLimit")][..],
        ),
    ];
    for (key, property, fields) in sections {
        if let Some(section) = limits
            .as_ref()
            .and_then(|l| l.get(key))
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
        {
            let mut out = Map::new();
            for (from, to) in fields {
                put(&mut out, to, section.get(*from).cloned());
            }
            props.insert(property.into(), Value::Object(out));
        }
    }
    json!({ "Type": "AWS::ApiGateway::UsagePlan", "DependsOn": cx.deployment_id, "Properties": props })
}

/// A `UsagePlanKey` per key, numbered as the keys are. (A group without its plan is refused while
/// loading.)
fn plan_keys(keys: &[Value], names: &[String], resources: &mut Map<String, Value>) {
    let mut n = 0;
    for k in keys {
        let entry = k.as_object().and_then(|o| o.iter().next());
        match entry.filter(|(name, _)| names.contains(name)) {
            Some((name, list)) => {
                let count = list.as_array().map_or(0, Vec::len);
                for j in 1..=count {
                    resources.insert(
                        format!("ApiGatewayUsagePlanKey{}{j}", upper_first(name)),
                        usage_plan_key(
                            &format!("ApiGatewayApiKey{}{j}", upper_first(name)),
                            &plan_id(Some(name)),
                        ),
                    );
                }
                n = count;
            }
            None => {
                n += 1;
                resources.insert(
                    format!("ApiGatewayUsagePlanKey{n}"),
                    usage_plan_key(&format!("ApiGatewayApiKey{n}"), &plan_id(None)),
                );
            }
        }
    }
}

fn usage_plan_key(key_id: &str, plan_id: &str) -> Value {
    json!({
        "Type": "AWS::ApiGateway::UsagePlanKey",
        "Properties": { "KeyId": { "Ref": key_id }, "KeyType": "API_KEY", "UsagePlanId": { "Ref": plan_id } }
    })
}
