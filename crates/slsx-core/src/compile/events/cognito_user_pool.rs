//! `cognitoUserPool`: the user pools Serverless creates, each with its triggers in `LambdaConfig`, and
//! a permission per trigger for Cognito to invoke the function. Pools marked `existing: true` get
//! their triggers through a custom resource.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, events_of_type, invoke_permission};
use crate::compile::naming::{function_logical_id, normalized_name};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::CognitoUserPoolEvent;
use crate::config::{Function, Service};
use crate::error::Result;

/// The service's triggers on pools it creates, with their function, in order.
fn new_pool_triggers(service: &Service) -> Vec<(&Function, &CognitoUserPoolEvent)> {
    service
        .functions
        .iter()
        .flat_map(|f| events_of_type!(f, CognitoUserPool).map(move |(_, e)| (f, e)))
        .filter(|(_, e)| !e.existing)
        .collect()
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let triggers = new_pool_triggers(service);
    let mut pools: Vec<&str> = Vec::new();
    for (_, t) in &triggers {
        if !pools.contains(&t.pool.as_str()) {
            pools.push(&t.pool);
        }
    }
    for pool in pools {
        let on_pool: Vec<_> = triggers.iter().filter(|(_, t)| t.pool == pool).collect();
        resources.insert(
            format!("CognitoUserPool{}", alphanumeric(pool)),
            user_pool(pool, &on_pool),
        );
    }
    for (f, t) in &triggers {
        let permission = invoke_permission(
            f,
            json!({
                "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()),
                "Action": "lambda:InvokeFunction",
                "Principal": "cognito-idp.amazonaws.com",
                "SourceArn": { "Fn::GetAtt": [format!("CognitoUserPool{}", alphanumeric(&t.pool)), "Arn"] }
            }),
        );
        resources.insert(
            format!(
                "{}LambdaPermissionCognitoUserPool{}TriggerSource{}",
                normalized_name(&f.key),
                alphanumeric(&t.pool),
                alphanumeric(&t.trigger)
            ),
            permission,
        );
    }
    existing(service, resources);
    Ok(())
}

/// A pool the stack creates, with its triggers' functions in `LambdaConfig`.
fn user_pool(pool: &str, triggers: &[&(&Function, &CognitoUserPoolEvent)]) -> Value {
    let mut config = Map::new();
    let mut depends_on = Vec::new();
    for (f, t) in triggers {
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        match (&t.kms_key_id, t.trigger.as_str(), &t.lambda_version) {
            (Some(kms), _, version) if t.is_custom_sender() => {
                config.insert(t.trigger.clone(), json!({ "LambdaArn": target, "LambdaVersion": version.as_deref().unwrap_or("V1_0") }));
                config.insert("KMSKeyID".into(), kms.clone());
            }
            (_, "PreTokenGeneration", Some(v)) => {
                config.insert(
                    "PreTokenGenerationConfig".into(),
                    json!({ "LambdaArn": target, "LambdaVersion": v }),
                );
            }
            _ => {
                config.insert(t.trigger.clone(), target);
            }
        }
        depends_on.push(json!(
            alias_logical_id(f).unwrap_or_else(|| function_logical_id(&f.key))
        ));
    }
    json!({ "Type": "AWS::Cognito::UserPool", "Properties": { "UserPoolName": pool, "LambdaConfig": config }, "DependsOn": depends_on })
}

/// `existing: true`: one `Custom::CognitoUserPool` resource per function (all its triggers on one
/// pool), which slsx's custom resource handler writes into the pool's `LambdaConfig`.
fn existing(service: &Service, resources: &mut Map<String, Value>) {
    use crate::compile::custom_resources::{self, Kind};
    let mut statements: Vec<Value> = Vec::new();
    let mut per_pool: Vec<(String, Vec<String>)> = Vec::new();
    for f in &service.functions {
        let id = format!("{}CustomCognitoUserPool1", normalized_name(&f.key));
        for (_, event) in events_of_type!(f, CognitoUserPool).filter(|(_, e)| e.existing) {
            custom_resources::track(&mut per_pool, &event.pool, &id);
            let config = existing_trigger_config(event);
            if let Some(resource) = resources.get_mut(&id) {
                if let Some(Value::Array(configs)) =
                    resource.pointer_mut("/Properties/UserPoolConfigs")
                {
                    configs.push(config);
                }
                continue;
            }
            if let (true, Some(k)) = (event.is_custom_sender(), &event.kms_key_id) {
                statements.push(
                    json!({ "Effect": "Allow", "Resource": k, "Action": ["kms:CreateGrant"] }),
                );
            }
            let (depends_on, mut props) =
                custom_resources::per_function(f, Kind::ExistingCognitoUserPool);
            props.insert("UserPoolName".into(), json!(event.pool));
            props.insert("UserPoolConfigs".into(), json!([config]));
            if event.force_deploy {
                props.insert("ForceDeploy".into(), json!(custom_resources::now_ms()));
            }
            resources.insert(id.clone(), json!({ "Type": "Custom::CognitoUserPool", "Version": 1, "DependsOn": depends_on, "Properties": props }));
            statements.push(json!({
                "Effect": "Allow",
                "Resource": "*",
                "Action": ["cognito-idp:ListUserPools", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool"]
            }));
        }
    }
    if per_pool.is_empty() {
        return;
    }
    let functions = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*";
    statements.push(json!({
        "Effect": "Allow",
        "Resource": { "Fn::Sub": functions },
        "Action": ["lambda:AddPermission"],
        "Condition": { "StringEquals": { "lambda:Principal": "cognito-idp.amazonaws.com" } }
    }));
    statements.push(json!({ "Effect": "Allow", "Resource": { "Fn::Sub": functions }, "Action": ["lambda:RemovePermission"] }));
    statements.push(json!({ "Effect": "Allow", "Resource": { "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/*" }, "Action": ["iam:PassRole"] }));
    custom_resources::chain(resources, per_pool.into_iter().flat_map(|(_, ids)| ids));
    custom_resources::add(
        service,
        resources,
        Kind::ExistingCognitoUserPool,
        statements,
    );
}

/// One trigger of an existing pool, as the custom resource's handler reads it.
fn existing_trigger_config(event: &CognitoUserPoolEvent) -> Value {
    let mut config = Map::new();
    config.insert("Trigger".into(), json!(event.trigger));
    if event.is_custom_sender() {
        config.insert(
            "LambdaVersion".into(),
            json!(event.lambda_version.as_deref().unwrap_or("V1_0")),
        );
        config.insert("KMSKeyID".into(), json!(event.kms_key_id));
    } else if let (true, Some(v)) = (event.trigger == "PreTokenGeneration", &event.lambda_version) {
        config.insert("LambdaVersion".into(), json!(v));
    }
    Value::Object(config)
}
