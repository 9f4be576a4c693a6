//! ajv's type checks and its `coerceTypes: 'array'` conversions, with JavaScript's semantics on JSON
//! values: osls validates the configuration with those options and compiles what they produced, so a
//! `'false'` where a boolean is wanted becomes `false`, a `256` where a string is wanted becomes `"256"`,
//! a scalar where a list is wanted becomes a one-element list, and a one-element list where a scalar is
//! wanted becomes that element.

use serde_json::{Number, Value};

/// Whether `data` is of a JSON-schema `type` as ajv (with `strictNumbers`) decides it.
pub fn has_type(data: &Value, ty: &str) -> bool {
    match ty {
        "string" => data.is_string(),
        "boolean" => data.is_boolean(),
        "null" => data.is_null(),
        "array" => data.is_array(),
        "object" => data.is_object(),
        "number" => data.as_f64().is_some_and(f64::is_finite),
        "integer" => data
            .as_f64()
            .is_some_and(|n| n.is_finite() && n.fract() == 0.0),
        _ => false,
    }
}

pub fn has_any_type(data: &Value, types: &[&str]) -> bool {
    types.iter().any(|t| has_type(data, t))
}

/// The types ajv converts to (`coerceTypes: 'array'`): every scalar type, and lists.
pub fn coercible(ty: &str) -> bool {
    matches!(
        ty,
        "string" | "number" | "integer" | "boolean" | "null" | "array"
    )
}

/// The conversion part of ajv's generated `coerceData`: the first wanted type, in the schema's order,
/// with a rule for `data` wins. `None`: a type error. (The validator unwraps a one-element list
/// first.)
pub fn coerce_to_any(data: &Value, types: &[&str]) -> Option<Value> {
    types
        .iter()
        .filter(|t| coercible(t))
        .find_map(|t| coerce_to(data, t))
}

/// What `coerceData` makes of a value whose type is none of `types`, when the value is not written
/// back: a one-element array is unwrapped first (and kept if the element has a wanted type).
#[cfg(test)]
fn coerce(data: &Value, types: &[&str]) -> Option<Value> {
    if !types.iter().any(|t| coercible(t)) {
        return None;
    }
    let mut data = data;
    if let Some([only]) = data.as_array().map(Vec::as_slice) {
        data = only;
        if has_any_type(data, types) {
            return Some(data.clone());
        }
    }
    coerce_to_any(data, types)
}

fn coerce_to(data: &Value, ty: &str) -> Option<Value> {
    match ty {
        "string" => match data {
            Value::Number(n) => Some(Value::String(number_to_string(n))),
            Value::Bool(b) => Some(Value::String(b.to_string())),
            Value::Null => Some(Value::String(String::new())),
            _ => None,
        },
        "number" | "integer" => {
            let n = match data {
                Value::Bool(b) => f64::from(u8::from(*b)),
                Value::Null => 0.0,
                // `data && data == +data`: a non-empty string that JavaScript reads as a number.
                Value::String(s) if !s.is_empty() => string_to_number(s)?,
                _ => return None,
            };
            if ty == "integer" && n.fract() != 0.0 {
                return None;
            }
            Some(number_value(n))
        }
        "boolean" => match data {
            Value::String(s) if s == "false" => Some(Value::Bool(false)),
            Value::String(s) if s == "true" => Some(Value::Bool(true)),
            Value::Null => Some(Value::Bool(false)),
            Value::Number(n) if n.as_f64() == Some(0.0) => Some(Value::Bool(false)),
            Value::Number(n) if n.as_f64() == Some(1.0) => Some(Value::Bool(true)),
            _ => None,
        },
        "null" => match data {
            Value::String(s) if s.is_empty() => Some(Value::Null),
            Value::Number(n) if n.as_f64() == Some(0.0) => Some(Value::Null),
            Value::Bool(false) => Some(Value::Null),
            _ => None,
        },
        "array" => match data {
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {
                Some(Value::Array(vec![data.clone()]))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A JSON number for a JavaScript number: integers stay integers (as JSON.stringify writes them).
/// JavaScript's non-finite numbers have no JSON form; JSON.stringify writes them as `null`.
fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        // An exact integer below 2^53: lossless.
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked integral and in range"
        )]
        return Value::Number(Number::from(n as i64));
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// JavaScript's `String(number)` for the numbers a configuration holds.
pub fn number_to_string(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let abs = f.abs();
    if (1e-7..1e21).contains(&abs) {
        // Rust's shortest round-trip digits; JavaScript writes these without an exponent too.
        return format!("{f}");
    }
    // Exponent form: JavaScript writes `1e+21`, `1.5e-7`.
    let s = format!("{f:e}");
    match s.split_once('e') {
        Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
        _ => s,
    }
}

/// JavaScript's `Number(string)`: surrounding white space ignored, an empty string is 0, decimal
/// literals with exponent, `0x`/`0o`/`0b` integers, `Infinity`; anything else is NaN (`None`).
pub fn string_to_number(s: &str) -> Option<f64> {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return Some(0.0);
    }
    let radix = |p: &str, r: u32| {
        let digits = &t[p.len()..];
        (!digits.is_empty())
            .then(|| u128::from_str_radix(digits, r).ok())
            .flatten()
            .map(|v| v as f64)
    };
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => return radix("0x", 16),
        Some("0o") => return radix("0o", 8),
        Some("0b") => return radix("0b", 2),
        _ => {}
    }
    let unsigned = t.trim_start_matches(['+', '-']);
    if t.len() - unsigned.len() > 1 {
        return None;
    }
    if unsigned == "Infinity" {
        return Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // Only what a JavaScript decimal literal allows (Rust also accepts "inf", "nan", "1_0" …).
    let valid = unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || ".eE+-".contains(c))
        && unsigned
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if !valid {
        return None;
    }
    t.parse::<f64>().ok()
}

fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coerces_scalars_as_ajv_does() {
        assert_eq!(coerce(&json!("false"), &["boolean"]), Some(json!(false)));
        assert_eq!(coerce(&json!("False"), &["boolean"]), None);
        assert_eq!(coerce(&json!(1), &["boolean"]), Some(json!(true)));
        assert_eq!(coerce(&json!(256), &["string"]), Some(json!("256")));
        assert_eq!(coerce(&json!(1.5), &["string"]), Some(json!("1.5")));
        assert_eq!(coerce(&json!(true), &["string"]), Some(json!("true")));
        assert_eq!(coerce(&json!("512"), &["integer"]), Some(json!(512)));
        assert_eq!(coerce(&json!(" 12 "), &["number"]), Some(json!(12)));
        assert_eq!(coerce(&json!("0x10"), &["number"]), Some(json!(16)));
        assert_eq!(coerce(&json!("5.5"), &["integer"]), None);
        assert_eq!(coerce(&json!("5.5"), &["number"]), Some(json!(5.5)));
        assert_eq!(coerce(&json!("abc"), &["number"]), None);
        assert_eq!(coerce(&json!(""), &["number"]), None);
        assert_eq!(coerce(&json!({}), &["string"]), None);
    }

    #[test]
    fn wraps_and_unwraps_arrays() {
        assert_eq!(coerce(&json!("arn"), &["array"]), Some(json!(["arn"])));
        assert_eq!(coerce(&json!(["x"]), &["string"]), Some(json!("x")));
        assert_eq!(coerce(&json!(["5"]), &["number"]), Some(json!(5)));
        assert_eq!(coerce(&json!(["a", "b"]), &["string"]), None);
        assert_eq!(coerce(&json!({"a": 1}), &["array"]), None);
        // Object types have no conversion.
        assert_eq!(coerce(&json!("x"), &["object"]), None);
        // The first type with a rule wins.
        assert_eq!(
            coerce(&json!(true), &["string", "boolean"]),
            Some(json!("true"))
        );
    }

    #[test]
    fn writes_numbers_as_javascript_does() {
        let s = |v: Value| number_to_string(v.as_number().unwrap());
        assert_eq!(s(json!(10)), "10");
        assert_eq!(s(json!(2.0)), "2");
        assert_eq!(s(json!(0.1)), "0.1");
        assert_eq!(s(json!(1e21)), "1e+21");
    }
}
