//! Building answers in v2's shapes: a member is present only when AWS gave it (v2 leaves absent
//! members out), timestamps are `JSON.stringify`'s form of a `Date` (`2024-05-01T10:20:30.000Z`).

use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use serde_json::{Map, Value};

#[derive(Default)]
pub struct Out(Map<String, Value>);

impl Out {
    pub fn new() -> Self {
        Out::default()
    }

    pub fn s(self, key: &str, v: Option<&str>) -> Self {
        self.v(key, v.map(Value::from))
    }

    pub fn n(self, key: &str, v: Option<impl Into<serde_json::Number>>) -> Self {
        self.v(key, v.map(|n| Value::Number(n.into())))
    }

    pub fn b(self, key: &str, v: Option<bool>) -> Self {
        self.v(key, v.map(Value::Bool))
    }

    pub fn t(self, key: &str, v: Option<&DateTime>) -> Self {
        self.v(key, v.map(|d| Value::String(iso(d))))
    }

    /// A list member: v2 gives an empty list when AWS answers with an empty or absent one, so it is
    /// always present (plugins iterate `Stacks[0].Outputs` without a check).
    pub fn list<T>(self, key: &str, items: &[T], each: impl Fn(&T) -> Value) -> Self {
        self.v(key, Some(Value::Array(items.iter().map(each).collect())))
    }

    pub fn strings<T: AsRef<str>>(self, key: &str, items: &[T]) -> Self {
        self.list(key, items, |s| Value::from(s.as_ref()))
    }

    /// A map of strings (tags, environment variables, object metadata).
    pub fn map<'a>(
        self,
        key: &str,
        v: Option<impl IntoIterator<Item = (&'a String, &'a String)>>,
    ) -> Self {
        self.v(
            key,
            v.map(|m| {
                Value::Object(
                    m.into_iter()
                        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                        .collect(),
                )
            }),
        )
    }

    pub fn v(mut self, key: &str, v: Option<Value>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.to_string(), v);
        }
        self
    }

    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, as `Date.prototype.toJSON` writes it.
pub fn iso(d: &DateTime) -> String {
    // The SDK's RFC 3339 form starts with the second; milliseconds are added as JS always writes them.
    let text = d.fmt(Format::DateTime).unwrap_or_default();
    let seconds = text.get(..19).unwrap_or(&text);
    format!("{seconds}.{:03}Z", d.subsec_nanos() / 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_as_js_writes_dates() {
        assert_eq!(
            iso(&DateTime::from_secs(1_714_558_830)),
            "2024-05-01T10:20:30.000Z"
        );
        assert_eq!(
            iso(&DateTime::from_secs_and_nanos(1_714_558_830, 52_000_000)),
            "2024-05-01T10:20:30.052Z"
        );
    }

    #[test]
    fn absent_members_are_left_out_and_lists_kept() {
        let v = Out::new()
            .s("A", Some("a"))
            .s("B", None)
            .n("C", None::<i64>)
            .strings::<String>("D", &[])
            .done();
        assert_eq!(v, serde_json::json!({"A": "a", "D": []}));
    }
}
