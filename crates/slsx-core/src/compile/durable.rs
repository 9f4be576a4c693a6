//! `functions.*.durableConfig` (Lambda durable functions), as osls 4.3.1 compiles it: the function's
//! `DurableConfig`, a version whatever `versionFunction` says, the `durable` alias every event and
//! invoke setting targets (`{F}DurableLambdaAlias`), and one execution-role statement letting the
//! functions checkpoint their executions. Settings durable functions cannot have are refused first,
//! with osls's codes and messages.

use serde_json::{json, Map, Value};

use super::functions::{truthy, DEFAULT_RUNTIME};
use super::iam::custom_execution_role;
use super::naming::ROLE_LAMBDA_EXECUTION;
use crate::config::{error_at, Function, Service};
use crate::error::Result;

/// The alias osls points durable functions' events at.
pub const ALIAS_NAME: &str = "durable";

/// Event keys that compile to an `AWS::Lambda::EventSourceMapping`: those invoke durable functions
/// synchronously, so the execution timeout is capped at 900 s for them.
const ESM_EVENTS: [&str; 6] = ["sqs", "stream", "msk", "kafka", "activemq", "rabbitmq"];
const ESM_MAX_EXECUTION_TIMEOUT: f64 = 900.0;

const RUNTIMES: [&str; 7] = [
    "nodejs22.x",
    "nodejs24.x",
    "python3.13",
    "python3.14",
    "java17",
    "java21",
    "java25",
];
const SNAPSTART_RUNTIMES: [&str; 5] = ["python3.13", "python3.14", "java17", "java21", "java25"];

/// The function's `durableConfig`, when set (osls tests it for truthiness).
pub fn config(f: &Function) -> Option<&Value> {
    f.raw.get("durableConfig").filter(|v| truthy(v))
}

/// `({F}DurableLambdaAlias, durable)` for a durable function.
pub fn target_alias(f: &Function) -> Option<(String, String)> {
    config(f).map(|_| {
        (
            format!(
                "{}DurableLambdaAlias",
                super::naming::normalized_name(&f.key)
            ),
            ALIAS_NAME.to_string(),
        )
    })
}

/// osls's `validateDurableFunctionConfig`: what a durable function cannot be combined with.
pub fn validate(service: &Service, f: &Function) -> Result<()> {
    let Some(durable) = config(f) else {
        return Ok(());
    };
    let at = |key: &str| format!("functions.{}.{key}", f.key);
    let name = &f.key;
    let runtime = f
        .runtime
        .as_deref()
        .or(service.provider.runtime.as_deref())
        .unwrap_or(DEFAULT_RUNTIME);
    if f.image.is_none() && !RUNTIMES.contains(&runtime) {
        return Err(error_at(service, at("durableConfig"), "DURABLE_FUNCTION_UNSUPPORTED_RUNTIME", format!("Function \"{name}\" cannot configure \"durableConfig\" with unsupported runtime \"{runtime}\". AWS Lambda Durable Functions support nodejs22.x, nodejs24.x, python3.13, python3.14, java17, java21, and java25 managed runtimes, or compatible container images.")));
    }
    if f.raw.get("snapStart").is_some_and(truthy) {
        let refused = |message: String| {
            Err(error_at(
                service,
                at("snapStart"),
                "DURABLE_FUNCTION_SNAPSTART_UNSUPPORTED",
                message,
            ))
        };
        if f.image.is_some() {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" when packaged as a container image. AWS Lambda SnapStart does not support container images."));
        }
        if !SNAPSTART_RUNTIMES.contains(&runtime) {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with runtime \"{runtime}\". Supported durable SnapStart runtimes are python3.13, python3.14, java17, java21, and java25."));
        }
        if f.raw.get("fileSystemConfig").is_some_and(truthy) {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with \"fileSystemConfig\". AWS Lambda SnapStart does not support EFS."));
        }
        if f.raw
            .get("ephemeralStorageSize")
            .and_then(Value::as_f64)
            .is_some_and(|s| s > 512.0)
        {
            return refused(format!("Function \"{name}\" cannot configure both \"durableConfig\" and \"snapStart\" with ephemeralStorageSize greater than 512 MB."));
        }
    }
    if f.raw.get("destinations").is_some_and(truthy) {
        return Err(error_at(service, at("destinations"), "DURABLE_FUNCTION_DESTINATIONS_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"destinations\" with \"durableConfig\". AWS Lambda Durable Functions do not support Lambda destinations.")));
    }
    let events: Vec<&Map<String, Value>> = f
        .raw
        .get("events")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let has_mapping = events
        .iter()
        .any(|e| e.keys().any(|k| ESM_EVENTS.contains(&k.as_str())));
    let timeout = durable.get("executionTimeout").and_then(Value::as_f64);
    if has_mapping && timeout.is_some_and(|t| t > ESM_MAX_EXECUTION_TIMEOUT) {
        return Err(error_at(service, at("durableConfig.executionTimeout"), "DURABLE_FUNCTION_ESM_TIMEOUT_UNSUPPORTED", format!("Function \"{name}\" uses an event source mapping with \"durableConfig.executionTimeout\" greater than 900 seconds. AWS Lambda event source mappings invoke durable functions synchronously and require durable execution timeout to be 15 minutes or less.")));
    }
    if events
        .iter()
        .any(|e| e.get("cloudFront").is_some_and(truthy))
    {
        return Err(error_at(service, at("events"), "DURABLE_FUNCTION_LAMBDA_EDGE_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"durableConfig\" with a \"cloudFront\" event. AWS Lambda@Edge does not support durable functions.")));
    }
    if f.raw
        .get("maximumRetryAttempts")
        .is_some_and(|v| !v.is_null())
    {
        return Err(error_at(service, at("maximumRetryAttempts"), "DURABLE_FUNCTION_MAXIMUM_RETRY_ATTEMPTS_UNSUPPORTED", format!("Function \"{name}\" cannot configure \"maximumRetryAttempts\" with \"durableConfig\". AWS Lambda asynchronous retry attempts do not apply to durable executions.")));
    }
    Ok(())
}

/// `DurableConfig` on the function: set before the version hash is taken, so a change publishes a
/// new version.
pub fn add_property(f: &Function, properties: &mut Map<String, Value>) {
    let Some(durable) = config(f) else {
        return;
    };
    let mut c = Map::new();
    // Copied as they are (the schema requires executionTimeout; an absent one stays absent).
    if let Some(timeout) = durable.get("executionTimeout") {
        c.insert("ExecutionTimeout".into(), timeout.clone());
    }
    if let Some(days) = durable.get("retentionPeriodInDays") {
        c.insert("RetentionPeriodInDays".into(), days.clone());
    }
    properties.insert("DurableConfig".into(), Value::Object(c));
}

/// The statement `IamRoleLambdaExecution` gets when durable functions use it: checkpointing and
/// reading the state of their own executions. A function with a condition still contributes its ARN
/// (a policy statement cannot carry a condition; osls does the same).
pub fn role_statement(service: &Service) -> Option<Value> {
    let resources: Vec<Value> = service
        .functions
        .iter()
        .filter(|f| config(f).is_some())
        .filter(|f| role_resource_name(service, f).as_deref() == Some(ROLE_LAMBDA_EXECUTION))
        .map(|f| json!({ "Fn::Sub": format!("arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{}:*/durable-execution/*/*", f.name) }))
        .collect();
    if resources.is_empty() {
        return None;
    }
    Some(json!({
        "Effect": "Allow",
        "Action": ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
        "Resource": resources,
    }))
}

/// osls's `resolveFunctionIamRoleResourceName`: the logical ID of the role a function runs with, or
/// none for a role outside the template (an ARN, an import, a `Ref`, an `Fn::Sub`).
fn role_resource_name(service: &Service, f: &Function) -> Option<String> {
    match custom_execution_role(service, f) {
        None => Some(ROLE_LAMBDA_EXECUTION.into()),
        Some(Value::String(s)) if s.contains(':') => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => {
            if let Some([Value::String(id), Value::String(attr)]) = o
                .get("Fn::GetAtt")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                if attr == "Arn" {
                    return Some(id.clone());
                }
            }
            if ["Fn::ImportValue", "Ref", "Fn::Sub"]
                .iter()
                .any(|k| o.contains_key(*k))
            {
                return None;
            }
            Some(ROLE_LAMBDA_EXECUTION.into())
        }
        // A custom role of another kind (osls's falsy values aside) is none osls recognises: it
        // assumes the default role.
        Some(_) => Some(ROLE_LAMBDA_EXECUTION.into()),
    }
}

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
