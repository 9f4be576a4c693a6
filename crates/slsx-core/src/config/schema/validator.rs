//! Evaluates a JSON schema (draft-07, the keywords osls's schema uses) over a configuration the way
//! ajv 8 does with `allErrors` and `coerceTypes: 'array'`: a value of the wrong type is converted in
//! place when ajv would convert it, keywords run in ajv's order (generic ones, then the number, string,
//! array and object ones), `anyOf` stops at the first branch that passes and a branch that fails may
//! still have converted values, as it does in ajv. Osls compiles the converted configuration, so the
//! order is part of the behaviour, not a detail.

use serde_json::{Map, Value};

use super::coerce::{coerce, has_any_type};
use super::regex::JsRegex;

/// One failed keyword, at a place in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Where in the configuration (`["functions", "hello", "events", "0"]`).
    pub path: Vec<String>,
    pub keyword: &'static str,
    pub message: String,
    /// For `additionalProperties`: the unrecognized key (the error is at its parent).
    pub key: Option<String>,
}

pub struct Validator<'s> {
    definitions: &'s Map<String, Value>,
    pub errors: Vec<SchemaError>,
    path: Vec<String>,
}

impl<'s> Validator<'s> {
    pub fn new(definitions: &'s Map<String, Value>) -> Validator<'s> {
        Validator {
            definitions,
            errors: Vec::new(),
            path: Vec::new(),
        }
    }

    fn fail(&mut self, keyword: &'static str, message: String) -> bool {
        self.errors.push(SchemaError {
            path: self.path.clone(),
            keyword,
            message,
            key: None,
        });
        false
    }

    fn child(&mut self, key: &str, schema: &'s Value, data: &mut Value) -> bool {
        self.path.push(key.to_string());
        let ok = self.validate(schema, data);
        self.path.pop();
        ok
    }

    /// Validates `data` against `schema`, converting values in place; errors are collected.
    pub fn validate(&mut self, schema: &'s Value, data: &mut Value) -> bool {
        let schema = match schema {
            Value::Bool(true) => return true,
            Value::Bool(false) => return self.fail("false schema", "must NOT be present".into()),
            Value::Object(s) => s,
            _ => return true,
        };
        // osls inlines `$ref`s before compiling, replacing the object that holds one: keywords beside
        // a `$ref` are not evaluated.
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let name = target.trim_start_matches("#/definitions/");
            return match self.definitions.get(name) {
                Some(def) => self.validate(def, data),
                None => self.fail("$ref", format!("unknown schema reference {target}")),
            };
        }
        let mut ok = self.check_type(schema, data);
        ok &= self.generic(schema, data);
        ok &= match data {
            Value::Number(_) => self.number(schema, data),
            Value::String(_) => self.string(schema, data),
            Value::Array(_) => self.array(schema, data),
            Value::Object(_) => self.object(schema, data),
            _ => true,
        };
        ok
    }

    fn check_type(&mut self, schema: &Map<String, Value>, data: &mut Value) -> bool {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        if has_any_type(data, &types) {
            return true;
        }
        match coerce(data, &types) {
            Some(converted) => {
                *data = converted;
                true
            }
            None => self.fail("type", format!("must be {}", types.join(","))),
        }
    }

    fn generic(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let mut ok = true;
        if let Some(c) = schema.get("const") {
            if !json_equal(c, data) {
                ok = self.fail("const", "must be equal to constant".into());
            }
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.iter().any(|a| json_equal(a, data)) {
                let list: Vec<String> = allowed.iter().map(display_value).collect();
                ok = self.fail(
                    "enum",
                    format!(
                        "must be equal to one of the allowed values [{}]",
                        list.join(", ")
                    ),
                );
            }
        }
        if let Some(not) = schema.get("not") {
            let saved = std::mem::take(&mut self.errors);
            let matched = self.validate(not, data);
            self.errors = saved;
            if matched {
                ok = self.fail("not", "must NOT be valid".into());
            }
        }
        if let Some(Value::Array(branches)) = schema.get("anyOf") {
            ok &= self.union(branches, data, false);
        }
        if let Some(Value::Array(branches)) = schema.get("oneOf") {
            ok &= self.union(branches, data, true);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for s in all {
                ok &= self.validate(s, data);
            }
        }
        ok
    }

    /// `anyOf` (first passing branch wins, the rest are not evaluated) and `oneOf` (every branch is
    /// evaluated; exactly one must pass). The errors of failed branches are kept only when none
    /// passes, reduced to the branch the user most likely meant (`pick_branch`).
    fn union(&mut self, branches: &'s [Value], data: &mut Value, one_of: bool) -> bool {
        let start = self.errors.len();
        let mut failed: Vec<Vec<SchemaError>> = Vec::new();
        let mut passing = 0usize;
        for b in branches {
            let before = self.errors.len();
            if self.validate(b, data) {
                passing += 1;
                if !one_of {
                    break;
                }
            } else {
                failed.push(self.errors.split_off(before));
            }
        }
        self.errors.truncate(start);
        match passing {
            1 => true,
            0 => {
                let picked = pick_branch(failed, &self.path);
                match picked {
                    Some(errors) => self.errors.extend(errors),
                    None => {
                        let message = if is_event_item(&self.path) {
                            "unsupported function event".to_string()
                        } else {
                            describe_branches(branches, self.definitions)
                        };
                        let keyword = if one_of { "oneOf" } else { "anyOf" };
                        self.fail(keyword, message);
                    }
                }
                false
            }
            _ if !one_of => true,
            _ => self.fail("oneOf", "must match exactly one schema in oneOf".into()),
        }
    }

    fn number(&mut self, schema: &Map<String, Value>, data: &Value) -> bool {
        let n = data.as_f64().unwrap_or(f64::NAN);
        let mut ok = true;
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if n < min {
                ok = self.fail("minimum", format!("must be >= {}", display_number(min)));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if n > max {
                ok = self.fail("maximum", format!("must be <= {}", display_number(max)));
            }
        }
        ok
    }

    fn string(&mut self, schema: &Map<String, Value>, data: &Value) -> bool {
        let s = data.as_str().unwrap_or_default();
        // JavaScript counts characters as ajv does (code points, through `ucs2length`).
        let len = s.chars().count() as u64;
        let mut ok = true;
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                ok = self.fail(
                    "maxLength",
                    format!("must NOT have more than {max} characters"),
                );
            }
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if len < min {
                ok = self.fail(
                    "minLength",
                    format!("must NOT have fewer than {min} characters"),
                );
            }
        }
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            if !JsRegex::get(p, "u").is_match(s) {
                ok = self.fail("pattern", format!("must match pattern \"{p}\""));
            }
        }
        if let Some(f) = schema.get("format").and_then(Value::as_str) {
            if !super::format::matches(f, s) {
                ok = self.fail("format", format!("must match format \"{f}\""));
            }
        }
        if let Some(r) = schema.get("regexp").and_then(Value::as_str) {
            if !JsRegex::from_literal(r).is_match(s) {
                ok = self.fail("regexp", format!("must match pattern \"{r}\""));
            }
        }
        ok
    }

    fn array(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let mut ok = true;
        let len = data.as_array().map_or(0, Vec::len) as u64;
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
            if len > max {
                ok = self.fail("maxItems", format!("must NOT have more than {max} items"));
            }
        }
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if len < min {
                ok = self.fail("minItems", format!("must NOT have fewer than {min} items"));
            }
        }
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            if let Some((i, j)) = duplicate(data.as_array().map_or(&[][..], Vec::as_slice)) {
                ok = self.fail(
                    "uniqueItems",
                    format!("must NOT have duplicate items (items ## {j} and {i} are identical)"),
                );
            }
        }
        let items = data.as_array_mut().expect("an array");
        match schema.get("items") {
            Some(Value::Array(tuple)) => {
                for (i, (s, item)) in tuple.iter().zip(items.iter_mut()).enumerate() {
                    ok &= self.child(&i.to_string(), s, item);
                }
                if schema.get("additionalItems") == Some(&Value::Bool(false))
                    && items.len() > tuple.len()
                {
                    ok = self.fail(
                        "additionalItems",
                        format!("must NOT have more than {} items", tuple.len()),
                    );
                } else if let Some(extra @ Value::Object(_)) = schema.get("additionalItems") {
                    for (i, item) in items.iter_mut().enumerate().skip(tuple.len()) {
                        ok &= self.child(&i.to_string(), extra, item);
                    }
                }
            }
            Some(each) => {
                for (i, item) in items.iter_mut().enumerate() {
                    ok &= self.child(&i.to_string(), each, item);
                }
            }
            None => {}
        }
        ok
    }

    fn object(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let mut ok = true;
        let map = data.as_object_mut().expect("an object");
        let count = map.len() as u64;
        if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64) {
            if count > max {
                ok = self.fail(
                    "maxProperties",
                    format!("must NOT have more than {max} properties"),
                );
            }
        }
        if let Some(min) = schema.get("minProperties").and_then(Value::as_u64) {
            if count < min {
                ok = self.fail(
                    "minProperties",
                    format!("must NOT have fewer than {min} properties"),
                );
            }
        }
        if let Some(Value::Array(required)) = schema.get("required") {
            for r in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(r) {
                    ok = self.fail("required", format!("must have required property '{r}'"));
                }
            }
        }
        let mut schema_dependencies = Vec::new();
        if let Some(Value::Object(deps)) = schema.get("dependencies") {
            for (key, dep) in deps.iter().filter(|(k, _)| map.contains_key(*k)) {
                let Value::Array(needed) = dep else {
                    schema_dependencies.push(dep);
                    continue;
                };
                for n in needed.iter().filter_map(Value::as_str) {
                    if !map.contains_key(n) {
                        ok = self.fail(
                            "dependencies",
                            format!("must have property {n} when property {key} is present"),
                        );
                    }
                }
            }
        }
        for dep in schema_dependencies {
            ok &= self.validate(dep, data);
        }
        let map = data.as_object_mut().expect("an object");
        if let Some(names) = schema.get("propertyNames") {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let mut name = Value::String(k.clone());
                let saved = std::mem::take(&mut self.errors);
                let valid = self.validate(names, &mut name);
                self.errors = saved;
                if !valid {
                    ok = self.fail("propertyNames", format!("property name '{k}' is invalid"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let patterns: Vec<(JsRegex, &'s Value)> = schema
            .get("patternProperties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (JsRegex::get(k, "u"), v)).collect())
            .unwrap_or_default();
        let keys: Vec<String> = map.keys().cloned().collect();
        if let Some(additional) = schema.get("additionalProperties") {
            for k in &keys {
                let declared = properties.is_some_and(|p| p.contains_key(k))
                    || patterns.iter().any(|(re, _)| re.is_match(k));
                if declared {
                    continue;
                }
                match additional {
                    Value::Bool(false) => {
                        self.errors.push(SchemaError {
                            path: self.path.clone(),
                            keyword: "additionalProperties",
                            message: format!("unrecognized property '{k}'"),
                            key: Some(k.clone()),
                        });
                        ok = false;
                    }
                    s @ Value::Object(_) => {
                        let v = map.get_mut(k).expect("a key of the map");
                        ok &= self.child(k, s, v);
                    }
                    _ => {}
                }
            }
        }
        if let Some(properties) = properties {
            for (k, s) in properties {
                if let Some(v) = map.get_mut(k) {
                    ok &= self.child(k, s, v);
                }
            }
        }
        for (re, s) in &patterns {
            for k in &keys {
                if re.is_match(k) {
                    let v = map.get_mut(k).expect("a key of the map");
                    ok &= self.child(k, s, v);
                }
            }
        }
        ok
    }
}

/// `functions.<name>.events.<n>`: the anyOf over event types.
fn is_event_item(path: &[String]) -> bool {
    path.len() == 4 && path[0] == "functions" && path[2] == "events"
}

/// Of the branches of a failed `anyOf`/`oneOf`, the one the user most likely meant, as osls's error
/// normalisation decides it: branches that fail only because the value has another type are not
/// meant; nor are those missing a required property while another branch is not; of the rest, those
/// with the deepest errors. `None` when that leaves no single branch.
fn pick_branch(branches: Vec<Vec<SchemaError>>, at: &[String]) -> Option<Vec<SchemaError>> {
    let only_type_here = |errors: &Vec<SchemaError>| {
        errors.len() == 1 && errors[0].keyword == "type" && errors[0].path == at
    };
    let mut candidates: Vec<Vec<SchemaError>> = branches
        .into_iter()
        .filter(|b| !only_type_here(b))
        .collect();
    let missing_here = |errors: &Vec<SchemaError>| {
        errors
            .iter()
            .any(|e| e.path == at && matches!(e.keyword, "required" | "const" | "enum"))
    };
    if candidates.iter().any(|b| !missing_here(b)) {
        candidates.retain(|b| !missing_here(b));
    }
    let depth = |errors: &Vec<SchemaError>| errors.iter().map(|e| e.path.len()).max().unwrap_or(0);
    let deepest = candidates.iter().map(depth).max()?;
    candidates.retain(|b| depth(b) == deepest);
    (candidates.len() == 1).then(|| candidates.remove(0))
}

/// "must be string or object" from the branches' types, for a value none of them accepts.
fn describe_branches(branches: &[Value], definitions: &Map<String, Value>) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for b in branches {
        let b = match b.get("$ref").and_then(Value::as_str) {
            Some(r) => definitions
                .get(r.trim_start_matches("#/definitions/"))
                .unwrap_or(b),
            None => b,
        };
        let kind = match b.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
            _ if b.get("anyOf").is_some() || b.get("oneOf").is_some() => "a supported form".into(),
            _ => "a supported form".into(),
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    match kinds.as_slice() {
        [] => "must match a supported form".into(),
        [one] => format!("must be {one}"),
        [init @ .., last] => format!("must be {} or {last}", init.join(", ")),
    }
}

/// ajv's `equal` (fast-deep-equal): numbers by value, objects by keys regardless of order.
fn json_equal(a: &Value, b: &Value) -> bool {
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

/// The first pair of equal items (ajv reports the later index first).
fn duplicate(items: &[Value]) -> Option<(usize, usize)> {
    for j in 1..items.len() {
        for i in 0..j {
            if json_equal(&items[i], &items[j]) {
                return Some((i, j));
            }
        }
    }
    None
}

fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn display_number(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}
