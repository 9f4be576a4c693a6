//! Evaluates a JSON schema (draft-07, the keywords osls's schema uses) over a configuration the way
//! the code ajv 8 generates does with `allErrors` and `coerceTypes: 'array'`: a value of the wrong type
//! is converted in place when ajv would convert it; keywords run in ajv's order (`type`, then the
//! keywords for any type — const, enum, not, anyOf, oneOf, allOf — then the number, string, array and
//! object ones); `anyOf` stops at the first branch that passes, and a branch that fails may still
//! have converted values. Osls compiles the converted configuration, so the order is behaviour.
//!
//! Errors are kept as ajv reports them (every failing branch's errors, with schema paths), for
//! osls's own reduction of them (`normalize.rs`). The typed keyword groups are in `keywords.rs`.

use serde_json::{Map, Value};

use super::coerce::{coerce_to_any, coercible, has_any_type};
use super::rules::{always_valid, json_equal, parent_of, OBJECT_RULES};

/// One error as ajv reports it (before osls's normalisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// Where in the configuration (`["functions", "hello", "events", "0"]`).
    pub path: Vec<String>,
    /// ajv's `schemaPath` (`#/properties/functions/…/anyOf/3/type`), through inlined `$ref`s.
    pub schema_path: String,
    pub keyword: &'static str,
    /// ajv's message, already as osls words it where that needs nothing but the error itself.
    pub message: String,
    /// For `additionalProperties`: the unrecognized key (the error is at its parent).
    pub key: Option<String>,
    /// What osls reads from the error's `parentSchema` to name a common type (`const`, the type).
    pub parent: Parent,
}

/// `parentSchema.const ? 'const' : parentSchema.type`, compared as osls's `Set` compares them: a
/// type list is an object, equal only to itself (its schema node's address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parent {
    Const,
    Type(String),
    Types(String, usize),
    Undefined,
}

/// A step of ajv's schema path.
#[derive(Clone, Copy)]
pub(super) enum Step<'s> {
    Word(&'static str),
    Key(&'s str),
    Index(usize),
}

pub struct Validator<'s> {
    pub(super) definitions: &'s Map<String, Value>,
    pub errors: Vec<SchemaError>,
    pub(super) path: Vec<String>,
    pub(super) schema_path: Vec<Step<'s>>,
    /// Per configuration position being validated: how many times ajv's generated code replaced its
    /// variable by the single item of a one-element list it then failed to convert (see
    /// `check_type`). The value stays the list in the configuration.
    wraps: Vec<usize>,
}

impl<'s> Validator<'s> {
    pub fn new(definitions: &'s Map<String, Value>) -> Validator<'s> {
        Validator {
            definitions,
            errors: Vec::new(),
            path: Vec::new(),
            schema_path: Vec::new(),
            wraps: Vec::new(),
        }
    }

    /// Validates the whole configuration, converting values in place; errors are collected.
    pub fn validate_root(&mut self, schema: &'s Value, data: &mut Value) -> bool {
        self.position(schema, data)
    }

    fn position(&mut self, schema: &'s Value, data: &mut Value) -> bool {
        self.wraps.push(0);
        let ok = self.validate(schema, data);
        for _ in 0..self.wraps.pop().unwrap_or(0) {
            *data = Value::Array(vec![std::mem::take(data)]);
        }
        ok
    }

    /// The value under `key` (a property or an item), validated against `schema` reached through
    /// `steps` of the schema path.
    pub(super) fn child(
        &mut self,
        key: &str,
        steps: &[Step<'s>],
        schema: &'s Value,
        data: &mut Value,
    ) -> bool {
        self.path.push(key.to_string());
        let ok = self.sub(steps, schema, data, Self::position);
        self.path.pop();
        ok
    }

    /// `schema` applied to the same value, reached through `steps` (an anyOf branch, `not` …).
    pub(super) fn same(&mut self, steps: &[Step<'s>], schema: &'s Value, data: &mut Value) -> bool {
        self.sub(steps, schema, data, Self::validate)
    }

    fn sub(
        &mut self,
        steps: &[Step<'s>],
        schema: &'s Value,
        data: &mut Value,
        run: fn(&mut Self, &'s Value, &mut Value) -> bool,
    ) -> bool {
        self.schema_path.extend_from_slice(steps);
        let ok = run(self, schema, data);
        self.schema_path
            .truncate(self.schema_path.len() - steps.len());
        ok
    }

    /// Records a failed keyword of `schema` (its parent schema) at the current place.
    pub(super) fn fail(
        &mut self,
        schema: &Map<String, Value>,
        keyword: &'static str,
        message: String,
    ) -> bool {
        self.fail_key(schema, keyword, message, None)
    }

    pub(super) fn fail_key(
        &mut self,
        schema: &Map<String, Value>,
        keyword: &'static str,
        message: String,
        key: Option<String>,
    ) -> bool {
        let mut schema_path = String::from("#");
        for step in &self.schema_path {
            schema_path.push('/');
            match step {
                Step::Word(w) => schema_path.push_str(w),
                Step::Key(k) => schema_path.push_str(&k.replace('~', "~0").replace('/', "~1")),
                Step::Index(i) => schema_path.push_str(&i.to_string()),
            }
        }
        schema_path.push('/');
        schema_path.push_str(keyword);
        self.errors.push(SchemaError {
            path: self.path.clone(),
            schema_path,
            keyword,
            message,
            key,
            parent: parent_of(schema),
        });
        false
    }

    pub(super) fn validate(&mut self, schema: &'s Value, data: &mut Value) -> bool {
        let schema = match schema {
            Value::Bool(true) => return true,
            Value::Bool(false) => {
                return self.fail(
                    &Map::new(),
                    "false schema",
                    "boolean schema is false".into(),
                )
            }
            Value::Object(s) => s,
            _ => return true,
        };
        // osls inlines `$ref`s before compiling, replacing the object that holds one: keywords beside
        // a `$ref` are not evaluated, and the schema path goes on as if the definition stood there.
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let name = target.trim_start_matches("#/definitions/");
            return match self.definitions.get(name) {
                Some(def) => self.validate(def, data),
                None => self.fail(schema, "$ref", format!("can't resolve reference {target}")),
            };
        }
        let types: Vec<&'s str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        // ajv checks (and converts) the type first, except for a lone `object` with object keywords:
        // that type error comes with the object keywords, after the others.
        let object_later =
            types == ["object"] && OBJECT_RULES.iter().any(|k| schema.contains_key(*k));
        let mut ok = true;
        if !types.is_empty() && !object_later {
            ok &= self.check_type(schema, &types, data);
        }
        ok &= self.any_type(schema, data);
        ok &= match data {
            Value::Number(_) => self.number(schema, data),
            Value::String(_) => self.string(schema, data),
            Value::Array(_) => self.array(schema, data),
            Value::Object(_) => self.object(schema, data),
            _ => true,
        };
        if object_later && !data.is_object() {
            ok &= self.type_error(schema, &types);
        }
        ok
    }

    /// ajv's `coerceData`. A one-element list first has its item put in the position's variable; the
    /// item is kept when it has a wanted type, else converted like any value. When nothing converts,
    /// the type error is reported and — as in ajv's generated code — the variable keeps the item: the
    /// rest of this position's checks (later anyOf branches too) see the item, while the
    /// configuration keeps the list. A conversion writes the value back into its parent.
    fn check_type(
        &mut self,
        schema: &Map<String, Value>,
        types: &[&str],
        data: &mut Value,
    ) -> bool {
        if has_any_type(data, types) {
            return true;
        }
        if !types.iter().any(|t| coercible(t)) {
            return self.type_error(schema, types);
        }
        if let Value::Array(items) = data {
            if items.len() == 1 {
                let item = items.pop().unwrap_or_default();
                *data = item;
                if let Some(w) = self.wraps.last_mut() {
                    *w += 1;
                }
                if has_any_type(data, types) {
                    self.converted();
                    return true;
                }
            }
        }
        match coerce_to_any(data, types) {
            Some(converted) => {
                *data = converted;
                self.converted();
                true
            }
            None => self.type_error(schema, types),
        }
    }

    /// The position's value was converted and written back: the configuration now holds it.
    fn converted(&mut self) {
        if let Some(w) = self.wraps.last_mut() {
            *w = 0;
        }
    }

    fn type_error(&mut self, schema: &Map<String, Value>, types: &[&str]) -> bool {
        self.fail(schema, "type", format!("must be {}", types.join(",")))
    }

    /// The keywords for values of any type, in ajv's order.
    fn any_type(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let mut ok = true;
        if let Some(c) = schema.get("const") {
            if !json_equal(c, data) {
                ok = self.fail(schema, "const", "must be equal to constant".into());
            }
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.iter().any(|a| json_equal(a, data)) {
                let mut message = String::from("must be equal to one of the allowed values");
                // osls lists the values when they are all strings.
                if allowed.iter().all(Value::is_string) {
                    let list: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    message = format!("{message} [{}]", list.join(", "));
                }
                ok = self.fail(schema, "enum", message);
            }
        }
        if let Some(not) = schema.get("not") {
            // ajv evaluates `not` without keeping its errors (conversions inside still happen).
            let saved = self.errors.len();
            let matched = always_valid(not) || self.same(&[Step::Word("not")], not, data);
            self.errors.truncate(saved);
            if matched {
                ok = self.fail(schema, "not", "must NOT be valid".into());
            }
        }
        if let Some(Value::Array(branches)) = schema.get("anyOf") {
            ok &= self.any_of(schema, branches, data);
        }
        if let Some(Value::Array(branches)) = schema.get("oneOf") {
            ok &= self.one_of(schema, branches, data);
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for (i, s) in all.iter().enumerate() {
                if !always_valid(s) {
                    ok &= self.same(&[Step::Word("allOf"), Step::Index(i)], s, data);
                }
            }
        }
        ok
    }

    /// Branches in order until one passes (their errors dropped then); a branch that always passes
    /// makes ajv skip the keyword altogether.
    fn any_of(
        &mut self,
        schema: &Map<String, Value>,
        branches: &'s [Value],
        data: &mut Value,
    ) -> bool {
        if branches.iter().any(always_valid) {
            return true;
        }
        let start = self.errors.len();
        for (i, b) in branches.iter().enumerate() {
            if self.same(&[Step::Word("anyOf"), Step::Index(i)], b, data) {
                self.errors.truncate(start);
                return true;
            }
        }
        self.fail(schema, "anyOf", "must match a schema in anyOf".into())
    }

    /// Branches in order, with ajv's running verdict: the first passing branch makes it true, a second
    /// one false and ends the keyword (later branches are not evaluated, nor do they convert).
    fn one_of(
        &mut self,
        schema: &Map<String, Value>,
        branches: &'s [Value],
        data: &mut Value,
    ) -> bool {
        let start = self.errors.len();
        let mut valid = false;
        for (i, b) in branches.iter().enumerate() {
            let passed =
                always_valid(b) || self.same(&[Step::Word("oneOf"), Step::Index(i)], b, data);
            if i > 0 && passed && valid {
                valid = false;
                break;
            } else if passed {
                valid = true;
            }
        }
        if valid {
            self.errors.truncate(start);
            return true;
        }
        self.fail(
            schema,
            "oneOf",
            "must match exactly one schema in oneOf".into(),
        )
    }
}
