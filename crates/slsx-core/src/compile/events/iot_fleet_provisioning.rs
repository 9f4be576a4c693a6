//! `iotFleetProvisioning`: an `AWS::IoT::ProvisioningTemplate` whose pre-provisioning hook is the
//! function (one per function), and the permission for IoT to invoke it.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, events_of_type, invoke_permission};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        // The load refuses a second one.
        let Some((_, event)) = events_of_type!(f, IotFleetProvisioning).next() else {
            continue;
        };
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let permission_id = format!("{n}LambdaPermissionIotProvisioningTemplate");
        let mut props = Map::new();
        props.insert(
            "Enabled".into(),
            event.enabled.clone().unwrap_or(json!(true)),
        );
        props.insert("PreProvisioningHook".into(), json!({ "TargetArn": target }));
        props.insert(
            "ProvisioningRoleArn".into(),
            event.provisioning_role_arn.clone(),
        );
        props.insert(
            "TemplateBody".into(),
            json!(event.template_body.to_string()),
        );
        if let Some(name) = &event.template_name {
            props.insert("TemplateName".into(), json!(name));
        }
        let mut depends_on = vec![json!(permission_id)];
        depends_on.extend(alias_logical_id(f).map(Value::String));
        resources.insert(
            format!("{n}IotProvisioningTemplate"),
            json!({ "Type": "AWS::IoT::ProvisioningTemplate", "Properties": props, "DependsOn": depends_on }),
        );
        resources.insert(
            permission_id,
            invoke_permission(
                f,
                json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "iot.amazonaws.com" }),
            ),
        );
    }
    Ok(())
}
