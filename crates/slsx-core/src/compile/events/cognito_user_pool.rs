//! `cognitoUserPool`: the user pools Serverless creates, each with its triggers in `LambdaConfig`, and
//! a permission per trigger for Cognito to invoke the function. Pools marked `existing: true` get
//! their triggers through a custom resource.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, alphanumeric, event_error};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::{function_logical_id, normalized_name};
use crate::config::{Function, Service};
use crate::error::Result;

const CUSTOM_SENDERS: [&str; 2] = ["CustomSMSSender", "CustomEmailSender"];
const PRE_TOKEN_VERSIONS: [&str; 3] = ["V1_0", "V2_0", "V3_0"];

struct Trigger<'a> {
    function: &'a Function,
    index: usize,
    pool: String,
    source: String,
    kms_key: Option<Value>,
    version: Option<String>,
}

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    let mut triggers = Vec::new();
    let mut pools: Vec<String> = Vec::new();
    for f in &service.functions {
        for (index, event) in super::events_of(f, "cognitoUserPool") {
            if event.get("existing").is_some_and(truthy) {
                continue;
            }
            let text = |k: &str| event.get(k).and_then(Value::as_str).map(str::to_string);
            let source = text("trigger").unwrap_or_default();
            let version = text("lambdaVersion");
            let bad_version = |message: String, code| {
                Err(event_error(
                    service,
                    f,
                    index,
                    "cognitoUserPool",
                    code,
                    message,
                ))
            };
            if let Some(v) = &version {
                if CUSTOM_SENDERS.contains(&source.as_str()) {
                    if v != "V1_0" {
                        return bad_version(format!("Invalid lambdaVersion \"{v}\" for trigger \"{source}\". Custom sender triggers only support: V1_0"), "COGNITO_INVALID_LAMBDA_VERSION");
                    }
                } else if source == "PreTokenGeneration" {
                    if !PRE_TOKEN_VERSIONS.contains(&v.as_str()) {
                        return bad_version(format!("Invalid lambdaVersion \"{v}\" for trigger \"{source}\". PreTokenGeneration supports: {}", PRE_TOKEN_VERSIONS.join(", ")), "COGNITO_INVALID_LAMBDA_VERSION");
                    }
                } else {
                    return bad_version(format!("lambdaVersion is not supported for trigger \"{source}\". It's only supported for: CustomSMSSender, CustomEmailSender, and PreTokenGeneration"), "COGNITO_LAMBDA_VERSION_NOT_SUPPORTED");
                }
            }
            let pool = text("pool").unwrap_or_default();
            if !pools.contains(&pool) {
                pools.push(pool.clone());
            }
            triggers.push(Trigger {
                function: f,
                index,
                pool,
                source,
                kms_key: event.get("kmsKeyId").filter(|v| !v.is_null()).cloned(),
                version,
            });
        }
    }
    for pool in &pools {
        let mut config = Map::new();
        let mut depends_on = Vec::new();
        let mut pool_kms: Option<&Value> = None;
        for t in triggers.iter().filter(|t| &t.pool == pool) {
            let target = lambda_target(&t.function.key, target_alias(t.function).as_ref());
            if CUSTOM_SENDERS.contains(&t.source.as_str()) {
                let Some(kms) = &t.kms_key else {
                    return Err(event_error(service, t.function, t.index, "cognitoUserPool", "COGNITO_KMS_KEY_NOT_SET", format!(
                        "KMS Key must be set when using a Custom Sender Source Trigger (CustomSMSSender and/or CustomEmailSender). Affected Cognito User Pool: \"{pool}\"."
                    )));
                };
                if pool_kms.is_some_and(|previous| previous != kms) {
                    return Err(event_error(service, t.function, t.index, "cognitoUserPool", "COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL", format!(
                        "Only one KMS Key for can be configured per Cognito User Pool. Affected Cognito User Pool: \"{pool}\"."
                    )));
                }
                pool_kms = Some(kms);
                config.insert(t.source.clone(), json!({ "LambdaArn": target, "LambdaVersion": t.version.as_deref().unwrap_or("V1_0") }));
                config.insert("KMSKeyID".into(), kms.clone());
            } else if let (true, Some(v)) = (t.source == "PreTokenGeneration", &t.version) {
                config.insert(
                    "PreTokenGenerationConfig".into(),
                    json!({ "LambdaArn": target, "LambdaVersion": v }),
                );
            } else {
                config.insert(t.source.clone(), target);
            }
            depends_on.push(json!(alias_logical_id(t.function)
                .unwrap_or_else(|| function_logical_id(&t.function.key))));
        }
        resources.insert(
            format!("CognitoUserPool{}", alphanumeric(pool)),
            json!({ "Type": "AWS::Cognito::UserPool", "Properties": { "UserPoolName": pool, "LambdaConfig": config }, "DependsOn": depends_on }),
        );
    }
    for t in &triggers {
        let mut permission = Map::new();
        permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
        if let Some(a) = alias_logical_id(t.function) {
            permission.insert("DependsOn".into(), json!(a));
        }
        permission.insert(
            "Properties".into(),
            json!({
                "FunctionName": lambda_target(&t.function.key, target_alias(t.function).as_ref()),
                "Action": "lambda:InvokeFunction",
                "Principal": "cognito-idp.amazonaws.com",
                "SourceArn": { "Fn::GetAtt": [format!("CognitoUserPool{}", alphanumeric(&t.pool)), "Arn"] }
            }),
        );
        resources.insert(
            format!(
                "{}LambdaPermissionCognitoUserPool{}TriggerSource{}",
                normalized_name(&t.function.key),
                alphanumeric(&t.pool),
                alphanumeric(&t.source)
            ),
            Value::Object(permission),
        );
    }
    existing(service, resources)
}

/// `existing: true`: one `Custom::CognitoUserPool` resource per function (all its triggers on one
/// pool), which slsx's custom resource handler writes into the pool's `LambdaConfig`.
fn existing(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    use crate::compile::custom_resources::{self, Kind};
    let mut statements: Vec<Value> = Vec::new();
    let mut per_pool: Vec<(String, Vec<String>)> = Vec::new();
    let mut pool_kms: Vec<(String, Value)> = Vec::new();
    for f in &service.functions {
        let mut current: Option<String> = None;
        let id = format!("{}CustomCognitoUserPool1", normalized_name(&f.key));
        for (index, event) in super::events_of(f, "cognitoUserPool") {
            if !event.get("existing").is_some_and(truthy) {
                continue;
            }
            let text = |k: &str| event.get(k).and_then(Value::as_str).map(str::to_string);
            let (pool, trigger, version) = (
                text("pool").unwrap_or_default(),
                text("trigger").unwrap_or_default(),
                text("lambdaVersion"),
            );
            let kms = event.get("kmsKeyId").filter(|v| !v.is_null()).cloned();
            let fail = |code, message: String| {
                Err(event_error(
                    service,
                    f,
                    index,
                    "cognitoUserPool",
                    code,
                    message,
                ))
            };
            match &current {
                None => current = Some(pool.clone()),
                Some(c) if *c != pool => {
                    return fail("COGNITO_MULTIPLE_USER_POOLS_PER_FUNCTION", format!(
                        "Only one Cognito User Pool can be configured per function. In \"{}\" you're attempting to configure \"{c}\" and \"{pool}\" at the same time.", f.name
                    ));
                }
                _ => {}
            }
            custom_resources::track(&mut per_pool, &pool, &id);
            let mut config = Map::new();
            config.insert("Trigger".into(), json!(trigger));
            if CUSTOM_SENDERS.contains(&trigger.as_str()) {
                config.insert(
                    "LambdaVersion".into(),
                    json!(version.as_deref().unwrap_or("V1_0")),
                );
                let Some(kms) = kms.clone() else {
                    return fail("COGNITO_KMS_KEY_NOT_SET", format!("KMS Key must be set when using a Custom Sender Source Trigger (CustomSMSSender and/or CustomEmailSender). Affected Cognito User Pool: \"{pool}\"."));
                };
                if pool_kms.iter().any(|(p, k)| *p == pool && *k != kms) {
                    return fail("COGNITO_KMS_KEY_ID_NOT_SAME_FOR_SINGLE_USER_POOL", format!("Only one KMS Key for can be configured per Cognito User Pool. Affected Cognito User Pool: \"{pool}\"."));
                }
                pool_kms.push((pool.clone(), kms.clone()));
                config.insert("KMSKeyID".into(), kms);
            } else if let (true, Some(v)) = (trigger == "PreTokenGeneration", &version) {
                config.insert("LambdaVersion".into(), json!(v));
            }
            if let Some(existing) = resources.get_mut(&id) {
                if let Some(Value::Array(configs)) =
                    existing.pointer_mut("/Properties/UserPoolConfigs")
                {
                    configs.push(Value::Object(config));
                }
                continue;
            }
            if CUSTOM_SENDERS.contains(&trigger.as_str()) {
                if let Some(k) = &kms {
                    statements.push(
                        json!({ "Effect": "Allow", "Resource": k, "Action": ["kms:CreateGrant"] }),
                    );
                }
            }
            let (depends_on, mut props) =
                custom_resources::per_function(f, Kind::ExistingCognitoUserPool);
            props.insert("UserPoolName".into(), json!(pool));
            props.insert("UserPoolConfigs".into(), json!([config]));
            if event.get("forceDeploy").is_some_and(truthy) {
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
        return Ok(());
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
    Ok(())
}
