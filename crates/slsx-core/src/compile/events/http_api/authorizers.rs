//! The authorizers of `provider.httpApi.authorizers`: JWT ones (issuer and audience), and Lambda
//! `request` ones with the permission letting API Gateway invoke their function (unless it is
//! `managedExternally`).

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, as_list, put};
use super::Api;
use crate::compile::naming::normalized_name;
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::http_api::unique;
use crate::config::{js_truthy, Function, Service};

pub(super) fn add(service: &Service, api: &Api, resources: &mut Map<String, Value>) {
    let Some(Value::Object(authorizers)) = api.settings.get("authorizers") else {
        return;
    };
    let by_key: HashMap<&str, &Function> = service
        .functions
        .iter()
        .map(|f| (f.key.as_str(), f))
        .collect();
    for (key, a) in authorizers {
        let a = a.as_object().cloned().unwrap_or_default();
        let name = a
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key)
            .to_string();
        let mut props = Map::new();
        props.insert("ApiId".into(), api.id.clone());
        props.insert("Name".into(), json!(name));
        props.insert(
            "IdentitySource".into(),
            Value::Array(
                a.get("identitySource")
                    .filter(|v| !v.is_null())
                    .map(as_list)
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
            let alias = function.and_then(alias_logical_id);
            put(&mut resource, "DependsOn", alias.clone().map(Value::String));
            let target = request_properties(&a, function, &mut props);
            if !a.get("managedExternally").is_some_and(js_truthy) {
                let mut permission = Map::new();
                permission.insert("Type".into(), json!("AWS::Lambda::Permission"));
                permission.insert(
                    "Properties".into(),
                    json!({ "FunctionName": target, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com", "SourceArn": api.execute_arn }),
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
                .map(as_list)
                .unwrap_or_else(|| vec![Value::Null]);
            let mut jwt = Map::new();
            jwt.insert("Audience".into(), Value::Array(unique(audience)));
            put(&mut jwt, "Issuer", a.get("issuerUrl").cloned());
            props.insert("JwtConfiguration".into(), Value::Object(jwt));
        }
        resource.insert("Properties".into(), Value::Object(props));
        resources.insert(
            format!("HttpApiAuthorizer{}", normalized_name(&name)),
            Value::Object(resource),
        );
    }
}

/// A `request` authorizer's properties; gives the function it invokes (its ARN, or the service's
/// function by `functionName`).
fn request_properties(
    a: &Map<String, Value>,
    function: Option<&Function>,
    props: &mut Map<String, Value>,
) -> Value {
    let target = match (a.get("functionArn").filter(|v| !v.is_null()), function) {
        (Some(arn), _) => arn.clone(),
        (None, Some(f)) => lambda_target(&f.key, target_alias(f).as_ref()),
        (None, None) => Value::Null,
    };
    props.insert("AuthorizerType".into(), json!("REQUEST"));
    put(
        props,
        "EnableSimpleResponses",
        a.get("enableSimpleResponses").cloned(),
    );
    put(
        props,
        "AuthorizerResultTtlInSeconds",
        a.get("resultTtlInSeconds").cloned(),
    );
    props.insert(
        "AuthorizerPayloadFormatVersion".into(),
        a.get("payloadVersion")
            .filter(|v| js_truthy(v))
            .cloned()
            .unwrap_or(json!("2.0")),
    );
    props.insert(
        "AuthorizerUri".into(),
        json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", target, "/invocations"]] }),
    );
    target
}
