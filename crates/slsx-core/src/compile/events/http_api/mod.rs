//! `httpApi`: one API Gateway v2 HTTP API for the service (or routes on an existing one by
//! `provider.httpApi.id`) with its `$default` stage, CORS, JWT / Lambda request / IAM authorizers,
//! access logs, and per function an integration and an invoke permission, per event a route.
//!
//! The events are parsed and checked while the service loads (`config::events::http_api`); here
//! `mod.rs` gathers the routes and adds the parts in osls's order: `api.rs` the API (with `cors.rs`'s
//! CORS rules), `stage.rs` the access log group, the stage and the outputs, `authorizers.rs` the
//! authorizers of `provider.httpApi`, `routes.rs` the integrations, permissions and routes.

use serde_json::{json, Map, Value};

use super::events_of_type;
use crate::config::events::http_api::{self as config, HttpApiEvent};
use crate::config::{Function, Service};
use crate::error::Result;

mod api;
mod authorizers;
mod cors;
mod routes;
mod stage;

pub(crate) use routes::normalize_path;

/// A route of the API and the function it invokes.
struct Route<'a> {
    function: &'a Function,
    event: &'a HttpApiEvent,
}

/// What the parts share: the API's id (a `Ref` to the stack's, or the external one) and the ARN
/// pattern of its invocations (for the permissions).
struct Api {
    id: Value,
    external: bool,
    execute_arn: Value,
    settings: Map<String, Value>,
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let settings = config::provider_settings(service).clone();
    let mut cors = cors::Cors::from_settings(&settings);
    let routes = routes_of(service, cors.as_mut());
    if routes.is_empty() {
        return Ok(());
    }
    let external_id = config::external_id(service);
    let id = external_id
        .clone()
        .unwrap_or_else(|| json!({ "Ref": "HttpApi" }));
    let api = Api {
        execute_arn: json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":execute-api:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", id, "/*"]] }),
        id,
        external: external_id.is_some(),
        settings,
    };
    let access_log_format = stage::access_log_format(service);
    if !api.external {
        api::add(service, &api, cors, resources);
    }
    if access_log_format.is_some() {
        stage::add_log_group(service, resources);
    }
    if !api.external {
        stage::add_stage(service, &api, access_log_format, resources, outputs);
    }
    authorizers::add(service, &api, resources);
    routes::add(&api, &routes, resources);
    Ok(())
}

/// The routes in the order of functions and events (a later `*` replaces the earlier one), each
/// event's method counted for CORS.
fn routes_of<'a>(service: &'a Service, mut cors: Option<&mut cors::Cors>) -> Vec<Route<'a>> {
    let mut routes: Vec<Route> = Vec::new();
    for function in &service.functions {
        for (_, event) in events_of_type!(function, HttpApi) {
            let route = Route { function, event };
            match routes
                .iter_mut()
                .find(|r| r.event.route_key == event.route_key)
            {
                Some(existing) => *existing = route,
                None => routes.push(route),
            }
            if let Some(c) = cors.as_deref_mut() {
                c.add_route_method(&event.method);
            }
        }
    }
    routes
}
