//! `iot`: an IoT topic rule whose SQL statement selects the messages the function receives.

use serde_json::Value;

use super::body::field;

#[derive(Debug, Clone)]
pub struct IotEvent {
    /// `sql`, line breaks removed (empty when unset).
    pub sql: String,
    /// False only for `enabled: false`.
    pub enabled: bool,
    /// `sqlVersion`, `description` and `name`: non-empty strings, line breaks removed.
    pub sql_version: Option<String>,
    pub description: Option<String>,
    pub name: Option<String>,
}

pub(super) fn parse(body: &Value) -> IotEvent {
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("\r\n", "").replace('\n', ""))
    };
    IotEvent {
        sql: text("sql").unwrap_or_default(),
        enabled: field(body, "enabled") != Some(&Value::Bool(false)),
        sql_version: text("sqlVersion"),
        description: text("description"),
        name: text("name"),
    }
}
