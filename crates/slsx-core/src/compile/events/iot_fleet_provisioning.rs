//! `iotFleetProvisioning`: an `AWS::IoT::ProvisioningTemplate` whose pre-provisioning hook is the
//! function (one per function), and the permission for IoT to invoke it.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, event_error};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let events: Vec<(usize, &Value)> = super::events_of(f, "iotFleetProvisioning").collect();
        if let Some((index, _)) = events.get(1) {
            return Err(event_error(
                service,
                f,
                *index,
                "iotFleetProvisioning",
                "MULTIPLE_IOT_PROVISIONING_TEMPLATE_HOOK",
                format!(
                    "Found more than one iotFleetProvision event for function {}",
                    f.key
                ),
            ));
        }
        let Some((_, event)) = events.first() else {
            continue;
        };
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let permission_id = format!("{n}LambdaPermissionIotProvisioningTemplate");
        let alias = alias_logical_id(f);
        let mut props = Map::new();
        props.insert(
            "Enabled".into(),
            event
                .get("enabled")
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or(json!(true)),
        );
        props.insert("PreProvisioningHook".into(), json!({ "TargetArn": target }));
        props.insert(
            "ProvisioningRoleArn".into(),
            event
                .get("provisioningRoleArn")
                .cloned()
                .unwrap_or(Value::Null),
        );
        props.insert(
            "TemplateBody".into(),
            json!(event
                .get("templateBody")
                .unwrap_or(&Value::Null)
                .to_string()),
        );
        if let Some(name) = event
            .get("templateName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            props.insert("TemplateName".into(), json!(name));
        }
        let mut depends_on = vec![json!(permission_id)];
        depends_on.extend(alias.clone().map(Value::String));
        resources.insert(
            format!("{n}IotProvisioningTemplate"),
            json!({ "Type": "AWS::IoT::ProvisioningTemplate", "Properties": props, "DependsOn": depends_on }),
        );
        let mut permission = Map::new();
        permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
        if let Some(a) = alias {
            permission.insert("DependsOn".into(), json!(a));
        }
        permission.insert("Properties".into(), json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "iot.amazonaws.com" }));
        resources.insert(permission_id, Value::Object(permission));
    }
    Ok(())
}
