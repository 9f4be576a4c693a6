//! `functions.*.durableConfig` (Lambda durable functions), as osls 4.3.1 compiles it: the function's
//! `DurableConfig`, a version whatever `versionFunction` says, the `durable` alias every event and
//! invoke setting targets (`{F}DurableLambdaAlias`), and one execution-role statement letting the
//! functions checkpoint their executions. Settings durable functions cannot have are refused first,
//! with osls's codes and messages.

use serde_json::{json, Map, Value};

use super::iam::role_resource_name;
use super::naming::ROLE_LAMBDA_EXECUTION;
use crate::config::{Function, Service};

/// The function's `durableConfig`, when set (osls tests it for truthiness).
pub fn config(f: &Function) -> Option<&Value> {
    f.settings.durable.as_ref()
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

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
