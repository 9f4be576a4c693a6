//! `{F}LogGroup`: one log group per function with logs, `/aws/lambda/<deployed name>`, with its
//! retention and data protection policy (function, else provider).

use serde_json::{json, Map, Value};

use super::naming::{log_group_logical_id, log_group_name};
use crate::config::Service;

pub fn add_log_groups(service: &Service, resources: &mut Map<String, Value>) {
    for f in &service.functions {
        if f.raw
            .get("disableLogs")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            continue;
        }
        let mut group = json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": { "LogGroupName": log_group_name(&f.name) }
        });
        if let Some(c) = f.raw.get("condition").filter(|c| !c.is_null()) {
            group["Condition"] = c.clone();
        }
        let setting = |key: &str| {
            f.raw
                .get(key)
                .filter(|v| !v.is_null() && *v != &json!(0))
                .or_else(|| service.provider.raw.get(key).filter(|v| !v.is_null()))
        };
        if let Some(days) = setting("logRetentionInDays") {
            group["Properties"]["RetentionInDays"] = days.clone();
        }
        if let Some(policy) = setting("logDataProtectionPolicy") {
            group["Properties"]["DataProtectionPolicy"] = policy.clone();
        }
        resources.insert(log_group_logical_id(&f.key), group);
    }
}
