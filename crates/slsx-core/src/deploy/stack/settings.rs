//! The settings every stack operation carries, read from `provider`: parameters, notification ARNs,
//! the deployment role, the stack tags, rollback settings and the stack policy.

use aws_sdk_cloudformation::types::{Parameter, RollbackConfiguration, RollbackTrigger, Tag};

use crate::config::Service;

/// The settings every stack operation carries: parameters, notification ARNs, the deployment role and
/// the stack tags (the request builders of CreateChangeSet, CreateStack and UpdateStack share no trait).
macro_rules! stack_settings {
    ($req:expr, $service:expr) => {
        $req.set_parameters(Some($crate::deploy::stack::settings::stack_parameters(
            $service,
        )))
        .set_notification_arns(Some($crate::deploy::stack::settings::notification_arns(
            $service,
        )))
        .set_role_arn($crate::deploy::stack::settings::deployment_role($service))
        .set_tags(Some($crate::deploy::stack::settings::stack_tags($service)))
    };
}
pub(super) use stack_settings;

/// `STAGE=<stage>` merged with `provider.stackTags` (a stackTags key spelled `stage` in any case
/// replaces it).
pub(super) fn stack_tags(service: &Service) -> Vec<Tag> {
    let mut tags: Vec<(String, String)> = vec![("STAGE".into(), service.stage.clone())];
    if let Some(serde_json::Value::Object(extra)) = service.provider.raw.get("stackTags") {
        for (k, v) in extra {
            if k.eq_ignore_ascii_case("STAGE") {
                tags.retain(|(key, _)| key != "STAGE");
            }
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            tags.push((k.clone(), value));
        }
    }
    tags.into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// `provider.stackParameters` (`[{ ParameterKey, ParameterValue, UsePreviousValue, ResolvedValue }]`).
pub(super) fn stack_parameters(service: &Service) -> Vec<Parameter> {
    let Some(serde_json::Value::Array(list)) = service.provider.raw.get("stackParameters") else {
        return Vec::new();
    };
    list.iter()
        .map(|p| {
            let text = |k: &str| {
                p.get(k)
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            };
            Parameter::builder()
                .set_parameter_key(text("ParameterKey"))
                .set_parameter_value(text("ParameterValue"))
                .set_use_previous_value(p.get("UsePreviousValue").and_then(|v| v.as_bool()))
                .set_resolved_value(text("ResolvedValue"))
                .build()
        })
        .collect()
}

/// `provider.notificationArns`, always sent (an empty list clears ARNs set elsewhere, as Serverless does).
pub(super) fn notification_arns(service: &Service) -> Vec<String> {
    match service.provider.raw.get("notificationArns") {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// `provider.disableRollback`.
pub(super) fn disable_rollback(service: &Service) -> Option<bool> {
    service
        .provider
        .raw
        .get("disableRollback")
        .and_then(|v| v.as_bool())
}

/// `provider.stackPolicy` (a list of statements) as a policy document.
pub(super) fn stack_policy(service: &Service) -> Option<String> {
    match service.provider.raw.get("stackPolicy") {
        Some(serde_json::Value::Array(statements)) if !statements.is_empty() => {
            Some(serde_json::json!({ "Statement": statements }).to_string())
        }
        _ => None,
    }
}

/// `provider.rollbackConfiguration`: `{ RollbackTriggers: [{ Arn, Type }], MonitoringTimeInMinutes }`.
pub(super) fn rollback_configuration(service: &Service) -> Option<RollbackConfiguration> {
    let config = service.provider.raw.get("rollbackConfiguration")?;
    let triggers = config
        .get("RollbackTriggers")
        .and_then(|t| t.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|t| {
                    Some(
                        RollbackTrigger::builder()
                            .arn(t.get("Arn")?.as_str()?)
                            .r#type(t.get("Type")?.as_str()?)
                            .build(),
                    )
                })
                .collect()
        });
    Some(
        RollbackConfiguration::builder()
            .set_rollback_triggers(triggers)
            .set_monitoring_time_in_minutes(
                config
                    .get("MonitoringTimeInMinutes")
                    .and_then(|m| m.as_i64())
                    .map(|m| m as i32),
            )
            .build(),
    )
}

/// `provider.iam.deploymentRole` (legacy `provider.cfnRole`): the role CloudFormation acts as.
pub(super) fn deployment_role(service: &Service) -> Option<String> {
    let raw = &service.provider.raw;
    raw.get("iam")
        .and_then(|i| i.get("deploymentRole"))
        .or_else(|| raw.get("cfnRole"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}
