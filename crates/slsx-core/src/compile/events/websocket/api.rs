//! The stack's `WebsocketsApi` (name, route selection expression, description, tags) and the
//! statement letting the functions post to its connections.

use serde_json::{json, Map, Value};

use super::{Api, API};
use crate::config::Service;

pub(super) fn add(service: &Service, api: &Api, resources: &mut Map<String, Value>) {
    let settings = &service.provider.settings.api;
    let name = (settings.websockets_api_name.clone())
        .unwrap_or_else(|| format!("{}-{}-websockets", service.stage, service.name));
    let mut props = Map::new();
    props.insert("Name".into(), json!(name));
    props.insert(
        "RouteSelectionExpression".into(),
        (settings.websockets_route_selection.clone()).unwrap_or(json!("$request.body.action")),
    );
    props.insert("Description".into(), api.description.clone());
    props.insert("ProtocolType".into(), json!("WEBSOCKET"));
    if let Some(tags) = &settings.tags {
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
