//! `websocket`: the service's WebSocket API (API Gateway v2) — per function an integration and an
//! invoke permission, per route a route (and route response), Lambda request authorizers, the stage
//! with optional logs, and a deployment whose logical ID hashes the API's part of the template.
//! That hash is osls's `JSON.stringify` of those resources, so every object here is built with its
//! keys in osls's order and the resources are inserted in osls's order.

use serde_json::{json, Map, Value};

use super::{alias_logical_id, put};
use crate::compile::functions::{lambda_target, target_alias, truthy};
use crate::compile::naming::{function_logical_id, normalized_name};
use crate::config::error_at as config_error;
use crate::config::{Function, Service};
use crate::error::Result;

const API: &str = "WebsocketsApi";
const STAGE: &str = "WebsocketsDeploymentStage";
const LOG_GROUP: &str = "WebsocketsLogGroup";
const DEFAULT_LOG_FORMAT: &str =
    "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \"$context.eventType $context.routeKey $context.connectionId\" $context.requestId";

struct Authorizer {
    name: String,
    uri: Value,
    identity_source: Value,
    /// An ARN (string or intrinsic), or the in-service function's logical ID.
    permission: Value,
}

struct Event<'a> {
    function: &'a Function,
    route: String,
    route_response: Option<Value>,
    authorizer: Option<Authorizer>,
}

fn invocation_uri(target: Value) -> Value {
    json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", target, "/invocations"]] })
}

fn route_logical_id(route: &str) -> String {
    let key = route
        .replace('$', "S")
        .replace('/', "Slash")
        .replace('-', "Dash")
        .replace('_', "Underscore")
        .replace('.', "Period");
    format!("{key}WebsocketsRoute")
}

fn local_function<'a>(service: &'a Service, at: &str, name: &str) -> Result<&'a Function> {
    service
        .functions
        .iter()
        .find(|f| f.key == name)
        .ok_or_else(|| {
            config_error(
                service,
                format!("{at}.authorizer"),
                "FUNCTION_MISSING_IN_SERVICE",
                format!("Function \"{name}\" doesn't exist in this Service"),
            )
        })
}

fn events(service: &Service) -> Result<Vec<Event<'_>>> {
    let mut out = Vec::new();
    let default_source = || json!(["route.request.header.Auth"]);
    for f in &service.functions {
        for (index, e) in super::events_of(f, "websocket") {
            let at = format!("functions.{}.events.{index}.websocket", f.key);
            let Value::Object(o) = e else {
                out.push(Event {
                    function: f,
                    route: e.as_str().map_or_else(|| e.to_string(), str::to_string),
                    route_response: None,
                    authorizer: None,
                });
                continue;
            };
            let route = o
                .get("route")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let route_response = o
                .get("routeResponseSelectionExpression")
                .filter(|v| truthy(v))
                .cloned();
            let authorizer = match o.get("authorizer") {
                Some(Value::String(a)) if a.contains(':') => Some(Authorizer {
                    name: a.rsplit(':').next().unwrap_or(a).to_string(),
                    uri: invocation_uri(json!(a)),
                    identity_source: default_source(),
                    permission: json!(a),
                }),
                Some(Value::String(a)) => {
                    let target = local_function(service, &at, a)?;
                    Some(Authorizer {
                        name: a.clone(),
                        uri: invocation_uri(lambda_target(
                            &target.key,
                            target_alias(target).as_ref(),
                        )),
                        identity_source: default_source(),
                        permission: json!(function_logical_id(a)),
                    })
                }
                Some(Value::Object(a)) => {
                    let (name, uri, permission) = if let Some(arn) =
                        a.get("arn").filter(|v| truthy(v))
                    {
                        let name = match arn {
                            Value::String(s) => s.rsplit(':').next().unwrap_or(s).to_string(),
                            _ => match a.get("name").and_then(Value::as_str) {
                                Some(n) => n.to_string(),
                                None => {
                                    return Err(config_error(service, format!("{at}.authorizer"), "WEBSOCKETS_MISSING_AUTHORIZER_NAME", "Websocket Authorizer: Non-string \"arn\" needs to be accompanied with \"name\"".into()));
                                }
                            },
                        };
                        (name, invocation_uri(arn.clone()), arn.clone())
                    } else {
                        let name = a
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let target = local_function(service, &at, &name)?;
                        let uri = invocation_uri(lambda_target(
                            &target.key,
                            target_alias(target).as_ref(),
                        ));
                        (name.clone(), uri, json!(function_logical_id(&name)))
                    };
                    let identity_source = a
                        .get("identitySource")
                        .filter(|v| truthy(v))
                        .cloned()
                        .unwrap_or_else(default_source);
                    Some(Authorizer {
                        name,
                        uri,
                        identity_source,
                        permission,
                    })
                }
                _ => None,
            };
            out.push(Event {
                function: f,
                route,
                route_response,
                authorizer,
            });
        }
    }
    Ok(out)
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let events = events(service)?;
    if events.is_empty() {
        return Ok(());
    }
    let provider = &service.provider.raw;
    let external_id = provider
        .get("apiGateway")
        .and_then(|a| a.get("websocketApiId"))
        .filter(|v| truthy(v))
        .cloned();
    let api_id = external_id.clone().unwrap_or_else(|| json!({ "Ref": API }));
    let api_ref = external_id.is_none().then_some(API);
    let description = provider
        .get("websocketsDescription")
        .filter(|v| truthy(v))
        .cloned()
        .unwrap_or(json!("Serverless Websockets"));

    // The API, and the statement letting functions post to connections.
    if external_id.is_none() {
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
                .filter(|v| truthy(v))
                .cloned()
                .unwrap_or(json!("$request.body.action")),
        );
        props.insert("Description".into(), description.clone());
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

    // Integrations.
    for e in &events {
        let mut r = Map::new();
        r.insert("Type".into(), json!("AWS::ApiGatewayV2::Integration"));
        put(
            &mut r,
            "DependsOn",
            alias_logical_id(e.function).map(Value::String),
        );
        r.insert(
            "Properties".into(),
            json!({ "ApiId": api_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": invocation_uri(lambda_target(&e.function.key, target_alias(e.function).as_ref())) }),
        );
        resources.insert(
            format!("{}WebsocketsIntegration", normalized_name(&e.function.key)),
            Value::Object(r),
        );
    }
    // Route responses.
    for e in events.iter().filter(|e| e.route_response.is_some()) {
        resources.insert(
            format!("{}Response", route_logical_id(&e.route)),
            json!({ "Type": "AWS::ApiGatewayV2::RouteResponse", "Properties": { "ApiId": api_id, "RouteId": { "Ref": route_logical_id(&e.route) }, "RouteResponseKey": "$default" } }),
        );
    }
    // Authorizers.
    for e in &events {
        let Some(a) = &e.authorizer else { continue };
        let local = service.functions.iter().find(|f| f.key == a.name);
        let mut r = Map::new();
        r.insert("Type".into(), json!("AWS::ApiGatewayV2::Authorizer"));
        if let Some(f) = local {
            put(&mut r, "DependsOn", alias_logical_id(f).map(Value::String));
        }
        r.insert(
            "Properties".into(),
            json!({ "ApiId": api_id, "Name": a.name, "AuthorizerType": "REQUEST", "AuthorizerUri": a.uri, "IdentitySource": a.identity_source }),
        );
        resources.insert(
            format!("{}WebsocketsAuthorizer", normalized_name(&a.name)),
            Value::Object(r),
        );
    }
    // Permissions.
    for e in &events {
        let f = e.function;
        let mut depends_on: Vec<Value> = api_ref.iter().map(|r| json!(r)).collect();
        depends_on.push(json!(
            alias_logical_id(f).unwrap_or_else(|| function_logical_id(&f.key))
        ));
        resources.insert(
            format!("{}LambdaPermissionWebsockets", normalized_name(&f.key)),
            json!({
                "Type": "AWS::Lambda::Permission",
                "DependsOn": depends_on,
                "Properties": { "FunctionName": lambda_target(&f.key, target_alias(f).as_ref()), "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com" }
            }),
        );
        let Some(a) = &e.authorizer else { continue };
        let mut depends_on: Vec<Value> = api_ref.iter().map(|r| json!(r)).collect();
        let mut props = Map::new();
        props.insert("Action".into(), json!("lambda:InvokeFunction"));
        props.insert("Principal".into(), json!("apigateway.amazonaws.com"));
        if a.permission.is_object() || a.permission.as_str().is_some_and(|p| p.contains(':')) {
            props.insert("FunctionName".into(), a.permission.clone());
        } else {
            let target = local_function(service, &format!("functions.{}", f.key), &a.name)?;
            props.insert(
                "FunctionName".into(),
                lambda_target(&target.key, target_alias(target).as_ref()),
            );
            depends_on.push(a.permission.clone());
            depends_on.extend(alias_logical_id(target).map(Value::String));
        }
        resources.insert(
            format!("{}LambdaPermissionWebsockets", normalized_name(&a.name)),
            json!({ "Type": "AWS::Lambda::Permission", "DependsOn": depends_on, "Properties": props }),
        );
    }
    // Routes.
    for e in &events {
        let mut props = Map::new();
        props.insert("ApiId".into(), api_id.clone());
        props.insert("RouteKey".into(), json!(e.route));
        props.insert("AuthorizationType".into(), json!("NONE"));
        props.insert(
            "Target".into(),
            json!({ "Fn::Join": ["/", ["integrations", { "Ref": format!("{}WebsocketsIntegration", normalized_name(&e.function.key)) }]] }),
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
                json!({ "Ref": format!("{}WebsocketsAuthorizer", normalized_name(&a.name)) }),
            );
        }
        resources.insert(
            route_logical_id(&e.route),
            json!({ "Type": "AWS::ApiGatewayV2::Route", "Properties": props }),
        );
    }
    // Stage, with logs.
    if external_id.is_none() {
        let mut props = Map::new();
        props.insert("ApiId".into(), api_id.clone());
        props.insert("StageName".into(), json!(service.stage));
        props.insert("Description".into(), description.clone());
        let logs = provider
            .get("logs")
            .and_then(|l| l.get("websocket"))
            .filter(|v| truthy(v))
            .cloned();
        if let Some(logs) = &logs {
            let flag = |k: &str| logs.get(k).filter(|v| !v.is_null()).is_none_or(truthy);
            let level = if !flag("executionLogging") {
                "OFF".to_string()
            } else {
                match logs
                    .get("level")
                    .filter(|v| truthy(v))
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                {
                    Some(l) if l == "INFO" || l == "ERROR" => l,
                    Some(l) => {
                        return Err(config_error(service, "provider.logs.websocket.level".into(), "WEBSOCKETS_INVALID_LOGS_LEVEL", format!("provider.logs.websocket.level is set to an invalid value. Support values are INFO, ERROR, got {l}.")));
                    }
                    None => "INFO".to_string(),
                }
            };
            props.insert(
                "DefaultRouteSettings".into(),
                json!({ "DataTraceEnabled": flag("fullExecutionData"), "LoggingLevel": level }),
            );
            if flag("accessLogging") {
                let format = logs
                    .get("format")
                    .filter(|v| truthy(v))
                    .cloned()
                    .unwrap_or(json!(DEFAULT_LOG_FORMAT));
                props.insert(
                    "AccessLogSettings".into(),
                    json!({ "DestinationArn": { "Fn::Sub": format!("arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:${{{LOG_GROUP}}}") }, "Format": format }),
                );
            }
        }
        resources.insert(
            STAGE.into(),
            json!({ "Type": "AWS::ApiGatewayV2::Stage", "Properties": props }),
        );
        if logs.is_some() {
            let mut group = Map::new();
            group.insert(
                "LogGroupName".into(),
                json!(format!("/aws/websocket/{}-{}", service.name, service.stage)),
            );
            put(
                &mut group,
                "RetentionInDays",
                provider
                    .get("logRetentionInDays")
                    .filter(|v| truthy(v))
                    .cloned(),
            );
            put(
                &mut group,
                "DataProtectionPolicy",
                provider
                    .get("logDataProtectionPolicy")
                    .filter(|v| truthy(v))
                    .cloned(),
            );
            resources.insert(
                LOG_GROUP.into(),
                json!({ "Type": "AWS::Logs::LogGroup", "Properties": group }),
            );
            let rest_logs = provider
                .get("logs")
                .and_then(|l| l.get("restApi"))
                .cloned()
                .unwrap_or(Value::Null);
            crate::compile::custom_resources::add_api_gateway_cloudwatch_role(
                service, resources, &rest_logs,
            );
        }
    }

    // The deployment, named by the hash of the API's part of the template.
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
    let deployment_id = format!(
        "WebsocketsDeployment{}",
        hash.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    let depends_on: Vec<Value> = events
        .iter()
        .flat_map(|e| {
            let mut ids = Vec::new();
            if e.route_response.is_some() {
                ids.push(json!(format!("{}Response", route_logical_id(&e.route))));
            }
            ids.push(json!(route_logical_id(&e.route)));
            ids
        })
        .collect();
    let mut props = Map::new();
    props.insert("ApiId".into(), api_id.clone());
    props.insert("Description".into(), description);
    if external_id.is_some() {
        props.insert("StageName".into(), json!(service.stage));
    }
    resources.insert(deployment_id.clone(), json!({ "Type": "AWS::ApiGatewayV2::Deployment", "DependsOn": depends_on, "Properties": props }));
    outputs.insert(
        "ServiceEndpointWebsocket".into(),
        json!({
            "Description": "URL of the service endpoint",
            "Value": { "Fn::Join": ["", ["wss://", api_id, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }, format!("/{}", service.stage)]] }
        }),
    );
    if let Some(Value::Object(p)) = resources
        .get_mut(STAGE)
        .and_then(|s| s.get_mut("Properties"))
    {
        p.insert("DeploymentId".into(), json!({ "Ref": deployment_id }));
    }
    Ok(())
}
