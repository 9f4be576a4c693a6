//! The `AWS::ApiGateway::Authorizer`s the stack creates: one per authorizer an event gives by ARN or
//! by function (not `aws_iam`, not an existing `authorizerId`), Lambda (`TOKEN`, `REQUEST`) or Cognito.

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::{authorizer_logical_id, Endpoint};
use crate::compile::targets::{lambda_target, target_alias};
use crate::config::events::http::{AuthorizerTarget, HttpAuthorizer};
use crate::config::{Function, Service};

pub(super) fn compile(
    service: &Service,
    endpoints: &[Endpoint],
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) {
    for e in endpoints {
        let Some(a) = e.event.authorizer.as_ref().filter(|a| a.target.is_some()) else {
            continue;
        };
        resources.insert(
            authorizer_logical_id(a.name.as_deref().unwrap_or("undefined")),
            resource(service, a, rest_api_id),
        );
    }
}

/// The function of this service an authorizer calls.
pub(super) fn function<'a>(service: &'a Service, a: &HttpAuthorizer) -> Option<&'a Function> {
    match &a.target {
        Some(AuthorizerTarget::Function(key)) => service.functions.iter().find(|f| f.key == *key),
        _ => None,
    }
}

/// The authorizer's Lambda or user pool ARN: as given, or the function's (through its alias).
pub(super) fn arn(service: &Service, a: &HttpAuthorizer) -> Value {
    match (&a.target, function(service, a)) {
        (Some(AuthorizerTarget::Arn(arn)), _) => arn.clone(),
        (_, Some(f)) => lambda_target(&f.key, target_alias(f).as_ref()),
        _ => Value::Null,
    }
}

fn resource(service: &Service, a: &HttpAuthorizer, rest_api_id: &Value) -> Value {
    let mut props = Map::new();
    put(
        &mut props,
        "AuthorizerResultTtlInSeconds",
        a.ttl.map(|t| json!(t)),
    );
    put(&mut props, "IdentitySource", a.identity_source.clone());
    put(&mut props, "Name", a.name.clone().map(Value::String));
    props.insert("RestApiId".into(), rest_api_id.clone());
    if let Some(Value::String(expr)) = &a.identity_validation_expression {
        props.insert("IdentityValidationExpression".into(), json!(expr));
    }
    let arn = arn(service, a);
    if a.is_cognito() {
        props.insert("Type".into(), json!("COGNITO_USER_POOLS"));
        props.insert("ProviderARNs".into(), json!([arn]));
    } else {
        props.insert(
            "AuthorizerUri".into(),
            json!({ "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":apigateway:", { "Ref": "AWS::Region" }, ":lambda:path/2015-03-31/functions/", arn, "/invocations"]] }),
        );
        props.insert(
            "Type".into(),
            json!(a
                .kind
                .as_deref()
                .map_or_else(|| "TOKEN".to_string(), str::to_uppercase)),
        );
    }
    let mut resource = Map::new();
    resource.insert("Type".into(), json!("AWS::ApiGateway::Authorizer"));
    put(
        &mut resource,
        "DependsOn",
        function(service, a)
            .and_then(alias_logical_id)
            .map(Value::String),
    );
    resource.insert("Properties".into(), Value::Object(props));
    Value::Object(resource)
}
