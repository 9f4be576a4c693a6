//! The configuration schema and its checker: one description of what osls 4.3.1 accepts (the YAML
//! files beside this one, see `SCHEMA.md` there), used both to validate a resolved configuration and
//! to convert its values the way osls's ajv does (`coerceTypes: 'array'`) — osls compiles the
//! converted configuration whatever `configValidationMode` says, so slsx does too.
//!
//! The files are turned into one JSON document at build time (`build.rs`); [`Schema::osls`] assembles
//! them once per process. Plugins extend a copy through the `define_*` methods, as they extend osls's
//! schema through `configSchemaHandler`.

mod coerce;
mod format;
mod keywords;
mod normalize;
mod object;
mod regex;
mod report;
mod rules;
mod validator;

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

pub use report::{apply, mode_of, Problem};
use validator::Validator;

/// The pattern of a function's key under `functions:`.
pub const FUNCTION_NAME_PATTERN: &str = "^[a-zA-Z0-9-_]+$";

const FILES: &str = include_str!(concat!(env!("OUT_DIR"), "/config-schema.json"));

#[derive(Debug, Clone)]
pub struct Schema {
    root: Value,
    definitions: Map<String, Value>,
}

impl Schema {
    /// osls 4.3.1's schema for provider `aws` with its built-in events.
    pub fn osls() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(|| {
            let files: Value = serde_json::from_str(FILES).expect("build.rs writes JSON");
            #[allow(
                clippy::panic,
                reason = "the schema files are slsx's own, checked by tests"
            )]
            Schema::assemble(files).unwrap_or_else(|e| panic!("slsx's schema: {e}"))
        })
    }

    /// Builds the schema from the files' contents: `{root, provider, function, events: {name: …}}`,
    /// each `{definitions?, <part>}`.
    fn assemble(files: Value) -> Result<Schema, String> {
        let part = |file: &str, key: &str| files.get(file).and_then(|f| f.get(key)).cloned();
        let mut definitions = Map::new();
        let mut add_definitions = |file: &str, f: &Value| -> Result<(), String> {
            for (name, def) in f
                .get("definitions")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if definitions.insert(name.clone(), def.clone()).is_some() {
                    return Err(format!("definition '{name}' is defined twice ({file})"));
                }
            }
            Ok(())
        };
        for file in ["root", "provider", "function"] {
            if let Some(f) = files.get(file) {
                add_definitions(file, f)?;
            }
        }
        let events: Vec<(String, Value)> = files
            .get("events")
            .and_then(Value::as_object)
            .map(|e| e.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        for (name, f) in &events {
            add_definitions(&format!("events/{name}"), f)?;
        }
        let mut root = part("root", "schema").ok_or("root.yml has no `schema`")?;
        let provider = part("provider", "provider").unwrap_or_else(|| json!({"type": "object"}));
        root.pointer_mut("/properties")
            .and_then(Value::as_object_mut)
            .ok_or("root.yml's schema has no `properties`")?
            .insert("provider".into(), provider);
        let function = part("function", "function").unwrap_or_else(|| {
            json!({"type": "object", "properties": {"events": {"type": "array", "items": {"anyOf": []}}}})
        });
        definitions.insert("function".into(), function);
        let mut schema = Schema { root, definitions };
        for (name, f) in events {
            let event = f.get("event").cloned().unwrap_or(Value::Bool(true));
            schema.define_function_event(&name, event)?;
        }
        Ok(schema)
    }

    fn event_branches(&mut self) -> Result<&mut Vec<Value>, String> {
        self.definitions
            .get_mut("function")
            .and_then(|f| f.pointer_mut("/properties/events/items/anyOf"))
            .and_then(Value::as_array_mut)
            .ok_or_else(|| "function.yml: properties.events.items.anyOf is missing".to_string())
    }

    /// The event types a function may list, in the schema's order.
    pub fn event_names(&self) -> Vec<String> {
        self.definitions
            .get("function")
            .and_then(|f| f.pointer("/properties/events/items/anyOf"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|b| b.get("required")?.get(0)?.as_str().map(String::from))
            .collect()
    }

    /// A function event `name` whose value `schema` describes (osls: `defineFunctionEvent`).
    pub fn define_function_event(&mut self, name: &str, schema: Value) -> Result<(), String> {
        if self.event_names().iter().any(|n| n == name) {
            return Err(format!("Function event '{name}' already has a definition"));
        }
        self.event_branches()?.push(json!({
            "type": "object",
            "properties": { name: schema },
            "required": [name],
            "additionalProperties": false,
        }));
        Ok(())
    }

    /// Properties a plugin adds to functions (`defineFunctionProperties`).
    pub fn define_function_properties(
        &mut self,
        properties: &Map<String, Value>,
    ) -> Result<(), String> {
        let target = self
            .definitions
            .get_mut("function")
            .and_then(|f| f.pointer_mut("/properties"))
            .and_then(Value::as_object_mut)
            .ok_or("the function schema has no properties")?;
        add_properties(target, properties, "functions[]")
    }

    /// Properties a plugin adds under `custom` (`defineCustomProperties`).
    pub fn define_custom_properties(
        &mut self,
        properties: &Map<String, Value>,
    ) -> Result<(), String> {
        let custom = self
            .root
            .pointer_mut("/properties/custom")
            .and_then(Value::as_object_mut)
            .ok_or("the schema has no `custom`")?;
        let target = custom
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or("custom.properties is not an object")?;
        add_properties(target, properties, "custom")
    }

    /// A top-level property a plugin adds (`defineTopLevelProperty`).
    pub fn define_top_level_property(&mut self, name: &str, schema: Value) -> Result<(), String> {
        let mut one = Map::new();
        one.insert(name.to_string(), schema);
        let target = self
            .root
            .pointer_mut("/properties")
            .and_then(Value::as_object_mut)
            .ok_or("the schema has no properties")?;
        add_properties(target, &one, "")
    }

    /// This schema extended by plugins' `configSchemaHandler` calls, in order: each definition is
    /// `{ kind, name?, event?, schema }` as the Node.js host records them (`functionEvent`,
    /// `functionEventProperties`, `functionProperties`, `customProperties`, `topLevelProperty`).
    pub fn extended(&self, definitions: &[Value]) -> Result<Schema, String> {
        let mut schema = self.clone();
        for d in definitions {
            let kind = d.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = d.get("name").and_then(Value::as_str).unwrap_or("");
            let part = d.get("schema").cloned().unwrap_or(Value::Null);
            let properties = part
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            match kind {
                "functionEvent" => schema.define_function_event(name, part)?,
                "functionEventProperties" => {
                    let event = d.get("event").and_then(Value::as_str).unwrap_or("");
                    schema.define_function_event_properties(event, &properties)?
                }
                "functionProperties" => schema.define_function_properties(&properties)?,
                "customProperties" => schema.define_custom_properties(&properties)?,
                "topLevelProperty" => schema.define_top_level_property(name, part)?,
                // `defineProvider` is for providers other than aws, whose plugins are skipped.
                _ => {}
            }
        }
        Ok(schema)
    }

    /// Properties a plugin adds to a built-in event's object form (`defineFunctionEventProperties`).
    pub fn define_function_event_properties(
        &mut self,
        event: &str,
        properties: &Map<String, Value>,
    ) -> Result<(), String> {
        let definitions = self.definitions.clone();
        let branch = self
            .event_branches()?
            .iter_mut()
            .find(|b| b.pointer("/required/0").and_then(Value::as_str) == Some(event))
            .and_then(|b| b.pointer_mut(&format!("/properties/{event}")))
            .ok_or_else(|| format!("Function event '{event}' has no definition"))?;
        let resolve = |v: &Value| {
            v.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .map(str::to_string)
        };
        // The object form: the event's schema itself, or its object branch of an anyOf / oneOf.
        let mut target = branch.clone();
        if let Some(name) = resolve(&target) {
            target = definitions.get(&name).cloned().unwrap_or(Value::Null);
        }
        let is_object = |v: &Value| v.get("type").and_then(Value::as_str) == Some("object");
        let mut object = if is_object(&target) {
            target
        } else {
            ["anyOf", "oneOf"]
                .iter()
                .filter_map(|k| target.get(*k).and_then(Value::as_array))
                .flatten()
                .find(|b| is_object(b))
                .cloned()
                .ok_or_else(|| format!("Function event '{event}' has no object form"))?
        };
        let props = object
            .as_object_mut()
            .expect("an object schema")
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or("properties is not an object")?;
        add_properties(props, properties, event)?;
        // The event now takes the extended object schema alongside its other forms.
        *branch = json!({ "anyOf": [object, branch.clone()] });
        Ok(())
    }

    /// Validates `config`, converting its values as osls does, and returns what is wrong.
    pub fn check(&self, config: &mut Value) -> Vec<Problem> {
        // osls removes null-valued properties before validating and puts them back afterwards (an
        // ajv issue with `null`): a `key:` left empty is neither checked nor converted.
        let mut nulls = Vec::new();
        remove_nulls(config, &mut Vec::new(), &mut nulls);
        let mut validator = Validator::new(&self.definitions);
        validator.validate_root(&self.root, config);
        for path in nulls {
            restore_null(config, &path);
        }
        report::problems(validator.errors)
    }
}

fn add_properties(
    target: &mut Map<String, Value>,
    properties: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    for (name, schema) in properties {
        if target.contains_key(name) {
            let shown = if at.is_empty() {
                name.clone()
            } else {
                format!("{at}.{name}")
            };
            return Err(format!("Property '{shown}' already has a definition"));
        }
        target.insert(name.clone(), schema.clone());
    }
    Ok(())
}

fn remove_nulls(value: &mut Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            let null_keys: Vec<String> = map
                .iter()
                .filter(|(_, v)| v.is_null())
                .map(|(k, _)| k.clone())
                .collect();
            for k in null_keys {
                map.shift_remove(&k);
                let mut path = at.clone();
                path.push(k);
                out.push(path);
            }
            for (k, v) in map.iter_mut() {
                at.push(k.clone());
                remove_nulls(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                if v.is_object() || v.is_array() {
                    at.push(i.to_string());
                    remove_nulls(v, at, out);
                    at.pop();
                }
            }
        }
        _ => {}
    }
}

/// Puts a removed null back where its parent still is (appended, as JavaScript re-adds a key).
fn restore_null(root: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for p in parents {
        node = match node {
            Value::Object(m) => match m.get_mut(p) {
                Some(n) => n,
                None => return,
            },
            Value::Array(a) => match p.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(n) => n,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Object(m) = node {
        m.insert(last.clone(), Value::Null);
    }
}

#[cfg(test)]
mod ajv_tests;
#[cfg(test)]
mod tests;
