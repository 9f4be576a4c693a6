//! The settings every stack operation carries, as the SDK's types: parameters, notification ARNs,
//! the deployment role, the stack tags, rollback settings and the stack policy (typed at load in
//! `config::StackSettings`).

use aws_sdk_cloudformation::types::{Parameter, RollbackConfiguration, RollbackTrigger, Tag};

use crate::config::Service;

/// The settings every stack operation carries: parameters, notification ARNs, the deployment role and
/// the stack tags (the request builders of CreateChangeSet, CreateStack and UpdateStack share no trait).
macro_rules! stack_settings {
    ($req:expr, $service:expr) => {
        $req.set_parameters(Some($crate::deploy::stack::settings::stack_parameters(
            $service,
        )))
        .set_notification_arns(Some(
            $service.provider.settings.stack.notification_arns.clone(),
        ))
        .set_role_arn($service.provider.settings.stack.role_arn.clone())
        .set_tags(Some($crate::deploy::stack::settings::stack_tags($service)))
    };
}
pub(super) use stack_settings;

pub(super) fn stack_tags(service: &Service) -> Vec<Tag> {
    let tags = &service.provider.settings.stack.tags;
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

pub(super) fn stack_parameters(service: &Service) -> Vec<Parameter> {
    let parameters = &service.provider.settings.stack.parameters;
    parameters
        .iter()
        .map(|p| {
            Parameter::builder()
                .set_parameter_key(p.key.clone())
                .set_parameter_value(p.value.clone())
                .set_use_previous_value(p.use_previous_value)
                .set_resolved_value(p.resolved_value.clone())
                .build()
        })
        .collect()
}

pub(super) fn rollback_configuration(service: &Service) -> Option<RollbackConfiguration> {
    let config = service.provider.settings.stack.rollback.as_ref()?;
    let triggers = config.triggers.as_ref().map(|list| {
        list.iter()
            .map(|(arn, kind)| RollbackTrigger::builder().arn(arn).r#type(kind).build())
            .collect()
    });
    Some(
        RollbackConfiguration::builder()
            .set_rollback_triggers(triggers)
            .set_monitoring_time_in_minutes(config.monitoring_time_in_minutes)
            .build(),
    )
}
