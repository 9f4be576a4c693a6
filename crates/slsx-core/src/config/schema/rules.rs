//! Facts of ajv the validator needs beside the keywords: which keywords it knows (a schema with none
//! always passes, and ajv skips it), what osls reads from an error's parent schema, and ajv's deep
//! equality.

use serde_json::{Map, Value};

use super::validator::Parent;

/// The keywords ajv knows (its `RULES.all`): a schema with none of them always passes.
const RULES: &[&str] = &[
    "type",
    "nullable",
    "const",
    "enum",
    "not",
    "anyOf",
    "oneOf",
    "allOf",
    "if",
    "then",
    "else",
    "$ref",
    "$comment",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "maxLength",
    "minLength",
    "pattern",
    "format",
    "regexp",
    "maxItems",
    "minItems",
    "uniqueItems",
    "items",
    "additionalItems",
    "contains",
    "maxProperties",
    "minProperties",
    "required",
    "propertyNames",
    "additionalProperties",
    "dependencies",
    "properties",
    "patternProperties",
];

pub(super) const OBJECT_RULES: &[&str] = &[
    "maxProperties",
    "minProperties",
    "required",
    "propertyNames",
    "additionalProperties",
    "dependencies",
    "properties",
    "patternProperties",
];

/// ajv's `alwaysValidSchema`: `true`, `{}`, or a schema with no keyword ajv acts on.
pub(super) fn always_valid(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(m) => !m.keys().any(|k| RULES.contains(&k.as_str())),
        _ => false,
    }
}

pub(super) fn parent_of(schema: &Map<String, Value>) -> Parent {
    if schema.get("const").is_some_and(crate::config::js_truthy) {
        return Parent::Const;
    }
    match schema.get("type") {
        Some(Value::String(t)) => Parent::Type(t.clone()),
        Some(Value::Array(ts)) => {
            let shown: Vec<&str> = ts.iter().filter_map(Value::as_str).collect();
            Parent::Types(shown.join(","), std::ptr::from_ref(schema) as usize)
        }
        _ => Parent::Undefined,
    }
}

/// ajv's `equal` (fast-deep-equal): numbers by value, objects by keys regardless of order.
pub(super) fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}
