//! The deployment, named by the hash of the API's part of the template (so a change of the API
//! deploys anew), waiting for every route; the stage points at it; the `wss://` endpoint output.

use serde_json::{json, Map, Value};

use super::routes::{route_logical_id, route_response_logical_id};
use super::stage::STAGE;
use super::{Api, Route, API};
use crate::config::Service;

pub(super) fn add(
    service: &Service,
    api: &Api,
    routes: &[Route],
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) {
    let deployment_id = logical_id(resources);
    let depends_on: Vec<Value> = routes
        .iter()
        .flat_map(|r| {
            let route = &r.event.route;
            let mut ids = Vec::new();
            if r.event.route_response.is_some() {
                ids.push(json!(route_response_logical_id(route)));
            }
            ids.push(json!(route_logical_id(route)));
            ids
        })
        .collect();
    let mut props = Map::new();
    props.insert("ApiId".into(), api.id.clone());
    props.insert("Description".into(), api.description.clone());
    if api.external {
        props.insert("StageName".into(), json!(service.stage));
    }
    resources.insert(deployment_id.clone(), json!({ "Type": "AWS::ApiGatewayV2::Deployment", "DependsOn": depends_on, "Properties": props }));
    outputs.insert(
        "ServiceEndpointWebsocket".into(),
        json!({
            "Description": "URL of the service endpoint",
            "Value": { "Fn::Join": ["", ["wss://", api.id, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }, format!("/{}", service.stage)]] }
        }),
    );
    if let Some(Value::Object(p)) = resources
        .get_mut(STAGE)
        .and_then(|s| s.get_mut("Properties"))
    {
        p.insert("DeploymentId".into(), json!({ "Ref": deployment_id }));
    }
}

/// `WebsocketsDeployment<hash>`: the hash of the API and every resource on it or waiting for it,
/// as osls's `JSON.stringify` writes them.
fn logical_id(resources: &Map<String, Value>) -> String {
    let part: Map<String, Value> = resources
        .iter()
        .filter(|(id, r)| {
            id.as_str() == API
                || r.pointer("/Properties/ApiId/Ref").and_then(Value::as_str) == Some(API)
                || r.get("DependsOn")
                    .and_then(Value::as_array)
                    .is_some_and(|d| d.iter().any(|x| x == API))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let hash = crate::package::hash::sha256_base64(
        serde_json::to_string(&Value::Object(part))
            .unwrap_or_default()
            .as_bytes(),
    );
    format!(
        "WebsocketsDeployment{}",
        hash.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    )
}
