//! `websocket`: the service's WebSocket API (API Gateway v2) — per function an integration and an
//! invoke permission, per route a route (and route response), Lambda request authorizers, the stage
//! with optional logs, and a deployment whose logical ID hashes the API's part of the template.
//! That hash is osls's `JSON.stringify` of those resources, so every object here is built with its
//! keys in osls's order and the resources are inserted in osls's order.
//!
//! The events are parsed and checked while the service loads (`config::events::websocket`). Here
//! `mod.rs` adds the parts in that order: `api.rs` the API, `routes.rs` the integrations, route
//! responses and routes, `authorizers.rs` the authorizers, `permissions.rs` the invoke permissions,
//! `stage.rs` the stage and its logs, `deployment.rs` the deployment and the endpoint output.

use serde_json::{json, Map, Value};

use super::events_of_type;
use crate::config::events::websocket::{self as config, Target, WebsocketEvent};
use crate::config::{Function, Service};
use crate::error::Result;

mod api;
mod authorizers;
mod deployment;
mod permissions;
mod routes;
mod stage;

const API: &str = "WebsocketsApi";

/// A route and the function it invokes.
struct Route<'a> {
    function: &'a Function,
    event: &'a WebsocketEvent,
}

/// What the parts share.
struct Api {
    /// A `Ref` to the stack's API, or `provider.apiGateway.websocketApiId`.
    id: Value,
    external: bool,
    /// `provider.websocketsDescription`, or osls's.
    description: Value,
}

impl Api {
    /// What the permissions wait for: the stack's API, when there is one.
    fn depends_on(&self) -> Vec<Value> {
        if self.external {
            Vec::new()
        } else {
            vec![json!(API)]
        }
    }
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let routes: Vec<Route> = service
        .functions
        .iter()
        .flat_map(|function| {
            events_of_type!(function, Websocket).map(move |(_, event)| Route { function, event })
        })
        .collect();
    if routes.is_empty() {
        return Ok(());
    }
    let external_id = config::external_api_id(service).cloned();
    let api = Api {
        external: external_id.is_some(),
        id: external_id.unwrap_or_else(|| json!({ "Ref": API })),
        description: (service.provider.settings.api.websockets_description.clone())
            .unwrap_or(json!("Serverless Websockets")),
    };
    if !api.external {
        api::add(service, &api, resources);
    }
    routes::add_integrations(&api, &routes, resources);
    routes::add_route_responses(&api, &routes, resources);
    authorizers::add(service, &api, &routes, resources);
    permissions::add(service, &api, &routes, resources);
    routes::add_routes(&api, &routes, resources);
    if !api.external {
        stage::add(service, &api, resources);
    }
    deployment::add(service, &api, &routes, resources, outputs);
    Ok(())
}

/// API Gateway's URI for invoking a Lambda function.
fn invocation_uri(target: Value) -> Value {
    json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", target, "/invocations"]] })
}

/// What a function target names: the ARN as it is, or the service's function (its alias when it has
/// one).
fn lambda_arn(service: &Service, target: &Target) -> Value {
    match target {
        Target::Arn(arn) => arn.clone(),
        Target::Function(key) => local_target(service, key),
    }
}

/// The service's function `key` (checked at load to exist).
fn local_function<'a>(service: &'a Service, key: &str) -> Option<&'a Function> {
    service.functions.iter().find(|f| f.key == key)
}

/// The ARN (or alias) of the service's function `key`.
fn local_target(service: &Service, key: &str) -> Value {
    let alias = local_function(service, key).and_then(crate::compile::targets::target_alias);
    crate::compile::targets::lambda_target(key, alias.as_ref())
}
