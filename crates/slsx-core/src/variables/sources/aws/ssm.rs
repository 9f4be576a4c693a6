//! What `ssm(region?, raw?, noDecrypt?):/name` asks for, and the value a parameter gives by its type.

use serde_json::Value;

pub(super) struct SsmOptions {
    pub region: Option<String>,
    pub raw: bool,
    pub decrypt: bool,
}

impl SsmOptions {
    pub fn from_params(params: &[Value]) -> SsmOptions {
        let mut o = SsmOptions {
            region: None,
            raw: false,
            decrypt: true,
        };
        for p in params {
            match p.as_str() {
                Some("raw") => o.raw = true,
                Some("noDecrypt") => o.decrypt = false,
                Some(s) if !s.is_empty() => o.region = Some(s.to_string()),
                _ => {}
            }
        }
        o
    }
}

/// StringList -> a list; a SecureString or a Secrets Manager reference holding JSON -> parsed; unless
/// `raw`.
pub(super) fn ssm_value(name: &str, kind: &str, value: String, raw: bool) -> Value {
    if raw {
        return Value::String(value);
    }
    if kind == "StringList" {
        return Value::Array(
            value
                .split(',')
                .map(|s| Value::String(s.to_string()))
                .collect(),
        );
    }
    if kind == "SecureString" || name.starts_with("/aws/reference/secretsmanager/") {
        if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(&value)
        {
            return v;
        }
    }
    Value::String(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ssm_values_by_type() {
        assert_eq!(
            ssm_value("/l", "StringList", "a,b".into(), false),
            json!(["a", "b"])
        );
        assert_eq!(
            ssm_value("/s", "SecureString", "{\"k\":1}".into(), false),
            json!({ "k": 1 })
        );
        assert_eq!(
            ssm_value("/s", "SecureString", "{\"k\":1}".into(), true),
            json!("{\"k\":1}")
        );
        assert_eq!(
            ssm_value("/p", "String", "{\"k\":1}".into(), false),
            json!("{\"k\":1}")
        );
    }
}
