//! An event's `AWS::ApiGateway::Method`: its request parameters, authorization, integration (see
//! `integration.rs`) and the method responses of a mapped integration.

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::resources::Tree;
use super::{authorizer_logical_id, cors, integration, permission_logical_id, Endpoint};
use crate::config::events::http::{text, HttpAuthorizer};
use crate::config::Service;

pub(super) fn resource(service: &Service, e: &Endpoint, tree: &Tree, rest_api_id: &Value) -> Value {
    let event = e.event;
    let mut props = Map::new();
    props.insert("HttpMethod".into(), json!(event.method.to_uppercase()));
    let request_parameters: Map<String, Value> = event
        .request
        .parameters
        .iter()
        .map(|p| (p.name.clone(), p.required.clone()))
        .collect();
    props.insert(
        "RequestParameters".into(),
        Value::Object(request_parameters),
    );
    props.insert("ResourceId".into(), tree.resource_id(&event.path));
    props.insert("RestApiId".into(), rest_api_id.clone());
    put(&mut props, "OperationName", event.operation_id.clone());
    props.insert("ApiKeyRequired".into(), json!(event.private));
    let mut depends_on: Vec<Value> = vec![json!(permission_logical_id(&e.function.key))];
    depends_on.extend(alias_logical_id(e.function).map(Value::String));
    // Its DependsOn replaces the first entry, as osls's merge of arrays by index does.
    if let Some(id) = authorization(&mut props, event.authorizer.as_ref()) {
        depends_on[0] = json!(id);
    }
    let mut integration = integration::integration(service, e);
    let claims = event
        .authorizer
        .as_ref()
        .map(|a| claims(&a.claims))
        .unwrap_or_default();
    if let Some(Value::Object(templates)) = integration.get_mut("RequestTemplates") {
        for v in templates.values_mut() {
            if let Value::String(s) = v {
                *s = s.replacen("extraCognitoPoolClaims", &claims, 1);
            }
        }
    }
    props.insert("Integration".into(), Value::Object(integration));
    props.insert("MethodResponses".into(), Value::Array(method_responses(e)));
    json!({ "Type": "AWS::ApiGateway::Method", "Properties": props, "DependsOn": depends_on })
}

/// `AuthorizationType`, `AuthorizerId` and `AuthorizationScopes`; the logical ID of the authorizer
/// the stack creates, which the method waits for.
fn authorization(props: &mut Map<String, Value>, a: Option<&HttpAuthorizer>) -> Option<String> {
    let scopes = |a: &HttpAuthorizer| {
        a.scopes
            .clone()
            .filter(|s| s.as_array().is_some_and(|l| !l.is_empty()))
    };
    match a {
        None => {
            props.insert("AuthorizationType".into(), json!("NONE"));
            None
        }
        Some(a) if a.kind.as_deref() == Some("AWS_IAM") => {
            props.insert("AuthorizationType".into(), json!("AWS_IAM"));
            None
        }
        Some(a) if a.kind.is_some() && a.authorizer_id.is_some() => {
            let kind = a.kind.clone().unwrap_or_default();
            let upper = kind.to_uppercase();
            let authorization = if upper == "TOKEN" || upper == "REQUEST" {
                "CUSTOM".to_string()
            } else {
                kind
            };
            props.insert("AuthorizationType".into(), json!(authorization));
            props.insert(
                "AuthorizerId".into(),
                a.authorizer_id.clone().unwrap_or(Value::Null),
            );
            if upper == "COGNITO_USER_POOLS" {
                put(props, "AuthorizationScopes", scopes(a));
            }
            None
        }
        Some(a) => {
            let id = authorizer_logical_id(a.name.as_deref().unwrap_or("undefined"));
            if a.is_cognito() {
                props.insert("AuthorizationType".into(), json!("COGNITO_USER_POOLS"));
                props.insert("AuthorizerId".into(), json!({ "Ref": id }));
                put(props, "AuthorizationScopes", scopes(a));
            } else {
                props.insert("AuthorizationType".into(), json!("CUSTOM"));
                props.insert("AuthorizerId".into(), json!({ "Ref": id }));
            }
            Some(id)
        }
    }
}

/// The Cognito claims the `lambda` request templates pass on (`"sub": "$context.authorizer.claims…"`,
/// `claim:sub` renamed), each followed by a comma.
fn claims(claims: &[Value]) -> String {
    let entries: Vec<String> = claims
        .iter()
        .map(|c| {
            match c
                .as_str()
                .and_then(|s| s.split_once(':').map(|(_, sub)| (s, sub)))
            {
                Some((claim, sub)) => {
                    format!("\"{sub}\": \"$context.authorizer.claims['{claim}']\"")
                }
                None => format!("\"{0}\": \"$context.authorizer.claims.{0}\"", text(c)),
            }
        })
        .collect();
    if entries.is_empty() {
        String::new()
    } else {
        format!("{},", entries.join(","))
    }
}

/// The method responses of a mapped integration: one per status code, declaring its headers.
fn method_responses(e: &Endpoint) -> Vec<Value> {
    if !e.event.integration.maps_responses() {
        return Vec::new();
    }
    if e.event.response.is_none() {
        return Vec::new();
    }
    let base = cors::response_headers(e);
    e.event
        .status_codes
        .iter()
        .map(|status| {
            let mut parameters: Map<String, Value> = base
                .iter()
                .map(|(h, _)| (format!("method.response.header.{h}"), json!(true)))
                .collect();
            for k in status.headers.keys() {
                parameters.insert(format!("method.response.header.{k}"), json!(true));
            }
            json!({ "ResponseParameters": parameters, "ResponseModels": {}, "StatusCode": status.code })
        })
        .collect()
}
