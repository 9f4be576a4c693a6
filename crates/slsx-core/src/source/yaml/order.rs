//! JavaScript's order of object keys: keys that are array indices (`"0"`, `"12"`) come first, in
//! numeric order, then the others in insertion order. osls's configuration is a JavaScript object, so
//! `print` and every later step see this order; slsx's maps keep insertion order, so it is applied once
//! after loading.

use serde_json::{Map, Value};

/// `0 ..= 2^32 - 2` written canonically (no sign, no leading zero).
fn array_index(key: &str) -> Option<u64> {
    let b = key.as_bytes();
    if b.is_empty()
        || b.len() > 10
        || !b.iter().all(u8::is_ascii_digit)
        || (b.len() > 1 && b[0] == b'0')
    {
        return None;
    }
    key.parse::<u64>().ok().filter(|n| *n < u64::from(u32::MAX))
}

pub(super) fn js_key_order(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(js_key_order),
        Value::Object(map) => {
            map.values_mut().for_each(js_key_order);
            if map.keys().any(|k| array_index(k).is_some()) {
                let entries = std::mem::take(map);
                let (mut indices, others): (Vec<_>, Vec<_>) = entries
                    .into_iter()
                    .partition(|(k, _)| array_index(k).is_some());
                indices.sort_by_key(|(k, _)| array_index(k));
                *map = indices
                    .into_iter()
                    .chain(others)
                    .collect::<Map<String, Value>>();
            }
        }
        _ => {}
    }
}
