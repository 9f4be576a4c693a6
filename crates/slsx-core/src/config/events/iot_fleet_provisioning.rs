//! `iotFleetProvisioning`: the function as the pre-provisioning hook of an IoT provisioning template.
//! A function has at most one: that is checked once its events are parsed.

use serde_json::Value;

use super::body::{field, value_field};
use super::{event_error, Event};
use crate::config::Service;
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct IotFleetProvisioningEvent {
    /// `enabled` as written (the compiler's default is true).
    pub enabled: Option<Value>,
    /// `provisioningRoleArn` as written (`null` when unset).
    pub provisioning_role_arn: Value,
    /// `templateBody` as written (`null` when unset): the template holds its JSON text.
    pub template_body: Value,
    /// `templateName`, when a non-empty string.
    pub template_name: Option<String>,
}

pub(super) fn parse(body: &Value) -> IotFleetProvisioningEvent {
    IotFleetProvisioningEvent {
        enabled: value_field(body, "enabled"),
        provisioning_role_arn: body
            .get("provisioningRoleArn")
            .cloned()
            .unwrap_or(Value::Null),
        template_body: body.get("templateBody").cloned().unwrap_or(Value::Null),
        template_name: field(body, "templateName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
    }
}

/// A second `iotFleetProvisioning` event in a function is refused.
pub(super) fn check_one_per_function(service: &Service) -> Result<()> {
    for f in &service.functions {
        let mut hooks = f
            .events
            .iter()
            .filter(|e| matches!(e.event, Event::IotFleetProvisioning(_)));
        if let (Some(_), Some(second)) = (hooks.next(), hooks.next()) {
            return Err(event_error(
                service,
                f,
                second.index,
                "iotFleetProvisioning",
                "MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK",
                format!(
                    "Found more than one iotFleetProvision event for function {}",
                    f.key
                ),
            ));
        }
    }
    Ok(())
}
