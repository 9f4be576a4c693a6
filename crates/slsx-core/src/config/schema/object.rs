//! ajv's object keywords, in the order ajv runs them: `maxProperties`/`minProperties`, `required`,
//! `propertyNames`, `additionalProperties`, `dependencies`, then `properties` and `patternProperties`.
//! Keys are visited in JavaScript's `for…in` order.

use serde_json::{Map, Value};

use super::regex::JsRegex;
use super::rules::always_valid;
use super::validator::{Step, Validator};

/// `patternProperties`: each pattern, compiled, and its schema.
type Patterns<'s> = Vec<(&'s str, JsRegex, &'s Value)>;

/// An object schema with what its property keywords share: the data's keys in `for…in` order and the
/// compiled `patternProperties`.
struct Keyed<'s, 'a> {
    schema: &'s Map<String, Value>,
    keys: &'a [String],
    patterns: &'a Patterns<'s>,
}

impl<'s> Validator<'s> {
    pub(super) fn object(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let count = data.as_object().map_or(0, Map::len) as u64;
        let limits = ("maxProperties", "minProperties");
        let mut ok = self.size_limits(schema, limits, count, "properties");
        let keys: Vec<String> = js_key_order(data.as_object().expect("an object"));
        ok &= self.required(schema, &keys);
        ok &= self.property_names(schema, &keys);
        let patterns: Patterns<'s> = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .map(|(k, v)| (k.as_str(), JsRegex::get(k, "u"), v))
                    .collect()
            })
            .unwrap_or_default();
        let keyed = Keyed {
            schema,
            keys: &keys,
            patterns: &patterns,
        };
        ok &= self.additional_properties(&keyed, data);
        ok &= self.dependencies(schema, &keys, data);
        ok &= self.properties(&keyed, data);
        ok
    }

    fn required(&mut self, schema: &'s Map<String, Value>, keys: &[String]) -> bool {
        let mut ok = true;
        if let Some(Value::Array(required)) = schema.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if !keys.iter().any(|k| k == r) {
                    let message = format!("must have required property '{r}'");
                    ok = self.fail(schema, "required", message);
                }
            }
        }
        ok
    }

    fn property_names(&mut self, schema: &'s Map<String, Value>, keys: &[String]) -> bool {
        let mut ok = true;
        if let Some(names) = schema.get("propertyNames").filter(|n| !always_valid(n)) {
            // The key is checked as a string value at the object's place; ajv keeps those errors.
            for k in keys {
                let mut name = Value::String(k.clone());
                if !self.same(&[Step::Word("propertyNames")], names, &mut name) {
                    let message = "property name must be valid".into();
                    ok = self.fail(schema, "propertyNames", message);
                }
            }
        }
        ok
    }

    /// The keys neither `properties` nor `patternProperties` declare.
    fn additional_properties(&mut self, keyed: &Keyed<'s, '_>, data: &mut Value) -> bool {
        let Keyed {
            schema,
            keys,
            patterns,
        } = *keyed;
        let Some(additional) = schema
            .get("additionalProperties")
            .filter(|a| !always_valid(a))
        else {
            return true;
        };
        let properties = schema.get("properties").and_then(Value::as_object);
        let map = data.as_object_mut().expect("an object");
        let mut ok = true;
        for k in keys {
            let declared = properties.is_some_and(|p| p.contains_key(k))
                || patterns.iter().any(|(_, re, _)| re.is_match(k));
            if declared {
                continue;
            }
            if let Value::Object(_) = additional {
                let v = map.get_mut(k).expect("a key of the map");
                ok &= self.child(k, &[Step::Word("additionalProperties")], additional, v);
            } else {
                // osls's words: a function's key is its name.
                let message = if self.path == ["functions"] {
                    format!("name '{k}' must be alphanumeric")
                } else {
                    format!("unrecognized property '{k}'")
                };
                ok = self.fail_key(schema, "additionalProperties", message, Some(k.clone()));
            }
        }
        ok
    }

    /// `dependencies`: the properties a present key needs (a list), then the schemas it brings.
    fn dependencies(
        &mut self,
        schema: &'s Map<String, Value>,
        keys: &[String],
        data: &mut Value,
    ) -> bool {
        let Some(Value::Object(deps)) = schema.get("dependencies") else {
            return true;
        };
        let has = |k: &str| keys.iter().any(|key| key == k);
        let mut ok = true;
        for (key, needed) in deps.iter().filter(|(k, _)| has(k)) {
            let Value::Array(needed) = needed else {
                continue;
            };
            let names: Vec<&str> = needed.iter().filter_map(Value::as_str).collect();
            let word = if names.len() == 1 {
                "property"
            } else {
                "properties"
            };
            for n in &names {
                if !has(n) {
                    let message = format!(
                        "must have {word} {} when property {key} is present",
                        names.join(", ")
                    );
                    ok = self.fail(schema, "dependencies", message);
                }
            }
        }
        for (key, dep) in deps.iter().filter(|(k, d)| has(k) && !d.is_array()) {
            if !always_valid(dep) {
                let steps = [Step::Word("dependencies"), Step::Key(key)];
                ok &= self.same(&steps, dep, data);
            }
        }
        ok
    }

    /// `properties`, then `patternProperties`: each present key against its schemas.
    fn properties(&mut self, keyed: &Keyed<'s, '_>, data: &mut Value) -> bool {
        let Keyed {
            schema,
            keys,
            patterns,
        } = *keyed;
        let map = data.as_object_mut().expect("an object");
        let mut ok = true;
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in properties {
                if always_valid(s) {
                    continue;
                }
                if let Some(v) = map.get_mut(k) {
                    let steps = [Step::Word("properties"), Step::Key(k)];
                    ok &= self.child(k, &steps, s, v);
                }
            }
        }
        for (pattern, re, s) in patterns {
            if always_valid(s) {
                continue;
            }
            for k in keys.iter().filter(|k| re.is_match(k)) {
                let v = map.get_mut(k).expect("a key of the map");
                let steps = [Step::Word("patternProperties"), Step::Key(pattern)];
                ok &= self.child(k, &steps, s, v);
            }
        }
        ok
    }
}

/// JavaScript's `for…in` order: keys that are array indices first, ascending, then the others in
/// insertion order.
fn js_key_order(map: &Map<String, Value>) -> Vec<String> {
    let index = |k: &str| -> Option<u32> {
        let canonical = k == "0" || (!k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit()));
        k.parse::<u32>().ok().filter(|&n| canonical && n < u32::MAX)
    };
    let mut indexed: Vec<(u32, &String)> = map
        .keys()
        .filter_map(|k| index(k).map(|n| (n, k)))
        .collect();
    indexed.sort_unstable();
    let mut keys: Vec<String> = indexed.into_iter().map(|(_, k)| k.clone()).collect();
    keys.extend(map.keys().filter(|k| index(k).is_none()).cloned());
    keys
}
