//! Request validation: the service's one `AWS::ApiGateway::RequestValidator`, used by every method
//! with a required request parameter or with `request.schemas`, and an `AWS::ApiGateway::Model` per
//! schema (inline, or by name from `provider.apiGateway.request.schemas`).

use serde_json::{json, Map, Value};

use super::super::{alphanumeric, put};
use super::resources::Tree;
use super::{method_logical_id, Endpoint};
use crate::compile::naming::upper_first;
use crate::compile::targets::truthy;
use crate::config::events::http::text;
use crate::config::Service;

/// `api` is `provider.apiGateway`.
pub(super) fn compile(
    service: &Service,
    api: &Map<String, Value>,
    endpoints: &[Endpoint],
    tree: &Tree,
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) {
    let validator_id = format!("ApiGateway{}RequestValidator", alphanumeric(&service.name));
    let provider_schemas = api
        .get("request")
        .and_then(|r| r.get("schemas"))
        .and_then(Value::as_object);
    for e in endpoints {
        let request = &e.event.request;
        let method_id = method_logical_id(&tree.resource_name(&e.event.path), &e.event.method);
        let mut validator = request.parameters.iter().any(|p| truthy(&p.required));
        let mut models: Vec<(String, String)> = Vec::new();
        for (content_type, schema) in request.schemas.iter().flatten() {
            validator = true;
            let named = match schema {
                Value::Object(_) => None,
                other => provider_schemas
                    .and_then(|s| s.get(&text(other)))
                    .map(|d| (text(other), d)),
            };
            let model_id = match named {
                Some((name, definition)) => named_model(&name, definition, rest_api_id, resources),
                None => {
                    let model_id = format!("{method_id}{}Model", start_case(content_type));
                    resources.insert(
                        model_id.clone(),
                        inline_model(content_type, schema, rest_api_id),
                    );
                    model_id
                }
            };
            models.push((content_type.clone(), model_id));
        }
        if !validator {
            continue;
        }
        resources.insert(
            validator_id.clone(),
            json!({
                "Type": "AWS::ApiGateway::RequestValidator",
                "Properties": {
                    "RestApiId": rest_api_id,
                    "ValidateRequestBody": true,
                    "ValidateRequestParameters": true,
                    "Name": format!("{}-{} | Validate request body and querystring parameters", service.name, service.stage)
                }
            }),
        );
        if let Some(Value::Object(props)) = resources
            .get_mut(&method_id)
            .and_then(|m| m.get_mut("Properties"))
        {
            props.insert("RequestValidatorId".into(), json!({ "Ref": validator_id }));
            if !models.is_empty() {
                let entry = props.entry("RequestModels").or_insert_with(|| json!({}));
                for (content_type, model_id) in models {
                    entry[content_type] = json!({ "Ref": model_id });
                }
            }
        }
    }
}

/// The model of one of `provider.apiGateway.request.schemas` (a schema, or `{ schema, name,
/// description }`); its logical ID.
fn named_model(
    name: &str,
    definition: &Value,
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) -> String {
    let model_id = format!("ApiGateway{}Model", pascal_case(name));
    let mut props = Map::new();
    props.insert("RestApiId".into(), rest_api_id.clone());
    let body = definition
        .get("schema")
        .filter(|s| truthy(s))
        .unwrap_or(definition);
    props.insert("Schema".into(), body.clone());
    props.insert("ContentType".into(), json!("application/json"));
    put(
        &mut props,
        "Name",
        definition.get("name").filter(|v| truthy(v)).cloned(),
    );
    put(
        &mut props,
        "Description",
        definition.get("description").filter(|v| truthy(v)).cloned(),
    );
    resources.insert(
        model_id.clone(),
        json!({ "Type": "AWS::ApiGateway::Model", "Properties": props }),
    );
    model_id
}

/// The model of a schema written in the event (a schema, or `{ schema, name, description }`).
fn inline_model(content_type: &str, schema: &Value, rest_api_id: &Value) -> Value {
    let (name, description, definition) = match schema {
        Value::Object(o) if o.get("schema").is_some_and(truthy) => (
            o.get("name").cloned(),
            o.get("description").cloned(),
            o["schema"].clone(),
        ),
        other => (None, None, other.clone()),
    };
    let mut props = Map::new();
    props.insert("RestApiId".into(), rest_api_id.clone());
    props.insert("ContentType".into(), json!(content_type));
    props.insert("Schema".into(), definition);
    put(&mut props, "Name", name);
    put(&mut props, "Description", description);
    json!({ "Type": "AWS::ApiGateway::Model", "Properties": props })
}

/// lodash's `words` for ASCII: runs of digits, and letters split where the case changes.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for chunk in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (p, c) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            let split = p.is_ascii_digit() != c.is_ascii_digit()
                || (p.is_ascii_lowercase() && c.is_ascii_uppercase())
                || (p.is_ascii_uppercase() && c.is_ascii_uppercase() && next_lower);
            if split {
                out.push(chars[start..i].iter().collect());
                start = i;
            }
        }
        out.push(chars[start..].iter().collect());
    }
    out
}

/// lodash `upperFirst(camelCase(s))`.
fn pascal_case(s: &str) -> String {
    words(s)
        .iter()
        .map(|w| upper_first(&w.to_lowercase()))
        .collect()
}

/// lodash `startCase(s)` without the spaces.
fn start_case(s: &str) -> String {
    words(s).iter().map(|w| upper_first(w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_lodash() {
        assert_eq!(pascal_case("post-create-model"), "PostCreateModel");
        assert_eq!(pascal_case("UserSchema"), "UserSchema");
        assert_eq!(pascal_case("my_schema2"), "MySchema2");
        assert_eq!(start_case("application/json"), "ApplicationJson");
        assert_eq!(
            start_case("application/vnd.api+json"),
            "ApplicationVndApiJson"
        );
    }
}
