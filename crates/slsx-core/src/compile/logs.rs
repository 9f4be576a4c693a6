//! `{F}LogGroup`: one log group per function with logs, `/aws/lambda/<deployed name>`, with its
//! retention and data protection policy (function, else provider).

use serde_json::{json, Map, Value};

use super::naming::{log_group_logical_id, log_group_name};
use crate::config::Service;

pub fn add_log_groups(service: &Service, resources: &mut Map<String, Value>) {
    for f in &service.functions {
        if f.settings.disable_logs {
            continue;
        }
        let mut group = json!({
            "Type": "AWS::Logs::LogGroup",
            "Properties": { "LogGroupName": log_group_name(&f.name) }
        });
        if let Some(c) = &f.settings.condition {
            group["Condition"] = c.clone();
        }
        if let Some(days) = &f.settings.log_retention_in_days {
            group["Properties"]["RetentionInDays"] = days.clone();
        }
        if let Some(policy) = &f.settings.log_data_protection_policy {
            group["Properties"]["DataProtectionPolicy"] = policy.clone();
        }
        resources.insert(log_group_logical_id(&f.key), group);
    }
}
