//! `httpApi`: one API Gateway v2 HTTP API for the service (or routes on an existing one by
//! `provider.httpApi.id`) with its `$default` stage, CORS, JWT / Lambda request / IAM authorizers,
//! access logs, and per function an integration and an invoke permission, per event a route.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::{alias_logical_id, as_list as list, put};
use crate::compile::functions::{lambda_target, target_alias};
use crate::compile::naming::{normalized_name, upper_first};
use crate::config::error_at as config_error;
use crate::config::{Function, Service};
use crate::error::Result;

const METHODS: [&str; 8] = [
    "ANY", "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE",
];
const DEFAULT_HEADERS: [&str; 7] = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
];

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

/// Appends unless present (a JS `Set`).
fn add(set: &mut Vec<Value>, v: Value) {
    if !set.contains(&v) {
        set.push(v);
    }
}

struct Route<'a> {
    key: String,
    function: &'a Function,
    authorizer: Option<Map<String, Value>>,
    scopes: Option<Vec<Value>>,
}

pub fn compile(
    service: &Service,
    resources: &mut Map<String, Value>,
    outputs: &mut Map<String, Value>,
) -> Result<()> {
    let provider = &service.provider.raw;
    let user = provider
        .get("httpApi")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let external_id = user.get("id").filter(|v| !v.is_null()).cloned();
    let api_id = external_id
        .clone()
        .unwrap_or_else(|| json!({ "Ref": "HttpApi" }));
    let external = |what: &str, code: &'static str| {
        config_error(
            service,
            "provider.httpApi.id".into(),
            code,
            format!("Cannot setup {what} for externally configured HTTP API"),
        )
    };

    // CORS.
    let mut cors: Option<Map<String, Value>> = None;
    let mut fill_methods = false;
    let mut methods: Vec<Value> = Vec::new();
    if let Some(c) = user
        .get("cors")
        .filter(|v| crate::compile::functions::truthy(v))
    {
        if external_id.is_some() {
            return Err(external("CORS rules", "EXTERNAL_HTTP_API_CORS_CONFIG"));
        }
        let mut out = Map::new();
        let defaults =
            |k: &str, d: Vec<Value>| c.get(k).filter(|v| !v.is_null()).map(list).unwrap_or(d);
        out.insert(
            "AllowOrigins".into(),
            Value::Array(defaults("allowedOrigins", vec![json!("*")])),
        );
        out.insert(
            "AllowHeaders".into(),
            Value::Array(defaults(
                "allowedHeaders",
                DEFAULT_HEADERS.iter().map(|h| json!(h)).collect(),
            )),
        );
        if c == &Value::Bool(true) {
            fill_methods = true;
        } else {
            match c.get("allowedMethods").filter(|v| !v.is_null()) {
                Some(m) => methods = list(m),
                None => fill_methods = true,
            }
            if c.get("allowCredentials")
                .is_some_and(crate::compile::functions::truthy)
            {
                out.insert("AllowCredentials".into(), json!(true));
            }
            put(
                &mut out,
                "ExposeHeaders",
                c.get("exposedResponseHeaders")
                    .filter(|v| !v.is_null())
                    .map(|v| Value::Array(list(v))),
            );
            put(&mut out, "MaxAge", c.get("maxAge").cloned());
        }
        if fill_methods {
            methods = vec![json!("OPTIONS")];
        }
        cors = Some(out);
    }

    // Authorizers, by their key.
    let mut authorizers: Vec<(String, Map<String, Value>)> = Vec::new();
    if let Some(Value::Object(list_)) = user.get("authorizers") {
        if external_id.is_some() {
            return Err(external(
                "authorizers",
                "EXTERNAL_HTTP_API_AUTHORIZERS_CONFIG",
            ));
        }
        for (key, a) in list_ {
            let at = format!("provider.httpApi.authorizers.{key}");
            let a = a.as_object().cloned().unwrap_or_default();
            if a.get("type").and_then(Value::as_str) == Some("request") {
                let (arn, name) = (
                    a.get("functionArn").filter(|v| !v.is_null()),
                    a.get("functionName").filter(|v| !v.is_null()),
                );
                if arn.is_none() && name.is_none() {
                    return Err(config_error(service, at, "HTTP_API_CUSTOM_AUTHORIZER_NEITHER_FUNCTION_ARN_NOR_FUNCTION_NAME_DEFINED", format!("Either \"functionArn\" or \"functionName\" property needs to be set on authorizer \"{key}\"")));
                }
                if arn.is_some() && name.is_some() {
                    return Err(config_error(service, at, "HTTP_API_CUSTOM_AUTHORIZER_BOTH_FUNCTION_ARN_AND_FUNCTION_NAME_DEFINED", format!("Either \"functionArn\" or \"functionName\" (not both) property needs to be set on authorizer \"{key}\"")));
                }
                if let Some(n) = name.and_then(Value::as_str) {
                    if !service.functions.iter().any(|f| f.key == n) {
                        return Err(config_error(service, at, "HTTP_API_CUSTOM_AUTHORIZER_FUNCTION_NOT_FOUND_IN_SERVICE", format!("Function \"{n}\" for HTTP API authorizer \"{key}\" not found in service.")));
                    }
                }
                if a.get("resultTtlInSeconds")
                    .is_some_and(crate::compile::functions::truthy)
                    && a.get("identitySource").is_none_or(Value::is_null)
                {
                    return Err(config_error(service, at, "HTTP_API_CUSTOM_AUTHORIZER_IDENTITY_SOURCE_MISSING_WHEN_CACHING_ENABLED", format!("Property \"identitySource\" has to be set on authorizer \"{key}\" when \"resultTtlInSeconds\" is set to non-zero value.")));
                }
            }
            authorizers.push((key.clone(), a));
        }
    }

    // Routes, in the order of functions and events.
    let mut routes: Vec<Route> = Vec::new();
    for f in &service.functions {
        for (index, event) in super::events_of(f, "httpApi") {
            let at = format!("functions.{}.events.{index}.httpApi", f.key);
            let (method, path, authorizer) = match event {
                Value::Object(o) => (
                    o.get("method").and_then(Value::as_str).map(str::to_string),
                    o.get("path")
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .unwrap_or_default(),
                    o.get("authorizer").filter(|v| !v.is_null()).cloned(),
                ),
                other => {
                    let text = other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_string);
                    if text == "*" {
                        (None, "*".to_string(), None)
                    } else {
                        let (m, p) = text.split_once(' ').unwrap_or((&text, ""));
                        let ok = METHODS.contains(&m.to_uppercase().as_str())
                            && p.starts_with('/')
                            && !p.contains(char::is_whitespace);
                        if !ok {
                            return Err(config_error(service, at, "INVALID_HTTP_API_PATH", format!("Invalid httpApi event \"{text}\" in function {}: write \"METHOD /path\" or \"*\"", f.key)));
                        }
                        (Some(m.to_string()), p.to_string(), None)
                    }
                }
            };
            let (key, resolved) = if path == "*" {
                if method.as_deref().is_some_and(|m| m != "*") {
                    return Err(config_error(service, at, "INVALID_HTTP_API_PATH", format!("Invalid \"path\" property in function {} for httpApi event in serverless.yml", f.key)));
                }
                ("*".to_string(), "ANY".to_string())
            } else {
                let Some(m) = method else {
                    return Err(config_error(service, at, "MISSING_HTTP_API_METHOD", format!("Missing \"method\" property in function {} for httpApi event in serverless.yml", f.key)));
                };
                let mut m = m.to_uppercase();
                if m == "*" {
                    m = "ANY".into();
                } else if !METHODS.contains(&m.as_str()) {
                    return Err(config_error(service, at, "INVALID_HTTP_API_METHOD", format!("Invalid \"method\" property in function {} for httpApi event in serverless.yml", f.key)));
                }
                let key = format!("{m} {path}");
                if routes.iter().any(|r| r.key == key) {
                    return Err(config_error(service, at, "DUPLICATE_HTTP_API_ROUTE", format!("Duplicate route '{key}' configuration in function {} for httpApi event in serverless.yml", f.key)));
                }
                (key, m)
            };
            let mut route = Route {
                key: key.clone(),
                function: f,
                authorizer: None,
                scopes: None,
            };
            if let Some(a) = authorizer {
                let a = match a {
                    Value::Object(o) => o,
                    other => Map::from_iter([("name".to_string(), other)]),
                };
                let kind = a.get("type").and_then(Value::as_str);
                let (name, id, scopes) = (
                    a.get("name").and_then(Value::as_str),
                    a.get("id").filter(|v| !v.is_null()),
                    a.get("scopes").filter(|v| !v.is_null()),
                );
                if kind != Some("aws_iam") && id.is_none() && name.is_none() {
                    return Err(config_error(service, at, "HTTP_API_AUTHORIZER_MISSING_ID_OR_NAME", format!("When configuring an authorizer with type: \"{}\", property \"id\" or \"name\" has to be specified.", kind.unwrap_or("jwt"))));
                }
                if kind == Some("aws_iam") && (name.is_some() || id.is_some() || scopes.is_some()) {
                    return Err(config_error(service, at, "HTTP_API_AUTHORIZER_AWS_IAM_UNEXPECTED_PROPERTIES", "When configuring authorizer with type: \"aws_iam\", all other properties are not supported.".into()));
                }
                if let Some(id) = id {
                    if external_id.is_none() {
                        return Err(config_error(service, at, "EXTERNAL_HTTP_API_AUTHORIZER_WITHOUT_EXTERNAL_HTTP_API", format!("Event references external authorizer '{}', but httpApi is part of the current stack.", id.as_str().map_or_else(|| id.to_string(), str::to_string))));
                    }
                    let mut r = Map::new();
                    r.insert("id".into(), id.clone());
                    put(&mut r, "type", a.get("type").cloned());
                    route.authorizer = Some(r);
                } else if kind == Some("aws_iam") {
                    route.authorizer = Some(a.clone());
                } else {
                    let name = name.unwrap_or_default();
                    let Some((_, conf)) = authorizers.iter().find(|(k, _)| k == name) else {
                        return Err(config_error(
                            service,
                            at,
                            "UNRECOGNIZED_HTTP_API_AUTHORIZER",
                            format!("Event references not configured authorizer '{name}'"),
                        ));
                    };
                    let mut r = conf.clone();
                    r.insert(
                        "name".into(),
                        json!(conf.get("name").and_then(Value::as_str).unwrap_or(name)),
                    );
                    route.authorizer = Some(r);
                }
                route.scopes = scopes.map(list);
            }
            match routes.iter_mut().find(|r| r.key == key) {
                Some(existing) => *existing = route,
                None => routes.push(route),
            }
            if fill_methods {
                if resolved == "ANY" {
                    for m in METHODS.iter().filter(|m| **m != "ANY") {
                        add(&mut methods, json!(m));
                    }
                } else {
                    add(&mut methods, json!(resolved));
                }
            }
        }
    }
    if routes.is_empty() {
        return Ok(());
    }

    let tags = provider.get("tags").filter(|t| t.is_object()).cloned();
    let access_log_format = provider.get("logs").and_then(|l| l.get("httpApi")).filter(|v| crate::compile::functions::truthy(v)).map(|l| {
        l.get("format").filter(|v| !v.is_null()).cloned().unwrap_or_else(|| {
            json!(r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}"#)
        })
    });
    if access_log_format.is_some() && external_id.is_some() {
        return Err(external("access logs", "EXTERNAL_HTTP_API_LOGS_CONFIG"));
    }

    // The API.
    if external_id.is_none() {
        let name = match user
            .get("name")
            .filter(|v| crate::compile::functions::truthy(v))
        {
            Some(n) => n.as_str().map_or_else(|| n.to_string(), str::to_string),
            None if user
                .get("shouldStartNameWithService")
                .is_some_and(crate::compile::functions::truthy) =>
            {
                format!("{}-{}", service.name, service.stage)
            }
            None => format!("{}-{}", service.stage, service.name),
        };
        let mut props = Map::new();
        props.insert("Name".into(), json!(name));
        put(
            &mut props,
            "Description",
            user.get("description")
                .filter(|v| crate::compile::functions::truthy(v))
                .map(|d| json!(d.as_str().map_or_else(|| d.to_string(), str::to_string))),
        );
        props.insert("ProtocolType".into(), json!("HTTP"));
        put(
            &mut props,
            "DisableExecuteApiEndpoint",
            user.get("disableDefaultEndpoint").cloned(),
        );
        put(&mut props, "Tags", tags.clone());
        if let Some(mut c) = cors {
            c.insert("AllowMethods".into(), Value::Array(methods));
            props.insert("CorsConfiguration".into(), Value::Object(c));
        }
        resources.insert(
            "HttpApi".into(),
            json!({ "Type": "AWS::ApiGatewayV2::Api", "Properties": props }),
        );
    }
    // Access logs.
    if access_log_format.is_some() {
        let mut props = Map::new();
        props.insert(
            "LogGroupName".into(),
            json!(format!("/aws/http-api/{}", service.stack_name())),
        );
        put(
            &mut props,
            "RetentionInDays",
            provider
                .get("logRetentionInDays")
                .filter(|v| crate::compile::functions::truthy(v))
                .cloned(),
        );
        put(
            &mut props,
            "DataProtectionPolicy",
            provider
                .get("logDataProtectionPolicy")
                .filter(|v| crate::compile::functions::truthy(v))
                .cloned(),
        );
        resources.insert(
            "HttpApiLogGroup".into(),
            json!({ "Type": "AWS::Logs::LogGroup", "Properties": props }),
        );
    }
    // The stage and outputs.
    if external_id.is_none() {
        let mut props = Map::new();
        props.insert("ApiId".into(), json!({ "Ref": "HttpApi" }));
        props.insert("StageName".into(), json!("$default"));
        props.insert("AutoDeploy".into(), json!(true));
        props.insert("DefaultRouteSettings".into(), json!({ "DetailedMetricsEnabled": user.get("metrics").filter(|v| crate::compile::functions::truthy(v)).cloned().unwrap_or(json!(false)) }));
        put(&mut props, "Tags", tags);
        let mut stage = Map::new();
        stage.insert("Type".into(), json!("AWS::ApiGatewayV2::Stage"));
        if let Some(format) = &access_log_format {
            props.insert("AccessLogSettings".into(), json!({ "DestinationArn": { "Fn::GetAtt": ["HttpApiLogGroup", "Arn"] }, "Format": format }));
            stage.insert("DependsOn".into(), json!("HttpApiLogGroup"));
        }
        stage.insert("Properties".into(), Value::Object(props));
        resources.insert("HttpApiStage".into(), Value::Object(stage));
        outputs.insert(
            "HttpApiId".into(),
            json!({ "Description": "Id of the HTTP API", "Value": { "Ref": "HttpApi" } }),
        );
        outputs.insert(
            "HttpApiUrl".into(),
            json!({ "Description": "URL of the HTTP API", "Value": { "Fn::Join": ["", ["https://", { "Ref": "HttpApi" }, ".execute-api.", { "Ref": "AWS::Region" }, ".", { "Ref": "AWS::URLSuffix" }]] } }),
        );
    }
    let execute_api_arn = json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":execute-api:", { "Ref": "AWS::Region" }, ":", { "Ref": "AWS::AccountId" }, ":", api_id, "/*"]] });

    // Authorizers.
    let by_key: HashMap<&str, &Function> = service
        .functions
        .iter()
        .map(|f| (f.key.as_str(), f))
        .collect();
    for (key, a) in &authorizers {
        let name = a
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string();
        let mut props = Map::new();
        props.insert("ApiId".into(), api_id.clone());
        props.insert("Name".into(), json!(name));
        props.insert(
            "IdentitySource".into(),
            Value::Array(
                a.get("identitySource")
                    .filter(|v| !v.is_null())
                    .map(list)
                    .unwrap_or_default(),
            ),
        );
        let mut resource = Map::new();
        resource.insert("Type".into(), json!("AWS::ApiGatewayV2::Authorizer"));
        if a.get("type").and_then(Value::as_str) == Some("request") {
            let function = a
                .get("functionName")
                .and_then(Value::as_str)
                .and_then(|n| by_key.get(n).copied());
            let target = match (a.get("functionArn").filter(|v| !v.is_null()), function) {
                (Some(arn), _) => arn.clone(),
                (None, Some(f)) => lambda_target(&f.key, target_alias(f).as_ref()),
                (None, None) => Value::Null,
            };
            props.insert("AuthorizerType".into(), json!("REQUEST"));
            put(
                &mut props,
                "EnableSimpleResponses",
                a.get("enableSimpleResponses").cloned(),
            );
            put(
                &mut props,
                "AuthorizerResultTtlInSeconds",
                a.get("resultTtlInSeconds").cloned(),
            );
            props.insert(
                "AuthorizerPayloadFormatVersion".into(),
                a.get("payloadVersion")
                    .filter(|v| crate::compile::functions::truthy(v))
                    .cloned()
                    .unwrap_or(json!("2.0")),
            );
            props.insert(
                "AuthorizerUri".into(),
                json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", target, "/invocations"]] }),
            );
            let alias = function.and_then(alias_logical_id);
            put(&mut resource, "DependsOn", alias.clone().map(Value::String));
            if !a
                .get("managedExternally")
                .is_some_and(crate::compile::functions::truthy)
            {
                let mut permission = Map::new();
                permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
                permission.insert(
                    "Properties".into(),
                    json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com", "SourceArn": execute_api_arn }),
                );
                put(&mut permission, "DependsOn", alias.map(Value::String));
                resources.insert(
                    format!(
                        "{}LambdaAuthorizerPermissionHttpApi",
                        normalized_name(&name)
                    ),
                    Value::Object(permission),
                );
            }
        } else {
            props.insert("AuthorizerType".into(), json!("JWT"));
            let audience = a
                .get("audience")
                .map(list)
                .unwrap_or_else(|| vec![Value::Null]);
            let mut audience_set = Vec::new();
            for v in audience {
                add(&mut audience_set, v);
            }
            let mut jwt = Map::new();
            jwt.insert("Audience".into(), Value::Array(audience_set));
            put(&mut jwt, "Issuer", a.get("issuerUrl").cloned());
            props.insert("JwtConfiguration".into(), Value::Object(jwt));
        }
        resource.insert("Properties".into(), Value::Object(props));
        resources.insert(
            format!("HttpApiAuthorizer{}", normalized_name(&name)),
            Value::Object(resource),
        );
    }

    // Per function an integration and a permission; per route a route.
    let provider_payload = user.get("payload").filter(|v| !v.is_null()).cloned();
    for r in &routes {
        let f = r.function;
        let n = normalized_name(&f.key);
        let target = lambda_target(&f.key, target_alias(f).as_ref());
        let alias = alias_logical_id(f);
        let mut permission = Map::new();
        permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
        permission.insert(
            "Properties".into(),
            json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com", "SourceArn": execute_api_arn }),
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
            .raw
            .get("httpApi")
            .and_then(|h| h.get("payload"))
            .filter(|v| !v.is_null())
            .cloned()
            .or_else(|| provider_payload.clone())
            .unwrap_or(json!("2.0"));
        let integration_id = format!("HttpApiIntegration{n}");
        let mut integration = Map::new();
        integration.insert("Type".into(), json!("AWS::ApiGatewayV2::Integration"));
        put(&mut integration, "DependsOn", alias.map(Value::String));
        integration.insert(
            "Properties".into(),
            json!({ "ApiId": api_id, "IntegrationType": "AWS_PROXY", "IntegrationUri": target, "PayloadFormatVersion": payload, "TimeoutInMillis": 30000 }),
        );
        resources.insert(integration_id.clone(), Value::Object(integration));

        let mut props = Map::new();
        props.insert("ApiId".into(), api_id.clone());
        props.insert(
            "RouteKey".into(),
            json!(if r.key == "*" {
                "$default"
            } else {
                r.key.as_str()
            }),
        );
        props.insert(
            "Target".into(),
            json!({ "Fn::Join": ["/", ["integrations", { "Ref": integration_id }]] }),
        );
        if let Some(a) = &r.authorizer {
            let kind = a.get("type").and_then(Value::as_str);
            props.insert(
                "AuthorizationType".into(),
                json!(match kind {
                    Some("request") => "CUSTOM",
                    Some("aws_iam") => "AWS_IAM",
                    _ => "JWT",
                }),
            );
            if kind != Some("aws_iam") {
                let id = a.get("id").filter(|v| !v.is_null()).cloned().unwrap_or_else(|| {
                    json!({ "Ref": format!("HttpApiAuthorizer{}", normalized_name(a.get("name").and_then(Value::as_str).unwrap_or_default())) })
                });
                props.insert("AuthorizerId".into(), id);
                if let Some(scopes) = &r.scopes {
                    let mut set = Vec::new();
                    for s in scopes {
                        add(&mut set, s.clone());
                    }
                    props.insert("AuthorizationScopes".into(), Value::Array(set));
                }
            }
        }
        let route_id = if r.key == "*" {
            "HttpApiRouteDefault".to_string()
        } else {
            format!("HttpApiRoute{}", normalize_path(&r.key))
        };
        resources.insert(route_id, json!({ "Type": "AWS::ApiGatewayV2::Route", "Properties": props, "DependsOn": integration_id }));
    }
    Ok(())
}
