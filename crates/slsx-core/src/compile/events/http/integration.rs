//! A method's `Integration`: the Lambda function's invocation URI (`lambda`, `lambda-proxy`, with
//! response streaming), the endpoint of `http` and `http-proxy`, and for the mapped integrations the
//! request templates (osls's own for `lambda`) and the integration responses by status code.

use serde_json::{json, Map, Value};

use super::super::put;
use super::{cors, Endpoint};
use crate::compile::naming::function_logical_id;
use crate::compile::targets::{target_alias, truthy};
use crate::config::events::http::Integration;
use crate::config::Service;

/// The mapping templates osls gives the `lambda` (non-proxy) integration.
const COMMON_TEMPLATE: &str = include_str!("common.vtl");
const FORM_BODY_TEMPLATE: &str = include_str!("form-body.vtl");
const JSON_BODY_TEMPLATE: &str = "\n    #set( $body = $input.json(\"$\") )\n\n    ";

pub(super) fn integration(service: &Service, e: &Endpoint) -> Map<String, Value> {
    let event = e.event;
    let kind = &event.integration;
    let request = &event.request;
    let mut out = Map::new();
    out.insert("IntegrationHttpMethod".into(), json!("POST"));
    out.insert("Type".into(), json!(kind.as_str()));
    let api_gateway = &service.provider.settings.api.api_gateway;
    let timeout = event.timeout_in_millis.clone().or_else(|| {
        let timeout = api_gateway.get("timeoutInMillis");
        timeout.filter(|v| truthy(v)).cloned()
    });
    put(&mut out, "TimeoutInMillis", timeout);
    match kind {
        Integration::Aws | Integration::AwsProxy => {
            out.insert("Uri".into(), lambda_uri(e));
        }
        Integration::Http | Integration::HttpProxy => {
            put(&mut out, "Uri", request.uri.clone());
            let method = request
                .method
                .clone()
                .unwrap_or_else(|| event.method.clone());
            out.insert("IntegrationHttpMethod".into(), json!(method.to_uppercase()));
            if let Some(c) = &event.connection_type {
                out.insert("ConnectionType".into(), json!(c));
                put(&mut out, "ConnectionId", event.connection_id.clone());
            }
        }
        _ => {}
    }
    if kind.maps_responses() {
        put(
            &mut out,
            "PassthroughBehavior",
            request.pass_through.clone(),
        );
        put(
            &mut out,
            "ContentHandling",
            request.content_handling.clone(),
        );
        let templates = request_templates(e);
        if !templates.is_empty() {
            out.insert("RequestTemplates".into(), Value::Object(templates));
        }
        out.insert(
            "IntegrationResponses".into(),
            Value::Array(integration_responses(e)),
        );
    }
    if let Some(parameters) = request_parameters(e) {
        out.insert("RequestParameters".into(), Value::Object(parameters));
    }
    if let Some(mode) = event.transfer_mode.as_ref().filter(|_| kind.is_proxy()) {
        out.insert("ResponseTransferMode".into(), json!(mode));
    }
    out
}

/// The function's invocation ARN (through its alias when it has one; response streaming for a
/// `lambda-proxy` event with `transferMode: STREAM`).
fn lambda_uri(e: &Endpoint) -> Value {
    let streaming = e.event.integration == Integration::AwsProxy
        && e.event
            .transfer_mode
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("STREAM"));
    let (version, invocation) = if streaming {
        ("2021-11-15", "/response-streaming-invocations")
    } else {
        ("2015-03-31", "/invocations")
    };
    let mut parts = vec![
        json!("arn:"),
        json!({ "Ref": "AWS::Partition" }),
        json!(":apigateway:"),
        json!({ "Ref": "AWS::Region" }),
        json!(format!(":lambda:path/{version}/functions/")),
        json!({ "Fn::GetAtt": [function_logical_id(&e.function.key), "Arn"] }),
    ];
    if let Some((_, alias)) = target_alias(e.function) {
        parts.push(json!(":"));
        parts.push(json!(alias));
    }
    parts.push(json!(invocation));
    json!({ "Fn::Join": ["", parts] })
}

/// osls's templates for `lambda`, then `request.template` (a `null` one removes a default).
fn request_templates(e: &Endpoint) -> Map<String, Value> {
    let mut templates = Map::new();
    if e.event.integration == Integration::Aws {
        templates.insert(
            "application/json".into(),
            json!(format!("{JSON_BODY_TEMPLATE}{COMMON_TEMPLATE}\n  ")),
        );
        templates.insert(
            "application/x-www-form-urlencoded".into(),
            json!(format!("{FORM_BODY_TEMPLATE}{COMMON_TEMPLATE}\n  ")),
        );
    }
    for (content_type, template) in e.event.request.template.iter().flatten() {
        if template.is_null() {
            templates.remove(content_type);
        } else {
            templates.insert(content_type.clone(), template.clone());
        }
    }
    templates
}

/// What the integration receives of the request's parameters (`integration.request.…`, the
/// parameter or its `mappedValue`), and for an `async` event the `Event` invocation type.
fn request_parameters(e: &Endpoint) -> Option<Map<String, Value>> {
    let parameters = &e.event.request.parameters;
    let maps = matches!(
        e.event.integration,
        Integration::Aws | Integration::Http | Integration::HttpProxy
    );
    if !((maps && !parameters.is_empty()) || e.event.is_async) {
        return None;
    }
    let mut mapped = Map::new();
    for p in parameters {
        let value = p.mapped_value.clone().unwrap_or_else(|| json!(p.name));
        let name = p.name.strip_prefix("method.").unwrap_or(&p.name);
        mapped.insert(format!("integration.{name}"), value);
    }
    if e.event.is_async {
        mapped.insert(
            "integration.request.header.X-Amz-Invocation-Type".into(),
            json!("'Event'"),
        );
    }
    Some(mapped)
}

/// One integration response per status code: the CORS and response headers, the templates, the
/// selection pattern.
fn integration_responses(e: &Endpoint) -> Vec<Value> {
    let Some(response) = e.event.response.as_ref() else {
        return Vec::new();
    };
    let base: Map<String, Value> = cors::response_headers(e)
        .into_iter()
        .map(|(h, v)| (format!("method.response.header.{h}"), v))
        .collect();
    e.event
        .status_codes
        .iter()
        .map(|status| {
            let mut parameters = base.clone();
            for (k, v) in &status.headers {
                parameters.insert(format!("method.response.header.{k}"), v.clone());
            }
            let mut templates = Map::new();
            if let Some(t) = &response.template {
                templates.insert("application/json".into(), t.clone());
            }
            templates.extend(status.templates.clone());
            let mut r = Map::new();
            r.insert("StatusCode".into(), json!(status.code));
            r.insert(
                "SelectionPattern".into(),
                status.pattern.clone().unwrap_or(json!("")),
            );
            r.insert("ResponseParameters".into(), Value::Object(parameters));
            r.insert("ResponseTemplates".into(), Value::Object(templates));
            if status.code.starts_with('2') {
                put(&mut r, "ContentHandling", response.content_handling.clone());
            }
            Value::Object(r)
        })
        .collect()
}
