//! Key order for hashing: Serverless deep-sorts object keys with JavaScript's `localeCompare` (ICU root
//! collation), not byte order. This reproduces that order for the characters property and variable
//! names use: punctuation before digits before letters, letters compared without case first, then
//! lower case before upper case.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// ICU root order of ASCII punctuation and symbols (all sort before digits).
const PUNCTUATION: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

fn primary(c: char) -> (u8, u32) {
    if c.is_whitespace() {
        (0, c as u32)
    } else if let Some(i) = PUNCTUATION.find(c) {
        (1, i as u32)
    } else if c.is_ascii_digit() {
        (2, c as u32)
    } else if c.is_ascii_alphabetic() {
        (3, c.to_ascii_lowercase() as u32)
    } else {
        // Other characters: after ASCII letters, by code point, case-folded where Unicode says so.
        (4, c.to_lowercase().next().unwrap_or(c) as u32)
    }
}

pub fn locale_compare(a: &str, b: &str) -> Ordering {
    let pa = a.chars().map(primary);
    let pb = b.chars().map(primary);
    match pa.cmp(pb) {
        Ordering::Equal => {}
        other => return other,
    }
    // Tertiary: lower case sorts before upper case at the first difference.
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            return match (x.is_lowercase(), y.is_lowercase()) {
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                _ => x.cmp(&y),
            };
        }
    }
    a.len().cmp(&b.len())
}

/// A copy of `value` with every object's keys sorted by `locale_compare`; arrays keep their order.
pub fn deep_sort(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| locale_compare(a, b));
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), deep_sort(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(deep_sort).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_icu_root_order_of_the_reference_sample() {
        // The order JavaScript's localeCompare gives (reference §4.3).
        let expected = [
            "_X",
            "1x",
            "a_b",
            "a-b",
            "ab",
            "aB",
            "Ab",
            "API_KEY",
            "apiUrl",
            "Handler",
            "KmsKeyArn",
            "layerConfigurations",
            "Layers",
            "Timeout",
        ];
        let mut shuffled = expected.to_vec();
        shuffled.reverse();
        shuffled.sort_by(|a, b| locale_compare(a, b));
        assert_eq!(shuffled, expected);
    }
}
