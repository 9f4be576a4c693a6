//! Per route: an invoke permission and a Lambda proxy integration for its function (both named after
//! the function, so functions with several routes share them) and the route with its authorizer.

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::{Api, Route};
use crate::compile::naming::{normalized_name, upper_first};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::http_api::RouteAuthorizer;

/// A route's logical ID part: each `/` part lower-cased, `-` spelled `Dash`, `{x}` as `xVar`, other
/// characters dropped, first letter upper-cased.
pub(crate) fn normalize_path(route: &str) -> String {
    route
        .split('/')
        .map(|part| {
            let mut p = part.to_lowercase().replace('-', "Dash");
            if let (Some(open), Some(close)) = (p.find('{'), p.rfind('}')) {
                if open < close {
                    p = format!(
                        "{}{}Var{}",
                        &p[..open],
                        &p[open + 1..close],
                        &p[close + 1..]
                    );
                }
            }
            upper_first(
                &p.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>(),
            )
        })
        .collect()
}

pub(super) fn add(api: &Api, routes: &[Route], resources: &mut Map<String, Value>) {
    let provider_payload = api.settings.get("payload").filter(|v| !v.is_null());
    for r in routes {
        let f = r.function;
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let alias = alias_logical_id(f);
        let mut permission = Map::new();
        permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
        permission.insert(
            "Properties".into(),
            json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com", "SourceArn": api.execute_arn }),
        );
        put(
            &mut permission,
            "DependsOn",
            alias.clone().map(Value::String),
        );
        resources.insert(
            format!("{n}LambdaPermissionHttpApi"),
            Value::Object(permission),
        );
        let payload = f
            .settings
            .http_api_payload
            .as_ref()
            .or(provider_payload)
            .cloned()
            .unwrap_or(json!("2.0"));
        let integration_id = format!("HttpApiIntegration{n}");
        let mut integration = Map::new();
        integration.insert("Type".into(), json!("AWS::ApiGatewayV2::Integration"));
        put(&mut integration, "DependsOn", alias.map(Value::String));
        integration.insert(
            "Properties".into(),
            json!({ "ApiId": api.id, "IntegrationType": "AWS_PROXY", "IntegrationUri": target, "PayloadFormatVersion": payload, "TimeoutInMillis": 30000 }),
        );
        resources.insert(integration_id.clone(), Value::Object(integration));
        add_route(api, r, &integration_id, resources);
    }
}

/// The `AWS::ApiGatewayV2::Route` of one route, targeting its function's integration.
fn add_route(api: &Api, r: &Route, integration_id: &str, resources: &mut Map<String, Value>) {
    let key = r.event.route_key.as_str();
    let mut props = Map::new();
    props.insert("ApiId".into(), api.id.clone());
    props.insert(
        "RouteKey".into(),
        json!(if r.event.is_catch_all() {
            "$default"
        } else {
            key
        }),
    );
    props.insert(
        "Target".into(),
        json!({ "Fn::Join": ["/", ["integrations", { "Ref": integration_id }]] }),
    );
    if let Some(a) = &r.event.authorizer {
        props.insert("AuthorizationType".into(), json!(a.authorization_type()));
        let (id, scopes) = match a {
            RouteAuthorizer::AwsIam => (None, None),
            RouteAuthorizer::External { id, scopes, .. } => (Some(id.clone()), scopes.as_ref()),
            RouteAuthorizer::Named { name, scopes, .. } => (
                Some(json!({ "Ref": format!("HttpApiAuthorizer{}", normalized_name(name)) })),
                scopes.as_ref(),
            ),
        };
        put(&mut props, "AuthorizerId", id);
        if let Some(scopes) = scopes {
            props.insert("AuthorizationScopes".into(), json!(scopes));
        }
    }
    let route_id = if r.event.is_catch_all() {
        "HttpApiRouteDefault".to_string()
    } else {
        format!("HttpApiRoute{}", normalize_path(key))
    };
    resources.insert(route_id, json!({ "Type": "AWS::ApiGatewayV2::Route", "Properties": props, "DependsOn": integration_id }));
}
