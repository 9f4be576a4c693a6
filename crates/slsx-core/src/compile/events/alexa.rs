//! `alexaSkill` and `alexaSmartHome`: a permission per event for the Alexa service to invoke the
//! function, limited to the skill's application ID (disabled with `enabled: false`).

use serde_json::{json, Map, Value};

use super::{events_of_type, invoke_permission};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::AlexaEvent;
use crate::config::{Function, Service};
use crate::error::Result;

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for f in &service.functions {
        let skills = events_of_type!(f, AlexaSkill).map(|(_, e)| e);
        permissions(
            f,
            skills,
            "alexa-appkit.amazon.com",
            "AlexaSkill",
            resources,
        );
    }
    for f in &service.functions {
        let homes = events_of_type!(f, AlexaSmartHome).map(|(_, e)| e);
        permissions(
            f,
            homes,
            "alexa-connectedhome.amazon.com",
            "AlexaSmartHome",
            resources,
        );
    }
    Ok(())
}

/// A permission per event for `principal`, numbered in the function after `word`.
fn permissions<'a>(
    f: &Function,
    events: impl Iterator<Item = &'a AlexaEvent>,
    principal: &str,
    word: &str,
    resources: &mut Map<String, Value>,
) {
    let n = normalized_name(&f.key);
    let target = lambda_target(&f.key, target_alias(f).as_ref());
    for (number, event) in (1..).zip(events) {
        let mut props = Map::new();
        props.insert("FunctionName".into(), target.clone());
        props.insert(
            "Action".into(),
            json!(if event.enabled {
                "lambda:InvokeFunction"
            } else {
                "lambda:DisableInvokeFunction"
            }),
        );
        props.insert("Principal".into(), json!(principal));
        if let Some(id) = &event.app_id {
            props.insert("EventSourceToken".into(), json!(id));
        }
        resources.insert(
            format!("{n}LambdaPermission{word}{number}"),
            invoke_permission(f, Value::Object(props)),
        );
    }
}
