//! The `format`s of the schema, as ajv-formats checks them: `uri` (an absolute URI: a scheme, then no
//! white space) and `date-time` (RFC 3339 with a time zone).

use super::regex::JsRegex;

pub fn matches(format: &str, value: &str) -> bool {
    match format {
        "uri" => JsRegex::get(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$", "").is_match(value),
        "date-time" => JsRegex::get(
            r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$",
            "",
        )
        .is_match(value),
        // An unknown format would be a schema error in ajv's strict mode; slsx's schema has none.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_and_date_time() {
        assert!(super::matches("uri", "https://example.com/a"));
        assert!(!super::matches("uri", "example.com"));
        assert!(super::matches("date-time", "2024-01-01T00:00:00Z"));
        assert!(!super::matches("date-time", "2024-01-01"));
    }
}
