//! `functions.*.durableConfig` (Lambda durable functions), as osls 4.3.1 compiles it: the function's
//! `DurableConfig`, a version whatever `versionFunction` says, the `durable` alias every event and
//! invoke setting targets (`{F}DurableLambdaAlias`), and one execution-role statement letting the
//! functions checkpoint their executions. Settings durable functions cannot have are refused first,
//! with osls's codes and messages.

use serde_json::{json, Map, Value};

use super::iam::custom_execution_role;
use super::naming::ROLE_LAMBDA_EXECUTION;
use crate::config::{Function, Service};

/// The alias osls points durable functions' events at.
pub const ALIAS_NAME: &str = "durable";

/// The function's `durableConfig`, when set (osls tests it for truthiness).
pub fn config(f: &Function) -> Option<&Value> {
    f.settings.durable.as_ref()
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
