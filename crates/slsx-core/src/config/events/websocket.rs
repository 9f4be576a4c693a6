//! `websocket`: a route of the service's WebSocket API — the route key alone, or an object with
//! `route`, `routeResponseSelectionExpression` and a Lambda request `authorizer` (an ARN, a function
//! of the service, or an object with `name` / `arn` / `identitySource`).

use serde_json::{json, Value};

use crate::config::{error_at, js_truthy, Event, Function, Service};
use crate::error::Result;

#[derive(Debug, Clone)]
pub struct WebsocketEvent {
    pub route: String,
    /// `routeResponseSelectionExpression`, when set: the route gets a route response.
    pub route_response: Option<Value>,
    pub authorizer: Option<WebsocketAuthorizer>,
}

#[derive(Debug, Clone)]
pub struct WebsocketAuthorizer {
    /// The authorizer's name (a function key, the last part of an ARN, or `name`).
    pub name: String,
    /// What API Gateway invokes.
    pub invokes: Target,
    pub identity_source: Value,
    /// What the invoke permission names.
    pub permission: Permission,
}

/// A Lambda function given by ARN (a string or a reference), or a function of the service by key.
#[derive(Debug, Clone)]
pub enum Target {
    Arn(Value),
    Function(String),
}

/// The function an authorizer's invoke permission is for.
#[derive(Debug, Clone)]
pub enum Permission {
    /// An ARN with a `:` or a reference: named as it is.
    Arn(Value),
    /// A function of the service (`key`); the permission waits for `waits_for` — the function's
    /// logical ID when `None`, else what `arn` said (osls names the permission's dependency after
    /// the value written).
    Function {
        key: String,
        waits_for: Option<Value>,
    },
}

const DEFAULT_IDENTITY_SOURCE: &str = "route.request.header.Auth";

pub(super) fn parse(
    service: &Service,
    f: &Function,
    index: usize,
    body: &Value,
) -> Result<WebsocketEvent> {
    let Value::Object(o) = body else {
        return Ok(WebsocketEvent {
            route: body
                .as_str()
                .map_or_else(|| body.to_string(), str::to_string),
            route_response: None,
            authorizer: None,
        });
    };
    let authorizer = match o.get("authorizer") {
        Some(a @ (Value::String(_) | Value::Object(_))) => Some(authorizer(service, f, index, a)?),
        _ => None,
    };
    Ok(WebsocketEvent {
        route: o
            .get("route")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        route_response: o
            .get("routeResponseSelectionExpression")
            .filter(|v| js_truthy(v))
            .cloned(),
        authorizer,
    })
}

/// The event's authorizer: a string (an ARN when it has a `:`, else a function key) or an object.
fn authorizer(
    service: &Service,
    f: &Function,
    index: usize,
    a: &Value,
) -> Result<WebsocketAuthorizer> {
    let at = format!("functions.{}.events.{index}.websocket.authorizer", f.key);
    let default_source = || json!([DEFAULT_IDENTITY_SOURCE]);
    let a = match a {
        Value::String(arn) if arn.contains(':') => {
            return Ok(WebsocketAuthorizer {
                name: last_part(arn),
                invokes: Target::Arn(json!(arn)),
                identity_source: default_source(),
                permission: Permission::Arn(json!(arn)),
            })
        }
        Value::String(key) => {
            local_function(service, &at, key)?;
            return Ok(WebsocketAuthorizer {
                name: key.clone(),
                invokes: Target::Function(key.clone()),
                identity_source: default_source(),
                permission: Permission::Function {
                    key: key.clone(),
                    waits_for: None,
                },
            });
        }
        other => other,
    };
    let identity_source = a
        .get("identitySource")
        .filter(|v| js_truthy(v))
        .cloned()
        .unwrap_or_else(default_source);
    let Some(arn) = a.get("arn").filter(|v| js_truthy(v)) else {
        let name = a
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        local_function(service, &at, &name)?;
        return Ok(WebsocketAuthorizer {
            invokes: Target::Function(name.clone()),
            identity_source,
            permission: Permission::Function {
                key: name.clone(),
                waits_for: None,
            },
            name,
        });
    };
    let name = match arn {
        Value::String(s) => last_part(s),
        _ => match a.get("name").and_then(Value::as_str) {
            Some(n) => n.to_string(),
            None => {
                return Err(error_at(service, at, "WEBSOCKETS_MISSING_AUTHORIZER_NAME", "Websocket Authorizer: Non-string \"arn\" needs to be accompanied with \"name\"".into()));
            }
        },
    };
    // An ARN-looking value names the permission's function; anything else (a string without `:`,
    // a number) is read as the service's function of that name, as osls does.
    let permission = if arn.is_object() || arn.as_str().is_some_and(|s| s.contains(':')) {
        Permission::Arn(arn.clone())
    } else {
        local_function(service, &format!("functions.{}.authorizer", f.key), &name)?;
        Permission::Function {
            key: name.clone(),
            waits_for: Some(arn.clone()),
        }
    };
    Ok(WebsocketAuthorizer {
        name,
        invokes: Target::Arn(arn.clone()),
        identity_source,
        permission,
    })
}

/// The part after the last `:` of an ARN (the whole text without one).
fn last_part(arn: &str) -> String {
    arn.rsplit(':').next().unwrap_or(arn).to_string()
}

/// Refuses a function name the service does not have.
fn local_function(service: &Service, at: &str, name: &str) -> Result<()> {
    if service.functions.iter().any(|f| f.key == name) {
        return Ok(());
    }
    Err(error_at(
        service,
        at.to_string(),
        "FUNCTION_MISSING_IN_SERVICE",
        format!("Function \"{name}\" doesn't exist in this Service"),
    ))
}

/// `provider.logs.websocket`'s execution log level: `OFF` without execution logging, else `level`
/// (`INFO` by default); `Err` with the value when it is neither `INFO` nor `ERROR`.
pub fn log_level(logs: &Value) -> std::result::Result<String, String> {
    if !log_flag(logs, "executionLogging") {
        return Ok("OFF".to_string());
    }
    match logs
        .get("level")
        .filter(|v| js_truthy(v))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
    {
        Some(l) if l == "INFO" || l == "ERROR" => Ok(l),
        Some(l) => Err(l),
        None => Ok("INFO".to_string()),
    }
}

/// A boolean of `provider.logs.websocket`, on unless set and falsy.
pub fn log_flag(logs: &Value, key: &str) -> bool {
    logs.get(key).filter(|v| !v.is_null()).is_none_or(js_truthy)
}

/// `provider.logs.websocket` when it turns logs on.
pub fn logs(service: &Service) -> Option<&Value> {
    let logs = &service.provider.settings.api.websocket_logs;
    logs.as_ref().filter(|v| js_truthy(v))
}

/// `provider.apiGateway.websocketApiId`: the routes go to an API outside the stack.
pub fn external_api_id(service: &Service) -> Option<&Value> {
    let api_gateway = &service.provider.settings.api.api_gateway;
    api_gateway.get("websocketApiId").filter(|v| js_truthy(v))
}

/// The stack's own API's stage logs at a level osls knows (checked when the service has routes).
pub(super) fn check_service(service: &Service) -> Result<()> {
    let has_routes = service.functions.iter().any(|f| {
        f.events
            .iter()
            .any(|e| matches!(e.event, Event::Websocket(_)))
    });
    if !has_routes || external_api_id(service).is_some() {
        return Ok(());
    }
    if let Some(Err(l)) = logs(service).map(log_level) {
        return Err(error_at(service, "provider.logs.websocket.level".into(), "WEBSOCKETS_INVALID_LOGS_LEVEL", format!("provider.logs.websocket.level is set to an invalid value. Support values are INFO, ERROR, got {l}.")));
    }
    Ok(())
}
