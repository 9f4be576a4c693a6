//! js-yaml's types with osls's CloudFormation schema: implicit resolution of plain scalars (null, bool,
//! int, float, the `<<` merge key — no implicit timestamps: osls drops them so `Version: 2012-10-17`
//! stays a string), the explicit `!!` tags, and the CloudFormation short forms (`!Ref`, `!GetAtt` …).

use serde_json::{Map, Value};

use super::number::{number_value, parse_float, parse_int};
use super::state::{Kind, Special};

pub(super) const MERGE_TAG: &str = "tag:yaml.org,2002:merge";
const NULL_TAG: &str = "tag:yaml.org,2002:null";
const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
const INT_TAG: &str = "tag:yaml.org,2002:int";
const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
const CORE: &str = "tag:yaml.org,2002:";

/// The CloudFormation functions osls's schema knows, in all three node kinds.
const CFN_FUNCTIONS: [&str; 19] = [
    "And",
    "Base64",
    "Cidr",
    "Condition",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "GetStackOutput",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Ref",
    "Select",
    "Split",
    "Sub",
    "Transform",
];

/// A resolved node: its value, what JSON cannot hold of it, and its tag.
pub(super) struct Resolved {
    pub value: Value,
    pub special: Special,
    pub tag: &'static str,
}

fn finite_or_special(v: f64, tag: &'static str) -> Resolved {
    if v.is_finite() {
        Resolved {
            value: number_value(v),
            special: Special::None,
            tag,
        }
    } else {
        Resolved {
            value: Value::Null,
            special: Special::NonFinite(v),
            tag,
        }
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "~" | "null" | "Null" | "NULL")
}

fn bool_of(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A plain scalar through the implicit types, in js-yaml's order; `None` keeps it a string.
pub(super) fn resolve_implicit(data: Option<&str>) -> Option<Resolved> {
    let Some(s) = data else {
        return Some(Resolved {
            value: Value::Null,
            special: Special::None,
            tag: NULL_TAG,
        });
    };
    if is_null(s) {
        return Some(Resolved {
            value: Value::Null,
            special: Special::None,
            tag: NULL_TAG,
        });
    }
    if let Some(b) = bool_of(s) {
        return Some(Resolved {
            value: Value::Bool(b),
            special: Special::None,
            tag: BOOL_TAG,
        });
    }
    if let Some(v) = parse_int(s) {
        return Some(finite_or_special(v, INT_TAG));
    }
    if let Some(v) = parse_float(s) {
        return Some(finite_or_special(v, FLOAT_TAG));
    }
    if s == "<<" {
        return Some(Resolved {
            value: Value::String(s.into()),
            special: Special::None,
            tag: MERGE_TAG,
        });
    }
    None
}

/// Why an explicit tag could not be applied (the caller words the error as js-yaml does).
pub(super) enum TagError {
    Unknown,
    /// The node has a value but no kind (an alias, or a node kept from a look-ahead): js-yaml finds
    /// the type among all kinds and refuses the kind "null"; this names the kind the type wants.
    WrongKind(&'static str),
    CannotResolve,
}

/// Applies an explicit tag (`!!int`, `!Ref` …) to a node of `kind` (`None`: the node is empty).
pub(super) fn construct_explicit(
    tag: &str,
    kind: Option<Kind>,
    data: Value,
) -> Result<(Value, Special), TagError> {
    if let Some(name) = tag.strip_prefix('!') {
        if !CFN_FUNCTIONS.contains(&name) {
            return Err(TagError::Unknown);
        }
        if kind.is_none() && !data.is_null() {
            // Among all kinds, the last one registered (the sequence form) answers.
            return Err(TagError::WrongKind("sequence"));
        }
        return Ok((cloudformation(name, data), Special::None));
    }
    let Some(name) = tag.strip_prefix(CORE) else {
        return Err(TagError::Unknown);
    };
    let want = match name {
        "str" | "null" | "bool" | "int" | "float" | "merge" | "timestamp" | "binary" => {
            Kind::Scalar
        }
        "seq" | "omap" | "pairs" => Kind::Sequence,
        "map" | "set" => Kind::Mapping,
        _ => return Err(TagError::Unknown),
    };
    // js-yaml looks the tag up among the types of the node's kind (all kinds for an empty node):
    // `!!map` on a scalar is an unknown tag there.
    if kind.is_some_and(|k| k != want) {
        return Err(TagError::Unknown);
    }
    if kind.is_none() && !data.is_null() {
        return Err(TagError::WrongKind(match want {
            Kind::Scalar => "scalar",
            Kind::Sequence => "sequence",
            Kind::Mapping => "mapping",
        }));
    }
    let text = data.as_str();
    let ok = |v: Value| Ok((v, Special::None));
    match name {
        "str" => ok(if data.is_null() {
            Value::String(String::new())
        } else {
            data
        }),
        "null" => match &data {
            Value::Null => ok(Value::Null),
            Value::String(s) if is_null(s) => ok(Value::Null),
            _ => Err(TagError::CannotResolve),
        },
        "bool" => text
            .and_then(bool_of)
            .map_or(Err(TagError::CannotResolve), |b| ok(Value::Bool(b))),
        "int" => resolved(
            text.and_then(parse_int)
                .map(|v| finite_or_special(v, INT_TAG)),
        ),
        "float" => resolved(
            text.and_then(parse_float)
                .map(|v| finite_or_special(v, FLOAT_TAG)),
        ),
        "merge" => match &data {
            Value::Null => ok(Value::Null),
            Value::String(s) if s == "<<" => ok(data),
            _ => Err(TagError::CannotResolve),
        },
        "timestamp" => text
            .and_then(super::timestamp::iso_string)
            .map_or(Err(TagError::CannotResolve), |s| {
                Ok((Value::String(s), Special::Date))
            }),
        "binary" => text
            .and_then(binary)
            .map_or(Err(TagError::CannotResolve), |v| Ok((v, Special::Binary))),
        "seq" | "omap" if data.is_null() => ok(Value::Array(Vec::new())),
        "pairs" if data.is_null() => ok(Value::Array(Vec::new())),
        "map" | "set" if data.is_null() => ok(Value::Object(Map::new())),
        "seq" | "map" => ok(data),
        "set" => match &data {
            Value::Object(m) if m.values().all(Value::is_null) => ok(data),
            _ => Err(TagError::CannotResolve),
        },
        "omap" => omap(data).map_or(Err(TagError::CannotResolve), ok),
        "pairs" => pairs(data).map_or(Err(TagError::CannotResolve), ok),
        _ => Err(TagError::Unknown),
    }
}

fn resolved(r: Option<Resolved>) -> Result<(Value, Special), TagError> {
    r.map(|r| (r.value, r.special))
        .ok_or(TagError::CannotResolve)
}

/// `!GetAtt A.B.C` is `[A, "B.C"]` (and `!GetAtt A` is `[A, ""]`); the others wrap their node.
fn cloudformation(name: &str, data: Value) -> Value {
    let data = match (name, data) {
        ("GetAtt", Value::String(s)) => {
            let (first, rest) = s.split_once('.').unwrap_or((&s, ""));
            Value::Array(vec![
                Value::String(first.into()),
                Value::String(rest.into()),
            ])
        }
        (_, other) => other,
    };
    let key = if name == "Ref" || name == "Condition" {
        name.to_string()
    } else {
        format!("Fn::{name}")
    };
    let mut m = Map::new();
    m.insert(key, data);
    Value::Object(m)
}

/// `!!omap`: single-key mappings with distinct keys.
fn omap(data: Value) -> Option<Value> {
    let items = data.as_array()?;
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let m = item.as_object()?;
        if m.len() != 1 || !seen.insert(m.keys().next()?.clone()) {
            return None;
        }
    }
    Some(data)
}

/// `!!pairs`: single-key mappings, made `[key, value]` arrays.
fn pairs(data: Value) -> Option<Value> {
    let Value::Array(items) = data else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Object(m) = item else { return None };
        if m.len() != 1 {
            return None;
        }
        let (k, v) = m.into_iter().next()?;
        out.push(Value::Array(vec![Value::String(k), v]));
    }
    Some(Value::Array(out))
}

/// `!!binary` base64 (line breaks ignored) as osls keeps it: a Uint8Array, which JSON writes as an
/// object of byte values keyed by index.
fn binary(text: &str) -> Option<Value> {
    const MAP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    let mut bits_len = 0usize;
    for c in text.bytes() {
        if c == b'\n' || c == b'\r' {
            continue;
        }
        MAP.iter().position(|&m| m == c)?;
        bits_len += 6;
    }
    if !bits_len.is_multiple_of(8) {
        return None;
    }
    let input: Vec<u32> = text
        .bytes()
        .filter(|c| !matches!(c, b'\n' | b'\r' | b'='))
        .map(|c| MAP.iter().position(|&m| m == c).unwrap_or(0) as u32)
        .collect();
    let mut bytes = Vec::with_capacity(input.len() * 3 / 4);
    let mut bits: u32 = 0;
    for (i, v) in input.iter().enumerate() {
        if i % 4 == 0 && i > 0 {
            bytes.extend([(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
        }
        bits = (bits << 6) | v;
    }
    match (input.len() % 4) * 6 {
        0 => bytes.extend([(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]),
        18 => bytes.extend([(bits >> 10) as u8, (bits >> 2) as u8]),
        12 => bytes.push((bits >> 4) as u8),
        _ => {}
    }
    Some(Value::Object(
        bytes
            .iter()
            .enumerate()
            .map(|(i, b)| (i.to_string(), Value::from(*b)))
            .collect(),
    ))
}
