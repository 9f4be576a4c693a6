//! `alexaSkill` and `alexaSmartHome`: the Alexa service may invoke the function, limited to a skill's
//! application ID (a string, or `appId` with `enabled`).

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct AlexaEvent {
    /// The skill's application ID, when a non-empty string, with `\n` and `\r` escapes removed as
    /// osls removes them.
    pub app_id: Option<String>,
    /// False only for `enabled: false` (the permission is then a disabled one).
    pub enabled: bool,
}

pub(super) fn parse(body: &Value) -> AlexaEvent {
    let (app_id, enabled) = match body {
        Value::String(s) => (Some(s.as_str()), true),
        other => (
            other.get("appId").and_then(Value::as_str),
            other.get("enabled") != Some(&Value::Bool(false)),
        ),
    };
    AlexaEvent {
        app_id: app_id
            .filter(|s| !s.is_empty())
            .map(|id| id.replace("\\n", "").replace("\\r", "")),
        enabled,
    }
}
