//! `{F}LogGroup`: one log group per function, `/aws/lambda/<deployed name>`.

use serde_json::{json, Map, Value};

use super::naming::{log_group_logical_id, log_group_name};
use crate::config::Service;

pub fn add_log_groups(service: &Service, resources: &mut Map<String, Value>) {
    for f in &service.functions {
        resources.insert(
            log_group_logical_id(&f.key),
            json!({
                "Type": "AWS::Logs::LogGroup",
                "Properties": { "LogGroupName": log_group_name(&f.name) }
            }),
        );
    }
}
