//! `alexaSkill` and `alexaSmartHome`: a permission per event for the Alexa service to invoke the
//! function, limited to the skill's application ID (disabled with `enabled: false`).

use serde_json::{json, Map, Value};

use super::alias_logical_id;
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::normalized_name;
use crate::config::Service;
use crate::error::Result;

/// `kind` with its principal and the word in the permission's logical ID.
const KINDS: [(&str, &str, &str); 2] = [
    ("alexaSkill", "alexa-appkit.amazon.com", "AlexaSkill"),
    (
        "alexaSmartHome",
        "alexa-connectedhome.amazon.com",
        "AlexaSmartHome",
    ),
];

pub fn compile(service: &Service, resources: &mut Map<String, Value>) -> Result<()> {
    for (kind, principal, word) in KINDS {
        for f in &service.functions {
            let n = normalized_name(&f.key);
            let target = lambda_target(&f.key, target_alias(f).as_ref());
            let mut number = 0;
            for (_, event) in super::events_of(f, kind) {
                number += 1;
                let (app_id, enabled) = match event {
                    Value::String(s) => (Some(s.clone()), true),
                    other => (
                        other
                            .get("appId")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        other.get("enabled") != Some(&Value::Bool(false)),
                    ),
                };
                let mut props = Map::new();
                props.insert("FunctionName".into(), target.clone());
                props.insert(
                    "Action".into(),
                    json!(if enabled {
                        "lambda:InvokeFunction"
                    } else {
                        "lambda:DisableInvokeFunction"
                    }),
                );
                props.insert("Principal".into(), json!(principal));
                if let Some(id) = app_id.filter(|s| !s.is_empty()) {
                    props.insert(
                        "EventSourceToken".into(),
                        json!(id.replace("\\n", "").replace("\\r", "")),
                    );
                }
                let mut permission = Map::new();
                permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
                if let Some(a) = alias_logical_id(f) {
                    permission.insert("DependsOn".into(), json!(a));
                }
                permission.insert("Properties".into(), Value::Object(props));
                resources.insert(
                    format!("{n}LambdaPermission{word}{number}"),
                    Value::Object(permission),
                );
            }
        }
    }
    Ok(())
}
