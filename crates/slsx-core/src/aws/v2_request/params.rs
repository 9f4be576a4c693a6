//! A call's parameters as v2 validates them: an object; `null` is the same as absent; a wrong type or
//! a missing required member is v2's own error (`InvalidParameterType`, `MissingRequiredParameter`).

use serde_json::{Map, Value};

use crate::error::Error;

pub struct Params<'a> {
    operation: &'a str,
    /// Where these members sit in the call's parameters (`Delete.Objects[0].`), for messages.
    prefix: String,
    map: Map<String, Value>,
}

fn invalid(operation: &str, code: &str, message: String) -> Error {
    Error::aws(code, format!("call {operation}"), message)
}

impl<'a> Params<'a> {
    pub fn new(operation: &'a str, params: &Value) -> Result<Self, Error> {
        let map = match params {
            Value::Null => Map::new(),
            Value::Object(m) => m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => {
                return Err(invalid(
                    operation,
                    "InvalidParameterType",
                    "Expected params to be a structure".into(),
                ))
            }
        };
        Ok(Params {
            operation,
            prefix: String::new(),
            map,
        })
    }

    /// `<Service>.<method>`.
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// Refuses any member outside `allowed`: slsx passes those on and no others.
    pub fn only(&self, allowed: &[&str]) -> Result<(), Error> {
        if let Some(key) = self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            let passed = if allowed.is_empty() {
                "none".to_string()
            } else {
                allowed.join(", ")
            };
            return Err(invalid(
                self.operation,
                "AWS_REQUEST_PARAMETER_NOT_SUPPORTED",
                format!(
                    "slsx does not pass the parameter \"{}{key}\" of {} (it passes: {passed})",
                    self.prefix, self.operation
                ),
            ));
        }
        Ok(())
    }

    fn wrong_type(&self, key: &str, what: &str) -> Error {
        invalid(
            self.operation,
            "InvalidParameterType",
            format!("Expected params.{}{key} to be {what}", self.prefix),
        )
    }

    pub fn str(&self, key: &str) -> Result<Option<String>, Error> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    pub fn req_str(&self, key: &str) -> Result<String, Error> {
        self.str(key)?.ok_or_else(|| self.missing(key))
    }

    /// v2 takes a number or a numeric string for integer members (it converts the string).
    pub fn int(&self, key: &str) -> Result<Option<i64>, Error> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "an integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| self.wrong_type(key, "a number")),
            Some(_) => Err(self.wrong_type(key, "a number")),
        }
    }

    pub fn req_int(&self, key: &str) -> Result<i64, Error> {
        self.int(key)?.ok_or_else(|| self.missing(key))
    }

    /// An `i32` member (AWS's integer type); a larger number is refused as v2's type check would not,
    /// but AWS would.
    pub fn int32(&self, key: &str) -> Result<Option<i32>, Error> {
        self.int(key)?
            .map(|n| i32::try_from(n).map_err(|_| self.wrong_type(key, "a 32-bit integer")))
            .transpose()
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, Error> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.wrong_type(key, "a boolean")),
        }
    }

    /// A blob member given as text (what a plugin's JSON-serialized call can carry).
    pub fn text_blob(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_bytes().to_vec())),
            Some(_) => Err(self.wrong_type(
                key,
                "a string (slsx passes blobs as UTF-8 text, not Buffers)",
            )),
        }
    }

    fn missing(&self, key: &str) -> Error {
        invalid(
            self.operation,
            "MissingRequiredParameter",
            format!("Missing required key '{key}' in params{}", self.at()),
        )
    }

    /// `.Delete.Objects[0]` in v2's "in params" messages.
    fn at(&self) -> String {
        match self.prefix.strip_suffix('.') {
            Some(p) => format!(".{p}"),
            None => String::new(),
        }
    }

    /// A required structure member (`Delete` of S3.deleteObjects), for the same checks on its members.
    pub fn req_struct(&self, key: &str) -> Result<Params<'a>, Error> {
        let value = self.map.get(key).ok_or_else(|| self.missing(key))?;
        self.nested(key, value)
    }

    /// A structure inside this one (`Objects[0]`, as `key`).
    pub fn nested(&self, key: &str, value: &Value) -> Result<Params<'a>, Error> {
        if !value.is_object() {
            return Err(self.wrong_type(key, "a structure"));
        }
        let mut inner = Params::new(self.operation, value)?;
        inner.prefix = format!("{}{key}.", self.prefix);
        Ok(inner)
    }

    /// A required list member's items.
    pub fn req_list(&self, key: &str) -> Result<&Vec<Value>, Error> {
        match self.map.get(key) {
            None => Err(self.missing(key)),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.wrong_type(key, "an Array")),
        }
    }
}
