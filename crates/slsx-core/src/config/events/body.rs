//! Reading an event's body as osls's compilers do: a key set to `null` is a key not set, and a body
//! that is not a mapping (a string shorthand) has no keys.

use serde_json::Value;

use crate::config::js_truthy;

/// `key` of the body when it is set and not `null`.
pub(super) fn field<'a>(body: &'a Value, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

/// `key` when it is set (a copy, for a value the template takes as written).
pub(super) fn value_field(body: &Value, key: &str) -> Option<Value> {
    field(body, key).cloned()
}

/// `key` when it is truthy as JavaScript has it (osls's `if (event.x)`: `0` and `""` count as unset).
pub(super) fn truthy_field(body: &Value, key: &str) -> Option<Value> {
    field(body, key).filter(|v| js_truthy(v)).cloned()
}

/// `key` when it is a string.
pub(super) fn string_field(body: &Value, key: &str) -> Option<String> {
    field(body, key).and_then(Value::as_str).map(str::to_string)
}
