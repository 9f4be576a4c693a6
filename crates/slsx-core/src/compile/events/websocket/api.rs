//! The stack's `WebsocketsApi` (name, route selection expression, description, tags) and the
//! statement letting the functions post to its connections.

use serde_json::{json, Map, Value};

use super::{Api, API};
use crate::config::{js_truthy, Service};

pub(super) fn add(service: &Service, api: &Api, resources: &mut Map<String, Value>) {
    let provider = &service.provider.raw;
    let name = match provider.get("websocketsApiName").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => format!("{}-{}-websockets", service.stage, service.name),
    };
    let mut props = Map::new();
    props.insert("Name".into(), json!(name));
    props.insert(
        "RouteSelectionExpression".into(),
        provider
            .get("websocketsApiRouteSelectionExpression")
            .filter(|v| js_truthy(v))
            .cloned()
            .unwrap_or(json!("$request.body.action")),
    );
    props.insert("Description".into(), api.description.clone());
    props.insert("ProtocolType".into(), json!("WEBSOCKET"));
    if let Some(Value::Object(tags)) = provider.get("tags") {
        props.insert("Tags".into(), Value::Object(tags.clone()));
    }
    resources.insert(
        API.into(),
        json!({ "Type": "AWS::ApiGatewayV2::Api", "Properties": props }),
    );
    crate::compile::iam::push_statement(
        resources,
        json!({ "Effect": "Allow", "Action": ["execute-api:ManageConnections"], "Resource": [{ "Fn::Sub": "arn:${AWS::Partition}:execute-api:*:*:*/@connections/*" }] }),
        false,
    );
}
