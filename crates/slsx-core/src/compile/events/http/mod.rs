//! `http`: the service's REST API (API Gateway v1), or methods on an existing one
//! (`provider.apiGateway.restApiId`) — osls@4.3.1's resources, logical IDs and properties. The events
//! come checked and normalized from `config::events::http`; this folder only builds resources, in
//! osls's order (the order of insertion is the template's, and the deployment's instance number
//! hashes the API's resources in it):
//!
//! - `rest_api.rs`: the `AWS::ApiGateway::RestApi` (unless the API is external);
//! - `resources.rs`: the resource tree, an `AWS::ApiGateway::Resource` per path part;
//! - `cors.rs`: the `OPTIONS` preflight method of every path with a CORS event, and the CORS headers
//!   of mapped responses;
//! - `method.rs` and `integration.rs`: a method per event, with its authorization and integration;
//! - `validators.rs`: request validators and models;
//! - `authorizers.rs`: the authorizers the stack creates;
//! - `stage.rs`: the deployment, the `ServiceEndpoint` output, the invoke permissions and the access
//!   log group;
//! - `usage_plans.rs`: API keys, usage plans and their keys.

use serde_json::{json, Map, Value};

use super::events_of_type;
use crate::compile::naming::{normalized_name, upper_first};
use crate::config::events::http::HttpEvent;
use crate::config::{Function, Service};
use crate::error::Result;

mod authorizers;
mod cors;
mod integration;
mod method;
mod resources;
mod rest_api;
mod stage;
mod usage_plans;
mod validators;

const REST_API: &str = "ApiGatewayRestApi";

/// An `http` event and the function it invokes.
struct Endpoint<'a> {
    function: &'a Function,
    event: &'a HttpEvent,
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let api = &service.provider.settings.api.api_gateway;
    let external_id = api.get("restApiId").filter(|v| !v.is_null()).cloned();
    let rest_api_id = external_id
        .clone()
        .unwrap_or_else(|| json!({ "Ref": REST_API }));
    let endpoints: Vec<Endpoint> = service
        .functions
        .iter()
        .flat_map(|f| {
            events_of_type!(f, Http).map(move |(_, event)| Endpoint { function: f, event })
        })
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    if external_id.is_none() {
        resources.insert(REST_API.into(), rest_api::resource(service, api));
    }
    let tree = resources::compile(api, &endpoints, &rest_api_id, resources);
    let mut method_ids = cors::preflight_methods(&endpoints, &tree, &rest_api_id, resources);
    for e in &endpoints {
        let id = method_logical_id(&tree.resource_name(&e.event.path), &e.event.method);
        resources.insert(
            id.clone(),
            method::resource(service, e, &tree, &rest_api_id),
        );
        method_ids.push(id);
    }
    validators::compile(service, api, &endpoints, &tree, &rest_api_id, resources);
    authorizers::compile(service, &endpoints, &rest_api_id, resources);
    let deployment_id =
        stage::deployment(service, api, &rest_api_id, &method_ids, resources, outputs);
    usage_plans::compile(service, api, &rest_api_id, &deployment_id, resources);
    stage::permissions(service, &endpoints, &rest_api_id, resources);
    stage::log_group(service, resources);
    Ok(())
}

fn method_logical_id(resource_name: &str, method: &str) -> String {
    format!(
        "ApiGatewayMethod{resource_name}{}",
        upper_first(&method.to_lowercase())
    )
}

fn authorizer_logical_id(name: &str) -> String {
    format!("{}ApiGatewayAuthorizer", normalized_name(name))
}

fn permission_logical_id(name: &str) -> String {
    format!("{}LambdaPermissionApiGateway", normalized_name(name))
}
