//! The invoke permissions, per route in order: its function's, then its authorizer's.

use serde_json::{json, Map, Value};

use super::super::alias_logical_id;
use super::{local_function, local_target, Api, Route};
use crate::compile::naming::{function_logical_id, normalized_name};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::websocket::{Permission, WebsocketAuthorizer};
use crate::config::Service;

pub(super) fn add(
    service: &Service,
    api: &Api,
    routes: &[Route],
    resources: &mut Map<String, Value>,
) {
    for r in routes {
        let f = r.function;
        let mut depends_on = api.depends_on();
        depends_on.push(json!(
            alias_logical_id(f).unwrap_or_else(|| function_logical_id(&f.key))
        ));
        resources.insert(
            format!("{}LambdaPermissionWebsockets", normalized_name(&f.key)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "DependsOn": depends_on,
                "Properties": { "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()), "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com" }
            }),
        );
        if let Some(a) = &r.event.authorizer {
            add_authorizer_permission(service, api, a, resources);
        }
    }
}

fn add_authorizer_permission(
    service: &Service,
    api: &Api,
    a: &WebsocketAuthorizer,
    resources: &mut Map<String, Value>,
) {
    let mut depends_on = api.depends_on();
    let mut props = Map::new();
    props.insert("Action".into(), json!("lambda:InvokeFunction"));
    props.insert("Principal".into(), json!("apigateway.amazonaws.com"));
    match &a.permission {
        Permission::Arn(arn) => {
            props.insert("FunctionName".into(), arn.clone());
        }
        Permission::Function { key, waits_for } => {
            props.insert("FunctionName".into(), local_target(service, key));
            depends_on.push(
                waits_for
                    .clone()
                    .unwrap_or_else(|| json!(function_logical_id(key))),
            );
            depends_on.extend(
                local_function(service, key)
                    .and_then(alias_logical_id)
                    .map(Value::String),
            );
        }
    }
    resources.insert(
        format!("{}LambdaPermissionWebsockets", normalized_name(&a.name)),
        json!({ "Type": "AWS::Lambda::Permission", "DependsOn": depends_on, "Properties": props }),
    );
}
