//! CloudFormation short-form tags (`!Ref`, `!GetAtt a.b`, `!Sub` …) turned into their long forms, the
//! way Serverless's YAML schema does it, so the rest of slsx only sees plain JSON values.

use serde_json::{json, Map, Value};

/// Converts a YAML value (with tags) to JSON. Errors name the unsupported tag.
pub fn yaml_to_json(value: serde_norway::Value) -> Result<Value, String> {
    use serde_norway::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut out = Map::new();
            for (k, v) in mapping {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value)?;
            long_form(name, inner)?
        }
    })
}

fn long_form(name: &str, inner: Value) -> Result<Value, String> {
    Ok(match name {
        "Ref" => json!({ "Ref": inner }),
        "Condition" => json!({ "Condition": inner }),
        "GetAtt" => {
            let parts = match inner {
                // `!GetAtt Resource.Attribute.Maybe.Dotted` -> [Resource, "Attribute.Maybe.Dotted"]
                Value::String(s) => match s.split_once('.') {
                    Some((res, attr)) => json!([res, attr]),
                    None => json!([s]),
                },
                other => other,
            };
            json!({ "Fn::GetAtt": parts })
        }
        "Base64" | "Cidr" | "FindInMap" | "GetAZs" | "ImportValue" | "Join" | "Select"
        | "Split" | "Sub" | "Transform" | "And" | "Equals" | "If" | "Not" | "Or"
        | "ToJsonString" | "Length" => {
            let mut m = Map::new();
            m.insert(format!("Fn::{name}"), inner);
            Value::Object(m)
        }
        other => return Err(format!("unknown tag !{other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Value {
        yaml_to_json(serde_norway::from_str(src).unwrap()).unwrap()
    }

    #[test]
    fn short_tags_become_long_forms() {
        let v = parse(
            "a: !Ref Bucket\nb: !GetAtt Role.Arn\nc: !Sub 'x-${AWS::Region}'\nd: !Join ['', [a, !Ref B]]\ne: !GetAtt [R, Arn]\n",
        );
        assert_eq!(
            v,
            json!({
                "a": {"Ref": "Bucket"},
                "b": {"Fn::GetAtt": ["Role", "Arn"]},
                "c": {"Fn::Sub": "x-${AWS::Region}"},
                "d": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
                "e": {"Fn::GetAtt": ["R", "Arn"]},
            })
        );
    }

    #[test]
    fn unknown_tag_is_an_error() {
        let y: serde_norway::Value = serde_norway::from_str("a: !Nope x").unwrap();
        assert_eq!(yaml_to_json(y).unwrap_err(), "unknown tag !Nope");
    }
}
