//! The `AWS::ApiGateway::RestApi` the stack creates (no `provider.apiGateway.restApiId`): its name,
//! endpoint configuration, resource policy and the `provider.apiGateway` settings it carries.

use serde_json::{json, Map, Value};

use super::super::{as_list, put};
use crate::compile::naming::api_name;
use crate::compile::targets::truthy;
use crate::config::events::http::text;
use crate::config::{ApiSettings, Service};

/// `api` is `provider.apiGateway`.
pub(super) fn resource(service: &Service, api: &Map<String, Value>) -> Value {
    let settings = &service.provider.settings.api;
    let get = |k: &str| api.get(k).filter(|v| !v.is_null());
    let name = api_name(settings.api_name.clone(), api, service);
    let mut props = Map::new();
    props.insert("Name".into(), json!(name));
    put(
        &mut props,
        "BinaryMediaTypes",
        get("binaryMediaTypes").filter(|v| truthy(v)).cloned(),
    );
    put(
        &mut props,
        "DisableExecuteApiEndpoint",
        get("disableDefaultEndpoint").cloned(),
    );
    props.insert(
        "EndpointConfiguration".into(),
        endpoint_configuration(settings),
    );
    let endpoint_settings = get("endpoint").and_then(Value::as_object);
    put(
        &mut props,
        "SecurityPolicy",
        endpoint_settings
            .and_then(|e| e.get("securityPolicy"))
            .filter(|v| truthy(v))
            .cloned(),
    );
    if let Some(mode) = endpoint_settings
        .and_then(|e| e.get("accessMode"))
        .filter(|v| !v.is_null())
    {
        props.insert(
            "EndpointAccessMode".into(),
            json!(text(mode).to_uppercase()),
        );
    }
    if let Some(tags) = &settings.tags {
        props.insert(
            "Tags".into(),
            Value::Array(
                tags.iter()
                    .map(|(k, v)| json!({ "Key": k, "Value": v }))
                    .collect(),
            ),
        );
    }
    props.insert("Policy".into(), policy(get("resourcePolicy")));
    if let Some(t) = get("apiKeySourceType").filter(|v| truthy(v)) {
        props.insert("ApiKeySourceType".into(), json!(text(t).to_uppercase()));
    }
    put(
        &mut props,
        "MinimumCompressionSize",
        get("minimumCompressionSize").cloned(),
    );
    put(
        &mut props,
        "Description",
        get("description").filter(|v| truthy(v)).cloned(),
    );
    json!({ "Type": "AWS::ApiGateway::RestApi", "Properties": props })
}

/// `provider.endpointType` (`EDGE` by default) and, for a private API, `provider.vpcEndpointIds`
/// (checked while loading).
fn endpoint_configuration(settings: &ApiSettings) -> Value {
    let types = json!([settings.endpoint_type]);
    let mut endpoint = Map::from_iter([("Types".to_string(), types)]);
    put(
        &mut endpoint,
        "VpcEndpointIds",
        settings.vpc_endpoint_ids.clone(),
    );
    Value::Object(endpoint)
}

/// `provider.apiGateway.resourcePolicy` as a policy document; osls writes `""` without one.
fn policy(resource_policy: Option<&Value>) -> Value {
    match resource_policy {
        Some(p)
            if !matches!(p, Value::Array(a) if a.is_empty())
                && !matches!(p, Value::Object(o) if o.is_empty())
                && truthy(p) =>
        {
            let statements: Vec<Value> = as_list(p).iter().map(coerce_statement).collect();
            json!({ "Version": "2012-10-17", "Statement": statements })
        }
        _ => json!(""),
    }
}

/// A policy statement as osls's config schema leaves it (its validator coerces types to fit the
/// schema): a string `Action` becomes a list, a one-string list `Resource` becomes the string.
fn coerce_statement(statement: &Value) -> Value {
    let mut s = statement.clone();
    if let Value::Object(o) = &mut s {
        for key in ["Action", "NotAction"] {
            if let Some(v @ Value::String(_)) = o.get_mut(key) {
                *v = json!([v.clone()]);
            }
        }
        for key in ["Resource", "NotResource"] {
            if let Some(v) = o.get_mut(key) {
                if let Value::Array(a) = v {
                    if let [Value::String(one)] = a.as_slice() {
                        *v = json!(one);
                    }
                }
            }
        }
    }
    s
}
