//! Per function a Lambda proxy integration (named after the function, shared by its routes); per
//! route its route response (with a `routeResponseSelectionExpression`) and the route.

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::{invocation_uri, Api, Route};
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};

/// A route's logical ID: the route key with `$ / - _ .` spelled out.
pub(super) fn route_logical_id(route: &str) -> String {
    let key = route
        .replace('$', "S")
        .replace('/', "Slash")
        .replace('-', "Dash")
        .replace('_', "Underscore")
        .replace('.', "Period");
    format!("{key}WebsocketsRoute")
}

/// The route response's logical ID.
pub(super) fn route_response_logical_id(route: &str) -> String {
    format!("{}Response", route_logical_id(route))
}

fn integration_logical_id(function_key: &str) -> String {
    format!("{}WebsocketsIntegration", normalized_name(function_key))
}

/// The authorizer resource's logical ID.
pub(super) fn authorizer_logical_id(name: &str) -> String {
    format!("{}WebsocketsAuthorizer", normalized_name(name))
}

pub(super) fn add_integrations(api: &Api, routes: &[Route], resources: &mut Map<String, Value>) {
    for r in routes {
        let f = r.function;
        let mut integration = Map::new();
        integration.insert("Type".into(), json!("AWS::ApiGatewayV2::Integration"));
        put(
            &mut integration,
            "DependsOn",
            alias_logical_id(f).map(Value::String),
        );
        integration.insert(
            "Properties".into(),
            json!({ "ApiId": api.id, "IntegrationType": "AWS_PROXY", "IntegrationUri": invocation_uri(lambda_target(&f.key, target_alias(f).as_ref())) }),
        );
        resources.insert(integration_logical_id(&f.key), Value::Object(integration));
    }
}

pub(super) fn add_route_responses(api: &Api, routes: &[Route], resources: &mut Map<String, Value>) {
    for r in routes.iter().filter(|r| r.event.route_response.is_some()) {
        resources.insert(
            route_response_logical_id(&r.event.route),
            json!({ "Type": "AWS::ApiGatewayV2::RouteResponse", "Properties": { "ApiId": api.id, "RouteId": { "Ref": route_logical_id(&r.event.route) }, "RouteResponseKey": "$default" } }),
        );
    }
}

pub(super) fn add_routes(api: &Api, routes: &[Route], resources: &mut Map<String, Value>) {
    for r in routes {
        let e = r.event;
        let mut props = Map::new();
        props.insert("ApiId".into(), api.id.clone());
        props.insert("RouteKey".into(), json!(e.route));
        props.insert("AuthorizationType".into(), json!("NONE"));
        props.insert(
            "Target".into(),
            json!({ "Fn::Join": ["/", ["integrations", { "Ref": integration_logical_id(&r.function.key) }]] }),
        );
        put(
            &mut props,
            "RouteResponseSelectionExpression",
            e.route_response.clone(),
        );
        if let Some(a) = &e.authorizer {
            props.insert("AuthorizationType".into(), json!("CUSTOM"));
            props.insert(
                "AuthorizerId".into(),
                json!({ "Ref": authorizer_logical_id(&a.name) }),
            );
        }
        resources.insert(
            route_logical_id(&e.route),
            json!({ "Type": "AWS::ApiGatewayV2::Route", "Properties": props }),
        );
    }
}
