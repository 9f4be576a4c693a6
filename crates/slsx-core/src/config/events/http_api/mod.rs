//! `httpApi`: a route of the service's HTTP API (API Gateway v2), written `METHOD /path`, `*`, or as
//! an object with `method`, `path` and an `authorizer`.
//!
//! `mod.rs` parses an event's route; `authorizer.rs` the authorizer an event names; `service.rs` the
//! checks that look at the whole service (`provider.httpApi`, a route declared twice), run once every
//! function's events are parsed.

use serde_json::Value;

use super::event_error;
use crate::config::{Function, Service};
use crate::error::Result;

mod authorizer;
mod service;

pub use authorizer::RouteAuthorizer;
pub(super) use service::check_service;

/// The methods an HTTP API route may name (`*` is read as `ANY`).
pub const METHODS: [&str; 8] = [
    "ANY", "GET", "POST", "PUT", "PATCH", "OPTIONS", "HEAD", "DELETE",
];

#[derive(Debug, Clone)]
pub struct HttpApiEvent {
    /// `METHOD /path` with the method upper-cased, or `*` for the catch-all route.
    pub route_key: String,
    /// The route's method, upper-cased (`ANY` for `*`).
    pub method: String,
    pub authorizer: Option<RouteAuthorizer>,
}

impl HttpApiEvent {
    /// The catch-all route (`$default`), which a later `*` event replaces rather than duplicates.
    pub fn is_catch_all(&self) -> bool {
        self.route_key == "*"
    }
}

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<HttpApiEvent> {
    let (route_key, method) = route(service, f, index, body)?;
    let authorizer = match body
        .as_object()
        .and_then(|o| o.get("authorizer"))
        .filter(|v| !v.is_null())
    {
        Some(a) => Some(authorizer::parse(service, f, index, a)?),
        None => None,
    };
    Ok(HttpApiEvent {
        route_key,
        method,
        authorizer,
    })
}

/// The route key and its method, from the object form or the `METHOD /path` / `*` text.
fn route(service: &Service, f: &Function, index: usize, body: &Value) -> Result<(String, String)> {
    let error = |code, message| event_error(service, f, index, "httpApi", code, message);
    let text_of = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let (method, path) = match body {
        Value::Object(o) => (
            o.get("method").and_then(Value::as_str).map(str::to_string),
            o.get("path").map(text_of).unwrap_or_default(),
        ),
        other => {
            let text = text_of(other);
            if text == "*" {
                (None, text)
            } else {
                let (m, p) = text.split_once(' ').unwrap_or((&text, ""));
                let ok = METHODS.contains(&m.to_uppercase().as_str())
                    && p.starts_with('/')
                    && !p.contains(char::is_whitespace);
                if !ok {
                    return Err(error("INVALID_HTTP_API_PATH", format!("Invalid httpApi event \"{text}\" in function {}: write \"METHOD /path\" or \"*\"", f.key)));
                }
                (Some(m.to_string()), p.to_string())
            }
        }
    };
    if path == "*" {
        if method.as_deref().is_some_and(|m| m != "*") {
            return Err(error(
                "INVALID_HTTP_API_PATH",
                format!(
                    "Invalid \"path\" property in function {} for httpApi event in serverless.yml",
                    f.key
                ),
            ));
        }
        return Ok(("*".to_string(), "ANY".to_string()));
    }
    let Some(method) = method else {
        return Err(error(
            "MISSING_HTTP_API_METHOD",
            format!(
                "Missing \"method\" property in function {} for httpApi event in serverless.yml",
                f.key
            ),
        ));
    };
    let mut method = method.to_uppercase();
    if method == "*" {
        method = "ANY".into();
    } else if !METHODS.contains(&method.as_str()) {
        return Err(error(
            "INVALID_HTTP_API_METHOD",
            format!(
                "Invalid \"method\" property in function {} for httpApi event in serverless.yml",
                f.key
            ),
        ));
    }
    Ok((format!("{method} {path}"), method))
}

/// `provider.httpApi` as an object (empty when unset).
pub fn provider_settings(service: &Service) -> &serde_json::Map<String, Value> {
    &service.provider.settings.api.http_api
}

/// `provider.httpApi.id`: the API is configured outside the stack.
pub fn external_id(service: &Service) -> Option<Value> {
    let http_api = &service.provider.settings.api.http_api;
    http_api.get("id").filter(|v| !v.is_null()).cloned()
}

/// The values without repeats, in first-seen order (osls builds a `Set`).
pub fn unique(values: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}
