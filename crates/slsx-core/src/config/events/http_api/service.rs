//! The `httpApi` checks that look past one event: `provider.httpApi` (CORS, authorizers, access logs
//! on an API configured outside the stack, request authorizers' settings) and routes declared twice.

use serde_json::Value;

use super::{external_id, provider_settings};
use crate::config::{error_at, js_truthy, Event, Service};
use crate::error::Result;

/// Checks `provider.httpApi` and the routes of every function (each function's events are parsed).
pub(in crate::config::events) fn check_service(service: &Service) -> Result<()> {
    let settings = provider_settings(service);
    let external = external_id(service).is_some();
    let external_error = |what: &str, code: &'static str| {
        error_at(
            service,
            "provider.httpApi.id".into(),
            code,
            format!("Cannot setup {what} for externally configured HTTP API"),
        )
    };
    if external && settings.get("cors").is_some_and(js_truthy) {
        return Err(external_error(
            "CORS rules",
            "EXTERNAL_HTTP_API_CORS_CONFIG",
        ));
    }
    if let Some(Value::Object(authorizers)) = settings.get("authorizers") {
        if external {
            return Err(external_error(
                "authorizers",
                "EXTERNAL_HTTP_API_AUTHORIZERS_CONFIG",
            ));
        }
        for (key, a) in authorizers {
            check_request_authorizer(service, key, a)?;
        }
    }
    let has_routes = check_duplicate_routes(service)?;
    let logs = service
        .provider
        .raw
        .get("logs")
        .and_then(|l| l.get("httpApi"));
    if has_routes && external && logs.is_some_and(js_truthy) {
        return Err(external_error(
            "access logs",
            "EXTERNAL_HTTP_API_LOGS_CONFIG",
        ));
    }
    Ok(())
}

/// A `type: request` authorizer names one function (by ARN or by key, not both), and caches only
/// with an identity source.
fn check_request_authorizer(service: &Service, key: &str, a: &Value) -> Result<()> {
    if a.get("type").and_then(Value::as_str) != Some("request") {
        return Ok(());
    }
    let error = |code, message| {
        error_at(
            service,
            format!("provider.httpApi.authorizers.{key}"),
            code,
            message,
        )
    };
    let (arn, name) = (
        a.get("functionArn").filter(|v| !v.is_null()),
        a.get("functionName").filter(|v| !v.is_null()),
    );
    if arn.is_none() && name.is_none() {
        return Err(error("HTTP_API_CUSTOM_AUTHORIZER_NEITHER_FUNCTION_ARN_NOR_FUNCTION_NAME_DEFINED", format!("Either \"functionArn\" or \"functionName\" property needs to be set on authorizer \"{key}\"")));
    }
    if arn.is_some() && name.is_some() {
        return Err(error("HTTP_API_CUSTOM_AUTHORIZER_BOTH_FUNCTION_ARN_AND_FUNCTION_NAME_DEFINED", format!("Either \"functionArn\" or \"functionName\" (not both) property needs to be set on authorizer \"{key}\"")));
    }
    if let Some(n) = name.and_then(Value::as_str) {
        if !service.functions.iter().any(|f| f.key == n) {
            return Err(error(
                "HTTP_API_CUSTOM_AUTHORIZER_FUNCTION_NOT_FOUND_IN_SERVICE",
                format!("Function \"{n}\" for HTTP API authorizer \"{key}\" not found in service."),
            ));
        }
    }
    if a.get("resultTtlInSeconds").is_some_and(js_truthy)
        && a.get("identitySource").is_none_or(Value::is_null)
    {
        return Err(error("HTTP_API_CUSTOM_AUTHORIZER_IDENTITY_SOURCE_MISSING_WHEN_CACHING_ENABLED", format!("Property \"identitySource\" has to be set on authorizer \"{key}\" when \"resultTtlInSeconds\" is set to non-zero value.")));
    }
    Ok(())
}

/// No route key twice in the service (a second `*` replaces the first); whether there is any route.
fn check_duplicate_routes(service: &Service) -> Result<bool> {
    let mut seen: Vec<&str> = Vec::new();
    for f in &service.functions {
        for e in &f.events {
            let Event::HttpApi(event) = &e.event else {
                continue;
            };
            let key = event.route_key.as_str();
            if !event.is_catch_all() && seen.contains(&key) {
                return Err(crate::config::event_error(
                    service,
                    f,
                    e.index,
                    "httpApi",
                    "DUPLICATE_HTTP_API_ROUTE",
                    format!("Duplicate route '{key}' configuration in function {} for httpApi event in serverless.yml", f.key),
                ));
            }
            seen.push(key);
        }
    }
    Ok(!seen.is_empty())
}
