//! The Lambda request authorizers the routes name (one resource per authorizer name), waiting for
//! the alias of the service's function of that name.

use serde_json::{json, Map, Value};

use super::super::{alias_logical_id, put};
use super::routes::authorizer_logical_id;
use super::{invocation_uri, lambda_arn, Api, Route};
use crate::config::Service;

pub(super) fn add(
    service: &Service,
    api: &Api,
    routes: &[Route],
    resources: &mut Map<String, Value>,
) {
    for a in routes.iter().filter_map(|r| r.event.authorizer.as_ref()) {
        let local = super::local_function(service, &a.name);
        let mut r = Map::new();
        r.insert("Type".into(), json!("AWS::ApiGatewayV2::Authorizer"));
        if let Some(f) = local {
            put(&mut r, "DependsOn", alias_logical_id(f).map(Value::String));
        }
        r.insert(
            "Properties".into(),
            json!({ "ApiId": api.id, "Name": a.name, "AuthorizerType": "REQUEST", "AuthorizerUri": invocation_uri(lambda_arn(service, &a.invokes)), "IdentitySource": a.identity_source }),
        );
        resources.insert(authorizer_logical_id(&a.name), Value::Object(r));
    }
}
