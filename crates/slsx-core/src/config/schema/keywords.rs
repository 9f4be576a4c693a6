//! The keywords ajv runs for one type of value, in the order ajv registers them (its `RULES` groups):
//! number, string, array, object (`object.rs`).

use serde_json::{Map, Value};

use super::coerce::{has_any_type, number_to_string};
use super::regex::JsRegex;
use super::rules::{always_valid, json_equal};
use super::validator::{Step, Validator};

/// A number keyword: its name, how ajv's message writes the comparison, the comparison.
type Bound = (&'static str, &'static str, fn(f64, f64) -> bool);

impl<'s> Validator<'s> {
    /// A size's `(max, min)` keywords (`maxLength`/`minLength` …), the maximum checked first as ajv
    /// does; `what` the size counts, for the message.
    pub(super) fn size_limits(
        &mut self,
        schema: &Map<String, Value>,
        (max, min): (&'static str, &'static str),
        size: u64,
        what: &str,
    ) -> bool {
        let mut ok = true;
        for (keyword, more) in [(max, true), (min, false)] {
            if let Some(limit) = schema.get(keyword).and_then(Value::as_u64) {
                if (more && size > limit) || (!more && size < limit) {
                    let word = if more { "more" } else { "fewer" };
                    let message = format!("must NOT have {word} than {limit} {what}");
                    ok = self.fail(schema, keyword, message);
                }
            }
        }
        ok
    }

    pub(super) fn number(&mut self, schema: &Map<String, Value>, data: &Value) -> bool {
        let n = data.as_f64().unwrap_or(f64::NAN);
        let mut ok = true;
        let bounds: [Bound; 4] = [
            ("maximum", "<=", |n, l| n <= l),
            ("minimum", ">=", |n, l| n >= l),
            ("exclusiveMaximum", "<", |n, l| n < l),
            ("exclusiveMinimum", ">", |n, l| n > l),
        ];
        for (keyword, shown, holds) in bounds {
            if let Some(limit) = schema.get(keyword).and_then(Value::as_f64) {
                if !holds(n, limit) {
                    let limit = display_number(schema.get(keyword));
                    ok = self.fail(schema, keyword, format!("must be {shown} {limit}"));
                }
            }
        }
        if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64) {
            let ratio = n / m;
            if ratio.fract() != 0.0 {
                let m = display_number(schema.get("multipleOf"));
                ok = self.fail(schema, "multipleOf", format!("must be multiple of {m}"));
            }
        }
        ok
    }

    pub(super) fn string(&mut self, schema: &Map<String, Value>, data: &Value) -> bool {
        let s = data.as_str().unwrap_or_default();
        // ajv counts characters as code points (`ucs2length`).
        let len = s.chars().count() as u64;
        let mut ok = self.size_limits(schema, ("maxLength", "minLength"), len, "characters");
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            if !JsRegex::get(p, "u").is_match(s) {
                ok = self.fail(schema, "pattern", format!("must match pattern \"{p}\""));
            }
        }
        if let Some(f) = schema.get("format").and_then(Value::as_str) {
            if !super::format::matches(f, s) {
                ok = self.fail(schema, "format", format!("must match format \"{f}\""));
            }
        }
        if let Some(r) = schema.get("regexp").and_then(Value::as_str) {
            if !JsRegex::from_literal(r).is_match(s) {
                // osls's words for its own keyword.
                let message = format!("value '{s}' does not satisfy pattern {r}");
                ok = self.fail(schema, "regexp", message);
            }
        }
        ok
    }

    pub(super) fn array(&mut self, schema: &'s Map<String, Value>, data: &mut Value) -> bool {
        let len = data.as_array().map_or(0, Vec::len) as u64;
        let mut ok = self.size_limits(schema, ("maxItems", "minItems"), len, "items");
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            let item_types = self.item_types(schema);
            let items = data.as_array().map_or(&[][..], Vec::as_slice);
            if let Some((j, i)) = duplicate(items, &item_types) {
                let message =
                    format!("must NOT have duplicate items (items ## {j} and {i} are identical)");
                ok = self.fail(schema, "uniqueItems", message);
            }
        }
        let items = data.as_array_mut().expect("an array");
        match schema.get("items") {
            Some(Value::Array(tuple)) => {
                match schema.get("additionalItems") {
                    Some(Value::Bool(false)) if items.len() > tuple.len() => {
                        let message = format!("must NOT have more than {} items", tuple.len());
                        ok = self.fail(schema, "additionalItems", message);
                    }
                    Some(extra @ Value::Object(_)) if !always_valid(extra) => {
                        for (i, item) in items.iter_mut().enumerate().skip(tuple.len()) {
                            let steps = [Step::Word("additionalItems")];
                            ok &= self.child(&i.to_string(), &steps, extra, item);
                        }
                    }
                    _ => {}
                }
                for (i, (s, item)) in tuple.iter().zip(items.iter_mut()).enumerate() {
                    if !always_valid(s) {
                        let steps = [Step::Word("items"), Step::Index(i)];
                        ok &= self.child(&i.to_string(), &steps, s, item);
                    }
                }
            }
            Some(each) if !always_valid(each) => {
                for (i, item) in items.iter_mut().enumerate() {
                    ok &= self.child(&i.to_string(), &[Step::Word("items")], each, item);
                }
            }
            _ => {}
        }
        ok
    }

    /// The `type`s of an array's `items` schema, as ajv's `uniqueItems` reads them.
    fn item_types(&self, schema: &'s Map<String, Value>) -> Vec<&'s str> {
        let mut items = match schema.get("items") {
            Some(i @ Value::Object(_)) => i,
            _ => return Vec::new(),
        };
        while let Some(r) = items.get("$ref").and_then(Value::as_str) {
            match self.definitions.get(r.trim_start_matches("#/definitions/")) {
                Some(d) => items = d,
                None => return Vec::new(),
            }
        }
        match items.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// ajv's `uniqueItems` search, `(j, i)` as its message shows them. Items of scalar types are found
/// through a map from the end (j is the later index); other arrays compare every pair from the end.
fn duplicate(items: &[Value], item_types: &[&str]) -> Option<(usize, usize)> {
    let scalar =
        !item_types.is_empty() && !item_types.iter().any(|t| matches!(*t, "object" | "array"));
    if scalar {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for i in (0..items.len()).rev() {
            let item = &items[i];
            if !has_any_type(item, item_types) {
                continue;
            }
            // The item as an object key: strings are marked when several types share the map.
            let key = match item {
                Value::String(s) if item_types.len() > 1 => format!("{s}_"),
                Value::String(s) => s.clone(),
                Value::Number(n) => number_to_string(n),
                other => other.to_string(),
            };
            if let Some((_, j)) = seen.iter().find(|(k, _)| *k == key) {
                return Some((*j, i));
            }
            seen.push((key, i));
        }
        return None;
    }
    for i in (0..items.len()).rev() {
        for j in (0..i).rev() {
            if json_equal(&items[i], &items[j]) {
                return Some((j, i));
            }
        }
    }
    None
}

/// A schema number as JavaScript writes it.
fn display_number(v: Option<&Value>) -> String {
    v.and_then(Value::as_number)
        .map(number_to_string)
        .unwrap_or_default()
}
