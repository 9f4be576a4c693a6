//! CORS: the `OPTIONS` method (a mock integration answering the preflight) of every path that has an
//! event with `cors`, its settings merged over the path's events as osls merges them; and the CORS
//! headers of the responses a `lambda` or `http` integration maps.

use serde_json::{json, Map, Value};

use super::resources::Tree;
use super::{method_logical_id, Endpoint};
use crate::compile::targets::truthy;
use crate::config::events::http::{text, Cors};

/// The preflight methods, one per path in the order the paths first appear; their logical IDs.
pub(super) fn preflight_methods(
    endpoints: &[Endpoint],
    tree: &Tree,
    rest_api_id: &Value,
    resources: &mut Map<String, Value>,
) -> Vec<String> {
    let mut ids = Vec::new();
    for (path, cors) in preflight(endpoints) {
        let id = method_logical_id(&tree.resource_name(&path), "options");
        resources.insert(
            id.clone(),
            preflight_method(&cors, tree.resource_id(&path), rest_api_id),
        );
        ids.push(id);
    }
    ids
}

/// Per path, the CORS settings of its events merged: the lists united, the last origin, credentials
/// if any asks, the last `maxAge` and `cacheControl` set.
fn preflight(endpoints: &[Endpoint]) -> Vec<(String, Cors)> {
    let mut out: Vec<(String, Cors)> = Vec::new();
    for e in endpoints {
        let Some(c) = &e.event.cors else { continue };
        let path = &e.event.path;
        let slot = match out.iter().position(|(p, _)| p == path) {
            Some(i) => i,
            None => {
                out.push((path.clone(), Cors::default()));
                out.len() - 1
            }
        };
        let merged = &mut out[slot].1;
        merged.headers = union(&c.headers, &merged.headers);
        merged.methods = union(&c.methods, &merged.methods);
        merged.origins = union(&c.origins, &merged.origins);
        merged.origin = c.origin.clone();
        merged.allow_credentials = merged.allow_credentials || c.allow_credentials;
        if c.max_age.as_ref().is_some_and(truthy) {
            merged.max_age = c.max_age.clone();
        }
        if c.cache_control.as_deref().is_some_and(|s| !s.is_empty()) {
            merged.cache_control = c.cache_control.clone();
        }
    }
    out
}

/// A JS `Set` union: `left`'s items, then `right`'s new ones.
fn union(left: &[String], right: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in left.iter().chain(right) {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

fn preflight_method(cors: &Cors, resource_id: Value, rest_api_id: &Value) -> Value {
    let mut origin = cors.origin.clone();
    let mut origins = cors.origins.clone();
    if let Some(o) = origin.as_ref().filter(|o| o.contains(',')) {
        origins = o.split(',').map(|s| s.trim().to_string()).collect();
    }
    if let Some(first) = origins.first() {
        origin = Some(first.clone());
    }
    let headers = preflight_headers(cors, origin.as_deref());
    let method_parameters: Map<String, Value> = headers
        .iter()
        .map(|(h, _)| (format!("method.response.header.{h}"), json!(true)))
        .collect();
    let integration_parameters: Map<String, Value> = headers
        .iter()
        .map(|(h, v)| (format!("method.response.header.{h}"), json!(v)))
        .collect();
    let template = if origins.is_empty() {
        String::new()
    } else {
        response_template(&origins)
    };
    json!({
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "AuthorizationType": "NONE",
            "HttpMethod": "OPTIONS",
            "MethodResponses": [{ "StatusCode": "200", "ResponseParameters": method_parameters, "ResponseModels": {} }],
            "RequestParameters": {},
            "Integration": {
                "Type": "MOCK",
                "RequestTemplates": { "application/json": "{statusCode:200}" },
                "ContentHandling": "CONVERT_TO_TEXT",
                "IntegrationResponses": [{
                    "StatusCode": "200",
                    "ResponseParameters": integration_parameters,
                    "ResponseTemplates": { "application/json": template }
                }]
            },
            "ResourceId": resource_id,
            "RestApiId": rest_api_id
        }
    })
}

/// The preflight's response headers and their quoted values.
fn preflight_headers(cors: &Cors, origin: Option<&str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = vec![
        (
            "Access-Control-Allow-Origin".into(),
            format!("'{}'", origin.unwrap_or("undefined")),
        ),
        (
            "Access-Control-Allow-Headers".into(),
            format!("'{}'", cors.headers.join(",")),
        ),
        (
            "Access-Control-Allow-Methods".into(),
            format!("'{}'", cors.methods.join(",")),
        ),
    ];
    if cors.allow_credentials {
        headers.push(("Access-Control-Allow-Credentials".into(), "'true'".into()));
    }
    if let Some(age) = cors.max_age.as_ref().filter(|v| truthy(v)) {
        headers.push(("Access-Control-Max-Age".into(), format!("'{}'", text(age))));
    }
    if let Some(cc) = cors.cache_control.as_ref().filter(|s| !s.is_empty()) {
        headers.push(("Cache-Control".into(), format!("'{cc}'")));
    }
    if cors.methods.iter().any(|m| m == "ANY") {
        headers[2].1 = headers[2]
            .1
            .replacen("ANY", "DELETE,GET,HEAD,PATCH,POST,PUT", 1);
    }
    headers
}

/// A VTL template that echoes the request's origin when it matches one of `origins` (globs).
fn response_template(origins: &[String]) -> String {
    let tests: Vec<String> = origins
        .iter()
        .map(|o| {
            format!(
                "$origin.matches(\"{}\")",
                o.replace('.', "[.]").replacen('*', ".+", 1)
            )
        })
        .collect();
    format!(
        "#set($origin = $input.params(\"Origin\"))\n#if($origin == \"\") #set($origin = $input.params(\"origin\")) #end\n#if({}) #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin) #end",
        tests.join(" || ")
    )
}

/// The headers a `lambda`/`http` integration response carries: the origin (and credentials) of a
/// CORS-enabled event, then `response.headers`.
pub(super) fn response_headers(e: &Endpoint) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(c) = &e.event.cors {
        let origin = if c.origins.is_empty() {
            c.origin.clone().unwrap_or_else(|| "undefined".into())
        } else {
            c.origins.join(",")
        };
        out.push((
            "Access-Control-Allow-Origin".to_string(),
            json!(format!("'{origin}'")),
        ));
        if c.allow_credentials {
            out.push((
                "Access-Control-Allow-Credentials".to_string(),
                json!("true"),
            ));
        }
    }
    let headers = e.event.response.as_ref().map(|r| &r.headers);
    for (k, v) in headers.into_iter().flatten() {
        match out.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v.clone(),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}
